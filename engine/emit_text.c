/* emit_text.c - the text writer: an indented tree, one `name = value` line per field. */
#include "emit.h"

#include <math.h>

/* Strings longer than this (or --max-bytes, if larger) are cut in text output. */
#define TEXT_MAX_STRING 4096

typedef struct text_w {
    fd_emit_ctx *c;
    uint64_t max_bytes;
} text_w;

/* How a value follows its name: nested lines get " = ", the top line nothing. */
typedef enum { TEXT_TOP, TEXT_FIELD } text_pos;

/* A quoted string: C escapes for quotes, backslashes and control bytes,
 * \xNN for bytes that are not valid UTF-8. */
static void text_string(fd_emit_ctx *c, const char *str, size_t n)
{
    static const char hexdig[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0;
    fd_emit_putc(c, '"');
    while (i < n) {
        unsigned b = s[i];
        if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
            i++;
            continue;
        }
        size_t len = b >= 0x80 ? fd_emit_utf8_len(s + i, n - i) : 0;
        if (len) {
            i += len;
            continue;
        }
        fd_emit_put(c, (const char *)s + run, i - run);
        char e[4] = {'\\', 0, 0, 0};
        size_t elen = 2;
        switch (b) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\n': e[1] = 'n'; break;
        case '\t': e[1] = 't'; break;
        case '\r': e[1] = 'r'; break;
        case 0: e[1] = '0'; break;
        default:
            e[1] = 'x';
            e[2] = hexdig[b >> 4];
            e[3] = hexdig[b & 15];
            elen = 4;
        }
        fd_emit_put(c, e, elen);
        run = ++i;
    }
    fd_emit_put(c, (const char *)s + run, n - run);
    fd_emit_putc(c, '"');
}

static void text_int(fd_emit_ctx *c, fd_value v, bool hex)
{
    bool neg = !fd_value_is_unsigned(v) && fd_value_int(v) < 0;
    if (hex && !neg)
        fd_emit_hex(c, fd_value_uint(v));
    else
        fd_emit_int_value(c, v);
}

static void text_bytes(text_w *w, fd_value v)
{
    size_t n = 0;
    const uint8_t *p = fd_value_bytes(v, &n);
    if (!p)
        n = 0;
    fd_emit_putc(w->c, '[');
    fd_emit_u64(w->c, n);
    fd_emit_puts(w->c, n == 1 ? " byte]" : " bytes]");
    size_t shown = n > w->max_bytes ? (size_t)w->max_bytes : n;
    fd_emit_hex_bytes(w->c, p, shown, true);
    if (shown < n)
        fd_emit_put(w->c, " ...", 4);
}

/* A scalar on the rest of its line. */
static void text_scalar(text_w *w, fd_value v, bool hex)
{
    fd_emit_ctx *c = w->c;
    switch (fd_value_kind(v)) {
    case FD_BOOL:
        fd_emit_puts(c, fd_value_bool(v) ? "true" : "false");
        return;
    case FD_INT:
        text_int(c, v, hex);
        return;
    case FD_FLOAT: {
        char buf[40];
        double d = fd_value_float(v);
        size_t n = fd_emit_format_double(d, buf, sizeof buf);
        if (n)
            fd_emit_put(c, buf, n);
        else
            fd_emit_puts(c, isnan(d) ? "nan" : d < 0 ? "-inf" : "inf");
        return;
    }
    case FD_STR: {
        /* Text is for reading: a string longer than a screenful is cut (at a
         * UTF-8 boundary) and its size shown, as byte arrays are. */
        size_t n = 0;
        const char *s = fd_value_str(v, &n);
        size_t cap = w->max_bytes > TEXT_MAX_STRING ? (size_t)w->max_bytes : TEXT_MAX_STRING;
        size_t shown = n;
        if (s && n > cap) {
            shown = cap;
            while (shown > 0 && ((unsigned char)s[shown] & 0xC0) == 0x80)
                shown--;
        }
        text_string(c, s ? s : "", s ? shown : 0);
        if (shown < n) {
            fd_emit_puts(c, " ... [");
            fd_emit_u64(c, n);
            fd_emit_puts(c, " bytes]");
        }
        return;
    }
    case FD_BYTES:
        text_bytes(w, v);
        return;
    case FD_ENUM: {
        const char *name = fd_value_enum_name(v);
        if (!name) {
            text_int(c, v, true);
            return;
        }
        fd_emit_puts(c, name);
        fd_emit_put(c, " (", 2);
        text_int(c, v, true);
        fd_emit_putc(c, ')');
        return;
    }
    case FD_STREAM:
        fd_emit_puts(c, "<stream>");
        return;
    case FD_TYPE:
        fd_emit_puts(c, "<type>");
        return;
    case FD_NULL:
    default:
        fd_emit_puts(c, "null");
        return;
    }
}

static void text_value(text_w *w, fd_value v, size_t ind, bool hex, text_pos pos);

static void text_error(fd_emit_ctx *c, const fd_error *err, text_pos pos)
{
    fd_emit_puts(c, pos == TEXT_TOP ? "ERROR " : ": ERROR ");
    fd_emit_error_line(c, err);
    fd_emit_putc(c, '\n');
}

static void text_struct(text_w *w, fd_value v, size_t ind)
{
    size_t n = fd_struct_nfields(v);
    for (size_t i = 0; i < n; i++) {
        const char *name = fd_emit_field_shown(v, i);
        if (!name)
            continue;
        fd_emit_indent(w->c, ind);
        fd_emit_puts(w->c, name);
        text_value(w, fd_struct_field(v, i), ind, fd_struct_field_hex(v, i), TEXT_FIELD);
    }
    fd_error err;
    if (fd_struct_error(v, &err)) {
        fd_emit_indent(w->c, ind);
        fd_emit_puts(w->c, "_error");
        text_error(w->c, &err, TEXT_FIELD);
    }
}

static void text_array(text_w *w, fd_value v, size_t ind, bool hex)
{
    size_t n = fd_array_len(v);
    for (size_t i = 0; i < n; i++) {
        fd_emit_indent(w->c, ind);
        fd_emit_putc(w->c, '[');
        fd_emit_u64(w->c, i);
        fd_emit_putc(w->c, ']');
        text_value(w, fd_array_get(v, i), ind, hex, TEXT_FIELD);
    }
}

/* The rest of a line after a name (ind is that line's indentation), then the
 * indented lines of a struct or an array. */
static void text_value(text_w *w, fd_value v, size_t ind, bool hex, text_pos pos)
{
    fd_emit_ctx *c = w->c;
    fd_kind k = fd_value_kind(v);
    if (k == FD_ERROR) {
        fd_error err;
        fd_emit_value_error(v, &err);
        text_error(c, &err, pos);
        return;
    }
    if (k != FD_STRUCT && k != FD_ARRAY) {
        if (pos == TEXT_FIELD)
            fd_emit_put(c, " = ", 3);
        text_scalar(w, v, hex);
        fd_emit_putc(c, '\n');
        return;
    }
    if (pos == TEXT_FIELD)
        fd_emit_putc(c, ' ');
    if (k == FD_STRUCT) {
        const char *t = fd_struct_type_name(v);
        if (pos == TEXT_FIELD)
            fd_emit_putc(c, '(');
        fd_emit_puts(c, t ? t : "?");
        if (pos == TEXT_FIELD)
            fd_emit_putc(c, ')');
        /* A type's `to-string` is how its author wants it shown. */
        fd_value shown = fd_struct_to_string(v);
        if (fd_value_kind(shown) == FD_STR) {
            fd_emit_putc(c, ' ');
            text_scalar(w, shown, false);
        }
    } else {
        fd_emit_putc(c, '[');
        fd_emit_u64(c, fd_array_len(v));
        fd_emit_putc(c, ']');
    }
    fd_emit_guard g = fd_emit_enter(c, v);
    if (g != FD_EMIT_GO) {
        fd_emit_puts(c, g == FD_EMIT_CYCLE ? " <cycle>\n" : g == FD_EMIT_TOO_DEEP ? " <depth limit>\n"
                                                                                : " <node limit>\n");
        return;
    }
    fd_emit_putc(c, '\n');
    if (k == FD_STRUCT)
        text_struct(w, v, ind + 2);
    else
        text_array(w, v, ind + 2, hex);
    fd_emit_leave(c, v);
}

int fd_emit_text(FILE *out, fd_value v, uint64_t max_bytes)
{
    text_w w = {fd_emit_ctx_new(out), max_bytes};
    if (!w.c)
        return -1;
    text_value(&w, v, 0, false, TEXT_TOP);
    return fd_emit_ctx_free(w.c);
}
