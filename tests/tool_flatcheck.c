/* tool_flatcheck.c - checks that write programs (engine/emit_flat.c) print what the object path prints. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fmtdump.h>

#include "emit.h"
#include "membuf.h"

typedef struct limits {
    fd_open_opts open;
    fd_emit_opts emit;
} limits;

/* Writes path as JSON on a fresh document; false when it cannot be opened. */
static bool write_one(const fd_spec *spec, const char *path, const limits *lim, bool objects_only, membuf *out,
                      fd_emit_stats *st, uint64_t *by_program)
{
    fd_error err;
    fd_doc *doc = fd_doc_open_file(spec, path, &lim->open, &err);
    if (!doc) {
        char msg[512];
        fd_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "flatcheck: %s: %s\n", path, msg);
        return false;
    }
    fd_emit_opts o = lim->emit;
    o.stats = st;
    fd_emit_sink_paths(membuf_sink, out, fd_doc_root(doc), &o, objects_only, by_program);
    fd_doc_close(doc);
    return !out->oom;
}

static bool same_stats(const fd_emit_stats *a, const fd_emit_stats *b)
{
    return a->errors == b->errors && a->bytes == b->bytes && a->truncated == b->truncated &&
           a->first.kind == b->first.kind && a->first.offset == b->first.offset &&
           strcmp(a->first.path, b->first.path) == 0 && strcmp(a->first.message, b->first.message) == 0;
}

/* 1 when the two paths differ, -1 when the file cannot be written. */
static int check_format(const fd_spec *spec, const char *path, const limits *lim, const char *what,
                        uint64_t *programs)
{
    membuf a = { 0 }, b = { 0 };
    fd_emit_stats sa, sb;
    uint64_t na = 0, nb = 0;
    int rc = -1;
    if (write_one(spec, path, lim, true, &a, &sa, &na) && write_one(spec, path, lim, false, &b, &sb, &nb)) {
        size_t at = 0;
        while (at < a.n && at < b.n && a.p[at] == b.p[at])
            at++;
        rc = 0;
        if (at < a.n || at < b.n || !same_stats(&sa, &sb)) {
            fprintf(stderr, "flatcheck: %s%s: the write programs' %s differs from the objects' at byte %zu "
                            "(%zu and %zu bytes; errors %llu and %llu)\n",
                    path, what, lim->emit.format == FD_OUT_TEXT ? "text" : "JSON", at, a.n, b.n,
                    (unsigned long long)sa.errors, (unsigned long long)sb.errors);
            rc = 1;
        }
        *programs += nb;
    }
    free(a.p);
    free(b.p);
    return rc;
}

/* Both writers that use programs: JSON and text. */
static int check(const fd_spec *spec, const char *path, const limits *lim, const char *what, uint64_t *programs)
{
    limits l = *lim;
    l.emit.format = FD_OUT_TEXT;
    int json = check_format(spec, path, lim, what, programs);
    int text = json < 0 ? json : check_format(spec, path, &l, what, programs);
    return json < 0 || text < 0 ? -1 : json || text;
}

static uint64_t number(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || end == s) {
        fprintf(stderr, "flatcheck: not a number: %s\n", s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    limits lim = { .open = { .size = sizeof lim.open }, .emit = { .size = sizeof lim.emit, .format = FD_OUT_JSON } };
    const char *dirs[16];
    size_t ndirs = 0;
    bool sweep = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--compact") == 0)
            lim.emit.compact = true;
        else if (strcmp(argv[i], "--sweep") == 0)
            sweep = true;
        else if (strcmp(argv[i], "-I") == 0 && i + 1 < argc && ndirs < 16)
            dirs[ndirs++] = argv[++i];
        else if (strcmp(argv[i], "--max-output") == 0 && i + 1 < argc)
            lim.emit.max_output = number(argv[++i]);
        else if (strcmp(argv[i], "--max-work") == 0 && i + 1 < argc)
            lim.open.max_work = number(argv[++i]);
        else if (strcmp(argv[i], "--max-memory") == 0 && i + 1 < argc)
            lim.open.max_memory = number(argv[++i]);
        else
            break;
    }
    if (argc - i < 2) {
        fprintf(stderr, "usage: flatcheck [--compact] [--sweep] [-I DIR]... [--max-output N] [--max-work N]\n"
                        "                 [--max-memory N] KSY FILE...\n"
                        "Writes each FILE as JSON and as text twice, on fresh documents: every lazy\n"
                        "array element through its objects, then with write programs, and compares\n"
                        "the outputs and stats.\n"
                        "--sweep also compares under output, work, memory and stack budgets that\n"
                        "cut the tree at many places.  Prints how many elements programs wrote;\n"
                        "exits 1 when any output differs, 2 on other errors.\n");
        return 2;
    }
    fd_load_opts lo = FD_LOAD_OPTS_INIT;
    lo.import_dirs = dirs;
    lo.nimport_dirs = ndirs;
    fd_error err;
    fd_spec *spec = fd_spec_load_file(argv[i], &lo, &err);
    if (!spec) {
        char msg[512];
        fd_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "flatcheck: %s\n", msg);
        return 2;
    }
    int files = 0, differ = 0, failed = 0, runs = 0;
    uint64_t programs = 0;
    for (int k = i + 1; k < argc; k++) {
        int rc = check(spec, argv[k], &lim, "", &programs);
        files++;
        runs++;
        differ += rc == 1;
        failed += rc < 0;
        if (!sweep || rc < 0)
            continue;
        /* Budgets from tight to loose, on a doubling scale. */
        for (uint64_t b = 1024; b <= (UINT64_C(1) << 28); b *= 2) {
            char what[64];
            limits l = lim;
            l.emit.max_output = b * 4;
            snprintf(what, sizeof what, " (max output %llu)", (unsigned long long)l.emit.max_output);
            differ += check(spec, argv[k], &l, what, &programs) == 1;
            l = lim;
            l.open.max_work = b / 16;
            snprintf(what, sizeof what, " (max work %llu)", (unsigned long long)l.open.max_work);
            differ += check(spec, argv[k], &l, what, &programs) == 1;
            l = lim;
            l.open.max_memory = b * 16;
            snprintf(what, sizeof what, " (max memory %llu)", (unsigned long long)l.open.max_memory);
            differ += check(spec, argv[k], &l, what, &programs) == 1;
            l = lim;
            l.open.max_stack = b * 2;
            snprintf(what, sizeof what, " (max stack %llu)", (unsigned long long)l.open.max_stack);
            differ += check(spec, argv[k], &l, what, &programs) == 1;
            runs += 4;
        }
    }
    fd_spec_free(spec);
    printf("flatcheck: %d files, %d runs, %d differ, %d not written; %llu elements by write programs\n", files,
           runs, differ, failed, (unsigned long long)programs);
    return differ ? 1 : failed ? 2 : 0;
}
