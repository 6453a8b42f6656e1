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
} yaml_w;

static int yaml_sink(void *data, unsigned char *buf, size_t size)
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

/* One scalar; `plain` says it may be written unquoted (numbers, null, safe words). */
static void yaml_scalar(yaml_w *w, const char *s, size_t n, bool plain)
{
    yaml_event_t ev;
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

static void yaml_word(yaml_w *w, const char *s)
{
    size_t n = strlen(s);
    yaml_scalar(w, s, n, yaml_plain_safe(s, n));
}

static void yaml_plain(yaml_w *w, const char *s)
{
    yaml_scalar(w, s, strlen(s), true);
}

static void yaml_map_start(yaml_w *w)
{
    yaml_event_t ev;
    yaml_send(w, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static void yaml_map_end(yaml_w *w)
{
    yaml_event_t ev;
    yaml_send(w, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void yaml_u64(yaml_w *w, uint64_t u, bool neg)
{
    char buf[24];
    snprintf(buf, sizeof buf, neg ? "-%llu" : "%llu", (unsigned long long)u);
    yaml_plain(w, buf);
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
    char *hex = malloc(2 * n + 1);
    if (!hex) {
        w->failed = true;
        return;
    }
    for (size_t k = 0; k < n; k++) {
        hex[2 * k] = hexdig[p[k] >> 4];
        hex[2 * k + 1] = hexdig[p[k] & 15];
    }
    yaml_scalar(w, hex, 2 * n, false);
    free(hex);
}

static void yaml_value(yaml_w *w, fd_value v);

static void yaml_container(yaml_w *w, fd_value v)
{
    yaml_event_t ev;
    fd_emit_guard g = fd_emit_enter(w->c, v);
    if (g != FD_EMIT_GO) {
        yaml_map_start(w);
        yaml_plain(w, g == FD_EMIT_CYCLE ? "_cycle" : g == FD_EMIT_TOO_DEEP ? "_depth_limit" : "_node_limit");
        yaml_plain(w, "true");
        yaml_map_end(w);
        return;
    }
    if (fd_value_kind(v) == FD_ARRAY) {
        size_t n = fd_array_len(v);
        yaml_send(w, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
        for (size_t i = 0; i < n && !w->failed; i++)
            yaml_value(w, fd_array_get(v, i));
        yaml_send(w, &ev, yaml_sequence_end_event_initialize(&ev));
    } else {
        size_t n = fd_struct_nfields(v);
        fd_error err;
        yaml_map_start(w);
        for (size_t i = 0; i < n && !w->failed; i++) {
            const char *name = fd_emit_field_shown(v, i);
            if (!name)
                continue;
            yaml_word(w, name);
            yaml_value(w, fd_struct_field(v, i));
        }
        if (fd_struct_error(v, &err)) {
            yaml_plain(w, "_error");
            yaml_error(w, &err);
        }
        yaml_map_end(w);
    }
    fd_emit_leave(w->c, v);
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
    case FD_ERROR: {
        fd_error err;
        fd_emit_value_error(v, &err);
        yaml_map_start(w);
        yaml_plain(w, "_error");
        yaml_error(w, &err);
        yaml_map_end(w);
        return;
    }
    case FD_NULL:
    case FD_STREAM:
    case FD_TYPE:
    default:
        yaml_plain(w, "null");
        return;
    }
}

int fd_emit_yaml(FILE *out, fd_value v)
{
    yaml_w w = {.c = fd_emit_ctx_new(out)};
    yaml_event_t ev;
    if (!w.c)
        return -1;
    if (!yaml_emitter_initialize(&w.em)) {
        fd_emit_ctx_free(w.c);
        return -1;
    }
    yaml_emitter_set_output(&w.em, yaml_sink, w.c);
    yaml_emitter_set_unicode(&w.em, 1);
    yaml_emitter_set_width(&w.em, -1);
    yaml_emitter_set_indent(&w.em, 2);
    yaml_send(&w, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    yaml_send(&w, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
    yaml_value(&w, v);
    yaml_send(&w, &ev, yaml_document_end_event_initialize(&ev, 1));
    yaml_send(&w, &ev, yaml_stream_end_event_initialize(&ev));
    if (!w.failed && !yaml_emitter_flush(&w.em))
        w.failed = true;
    yaml_emitter_delete(&w.em);
    int rc = fd_emit_ctx_free(w.c);
    return w.failed ? -1 : rc;
}
