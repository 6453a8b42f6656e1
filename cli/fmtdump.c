/* fmtdump.c - the command line: parse a file with a .ksy description and print its tree. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmtdump.h"
#include "batch.h"
#include "detect.h"
#include "envelope.h"
#include "report.h"

static const char usage_text[] =
    "usage: fmtdump [-f KSY] [-I DIR]... [-o text|json|yaml] [-e EXPR]... [--max-bytes N] FILE\n"
    "       fmtdump [-f KSY] [-I DIR]... -o jsonl [-e EXPR]... FILE...\n"
    "       fmtdump --help | --version\n"
    "\n"
    "Parse FILE with a Kaitai Struct description (.ksy) loaded at run time and print its tree.\n"
    "\n"
    "  -f KSY         the description; without it the format is detected by the leading\n"
    "                 bytes (`contents`, or a `valid` magic) of the descriptions on the path:\n"
    "                 $FMTDUMP_PATH (colon-separated), the build tree's formats/ and the\n"
    "                 installed share/fmtdump/formats\n"
    "  -I DIR         a directory searched for imported descriptions (repeatable)\n"
    "  -o FORMAT      text (default: an indented tree), json, yaml, or jsonl (batch mode below)\n"
    "  -e EXPR        evaluate a Kaitai expression against the root object instead of\n"
    "                 printing the tree (repeatable); text prints `EXPR = value` lines,\n"
    "                 json (and yaml: JSON is YAML) one document:\n"
    "                 {\"status\": \"ok\"|\"error\", \"error\": {...}, \"results\": [{\"value\": V}|{\"error\": {...}}]}\n"
    "                 where status and error tell how the root's seq parsed\n"
    "  --max-bytes N  text: byte arrays shown up to N bytes (default 32)\n"
    "  --help         this help\n"
    "  --version      the version\n"
    "\n"
    "JSON: structs are objects (seq fields in order, then instances), integers exact, byte\n"
    "arrays lowercase hex strings, enums their label (the integer when unnamed), absent\n"
    "values null; a failing node carries \"_error\": {kind, message, offset, path, file, line, col}.\n"
    "\n"
    "Batch mode (-o jsonl): one compact JSON line per FILE, in order; the description (or\n"
    "each one on the format path) is loaded once for the whole batch:\n"
    "  {\"file\": \"PATH\", \"status\": \"ok\"|\"error\", \"error\": {...}, \"tree\": TREE}\n"
    "\"error\" only with status error; with -e, \"results\": [...] as in the json envelope\n"
    "instead of \"tree\". A FILE that cannot be read gets an IOError and neither; one that no\n"
    "description on the format path matches, a ValidationNotEqualError at offset 0. The\n"
    "errors are in the lines, not on stderr, and the batch goes on. It exits with the worst\n"
    "code of its files (3 > 1 > 0); an invalid description or an -e that does not parse\n"
    "exits 2 before any line.\n"
    "\n"
    "Exit status:\n"
    "  0  parsed without error\n"
    "  1  data error: the root failed to parse, the tree holds an error node, or an -e\n"
    "     failed; the partial tree is still printed and stderr gets one located line\n"
    "  2  usage error, invalid description (FILE:LINE:COL: message), an -e that does\n"
    "     not parse, or no format detected\n"
    "  3  I/O error: the input cannot be opened or read, or the output cannot be written\n";

typedef struct cli_args {
    const char *ksy;
    const char **imports;
    size_t nimports;
    const char **exprs;
    size_t nexprs;
    fd_out_format format;
    bool jsonl;            /* -o jsonl: the batch mode, several inputs allowed */
    uint64_t max_bytes;
    const char **inputs;
    size_t ninputs;
} cli_args;

static int usage_error(const char *fmt, const char *arg)
{
    fputs("fmtdump: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'fmtdump --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

static bool parse_count(const char *s, uint64_t *out)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v == 0)
        return false;
    *out = v;
    return true;
}

/* Returns -1 to go on, or the exit code (help and version print and exit 0). */
static int parse_args(int argc, char **argv, cli_args *a)
{
    bool opts_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (opts_done || arg[0] != '-' || arg[1] == '\0') {
            a->inputs[a->ninputs++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            opts_done = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage_text, stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
            printf("fmtdump %s\n", FMTDUMP_VERSION);
            return CLI_EXIT_OK;
        }
        const char *val = NULL;
        char opt = 0;
        if (strncmp(arg, "--max-bytes", 11) == 0 && (arg[11] == '\0' || arg[11] == '=')) {
            val = arg[11] == '=' ? arg + 12 : (i + 1 < argc ? argv[++i] : NULL);
            if (!parse_count(val, &a->max_bytes))
                return usage_error("--max-bytes wants a positive number, got '%s'", val ? val : "");
            continue;
        }
        if (arg[1] == '-' || !strchr("fIoe", arg[1]))
            return usage_error("unknown option %s", arg);
        opt = arg[1];
        val = arg[2] ? arg + 2 : (i + 1 < argc ? argv[++i] : NULL);
        if (!val)
            return usage_error("option %s wants an argument", arg);
        switch (opt) {
        case 'f':
            a->ksy = val;
            break;
        case 'I':
            a->imports[a->nimports++] = val;
            break;
        case 'e':
            a->exprs[a->nexprs++] = val;
            break;
        default:
            a->jsonl = strcmp(val, "jsonl") == 0;
            if (a->jsonl || strcmp(val, "json") == 0)
                a->format = FD_OUT_JSON;
            else if (strcmp(val, "text") == 0)
                a->format = FD_OUT_TEXT;
            else if (strcmp(val, "yaml") == 0)
                a->format = FD_OUT_YAML;
            else if (strcmp(val, "html") == 0)
                a->format = FD_OUT_HTML;
            else
                return usage_error("unknown output format '%s' (text, json, yaml, html or jsonl)", val);
        }
    }
    if (!a->ninputs)
        return usage_error("%s", "no input file");
    if (a->ninputs > 1 && !a->jsonl)
        return usage_error("more than one input file: %s (several need -o jsonl)", a->inputs[1]);
    return -1;
}

/* The -e results as the JSON envelope (also the YAML answer: JSON is YAML). */
static int eval_json(fd_doc *doc, fd_value root, const cli_args *a, bool doc_failed,
                     const fd_error *doc_err, int *code)
{
    fputc('{', stdout);
    int rc = cli_envelope_status(stdout, doc_failed, doc_err);
    fputs(", ", stdout);
    rc |= cli_envelope_results(stdout, doc, root, a->exprs, a->nexprs, false, code);
    fputs("}\n", stdout);
    return rc;
}

/* The -e results as `EXPR = value` lines. */
static int eval_text(fd_doc *doc, fd_value root, const cli_args *a, int *code)
{
    fd_emit_opts eo = {.format = FD_OUT_TEXT, .max_bytes = a->max_bytes};
    int rc = 0;
    for (size_t k = 0; k < a->nexprs; k++) {
        fd_error err;
        memset(&err, 0, sizeof err);
        fd_value v = fd_eval(doc, root, a->exprs[k], &err);
        if (fd_value_kind(v) == FD_ERROR) {
            if (err.kind == FD_ERR_NONE)
                fd_value_error(v, &err);
            printf("%s: ERROR ", a->exprs[k]);
            cli_print_error_brief(stdout, &err);
            putchar('\n');
            *code = err.kind == FD_ERR_DESCRIPTION ? CLI_EXIT_USAGE : (*code ? *code : CLI_EXIT_DATA);
        } else {
            printf("%s = ", a->exprs[k]);
            rc |= fd_emit(stdout, v, &eo);
        }
    }
    return rc;
}

/* Parse the input with spec and print the tree or the -e results. */
static int run(const fd_spec *spec, const cli_args *a)
{
    fd_error err;
    /* A non-regular input is told by errno, which must not be left from loading. */
    errno = 0;
    fd_doc *doc = fd_doc_open_file(spec, a->inputs[0], NULL, &err);
    if (!doc) {
        if (err.kind == FD_ERR_IO) {
            fprintf(stderr, "fmtdump: %s\n", err.message);
            return CLI_EXIT_IO;
        }
        cli_report_data_error(a->inputs[0], &err, 0);
        return CLI_EXIT_DATA;
    }
    fd_value root = fd_doc_root(doc);
    fd_error doc_err;
    memset(&doc_err, 0, sizeof doc_err);
    bool doc_failed = fd_doc_error(doc, &doc_err);
    int code = CLI_EXIT_OK, out_rc;
    size_t nerr = 0;
    if (a->nexprs) {
        if (a->format == FD_OUT_TEXT)
            out_rc = eval_text(doc, root, a, &code);
        else
            out_rc = eval_json(doc, root, a, doc_failed, &doc_err, &code);
    } else {
        fd_emit_opts eo = {.format = a->format, .max_bytes = a->max_bytes};
        out_rc = fd_emit(stdout, root, &eo);
        fd_error first;
        nerr = cli_scan_errors(root, &first);
        if (nerr && !doc_failed) {
            doc_err = first;
            doc_failed = true;
        }
    }
    if (doc_failed) {
        cli_report_data_error(a->inputs[0], &doc_err, nerr > 1 ? nerr - 1 : 0);
        if (code == CLI_EXIT_OK)
            code = CLI_EXIT_DATA;
    }
    fd_doc_close(doc);
    if (out_rc != 0 || fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "fmtdump: cannot write the output: %s\n", strerror(errno));
        return CLI_EXIT_IO;
    }
    return code;
}

/* One input: the description from -f, or the one its leading bytes match. */
static int run_single(const cli_args *a, const char *argv0, const fd_load_opts *lo, const fd_spec *spec)
{
    cli_detect_formats *formats = NULL;
    if (!spec) {
        uint8_t head[CLI_DETECT_HEAD];
        long n = cli_detect_read_head(a->inputs[0], head, sizeof head);
        if (n < 0) {
            fprintf(stderr, "fmtdump: %s: cannot read: %s\n", a->inputs[0], strerror(errno));
            return CLI_EXIT_IO;
        }
        formats = cli_detect_load(argv0, lo);
        spec = formats ? cli_detect_match(formats, head, (size_t)n) : NULL;
        if (!spec) {
            if (formats)
                cli_detect_report(formats, a->inputs[0]);
            else
                fputs("fmtdump: out of memory\n", stderr);
            cli_detect_free(formats);
            return formats ? CLI_EXIT_USAGE : CLI_EXIT_IO;
        }
    }
    int code = run(spec, a);
    cli_detect_free(formats);
    return code;
}

/* -o jsonl: every input against the description from -f, or against the
 * format path loaded once. */
static int run_batch(const cli_args *a, const char *argv0, const fd_load_opts *lo, const fd_spec *spec)
{
    if (!cli_batch_check_exprs(a->exprs, a->nexprs))
        return CLI_EXIT_USAGE;
    cli_batch b = {spec, NULL, a->exprs, a->nexprs};
    cli_detect_formats *formats = NULL;
    if (!spec) {
        formats = cli_detect_load(argv0, lo);
        if (!formats) {
            fputs("fmtdump: out of memory\n", stderr);
            return CLI_EXIT_IO;
        }
        if (!cli_detect_count(formats)) {
            cli_detect_report(formats, NULL);
            cli_detect_free(formats);
            return CLI_EXIT_USAGE;
        }
        b.formats = formats;
    }
    int code = cli_batch_run(&b, a->inputs, a->ninputs);
    cli_detect_free(formats);
    return code;
}

int main(int argc, char **argv)
{
    cli_args a = {0};
    a.imports = calloc((size_t)argc, sizeof *a.imports);
    a.exprs = calloc((size_t)argc, sizeof *a.exprs);
    a.inputs = calloc((size_t)argc, sizeof *a.inputs);
    int code = CLI_EXIT_IO;
    if (!a.imports || !a.exprs || !a.inputs) {
        fputs("fmtdump: out of memory\n", stderr);
        goto out;
    }
    code = parse_args(argc, argv, &a);
    if (code >= 0)
        goto out;

    fd_load_opts lo = {.import_dirs = a.imports, .nimport_dirs = a.nimports};
    fd_spec *spec = NULL;
    if (a.ksy) {
        fd_error err;
        spec = fd_spec_load_file(a.ksy, &lo, &err);
        if (!spec) {
            char msg[1024];
            fd_error_format(&err, msg, sizeof msg);
            fprintf(stderr, "%s\n", msg);
            code = CLI_EXIT_USAGE;
            goto out;
        }
    }
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    if (a.jsonl)
        code = run_batch(&a, argv[0], &lo, spec);
    else
        code = run_single(&a, argv[0], &lo, spec);
    fd_spec_free(spec);
out:
    free(a.imports);
    free(a.exprs);
    free(a.inputs);
    return code;
}
