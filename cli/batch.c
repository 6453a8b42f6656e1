/* batch.c - `-o jsonl`: one compact JSON line per input, every description loaded once. */
#include "batch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "envelope.h"
#include "report.h"

bool cli_batch_check_exprs(const char *const *exprs, size_t n)
{
    bool ok = true;
    for (size_t k = 0; k < n; k++) {
        fd_error err;
        if (!fd_expr_check(exprs[k], &err)) {
            fprintf(stderr, "fmtdump: -e '%s': %s\n", exprs[k], err.message);
            ok = false;
        }
    }
    return ok;
}

/* An error made here rather than by the engine: no offset, no description location. */
static void batch_error(fd_error *err, fd_errkind kind, int64_t offset, const char *what, const char *input,
                        const char *why)
{
    memset(err, 0, sizeof *err);
    err->kind = kind;
    err->offset = offset;
    snprintf(err->message, sizeof err->message, "%s %s%s%s", what, input, why ? ": " : "", why ? why : "");
}

/* The description for input: b's own, or the one its leading bytes match.
 * NULL with err set (and *code raised) when there is none. */
static const fd_spec *batch_spec(const cli_batch *b, const char *input, fd_error *err, int *code)
{
    if (b->spec)
        return b->spec;
    uint8_t head[CLI_DETECT_HEAD];
    long n = cli_detect_read_head(input, head, sizeof head);
    if (n < 0) {
        batch_error(err, FD_ERR_IO, -1, "cannot read", input, strerror(errno));
        *code = CLI_EXIT_IO;
        return NULL;
    }
    const fd_spec *spec = cli_detect_match(b->formats, head, (size_t)n);
    if (!spec) {
        /* What -f with any of them would say: the leading bytes differ. */
        batch_error(err, FD_ERR_NOT_EQUAL, 0, "no description on the format path matches the leading bytes of",
                    input, NULL);
        *code = CLI_EXIT_DATA;
    }
    return spec;
}

/* The rest of input's line after "file": the status, the error, the tree or
 * the results.  Returns the input's exit code; *out_rc gets -1 on an output error. */
static int batch_body(const cli_batch *b, const char *input, int *out_rc)
{
    fd_error err;
    int code = CLI_EXIT_OK;
    const fd_spec *spec = batch_spec(b, input, &err, &code);
    /* A non-regular input is told by errno, which must not be an earlier file's. */
    errno = 0;
    fd_doc *doc = spec ? fd_doc_open_file(spec, input, NULL, &err) : NULL;
    if (!doc) {
        if (spec)
            code = err.kind == FD_ERR_IO ? CLI_EXIT_IO : CLI_EXIT_DATA;
        *out_rc |= cli_envelope_status(stdout, true, &err);
        return code;
    }
    fd_value root = fd_doc_root(doc);
    fd_error doc_err;
    memset(&doc_err, 0, sizeof doc_err);
    bool failed = fd_doc_error(doc, &doc_err);
    if (b->nexprs) {
        *out_rc |= cli_envelope_status(stdout, failed, &doc_err);
        fputs(", ", stdout);
        *out_rc |= cli_envelope_results(stdout, doc, root, b->exprs, b->nexprs, true, &code);
    } else {
        /* As for -o json: an error node anywhere in the tree fails the input. */
        fd_error first;
        if (cli_scan_errors(root, &first) && !failed) {
            doc_err = first;
            failed = true;
        }
        *out_rc |= cli_envelope_status(stdout, failed, &doc_err);
        fputs(", \"tree\": ", stdout);
        *out_rc |= fd_emit_json_value(stdout, root, true);
    }
    fd_doc_close(doc);
    if (failed && code == CLI_EXIT_OK)
        code = CLI_EXIT_DATA;
    return code;
}

int cli_batch_run(const cli_batch *b, const char *const *inputs, size_t n)
{
    int code = CLI_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        int out_rc = 0;
        fputs("{\"file\": ", stdout);
        cli_envelope_string(stdout, inputs[i]);
        fputs(", ", stdout);
        int one = batch_body(b, inputs[i], &out_rc);
        fputs("}\n", stdout);
        if (out_rc != 0 || ferror(stdout)) {
            fprintf(stderr, "fmtdump: cannot write the output: %s\n", strerror(errno));
            return CLI_EXIT_IO;
        }
        if (one > code)
            code = one;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "fmtdump: cannot write the output: %s\n", strerror(errno));
        return CLI_EXIT_IO;
    }
    return code;
}
