/* envelope.c - the JSON written around values: the -e envelope's parts and string literals. */
#include "envelope.h"

#include <string.h>

#include "report.h"

void cli_envelope_string(FILE *out, const char *s)
{
    fd_emit_json_text(out, s, strlen(s));
}

int cli_envelope_status(FILE *out, bool failed, const fd_error *err)
{
    fprintf(out, "\"status\": \"%s\"", failed ? "error" : "ok");
    if (!failed)
        return 0;
    fputs(", \"error\": ", out);
    return fd_emit_json_error(out, err);
}

bool cli_envelope_check_exprs(const char *const *exprs, size_t n)
{
    bool ok = true;
    for (size_t k = 0; k < n; k++) {
        fd_error err;
        if (!fd_expr_check(exprs[k], &err)) {
            fprintf(stderr, "fmtdump: -e '%.*s%s': %s\n", cli_expr_width(exprs[k]), exprs[k],
                    cli_expr_tail(exprs[k]), err.message);
            ok = false;
        }
    }
    return ok;
}

int cli_envelope_results(FILE *out, fd_doc *doc, fd_value root, const char *const *exprs, size_t n,
                         bool compact, const char *report, int *code)
{
    const char *first = compact ? "" : "\n  ", *sep = compact ? ", " : ",\n  ";
    int rc = 0;
    fputs("\"results\": [", out);
    for (size_t k = 0; k < n; k++) {
        fd_error err;
        memset(&err, 0, sizeof err);
        fd_value v = fd_eval(doc, root, exprs[k], &err);
        fputs(k ? sep : first, out);
        if (fd_value_kind(v) == FD_ERROR) {
            if (err.kind == FD_ERR_NONE)
                fd_value_error(v, &err);
            fputs("{\"error\": ", out);
            rc |= fd_emit_json_error(out, &err);
            if (report)
                cli_report_expr_error(report, exprs[k], &err);
            int bad = err.kind == FD_ERR_DESCRIPTION ? CLI_EXIT_USAGE : CLI_EXIT_DATA;
            if (*code < bad)
                *code = bad;
        } else {
            fputs("{\"value\": ", out);
            rc |= fd_emit_json_value(out, v, true);
        }
        putc('}', out);
    }
    fputs(n && !compact ? "\n]" : "]", out);
    return rc;
}
