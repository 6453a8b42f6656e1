/* report.h - errors reported on stderr, one located line each. */
#ifndef FMTDUMP_CLI_REPORT_H
#define FMTDUMP_CLI_REPORT_H

#include <stddef.h>
#include "fmtdump.h"

/* Exit codes of the command, also listed by --help; a batch exits with the highest. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_DATA = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_IO = 3 };

/* "fmtdump: INPUT: Kind: message at offset 0x.. (path) [ksy FILE:LINE:COL]" on stderr. */
void cli_report_data_error(const char *input, const fd_error *err, size_t more);

/* "fmtdump: INPUT: -e 'EXPR': Kind: message at offset 0x.. (path)" on stderr. */
void cli_report_expr_error(const char *input, const char *expr, const fd_error *err);
/* Width of an -e expression as quoted in a message: a long one is cut, so a
 * hostile 20,000-character expression does not flood the terminal. */
#define CLI_EXPR_SHOWN 120
int cli_expr_width(const char *expr);
const char *cli_expr_tail(const char *expr);

#endif
