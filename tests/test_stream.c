/* test_stream.c - unit tests of engine/stream.c: integers, floats, bits, bytes, terminators, substreams. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "stream.h"

static const uint8_t seq8[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
static const uint8_t neg8[8] = {0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0xFA, 0xF9, 0x80};

static void test_uint_widths(void **state)
{
    (void)state;
    static const struct { int w; uint64_t le, be; } cases[] = {
        {1, 0x01, 0x01},
        {2, 0x0201, 0x0102},
        {4, 0x04030201, 0x01020304},
        {8, 0x0807060504030201ull, 0x0102030405060708ull},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fd_stream s;
        uint64_t v;
        fd_stream_init(&s, seq8, 8, 0);
        assert_int_equal(fd_stream_read_uint(&s, cases[i].w, true, &v), FD_SOK);
        assert_true(v == cases[i].le);
        assert_int_equal(s.pos, cases[i].w);
        fd_stream_init(&s, seq8, 8, 0);
        assert_int_equal(fd_stream_read_uint(&s, cases[i].w, false, &v), FD_SOK);
        assert_true(v == cases[i].be);
    }
}

static void test_uint_max_values(void **state)
{
    (void)state;
    static const uint8_t ff[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    fd_stream s;
    uint64_t v;
    fd_stream_init(&s, ff, 8, 0);
    assert_int_equal(fd_stream_read_uint(&s, 8, false, &v), FD_SOK);
    assert_true(v == UINT64_MAX);
    assert_true(fd_stream_eof(&s));
}

static void test_sint_sign_extension(void **state)
{
    (void)state;
    fd_stream s;
    int64_t v;
    fd_stream_init(&s, neg8, 8, 0);
    assert_int_equal(fd_stream_read_sint(&s, 1, true, &v), FD_SOK);
    assert_int_equal(v, -1);
    assert_int_equal(fd_stream_read_sint(&s, 1, true, &v), FD_SOK);
    assert_int_equal(v, -2);
    fd_stream_init(&s, neg8, 8, 0);
    assert_int_equal(fd_stream_read_sint(&s, 2, true, &v), FD_SOK);
    assert_int_equal(v, (int16_t)0xFEFF);
    fd_stream_init(&s, neg8, 8, 0);
    assert_int_equal(fd_stream_read_sint(&s, 2, false, &v), FD_SOK);
    assert_int_equal(v, (int16_t)0xFFFE);
    fd_stream_init(&s, neg8, 8, 0);
    assert_int_equal(fd_stream_read_sint(&s, 4, true, &v), FD_SOK);
    assert_int_equal(v, (int32_t)0xFCFDFEFF);
    fd_stream_init(&s, neg8, 8, 0);
    assert_int_equal(fd_stream_read_sint(&s, 4, false, &v), FD_SOK);
    assert_int_equal(v, (int32_t)0xFFFEFDFC);
    fd_stream_init(&s, neg8, 8, 0);
    assert_int_equal(fd_stream_read_sint(&s, 8, true, &v), FD_SOK);
    assert_true(v == (int64_t)-0x7F06050403020101ll);
    fd_stream_init(&s, neg8, 8, 0);
    assert_int_equal(fd_stream_read_sint(&s, 8, false, &v), FD_SOK);
    assert_true(v == -0x1020304050680ll);
    /* positive values stay positive */
    fd_stream_init(&s, seq8, 8, 0);
    assert_int_equal(fd_stream_read_sint(&s, 2, true, &v), FD_SOK);
    assert_int_equal(v, 0x0201);
    static const uint8_t minv[8] = {0, 0, 0, 0, 0, 0, 0, 0x80};
    fd_stream_init(&s, minv, 8, 0);
    assert_int_equal(fd_stream_read_sint(&s, 8, true, &v), FD_SOK);
    assert_true(v == INT64_MIN);
}

static void test_floats(void **state)
{
    (void)state;
    static const uint8_t f4be[4] = {0x3F, 0xC0, 0x00, 0x00};      /* 1.5 */
    static const uint8_t f4le[4] = {0x00, 0x00, 0x20, 0xC1};      /* -10.0 */
    static const uint8_t f8be[8] = {0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18}; /* pi */
    static const uint8_t f8le[8] = {0, 0, 0, 0, 0, 0, 0xF0, 0x7F}; /* +inf */
    fd_stream s;
    double d;
    fd_stream_init(&s, f4be, 4, 0);
    assert_int_equal(fd_stream_read_f4(&s, false, &d), FD_SOK);
    assert_true(d == 1.5);
    fd_stream_init(&s, f4le, 4, 0);
    assert_int_equal(fd_stream_read_f4(&s, true, &d), FD_SOK);
    assert_true(d == -10.0);
    fd_stream_init(&s, f8be, 8, 0);
    assert_int_equal(fd_stream_read_f8(&s, false, &d), FD_SOK);
    assert_true(d == 3.141592653589793);
    fd_stream_init(&s, f8le, 8, 0);
    assert_int_equal(fd_stream_read_f8(&s, true, &d), FD_SOK);
    assert_true(d > 1e308);
}

/* A failed read of any kind leaves the cursor (and the bit buffer) alone. */
static void test_eof_no_move(void **state)
{
    (void)state;
    fd_stream s;
    uint64_t u;
    int64_t i;
    double d;
    const uint8_t *p;
    uint64_t n;
    fd_stream t;
    static const uint8_t nul = 0;

    fd_stream_init(&s, seq8, 3, 0);
    assert_int_equal(fd_stream_read_uint(&s, 1, true, &u), FD_SOK);
    assert_int_equal(fd_stream_read_bits(&s, 3, false, &u), FD_SOK);
    assert_int_equal(s.pos, 2);
    assert_int_equal(s.bits_left, 5);
    uint64_t bits = s.bits;

    assert_int_equal(fd_stream_read_uint(&s, 2, true, &u), FD_SEOS);
    assert_int_equal(fd_stream_read_uint(&s, 4, false, &u), FD_SEOS);
    assert_int_equal(fd_stream_read_uint(&s, 8, true, &u), FD_SEOS);
    assert_int_equal(fd_stream_read_sint(&s, 2, true, &i), FD_SEOS);
    assert_int_equal(fd_stream_read_sint(&s, 8, false, &i), FD_SEOS);
    assert_int_equal(fd_stream_read_f4(&s, true, &d), FD_SEOS);
    assert_int_equal(fd_stream_read_f8(&s, false, &d), FD_SEOS);
    assert_int_equal(fd_stream_read_bits(&s, 14, false, &u), FD_SEOS);
    assert_int_equal(fd_stream_read_bits(&s, 14, true, &u), FD_SEOS);
    assert_int_equal(fd_stream_read_bytes(&s, 2, &p), FD_SEOS);
    assert_int_equal(fd_stream_read_term(&s, &nul, 1, false, true, true, &p, &n), FD_SEOS);
    assert_int_equal(fd_stream_sub(&s, 2, &t), FD_SEOS);
    assert_int_equal(s.pos, 2);
    assert_int_equal(s.bits_left, 5);
    assert_true(s.bits == bits);

    /* invalid widths are refused, not read */
    assert_int_equal(fd_stream_read_uint(&s, 0, true, &u), FD_SEOS);
    assert_int_equal(fd_stream_read_uint(&s, 9, true, &u), FD_SEOS);
    assert_int_equal(fd_stream_read_bits(&s, 65, true, &u), FD_SEOS);
    assert_int_equal(fd_stream_read_bits(&s, -1, true, &u), FD_SEOS);
    assert_int_equal(s.pos, 2);
}

static void test_empty_and_null(void **state)
{
    (void)state;
    fd_stream s;
    uint64_t u, n;
    const uint8_t *p;
    fd_stream_init(&s, NULL, 100, FD_NO_ORIGIN);
    assert_int_equal(s.size, 0);
    assert_true(fd_stream_eof(&s));
    assert_int_equal(fd_stream_read_uint(&s, 1, true, &u), FD_SEOS);
    assert_int_equal(fd_stream_read_bits(&s, 1, false, &u), FD_SEOS);
    fd_stream_read_rest(&s, &p, &n);
    assert_non_null(p);
    assert_int_equal(n, 0);
    assert_int_equal(fd_stream_read_bytes(&s, 0, &p), FD_SOK);
    assert_non_null(p);
}

static void test_seek_beyond_end(void **state)
{
    (void)state;
    fd_stream s;
    uint64_t u, n;
    const uint8_t *p;
    fd_stream_init(&s, seq8, 8, 0);
    fd_stream_seek(&s, 100);
    assert_int_equal(fd_stream_left(&s), 0);
    assert_true(fd_stream_eof(&s));
    assert_int_equal(fd_stream_read_uint(&s, 1, true, &u), FD_SEOS);
    /* reading nothing there is fine, as in Kaitai */
    assert_int_equal(fd_stream_read_bytes(&s, 0, &p), FD_SOK);
    assert_ptr_equal(p, seq8 + 8);
    fd_stream_read_rest(&s, &p, &n);
    assert_int_equal(n, 0);
    assert_ptr_equal(p, seq8 + 8);
    assert_int_equal(s.pos, 100);
    assert_int_equal(fd_stream_abs(&s), 100);
    /* huge sizes must not wrap */
    fd_stream_seek(&s, UINT64_MAX - 1);
    assert_int_equal(fd_stream_read_bytes(&s, 4, &p), FD_SEOS);
    fd_stream_seek(&s, 6);
    assert_int_equal(fd_stream_read_bytes(&s, UINT64_MAX, &p), FD_SEOS);
    assert_int_equal(fd_stream_read_bytes(&s, UINT64_MAX - 4, &p), FD_SEOS);
    assert_int_equal(fd_stream_read_bytes(&s, 2, &p), FD_SOK);
    assert_ptr_equal(p, seq8 + 6);
}

/* Kaitai's bits_simple: b1 b3 b4 ... over BE bit order. */
static void test_bits_be(void **state)
{
    (void)state;
    static const uint8_t d[4] = {0xA5, 0x3C, 0xFF, 0x01}; /* 1010 0101 0011 1100 ... */
    fd_stream s;
    uint64_t v;
    fd_stream_init(&s, d, 4, 0);
    assert_int_equal(fd_stream_read_bits(&s, 1, false, &v), FD_SOK);
    assert_int_equal(v, 1);
    assert_int_equal(fd_stream_read_bits(&s, 3, false, &v), FD_SOK);
    assert_int_equal(v, 2);
    assert_int_equal(fd_stream_read_bits(&s, 4, false, &v), FD_SOK);
    assert_int_equal(v, 5);
    assert_int_equal(s.bits_left, 0);
    /* crossing a byte: 4 bits of 0x3C then 8 of 0xFF -> 0xCFF */
    assert_int_equal(fd_stream_read_bits(&s, 4, false, &v), FD_SOK);
    assert_int_equal(v, 3);
    assert_int_equal(fd_stream_read_bits(&s, 12, false, &v), FD_SOK);
    assert_int_equal(v, 0xCFF);
    assert_int_equal(s.pos, 3);
    assert_int_equal(s.bits_left, 0);
    assert_int_equal(fd_stream_read_bits(&s, 7, false, &v), FD_SOK);
    assert_int_equal(v, 0);
    assert_int_equal(fd_stream_read_bits(&s, 1, false, &v), FD_SOK);
    assert_int_equal(v, 1);
    assert_true(fd_stream_eof(&s));
    assert_int_equal(fd_stream_read_bits(&s, 1, false, &v), FD_SEOS);
}

static void test_bits_le(void **state)
{
    (void)state;
    static const uint8_t d[3] = {0xA5, 0x3C, 0x81}; /* LSB first */
    fd_stream s;
    uint64_t v;
    fd_stream_init(&s, d, 3, 0);
    assert_int_equal(fd_stream_read_bits(&s, 1, true, &v), FD_SOK);
    assert_int_equal(v, 1);
    assert_int_equal(fd_stream_read_bits(&s, 3, true, &v), FD_SOK);
    assert_int_equal(v, 2); /* bits 1..3 of 0xA5 = 010 */
    assert_int_equal(fd_stream_read_bits(&s, 8, true, &v), FD_SOK);
    assert_int_equal(v, 0xCA); /* high nibble of 0xA5 (A), low nibble of 0x3C (C) above it */
    assert_int_equal(s.bits_left, 4);
    assert_int_equal(fd_stream_read_bits(&s, 12, true, &v), FD_SOK);
    assert_int_equal(v, 0x813);
    assert_true(fd_stream_eof(&s));
}

static void test_bits_64(void **state)
{
    (void)state;
    static const uint8_t d[9] = {0x81, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xFF};
    fd_stream s;
    uint64_t v;
    fd_stream_init(&s, d, 9, 0);
    assert_int_equal(fd_stream_read_bits(&s, 64, false, &v), FD_SOK);
    assert_true(v == 0x8102030405060708ull);
    fd_stream_init(&s, d, 9, 0);
    assert_int_equal(fd_stream_read_bits(&s, 64, true, &v), FD_SOK);
    assert_true(v == 0x0807060504030281ull);
    /* 64 bits starting mid-byte: 4 leftover + 60 from the next 8 bytes */
    fd_stream_init(&s, d, 9, 0);
    assert_int_equal(fd_stream_read_bits(&s, 4, false, &v), FD_SOK);
    assert_int_equal(v, 8);
    assert_int_equal(fd_stream_read_bits(&s, 64, false, &v), FD_SOK);
    assert_true(v == 0x102030405060708Full);
    assert_int_equal(s.bits_left, 4);
    assert_int_equal(s.bits, 0xF);
    fd_stream_init(&s, d, 9, 0);
    assert_int_equal(fd_stream_read_bits(&s, 4, true, &v), FD_SOK);
    assert_int_equal(v, 1);
    assert_int_equal(fd_stream_read_bits(&s, 64, true, &v), FD_SOK);
    assert_true(v == 0xF080706050403028ull);
    assert_int_equal(s.bits_left, 4);
    assert_int_equal(s.bits, 0xF);
    /* 7 leftover bits + 57: the widest shift */
    fd_stream_init(&s, d, 9, 0);
    assert_int_equal(fd_stream_read_bits(&s, 1, false, &v), FD_SOK);
    assert_int_equal(fd_stream_read_bits(&s, 64, false, &v), FD_SOK);
    assert_true(v == 0x020406080A0C0E11ull);
    /* 64-bit read needing 9 bytes with only 8 left */
    fd_stream_init(&s, d, 8, 0);
    assert_int_equal(fd_stream_read_bits(&s, 1, false, &v), FD_SOK);
    assert_int_equal(fd_stream_read_bits(&s, 64, false, &v), FD_SEOS);
    assert_int_equal(s.pos, 1);
    assert_int_equal(s.bits_left, 7);
}

/* Kaitai's eof_exception_bits_be: b7 then b18 needs 3 more bytes, 2 left. */
static void test_bits_eof_needs_whole_bytes(void **state)
{
    (void)state;
    static const uint8_t d[3] = {0xFF, 0xFF, 0xFF};
    fd_stream s;
    uint64_t v;
    fd_stream_init(&s, d, 3, 0);
    assert_int_equal(fd_stream_read_bits(&s, 7, false, &v), FD_SOK);
    assert_int_equal(fd_stream_read_bits(&s, 18, false, &v), FD_SEOS);
    assert_int_equal(fd_stream_read_bits(&s, 17, false, &v), FD_SOK);
    assert_int_equal(v, 0x1FFFF);
    /* zero bits is a no-op */
    assert_int_equal(fd_stream_read_bits(&s, 0, false, &v), FD_SOK);
    assert_int_equal(v, 0);
}

/* Kaitai's bits_byte_aligned: byte-aligned reads drop leftover bits. */
static void test_bits_then_aligned(void **state)
{
    (void)state;
    static const uint8_t d[6] = {0xFC, 0x11, 0x22, 0x33, 0x44, 0x55};
    fd_stream s, t;
    uint64_t v;
    const uint8_t *p;
    uint64_t n;
    fd_stream_init(&s, d, 6, 0);
    assert_int_equal(fd_stream_read_bits(&s, 6, false, &v), FD_SOK);
    assert_int_equal(v, 0x3F);
    assert_int_equal(fd_stream_read_uint(&s, 1, true, &v), FD_SOK);
    assert_int_equal(v, 0x11);
    assert_int_equal(s.bits_left, 0);
    assert_int_equal(fd_stream_read_bits(&s, 4, false, &v), FD_SOK);
    assert_int_equal(fd_stream_read_bytes(&s, 1, &p), FD_SOK);
    assert_int_equal(p[0], 0x33);
    assert_int_equal(fd_stream_read_bits(&s, 2, true, &v), FD_SOK);
    assert_int_equal(fd_stream_sub(&s, 1, &t), FD_SOK);
    assert_int_equal(t.base[0], 0x55);
    assert_int_equal(s.bits_left, 0);
    fd_stream_init(&s, d, 6, 0);
    assert_int_equal(fd_stream_read_bits(&s, 3, false, &v), FD_SOK);
    fd_stream_read_rest(&s, &p, &n);
    assert_int_equal(n, 5);
    assert_int_equal(s.bits_left, 0);
    fd_stream_init(&s, d, 6, 0);
    static const uint8_t term = 0x33;
    assert_int_equal(fd_stream_read_bits(&s, 3, false, &v), FD_SOK);
    assert_int_equal(fd_stream_read_term(&s, &term, 1, false, true, true, &p, &n), FD_SOK);
    assert_int_equal(n, 2);
    assert_int_equal(s.bits_left, 0);
    assert_false(fd_stream_eof(&s));
}

/* Mixed bit orders share one buffer, as in Kaitai's runtime. */
static void test_bits_mixed_order(void **state)
{
    (void)state;
    static const uint8_t d[2] = {0xB4, 0x00}; /* 1011 0100 */
    fd_stream s;
    uint64_t v;
    fd_stream_init(&s, d, 2, 0);
    assert_int_equal(fd_stream_read_bits(&s, 3, false, &v), FD_SOK);
    assert_int_equal(v, 5);                  /* top 3 bits 101 */
    assert_int_equal(fd_stream_read_bits(&s, 2, true, &v), FD_SOK);
    assert_int_equal(v, 0);                  /* low 2 of leftover 10100 */
    assert_int_equal(s.bits_left, 3);
    assert_int_equal(s.bits, 5);
}

static void test_bytes_zero_copy(void **state)
{
    (void)state;
    fd_stream s;
    const uint8_t *p;
    uint64_t n;
    fd_stream_init(&s, seq8, 8, 0);
    assert_int_equal(fd_stream_read_bytes(&s, 3, &p), FD_SOK);
    assert_ptr_equal(p, seq8);
    assert_int_equal(fd_stream_read_bytes(&s, 5, &p), FD_SOK);
    assert_ptr_equal(p, seq8 + 3);
    assert_true(fd_stream_eof(&s));
    fd_stream_init(&s, seq8, 8, 0);
    fd_stream_seek(&s, 2);
    fd_stream_read_rest(&s, &p, &n);
    assert_ptr_equal(p, seq8 + 2);
    assert_int_equal(n, 6);
    assert_int_equal(s.pos, 8);
}

static void test_term_single(void **state)
{
    (void)state;
    static const uint8_t d[] = "foo\0bar\0";
    static const uint8_t nul = 0, bar = '|';
    fd_stream s;
    const uint8_t *p;
    uint64_t n;

    fd_stream_init(&s, d, 8, 0);
    assert_int_equal(fd_stream_read_term(&s, &nul, 1, false, true, true, &p, &n), FD_SOK);
    assert_int_equal(n, 3);
    assert_memory_equal(p, "foo", 3);
    assert_int_equal(s.pos, 4);

    fd_stream_init(&s, d, 8, 0);
    assert_int_equal(fd_stream_read_term(&s, &nul, 1, true, true, true, &p, &n), FD_SOK);
    assert_int_equal(n, 4);
    assert_int_equal(s.pos, 4);

    fd_stream_init(&s, d, 8, 0);
    assert_int_equal(fd_stream_read_term(&s, &nul, 1, false, false, true, &p, &n), FD_SOK);
    assert_int_equal(n, 3);
    assert_int_equal(s.pos, 3);

    fd_stream_init(&s, d, 8, 0);
    assert_int_equal(fd_stream_read_term(&s, &nul, 1, true, false, true, &p, &n), FD_SOK);
    assert_int_equal(n, 4);
    assert_int_equal(s.pos, 3);

    /* missing terminator */
    fd_stream_init(&s, d, 8, 0);
    fd_stream_seek(&s, 1);
    assert_int_equal(fd_stream_read_term(&s, &bar, 1, false, true, true, &p, &n), FD_SEOS);
    assert_int_equal(s.pos, 1);
    assert_int_equal(fd_stream_read_term(&s, &bar, 1, true, true, false, &p, &n), FD_SOK);
    assert_ptr_equal(p, d + 1);
    assert_int_equal(n, 7);
    assert_int_equal(s.pos, 8);
    /* at EOF: empty or error */
    assert_int_equal(fd_stream_read_term(&s, &bar, 1, false, true, false, &p, &n), FD_SOK);
    assert_int_equal(n, 0);
    assert_int_equal(fd_stream_read_term(&s, &bar, 1, false, true, true, &p, &n), FD_SEOS);
    /* terminator as the very first byte */
    fd_stream_init(&s, d + 3, 5, 0);
    assert_int_equal(fd_stream_read_term(&s, &nul, 1, false, true, true, &p, &n), FD_SOK);
    assert_int_equal(n, 0);
    assert_int_equal(s.pos, 1);
    /* bad terminator length */
    assert_int_equal(fd_stream_read_term(&s, &nul, 0, false, true, false, &p, &n), FD_SEOS);
}

/* Multi-byte terminators only match at tlen-aligned offsets from the start. */
static void test_term_multi(void **state)
{
    (void)state;
    /* UTF-16LE "a\u0200b\0": the 00 00 at offset 1..2 is not aligned */
    static const uint8_t d[] = {'a', 0, 0, 2, 'b', 0, 0, 0, 'z', 0};
    static const uint8_t t2[2] = {0, 0};
    fd_stream s;
    const uint8_t *p;
    uint64_t n;
    fd_stream_init(&s, d, sizeof d, 0);
    assert_int_equal(fd_stream_read_term(&s, t2, 2, false, true, true, &p, &n), FD_SOK);
    assert_int_equal(n, 6);
    assert_int_equal(s.pos, 8);
    fd_stream_init(&s, d, sizeof d, 0);
    assert_int_equal(fd_stream_read_term(&s, t2, 2, true, false, true, &p, &n), FD_SOK);
    assert_int_equal(n, 8);
    assert_int_equal(s.pos, 6);
    /* alignment is relative to where the read starts */
    fd_stream_init(&s, d, sizeof d, 0);
    fd_stream_seek(&s, 1);
    assert_int_equal(fd_stream_read_term(&s, t2, 2, false, true, true, &p, &n), FD_SOK);
    assert_int_equal(n, 0);
    assert_int_equal(s.pos, 3);
    /* a trailing partial unit: error, or returned with the rest */
    static const uint8_t odd[] = {'a', 0, 'b'};
    fd_stream_init(&s, odd, 3, 0);
    assert_int_equal(fd_stream_read_term(&s, t2, 2, false, true, true, &p, &n), FD_SEOS);
    assert_int_equal(s.pos, 0);
    assert_int_equal(fd_stream_read_term(&s, t2, 2, false, true, false, &p, &n), FD_SOK);
    assert_int_equal(n, 3);
    assert_int_equal(s.pos, 3);
    /* 4-byte terminator */
    static const uint8_t d4[] = {1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t t4[4] = {0, 0, 0, 0};
    fd_stream_init(&s, d4, sizeof d4, 0);
    assert_int_equal(fd_stream_read_term(&s, t4, 4, false, true, true, &p, &n), FD_SOK);
    assert_int_equal(n, 4);
    assert_int_equal(s.pos, 8);
    assert_int_equal(fd_stream_read_term(&s, t4, 4, true, true, true, &p, &n), FD_SOK);
    assert_int_equal(n, 8);
    assert_int_equal(s.pos, 16);
    static const uint8_t d4b[] = {1, 0, 0, 0, 0, 0, 0, 2};
    fd_stream_init(&s, d4b, sizeof d4b, 0);
    assert_int_equal(fd_stream_read_term(&s, t4, 4, false, true, true, &p, &n), FD_SEOS);
}

static void test_strip_terminate(void **state)
{
    (void)state;
    static const uint8_t d[] = {'a', 'b', 0, 'c', ' ', ' '};
    static const uint8_t nul = 0, sp = ' ', t2[2] = {0, 0};
    assert_int_equal(fd_bytes_strip_right(d, 6, ' '), 4);
    assert_int_equal(fd_bytes_strip_right(d, 6, 'x'), 6);
    assert_int_equal(fd_bytes_strip_right(d + 4, 2, ' '), 0);
    assert_int_equal(fd_bytes_strip_right(d, 0, ' '), 0);
    assert_int_equal(fd_bytes_terminate(d, 6, &nul, 1, false), 2);
    assert_int_equal(fd_bytes_terminate(d, 6, &nul, 1, true), 3);
    assert_int_equal(fd_bytes_terminate(d, 6, &sp, 1, false), 4);
    assert_int_equal(fd_bytes_terminate(d, 2, &nul, 1, true), 2);
    assert_int_equal(fd_bytes_terminate(d, 0, &nul, 1, true), 0);
    static const uint8_t w[] = {'a', 0, 0, 2, 'b', 0, 0, 0, 'c', 0};
    assert_int_equal(fd_bytes_terminate(w, 10, t2, 2, false), 6);
    assert_int_equal(fd_bytes_terminate(w, 10, t2, 2, true), 8);
    assert_int_equal(fd_bytes_terminate(w, 5, t2, 2, true), 5);
    static const uint8_t t4[4] = {0, 0, 0, 0};
    static const uint8_t w4[] = {'a', 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(fd_bytes_terminate(w4, 8, t4, 4, false), 4);
    static const uint8_t w4b[] = {'a', 'b', 0, 0, 0, 0, 'c', 0};
    assert_int_equal(fd_bytes_terminate(w4b, 8, t4, 4, false), 8);
}

static void test_substream(void **state)
{
    (void)state;
    fd_stream s, t, u;
    uint64_t v;
    fd_stream_init(&s, seq8, 8, 0x1000);
    assert_int_equal(fd_stream_read_uint(&s, 1, true, &v), FD_SOK);
    assert_int_equal(fd_stream_sub(&s, 4, &t), FD_SOK);
    assert_int_equal(s.pos, 5);
    assert_int_equal(t.size, 4);
    assert_int_equal(t.pos, 0);
    assert_int_equal(fd_stream_abs(&t), 0x1001);
    assert_int_equal(fd_stream_read_uint(&t, 4, false, &v), FD_SOK);
    assert_int_equal(v, 0x02030405);
    assert_int_equal(fd_stream_read_uint(&t, 1, false, &v), FD_SEOS);
    assert_int_equal(fd_stream_abs(&t), 0x1005);
    assert_int_equal(fd_stream_sub(&s, 4, &u), FD_SEOS);
    assert_int_equal(fd_stream_sub(&s, UINT64_MAX, &u), FD_SEOS);
    assert_int_equal(fd_stream_sub(&s, 3, &u), FD_SOK);
    assert_true(fd_stream_eof(&s));
    assert_int_equal(fd_stream_sub(&s, 0, &u), FD_SOK);
    assert_true(fd_stream_eof(&u));
    /* substreams of processed bytes have no file origin */
    fd_stream_init(&s, seq8, 8, FD_NO_ORIGIN);
    assert_int_equal(fd_stream_sub(&s, 4, &t), FD_SOK);
    assert_true(t.origin == FD_NO_ORIGIN);
    assert_int_equal(fd_stream_abs(&t), -1);
    assert_int_equal(fd_stream_abs(&s), -1);
    /* an origin so large the offset cannot be reported */
    fd_stream_init(&s, seq8, 8, (uint64_t)INT64_MAX);
    fd_stream_seek(&s, 1);
    assert_int_equal(fd_stream_abs(&s), -1);
    fd_stream_init(&s, seq8, 8, UINT64_MAX - 2);
    fd_stream_seek(&s, 4);
    assert_int_equal(fd_stream_sub(&s, 2, &t), FD_SOK);
    assert_true(t.origin == FD_NO_ORIGIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uint_widths),
        cmocka_unit_test(test_uint_max_values),
        cmocka_unit_test(test_sint_sign_extension),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_eof_no_move),
        cmocka_unit_test(test_empty_and_null),
        cmocka_unit_test(test_seek_beyond_end),
        cmocka_unit_test(test_bits_be),
        cmocka_unit_test(test_bits_le),
        cmocka_unit_test(test_bits_64),
        cmocka_unit_test(test_bits_eof_needs_whole_bytes),
        cmocka_unit_test(test_bits_then_aligned),
        cmocka_unit_test(test_bits_mixed_order),
        cmocka_unit_test(test_bytes_zero_copy),
        cmocka_unit_test(test_term_single),
        cmocka_unit_test(test_term_multi),
        cmocka_unit_test(test_strip_terminate),
        cmocka_unit_test(test_substream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
