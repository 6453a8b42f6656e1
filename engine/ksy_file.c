/* ksy_file.c - loader entry points: reading .ksy files once each, error recording, the public load API. */
#include "ksy_load.h"
#include "version.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void fd_ksy_fail_kind(fd_ksy_loader *L, fd_errkind kind, const char *file, uint32_t line,
                      uint32_t col, const char *fmt, ...)
{
    if (L->failed)
        return;
    L->failed = true;
    fd_error *e = L->err;
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->offset = -1;
    snprintf(e->file, sizeof e->file, "%s", file ? file : "");
    e->line = (int)line;
    e->col = (int)col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    /* Quoted keys and block scalars may bring line breaks: a message stays one line. */
    for (char *p = e->message; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
}

void fd_ksy_fail(fd_ksy_loader *L, const char *file, uint32_t line, uint32_t col,
                 const char *fmt, ...)
{
    if (L->failed)
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fd_ksy_fail_kind(L, FD_ERR_DESCRIPTION, file, line, col, "%s", msg);
}

static bool file_known(fd_ksy_loader *L, const char *key, fd_module **mod)
{
    for (size_t i = 0; i < L->nfiles; i++)
        if (strcmp(L->files[i].key, key) == 0) {
            *mod = L->files[i].mod;
            return true;
        }
    return false;
}

int fd_ksy_file_add(fd_ksy_loader *L, const char *key, fd_module *mod)
{
    if (L->nfiles == L->capfiles) {
        size_t cap = L->capfiles ? L->capfiles * 2 : 8;
        fd_ksy_file *f = realloc(L->files, cap * sizeof *f);
        if (!f)
            return -1;
        L->files = f;
        L->capfiles = cap;
    }
    char *k = strdup(key);
    if (!k)
        return -1;
    L->files[L->nfiles].key = k;
    L->files[L->nfiles++].mod = mod;
    return 0;
}

static char *read_file(fd_ksy_loader *L, const char *path, const fd_srcloc *loc, size_t *len)
{
    const char *f = loc ? loc->file : path;
    uint32_t line = loc ? loc->line : 0, col = loc ? loc->col : 0;
    fd_errkind kind = loc ? FD_ERR_DESCRIPTION : FD_ERR_IO;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC); /* a FIFO must not block the load */
    FILE *fp = fd < 0 ? NULL : fdopen(fd, "rb");
    if (!fp) {
        if (fd >= 0)
            close(fd);
        fd_ksy_fail_kind(L, kind, f, line, col, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        fd_ksy_fail_kind(L, kind, f, line, col, "cannot read %s: not a regular file", path);
        return NULL;
    }
    if ((uint64_t)st.st_size > FD_KSY_MAX_FILE) {
        fclose(fp);
        fd_ksy_fail_kind(L, FD_ERR_LIMIT, f, line, col, "%s: description larger than %u bytes",
                         path, FD_KSY_MAX_FILE);
        return NULL;
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (!buf) {
        fclose(fp);
        fd_ksy_fail_kind(L, FD_ERR_NOMEM, f, line, col, "out of memory");
        return NULL;
    }
    size_t got = fread(buf, 1, n, fp);
    fclose(fp);
    if (got != n) {
        free(buf);
        fd_ksy_fail_kind(L, kind, f, line, col, "cannot read %s", path);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

fd_module *fd_ksy_load_path(fd_ksy_loader *L, const char *path, const fd_srcloc *loc)
{
    char real[PATH_MAX];
    const char *key = realpath(path, real) ? real : path;
    fd_module *mod;
    if (file_known(L, key, &mod))
        return mod;
    const char *f = loc ? loc->file : path;
    uint32_t line = loc ? loc->line : 0, col = loc ? loc->col : 0;
    if (L->nfiles >= FD_KSY_MAX_MODULES) {
        fd_ksy_fail_kind(L, FD_ERR_LIMIT, f, line, col, "too many imported modules");
        return NULL;
    }
    if (L->depth >= FD_KSY_MAX_IMPORT_DEPTH) {
        fd_ksy_fail_kind(L, FD_ERR_LIMIT, f, line, col, "imports nested too deeply");
        return NULL;
    }
    size_t len;
    char *text = read_file(L, path, loc, &len);
    if (!text)
        return NULL;
    L->depth++;
    mod = fd_ksy_build(L, path, key, text, len);
    L->depth--;
    free(text);
    return mod;
}

/* ---- public entry points ---- */

static fd_spec *spec_new(const fd_load_opts *opts, fd_error *err)
{
    fd_spec *spec = calloc(1, sizeof *spec);
    if (!spec)
        goto nomem;
    fd_arena_init(&spec->arena, (uint64_t)1 << 30);
    fd_intern_init(&spec->names, &spec->arena);
    if (opts && opts->nimport_dirs) {
        spec->import_dirs = fd_arena_zalloc(&spec->arena, opts->nimport_dirs * sizeof(char *));
        if (!spec->import_dirs)
            goto nomem;
        for (size_t i = 0; i < opts->nimport_dirs; i++) {
            const char *d = opts->import_dirs[i] ? opts->import_dirs[i] : ".";
            size_t n = strlen(d);
            while (n > 1 && d[n - 1] == '/')
                n--;
            if (!(spec->import_dirs[i] = fd_arena_strndup(&spec->arena, d, n)))
                goto nomem;
        }
        spec->nimport_dirs = opts->nimport_dirs;
    }
    return spec;
nomem:
    fd_spec_free(spec);
    memset(err, 0, sizeof *err);
    err->kind = FD_ERR_NOMEM;
    err->offset = -1;
    snprintf(err->message, sizeof err->message, "out of memory");
    return NULL;
}

static fd_spec *finish(fd_ksy_loader *L, fd_module *main_mod)
{
    if (main_mod && !L->failed)
        fd_ksy_resolve(L);
    for (size_t i = 0; i < L->nfiles; i++)
        free(L->files[i].key);
    free(L->files);
    free(L->refs);
    if (L->failed || !main_mod) {
        fd_spec_free(L->spec);
        return NULL;
    }
    return L->spec;
}

/* A loader around an empty spec; false (err filled) when out of memory. */
static bool loader_init(fd_ksy_loader *L, const fd_load_opts *opts, fd_error *err)
{
    memset(err, 0, sizeof *err);
    err->offset = -1;
    memset(L, 0, sizeof *L);
    L->err = err;
    fd_load_opts o = fd_load_opts_read(opts);
    L->cache_dir = o.cache_dir && *o.cache_dir ? o.cache_dir : NULL;
    L->spec = spec_new(&o, err);
    return L->spec != NULL;
}

fd_spec *fd_spec_load_file(const char *path, const fd_load_opts *opts, fd_error *err)
{
    fd_error dummy;
    fd_ksy_loader L;
    if (!err)
        err = &dummy;
    if (!path || !loader_init(&L, opts, err))
        return NULL;
    return finish(&L, fd_ksy_load_path(&L, path, NULL));
}

fd_spec *fd_spec_load_mem(const char *name, const char *text, size_t len,
                          const fd_load_opts *opts, fd_error *err)
{
    fd_error dummy;
    fd_ksy_loader L;
    if (!err)
        err = &dummy;
    if (!name)
        name = "<memory>";
    if (!loader_init(&L, opts, err))
        return NULL;
    fd_module *mod = NULL;
    if (!text) {
        fd_ksy_fail_kind(&L, FD_ERR_IO, name, 0, 0, "no description text");
    } else if (len > FD_KSY_MAX_FILE) {
        fd_ksy_fail_kind(&L, FD_ERR_LIMIT, name, 0, 0, "description larger than %u bytes",
                         FD_KSY_MAX_FILE);
    } else {
        char real[PATH_MAX];
        const char *key = realpath(name, real) ? real : name;
        mod = fd_ksy_build(&L, name, key, text, len);
    }
    return finish(&L, mod);
}
