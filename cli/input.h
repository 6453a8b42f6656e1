/* input.h - the inputs: files by name, `-` as stdin read into memory (capped), and their leading bytes. */
#ifndef FMTDUMP_CLI_INPUT_H
#define FMTDUMP_CLI_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fmtdump.h"

/* How much of stdin `-` may hold: it is read whole into memory, unlike a file, which is mapped. */
#define CLI_STDIN_MAX (1ull << 30)

typedef struct cli_input {
    const char *name;      /* as given; "-" for stdin */
    bool is_stdin;
    uint8_t *buf;          /* stdin's bytes once loaded */
    size_t len;
} cli_input;

/* An input named name; `-` is stdin only when dash_is_stdin. */
void cli_input_init(cli_input *in, const char *name, bool dash_is_stdin);
/* Read stdin whole (nothing for a file).  false with an IOError in err when
 * it cannot be read or holds more than CLI_STDIN_MAX bytes. */
bool cli_input_load(cli_input *in, fd_error *err);
/* Up to cap leading bytes; -1 with an IOError in err when the input cannot
 * be opened or is not a regular file (a FIFO is refused, not waited on). */
long cli_input_head(const cli_input *in, uint8_t *buf, size_t cap, fd_error *err);
/* The document: a mapped file, or stdin's bytes (which must outlive it). */
fd_doc *cli_input_open(const cli_input *in, const fd_spec *spec, const fd_open_opts *opts, fd_error *err);
void cli_input_release(cli_input *in);

/* An error made by the command rather than the engine: no offset, no description location. */
void cli_input_error(fd_error *err, fd_errkind kind, const char *what, const char *name, const char *why);

#endif
