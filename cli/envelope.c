/* envelope.c - the JSON written around values: the -e envelope's parts and string literals. */
#include "envelope.h"

#include <string.h>

#include "report.h"

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, cp = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

void cli_envelope_string(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    putc('"', out);
    while (n) {
        unsigned c = *p;
        size_t len = utf8_len(p, n);
        if (!len) {
            fputs("\\ufffd", out);
            len = 1;
        } else if (c == '"' || c == '\\') {
            putc('\\', out);
            putc((int)c, out);
        } else if (c < 0x20) {
            static const char short_esc[] = "btn\0fr";
            if (c >= '\b' && c <= '\r' && short_esc[c - '\b'])
                fprintf(out, "\\%c", short_esc[c - '\b']);
            else
                fprintf(out, "\\u%04x", c);
        } else {
            fwrite(p, 1, len, out);
        }
        p += len;
        n -= len;
    }
    putc('"', out);
}

int cli_envelope_status(FILE *out, bool failed, const fd_error *err)
{
    fprintf(out, "\"status\": \"%s\"", failed ? "error" : "ok");
    if (!failed)
        return 0;
    fputs(", \"error\": ", out);
    return fd_emit_json_error(out, err);
}

int cli_envelope_results(FILE *out, fd_doc *doc, fd_value root, const char *const *exprs, size_t n,
                         bool compact, int *code)
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
