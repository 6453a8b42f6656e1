/* emit_text.c - the text writer: an indented tree, one `name = value` line per field. */
#include "emit_flat.h"

#include <math.h>

/* Strings longer than this (or --max-bytes, if larger) are cut in text output. */
#define TEXT_MAX_STRING 4096
/* Byte arrays are shown up to this many bytes unless fd_emit_opts.max_bytes says otherwise. */
#define TEXT_DEFAULT_MAX_BYTES 32

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

static void text_int(fd_emit_ctx *c, const fd_value *v, bool hex)
{
    bool neg = !fd_value_is_unsigned(*v) && fd_value_int(*v) < 0;
    if (hex && !neg)
        fd_emit_hex(c, fd_value_uint(*v));
    else
        fd_emit_int_value(c, *v);
}

static void text_bytes(text_w *w, const fd_value *v)
{
    size_t n = 0;
    const uint8_t *p = fd_value_bytes(*v, &n);
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
static void text_scalar(text_w *w, const fd_value *v, bool hex)
{
    fd_emit_ctx *c = w->c;
    switch (v->kind) {
    case FD_BOOL:
        fd_emit_puts(c, fd_value_bool(*v) ? "true" : "false");
        return;
    case FD_INT:
        text_int(c, v, hex);
        return;
    case FD_FLOAT: {
        char buf[40];
        double d = fd_value_float(*v);
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
        const char *s = fd_value_str(*v, &n);
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
        const char *name = fd_value_enum_name(*v);
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

static void text_value(text_w *w, const fd_value *v, size_t ind, bool hex, text_pos pos);

static void text_error(fd_emit_ctx *c, const fd_error *err, text_pos pos)
{
    fd_emit_puts(c, pos == TEXT_TOP ? "ERROR " : ": ERROR ");
    fd_emit_error_line(c, err);
    fd_emit_putc(c, '\n');
}

/* Bytes of the line text_value writes for v at most (its subtree aside):
 * byte arrays and strings are cut, so this is small. */
static uint64_t text_bound(const text_w *w, const fd_value *v)
{
    size_t n = 0;
    uint64_t cap = w->max_bytes > TEXT_MAX_STRING ? w->max_bytes : TEXT_MAX_STRING;
    switch (v->kind) {
    case FD_BYTES:
        fd_value_bytes(*v, &n);
        return 48 + 3 * (n < w->max_bytes ? n : w->max_bytes);
    case FD_STR:
        fd_value_str(*v, &n);
        return 48 + 4 * (n < cap ? n : cap);
    case FD_ENUM: {
        const char *name = fd_value_enum_name(*v);
        return 64 + (name ? strlen(name) : 0);
    }
    case FD_STRUCT: {
        /* The type name and its to-string, a string cut as above. */
        const char *t = fd_struct_type_name(*v);
        return 64 + (t ? strlen(t) : 0) + 4 * cap;
    }
    case FD_ERROR:
        return 3 * 256 + 128;
    default:
        return 64;
    }
}

/* The line of one field or element (name, or [i] when name is NULL) at
 * indentation ind, or the LimitError when the budget has no room for it. */
static void text_item(text_w *w, const fd_value *v, size_t ind, const char *name, uint64_t i, bool hex)
{
    fd_emit_ctx *c = w->c;
    size_t nlen = name ? strlen(name) : 0;
    bool fits = fd_emit_fits(c, *v, ind + nlen + 24 + text_bound(w, v));
    fd_emit_indent(c, ind);
    if (name) {
        fd_emit_put(c, name, nlen);
    } else {
        fd_emit_putc(c, '[');
        fd_emit_u64(c, i);
        fd_emit_putc(c, ']');
    }
    if (fits) {
        text_value(w, v, ind, hex, TEXT_FIELD);
        return;
    }
    fd_emit_tripped(c, *v, &c->scratch);
    text_error(c, &c->scratch, TEXT_FIELD);
}

static void text_struct(text_w *w, const fd_value *v, size_t ind)
{
    fd_emit_ctx *c = w->c;
    size_t n = fd_struct_nfields(*v);
    bool noted = false;
    for (size_t i = 0; i < n && !c->stop; i++) {
        const char *name = fd_emit_field(c, *v, i, &noted);
        if (!name)
            continue;
        fd_emit_push_name(c, name);
        fd_value f = fd_struct_field(*v, i);
        text_item(w, &f, ind, name, 0, fd_struct_field_hex(*v, i));
        fd_emit_pop(c);
    }
    const fd_error *err = c->stop ? NULL : fd_emit_own_error(c, *v, noted);
    if (err) {
        bool fits = fd_emit_fits(c, *v, ind + 3 * 256 + 128);
        fd_emit_indent(c, ind);
        fd_emit_puts(c, "_error");
        if (!fits)
            fd_emit_tripped(c, *v, &c->scratch);
        text_error(c, &c->scratch, TEXT_FIELD);
    }
}

/* A bound of what text_item's budget checks ask for writing an element by
 * program f at indentation ind, its views holding nbytes: each line's
 * indentation, name and slack, a struct's to-string room, a view's hex. */
static uint64_t text_flat_need(const text_w *w, const fd_flat *f, size_t ind, uint64_t nbytes)
{
    /* A --max-bytes near 2^64 makes the bound too large to fit, not wrap. */
    if (w->max_bytes > (UINT64_C(1) << 40))
        return UINT64_MAX;
    uint64_t cap = w->max_bytes > TEXT_MAX_STRING ? w->max_bytes : TEXT_MAX_STRING;
    uint64_t shown = nbytes < w->max_bytes * f->nviews ? nbytes : w->max_bytes * f->nviews;
    return f->names + ((uint64_t)f->items) * (ind + 2 * (uint64_t)f->levels + 24 + 64) +
           (uint64_t)f->nstructs * 4 * cap + 3 * shown;
}

/* Element i by its program: the lines text_item writes for it. */
static void text_flat_write(text_w *w, const fd_flat *f, size_t ind, uint64_t i)
{
    fd_emit_ctx *c = w->c;
    for (uint32_t k = 0; k < f->nops; k++) {
        const fd_flat_op *op = &f->ops[k];
        if (op->kind == FD_FLAT_CLOSE) {
            ind -= 2;
            continue;
        }
        fd_emit_indent(c, ind);
        if (op->name) {
            fd_emit_put(c, op->name, op->nlen);
        } else {
            fd_emit_putc(c, '[');
            fd_emit_u64(c, i);
            fd_emit_putc(c, ']');
        }
        if (op->kind == FD_FLAT_OPEN) {
            fd_emit_put(c, " (", 2);
            fd_emit_puts(c, op->type->name);
            fd_emit_put(c, ")\n", 2);
            ind += 2;
            continue;
        }
        fd_emit_put(c, " = ", 3);
        text_scalar(w, &f->vals[k], op->attr->hex_hint);
        fd_emit_putc(c, '\n');
    }
}

static void text_array(text_w *w, const fd_value *v, size_t ind, bool hex)
{
    fd_emit_ctx *c = w->c;
    size_t n = fd_array_len(*v);
    fd_flat_run run;
    fd_emit_flat_start(c, &run, *v, true, true);
    for (size_t i = 0; i < n && !c->stop; i++) {
        int how = fd_emit_flat_prepare(c, &run, i);
        if (how == FD_FLAT_READY && fd_emit_flat_commit(c, &run, text_flat_need(w, run.f, ind, run.nbytes))) {
            text_flat_write(w, run.f, ind, i);
            continue;
        }
        fd_emit_push_index(c, i);
        fd_brief hold;
        fd_value e = fd_emit_elem(*v, i, &hold);
        text_item(w, &e, ind, NULL, i, hex);
        fd_emit_elem_done(*v, &hold);
        fd_emit_pop(c);
        if (how == FD_FLAT_MEASURE)
            fd_emit_flat_measured(c, &run);
    }
}

/* The rest of a line after a name (ind is that line's indentation), then the
 * indented lines of a struct or an array. */
static void text_value(text_w *w, const fd_value *v, size_t ind, bool hex, text_pos pos)
{
    fd_emit_ctx *c = w->c;
    fd_kind k = v->kind;
    if (k == FD_ERROR) {
        fd_emit_value_error(c, *v, &c->scratch);
        text_error(c, &c->scratch, pos);
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
        const char *t = fd_struct_type_name(*v);
        if (pos == TEXT_FIELD)
            fd_emit_putc(c, '(');
        fd_emit_puts(c, t ? t : "?");
        if (pos == TEXT_FIELD)
            fd_emit_putc(c, ')');
        /* A type's `to-string` is how its author wants it shown. */
        fd_value shown = fd_struct_to_string(*v);
        if (fd_value_kind(shown) == FD_STR) {
            fd_emit_putc(c, ' ');
            text_scalar(w, &shown, false);
        }
    } else {
        fd_emit_putc(c, '[');
        fd_emit_u64(c, fd_array_len(*v));
        fd_emit_putc(c, ']');
    }
    fd_emit_guard g = fd_emit_enter(c, *v);
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
    fd_emit_leave(c, *v);
}

void fd_emit_text(fd_emit_ctx *c, fd_value v, const fd_emit_opts *opts)
{
    text_w w = {c, opts->max_bytes ? opts->max_bytes : TEXT_DEFAULT_MAX_BYTES};
    if (fd_emit_fits(c, v, text_bound(&w, &v))) {
        text_value(&w, &v, 0, false, TEXT_TOP);
        return;
    }
    fd_emit_tripped(c, v, &c->scratch);
    text_error(c, &c->scratch, TEXT_TOP);
}
