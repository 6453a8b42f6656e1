/* spans.h - where bytes live: --at (the node holding one byte) and --coverage (bytes no leaf claims). */
#ifndef FMTDUMP_CLI_SPANS_H
#define FMTDUMP_CLI_SPANS_H

#include <stdbool.h>
#include <stdint.h>
#include "fmtdump.h"

/* Parse "123" or "0x7b"; false when s is neither. */
bool cli_parse_offset(const char *s, uint64_t *out);

/* The deepest node covering byte offset of doc (instances searched too) on
 * stdout, as text or one JSON object.  CLI_EXIT_OK, CLI_EXIT_DATA (with a
 * line on stderr) when no node covers it; *out_rc gets -1 on an output error. */
int cli_at(fd_doc *doc, const char *input, uint64_t offset, bool json, int *out_rc);

/* The unclaimed byte ranges of doc (instances parsed) on stdout, as text or JSON:
 * {"size": N, "covered": N, "complete": B, "gaps": [{"start": N, "end": N, "size": N}...]}. */
int cli_coverage(fd_doc *doc, const char *input, bool json, int *out_rc, uint64_t *nerr, fd_error *first);

#endif
