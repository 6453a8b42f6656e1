/* doc.c - documents: map the input, own the arena, expose the root and -e evaluation. */
#include "interp.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Guards scale with the input: a small hostile file gets small budgets,
 * a multi-GB dump gets room for every node it can really hold. */
static void doc_limits(fd_doc *doc, const fd_open_opts *opts)
{
    uint64_t mem = opts && opts->max_memory ? opts->max_memory : (256ull << 20) + doc->size * 64;
    fd_arena_init(&doc->arena, mem);
    doc->work_limit = opts && opts->max_work ? opts->max_work : (1ull << 16) + doc->size * 8;
    doc->stack_limit = opts && opts->max_stack ? opts->max_stack : (2u << 20);
}

/* why is a fixed reason, or NULL for errno's. */
static void set_err(fd_error *err, fd_errkind kind, const char *what, const char *path, const char *why)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->kind = kind;
    err->offset = -1;
    snprintf(err->message, sizeof err->message, "%s%s%s: %s", what, path ? " " : "", path ? path : "",
             why ? why : strerror(errno));
}

fd_doc *fd_doc_open_mem(const fd_spec *spec, const void *buf, size_t len, const fd_open_opts *opts, fd_error *err)
{
    fd_doc *doc = calloc(1, sizeof *doc);
    if (!doc) {
        set_err(err, FD_ERR_NOMEM, "out of memory", NULL, "no room for the document");
        return NULL;
    }
    doc->spec = spec;
    doc->data = len ? buf : (const uint8_t *)"";
    doc->size = len;
    doc_limits(doc, opts);
    fd_stream_init(&doc->io, doc->data, doc->size, 0);
    return doc;
}

fd_doc *fd_doc_open_file(const fd_spec *spec, const char *path, const fd_open_opts *opts, fd_error *err)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, FD_ERR_IO, "cannot open", path, NULL);
        return NULL;
    }
    struct stat st;
    bool stat_ok = fstat(fd, &st) == 0;
    if (!stat_ok || !S_ISREG(st.st_mode)) {
        /* A directory, a device or a pipe: nothing to map. */
        set_err(err, FD_ERR_IO, "cannot read", path, stat_ok ? "not a regular file" : NULL);
        close(fd);
        return NULL;
    }
    void *map = NULL;
    size_t len = (size_t)st.st_size;
    if (len) {
        /* The input is mapped, never read whole: byte arrays are views into it. */
        map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            set_err(err, FD_ERR_IO, "cannot map", path, NULL);
            close(fd);
            return NULL;
        }
    }
    close(fd);
    fd_doc *doc = fd_doc_open_mem(spec, map, len, opts, err);
    if (!doc) {
        if (map)
            munmap(map, len);
        return NULL;
    }
    doc->map = map;
    doc->map_len = len;
    return doc;
}

void fd_doc_close(fd_doc *doc)
{
    if (!doc)
        return;
    fd_arena_free(&doc->arena);
    if (doc->map)
        munmap(doc->map, doc->map_len);
    free(doc);
}

fd_value fd_doc_root(fd_doc *doc)
{
    fd_interp_parse_root(doc);
    return doc->root ? fd_v_obj(doc->root) : fd_v_null();
}

bool fd_doc_error(fd_doc *doc, fd_error *err)
{
    fd_interp_parse_root(doc);
    if (!doc->err)
        return false;
    if (err)
        fd_errrec_export(doc->err, err);
    return true;
}

const uint8_t *fd_doc_data(const fd_doc *doc, size_t *len)
{
    if (len)
        *len = (size_t)doc->size;
    return doc->data;
}

fd_value fd_eval(fd_doc *doc, fd_value ctx, const char *text, fd_error *err)
{
    fd_interp_parse_root(doc);
    /* -e expressions share the description's name table so that member
     * names compare by pointer like everywhere else. */
    fd_spec *spec = (fd_spec *)doc->spec;
    fd_expr_err perr;
    fd_expr *e = fd_expr_parse(&doc->arena, &spec->names, text, strlen(text), &perr);
    if (!e) {
        fd_errrec *r = fd_interp_error(doc, FD_ERR_DESCRIPTION, NULL, -1, NULL, NULL, -1, NULL,
                                       "expression error at column %u: %s", perr.pos + 1, perr.msg);
        if (err)
            fd_errrec_export(r, err);
        return fd_v_err(r);
    }
    fd_ctx c = { .self = ctx.kind == FD_STRUCT ? fd_v_as_obj(ctx) : doc->root, .index = -1 };
    fd_value v = fd_eval_expr(doc, &c, e);
    if (v.kind == FD_ERROR && err)
        fd_errrec_export(fd_v_as_err(v), err);
    return v;
}

bool fd_expr_check(const char *text, fd_error *err)
{
    fd_arena a;
    fd_names names;
    fd_arena_init(&a, 0);
    fd_intern_init(&names, &a);
    fd_expr_err perr;
    bool ok = fd_expr_parse(&a, &names, text, strlen(text), &perr) != NULL;
    if (!ok && err) {
        memset(err, 0, sizeof *err);
        err->kind = FD_ERR_DESCRIPTION;
        err->offset = -1;
        snprintf(err->message, sizeof err->message, "expression error at column %u: %s", perr.pos + 1, perr.msg);
    }
    fd_intern_free(&names);
    fd_arena_free(&a);
    return ok;
}
