/* emit_json.c - the JSON writer: structs as objects, exact integers, bytes as hex, errors as `_error`. */
#include "emit_flat.h"
#include "interp.h"

/*
 * With fd_emit_opts.spans every struct object tells where its bytes are:
 *
 *   {"_span": SPAN, ...its fields..., "_error": {...}, "_spans": {"FIELD": SPAN, ...}}
 *
 *   SPAN  = {"start": S, "end": E, "io": IO}, or null for a struct with no bytes
 *   S, E  = the byte range [S, E) in the stream the node was read from
 *   IO    = the absolute file offset of that stream's byte 0, or null when the
 *           stream holds processed bytes (`process:`); the file range is then
 *           [IO + S, IO + E)
 *
 * "_span" is the first key, "_spans" the last; "_spans" lists the written
 * fields that have bytes (not params, value instances, fields whose `if` was
 * false), in field order, and is left out when none has.  The entry of a
 * field whose value is an array also has "items": [SPAN or null, ...], one
 * per element.  Without spans the output has none of these keys.
 */

#include <stdlib.h>

/* Keys written recently, escaped with their colon: field names are the
 * spec's own strings, so their address identifies them. */
#define JSON_KEYS 256
#define JSON_KEY_MAX 56
/* Bytes a SPAN takes at most. */
#define JSON_SPAN_MAX 80

typedef struct json_key_slot {
    const char *name;
    uint8_t len;
    char text[JSON_KEY_MAX];
} json_key_slot;

/* The text a write program puts around its values at one depth (see
 * json_tmpl_build); a few are kept, the oldest replaced. */
#define JSON_TMPLS 4
/* Segments are copied 64 bytes at a time: the text ends in that much slack. */
#define JSON_TMPL_SLACK 64
typedef struct json_tmpl {
    const fd_flat *f;      /* NULL: a free slot */
    size_t depth;
    char *text;
    uint32_t *off;         /* f->nops + 1 */
} json_tmpl;

typedef struct json_w {
    fd_emit_ctx *c;
    bool compact;
    bool spans;
    unsigned next_tmpl;
    json_tmpl tmpls[JSON_TMPLS];
    json_key_slot keys[JSON_KEYS];
} json_w;

static void json_newline(json_w *w, size_t depth)
{
    if (w->compact)
        return;
    fd_emit_newline(w->c, 2 * depth);
}

static void json_key(json_w *w, const char *name, size_t n)
{
    json_key_slot *k = &w->keys[((uintptr_t)name >> 3) % JSON_KEYS];
    if (k->name == name) {
        /* A fixed-size copy: short variable ones compile to a slow `rep movs`. */
        fd_emit_ctx *c = w->c;
        if (FD_EMIT_BUFSZ - c->len >= JSON_KEY_MAX) {
            memcpy(c->buf + c->len, k->text, JSON_KEY_MAX);
            c->len += k->len;
        } else {
            fd_emit_put(c, k->text, k->len);
        }
        return;
    }
    uint64_t start = fd_emit_bytes(w->c);
    fd_emit_json_string(w->c, name, n);
    if (w->compact)
        fd_emit_putc(w->c, ':');
    else
        fd_emit_put(w->c, ": ", 2);
    /* The bytes just written are still in the buffer unless it spilled. */
    uint64_t len = fd_emit_bytes(w->c) - start;
    if (len <= JSON_KEY_MAX && len <= w->c->len) {
        memcpy(k->text, w->c->buf + w->c->len - len, len);
        k->len = (uint8_t)len;
        k->name = name;
    }
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

/* Bytes json_error_body writes for err, at most. */
static uint64_t json_error_len(const fd_emit_ctx *c, const fd_error *err)
{
    return 160 + fd_emit_json_string_len(c, err->message, strnlen(err->message, sizeof err->message)) +
           fd_emit_json_string_len(c, err->path, strnlen(err->path, sizeof err->path)) +
           fd_emit_json_string_len(c, err->file, strnlen(err->file, sizeof err->file));
}

/* {"_error": {...}}: an error value, or the LimitError that takes the place
 * of a value the output budget has no room for. */
static void json_error_value(json_w *w, const fd_error *err)
{
    fd_emit_putc(w->c, '{');
    json_key(w, "_error", 6);
    json_error_body(w->c, err, w->compact);
    fd_emit_putc(w->c, '}');
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

/* Bytes v takes at most, its subtree aside (a container counts its brackets). */
static uint64_t json_bound(json_w *w, const fd_value *v, uint64_t before)
{
    size_t n = 0;
    switch (v->kind) {
    case FD_STR: {
        const char *s = fd_value_str(*v, &n);
        uint64_t rough = 6 * (uint64_t)n + 2;
        /* Walk a long string only when the rough bound does not fit. */
        if (s && w->c->limit && !fd_emit_room(w->c, fd_emit_bytes(w->c), before + rough))
            return fd_emit_json_string_len(w->c, s, n);
        return rough;
    }
    case FD_BYTES:
        fd_value_bytes(*v, &n);
        return 2 * (uint64_t)n + 2;
    case FD_ENUM: {
        const char *name = fd_value_enum_name(*v);
        return name ? 6 * (uint64_t)strlen(name) + 2 : 24;
    }
    case FD_ERROR:
        /* Its strings are at most 255 bytes each, every one escaped to 6. */
        return 3 * (6 * 255 + 2) + 200;
    case FD_STRUCT:
        return w->spans ? 32 + JSON_SPAN_MAX : 32;
    default:
        return 32;
    }
}

static void json_value(json_w *w, const fd_value *v, size_t depth);

/* A SPAN without its closing brace, for "items" to follow. */
static void json_span_open(json_w *w, const fd_span *sp)
{
    fd_emit_ctx *c = w->c;
    const char *sep = w->compact ? "," : ", ";
    fd_emit_puts(c, w->compact ? "{\"start\":" : "{\"start\": ");
    fd_emit_u64(c, sp->start);
    fd_emit_puts(c, sep);
    fd_emit_puts(c, w->compact ? "\"end\":" : "\"end\": ");
    fd_emit_u64(c, sp->end);
    fd_emit_puts(c, sep);
    fd_emit_puts(c, w->compact ? "\"io\":" : "\"io\": ");
    if (sp->io_origin >= 0)
        fd_emit_u64(c, (uint64_t)sp->io_origin);
    else
        fd_emit_put(c, "null", 4);
}

/* The "_spans" member of struct v: each written field with bytes.  When the
 * budget has no room for an entry a LimitError stands in its place. */
static void json_field_spans(json_w *w, fd_value v, size_t depth, bool *first)
{
    fd_emit_ctx *c = w->c;
    size_t n = fd_struct_nfields(v);
    bool any = false, noted = true;
    for (size_t i = 0; i < n && !c->stop; i++) {
        fd_span sp;
        const char *name = fd_emit_field(c, v, i, &noted);
        if (!name || !fd_struct_field_span(v, i, &sp))
            continue;
        fd_value f = fd_struct_field(v, i);
        size_t items = f.kind == FD_ARRAY ? fd_array_len(f) : 0;
        size_t klen = strlen(name);
        uint64_t need = 16 + 2 * (uint64_t)depth + 6 * (uint64_t)klen + JSON_SPAN_MAX * (1 + (uint64_t)items);
        bool fits = fd_emit_fits(c, v, need);
        if (!any) {
            if (!*first)
                fd_emit_putc(c, ',');
            *first = false;
            json_newline(w, depth + 1);
            json_key(w, "_spans", 6);
            fd_emit_putc(c, '{');
        } else {
            fd_emit_putc(c, ',');
        }
        json_newline(w, depth + 2);
        json_key(w, name, klen);
        any = true;
        if (!fits) {
            fd_emit_push_name(c, name);
            fd_emit_tripped(c, v, &c->scratch);
            fd_emit_pop(c);
            json_error_value(w, &c->scratch);
            break;
        }
        json_span_open(w, &sp);
        if (f.kind == FD_ARRAY) {
            fd_emit_puts(c, w->compact ? ",\"items\":[" : ", \"items\": [");
            for (size_t k = 0; k < items; k++) {
                fd_span e;
                if (k)
                    fd_emit_puts(c, w->compact ? "," : ", ");
                if (fd_array_elem_span(f, k, &e)) {
                    json_span_open(w, &e);
                    fd_emit_putc(c, '}');
                } else {
                    fd_emit_put(c, "null", 4);
                }
            }
            fd_emit_putc(c, ']');
        }
        fd_emit_putc(c, '}');
    }
    if (any) {
        json_newline(w, depth + 1);
        fd_emit_putc(c, '}');
    }
}

/* One array element or struct field (name != NULL): its separator, key and
 * value, or the LimitError marker when the budget has no room for them. */
static void json_item(json_w *w, const fd_value *v, size_t depth, const char *name, bool first)
{
    fd_emit_ctx *c = w->c;
    size_t klen = name ? strlen(name) : 0;
    uint64_t before = 1 + (w->compact ? 0 : 1 + 2 * (uint64_t)depth) + (name ? 6 * (uint64_t)klen + 4 : 0);
    bool fits = fd_emit_fits(c, *v, before + json_bound(w, v, before));
    if (!first)
        fd_emit_putc(c, ',');
    json_newline(w, depth);
    if (name)
        json_key(w, name, klen);
    if (fits) {
        json_value(w, v, depth);
        return;
    }
    fd_emit_tripped(c, *v, &c->scratch);
    json_error_value(w, &c->scratch);
}

/* A growing text for json_tmpl_build. */
typedef struct json_text {
    char *p;
    size_t n, cap;
    bool failed;
} json_text;

static void text_add(json_text *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->n + n + JSON_TMPL_SLACK > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        while (cap < t->n + n + JSON_TMPL_SLACK)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p) {
            t->failed = true;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
}

static void text_newline(json_text *t, bool compact, size_t depth)
{
    if (compact)
        return;
    text_add(t, "\n", 1);
    for (size_t i = 0; i < depth; i++)
        text_add(t, "  ", 2);
}

/* What json_flat_write writes for f at depth but the values and the comma
 * before the element, as one segment per op: before a value, its
 * separator, line break, indentation and key; for a struct, that and its
 * brace; for a CLOSE, the line and the brace that end the struct.  False
 * when a key would need escaping (names are identifiers, so never). */
static bool json_tmpl_build(json_w *w, json_tmpl *t, const fd_flat *f, size_t depth)
{
    json_text x = { 0 };
    bool firsts[FD_FLAT_MAX_LEVELS + 1] = { true };
    uint32_t lvl = 0;
    t->off = malloc(((size_t)f->nops + 1) * sizeof *t->off);
    for (uint32_t k = 0; t->off && k < f->nops; k++) {
        const fd_flat_op *op = &f->ops[k];
        t->off[k] = (uint32_t)x.n;
        if (op->kind == FD_FLAT_CLOSE) {
            if (!firsts[lvl])
                text_newline(&x, w->compact, depth + lvl - 1);
            text_add(&x, "}", 1);
            lvl--;
            continue;
        }
        if (!firsts[lvl])
            text_add(&x, ",", 1);
        firsts[lvl] = false;
        text_newline(&x, w->compact, depth + lvl);
        if (op->name) {
            for (size_t i = 0; i < op->nlen; i++)
                if (!(op->name[i] == '_' || (op->name[i] >= 'a' && op->name[i] <= 'z') ||
                      (op->name[i] >= '0' && op->name[i] <= '9')))
                    x.failed = true;
            text_add(&x, "\"", 1);
            text_add(&x, op->name, op->nlen);
            text_add(&x, w->compact ? "\":" : "\": ", w->compact ? 2 : 3);
        }
        if (op->kind == FD_FLAT_OPEN) {
            text_add(&x, "{", 1);
            firsts[++lvl] = true;
        }
    }
    if (!t->off || x.failed || x.n > UINT32_MAX) {
        free(t->off);
        free(x.p);
        *t = (json_tmpl){ 0 };
        return false;
    }
    t->off[f->nops] = (uint32_t)x.n;
    t->f = f;
    t->depth = depth;
    t->text = x.p;
    return true;
}

static const json_tmpl *json_tmpl_get(json_w *w, const fd_flat *f, size_t depth)
{
    for (unsigned k = 0; k < JSON_TMPLS; k++)
        if (w->tmpls[k].f == f && w->tmpls[k].depth == depth)
            return &w->tmpls[k];
    json_tmpl *t = &w->tmpls[w->next_tmpl++ % JSON_TMPLS];
    free(t->text);
    free(t->off);
    *t = (json_tmpl){ 0 };
    return json_tmpl_build(w, t, f, depth) ? t : NULL;
}

/* An element by its program f, with f's text t at this depth, as json_item
 * writes it (the first of its array without a comma before it). */
static void json_flat_write(json_w *w, const fd_flat *f, const json_tmpl *t, size_t depth, bool first)
{
    fd_emit_ctx *c = w->c;
    if (!first)
        fd_emit_putc(c, ',');
    for (uint32_t k = 0; k < f->nops; k++) {
        const char *seg = t->text + t->off[k];
        size_t n = t->off[k + 1] - t->off[k];
        /* A fixed-size copy: short variable ones compile to a library call. */
        if (n <= JSON_TMPL_SLACK && FD_EMIT_BUFSZ - c->len >= JSON_TMPL_SLACK) {
            memcpy(c->buf + c->len, seg, JSON_TMPL_SLACK);
            c->len += n;
        } else {
            fd_emit_put(c, seg, n);
        }
        uint8_t kind = f->ops[k].kind;
        if (kind == FD_FLAT_OPEN || kind == FD_FLAT_CLOSE)
            continue;
        const fd_value *v = &f->vals[k];
        if (v->kind == FD_INT && (v->flags & FD_VF_UNSIGNED))
            fd_emit_u64(c, v->v.u);
        else
            json_value(w, v, depth);
    }
}

/* Element i the object way. */
static void json_elem(json_w *w, const fd_value *v, size_t i, size_t depth)
{
    fd_emit_ctx *c = w->c;
    fd_emit_push_index(c, i);
    fd_brief hold;
    fd_value e = fd_emit_elem(*v, i, &hold);
    json_item(w, &e, depth + 1, NULL, i == 0);
    fd_emit_elem_done(*v, &hold);
    fd_emit_pop(c);
}

static void json_array(json_w *w, const fd_value *v, size_t depth)
{
    fd_emit_ctx *c = w->c;
    size_t n = fd_array_len(*v);
    if (n == 0) {
        fd_emit_put(c, "[]", 2);
        return;
    }
    fd_flat_run run;
    fd_emit_flat_start(c, &run, *v, !w->spans, false);
    fd_emit_putc(c, '[');
    for (size_t i = 0; i < n && !c->stop; i++) {
        int how = fd_emit_flat_prepare(c, &run, i);
        const json_tmpl *t = how == FD_FLAT_READY ? json_tmpl_get(w, run.f, depth + 1) : NULL;
        if (t && fd_emit_flat_commit(c, &run, fd_flat_need(run.f, depth + 1, run.nbytes))) {
            json_flat_write(w, run.f, t, depth + 1, i == 0);
            continue;
        }
        json_elem(w, v, i, depth);
        if (how == FD_FLAT_MEASURE)
            fd_emit_flat_measured(c, &run);
    }
    json_newline(w, depth);
    fd_emit_putc(c, ']');
}

static void json_struct(json_w *w, const fd_value *v, size_t depth)
{
    fd_emit_ctx *c = w->c;
    size_t n = fd_struct_nfields(*v);
    bool first = true, noted = false;
    fd_emit_putc(c, '{');
    if (w->spans) {
        /* The struct's own room was checked with its brackets; its span is small. */
        fd_span sp;
        json_newline(w, depth + 1);
        json_key(w, "_span", 5);
        if (fd_struct_span(*v, &sp)) {
            json_span_open(w, &sp);
            fd_emit_putc(c, '}');
        } else {
            fd_emit_put(c, "null", 4);
        }
        first = false;
    }
    for (size_t i = 0; i < n && !c->stop; i++) {
        const char *name = fd_emit_field(c, *v, i, &noted);
        if (!name)
            continue;
        fd_emit_push_name(c, name);
        fd_value f = fd_struct_field(*v, i);
        json_item(w, &f, depth + 1, name, first);
        fd_emit_pop(c);
        first = false;
    }
    const fd_error *err = c->stop ? NULL : fd_emit_own_error(c, *v, noted);
    if (err) {
        uint64_t need = 4 + 2 * (uint64_t)depth + 10 + json_error_len(c, err);
        bool fits = fd_emit_fits(c, *v, need);
        if (!first)
            fd_emit_putc(c, ',');
        first = false;
        json_newline(w, depth + 1);
        json_key(w, "_error", 6);
        if (!fits)
            fd_emit_tripped(c, *v, &c->scratch);
        json_error_body(c, &c->scratch, w->compact);
    }
    if (w->spans && !c->stop)
        json_field_spans(w, *v, depth, &first);
    if (!first)
        json_newline(w, depth);
    fd_emit_putc(c, '}');
}

static void json_value(json_w *w, const fd_value *v, size_t depth)
{
    fd_emit_ctx *c = w->c;
    switch (v->kind) {
    case FD_BOOL:
        if (fd_value_bool(*v))
            fd_emit_put(c, "true", 4);
        else
            fd_emit_put(c, "false", 5);
        return;
    case FD_INT:
        fd_emit_int_value(c, *v);
        return;
    case FD_FLOAT: {
        char buf[40];
        size_t n = fd_emit_format_double(fd_value_float(*v), buf, sizeof buf);
        if (n)
            fd_emit_put(c, buf, n);
        else
            fd_emit_put(c, "null", 4);
        return;
    }
    case FD_STR: {
        size_t n = 0;
        const char *s = fd_value_str(*v, &n);
        fd_emit_json_string(c, s ? s : "", s ? n : 0);
        return;
    }
    case FD_BYTES: {
        size_t n = 0;
        const uint8_t *p = fd_value_bytes(*v, &n);
        fd_emit_putc(c, '"');
        if (p)
            fd_emit_hex_bytes(c, p, n, false);
        fd_emit_putc(c, '"');
        return;
    }
    case FD_ENUM: {
        const char *name = fd_value_enum_name(*v);
        if (name)
            fd_emit_json_string(c, name, strlen(name));
        else
            fd_emit_int_value(c, *v);
        return;
    }
    case FD_ARRAY:
    case FD_STRUCT: {
        fd_emit_guard g = fd_emit_enter(c, *v);
        if (g != FD_EMIT_GO) {
            json_cut(w, g);
            return;
        }
        if (v->kind == FD_ARRAY)
            json_array(w, v, depth);
        else
            json_struct(w, v, depth);
        fd_emit_leave(c, *v);
        return;
    }
    case FD_ERROR:
        fd_emit_value_error(c, *v, &c->scratch);
        json_error_value(w, &c->scratch);
        return;
    case FD_NULL:
    case FD_STREAM:
    case FD_TYPE:
    default:
        fd_emit_put(c, "null", 4);
        return;
    }
}

void fd_emit_json_body(fd_emit_ctx *c, fd_value v, bool compact, bool spans)
{
    json_w *w = malloc(sizeof *w);
    if (!w) {
        c->failed = true;
        return;
    }
    w->c = c;
    w->compact = compact;
    w->spans = spans;
    w->next_tmpl = 0;
    memset(w->tmpls, 0, sizeof w->tmpls);
    /* Zeroed: a key is copied with the rest of its slot. */
    memset(w->keys, 0, sizeof w->keys);
    fd_emit_layout(c, compact ? 1 : 2, compact ? 0 : 1, c->tail);
    if (fd_emit_fits(c, v, json_bound(w, &v, 0))) {
        json_value(w, &v, 0);
    } else {
        fd_emit_tripped(c, v, &c->scratch);
        json_error_value(w, &c->scratch);
    }
    for (unsigned k = 0; k < JSON_TMPLS; k++) {
        free(w->tmpls[k].text);
        free(w->tmpls[k].off);
    }
    free(w);
}

void fd_emit_json_tree(fd_emit_ctx *c, fd_value v, const fd_emit_opts *opts)
{
    fd_emit_json_body(c, v, opts->compact, opts->spans);
    fd_emit_putc(c, '\n');
}

int fd_emit_json_value(FILE *out, fd_value v, bool compact)
{
    fd_emit_ctx *c = fd_emit_ctx_new(fd_emit_file_sink, out, NULL);
    if (!c)
        return -1;
    uint64_t work;
    fd_doc *doc = fd_walk_begin(v, &work);
    fd_emit_json_body(c, v, compact, false);
    fd_walk_end(doc, work);
    return fd_emit_ctx_free(c, NULL);
}

int fd_emit_json_error(FILE *out, const fd_error *err)
{
    fd_emit_ctx *c = fd_emit_ctx_new(fd_emit_file_sink, out, NULL);
    if (!c)
        return -1;
    json_error_body(c, err, false);
    return fd_emit_ctx_free(c, NULL);
}

int fd_emit_json_text(FILE *out, const char *s, size_t n)
{
    fd_emit_ctx *c = fd_emit_ctx_new(fd_emit_file_sink, out, NULL);
    if (!c)
        return -1;
    fd_emit_json_string(c, s, n);
    return fd_emit_ctx_free(c, NULL);
}
