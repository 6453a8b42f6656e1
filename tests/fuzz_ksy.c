/* fuzz_ksy.c - libFuzzer target: any bytes loaded as a .ksy description (again from the parse cache), then run over fixed inputs. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmtdump.h"
#include "emit.h"
#include "membuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Through the API, as an embedder would: a few elements of each array are
 * then kept, which the second writer run meets beside the ones it reads. */
static void touch(fd_value v, int depth)
{
    if (depth > 8)
        return;
    if (fd_value_kind(v) == FD_ARRAY) {
        size_t n = fd_array_len(v);
        for (size_t i = 0; i < n && i < 4; i++)
            touch(fd_array_get(v, i * 3 % n), depth + 1);
    } else if (fd_value_kind(v) == FD_STRUCT) {
        for (size_t i = 0; i < fd_struct_nfields(v); i++)
            touch(fd_struct_field(v, i), depth + 1);
    }
}

/* The tree of a fresh document over in[0..n), lazy arrays written through
 * objects or by write programs, after touch() when touched. */
static membuf write_tree(const fd_spec *spec, const uint8_t *in, size_t n, fd_out_format format, bool touched,
                         bool objects_only)
{
    membuf m = { 0 };
    fd_doc *doc = fd_doc_open_mem(spec, in, n, NULL, NULL);
    if (!doc)
        return m;
    if (touched)
        touch(fd_doc_root(doc), 0);
    fd_emit_opts opts = { .size = sizeof opts, .format = format, .compact = true };
    fd_emit_sink_paths(membuf_sink, &m, fd_doc_root(doc), &opts, objects_only, NULL);
    fd_doc_close(doc);
    return m;
}

/* Write programs print what the objects print, whatever the description:
 * over an input long enough for arrays of many elements. */
static void compare_paths(const fd_spec *spec)
{
    static uint8_t in[512];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(i * 37 + (i >> 3));
    for (int k = 0; k < 4; k++) {
        fd_out_format format = k & 1 ? FD_OUT_TEXT : FD_OUT_JSON;
        membuf a = write_tree(spec, in, sizeof in, format, k & 2, true);
        membuf b = write_tree(spec, in, sizeof in, format, k & 2, false);
        if (a.n != b.n || (a.n && memcmp(a.p, b.p, a.n) != 0)) {
            fprintf(stderr, "fuzz_ksy: write programs print %zu bytes, objects %zu\n", b.n, a.n);
            abort();
        }
        free(a.p);
        free(b.p);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t input[64] = { 'M', 'D', 'M', 'P', 0x93, 0xa7, 0, 0, 2, 0, 0, 0, 32, 0, 0, 0, 1, 2, 3, 4 };
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    static char cache[64];
    if (!cache[0]) {
        snprintf(cache, sizeof cache, "/tmp/fuzz_ksy_cache_XXXXXX");
        if (!mkdtemp(cache))
            abort();
    }
    /* The first load fills the parse cache when the YAML parses; the second
     * reads it and must come to the same spec or the same located error. */
    fd_load_opts lo = FD_LOAD_OPTS_INIT;
    lo.cache_dir = cache;
    fd_error cold_err, err;
    fd_spec *cold = fd_spec_load_mem("fuzz.ksy", (const char *)data, size, &lo, &cold_err);
    fd_spec *spec = fd_spec_load_mem("fuzz.ksy", (const char *)data, size, &lo, &err);
    if (!cold != !spec || (!spec && (cold_err.kind != err.kind || cold_err.line != err.line ||
                                     cold_err.col != err.col || strcmp(cold_err.message, err.message))))
        abort();
    fd_spec_free(cold);
    if (!spec)
        return 0;
    compare_paths(spec);
    fd_doc *doc = fd_doc_open_mem(spec, input, sizeof input, NULL, &err);
    if (doc) {
        fd_emit_opts opts = { .format = FD_OUT_JSON, .compact = true };
        fd_emit(sink, fd_doc_root(doc), &opts);
        touch(fd_doc_root(doc), 0);
        opts.format = FD_OUT_TEXT;
        fd_emit(sink, fd_doc_root(doc), &opts);
        fd_doc_close(doc);
    }
    fd_spec_free(spec);
    return 0;
}
