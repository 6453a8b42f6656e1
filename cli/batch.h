/* batch.h - `-o jsonl`: one compact JSON line per input, every description loaded once. */
#ifndef FMTDUMP_CLI_BATCH_H
#define FMTDUMP_CLI_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include "fmtdump.h"
#include "detect.h"

typedef struct cli_batch {
    const fd_spec *spec;                 /* -f KSY; NULL: detect each input's format */
    const cli_detect_formats *formats;   /* the format path, when spec is NULL */
    const char *const *exprs;            /* -e: results instead of the tree */
    size_t nexprs;
} cli_batch;

/* Whether every -e parses, checked before any input is read; a message on
 * stderr for each that does not. */
bool cli_batch_check_exprs(const char *const *exprs, size_t n);

/* One line per input on stdout, in order.  Nothing goes to stderr but an
 * output error.  Returns the highest exit code of the inputs: CLI_EXIT_IO
 * for one that cannot be read (or when stdout fails, which stops the batch),
 * CLI_EXIT_DATA for a data error, CLI_EXIT_OK when every input parsed. */
int cli_batch_run(const cli_batch *b, const char *const *inputs, size_t n);

#endif
