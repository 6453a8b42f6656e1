/* detect.h - the format path: its descriptions, loaded once, and choosing one by an input's leading bytes. */
#ifndef FMTDUMP_CLI_DETECT_H
#define FMTDUMP_CLI_DETECT_H

#include <stddef.h>
#include <stdint.h>
#include "fmtdump.h"

/* How many leading bytes of an input detection looks at. */
#define CLI_DETECT_HEAD 4096

/* The descriptions of the format path that detection can choose from. */
typedef struct cli_detect_formats cli_detect_formats;

/* Load every *.ksy on the format path ($FMTDUMP_PATH, the build tree's
 * formats/, the installed share/fmtdump/formats), once.  One that fails to
 * load is dropped with a warning on stderr (its FILE:LINE:COL error); one that
 * does not start with fixed bytes (fd_spec_magic), silently.  NULL when out of memory. */
cli_detect_formats *cli_detect_load(const char *argv0, const fd_load_opts *lo);
void cli_detect_free(cli_detect_formats *f);
/* How many descriptions can be chosen. */
size_t cli_detect_count(const cli_detect_formats *f);
/* The description with the longest leading-bytes alternative that is a
 * prefix of head (the first found on a tie); NULL when none matches.  f owns it. */
const fd_spec *cli_detect_match(const cli_detect_formats *f, const uint8_t *head, size_t n);
/* On stderr: that nothing matched input (or, with input NULL, that nothing
 * can be detected at all), then the directories looked in. */
void cli_detect_report(const cli_detect_formats *f, const char *input);

#endif
