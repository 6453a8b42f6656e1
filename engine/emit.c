/* emit.c - fd_emit and the helpers the JSON, text and YAML writers share. */
#include "emit.h"
#include "version.h"

#include <math.h>
#include <stdlib.h>

#define EMIT_DEFAULT_MAX_BYTES 32

int fd_emit(FILE *out, fd_value v, const fd_emit_opts *opts)
{
    fd_emit_opts o = fd_emit_opts_read(opts);
    switch (o.format) {
    case FD_OUT_JSON:
        return fd_emit_json_doc(out, v, o.compact);
    case FD_OUT_YAML:
        return fd_emit_yaml(out, v);
    case FD_OUT_TEXT:
    default:
        return fd_emit_text(out, v, o.max_bytes ? o.max_bytes : EMIT_DEFAULT_MAX_BYTES);
    }
}

fd_emit_ctx *fd_emit_ctx_new(FILE *out)
{
    fd_emit_ctx *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    c->out = out;
    c->failed = false;
    c->len = 0;
    c->depth = 0;
    c->nodes = 0;
    c->max_nodes = 0;
    c->nanc = 0;
    return c;
}

static void emit_flush(fd_emit_ctx *c)
{
    if (c->len && !c->failed && fwrite(c->buf, 1, c->len, c->out) != c->len)
        c->failed = true;
    c->len = 0;
}

int fd_emit_ctx_free(fd_emit_ctx *c)
{
    if (!c)
        return -1;
    emit_flush(c);
    if (!c->failed && fflush(c->out) != 0)
        c->failed = true;
    int rc = c->failed ? -1 : 0;
    free(c);
    return rc;
}

void fd_emit_spill(fd_emit_ctx *c, const char *s, size_t n)
{
    emit_flush(c);
    if (n >= FD_EMIT_BUFSZ) {
        if (!c->failed && fwrite(s, 1, n, c->out) != n)
            c->failed = true;
        return;
    }
    memcpy(c->buf, s, n);
    c->len = n;
}

void fd_emit_indent(fd_emit_ctx *c, size_t n)
{
    static const char spaces[64] = "                                                                ";
    while (n > sizeof spaces) {
        fd_emit_put(c, spaces, sizeof spaces);
        n -= sizeof spaces;
    }
    fd_emit_put(c, spaces, n);
}

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

void fd_emit_u64(fd_emit_ctx *c, uint64_t u)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    while (u >= 100) {
        unsigned d = (unsigned)(u % 100) * 2;
        u /= 100;
        *--p = digit_pairs[d + 1];
        *--p = digit_pairs[d];
    }
    if (u >= 10) {
        unsigned d = (unsigned)u * 2;
        *--p = digit_pairs[d + 1];
        *--p = digit_pairs[d];
    } else {
        *--p = (char)('0' + u);
    }
    fd_emit_put(c, p, (size_t)(tmp + sizeof tmp - p));
}

void fd_emit_i64(fd_emit_ctx *c, int64_t i)
{
    if (i < 0) {
        fd_emit_putc(c, '-');
        fd_emit_u64(c, (uint64_t)0 - (uint64_t)i);
    } else {
        fd_emit_u64(c, (uint64_t)i);
    }
}

static const char hexdig[] = "0123456789abcdef";

void fd_emit_hex(fd_emit_ctx *c, uint64_t u)
{
    char tmp[18];
    char *p = tmp + sizeof tmp;
    do {
        *--p = hexdig[u & 15];
        u >>= 4;
    } while (u);
    *--p = 'x';
    *--p = '0';
    fd_emit_put(c, p, (size_t)(tmp + sizeof tmp - p));
}

void fd_emit_int_value(fd_emit_ctx *c, fd_value v)
{
    if (fd_value_is_unsigned(v))
        fd_emit_u64(c, fd_value_uint(v));
    else
        fd_emit_i64(c, fd_value_int(v));
}

size_t fd_emit_format_double(double d, char *buf, size_t cap)
{
    if (!isfinite(d) || cap < 32)
        return 0;
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, cap, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    if (n < 0)
        return 0;
    if (!strpbrk(buf, ".e")) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    return (size_t)n;
}

size_t fd_emit_utf8_len(const unsigned char *s, size_t n)
{
    unsigned b = s[0];
    size_t len;
    uint32_t cp;
    if (b < 0x80)
        return 1;
    if (b >= 0xc2 && b <= 0xdf) {
        len = 2;
        cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
        len = 3;
        cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        len = 4;
        cp = b & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

/* 0: copy as is; 'u': \u00XX; otherwise the letter after the backslash. */
static const char json_esc[128] = {
    ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r',
    [0] = 'u', [1] = 'u', [2] = 'u', [3] = 'u', [4] = 'u', [5] = 'u', [6] = 'u', [7] = 'u',
    [11] = 'u', [14] = 'u', [15] = 'u', [16] = 'u', [17] = 'u', [18] = 'u', [19] = 'u',
    [20] = 'u', [21] = 'u', [22] = 'u', [23] = 'u', [24] = 'u', [25] = 'u', [26] = 'u',
    [27] = 'u', [28] = 'u', [29] = 'u', [30] = 'u', [31] = 'u', [127] = 'u',
    ['"'] = '"', ['\\'] = '\\',
};

void fd_emit_json_string(fd_emit_ctx *c, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0;
    fd_emit_putc(c, '"');
    while (i < n) {
        unsigned b = s[i];
        if (b < 0x80 && !json_esc[b]) {
            i++;
            continue;
        }
        fd_emit_put(c, (const char *)s + run, i - run);
        if (b < 0x80) {
            char e[6] = {'\\', json_esc[b], '0', '0', hexdig[b >> 4], hexdig[b & 15]};
            fd_emit_put(c, e, e[1] == 'u' ? 6 : 2);
            i++;
        } else {
            size_t len = fd_emit_utf8_len(s + i, n - i);
            if (len) {
                fd_emit_put(c, (const char *)s + i, len);
                i += len;
            } else {
                fd_emit_put(c, "\\ufffd", 6);
                i++;
            }
        }
        run = i;
    }
    fd_emit_put(c, (const char *)s + run, n - run);
    fd_emit_putc(c, '"');
}

void fd_emit_hex_bytes(fd_emit_ctx *c, const uint8_t *p, size_t n, bool sep)
{
    size_t per = sep ? 3 : 2;
    while (n) {
        if (FD_EMIT_BUFSZ - c->len < per)
            emit_flush(c);
        size_t chunk = (FD_EMIT_BUFSZ - c->len) / per;
        if (chunk > n)
            chunk = n;
        char *o = c->buf + c->len;
        for (size_t k = 0; k < chunk; k++) {
            if (sep)
                *o++ = ' ';
            *o++ = hexdig[p[k] >> 4];
            *o++ = hexdig[p[k] & 15];
        }
        c->len += chunk * per;
        p += chunk;
        n -= chunk;
    }
}

void fd_emit_error_line(fd_emit_ctx *c, const fd_error *err)
{
    fd_emit_puts(c, fd_errkind_name(err->kind));
    fd_emit_put(c, ": ", 2);
    fd_emit_put(c, err->message, strnlen(err->message, sizeof err->message));
    if (err->offset >= 0) {
        fd_emit_put(c, " @", 2);
        fd_emit_hex(c, (uint64_t)err->offset);
    }
    if (err->path[0]) {
        fd_emit_putc(c, ' ');
        fd_emit_put(c, err->path, strnlen(err->path, sizeof err->path));
    }
}

const char *fd_emit_field_shown(fd_value obj, size_t i)
{
    if (fd_struct_field_is_param(obj, i))
        return NULL;
    if (!fd_struct_field_is_instance(obj, i) && !fd_struct_field_reached(obj, i))
        return NULL;
    return fd_struct_field_name(obj, i);
}

void fd_emit_value_error(fd_value v, fd_error *err)
{
    memset(err, 0, sizeof *err);
    err->offset = -1;
    if (!fd_value_error(v, err))
        err->kind = FD_ERR_NONE;
}

/* Identity of a struct: the object it refers to.  No accessor exposes it, so
 * this one place reads the value's pointer; equal pointers are the same object. */
static const void *emit_identity(fd_value v)
{
    return v.v.p;
}

fd_emit_guard fd_emit_enter(fd_emit_ctx *c, fd_value v)
{
    if (c->depth >= FD_EMIT_MAX_DEPTH)
        return FD_EMIT_TOO_DEEP;
    if (!c->max_nodes && fd_value_kind(v) == FD_STRUCT)
        c->max_nodes = fd_node_budget(v);
    if (c->max_nodes && c->nodes >= c->max_nodes)
        return FD_EMIT_BUDGET;
    if (fd_value_kind(v) == FD_STRUCT) {
        fd_emit_anc me = {emit_identity(v), fd_struct_type_name(v), fd_struct_offset(v)};
        for (size_t k = 0; k < c->nanc; k++) {
            const fd_emit_anc *a = &c->anc[k];
            if (a->id == me.id || (me.offset >= 0 && a->offset == me.offset && a->type == me.type))
                return FD_EMIT_CYCLE;
        }
        c->anc[c->nanc++] = me;
    }
    c->depth++;
    c->nodes++;
    return FD_EMIT_GO;
}

void fd_emit_leave(fd_emit_ctx *c, fd_value v)
{
    c->depth--;
    if (fd_value_kind(v) == FD_STRUCT)
        c->nanc--;
}
