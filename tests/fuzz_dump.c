/* fuzz_dump.c - libFuzzer target: any bytes parsed as a minidump and written out as JSON. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fmtdump.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
