/* batch.h - `-o jsonl`: one compact JSON line per input, every description loaded once, N threads. */
#ifndef FMTDUMP_CLI_BATCH_H
#define FMTDUMP_CLI_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "fmtdump.h"
#include "detect.h"

#define CLI_BATCH_MAX_JOBS 64
#define CLI_BATCH_MAX_JOBS_STR "64"
/* The longest name a list may give; a longer line is an input that cannot be opened. */
#define CLI_NAME_MAX 4096
#define CLI_NAME_MAX_STR "4095"

typedef struct cli_batch {
    const fd_spec *spec;                 /* -f KSY; NULL: detect each input's format */
    const cli_detect_formats *formats;   /* the format path, when spec is NULL */
    const char *const *exprs;            /* -e: results instead of the tree */
    size_t nexprs;
    unsigned jobs;                       /* threads parsing inputs; 1 = this one */
    bool spans;                          /* --spans: `_span` keys in the trees */
    fd_open_opts open;                   /* --max-memory, --max-work (0: derived) */
    uint64_t max_output;                 /* --max-output (0: derived) */
} cli_batch;

/* The batch's inputs: the FILE operands (where `-` is stdin's bytes), or the
 * lines of a list (stdin when named "-"), read as the batch goes. */
typedef struct cli_names {
    const char *const *argv;
    size_t argc, next;
    FILE *list;
    bool own_list;
    const char *list_name;
} cli_names;

/* list NULL: the operands.  false, with a message on stderr, when the list cannot be opened. */
bool cli_names_open(cli_names *n, const char *list, const char *const *argv, size_t argc);
void cli_names_close(cli_names *n);

/* One line per input on stdout, in the inputs' order whatever the threads.
 * Nothing goes to stderr but an output error or an unreadable list.  Returns
 * the highest exit code of the inputs: CLI_EXIT_IO for one that cannot be
 * read (or when stdout fails, which stops the batch), CLI_EXIT_DATA for a
 * data error, CLI_EXIT_OK when every input parsed. */
int cli_batch_run(const cli_batch *b, cli_names *names);

#endif
