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
#include "input.h"
#include "report.h"
#include "spans.h"

static const char usage_text[] =
    "usage: fmtdump [-f KSY] [-I DIR]... [-o text] [--max-bytes N] [-e EXPR]... FILE\n"
    "       fmtdump [-f KSY] [-I DIR]... -o json|html [--spans] FILE\n"
    "       fmtdump [-f KSY] [-I DIR]... -o json|yaml [-e EXPR]... FILE\n"
    "       fmtdump [-f KSY] [-I DIR]... [-o text|json] (--at OFFSET | --coverage) FILE\n"
    "       fmtdump [-f KSY] [-I DIR]... -o jsonl [-j N] [--spans | -e EXPR [-e EXPR]...] FILE...\n"
    "       fmtdump [-f KSY] [-I DIR]... -o jsonl [-j N] [--spans | -e EXPR [-e EXPR]...] --files-from LIST\n"
    "       fmtdump -h | --help | -V | --version\n"
    "\n"
    "Parse FILE with a Kaitai Struct description (.ksy) loaded at run time and print its tree.\n"
    "A FILE of - is stdin, read whole into memory (at most 1 GiB; a file is mapped instead).\n"
    "Only regular files are read: a FIFO, a directory or a device is an I/O error.\n"
    "\n"
    "  -f KSY         the description; without it the format is detected (Format path below)\n"
    "  -I DIR         a directory searched for the descriptions `imports` names (repeatable)\n"
    "  -o FORMAT      text (default: an indented tree), json, yaml, html, or jsonl (batch\n"
    "                 mode below); html is one self-contained page, the tree beside a hex\n"
    "                 view of the file's first 1 MiB (nodes past it show no bytes)\n"
    "  -e EXPR        evaluate a Kaitai expression against the root object instead of\n"
    "                 printing the tree (repeatable); text prints `EXPR = value` lines,\n"
    "                 json (and yaml: JSON is YAML) one document:\n"
    "                 {\"status\": \"ok\"|\"error\", \"error\": {...}, \"results\": [{\"value\": V}|{\"error\": {...}}]}\n"
    "                 where status and error tell how the root's seq parsed; an EXPR that\n"
    "                 fails gets a located line on stderr (and its {\"error\"} in json)\n"
    "  --max-bytes N  text: byte arrays in the tree and in -e lines shown up to N bytes\n"
    "                 (N >= 1, default 32); not with the other formats, --at or --coverage\n"
    "  --spans        json, jsonl: each struct also tells where its bytes are (`_span`,\n"
    "                 `_spans`; JSON below); html always does; not with -e, --at or --coverage\n"
    "  --at OFFSET    instead of the tree, the deepest node holding byte OFFSET (123 or\n"
    "                 0x7b): its path, its span in the file and in its stream, its value in\n"
    "                 short and the bytes around it, the node's between [ and ]; json:\n"
    "                 {\"offset\", \"found\", \"path\", \"span\": {\"start\", \"end\", \"size\",\n"
    "                 \"stream_start\", \"stream_end\", \"stream_origin\", \"stream_size\"}, \"kind\",\n"
    "                 \"value\" (or \"type\" and \"fields\", or \"length\"), \"context\": {\"start\", \"hex\"}}.\n"
    "                 Lazy instances (pos/io) are parsed and searched too; value instances\n"
    "                 are not (they hold no bytes). Exit 1 when no node holds the byte\n"
    "  --coverage     instead of the tree, the byte ranges of FILE that no leaf field\n"
    "                 (integer, float, enum, string, byte array) claims, with their sizes;\n"
    "                 it parses every instance first (as printing the tree does). json:\n"
    "                 {\"size\", \"covered\", \"complete\", \"errors\", \"gaps\": [{\"start\", \"end\",\n"
    "                 \"size\"}...]}; complete is false (and stderr says so) when a guard cut\n"
    "                 the walk; errors counts failed nodes (their unread bytes are gaps):\n"
    "                 the first is told on stderr and the exit is 1\n"
    "  --max-memory N, --max-work N, --max-output N\n"
    "                 the document's memory (bytes) and work (units) budgets and the tree\n"
    "                 writer's output budget (bytes; not -e results), instead of the ones\n"
    "                 derived from the input size (Limits below); K, M, G: binary multiples\n"
    "  -j N           jsonl: parse N files at a time on N threads (1..64, default 1); the\n"
    "                 lines stay in input order\n"
    "  --files-from LIST\n"
    "                 jsonl: the file names, one a line (empty lines skipped), from LIST\n"
    "                 (- for stdin) instead of FILE operands; a lone - operand with -o jsonl\n"
    "                 means the same (among other operands, - is stdin's bytes)\n"
    "  -h, --help     this help\n"
    "  -V, --version  the version\n"
    "\n"
    "Format path (without -f): the *.ksy files in $FMTDUMP_PATH (colon-separated\n"
    "directories), then in ../formats and ../share/fmtdump/formats beside the fmtdump\n"
    "executable (the build tree's formats/, the installed PREFIX/share/fmtdump/formats).\n"
    "The one whose fixed leading bytes (a `contents`, or a fixed-size `valid` magic) match\n"
    "the input wins: the longest match, then the earlier directory. One that does not load\n"
    "is skipped with a warning on stderr (FILE:LINE:COL: message).\n"
    "\n"
    "Parse cache: each description loaded is kept parsed in $FMTDUMP_CACHE (empty: none;\n"
    "default $XDG_CACHE_HOME/fmtdump or ~/.cache/fmtdump) and read from there while the\n"
    "file is unchanged; every check still runs on each load.\n"
    "\n"
    "JSON: structs are objects (seq fields in order, then instances), integers exact, byte\n"
    "arrays lowercase hex strings, enums their label (the integer when unnamed), absent\n"
    "values null; a failing node carries \"_error\": {kind, message, offset, path, file, line, col}.\n"
    "A subtree left out is a marker: {\"_cycle\": true} (a struct inside itself, or a loop in\n"
    "the data; no error), {\"_depth_limit\": true} (deeper than 512), {\"_node_limit\": true}\n"
    "(these two are limits: exit 1, a located LimitError on stderr).\n"
    "With --spans a struct's first key is \"_span\": {\"start\": S, \"end\": E, \"io\": IO} (null\n"
    "when it has no bytes) and its last \"_spans\": {FIELD: SPAN, ...} for its fields with\n"
    "bytes, an array's with \"items\": [SPAN|null, ...]; [S, E) is in the stream read from,\n"
    "IO the file offset of that stream (null for processed bytes): the file has [IO+S, IO+E).\n"
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
    "Limits: for an input of S bytes, a document may use 256 MiB + 64*S bytes of memory\n"
    "(MemoryError) and 64 Ki + 8*S work units (objects, array items, evaluation steps,\n"
    "64-byte blocks decoded: LimitError); process: zlib may give 64 MiB + 1032*S bytes;\n"
    "nesting stops at 512 levels. A writer stops after 16 MiB + 64*S bytes of output or\n"
    "8*(S + 4 Ki) structs and arrays (a LimitError \"_error\", or {\"_node_limit\": true}),\n"
    "and closes what is open (the output stays valid).\n"
    "--max-memory, --max-work and --max-output set the first, second and fourth for a run\n"
    "(the library: fd_open_opts, fd_emit_opts); nesting and the node budget are fixed.\n"
    "\n"
    "Exit status:\n"
    "  0  parsed without error\n"
    "  1  data error: the root's seq failed; the printed tree holds an \"_error\" (a limit\n"
    "     tripped in the parse, the output budget, or a writer's node budget or depth limit\n"
    "     that cut the tree); --coverage met a failed node; an -e\n"
    "     failed (an unknown name too: a NameError, as names are looked up in the parsed\n"
    "     data); or --at found no node. The partial output is still printed and stderr\n"
    "     gets one located line\n"
    "  2  usage error (a refused combination, --max-bytes 0, -j outside 1..64 included),\n"
    "     invalid description (FILE:LINE:COL: message), an -e that does not parse (told\n"
    "     on stderr before any output), or no format detected\n"
    "  3  I/O error: the input cannot be opened or read (stdin over 1 GiB too), or the\n"
    "     output cannot be written\n";

typedef struct cli_args {
    const char *ksy;
    const char **imports;
    size_t nimports;
    const char **exprs;
    size_t nexprs;
    fd_out_format format;
    bool jsonl;            /* -o jsonl: the batch mode, several inputs allowed */
    uint64_t max_bytes;    /* --max-bytes, 0 when not given */
    const char **inputs;
    size_t ninputs;
    const char *files_from;  /* --files-from: the batch's names, one a line */
    unsigned jobs;           /* -j: batch threads, 0 when not given */
    bool spans;              /* --spans: json trees carry `_span` keys */
    bool at_set;             /* --at OFFSET: the node holding that byte */
    uint64_t at;
    bool coverage;           /* --coverage: the bytes no leaf claims */
    fd_open_opts open;       /* --max-memory, --max-work: 0 = derived from the input */
    uint64_t max_output;     /* --max-output: 0 = derived from the input */
} cli_args;

static int usage_error(const char *fmt, const char *arg)
{
    fputs("fmtdump: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'fmtdump --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

/* A positive decimal number; with suffix, an optional K, M or G (binary multiples) too. */
static bool parse_number(const char *s, bool suffix, uint64_t *out)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 0;
    if (suffix && (*end == 'K' || *end == 'M' || *end == 'G'))
        shift = *end == 'K' ? 10 : *end == 'M' ? 20 : 30;
    if (errno || v == 0 || end[shift ? 1 : 0] || v > (UINT64_MAX >> shift))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

/* Write out what --help or --version printed: exit 3 when stdout fails. */
static int print_done(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "fmtdump: cannot write the output: %s\n", strerror(errno ? errno : EIO));
        return CLI_EXIT_IO;
    }
    return CLI_EXIT_OK;
}

/* --NAME VALUE or --NAME=VALUE at argv[*i]: true when it is NAME, *val its value (NULL if missing). */
static bool long_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
    size_t n = strlen(name);
    const char *arg = argv[*i];
    if (strncmp(arg, name, n) != 0 || (arg[n] != '\0' && arg[n] != '='))
        return false;
    *val = arg[n] == '=' ? arg + n + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
    return true;
}

static int check_args(const cli_args *a)
{
    size_t dashes = 0;
    for (size_t k = 0; k < a->ninputs; k++)
        dashes += strcmp(a->inputs[k], "-") == 0;
    if (a->files_from && !a->jsonl)
        return usage_error("%s", "--files-from needs -o jsonl");
    if (a->jobs && !a->jsonl)
        return usage_error("%s", "-j needs -o jsonl");
    if (a->files_from && a->ninputs)
        return usage_error("--files-from and a FILE operand (%s): name the inputs one way", a->inputs[0]);
    if (!a->ninputs && !a->files_from)
        return usage_error("%s", "no input file");
    if (a->ninputs > 1 && !a->jsonl)
        return usage_error("more than one input file: %s (several need -o jsonl)", a->inputs[1]);
    if ((a->at_set || a->coverage) && a->jsonl)
        return usage_error("%s", "--at and --coverage take one FILE, not -o jsonl");
    if ((a->at_set ? 1 : 0) + (a->coverage ? 1 : 0) + (a->nexprs ? 1 : 0) > 1)
        return usage_error("%s", "-e, --at and --coverage: one at a time");
    if ((a->at_set || a->coverage) && (a->format == FD_OUT_YAML || a->format == FD_OUT_HTML))
        return usage_error("%s", "--at and --coverage print text or json");
    if (a->nexprs && a->format == FD_OUT_HTML)
        return usage_error("%s", "-e prints text, json or yaml");
    if (a->spans && a->format != FD_OUT_JSON && a->format != FD_OUT_HTML)
        return usage_error("%s", "--spans needs -o json, jsonl or html");
    if (a->spans && (a->nexprs || a->at_set || a->coverage))
        return usage_error("%s", "--spans marks up trees: not with -e, --at or --coverage");
    if (a->max_bytes && (a->format != FD_OUT_TEXT || a->at_set || a->coverage))
        return usage_error("%s", "--max-bytes needs -o text (the tree or -e lines), not --at or --coverage");
    if (dashes > 1)
        return usage_error("%s", "stdin (-) named more than once");
    return -1;
}

/* Returns -1 to go on, or the exit code (help and version print and exit 0). */
static int parse_args(int argc, char **argv, cli_args *a)
{
    bool opts_done = false;
    a->open.size = sizeof a->open;
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
            return print_done();
        }
        if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
            printf("fmtdump %s\n", FMTDUMP_VERSION);
            return print_done();
        }
        const char *val = NULL;
        uint64_t n;
        if (long_opt(argc, argv, &i, "--max-bytes", &val)) {
            if (!parse_number(val, false, &a->max_bytes))
                return usage_error("--max-bytes wants a positive number, got '%s'", val ? val : "");
            continue;
        }
        /* The document's and the writer's budgets, raised or lowered for this run. */
        const struct { const char *name; uint64_t *dst; } budgets[] = {
            {"--max-memory", &a->open.max_memory}, {"--max-work", &a->open.max_work},
            {"--max-output", &a->max_output}};
        size_t b = 0;
        while (b < sizeof budgets / sizeof *budgets && !long_opt(argc, argv, &i, budgets[b].name, &val))
            b++;
        if (b < sizeof budgets / sizeof *budgets) {
            if (!parse_number(val, true, budgets[b].dst)) {
                char msg[160];
                snprintf(msg, sizeof msg, "%s wants a positive number (K, M or G: binary multiples), got '%.60s'",
                         budgets[b].name, val ? val : "");
                return usage_error("%s", msg);
            }
            continue;
        }
        if (strcmp(arg, "--coverage") == 0) {
            a->coverage = true;
            continue;
        }
        if (long_opt(argc, argv, &i, "--at", &val)) {
            if (!cli_parse_offset(val, &a->at))
                return usage_error("--at wants an offset (123 or 0x7b), got '%s'", val ? val : "");
            a->at_set = true;
            continue;
        }
        if (strcmp(arg, "--spans") == 0) {
            a->spans = true;
            continue;
        }
        if (long_opt(argc, argv, &i, "--files-from", &val)) {
            if (!val)
                return usage_error("%s", "--files-from wants a file (- for stdin)");
            a->files_from = val;
            continue;
        }
        if (arg[1] == '-' || !strchr("fIoej", arg[1]))
            return usage_error("unknown option %s", arg);
        char opt = arg[1];
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
        case 'j':
            if (!parse_number(val, false, &n) || n > CLI_BATCH_MAX_JOBS)
                return usage_error("-j wants 1..%s threads", CLI_BATCH_MAX_JOBS_STR);
            a->jobs = (unsigned)n;
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
    return check_args(a);
}

/* The -e results as the JSON envelope (also the YAML answer: JSON is YAML). */
static int eval_json(fd_doc *doc, fd_value root, const cli_args *a, bool doc_failed,
                     const fd_error *doc_err, int *code)
{
    fputc('{', stdout);
    int rc = cli_envelope_status(stdout, doc_failed, doc_err);
    fputs(", ", stdout);
    rc |= cli_envelope_results(stdout, doc, root, a->exprs, a->nexprs, false, a->inputs[0], code);
    fputs("}\n", stdout);
    return rc;
}

/* The -e results as `EXPR = value` lines; a failing one is told on stderr instead. */
static int eval_text(fd_doc *doc, fd_value root, const cli_args *a, int *code)
{
    fd_emit_opts eo = {.size = sizeof(fd_emit_opts), .format = FD_OUT_TEXT, .max_bytes = a->max_bytes};
    int rc = 0;
    for (size_t k = 0; k < a->nexprs; k++) {
        fd_error err;
        memset(&err, 0, sizeof err);
        fd_value v = fd_eval(doc, root, a->exprs[k], &err);
        if (fd_value_kind(v) == FD_ERROR) {
            if (err.kind == FD_ERR_NONE)
                fd_value_error(v, &err);
            cli_report_expr_error(a->inputs[0], a->exprs[k], &err);
            if (*code < CLI_EXIT_DATA)
                *code = CLI_EXIT_DATA;
        } else {
            printf("%s = ", a->exprs[k]);
            rc |= fd_emit(stdout, v, &eo);
        }
    }
    return rc;
}

/* Parse the input with spec and print the tree or the -e results. */
static int run(const fd_spec *spec, const cli_args *a, const cli_input *in)
{
    fd_error err;
    fd_doc *doc = cli_input_open(in, spec, &a->open, &err);
    if (!doc) {
        if (err.kind == FD_ERR_IO) {
            fprintf(stderr, "fmtdump: %s\n", err.message);
            return CLI_EXIT_IO;
        }
        cli_report_data_error(in->name, &err, 0);
        return CLI_EXIT_DATA;
    }
    fd_value root = fd_doc_root(doc);
    fd_error doc_err;
    memset(&doc_err, 0, sizeof doc_err);
    bool doc_failed = fd_doc_error(doc, &doc_err);
    int code = CLI_EXIT_OK, out_rc = 0;
    uint64_t nerr = 0;
    if (a->at_set) {
        code = cli_at(doc, in->name, a->at, a->format == FD_OUT_JSON, &out_rc);
    } else if (a->coverage) {
        fd_error first;
        code = cli_coverage(doc, in->name, a->format == FD_OUT_JSON, &out_rc, &nerr, &first);
        if (nerr && !doc_failed) {
            doc_err = first;
            doc_failed = true;
        }
    } else if (a->nexprs) {
        if (a->format == FD_OUT_TEXT)
            out_rc = eval_text(doc, root, a, &code);
        else
            out_rc = eval_json(doc, root, a, doc_failed, &doc_err, &code);
    } else {
        /* The writer counts the error nodes it prints: no second walk for the exit code. */
        fd_emit_stats st;
        fd_emit_opts eo = {.size = sizeof(fd_emit_opts), .format = a->format, .max_bytes = a->max_bytes,
                           .spans = a->spans, .max_output = a->max_output, .stats = &st};
        out_rc = fd_emit(stdout, root, &eo);
        nerr = st.errors;
        if (nerr && !doc_failed) {
            doc_err = st.first;
            doc_failed = true;
        }
    }
    if (doc_failed) {
        cli_report_data_error(in->name, &doc_err, nerr > 1 ? nerr - 1 : 0);
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
    cli_input in;
    fd_error err;
    cli_input_init(&in, a->inputs[0], true);
    if (!cli_input_load(&in, &err)) {
        fprintf(stderr, "fmtdump: %s\n", err.message);
        return CLI_EXIT_IO;
    }
    cli_detect_formats *formats = NULL;
    int code;
    if (!spec) {
        uint8_t head[CLI_DETECT_HEAD];
        long n = cli_input_head(&in, head, sizeof head, &err);
        if (n < 0) {
            fprintf(stderr, "fmtdump: %s\n", err.message);
            code = CLI_EXIT_IO;
            goto out;
        }
        formats = cli_detect_load(argv0, lo);
        spec = formats ? cli_detect_match(formats, head, (size_t)n) : NULL;
        if (!spec) {
            if (formats)
                cli_detect_report(formats, in.name);
            else
                fputs("fmtdump: out of memory\n", stderr);
            code = formats ? CLI_EXIT_USAGE : CLI_EXIT_IO;
            goto out;
        }
    }
    code = run(spec, a, &in);
out:
    cli_detect_free(formats);
    cli_input_release(&in);
    return code;
}

/* -o jsonl: every input against the description from -f, or against the
 * format path loaded once. */
static int run_batch(const cli_args *a, const char *argv0, const fd_load_opts *lo, const fd_spec *spec)
{
    cli_names names;
    const char *list = a->files_from;
    if (!list && a->ninputs == 1 && strcmp(a->inputs[0], "-") == 0)
        list = "-";
    if (!cli_names_open(&names, list, a->inputs, a->ninputs))
        return CLI_EXIT_IO;
    cli_batch b = {spec, NULL, a->exprs, a->nexprs, a->jobs ? a->jobs : 1, a->spans, a->open, a->max_output};
    cli_detect_formats *formats = NULL;
    int code;
    if (!spec) {
        formats = cli_detect_load(argv0, lo);
        if (!formats) {
            fputs("fmtdump: out of memory\n", stderr);
            code = CLI_EXIT_IO;
            goto out;
        }
        if (!cli_detect_count(formats)) {
            cli_detect_report(formats, NULL);
            code = CLI_EXIT_USAGE;
            goto out;
        }
        b.formats = formats;
    }
    code = cli_batch_run(&b, &names);
out:
    cli_detect_free(formats);
    cli_names_close(&names);
    return code;
}

/* The parse cache's directory: $FMTDUMP_CACHE (empty: none), else
 * $XDG_CACHE_HOME/fmtdump, else $HOME/.cache/fmtdump; NULL for none. */
static const char *cache_dir(char *buf, size_t cap)
{
    const char *env = getenv("FMTDUMP_CACHE");
    if (env)
        return *env ? env : NULL;
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n = -1;
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, cap, "%s/fmtdump", xdg);
    else if (home && home[0] == '/')
        n = snprintf(buf, cap, "%s/.cache/fmtdump", home);
    return n > 0 && (size_t)n < cap ? buf : NULL;
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

    if (!cli_envelope_check_exprs(a.exprs, a.nexprs)) {
        code = CLI_EXIT_USAGE;
        goto out;
    }
    char cache[4096];
    fd_load_opts lo = FD_LOAD_OPTS_INIT;
    lo.import_dirs = a.imports;
    lo.nimport_dirs = a.nimports;
    lo.cache_dir = cache_dir(cache, sizeof cache);
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
