/* fuzz_expr.c - libFuzzer target: any text parsed and evaluated as an expression against a small tree. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmtdump.h"

static const char KSY[] =
    "meta:\n  id: f\n  endian: le\n"
    "seq:\n"
    "  - id: n\n    type: u1\n"
    "  - id: items\n    type: item\n    repeat: expr\n    repeat-expr: n\n"
    "  - id: rest\n    size-eos: true\n"
    "instances:\n"
    "  name:\n    pos: 0\n    size: 3\n    type: str\n    encoding: UTF-8\n"
    "types:\n"
    "  item:\n    seq:\n      - id: v\n        type: u2\n        enum: colors\n"
    "enums:\n  colors:\n    1: red\n    2: green\n";

static fd_spec *spec;
static fd_doc *doc;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    static const uint8_t input[] = { 2, 1, 0, 2, 0, 'a', 'b', 'c', 0xff };
    fd_error err;
    spec = fd_spec_load_mem("fuzz.ksy", KSY, sizeof KSY - 1, NULL, &err);
    /* Every input evaluates on this one document: its work budget must
     * outlast the run, or later inputs would only meet the LimitError. */
    fd_open_opts oo = { .max_work = UINT64_MAX / 2 };
    doc = spec ? fd_doc_open_mem(spec, input, sizeof input, &oo, &err) : NULL;
    if (!doc)
        exit(2);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    fd_error err;
    fd_eval(doc, fd_doc_root(doc), text, &err);
    free(text);
    return 0;
}
