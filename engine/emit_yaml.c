/* emit_yaml.c - the YAML writer: the JSON mapping in block style through libyaml's emitter. */
#include "emit.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>
#include <yaml.h>

typedef struct yaml_w {
    yaml_emitter_t em;
    fd_emit_ctx *c;
    bool failed;
    size_t level;          /* open collections, for the indentation in the bounds */
    uint64_t planned;      /* upper bound of the bytes libyaml writes for what it was sent */
    char *hex;             /* scratch for byte arrays as hex, reused */
    size_t hexcap;
} yaml_w;

/* libyaml buffers output and holds events back, so the bytes it has written
 * lag behind; the budget is checked against `planned` instead, the sum of
 * each scalar's worst case: 2 spaces of indentation per level, a key or
 * item prefix, quotes, and per byte: 1, 2 for a quote or backslash (doubled
 * or escaped), 4 for a control byte (`\xNN`), 3 for a byte of a multibyte
 * character or of an invalid one (U+FFFD), and for a line break in single
 * quotes a new indented line.  Without `exact` every byte is taken as the
 * worst (no walk). */
static uint64_t yaml_bound(const yaml_w *w, const char *s, size_t n, bool exact)
{
    uint64_t line = 2 * (uint64_t)w->level + 8;
    if (!exact)
        return line + 2 + (uint64_t)n * (line + 6);
    uint64_t total = line + 2;
    for (size_t k = 0; k < n; k++) {
        unsigned char b = (unsigned char)s[k];
        /* \n, \r, and the last byte of NEL (c2 85), LS and PS (e2 80 a8/a9). */
        if (b == '\n' || b == '\r' || b == 0x85 || b == 0xa8 || b == 0xa9)
            total += line + 2;
        else if (b < 0x20 || b == 0x7f)
            total += 4;
        else if (b >= 0x80)
            total += 3;
        else
            total += b == '\'' || b == '"' || b == '\\' ? 2 : 1;
    }
    return total;
}

static int yaml_out(void *data, unsigned char *buf, size_t size)
{
    fd_emit_put(data, (const char *)buf, size);
    return 1;
}

/* Emit an initialized event (ok != 0); after a failure events are dropped. */
static void yaml_send(yaml_w *w, yaml_event_t *ev, int ok)
{
    if (!ok) {
        w->failed = true;
        return;
    }
    if (w->failed) {
        yaml_event_delete(ev);
        return;
    }
    if (!yaml_emitter_emit(&w->em, ev))
        w->failed = true;
}

/* Whether s can go out plain without reading back as a number, bool or null:
 * it starts with a letter and is none of YAML 1.1's reserved words. */
static bool yaml_plain_safe(const char *s, size_t n)
{
    static const char *const reserved[] = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"};
    if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return false;
    for (size_t k = 0; k < sizeof reserved / sizeof reserved[0]; k++)
        if (strlen(reserved[k]) == n && strncasecmp(reserved[k], s, n) == 0)
            return false;
    return true;
}

/* A copy of s with each invalid UTF-8 byte replaced by U+FFFD (malloc'd). */
static char *yaml_fix_utf8(const char *s, size_t n, size_t *outn)
{
    if (n > (SIZE_MAX - 1) / 3)
        return NULL;
    char *o = malloc(3 * n + 1);
    size_t j = 0;
    if (!o)
        return NULL;
    for (size_t i = 0; i < n;) {
        size_t len = fd_emit_utf8_len((const unsigned char *)s + i, n - i);
        if (len) {
            memcpy(o + j, s + i, len);
            i += len;
            j += len;
        } else {
            memcpy(o + j, "\xef\xbf\xbd", 3);
            i++;
            j += 3;
        }
    }
    *outn = j;
    return o;
}

/* One scalar; `plain` says it may be written unquoted (numbers, null, safe
 * words); bound is its yaml_bound, 0 to have it computed. */
static void yaml_scalar_b(yaml_w *w, const char *s, size_t n, bool plain, uint64_t bound)
{
    yaml_event_t ev;
    w->planned += bound ? bound : yaml_bound(w, s, n, true);
    if (n > INT_MAX) {
        w->failed = true;
        return;
    }
    int ok = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)n, plain, 1,
                                          YAML_ANY_SCALAR_STYLE);
    if (!ok) {
        size_t fn = 0;
        char *fixed = yaml_fix_utf8(s, n, &fn);
        ok = fixed && fn <= INT_MAX &&
             yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)fixed, (int)fn, plain, 1,
                                          YAML_ANY_SCALAR_STYLE);
        free(fixed);
    }
    yaml_send(w, &ev, ok);
}

static void yaml_scalar(yaml_w *w, const char *s, size_t n, bool plain)
{
    yaml_scalar_b(w, s, n, plain, 0);
}

static void yaml_word(yaml_w *w, const char *s)
{
    size_t n = strlen(s);
    yaml_scalar(w, s, n, yaml_plain_safe(s, n));
}

static void yaml_plain(yaml_w *w, const char *s)
{
    yaml_scalar(w, s, strlen(s), true);
}

/* An empty collection is written `{}` or `[]` on its key's line. */
static void yaml_open(yaml_w *w, bool seq)
{
    yaml_event_t ev;
    w->planned += 2 * (uint64_t)w->level + 8;
    w->level++;
    if (seq)
        yaml_send(w, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
    else
        yaml_send(w, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static void yaml_close(yaml_w *w, bool seq)
{
    yaml_event_t ev;
    w->level--;
    if (seq)
        yaml_send(w, &ev, yaml_sequence_end_event_initialize(&ev));
    else
        yaml_send(w, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void yaml_map_start(yaml_w *w)
{
    yaml_open(w, false);
}

static void yaml_map_end(yaml_w *w)
{
    yaml_close(w, false);
}

static void yaml_u64(yaml_w *w, uint64_t u, bool neg)
{
    char tmp[24];
    char *p = fd_emit_fmt_u64(tmp, u);
    if (neg)
        *--p = '-';
    yaml_scalar(w, p, (size_t)(tmp + sizeof tmp - p), true);
}

static void yaml_int(yaml_w *w, fd_value v)
{
    if (fd_value_is_unsigned(v) || fd_value_int(v) >= 0)
        yaml_u64(w, fd_value_uint(v), false);
    else
        yaml_u64(w, (uint64_t)0 - (uint64_t)fd_value_int(v), true);
}

static void yaml_error(yaml_w *w, const fd_error *err)
{
    yaml_map_start(w);
    yaml_plain(w, "kind");
    yaml_word(w, fd_errkind_name(err->kind));
    yaml_plain(w, "message");
    yaml_scalar(w, err->message, strnlen(err->message, sizeof err->message), false);
    yaml_plain(w, "offset");
    if (err->offset >= 0)
        yaml_u64(w, (uint64_t)err->offset, false);
    else
        yaml_plain(w, "null");
    yaml_plain(w, "path");
    yaml_scalar(w, err->path, strnlen(err->path, sizeof err->path), false);
    yaml_plain(w, "file");
    if (err->file[0])
        yaml_scalar(w, err->file, strnlen(err->file, sizeof err->file), false);
    else
        yaml_plain(w, "null");
    yaml_plain(w, "line");
    yaml_u64(w, err->line > 0 ? (uint64_t)err->line : 0, false);
    yaml_plain(w, "col");
    yaml_u64(w, err->col > 0 ? (uint64_t)err->col : 0, false);
    yaml_map_end(w);
}

static void yaml_bytes(yaml_w *w, fd_value v)
{
    size_t n = 0;
    const uint8_t *p = fd_value_bytes(v, &n);
    static const char hexdig[] = "0123456789abcdef";
    if (!p)
        n = 0;
    if (n > (size_t)(INT_MAX / 2)) {
        w->failed = true;
        return;
    }
    if (2 * n + 1 > w->hexcap) {
        char *hex = realloc(w->hex, 2 * n + 1);
        if (!hex) {
            w->failed = true;
            return;
        }
        w->hex = hex;
        w->hexcap = 2 * n + 1;
    }
    for (size_t k = 0; k < n; k++) {
        w->hex[2 * k] = hexdig[p[k] >> 4];
        w->hex[2 * k + 1] = hexdig[p[k] & 15];
    }
    /* Hex digits need no escape: at most quoted. */
    yaml_scalar_b(w, w->hex, 2 * n, false, 2 * (uint64_t)w->level + 12 + 2 * (uint64_t)n);
}

/* Bytes yaml_error writes for err under a key, at most: its mapping one
 * level deeper, seven keys. */
static uint64_t yaml_error_bound(yaml_w *w, const fd_error *err)
{
    w->level += 2;
    uint64_t n = 16 * (2 * (uint64_t)w->level + 16) +
                 yaml_bound(w, err->message, strnlen(err->message, sizeof err->message), true) +
                 yaml_bound(w, err->path, strnlen(err->path, sizeof err->path), true) +
                 yaml_bound(w, err->file, strnlen(err->file, sizeof err->file), true);
    w->level -= 2;
    return n;
}

/* Bytes v takes at most (its subtree aside); a long string is walked for
 * its line breaks only when the rough bound does not fit. */
static uint64_t yaml_value_bound(yaml_w *w, fd_value v, uint64_t before)
{
    size_t n = 0;
    switch (fd_value_kind(v)) {
    case FD_STR: {
        const char *s = fd_value_str(v, &n);
        uint64_t rough = yaml_bound(w, s, n, false);
        if (s && w->c->limit && !fd_emit_room(w->c, w->planned, before + rough))
            return yaml_bound(w, s, n, true);
        return rough;
    }
    case FD_BYTES:
        fd_value_bytes(v, &n);
        return 2 * (uint64_t)w->level + 12 + 2 * (uint64_t)n;
    case FD_ENUM: {
        const char *name = fd_value_enum_name(v);
        return name ? yaml_bound(w, name, strlen(name), true) : yaml_bound(w, NULL, 20, false);
    }
    case FD_ERROR:
        fd_value_error(v, &w->c->scratch);
        return yaml_error_bound(w, &w->c->scratch);
    default:
        return 2 * (uint64_t)w->level + 40;
    }
}

static void yaml_value(yaml_w *w, fd_value v);

/* The LimitError that takes the place of a value the budget has no room for. */
static void yaml_tripped(yaml_w *w, fd_value v)
{
    fd_emit_tripped(w->c, v, &w->c->scratch);
    yaml_map_start(w);
    yaml_plain(w, "_error");
    yaml_error(w, &w->c->scratch);
    yaml_map_end(w);
}

/* One mapping key (name) or sequence item and its value, or the LimitError. */
static void yaml_item(yaml_w *w, fd_value v, const char *name)
{
    uint64_t before = name ? yaml_bound(w, name, strlen(name), true) : 0;
    bool fits = fd_emit_fits_at(w->c, v, w->planned, before + yaml_value_bound(w, v, before));
    if (name)
        yaml_word(w, name);
    if (fits)
        yaml_value(w, v);
    else
        yaml_tripped(w, v);
}

static void yaml_container(yaml_w *w, fd_value v)
{
    fd_emit_ctx *c = w->c;
    fd_emit_guard g = fd_emit_enter(c, v);
    if (g != FD_EMIT_GO) {
        yaml_map_start(w);
        yaml_plain(w, g == FD_EMIT_CYCLE ? "_cycle" : g == FD_EMIT_TOO_DEEP ? "_depth_limit" : "_node_limit");
        yaml_plain(w, "true");
        yaml_map_end(w);
        return;
    }
    if (fd_value_kind(v) == FD_ARRAY) {
        size_t n = fd_array_len(v);
        yaml_open(w, true);
        for (size_t i = 0; i < n && !w->failed && !c->stop; i++) {
            fd_emit_push_index(c, i);
            fd_brief hold;
            yaml_item(w, fd_emit_elem(v, i, &hold), NULL);
            fd_emit_elem_done(v, &hold);
            fd_emit_pop(c);
        }
        yaml_close(w, true);
    } else {
        size_t n = fd_struct_nfields(v);
        bool noted = false;
        yaml_map_start(w);
        for (size_t i = 0; i < n && !w->failed && !c->stop; i++) {
            const char *name = fd_emit_field(c, v, i, &noted);
            if (!name)
                continue;
            fd_emit_push_name(c, name);
            yaml_item(w, fd_struct_field(v, i), name);
            fd_emit_pop(c);
        }
        const fd_error *err = c->stop ? NULL : fd_emit_own_error(c, v, noted);
        if (err) {
            uint64_t need = yaml_error_bound(w, err);
            bool fits = fd_emit_fits_at(c, v, w->planned, need);
            yaml_plain(w, "_error");
            if (!fits)
                fd_emit_tripped(c, v, &c->scratch);
            yaml_error(w, &c->scratch);
        }
        yaml_map_end(w);
    }
    fd_emit_leave(c, v);
}

static void yaml_value(yaml_w *w, fd_value v)
{
    switch (fd_value_kind(v)) {
    case FD_BOOL:
        yaml_plain(w, fd_value_bool(v) ? "true" : "false");
        return;
    case FD_INT:
        yaml_int(w, v);
        return;
    case FD_FLOAT: {
        char buf[40];
        double d = fd_value_float(v);
        size_t n = fd_emit_format_double(d, buf, sizeof buf);
        char *e = n ? strchr(buf, 'e') : NULL;
        /* YAML 1.1 reads "4e-05" as a string: its floats need a dot. */
        if (e && !memchr(buf, '.', (size_t)(e - buf)) && n + 2 < sizeof buf) {
            memmove(e + 2, e, n - (size_t)(e - buf) + 1);
            e[0] = '.';
            e[1] = '0';
        }
        if (n)
            yaml_plain(w, buf);
        else
            yaml_plain(w, isnan(d) ? ".nan" : d < 0 ? "-.inf" : ".inf");
        return;
    }
    case FD_STR: {
        size_t n = 0;
        const char *s = fd_value_str(v, &n);
        if (!s)
            n = 0;
        yaml_scalar(w, s ? s : "", n, yaml_plain_safe(s, n));
        return;
    }
    case FD_BYTES:
        yaml_bytes(w, v);
        return;
    case FD_ENUM: {
        const char *name = fd_value_enum_name(v);
        if (name)
            yaml_word(w, name);
        else
            yaml_int(w, v);
        return;
    }
    case FD_ARRAY:
    case FD_STRUCT:
        yaml_container(w, v);
        return;
    case FD_ERROR:
        fd_emit_value_error(w->c, v, &w->c->scratch);
        yaml_map_start(w);
        yaml_plain(w, "_error");
        yaml_error(w, &w->c->scratch);
        yaml_map_end(w);
        return;
    case FD_NULL:
    case FD_STREAM:
    case FD_TYPE:
    default:
        yaml_plain(w, "null");
        return;
    }
}

int fd_emit_yaml(fd_emit_ctx *c, fd_value v, const fd_emit_opts *opts)
{
    yaml_w w = {.c = c};
    yaml_event_t ev;
    /* The marker's lines are indented at the level where it stops. */
    fd_emit_layout(c, 20, 0, 0);
    if (!yaml_emitter_initialize(&w.em))
        return -1;
    yaml_emitter_set_output(&w.em, yaml_out, c);
    yaml_emitter_set_unicode(&w.em, 1);
    yaml_emitter_set_width(&w.em, -1);
    yaml_emitter_set_indent(&w.em, 2);
    yaml_send(&w, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    yaml_send(&w, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
    w.planned = 16;
    if (fd_emit_fits_at(c, v, w.planned, yaml_value_bound(&w, v, 0)))
        yaml_value(&w, v);
    else
        yaml_tripped(&w, v);
    yaml_send(&w, &ev, yaml_document_end_event_initialize(&ev, 1));
    yaml_send(&w, &ev, yaml_stream_end_event_initialize(&ev));
    if (!w.failed && !yaml_emitter_flush(&w.em))
        w.failed = true;
    yaml_emitter_delete(&w.em);
    free(w.hex);
    return w.failed ? -1 : 0;
}
