/* emit.c - fd_emit, the sink and buffer, and the helpers every writer shares: formatting, guards, budget. */
#include "emit_flat.h"

#include "interp.h"
#include "io.h"
#include "value.h"
#include "version.h"

#include <assert.h>
#include <math.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>

static const char json_esc[128];

int fd_emit_file_sink(void *user, const char *buf, size_t n)
{
    FILE *f = user;
    int fd = n >= FD_EMIT_BUFSZ / 2 ? fileno(f) : -1;
    /* A large chunk goes to the descriptor itself, after a flush of what the
     * FILE holds: fwrite would first copy it into the FILE's own buffer. */
    if (fd < 0 || fflush(f) != 0)
        return fwrite(buf, 1, n, f) == n ? 0 : -1;
    return fd_io_write_all(fd, buf, n);
}

int fd_emit_sink(fd_sink_fn sink, void *user, fd_value v, const fd_emit_opts *opts)
{
    return fd_emit_sink_paths(sink, user, v, opts, false, NULL);
}

int fd_emit_sink_paths(fd_sink_fn sink, void *user, fd_value v, const fd_emit_opts *opts, bool objects_only,
                       uint64_t *by_program)
{
    /* Options read under the size convention (version.h): fields past the caller's size are zero. */
    fd_emit_opts o = fd_emit_opts_read(opts);
    opts = &o;
    fd_emit_ctx *c = fd_emit_ctx_new(sink, user, opts);
    if (!c) {
        if (opts->stats)
            *opts->stats = (fd_emit_stats){.first = {.offset = -1}};
        return -1;
    }
    c->objects_only = objects_only;
    int rc = 0;
    uint64_t work;
    fd_doc *doc = fd_walk_begin(v, &work);
    switch (opts->format) {
    case FD_OUT_JSON:
        fd_emit_json_tree(c, v, opts);
        break;
    case FD_OUT_YAML:
        rc = fd_emit_yaml(c, v, opts);
        break;
    case FD_OUT_HTML:
        fd_emit_html(c, v, opts);
        break;
    case FD_OUT_TEXT:
    default:
        fd_emit_text(c, v, opts);
        break;
    }
    fd_walk_end(doc, work);
    if (by_program)
        *by_program = c->by_program;
    int frc = fd_emit_ctx_free(c, opts);
    return rc ? rc : frc;
}

int fd_emit(FILE *out, fd_value v, const fd_emit_opts *opts)
{
    int rc = fd_emit_sink(fd_emit_file_sink, out, v, opts);
    if (fflush(out) != 0)
        rc = -1;
    return rc;
}

fd_emit_ctx *fd_emit_ctx_new(fd_sink_fn sink, void *user, const fd_emit_opts *opts)
{
    fd_emit_ctx *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    c->sink = sink;
    c->user = user;
    c->failed = false;
    c->stop = false;
    c->objects_only = false;
    c->by_program = 0;
    c->nflats = 0;
    c->len = 0;
    c->flushed = 0;
    c->esc = json_esc;
    c->max_output = opts ? opts->max_output : 0;
    c->tail = 0;
    c->close_cost = 0;
    c->close_sq = 0;
    c->depth = 0;
    fd_emit_set_limit(c);
    c->nodes = 0;
    c->max_nodes = 0;
    c->nanc = 0;
    c->nseg = 0;
    c->has_last = false;
    memset(&c->st, 0, sizeof c->st);
    c->st.first.offset = -1;
    return c;
}

static void emit_flush(fd_emit_ctx *c)
{
    if (c->len && !c->failed && c->sink(c->user, c->buf, c->len) != 0)
        c->failed = true;
    if (!c->failed)
        c->flushed += c->len;
    c->len = 0;
}

int fd_emit_ctx_free(fd_emit_ctx *c, const fd_emit_opts *opts)
{
    if (!c)
        return -1;
    emit_flush(c);
    for (uint32_t k = 0; k < c->nflats; k++)
        fd_flat_free(c->flats[k].f);
    int rc = c->failed ? -1 : 0;
    if (opts && opts->stats) {
        *opts->stats = c->st;
        opts->stats->bytes = c->flushed;
    }
    free(c);
    return rc;
}

void fd_emit_spill(fd_emit_ctx *c, const char *s, size_t n)
{
    emit_flush(c);
    if (n >= FD_EMIT_BUFSZ) {
        if (!c->failed && c->sink(c->user, s, n) != 0)
            c->failed = true;
        if (!c->failed)
            c->flushed += n;
        return;
    }
    memcpy(c->buf, s, n);
    c->len = n;
}

fd_value fd_emit_elem(fd_value arr, size_t i, fd_brief *hold)
{
    assert(arr.kind == FD_ARRAY && i < fd_v_as_arr(arr)->n);
    return fd_arr_brief_get(fd_v_as_arr(arr), i, hold);
}

void fd_emit_elem_done(fd_value arr, fd_brief *hold)
{
    fd_arr_brief_put(fd_v_as_arr(arr), hold);
}

/* A line break and up to 63 spaces of indentation: the writers start most
 * lines with it. */
static const char newline_spaces[64] = "\n                                                               ";

void fd_emit_indent(fd_emit_ctx *c, size_t n)
{
    const char *spaces = newline_spaces + 1;
    if (n < 63 && FD_EMIT_BUFSZ - c->len >= 63) {
        memcpy(c->buf + c->len, spaces, 63);
        c->len += n;
        return;
    }
    while (n > 63) {
        fd_emit_put(c, spaces, 63);
        n -= 63;
    }
    fd_emit_put(c, spaces, n);
}

void fd_emit_newline(fd_emit_ctx *c, size_t n)
{
    /* One fixed-size copy: a short variable one compiles to a library call. */
    if (n < sizeof newline_spaces && FD_EMIT_BUFSZ - c->len >= sizeof newline_spaces) {
        memcpy(c->buf + c->len, newline_spaces, sizeof newline_spaces);
        c->len += n + 1;
        return;
    }
    fd_emit_putc(c, '\n');
    fd_emit_indent(c, n);
}

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* The digits of u written backwards so that they end at end; returns the first. */
static char *digits_before(char *end, uint64_t u)
{
    char *p = end;
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
    return p;
}

char *fd_emit_fmt_u64(char tmp[24], uint64_t u)
{
    return digits_before(tmp + 24, u);
}

void fd_emit_u64(fd_emit_ctx *c, uint64_t u)
{
    static const uint64_t pow10[20] = {
        1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u, 1000000000u,
        10000000000u, 100000000000u, 1000000000000u, 10000000000000u, 100000000000000u,
        1000000000000000u, 10000000000000000u, 100000000000000000u, 1000000000000000000u,
        10000000000000000000u,
    };
    /* Straight into the buffer when the longest number fits: count the
     * digits first, then write them from the end.  t = bits * 1233 / 4096
     * (log10 2 is about 1233 / 4096) is the digit count or one below it. */
    if (FD_EMIT_BUFSZ - c->len >= 20) {
        unsigned bits = 64 - (unsigned)__builtin_clzll(u | 1), t = (bits * 1233) >> 12;
        size_t n = t + ((u | 1) >= pow10[t]);
        digits_before(c->buf + c->len + n, u);
        c->len += n;
        return;
    }
    char tmp[24];
    char *p = fd_emit_fmt_u64(tmp, u);
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
    /* INT and ENUM values hold the integer in v.v. */
    if (!(v.flags & FD_VF_UNSIGNED) && v.v.i < 0) {
        fd_emit_putc(c, '-');
        fd_emit_u64(c, (uint64_t)0 - v.v.u);
    } else {
        fd_emit_u64(c, v.v.u);
    }
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
#define JSON_ESC_COMMON \
    ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r', \
    [0] = 'u', [1] = 'u', [2] = 'u', [3] = 'u', [4] = 'u', [5] = 'u', [6] = 'u', [7] = 'u', \
    [11] = 'u', [14] = 'u', [15] = 'u', [16] = 'u', [17] = 'u', [18] = 'u', [19] = 'u', \
    [20] = 'u', [21] = 'u', [22] = 'u', [23] = 'u', [24] = 'u', [25] = 'u', [26] = 'u', \
    [27] = 'u', [28] = 'u', [29] = 'u', [30] = 'u', [31] = 'u', [127] = 'u', \
    ['"'] = '"', ['\\'] = '\\'

static const char json_esc[128] = {JSON_ESC_COMMON};
/* Inside an HTML <script> element: no `<`, `>` or `&`, so no `</script>`
 * or `<!--` can end or change it, whatever the strings hold. */
static const char html_esc[128] = {JSON_ESC_COMMON, ['<'] = 'u', ['>'] = 'u', ['&'] = 'u'};

void fd_emit_json_html(fd_emit_ctx *c)
{
    c->esc = html_esc;
}

void fd_emit_json_string(fd_emit_ctx *c, const char *str, size_t n)
{
    const char *esc = c->esc;
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0;
    fd_emit_putc(c, '"');
    while (i < n) {
        unsigned b = s[i];
        if (b < 0x80 && !esc[b]) {
            i++;
            continue;
        }
        fd_emit_put(c, (const char *)s + run, i - run);
        if (b < 0x80) {
            char e[6] = {'\\', esc[b], '0', '0', hexdig[b >> 4], hexdig[b & 15]};
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

uint64_t fd_emit_json_string_len(const fd_emit_ctx *c, const char *str, size_t n)
{
    const char *esc = c->esc;
    const unsigned char *s = (const unsigned char *)str;
    uint64_t len = 2;
    for (size_t i = 0; i < n;) {
        unsigned b = s[i];
        if (b < 0x80) {
            len += !esc[b] ? 1 : esc[b] == 'u' ? 6 : 2;
            i++;
            continue;
        }
        size_t u = fd_emit_utf8_len(s + i, n - i);
        len += u ? u : 6;
        i += u ? u : 1;
    }
    return len;
}

#define HEXDIGIT(n) ((n) < 10 ? '0' + (n) : 'a' - 10 + (n))
#define HEXPAIR(b) {HEXDIGIT((b) >> 4), HEXDIGIT((b) & 15)}
#define HEXPAIR4(b) HEXPAIR(b), HEXPAIR((b) + 1), HEXPAIR((b) + 2), HEXPAIR((b) + 3)
#define HEXPAIR16(b) HEXPAIR4(b), HEXPAIR4((b) + 4), HEXPAIR4((b) + 8), HEXPAIR4((b) + 12)
#define HEXPAIR64(b) HEXPAIR16(b), HEXPAIR16((b) + 16), HEXPAIR16((b) + 32), HEXPAIR16((b) + 48)
static const char hexpairs[256][2] = {HEXPAIR64(0), HEXPAIR64(64), HEXPAIR64(128), HEXPAIR64(192)};

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
        /* Memory ranges make hex the bulk of a dump's output: two digits per byte from one
         * table lookup, and the separator test out of the loop. */
        if (sep) {
            for (size_t k = 0; k < chunk; k++, o += 3) {
                o[0] = ' ';
                memcpy(o + 1, hexpairs[p[k]], 2);
            }
        } else {
            size_t k = 0;
#ifdef __SSE2__
            /* 16 bytes at a time: split the nibbles, interleave them in output
             * order, and add '0', or 'a' - 10 above 9. */
            const __m128i low = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9);
            const __m128i zero = _mm_set1_epi8('0'), past9 = _mm_set1_epi8('a' - '0' - 10);
            for (; k + 16 <= chunk; k += 16, o += 32) {
                __m128i b = _mm_loadu_si128((const __m128i *)(p + k));
                __m128i hi = _mm_and_si128(_mm_srli_epi16(b, 4), low), lo = _mm_and_si128(b, low);
                __m128i d0 = _mm_unpacklo_epi8(hi, lo), d1 = _mm_unpackhi_epi8(hi, lo);
                d0 = _mm_add_epi8(_mm_add_epi8(d0, zero), _mm_and_si128(_mm_cmpgt_epi8(d0, nine), past9));
                d1 = _mm_add_epi8(_mm_add_epi8(d1, zero), _mm_and_si128(_mm_cmpgt_epi8(d1, nine), past9));
                _mm_storeu_si128((__m128i *)o, d0);
                _mm_storeu_si128((__m128i *)(o + 16), d1);
            }
#endif
            for (; k < chunk; k++, o += 2)
                memcpy(o, hexpairs[p[k]], 2);
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

/* Read from the object and its type: this runs for every field written, and
 * the four accessors it stands for would each check obj again. */
const char *fd_emit_field(fd_emit_ctx *c, fd_value obj, size_t i, bool *noted)
{
    const fd_obj *o = fd_v_as_obj(obj);
    const fd_type *t = o->type;
    if (i < t->nparams || i >= t->nslots)
        return NULL;
    if (i >= (size_t)t->nparams + t->nseq) {
        const fd_errrec *own = *noted ? NULL : fd_obj_err(o);
        if (own) {
            fd_errrec_export(own, &c->scratch);
            fd_emit_count_error(c, &c->scratch);
        }
        *noted = true;
    } else if (fd_obj_state(o)[i] == FD_SLOT_UNSET) {
        return NULL;
    }
    return t->slot_names[i];
}

const fd_error *fd_emit_own_error(fd_emit_ctx *c, fd_value obj, bool noted)
{
    fd_error *err = &c->scratch;
    if (!fd_struct_error(obj, err))
        return NULL;
    if (!noted)
        fd_emit_count_error(c, err);
    return err;
}

void fd_emit_value_error(fd_emit_ctx *c, fd_value v, fd_error *err)
{
    memset(err, 0, sizeof *err);
    err->offset = -1;
    if (fd_value_error(v, err))
        fd_emit_count_error(c, err);
    else
        err->kind = FD_ERR_NONE;
}

static void count_cut(fd_emit_ctx *c, fd_value v, fd_error *err, const char *what, uint64_t n, const char *unit);

/* Identity of a struct: the object it refers to.  No accessor exposes it, so
 * this one place reads the value's pointer; equal pointers are the same object. */
fd_emit_guard fd_emit_enter(fd_emit_ctx *c, fd_value v)
{
    if (c->depth >= FD_EMIT_MAX_DEPTH) {
        fd_error cut;
        count_cut(c, v, &cut, "writer depth limit", FD_EMIT_MAX_DEPTH, "levels");
        return FD_EMIT_TOO_DEEP;
    }
    if (!c->max_nodes && v.kind == FD_STRUCT)
        c->max_nodes = fd_node_budget(v);
    if (c->max_nodes && c->nodes >= c->max_nodes) {
        fd_error cut;
        if (!c->st.truncated)
            count_cut(c, v, &cut, "node budget", c->max_nodes, "nodes");
        c->st.truncated = true;
        return FD_EMIT_BUDGET;
    }
    if (v.kind == FD_STRUCT) {
        /* Only an ancestor of the same type can be this struct read again:
         * most are ruled out without a call. */
        const fd_obj *o = fd_v_as_obj(v);
        for (size_t k = 0; k < c->nanc; k++) {
            const fd_emit_anc *a = &c->anc[k];
            if (a->type == o->type && fd_obj_rereads(fd_v_as_obj(a->v), o))
                return FD_EMIT_CYCLE;
        }
        c->anc[c->nanc++] = (fd_emit_anc){v, o->type};
    }
    c->depth++;
    c->nodes++;
    fd_emit_set_limit(c);
    return FD_EMIT_GO;
}

void fd_emit_leave(fd_emit_ctx *c, fd_value v)
{
    c->depth--;
    if (v.kind == FD_STRUCT)
        c->nanc--;
    fd_emit_set_limit(c);
}

uint64_t fd_emit_budget_for(fd_value v)
{
    if (fd_value_kind(v) != FD_STRUCT)
        return 0;
    uint64_t size = fd_v_as_obj(v)->doc->size;
    uint64_t per = FD_EMIT_OUTPUT_PER_BYTE;
    if (size > (UINT64_MAX - FD_EMIT_BASE_OUTPUT) / per)
        return UINT64_MAX;
    return FD_EMIT_BASE_OUTPUT + per * size;
}

void fd_emit_layout(fd_emit_ctx *c, unsigned close_cost, unsigned close_sq, uint64_t tail)
{
    c->close_cost = close_cost;
    c->close_sq = close_sq;
    c->tail = tail;
    fd_emit_set_limit(c);
}

/* What the output may reach with d levels open. */
static uint64_t limit_at(const fd_emit_ctx *c, uint64_t d)
{
    uint64_t reserve = FD_EMIT_MARKER_ROOM + c->tail + c->close_cost * d + c->close_sq * d * d;
    return c->stop || c->max_output <= reserve ? 0 : c->max_output - reserve;
}

void fd_emit_set_limit(fd_emit_ctx *c)
{
    c->limit = limit_at(c, c->depth);
}

bool fd_emit_room_deeper(const fd_emit_ctx *c, size_t levels, uint64_t need)
{
    uint64_t limit = limit_at(c, (uint64_t)c->depth + levels), used = fd_emit_bytes(c);
    return need <= limit && used <= limit - need;
}

bool fd_emit_fits_slow(fd_emit_ctx *c, fd_value v, uint64_t used, uint64_t need)
{
    if (c->stop)
        return false;
    if (!c->max_output) {
        c->max_output = fd_emit_budget_for(v);
        /* No struct seen yet: a lone scalar or an array of them is not amplified. */
        if (!c->max_output)
            return true;
        fd_emit_set_limit(c);
        if (fd_emit_room(c, used, need))
            return true;
    }
    c->stop = true;
    c->st.truncated = true;
    fd_emit_set_limit(c);
    return false;
}

static void emit_path(const fd_emit_ctx *c, char *out, size_t cap)
{
    size_t k = 0, nseg = c->nseg < FD_EMIT_MAX_DEPTH + 2 ? c->nseg : FD_EMIT_MAX_DEPTH + 2;
    for (size_t i = 0; i < nseg && k + 1 < cap; i++) {
        char tmp[24];
        const char *p = c->seg[i].name ? c->seg[i].name : fd_emit_fmt_u64(tmp, c->seg[i].index);
        size_t n = c->seg[i].name ? strlen(p) : (size_t)(tmp + sizeof tmp - p);
        out[k++] = '/';
        if (n > cap - 1 - k)
            n = cap - 1 - k;
        memcpy(out + k, p, n);
        k += n;
    }
    if (k == 0 && cap > 1)
        out[k++] = '/';
    out[k] = 0;
}

/* A LimitError at the node being written: the cut is an error of the run, so
 * the exit status and stats.first say where the tree stops. */
static void count_cut(fd_emit_ctx *c, fd_value v, fd_error *err, const char *what, uint64_t n, const char *unit)
{
    memset(err, 0, sizeof *err);
    err->kind = FD_ERR_LIMIT;
    err->offset = fd_value_kind(v) == FD_STRUCT ? fd_struct_offset(v) : -1;
    for (size_t k = c->nanc; err->offset < 0 && k > 0; k--)
        err->offset = fd_struct_offset(c->anc[k - 1].v);
    char tmp[24];
    const char *num = fd_emit_fmt_u64(tmp, n);
    snprintf(err->message, sizeof err->message, "%s of %.*s %s reached", what, (int)(tmp + sizeof tmp - num),
             num, unit);
    emit_path(c, err->path, sizeof err->path);
    fd_emit_count_error(c, err);
}

void fd_emit_tripped(fd_emit_ctx *c, fd_value v, fd_error *err)
{
    count_cut(c, v, err, "output budget", c->max_output, "bytes");
}

static bool same_error(const fd_error *a, const fd_error *b)
{
    return a->kind == b->kind && a->offset == b->offset && strcmp(a->message, b->message) == 0 &&
           strcmp(a->path, b->path) == 0;
}

void fd_emit_count_error(fd_emit_ctx *c, const fd_error *err)
{
    if (c->has_last && same_error(&c->last, err))
        return;
    if (!c->st.errors)
        c->st.first = *err;
    c->last = *err;
    c->has_last = true;
    c->st.errors++;
}

