/* emit_json.c - the JSON writer: structs as objects, exact integers, bytes as hex, errors as `_error`. */
#include "emit.h"

typedef struct json_w {
    fd_emit_ctx *c;
    bool compact;
} json_w;

static void json_newline(json_w *w, size_t depth)
{
    if (w->compact)
        return;
    fd_emit_putc(w->c, '\n');
    fd_emit_indent(w->c, 2 * depth);
}

static void json_key(json_w *w, const char *name)
{
    fd_emit_json_string(w->c, name, strlen(name));
    if (w->compact)
        fd_emit_putc(w->c, ':');
    else
        fd_emit_put(w->c, ": ", 2);
}

/* {"kind", "message", "offset", "path", "file", "line", "col"}; compact
 * output leaves out the spaces, as everywhere else. */
static void json_error_body(fd_emit_ctx *c, const fd_error *err, bool compact)
{
    const char *sep = compact ? "," : ", ", *colon = compact ? ":" : ": ";
    const char *kind = fd_errkind_name(err->kind);
    fd_emit_puts(c, "{\"kind\"");
    fd_emit_puts(c, colon);
    fd_emit_json_string(c, kind, strlen(kind));
    fd_emit_puts(c, sep);
    fd_emit_puts(c, "\"message\"");
    fd_emit_puts(c, colon);
    fd_emit_json_string(c, err->message, strnlen(err->message, sizeof err->message));
    fd_emit_puts(c, sep);
    fd_emit_puts(c, "\"offset\"");
    fd_emit_puts(c, colon);
    if (err->offset >= 0)
        fd_emit_i64(c, err->offset);
    else
        fd_emit_put(c, "null", 4);
    fd_emit_puts(c, sep);
    fd_emit_puts(c, "\"path\"");
    fd_emit_puts(c, colon);
    fd_emit_json_string(c, err->path, strnlen(err->path, sizeof err->path));
    fd_emit_puts(c, sep);
    fd_emit_puts(c, "\"file\"");
    fd_emit_puts(c, colon);
    if (err->file[0])
        fd_emit_json_string(c, err->file, strnlen(err->file, sizeof err->file));
    else
        fd_emit_put(c, "null", 4);
    fd_emit_puts(c, sep);
    fd_emit_puts(c, "\"line\"");
    fd_emit_puts(c, colon);
    fd_emit_i64(c, err->line);
    fd_emit_puts(c, sep);
    fd_emit_puts(c, "\"col\"");
    fd_emit_puts(c, colon);
    fd_emit_i64(c, err->col);
    fd_emit_putc(c, '}');
}

/* A marker object for a subtree that is not written: {"_cycle": true}. */
static void json_cut(json_w *w, fd_emit_guard g)
{
    static const char *const keys[] = {
        [FD_EMIT_CYCLE] = "\"_cycle\"",
        [FD_EMIT_TOO_DEEP] = "\"_depth_limit\"",
        [FD_EMIT_BUDGET] = "\"_node_limit\"",
    };
    fd_emit_putc(w->c, '{');
    fd_emit_puts(w->c, keys[g]);
    fd_emit_puts(w->c, w->compact ? ":true}" : ": true}");
}

static void json_value(json_w *w, fd_value v, size_t depth);

static void json_array(json_w *w, fd_value v, size_t depth)
{
    size_t n = fd_array_len(v);
    if (n == 0) {
        fd_emit_put(w->c, "[]", 2);
        return;
    }
    fd_emit_putc(w->c, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            fd_emit_putc(w->c, ',');
        json_newline(w, depth + 1);
        json_value(w, fd_array_get(v, i), depth + 1);
    }
    json_newline(w, depth);
    fd_emit_putc(w->c, ']');
}

static void json_struct(json_w *w, fd_value v, size_t depth)
{
    size_t n = fd_struct_nfields(v);
    bool first = true;
    fd_emit_putc(w->c, '{');
    for (size_t i = 0; i < n; i++) {
        const char *name = fd_emit_field_shown(v, i);
        if (!name)
            continue;
        if (!first)
            fd_emit_putc(w->c, ',');
        first = false;
        json_newline(w, depth + 1);
        json_key(w, name);
        json_value(w, fd_struct_field(v, i), depth + 1);
    }
    fd_error err;
    if (fd_struct_error(v, &err)) {
        if (!first)
            fd_emit_putc(w->c, ',');
        first = false;
        json_newline(w, depth + 1);
        json_key(w, "_error");
        json_error_body(w->c, &err, w->compact);
    }
    if (!first)
        json_newline(w, depth);
    fd_emit_putc(w->c, '}');
}

static void json_value(json_w *w, fd_value v, size_t depth)
{
    fd_emit_ctx *c = w->c;
    switch (fd_value_kind(v)) {
    case FD_BOOL:
        if (fd_value_bool(v))
            fd_emit_put(c, "true", 4);
        else
            fd_emit_put(c, "false", 5);
        return;
    case FD_INT:
        fd_emit_int_value(c, v);
        return;
    case FD_FLOAT: {
        char buf[40];
        size_t n = fd_emit_format_double(fd_value_float(v), buf, sizeof buf);
        if (n)
            fd_emit_put(c, buf, n);
        else
            fd_emit_put(c, "null", 4);
        return;
    }
    case FD_STR: {
        size_t n = 0;
        const char *s = fd_value_str(v, &n);
        fd_emit_json_string(c, s ? s : "", s ? n : 0);
        return;
    }
    case FD_BYTES: {
        size_t n = 0;
        const uint8_t *p = fd_value_bytes(v, &n);
        fd_emit_putc(c, '"');
        if (p)
            fd_emit_hex_bytes(c, p, n, false);
        fd_emit_putc(c, '"');
        return;
    }
    case FD_ENUM: {
        const char *name = fd_value_enum_name(v);
        if (name)
            fd_emit_json_string(c, name, strlen(name));
        else
            fd_emit_int_value(c, v);
        return;
    }
    case FD_ARRAY:
    case FD_STRUCT: {
        fd_emit_guard g = fd_emit_enter(c, v);
        if (g != FD_EMIT_GO) {
            json_cut(w, g);
            return;
        }
        if (fd_value_kind(v) == FD_ARRAY)
            json_array(w, v, depth);
        else
            json_struct(w, v, depth);
        fd_emit_leave(c, v);
        return;
    }
    case FD_ERROR: {
        fd_error err;
        fd_emit_value_error(v, &err);
        fd_emit_putc(c, '{');
        json_key(w, "_error");
        json_error_body(c, &err, w->compact);
        fd_emit_putc(c, '}');
        return;
    }
    case FD_NULL:
    case FD_STREAM:
    case FD_TYPE:
    default:
        fd_emit_put(c, "null", 4);
        return;
    }
}

static int json_run(FILE *out, fd_value v, bool compact, bool newline)
{
    json_w w = {fd_emit_ctx_new(out), compact};
    if (!w.c)
        return -1;
    json_value(&w, v, 0);
    if (newline)
        fd_emit_putc(w.c, '\n');
    return fd_emit_ctx_free(w.c);
}

int fd_emit_json_value(FILE *out, fd_value v, bool compact)
{
    return json_run(out, v, compact, false);
}

int fd_emit_json_doc(FILE *out, fd_value v, bool compact)
{
    return json_run(out, v, compact, true);
}

int fd_emit_json_error(FILE *out, const fd_error *err)
{
    fd_emit_ctx *c = fd_emit_ctx_new(out);
    if (!c)
        return -1;
    json_error_body(c, err, false);
    return fd_emit_ctx_free(c);
}

int fd_emit_json_text(FILE *out, const char *s, size_t n)
{
    fd_emit_ctx *c = fd_emit_ctx_new(out);
    if (!c)
        return -1;
    fd_emit_json_string(c, s, n);
    return fd_emit_ctx_free(c);
}
