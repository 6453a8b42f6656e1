/* detect.c - the format path: its descriptions, loaded once, and choosing one by an input's leading bytes. */
#include "detect.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#define DETECT_MAX_DIRS 64

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

struct cli_detect_formats {
    detect_dirs dirs;
    long counts[DETECT_MAX_DIRS];   /* descriptions loaded per directory, -1 if unreadable */
    fd_spec **specs;                /* those with leading fixed bytes to match */
    size_t n, cap;
};

/* Keep spec when it has leading bytes to match, else free it; false when out of memory. */
static bool formats_keep(cli_detect_formats *f, fd_spec *spec)
{
    size_t len = 0;
    if (!fd_spec_magic(spec, 0, &len) || !len) {
        fd_spec_free(spec);
        return true;
    }
    if (f->n == f->cap) {
        size_t ncap = f->cap ? 2 * f->cap : 8;
        fd_spec **grown = realloc(f->specs, ncap * sizeof *grown);
        if (!grown) {
            fd_spec_free(spec);
            return false;
        }
        f->specs = grown;
        f->cap = ncap;
    }
    f->specs[f->n++] = spec;
    return true;
}

/* Load every description of one directory; how many loaded, -1 if unreadable. */
static long load_dir(cli_detect_formats *f, const char *dir, const fd_load_opts *lo)
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
        if (!spec) {
            char msg[1024];
            fd_error_format(&err, msg, sizeof msg);
            fprintf(stderr, "fmtdump: warning: description skipped: %s", msg);
            if (strcmp(err.file, path) != 0)
                fprintf(stderr, " (loading %s)", path);
            fputc('\n', stderr);
        } else if (formats_keep(f, spec)) {
            loaded++;
        }
    }
    free(names);
    return loaded;
}

cli_detect_formats *cli_detect_load(const char *argv0, const fd_load_opts *lo)
{
    cli_detect_formats *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    dirs_build(&f->dirs, argv0);
    for (size_t k = 0; k < f->dirs.n; k++)
        f->counts[k] = load_dir(f, f->dirs.dir[k], lo);
    return f;
}

void cli_detect_free(cli_detect_formats *f)
{
    if (!f)
        return;
    for (size_t k = 0; k < f->n; k++)
        fd_spec_free(f->specs[k]);
    for (size_t k = 0; k < f->dirs.n; k++)
        free(f->dirs.dir[k]);
    free(f->specs);
    free(f);
}

size_t cli_detect_count(const cli_detect_formats *f)
{
    return f->n;
}

const fd_spec *cli_detect_match(const cli_detect_formats *f, const uint8_t *head, size_t n)
{
    const fd_spec *best = NULL;
    size_t best_len = 0;
    for (size_t k = 0; k < f->n; k++) {
        const uint8_t *magic;
        size_t len;
        for (size_t i = 0; (magic = fd_spec_magic(f->specs[k], i, &len)) != NULL; i++)
            if (len <= n && len > best_len && memcmp(magic, head, len) == 0) {
                best = f->specs[k];
                best_len = len;
            }
    }
    return best;
}

void cli_detect_report(const cli_detect_formats *f, const char *input)
{
    if (input)
        fprintf(stderr, "fmtdump: %s: no description on the format path matches its leading bytes;"
                        " name one with -f KSY\n", input);
    else
        fprintf(stderr, "fmtdump: no description on the format path starts with fixed bytes to"
                        " detect a format by; name one with -f KSY\n");
    if (!f->dirs.n)
        fprintf(stderr, "  (the format path is empty: set FMTDUMP_PATH)\n");
    for (size_t k = 0; k < f->dirs.n; k++) {
        if (f->counts[k] < 0)
            fprintf(stderr, "  looked in %s (absent)\n", f->dirs.dir[k]);
        else
            fprintf(stderr, "  looked in %s (%ld description%s loaded)\n", f->dirs.dir[k], f->counts[k],
                    f->counts[k] == 1 ? "" : "s");
    }
}
