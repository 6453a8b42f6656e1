/* spans.c - where bytes live: --at (the node holding one byte) and --coverage (bytes no leaf claims). */
#include "spans.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "report.h"

/* The hex context: whole rows of this many bytes, one before and one after the byte's row. */
#define AT_ROW 16
#define AT_PATH_MAX 1024

bool cli_parse_offset(const char *s, uint64_t *out)
{
    int base = 10;
    if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!s || !*s || !strchr("0123456789abcdefABCDEF", *s) || (base == 10 && (*s < '0' || *s > '9')))
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static const char *kind_name(fd_kind k)
{
    static const char *const names[] = {"null", "bool", "int", "float", "str", "bytes", "enum",
                                        "array", "struct", "stream", "type", "error"};
    return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

/* A struct as "(type)" with its to-string, an array as "[N]", a scalar as the text writer shows it. */
static int at_value_text(fd_value v)
{
    fd_kind k = fd_value_kind(v);
    if (k == FD_STRUCT) {
        const char *t = fd_struct_type_name(v);
        printf("(%s), %zu fields\n", t ? t : "?", fd_struct_nfields(v));
        return 0;
    }
    if (k == FD_ARRAY) {
        printf("[%zu]\n", fd_array_len(v));
        return 0;
    }
    fd_emit_opts eo = {.size = sizeof(fd_emit_opts), .format = FD_OUT_TEXT, .max_bytes = AT_ROW};
    return fd_emit(stdout, v, &eo);
}

static int at_value_json(fd_value v)
{
    fd_kind k = fd_value_kind(v);
    printf("\"kind\": \"%s\", ", kind_name(k));
    if (k == FD_STRUCT) {
        const char *t = fd_struct_type_name(v);
        fputs("\"type\": ", stdout);
        cli_envelope_string(stdout, t ? t : "");
        printf(", \"fields\": %zu", fd_struct_nfields(v));
        return 0;
    }
    if (k == FD_ARRAY) {
        printf("\"length\": %zu", fd_array_len(v));
        return 0;
    }
    fputs("\"value\": ", stdout);
    return fd_emit_json_value(stdout, v, true);
}

/* The rows around the byte at stream offset q; the node's bytes [s, e) between [ and ]. */
static void at_context_text(const fd_span *sp, uint64_t q)
{
    uint64_t from = q / AT_ROW * AT_ROW, to = from + 2 * AT_ROW;
    from = from >= AT_ROW ? from - AT_ROW : 0;
    if (to > sp->io_size)
        to = sp->io_size;
    for (uint64_t row = from; row < to; row += AT_ROW) {
        printf("  %s0x%08llx ", row == from ? "bytes " : "      ", (unsigned long long)(row + (uint64_t)sp->io_origin));
        for (uint64_t i = row; i < row + AT_ROW; i++) {
            char sep = i == sp->start ? '[' : i == sp->end ? ']' : ' ';
            if (i < to)
                printf("%c%02x", sep, sp->io_data[i]);
            else
                printf("%c  ", sep);
        }
        putchar(row + AT_ROW == sp->end ? ']' : ' ');
        putchar(' ');
        for (uint64_t i = row; i < row + AT_ROW && i < to; i++)
            putchar(sp->io_data[i] >= 0x20 && sp->io_data[i] < 0x7f ? sp->io_data[i] : '.');
        putchar('\n');
    }
}

static void at_context_json(const fd_span *sp, uint64_t q)
{
    uint64_t from = q / AT_ROW * AT_ROW, to = from + 2 * AT_ROW;
    from = from >= AT_ROW ? from - AT_ROW : 0;
    if (to > sp->io_size)
        to = sp->io_size;
    printf("\"context\": {\"start\": %llu, \"hex\": \"", (unsigned long long)(from + (uint64_t)sp->io_origin));
    for (uint64_t i = from; i < to; i++)
        printf("%02x", sp->io_data[i]);
    fputs("\"}", stdout);
}

int cli_at(fd_doc *doc, const char *input, uint64_t offset, bool json, int *out_rc)
{
    char path[AT_PATH_MAX];
    fd_span sp;
    fd_value v = fd_doc_node_at(doc, offset, true, path, sizeof path, &sp);
    bool found = fd_value_kind(v) != FD_NULL && sp.io_origin >= 0;
    if (!found) {
        size_t size = 0;
        fd_doc_data(doc, &size);
        if (json)
            printf("{\"offset\": %llu, \"found\": false}\n", (unsigned long long)offset);
        fprintf(stderr, "fmtdump: %s: no node covers offset 0x%llx (the input has 0x%zx bytes)\n", input,
                (unsigned long long)offset, size);
        return CLI_EXIT_DATA;
    }
    uint64_t abs_start = (uint64_t)sp.io_origin + sp.start, abs_end = (uint64_t)sp.io_origin + sp.end;
    uint64_t q = offset - (uint64_t)sp.io_origin;
    if (json) {
        printf("{\"offset\": %llu, \"found\": true, \"path\": ", (unsigned long long)offset);
        cli_envelope_string(stdout, path);
        printf(", \"span\": {\"start\": %llu, \"end\": %llu, \"size\": %llu, \"stream_start\": %llu, "
               "\"stream_end\": %llu, \"stream_origin\": %llu, \"stream_size\": %llu}, ",
               (unsigned long long)abs_start, (unsigned long long)abs_end,
               (unsigned long long)(sp.end - sp.start), (unsigned long long)sp.start, (unsigned long long)sp.end,
               (unsigned long long)sp.io_origin, (unsigned long long)sp.io_size);
        *out_rc |= at_value_json(v);
        fputs(", ", stdout);
        at_context_json(&sp, q);
        fputs("}\n", stdout);
        return CLI_EXIT_OK;
    }
    printf("%s\n", path);
    printf("  span  0x%llx..0x%llx (%llu bytes); in its stream 0x%llx..0x%llx (stream at 0x%llx, 0x%llx bytes)\n",
           (unsigned long long)abs_start, (unsigned long long)abs_end, (unsigned long long)(sp.end - sp.start),
           (unsigned long long)sp.start, (unsigned long long)sp.end, (unsigned long long)sp.io_origin,
           (unsigned long long)sp.io_size);
    fputs("  value ", stdout);
    *out_rc |= at_value_text(v);
    at_context_text(&sp, q);
    return CLI_EXIT_OK;
}

int cli_coverage(fd_doc *doc, const char *input, bool json, int *out_rc, uint64_t *nerr, fd_error *first)
{
    fd_coverage cov;
    fd_error err;
    if (!fd_doc_coverage(doc, true, &cov, &err)) {
        fprintf(stderr, "fmtdump: %s: %s\n", input, err.message);
        return CLI_EXIT_IO;
    }
    uint64_t gap_bytes = cov.size - cov.covered;
    if (json) {
        printf("{\"size\": %llu, \"covered\": %llu, \"complete\": %s, \"errors\": %llu, \"gaps\": [",
               (unsigned long long)cov.size, (unsigned long long)cov.covered, cov.complete ? "true" : "false",
               (unsigned long long)cov.errors);
        for (size_t i = 0; i < cov.ngaps; i++)
            printf("%s{\"start\": %llu, \"end\": %llu, \"size\": %llu}", i ? ",\n  " : "\n  ",
                   (unsigned long long)cov.gaps[i].start, (unsigned long long)cov.gaps[i].end,
                   (unsigned long long)(cov.gaps[i].end - cov.gaps[i].start));
        fputs(cov.ngaps ? "\n]}\n" : "]}\n", stdout);
    } else {
        printf("size 0x%llx (%llu bytes), covered %llu bytes, %zu gap%s of %llu bytes\n",
               (unsigned long long)cov.size, (unsigned long long)cov.size, (unsigned long long)cov.covered,
               cov.ngaps, cov.ngaps == 1 ? "" : "s", (unsigned long long)gap_bytes);
        for (size_t i = 0; i < cov.ngaps; i++)
            printf("  0x%08llx..0x%08llx  %llu bytes\n", (unsigned long long)cov.gaps[i].start,
                   (unsigned long long)cov.gaps[i].end, (unsigned long long)(cov.gaps[i].end - cov.gaps[i].start));
    }
    if (!cov.complete)
        fprintf(stderr, "fmtdump: %s: coverage incomplete: a guard (nesting depth, node budget) cut the walk;"
                        " nodes it did not reach may claim some of the gaps\n", input);
    *out_rc |= ferror(stdout) ? -1 : 0;
    /* A failed node leaves its unread bytes as gaps: the caller reports it as a data error. */
    *nerr = cov.errors;
    *first = cov.first;
    return CLI_EXIT_OK;
}
