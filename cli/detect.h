/* detect.h - the format path and choosing a description by the input's leading bytes. */
#ifndef FMTDUMP_CLI_DETECT_H
#define FMTDUMP_CLI_DETECT_H

#include "fmtdump.h"

/* Outcome of a detection. */
typedef enum cli_detect_rc {
    CLI_DETECT_FOUND = 0,
    CLI_DETECT_NONE,       /* no description matched: a message went to stderr */
    CLI_DETECT_IO          /* the input could not be read: a message went to stderr */
} cli_detect_rc;

/* Load every *.ksy on the format path ($FMTDUMP_PATH, the build tree's
 * formats/, the installed share/fmtdump/formats) and keep the one whose
 * leading `contents` is the longest prefix of the input (the first found on a tie). */
cli_detect_rc cli_detect(const char *input, const char *argv0, const fd_load_opts *lo, fd_spec **spec);

#endif
