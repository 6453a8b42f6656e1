/* detect.c - the format path and choosing a description by the input's leading bytes. */
#include "detect.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#define DETECT_MAX_DIRS 64
#define DETECT_HEAD 4096

typedef struct detect_dirs {
    char *dir[DETECT_MAX_DIRS];
    size_t n;
} detect_dirs;

/* Add a directory once (compared by its resolved path when it exists). */
static void dirs_add(detect_dirs *d, const char *dir)
{
    char real[PATH_MAX];
    const char *use = realpath(dir, real) ? real : dir;
    if (d->n == DETECT_MAX_DIRS || !*use)
        return;
    for (size_t k = 0; k < d->n; k++)
        if (strcmp(d->dir[k], use) == 0)
            return;
    char *copy = strdup(use);
    if (copy)
        d->dir[d->n++] = copy;
}

static void dirs_add_joined(detect_dirs *d, const char *base, const char *rel)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", base, rel);
    if (n > 0 && (size_t)n < sizeof path)
        dirs_add(d, path);
}

/* The directory holding this executable, or "" when it cannot be told. */
static void exe_dir(const char *argv0, char *buf, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    if (n > 0) {
        buf[n] = '\0';
    } else {
        char real[PATH_MAX];
        if (!argv0 || !strchr(argv0, '/') || !realpath(argv0, real) || strlen(real) >= cap) {
            buf[0] = '\0';
            return;
        }
        strcpy(buf, real);
    }
    char *slash = strrchr(buf, '/');
    if (!slash)
        buf[0] = '\0';
    else if (slash == buf)
        buf[1] = '\0';
    else
        *slash = '\0';
}

static void dirs_build(detect_dirs *d, const char *argv0)
{
    const char *env = getenv("FMTDUMP_PATH");
    if (env) {
        char *copy = strdup(env);
        char *save = NULL;
        for (char *tok = copy ? strtok_r(copy, ":", &save) : NULL; tok; tok = strtok_r(NULL, ":", &save))
            dirs_add(d, tok);
        free(copy);
    }
    char exe[PATH_MAX];
    exe_dir(argv0, exe, sizeof exe);
    if (exe[0]) {
        dirs_add_joined(d, exe, "../formats");
        dirs_add_joined(d, exe, "../share/fmtdump/formats");
    }
#ifdef FMTDUMP_DATADIR
    dirs_add(d, FMTDUMP_DATADIR "/fmtdump/formats");
#endif
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.ksy names of a directory, sorted; NULL when it cannot be read. */
static char **list_ksy(const char *dir, size_t *count)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".ksy") != 0)
            continue;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            char **grown = realloc(names, ncap * sizeof *names);
            if (!grown)
                break;
            names = grown;
            cap = ncap;
        }
        if ((names[n] = strdup(de->d_name)) != NULL)
            n++;
    }
    closedir(dp);
    if (!names)
        names = malloc(sizeof *names);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    *count = n;
    return names;
}

/* The input's first bytes; -1 (errno set) when it cannot be read. */
static long read_head(const char *input, unsigned char *buf, size_t cap)
{
    FILE *f = fopen(input, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap, f);
    int bad = ferror(f);
    int saved = errno;
    fclose(f);
    if (bad) {
        errno = saved ? saved : EIO;
        return -1;
    }
    return (long)n;
}

typedef struct detect_best {
    fd_spec *spec;
    size_t len;
} detect_best;

/* Try every description of one directory; returns how many it loaded, -1 if unreadable. */
static long try_dir(const char *dir, const unsigned char *head, size_t nhead,
                    const fd_load_opts *lo, detect_best *best)
{
    size_t n = 0;
    char **names = list_ksy(dir, &n);
    long loaded = 0;
    if (!names)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        int plen = snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        free(names[i]);
        if (plen < 0 || (size_t)plen >= sizeof path)
            continue;
        fd_error err;
        fd_spec *spec = fd_spec_load_file(path, lo, &err);
        if (!spec)
            continue;
        loaded++;
        size_t mlen = 0;
        const uint8_t *magic = fd_spec_magic(spec, &mlen);
        if (magic && mlen > best->len && mlen <= nhead && memcmp(magic, head, mlen) == 0) {
            if (best->spec)
                fd_spec_free(best->spec);
            best->spec = spec;
            best->len = mlen;
        } else {
            fd_spec_free(spec);
        }
    }
    free(names);
    return loaded;
}

cli_detect_rc cli_detect(const char *input, const char *argv0, const fd_load_opts *lo, fd_spec **spec)
{
    unsigned char head[DETECT_HEAD];
    long nhead = read_head(input, head, sizeof head);
    if (nhead < 0) {
        fprintf(stderr, "fmtdump: %s: cannot read: %s\n", input, strerror(errno));
        return CLI_DETECT_IO;
    }
    detect_dirs dirs = {.n = 0};
    dirs_build(&dirs, argv0);
    detect_best best = {NULL, 0};
    long counts[DETECT_MAX_DIRS];
    for (size_t k = 0; k < dirs.n; k++)
        counts[k] = try_dir(dirs.dir[k], head, (size_t)nhead, lo, &best);
    cli_detect_rc rc = CLI_DETECT_FOUND;
    if (best.spec) {
        *spec = best.spec;
    } else {
        rc = CLI_DETECT_NONE;
        fprintf(stderr, "fmtdump: %s: no description on the format path matches its leading bytes;"
                        " name one with -f KSY\n", input);
        if (!dirs.n)
            fprintf(stderr, "  (the format path is empty: set FMTDUMP_PATH)\n");
        for (size_t k = 0; k < dirs.n; k++) {
            if (counts[k] < 0)
                fprintf(stderr, "  looked in %s (absent)\n", dirs.dir[k]);
            else
                fprintf(stderr, "  looked in %s (%ld description%s loaded)\n", dirs.dir[k], counts[k],
                        counts[k] == 1 ? "" : "s");
        }
    }
    for (size_t k = 0; k < dirs.n; k++)
        free(dirs.dir[k]);
    return rc;
}
