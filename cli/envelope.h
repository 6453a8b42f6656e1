/* envelope.h - the JSON written around values: the -e envelope's parts and string literals. */
#ifndef FMTDUMP_CLI_ENVELOPE_H
#define FMTDUMP_CLI_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "fmtdump.h"

/* s as a JSON string literal; bytes that are not UTF-8 become U+FFFD. */
void cli_envelope_string(FILE *out, const char *s);

/* `"status": "ok"`, or `"status": "error", "error": {...}` when failed.
 * 0, or -1 on an output error (as for every writer here). */
int cli_envelope_status(FILE *out, bool failed, const fd_error *err);

/* Whether every -e parses, checked before any input is read; a message on
 * stderr for each that does not. */
bool cli_envelope_check_exprs(const char *const *exprs, size_t n);

/* `"results": [...]`: each expression evaluated with root as `this`, as
 * {"value": V} or {"error": {...}}, one per line unless compact.  A failing
 * expression raises *code to CLI_EXIT_DATA (CLI_EXIT_USAGE for one that does
 * not parse) and, when report names the input, gets a line on stderr. */
int cli_envelope_results(FILE *out, fd_doc *doc, fd_value root, const char *const *exprs, size_t n,
                         bool compact, const char *report, int *code);

#endif
