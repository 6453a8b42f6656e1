/* test_bits.c - the bit reader at the interpreter level: bN be/le, b1 as bool, alignment, enums, EOF. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* Expected values were computed with Kaitai's read_bits_int_be/le algorithm. */

static void open_fx(fixture *fx, const char *ksy, const void *data, size_t n)
{
    fx_open(fx, "b.ksy", ksy, data, n);
}

/* Opens and requires the whole seq to parse. */
static void open_ok(fixture *fx, const char *ksy, const void *data, size_t n)
{
    open_fx(fx, ksy, data, n);
    fd_error err;
    if (fd_doc_error(fx->doc, &err))
        fail_msg("parse: %s: %s at %s", fd_errkind_name(err.kind), err.message, err.path);
}

static fd_value ev_kind(fixture *fx, const char *expr, fd_kind k)
{
    fd_error err;
    fd_value v = fd_eval(fx->doc, fx->root, expr, &err);
    if (fd_value_error(v, &err))
        fail_msg("[%s]: %s: %s", expr, fd_errkind_name(err.kind), err.message);
    if (fd_value_kind(v) != k)
        fail_msg("[%s]: kind %d, want %d", expr, fd_value_kind(v), k);
    return v;
}

/* Bit fields are unsigned: compare the full 64-bit pattern. */
static void check_u(fixture *fx, const char *expr, uint64_t want)
{
    fd_value v = ev_kind(fx, expr, FD_INT);
    if (fd_value_uint(v) != want)
        fail_msg("[%s]: got 0x%" PRIx64 ", want 0x%" PRIx64, expr, fd_value_uint(v), want);
    if (want > INT64_MAX && !fd_value_is_unsigned(v))
        fail_msg("[%s]: 0x%" PRIx64 " is not kept unsigned", expr, want);
}

static void check_bool(fixture *fx, const char *expr, bool want)
{
    fd_value v = ev_kind(fx, expr, FD_BOOL);
    if (fd_value_bool(v) != want)
        fail_msg("[%s]: got %d, want %d", expr, fd_value_bool(v), want);
}

static void check_enum(fixture *fx, const char *expr, const char *label, int64_t want)
{
    fd_value v = ev_kind(fx, expr, FD_ENUM);
    assert_int_equal(fd_value_int(v), want);
    const char *l = fd_value_enum_name(v);
    if (!l || strcmp(l, label) != 0)
        fail_msg("[%s]: label %s, want %s", expr, l ? l : "(none)", label);
}

/* The parse fails with EndOfStreamError and Kaitai's message, at `path`. */
static void check_eos(fixture *fx, const char *path, const char *msg, int64_t offset)
{
    fd_error err;
    assert_true(fd_doc_error(fx->doc, &err));
    if (err.kind != FD_ERR_EOS)
        fail_msg("%s: %s (%s), want EndOfStreamError", path, fd_errkind_name(err.kind), err.message);
    if (!strstr(err.message, msg))
        fail_msg("%s: message \"%s\" lacks \"%s\"", path, err.message, msg);
    assert_string_equal(err.path, path);
    assert_int_equal(err.offset, offset);
}

/* One seq of widths 1 1 3 3 12 4 7 9 8 (48 bits), in either bit order. */
static const char *const SEQ_FMT =
    "meta:\n  id: b\n  bit-endian: %s\n"
    "seq:\n"
    "  - id: a\n    type: b1\n"
    "  - id: b\n    type: b1\n"
    "  - id: c\n    type: b3\n"
    "  - id: d\n    type: b3\n"
    "  - id: e\n    type: b12\n"
    "  - id: f\n    type: b4\n"
    "  - id: g\n    type: b7\n"
    "  - id: h\n    type: b9\n"
    "  - id: i\n    type: b8\n";

static const uint8_t SEQ_DATA[] = { 0xB5, 0x6C, 0x3A, 0xF0, 0x0F, 0x81 };

static void open_seq(fixture *fx, const char *order)
{
    static char ksy[1024];
    snprintf(ksy, sizeof ksy, SEQ_FMT, order);
    open_ok(fx, ksy, SEQ_DATA, sizeof SEQ_DATA);
}

static void test_bits_be(void **state)
{
    (void)state;
    fixture fx;
    open_seq(&fx, "be");
    check_bool(&fx, "a", true);
    check_bool(&fx, "b", false);
    check_u(&fx, "c", 6);
    check_u(&fx, "d", 5);
    check_u(&fx, "e", 0x6c3);
    check_u(&fx, "f", 0xa);
    check_u(&fx, "g", 0x78);
    check_u(&fx, "h", 0xf);
    check_u(&fx, "i", 0x81);
    check_bool(&fx, "_io.eof", true);
    check_u(&fx, "_io.pos", 6);
    fx_close(&fx);
}

static void test_bits_le(void **state)
{
    (void)state;
    fixture fx;
    open_seq(&fx, "le");
    check_bool(&fx, "a", true);
    check_bool(&fx, "b", false);
    check_u(&fx, "c", 5);
    check_u(&fx, "d", 5);
    check_u(&fx, "e", 0xa6c);
    check_u(&fx, "f", 0x3);
    check_u(&fx, "g", 0x70);
    check_u(&fx, "h", 0x1f);
    check_u(&fx, "i", 0x81);
    check_bool(&fx, "_io.eof", true);
    fx_close(&fx);
}

/* b1 is a boolean in expressions; bN is an unsigned int. */
static void test_b1_bool_in_expressions(void **state)
{
    (void)state;
    fixture fx;
    open_seq(&fx, "be");
    check_bool(&fx, "a and not b", true);
    check_bool(&fx, "a == true", true);
    check_bool(&fx, "b != a", true);
    check_u(&fx, "a.to_i + b.to_i", 1);
    check_u(&fx, "a ? c : d", 6);
    check_u(&fx, "c + d", 11);
    check_u(&fx, "e >> 4", 0x6c);
    check_u(&fx, "e & 0xf == 3 ? 1 : 0", 1);
    fd_error err;
    fd_value v = fd_eval(fx.doc, fx.root, "a + 1", &err);
    assert_true(fd_value_error(v, &err));
    assert_int_equal(err.kind, FD_ERR_TYPE);
    v = fd_eval(fx.doc, fx.root, "c and true", &err);
    assert_true(fd_value_error(v, &err));
    assert_int_equal(err.kind, FD_ERR_TYPE);
    fx_close(&fx);
}

/* Explicit b..be / b..le suffixes override meta/bit-endian; switching order at byte boundaries. */
static void test_bits_mixed_suffixes(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: b\n  bit-endian: be\n"
        "seq:\n"
        "  - id: x1\n    type: b4\n"
        "  - id: x2\n    type: b4be\n"
        "  - id: y1\n    type: b12le\n"
        "  - id: y2\n    type: b4le\n"
        "  - id: z\n    type: b8\n";
    static const uint8_t data[] = { 0xB5, 0x6C, 0x3A, 0xF0 };
    fixture fx;
    open_ok(&fx, ksy, data, sizeof data);
    check_u(&fx, "x1", 0xb);
    check_u(&fx, "x2", 0x5);
    check_u(&fx, "y1", 0xa6c);
    check_u(&fx, "y2", 0x3);
    check_u(&fx, "z", 0xf0);
    fx_close(&fx);
}

static const char *const B64_FMT =
    "meta:\n  id: b\n  bit-endian: %s\n"
    "seq:\n"
    "  - id: p\n    type: b4\n"
    "  - id: q\n    type: b64\n"
    "  - id: r\n    type: b4\n"
    "instances:\n"
    "  whole:\n    pos: 0\n    type: whole\n"
    "types:\n"
    "  whole:\n    seq:\n"
    "      - id: w\n        type: b64\n"
    "      - id: t\n        type: b8\n";

static const uint8_t B64_DATA[] = { 0x81, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xF9 };

static void test_b64(void **state)
{
    (void)state;
    char ksy[1024];
    fixture fx;
    snprintf(ksy, sizeof ksy, B64_FMT, "be");
    open_ok(&fx, ksy, B64_DATA, sizeof B64_DATA);
    check_u(&fx, "p", 0x8);
    check_u(&fx, "q", UINT64_C(0x102030405060708f));
    check_u(&fx, "r", 0x9);
    check_u(&fx, "whole.w", UINT64_C(0x8102030405060708));
    check_u(&fx, "whole.t", 0xf9);
    check_bool(&fx, "whole.w > 0x8000000000000000", true);
    fx_close(&fx);

    snprintf(ksy, sizeof ksy, B64_FMT, "le");
    open_ok(&fx, ksy, B64_DATA, sizeof B64_DATA);
    check_u(&fx, "p", 0x1);
    check_u(&fx, "q", UINT64_C(0x9080706050403028));
    check_u(&fx, "r", 0xf);
    check_u(&fx, "whole.w", UINT64_C(0x0807060504030281));
    check_u(&fx, "whole.t", 0xf9);
    fx_close(&fx);
}

/* All ones: b64 is u8 max, unsigned, in both orders. */
static void test_b64_all_ones(void **state)
{
    (void)state;
    static const uint8_t ones[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    const char *orders[] = { "be", "le" };
    for (int k = 0; k < 2; k++) {
        char ksy[1024];
        fixture fx;
        snprintf(ksy, sizeof ksy, B64_FMT, orders[k]);
        open_ok(&fx, ksy, ones, sizeof ones);
        check_u(&fx, "q", UINT64_MAX);
        check_u(&fx, "whole.w", UINT64_MAX);
        check_bool(&fx, "q == 0xffffffffffffffff", true);
        check_bool(&fx, "q != -1", true);
        check_u(&fx, "p + r", 30);
        fx_close(&fx);
    }
}

/* A byte-aligned read drops the leftover bits; a user type without size continues the bit buffer. */
static void test_bits_then_bytes(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: b\n  endian: le\n  bit-endian: be\n"
        "seq:\n"
        "  - id: one\n    type: b3\n"
        "  - id: bar\n    type: b5\n    if: _io.pos == 1\n"
        "  - id: byte1\n    type: u1\n"
        "  - id: two\n    type: b12\n"
        "  - id: word\n    type: u2\n"
        "  - id: three\n    type: b5\n"
        "  - id: raw\n    size: 1\n"
        "  - id: four\n    type: b4\n"
        "  - id: text\n    type: str\n    size: 1\n    encoding: ASCII\n"
        "  - id: five\n    type: b2\n"
        "  - id: sub\n    type: nib_pair\n    size: 1\n"
        "  - id: six\n    type: b4\n"
        "  - id: cont\n    type: nib\n"
        "  - id: seven\n    type: b1\n"
        "  - id: pos_mid\n    type: holder(_io.pos)\n"
        "  - id: eof_mid\n    type: flag(_io.eof)\n"
        "  - id: eight\n    type: b7\n"
        "types:\n"
        "  nib:\n    seq:\n      - id: v\n        type: b4\n"
        "  nib_pair:\n    seq:\n      - id: hi\n        type: b4\n      - id: lo\n        type: b4\n"
        "  holder:\n    params:\n      - id: v\n        type: u8\n"
        "  flag:\n    params:\n      - id: v\n        type: bool\n";
    static const uint8_t data[] = {
        0xB5,       /* one = 5, bar = 0x15 */
        0x6C,       /* byte1 */
        0x3A, 0xF0, /* two = 0x3af, 4 bits dropped */
        0x34, 0x12, /* word */
        0xF8,       /* three = 0x1f */
        0xAA,       /* raw */
        0x9C,       /* four = 9 */
        'Z',        /* text */
        0xC0,       /* five = 3 */
        0xA5,       /* sub.hi, sub.lo */
        0x7E,       /* six = 7, cont.v = 0xe */
        0x81,       /* seven = true, eight = 1 */
    };
    fixture fx;
    open_ok(&fx, ksy, data, sizeof data);
    check_u(&fx, "one", 5);
    check_u(&fx, "bar", 0x15);
    check_u(&fx, "byte1", 0x6c);
    check_u(&fx, "two", 0x3af);
    check_u(&fx, "word", 0x1234);
    check_u(&fx, "three", 0x1f);
    check_u(&fx, "raw[0]", 0xaa);
    check_u(&fx, "four", 9);
    check_u(&fx, "text.length", 1);
    check_u(&fx, "five", 3);
    check_u(&fx, "sub.hi", 0xa);
    check_u(&fx, "sub.lo", 0x5);
    check_u(&fx, "six", 7);
    check_u(&fx, "cont.v", 0xe);
    check_bool(&fx, "seven", true);
    /* _io.pos counts the whole byte being read; _io.eof is false while bits remain. */
    check_u(&fx, "pos_mid.v", 14);
    check_bool(&fx, "eof_mid.v", false);
    check_u(&fx, "eight", 1);
    check_bool(&fx, "_io.eof", true);
    fx_close(&fx);
}

static void test_bits_enum(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: b\n  bit-endian: be\n"
        "seq:\n"
        "  - id: pet\n    type: b4\n    enum: animal\n"
        "  - id: flag\n    type: b1\n    enum: yesno\n"
        "  - id: rest\n    type: b3\n"
        "  - id: wide\n    type: b12le\n    enum: animal\n"
        "  - id: unknown\n    type: b4le\n    enum: animal\n"
        "enums:\n"
        "  animal:\n    1: cat\n    2: dog\n    0xa6c: big\n"
        "  yesno:\n    0: no\n    1: yes\n";
    static const uint8_t data[] = { 0x2C, 0x6C, 0x3A };
    fixture fx;
    open_ok(&fx, ksy, data, sizeof data);
    check_enum(&fx, "pet", "dog", 2);
    check_enum(&fx, "flag", "yes", 1);
    check_u(&fx, "rest", 4);
    check_enum(&fx, "wide", "big", 0xa6c);
    fd_value v = ev_kind(&fx, "unknown", FD_ENUM);
    assert_int_equal(fd_value_int(v), 3);
    assert_null(fd_value_enum_name(v));
    check_bool(&fx, "pet == animal::dog", true);
    check_bool(&fx, "flag == yesno::yes", true);
    check_u(&fx, "flag.to_i", 1);
    check_u(&fx, "wide.to_i", 0xa6c);
    fx_close(&fx);
}

/* repeat: eos over bit fields stops at the end of the last byte. */
static void test_bits_repeat_eos(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: b\n"
        "seq:\n"
        "  - id: nibs\n    type: b4\n    repeat: eos\n";
    static const uint8_t data[] = { 0x12, 0x34 };
    fixture fx;
    open_ok(&fx, ksy, data, sizeof data);
    check_u(&fx, "nibs.size", 4);
    check_u(&fx, "nibs[0]", 1);
    check_u(&fx, "nibs[3]", 4);
    fx_close(&fx);

    static const char *const ksy1 =
        "meta:\n  id: b\n"
        "seq:\n"
        "  - id: flags\n    type: b1\n    repeat: eos\n";
    static const uint8_t one[] = { 0xA5 };
    open_ok(&fx, ksy1, one, sizeof one);
    check_u(&fx, "flags.size", 8);
    check_bool(&fx, "flags[0]", true);
    check_bool(&fx, "flags[1]", false);
    check_bool(&fx, "flags[5]", true);
    check_bool(&fx, "flags.last", true);
    fx_close(&fx);
}

/* Bit order is inherited by subtypes unless a subtype sets its own. */
static void test_bits_endian_inheritance(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: b\n  bit-endian: le\n"
        "seq:\n"
        "  - id: inherit\n    type: pair\n"
        "  - id: own\n    type: pair_be\n"
        "types:\n"
        "  pair:\n    seq:\n      - id: lo\n        type: b4\n      - id: hi\n        type: b4\n"
        "  pair_be:\n    meta:\n      bit-endian: be\n"
        "    seq:\n      - id: hi\n        type: b4\n      - id: lo\n        type: b4\n";
    static const uint8_t data[] = { 0xA5, 0xA5 };
    fixture fx;
    open_ok(&fx, ksy, data, sizeof data);
    check_u(&fx, "inherit.lo", 5);
    check_u(&fx, "inherit.hi", 0xa);
    check_u(&fx, "own.hi", 0xa);
    check_u(&fx, "own.lo", 5);
    fx_close(&fx);
}

static void test_bits_sizeof(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: b\n"
        "seq:\n"
        "  - id: x\n    type: b3\n"
        "types:\n"
        "  pair:\n    seq:\n      - id: lo\n        type: b4\n      - id: hi\n        type: b12\n";
    static const uint8_t data[] = { 0xff };
    fixture fx;
    open_ok(&fx, ksy, data, sizeof data);
    check_u(&fx, "sizeof<b3>", 1);
    check_u(&fx, "bitsizeof<b3>", 3);
    check_u(&fx, "sizeof<b9>", 2);
    check_u(&fx, "bitsizeof<b64>", 64);
    check_u(&fx, "sizeof<pair>", 2);
    check_u(&fx, "bitsizeof<pair>", 16);
    fx_close(&fx);
}

/* EOF inside bits reports the whole bytes the read needed (KST eof_exception_bits_*). */
static void test_bits_eof(void **state)
{
    (void)state;
    static const uint8_t three[] = { 0x12, 0x34, 0x56 };
    const char *orders[] = { "be", "le" };
    for (int k = 0; k < 2; k++) {
        char ksy[512];
        snprintf(ksy, sizeof ksy,
                 "meta:\n  id: b\n  bit-endian: %s\n"
                 "seq:\n"
                 "  - id: pre_bits\n    type: b7\n"
                 "  - id: fail_bits\n    type: b18\n", orders[k]);
        fixture fx;
        open_fx(&fx, ksy, three, sizeof three);
        check_eos(&fx, "/fail_bits", "requested 3 bytes, but only 2 bytes available", 1);
        check_u(&fx, "pre_bits", k == 0 ? 0x09 : 0x12);
        fx_close(&fx);
    }

    /* 16 bits left after a whole byte, 17 wanted. */
    fixture fx;
    open_fx(&fx,
            "meta:\n  id: b\n  bit-endian: be\n"
            "seq:\n"
            "  - id: pre_bits\n    type: b8\n"
            "  - id: fail_bits\n    type: b17\n", three, sizeof three);
    check_eos(&fx, "/fail_bits", "requested 3 bytes, but only 2 bytes available", 1);
    fx_close(&fx);

    /* b64 on 7 bytes, and after 4 bits with 7 bytes left. */
    static const uint8_t seven[] = { 1, 2, 3, 4, 5, 6, 7 };
    open_fx(&fx, "meta:\n  id: b\nseq:\n  - id: w\n    type: b64\n", seven, sizeof seven);
    check_eos(&fx, "/w", "requested 8 bytes, but only 7 bytes available", 0);
    fx_close(&fx);
    static const uint8_t eight[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    open_fx(&fx, "meta:\n  id: b\nseq:\n  - id: p\n    type: b4\n  - id: w\n    type: b64\n",
            eight, sizeof eight);
    check_eos(&fx, "/w", "requested 8 bytes, but only 7 bytes available", 1);
    fx_close(&fx);

    /* Leftover bits are used before a new byte is needed. */
    static const uint8_t one[] = { 0xff };
    open_fx(&fx, "meta:\n  id: b\nseq:\n  - id: p\n    type: b4\n  - id: q\n    type: b4\n"
                 "  - id: r\n    type: b1\n", one, sizeof one);
    check_eos(&fx, "/r", "requested 1 bytes, but only 0 bytes available", 1);
    check_u(&fx, "q", 0xf);
    fx_close(&fx);
}

/* Repeated user types without size share one bit buffer; b1 takes part in `valid`. */
static void test_bits_across_objects(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: b\n"
        "seq:\n"
        "  - id: nibs\n    type: nib\n    repeat: expr\n    repeat-expr: 3\n"
        "  - id: ok\n    type: b1\n    valid: true\n"
        "  - id: tail\n    type: b3\n"
        "  - id: must\n    type: b1\n    valid:\n      eq: true\n"
        "types:\n"
        "  nib:\n    seq:\n      - id: v\n        type: b4\n";
    static const uint8_t data[] = { 0x12, 0x3D, 0x7f };
    fixture fx;
    open_fx(&fx, ksy, data, sizeof data);
    check_u(&fx, "nibs[0].v", 1);
    check_u(&fx, "nibs[1].v", 2);
    check_u(&fx, "nibs[2].v", 3);
    check_bool(&fx, "ok", true);
    check_u(&fx, "tail", 5);
    fd_error err;
    assert_true(fd_doc_error(fx.doc, &err));
    assert_int_equal(err.kind, FD_ERR_NOT_EQUAL);
    assert_string_equal(err.path, "/must");
    fx_close(&fx);
}

/* b1 as a switch-on value, contents after bits, repeat-until over bN with `_`. */
static void test_bits_switch_contents_until(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: b\n  bit-endian: be\n"
        "seq:\n"
        "  - id: flag\n    type: b1\n"
        "  - id: kind\n    type: b3\n"
        "  - id: body\n"
        "    type:\n      switch-on: flag\n      cases:\n        true: one\n        false: two\n"
        "  - id: magic\n    contents: [0xca]\n"
        "  - id: more\n    type: b4\n    repeat: until\n    repeat-until: _ == 0\n"
        "  - id: tail\n    type: b2\n"
        "types:\n"
        "  one:\n    seq:\n      - id: v\n        type: b4\n"
        "  two:\n    seq:\n      - id: w\n        type: u1\n";
    static const uint8_t d1[] = { 0x95, 0xCA, 0x32, 0x10, 0xC0 };
    fixture fx;
    open_ok(&fx, ksy, d1, sizeof d1);
    check_bool(&fx, "flag", true);
    check_u(&fx, "kind", 1);
    check_u(&fx, "body.v", 5);
    check_u(&fx, "more.size", 4);
    check_u(&fx, "more[1]", 2);
    check_u(&fx, "tail", 3);
    /* Six bits of the last byte are left: not at EOF yet. */
    check_u(&fx, "_io.pos", 5);
    check_bool(&fx, "_io.eof", false);
    fx_close(&fx);

    static const uint8_t d2[] = { 0x15, 0xFF, 0xCA, 0x32, 0x10, 0xC0 };
    open_ok(&fx, ksy, d2, sizeof d2);
    check_bool(&fx, "flag", false);
    check_u(&fx, "body.w", 0xff);
    check_u(&fx, "more.size", 4);
    fx_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bits_be),
        cmocka_unit_test(test_bits_le),
        cmocka_unit_test(test_b1_bool_in_expressions),
        cmocka_unit_test(test_bits_mixed_suffixes),
        cmocka_unit_test(test_b64),
        cmocka_unit_test(test_b64_all_ones),
        cmocka_unit_test(test_bits_then_bytes),
        cmocka_unit_test(test_bits_enum),
        cmocka_unit_test(test_bits_repeat_eos),
        cmocka_unit_test(test_bits_endian_inheritance),
        cmocka_unit_test(test_bits_sizeof),
        cmocka_unit_test(test_bits_eof),
        cmocka_unit_test(test_bits_across_objects),
        cmocka_unit_test(test_bits_switch_contents_until),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
