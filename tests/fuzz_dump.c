/* fuzz_dump.c - libFuzzer target: any bytes parsed as a minidump and written out as JSON. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmtdump.h"
#include "emit.h"
#include "membuf.h"

static fd_spec *spec;
static FILE *sink;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *path = getenv("FMTDUMP_FUZZ_KSY");
    fd_error err;
    spec = fd_spec_load_file(path ? path : "formats/windows_minidump.ksy", NULL, &err);
    if (!spec) {
        fprintf(stderr, "fuzz_dump: %s\n", err.message);
        exit(2);
    }
    sink = fopen("/dev/null", "w");
    return 0;
}

/* The tree of a fresh document, lazy arrays written through objects or by write programs. */
static membuf write_tree(const uint8_t *data, size_t size, const fd_open_opts *oo, const fd_emit_opts *eo,
                      bool objects_only, fd_emit_stats *st)
{
    membuf o = { 0 };
    fd_doc *doc = fd_doc_open_mem(spec, data, size, oo, NULL);
    if (!doc)
        return o;
    fd_emit_opts opts = *eo;
    opts.stats = st;
    fd_emit_sink_paths(membuf_sink, &o, fd_doc_root(doc), &opts, objects_only, NULL);
    fd_doc_close(doc);
    return o;
}

/* Write programs must print what the objects print (JSON or text, as the
 * input's size picks), also where a budget the input's last byte picks cuts
 * the tree. */
static void compare_paths(const uint8_t *data, size_t size)
{
    fd_open_opts oo = { .size = sizeof oo };
    fd_emit_opts eo = { .size = sizeof eo, .format = size & 16 ? FD_OUT_TEXT : FD_OUT_JSON, .compact = size & 1 };
    uint8_t b = size ? data[size - 1] : 0;
    if (b & 2)
        eo.max_output = 4096u << (b >> 4);
    if (b & 4)
        oo.max_work = 64u << (b >> 4);
    if (b & 8)
        oo.max_memory = 65536u << (b >> 4);
    fd_emit_stats sa, sb;
    membuf a = write_tree(data, size, &oo, &eo, true, &sa), p = write_tree(data, size, &oo, &eo, false, &sb);
    if (a.n != p.n || (a.n && memcmp(a.p, p.p, a.n) != 0) || sa.errors != sb.errors || sa.truncated != sb.truncated) {
        fprintf(stderr, "fuzz_dump: write programs print %zu bytes, objects %zu\n", p.n, a.n);
        abort();
    }
    free(a.p);
    free(p.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    compare_paths(data, size);
    fd_doc *doc = fd_doc_open_mem(spec, data, size, NULL, NULL);
    if (!doc)
        return 0;
    fd_emit_opts opts = { .format = FD_OUT_JSON, .compact = true };
    fd_emit(sink, fd_doc_root(doc), &opts);
    /* Elements the coverage walk and a second writer read again, beside what
     * the first run memoized. */
    fd_coverage cov;
    fd_doc_coverage(doc, true, &cov, NULL);
    /* The node at a byte is kept from the walk that found it: write it after a tree run. */
    char path[512];
    fd_value at = fd_doc_node_at(doc, size / 2, true, path, sizeof path, NULL);
    opts.format = FD_OUT_TEXT;
    fd_emit(sink, fd_doc_root(doc), &opts);
    fd_emit(sink, at, &opts);
    fd_doc_close(doc);
    return 0;
}
