/* stream.c - bounded reads over a byte window: integers, floats, bits, byte views, terminators. */
#include "stream.h"

#include <string.h>

/* Streams over no bytes point here, so views are never NULL + offset. */
static const uint8_t stream_empty[1];

/* The cursor as a pointer, clamped to the end (a seek may go beyond it). */
static const uint8_t *stream_here(const fd_stream *s)
{
    return s->base + (s->pos < s->size ? s->pos : s->size);
}

void fd_stream_init(fd_stream *s, const uint8_t *base, uint64_t size, uint64_t origin)
{
    memset(s, 0, sizeof *s);
    s->base = base ? base : stream_empty;
    s->size = base ? size : 0;
    s->origin = origin;
}

int64_t fd_stream_abs(const fd_stream *s)
{
    if (s->origin == FD_NO_ORIGIN || s->origin > (uint64_t)INT64_MAX || s->pos > (uint64_t)INT64_MAX - s->origin)
        return -1;
    return (int64_t)(s->origin + s->pos);
}

/* Byte-aligned reads drop the bit buffer (Kaitai 0.11), but only once they
 * succeed: a failed read leaves the stream exactly as it was. */
static const uint8_t *stream_take(fd_stream *s, uint64_t n)
{
    if (n > fd_stream_left(s))
        return NULL;
    const uint8_t *p = stream_here(s);
    fd_stream_align(s);
    s->pos += n;
    return p;
}

int fd_stream_sub(fd_stream *s, uint64_t n, fd_stream *out)
{
    uint64_t origin = FD_NO_ORIGIN;
    if (s->origin != FD_NO_ORIGIN && s->origin < FD_NO_ORIGIN - s->pos)
        origin = s->origin + s->pos;
    const uint8_t *p = stream_take(s, n);
    if (!p)
        return FD_SEOS;
    fd_stream_init(out, p, n, origin);
    return FD_SOK;
}

static uint64_t load_uint(const uint8_t *p, int width, bool le)
{
    uint64_t v = 0;
    for (int i = 0; i < width; i++)
        v = v << 8 | p[le ? width - 1 - i : i];
    return v;
}

/* Any width 1..8 works; the spec only produces 1, 2, 4 and 8. */
int fd_stream_read_uint(fd_stream *s, int width, bool le, uint64_t *out)
{
    if (width < 1 || width > 8)
        return FD_SEOS;
    const uint8_t *p = stream_take(s, (uint64_t)width);
    if (!p)
        return FD_SEOS;
    *out = load_uint(p, width, le);
    return FD_SOK;
}

int fd_stream_read_sint(fd_stream *s, int width, bool le, int64_t *out)
{
    uint64_t u;
    if (fd_stream_read_uint(s, width, le, &u) != FD_SOK)
        return FD_SEOS;
    if (width < 8 && (u >> (width * 8 - 1)) & 1)
        u |= ~(uint64_t)0 << (width * 8);
    /* Two's complement without relying on implementation-defined conversion. */
    *out = u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
    return FD_SOK;
}

int fd_stream_read_f4(fd_stream *s, bool le, double *out)
{
    uint64_t u;
    if (fd_stream_read_uint(s, 4, le, &u) != FD_SOK)
        return FD_SEOS;
    uint32_t w = (uint32_t)u;
    float f;
    memcpy(&f, &w, sizeof f);
    *out = f;
    return FD_SOK;
}

int fd_stream_read_f8(fd_stream *s, bool le, double *out)
{
    uint64_t u;
    if (fd_stream_read_uint(s, 8, le, &u) != FD_SOK)
        return FD_SEOS;
    memcpy(out, &u, sizeof *out);
    return FD_SOK;
}

/* Same arithmetic as Kaitai's read_bits_int_be/le: the buffer holds the
 * `bits_left` (0..7) unread bits of the last byte in its low bits, whichever
 * order filled it, so mixing orders behaves like the reference runtime. */
int fd_stream_read_bits(fd_stream *s, int n, bool le, uint64_t *out)
{
    if (n < 0 || n > 64)
        return FD_SEOS;
    int need = n - s->bits_left;
    uint64_t res;
    if (need <= 0) {
        int keep = -need;
        if (le) {
            res = n == 64 ? s->bits : s->bits & ((UINT64_C(1) << n) - 1);
            s->bits = n == 64 ? 0 : s->bits >> n;
        } else {
            res = s->bits >> keep;
            s->bits &= (UINT64_C(1) << keep) - 1;
        }
        s->bits_left = keep;
    } else {
        uint64_t nbytes = ((uint64_t)need + 7) / 8;
        if (nbytes > fd_stream_left(s))
            return FD_SEOS;
        const uint8_t *p = stream_here(s);
        uint64_t raw = load_uint(p, (int)nbytes, le);
        int keep = (int)nbytes * 8 - need;
        if (le) {
            res = raw << s->bits_left | s->bits;
            if (n < 64)
                res &= (UINT64_C(1) << n) - 1;
            s->bits = need >= 64 ? 0 : raw >> need;
        } else {
            res = raw >> keep;
            if (need < 64)
                res |= s->bits << need;
            s->bits = raw & ((UINT64_C(1) << keep) - 1);
        }
        s->bits_left = keep;
        s->pos += nbytes;
    }
    *out = res;
    return FD_SOK;
}

int fd_stream_read_bytes(fd_stream *s, uint64_t n, const uint8_t **out)
{
    const uint8_t *p = stream_take(s, n);
    if (!p)
        return FD_SEOS;
    *out = p;
    return FD_SOK;
}

void fd_stream_read_rest(fd_stream *s, const uint8_t **out, uint64_t *n)
{
    uint64_t left = fd_stream_left(s);
    *out = stream_here(s);
    *n = left;
    fd_stream_align(s);
    s->pos += left;
}

/* Offset of the first tlen-aligned occurrence of term in p[0..n), or n. */
static uint64_t find_term(const uint8_t *p, uint64_t n, const uint8_t *term, int tlen)
{
    if (tlen == 1) {
        const uint8_t *hit = memchr(p, term[0], (size_t)n);
        return hit ? (uint64_t)(hit - p) : n;
    }
    for (uint64_t i = 0; n - i >= (uint64_t)tlen; i += (uint64_t)tlen)
        if (memcmp(p + i, term, (size_t)tlen) == 0)
            return i;
    return n;
}

int fd_stream_read_term(fd_stream *s, const uint8_t *term, int tlen, bool include,
                        bool consume, bool eos_error, const uint8_t **out, uint64_t *n)
{
    if (tlen < 1)
        return FD_SEOS;
    uint64_t left = fd_stream_left(s);
    const uint8_t *p = stream_here(s);
    uint64_t at = find_term(p, left, term, tlen);
    if (at == left) {
        if (eos_error)
            return FD_SEOS;
        fd_stream_read_rest(s, out, n);
        return FD_SOK;
    }
    *out = p;
    *n = include ? at + (uint64_t)tlen : at;
    fd_stream_align(s);
    s->pos += consume ? at + (uint64_t)tlen : at;
    return FD_SOK;
}

uint64_t fd_bytes_strip_right(const uint8_t *p, uint64_t n, uint8_t pad)
{
    while (n > 0 && p[n - 1] == pad)
        n--;
    return n;
}

uint64_t fd_bytes_terminate(const uint8_t *p, uint64_t n, const uint8_t *term, int tlen, bool include)
{
    if (tlen < 1 || n == 0)
        return n;
    uint64_t at = find_term(p, n, term, tlen);
    if (at == n)
        return n;
    return include ? at + (uint64_t)tlen : at;
}
