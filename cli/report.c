/* report.c - errors reported on stderr, one located line each. */
#include "report.h"

#include <string.h>


void cli_report_data_error(const char *input, const fd_error *err, size_t more)
{
    fprintf(stderr, "fmtdump: %s: %s: %s", input, fd_errkind_name(err->kind), err->message);
    if (err->offset >= 0)
        fprintf(stderr, " at offset 0x%llx", (unsigned long long)err->offset);
    if (err->path[0])
        fprintf(stderr, " (%s)", err->path);
    if (err->file[0])
        fprintf(stderr, " [ksy %s:%d:%d]", err->file, err->line, err->col);
    if (more)
        fprintf(stderr, "; %zu more error%s in the tree", more, more == 1 ? "" : "s");
    fputc('\n', stderr);
}

int cli_expr_width(const char *expr)
{
    size_t n = strlen(expr);
    return n > CLI_EXPR_SHOWN ? CLI_EXPR_SHOWN : (int)n;
}

const char *cli_expr_tail(const char *expr)
{
    return strlen(expr) > CLI_EXPR_SHOWN ? "..." : "";
}

void cli_report_expr_error(const char *input, const char *expr, const fd_error *err)
{
    fprintf(stderr, "fmtdump: %s: -e '%.*s%s': %s: %s", input, cli_expr_width(expr), expr, cli_expr_tail(expr),
            fd_errkind_name(err->kind), err->message);
    if (err->offset >= 0)
        fprintf(stderr, " at offset 0x%llx", (unsigned long long)err->offset);
    if (err->path[0])
        fprintf(stderr, " (%s)", err->path);
    fputc('\n', stderr);
}
