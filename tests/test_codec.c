/* test_codec.c - unit tests of engine/codec.c: names, built-in decoders, iconv code pages, encoding, UTF-8 helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "codec.h"

#define FFFD "\xEF\xBF\xBD"

static int setup(void **state)
{
    static fd_arena a;
    fd_arena_init(&a, 0);
    *state = &a;
    return 0;
}

static int teardown(void **state)
{
    fd_arena_free(*state);
    return 0;
}

static int id_of(const char *name)
{
    int id = fd_codec_lookup(name);
    assert_true(id >= 0);
    return id;
}

/* Decode with `name` and compare with the expected UTF-8 text. */
static void check_decode(fd_arena *a, const char *name, const void *src, size_t n, const char *want, size_t wantn)
{
    const char *out = NULL;
    size_t outn = 0;
    assert_int_equal(fd_codec_decode(a, id_of(name), src, n, &out, &outn), FD_COK);
    assert_non_null(out);
    assert_int_equal(outn, wantn);
    assert_memory_equal(out, want, wantn);
    assert_int_equal(out[outn], 0);
}

#define DEC(a, name, src, want) check_decode(a, name, src, sizeof(src) - 1, want, sizeof(want) - 1)

static void check_encode(fd_arena *a, const char *name, const char *src, const void *want, size_t wantn)
{
    const uint8_t *out = NULL;
    size_t outn = 0;
    assert_int_equal(fd_codec_encode(a, id_of(name), src, strlen(src), &out, &outn), FD_COK);
    assert_int_equal(outn, wantn);
    assert_memory_equal(out, want, wantn);
}

#define ENC(a, name, src, want) check_encode(a, name, src, want, sizeof(want) - 1)

static void test_lookup_canonical_and_aliases(void **state)
{
    (void)state;
    static const struct { const char *alias, *canon; } cases[] = {
        {"ASCII", "ASCII"}, {"ascii", "ASCII"}, {"US-ASCII", "ASCII"},
        {"UTF-8", "UTF-8"}, {"utf8", "UTF-8"}, {"Utf_8", "UTF-8"},
        {"UTF-16LE", "UTF-16LE"}, {"utf16le", "UTF-16LE"}, {"UTF-16-BE", "UTF-16BE"},
        {"UTF-16", "UTF-16"}, {"utf16", "UTF-16"}, {"UTF-32", "UTF-32"},
        {"UTF-32LE", "UTF-32LE"}, {"utf_32_be", "UTF-32BE"},
        {"latin1", "ISO-8859-1"}, {"ISO-8859-1", "ISO-8859-1"}, {"iso88591", "ISO-8859-1"},
        {"8859_15", "ISO-8859-15"}, {"ISO_8859-2", "ISO-8859-2"}, {"iso8859_16", "ISO-8859-16"},
        {"latin-9", "ISO-8859-15"}, {"cyrillic", "ISO-8859-5"}, {"TIS-620", "ISO-8859-11"},
        {"windows-1251", "windows-1251"}, {"CP1252", "windows-1252"}, {"WINDOWS-1258", "windows-1258"},
        {"cp437", "IBM437"}, {"IBM437", "IBM437"}, {"437", "IBM437"}, {"cp866", "IBM866"},
        {"SJIS", "Shift_JIS"}, {"sjis", "Shift_JIS"}, {"SHIFT_JIS", "Shift_JIS"}, {"shift-jis", "Shift_JIS"},
        {"BIG5", "Big5"}, {"euc-kr", "EUC-KR"}, {"EUC-JP", "EUC-JP"}, {"gb2312", "GB2312"},
        {"GBK", "GBK"}, {"cp936", "GBK"}, {"koi8-r", "KOI8-R"}, {"KOI8R", "KOI8-R"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int id = fd_codec_lookup(cases[i].alias);
        if (id < 0)
            fail_msg("unknown: %s", cases[i].alias);
        assert_string_equal(fd_codec_name(id), cases[i].canon);
    }
}

static void test_lookup_unknown(void **state)
{
    (void)state;
    static const char *bad[] = {
        "ASCII\\\\x", "UTF-8\\'x", "SJIS\\\"x", "IBM437\\nx", "IBM437\nx", "foo", "", "UTF-8 ",
        " UTF-8", "ISO-8859-12", "ISO-8859-0", "ISO-8859-01", "ISO-8859-17", "8859", "ISO-8859-",
        "UTF", "latin", "windows-1259", "cp1", "|", "UTF8|",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (fd_codec_lookup(bad[i]) != -1)
            fail_msg("accepted: %s", bad[i]);
    assert_int_equal(fd_codec_lookup(NULL), -1);
    assert_string_equal(fd_codec_name(-1), "unknown");
    assert_string_equal(fd_codec_name(100000), "unknown");
}

static void test_unit(void **state)
{
    (void)state;
    assert_int_equal(fd_codec_unit(id_of("ASCII")), 1);
    assert_int_equal(fd_codec_unit(id_of("UTF-8")), 1);
    assert_int_equal(fd_codec_unit(id_of("SJIS")), 1);
    assert_int_equal(fd_codec_unit(id_of("UTF-16LE")), 2);
    assert_int_equal(fd_codec_unit(id_of("UTF-16BE")), 2);
    assert_int_equal(fd_codec_unit(id_of("UTF-16")), 2);
    assert_int_equal(fd_codec_unit(id_of("UTF-32LE")), 4);
    assert_int_equal(fd_codec_unit(id_of("UTF-32BE")), 4);
    assert_int_equal(fd_codec_unit(id_of("UTF-32")), 4);
    assert_int_equal(fd_codec_unit(-1), 1);
}

static void test_decode_ascii_latin1(void **state)
{
    fd_arena *a = *state;
    DEC(a, "ASCII", "Some ASCII", "Some ASCII");
    DEC(a, "ASCII", "", "");
    /* lenient: high bytes read as Latin-1 */
    DEC(a, "ASCII", "caf\xE9\x80\xFF", "caf\xC3\xA9\xC2\x80\xC3\xBF");
    DEC(a, "latin1", "\xA0\xE9z", "\xC2\xA0\xC3\xA9z");
    static const uint8_t nul[3] = {'a', 0, 'b'};
    check_decode(a, "ASCII", nul, 3, "a\0b", 3);
    const char *out;
    size_t outn;
    assert_int_equal(fd_codec_decode(a, id_of("UTF-8"), NULL, 0, &out, &outn), FD_COK);
    assert_int_equal(outn, 0);
    assert_string_equal(out, "");
}

static void test_decode_utf8(void **state)
{
    fd_arena *a = *state;
    DEC(a, "UTF-8", "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF", "こんにちは");
    DEC(a, "UTF-8", "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80");
    DEC(a, "UTF-8", "\xEF\xBF\xBD", FFFD);
    /* one U+FFFD per maximal ill-formed subpart */
    DEC(a, "UTF-8", "a\xFF" "b", "a" FFFD "b");
    DEC(a, "UTF-8", "\xC0\xAF", FFFD FFFD);              /* overlong */
    DEC(a, "UTF-8", "\xE0\x80\x80", FFFD FFFD FFFD);     /* overlong 3-byte */
    DEC(a, "UTF-8", "\xED\xA0\x80", FFFD FFFD FFFD);     /* UTF-16 surrogate */
    DEC(a, "UTF-8", "\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* > U+10FFFF */
    DEC(a, "UTF-8", "\xE3\x81", FFFD);                   /* truncated at the end */
    DEC(a, "UTF-8", "\xE3\x81z", FFFD "z");              /* truncated in the middle */
    DEC(a, "UTF-8", "\xF0\x9F\x98", FFFD);
    DEC(a, "UTF-8", "\x80\xBF", FFFD FFFD);              /* lone continuations */
    DEC(a, "UTF-8", "\xF5\xF8\xFE", FFFD FFFD FFFD);
}

static void test_decode_utf16(void **state)
{
    fd_arena *a = *state;
    DEC(a, "UTF-16LE", "a\0\0\x02" "b\0", "a\xC8\x80" "b");
    DEC(a, "UTF-16BE", "\0a\x02\0\0b", "a\xC8\x80" "b");
    DEC(a, "UTF-16LE", "\x3D\xD8\x00\xDE", "\xF0\x9F\x98\x80"); /* surrogate pair */
    DEC(a, "UTF-16BE", "\xD8\x3D\xDE\x00", "\xF0\x9F\x98\x80");
    DEC(a, "UTF-16LE", "\x00\xDE" "a\0", FFFD "a");           /* lone low */
    DEC(a, "UTF-16LE", "\x3D\xD8" "a\0", FFFD "a");           /* high, then no low */
    DEC(a, "UTF-16LE", "\x3D\xD8\x3D\xD8\x00\xDE", FFFD "\xF0\x9F\x98\x80");
    DEC(a, "UTF-16LE", "a\0\x3D\xD8", "a" FFFD);              /* high at the end */
    DEC(a, "UTF-16BE", "\xD8\x00\x41", FFFD);                 /* high, then half a unit */
    DEC(a, "UTF-16LE", "a\0b", "a" FFFD);                     /* odd length */
    DEC(a, "UTF-16LE", "\xFF\xFE" "a\0", "\xEF\xBB\xBF" "a"); /* no BOM handling in -LE */
}

static void test_decode_utf16_bom(void **state)
{
    fd_arena *a = *state;
    DEC(a, "UTF-16", "\xFF\xFE" "a\0b\0", "ab");
    DEC(a, "UTF-16", "\xFE\xFF\0a\0b", "ab");
    DEC(a, "UTF-16", "a\0b\0", "ab");  /* no BOM: little-endian, as Python on x86 */
    DEC(a, "UTF-16", "\xFF\xFE", "");
    DEC(a, "UTF-16", "\xFF\xFE\xFF\xFE", "\xEF\xBB\xBF"); /* only the first BOM is eaten */
    DEC(a, "UTF-16", "\xFF", FFFD);
}

static void test_decode_utf32(void **state)
{
    fd_arena *a = *state;
    DEC(a, "UTF-32LE", "a\0\0\0\x00\xF6\x01\0", "a\xF0\x9F\x98\x80");
    DEC(a, "UTF-32BE", "\0\0\0a\0\x01\xF6\x00", "a\xF0\x9F\x98\x80");
    DEC(a, "UTF-32LE", "\0\0\x11\0", FFFD);        /* beyond U+10FFFF */
    DEC(a, "UTF-32LE", "\x00\xD8\0\0", FFFD);      /* surrogate */
    DEC(a, "UTF-32LE", "a\0\0\0b\0", "a" FFFD);    /* partial unit */
    DEC(a, "UTF-32", "\xFF\xFE\0\0" "a\0\0\0", "a");
    DEC(a, "UTF-32", "\0\0\xFE\xFF\0\0\0a", "a");
    DEC(a, "UTF-32", "a\0\0\0", "a");
}

static void test_decode_iconv(void **state)
{
    fd_arena *a = *state;
    /* the Kaitai str_encodings sample */
    DEC(a, "SJIS", "\x82\xB1\x82\xF1\x82\xC9\x82\xBF\x82\xCD", "こんにちは");
    /* 0x5C/0x7E stay ASCII (Python), also next to a 0x5C trail byte */
    DEC(a, "Shift_JIS", "\x95\x5C\x5C~", "表\\~");
    DEC(a, "SJIS", "a\x80" "b", "a" FFFD "b");         /* invalid byte */
    DEC(a, "SJIS", "a\x82", "a" FFFD);                 /* truncated double byte */
    DEC(a, "IBM437", "\xB0\xB1\xB2", "░▒▓");
    DEC(a, "cp437", "\x80", "Ç");
    DEC(a, "windows-1251", "\xCF\xF0\xE8", "При");
    DEC(a, "windows-1252", "\x80\x81", "€" FFFD);      /* 0x81 is undefined */
    DEC(a, "EUC-KR", "\xC7\xD1", "한");
    DEC(a, "EUC-JP", "\xC6\xFC\xCB\xDC", "日本");
    DEC(a, "GBK", "\xD6\xD0\xCE\xC4", "中文");
    DEC(a, "GB2312", "\xD6\xD0", "中");
    DEC(a, "BIG5", "\xA4\xA4", "中");
    DEC(a, "KOI8-R", "\xF6\xD5\xCB", "Жук");
    DEC(a, "ISO-8859-7", "\xE1\xE2", "αβ");
    DEC(a, "ISO-8859-15", "\xA4", "€");
    DEC(a, "IBM866", "\x80", "А");
    DEC(a, "SJIS", "", "");
    /* a long input forces the output buffer to grow */
    enum { N = 5000 };
    static uint8_t box[N];
    static char want[3 * N];
    for (size_t i = 0; i < N; i++) {
        box[i] = 0xB0;
        memcpy(want + 3 * i, "░", 3);
    }
    check_decode(a, "IBM437", box, N, want, 3 * N);
}

static void test_encode(void **state)
{
    fd_arena *a = *state;
    ENC(a, "UTF-8", "h\xC3\xA9", "h\xC3\xA9");
    ENC(a, "ASCII", "abc", "abc");
    ENC(a, "latin1", "\xC3\xA9", "\xE9");
    ENC(a, "UTF-16LE", "a\xF0\x9F\x98\x80", "a\0\x3D\xD8\x00\xDE");
    ENC(a, "UTF-16BE", "a\xC8\x80", "\0a\x02\0");
    ENC(a, "UTF-16", "a", "\xFF\xFE" "a\0");
    ENC(a, "UTF-16", "", "\xFF\xFE");
    ENC(a, "UTF-32LE", "\xF0\x9F\x98\x80", "\x00\xF6\x01\0");
    ENC(a, "UTF-32BE", "a", "\0\0\0a");
    ENC(a, "UTF-32", "a", "\xFF\xFE\0\0" "a\0\0\0");
    ENC(a, "SJIS", "表\\ こんにちは", "\x95\x5C\x5C\x20\x82\xB1\x82\xF1\x82\xC9\x82\xBF\x82\xCD");
    ENC(a, "windows-1251", "При", "\xCF\xF0\xE8");
    ENC(a, "IBM437", "░▒▓", "\xB0\xB1\xB2");
    ENC(a, "windows-1251", "", "");

    const uint8_t *out;
    size_t outn;
    assert_int_equal(fd_codec_encode(a, id_of("ASCII"), "\xC3\xA9", 2, &out, &outn), FD_CINVALID);
    assert_int_equal(fd_codec_encode(a, id_of("latin1"), "\xE2\x82\xAC", 3, &out, &outn), FD_CINVALID);
    assert_int_equal(fd_codec_encode(a, id_of("windows-1251"), "\xE4\xB8\xAD", 3, &out, &outn), FD_CINVALID);
    assert_int_equal(fd_codec_encode(a, id_of("UTF-16LE"), "\xFF", 1, &out, &outn), FD_CINVALID);
    assert_int_equal(fd_codec_encode(a, id_of("UTF-8"), "a\xC0\xAF", 3, &out, &outn), FD_CINVALID);
    assert_int_equal(fd_codec_encode(a, id_of("SJIS"), "\xFF", 1, &out, &outn), FD_CINVALID);
    assert_int_equal(fd_codec_encode(a, -1, "a", 1, &out, &outn), FD_CUNKNOWN);
    assert_int_equal(fd_codec_encode(a, id_of("UTF-8"), NULL, 0, &out, &outn), FD_COK);
    assert_int_equal(outn, 0);
}

/* Every byte a single-byte code page defines survives decode + encode. */
static void test_roundtrip_code_pages(void **state)
{
    fd_arena *a = *state;
    static const char *pages[] = {"windows-1251", "IBM437", "KOI8-R", "ISO-8859-5", "latin1"};
    for (size_t k = 0; k < sizeof pages / sizeof pages[0]; k++) {
        int id = id_of(pages[k]);
        for (int b = 0; b < 256; b++) {
            uint8_t in = (uint8_t)b;
            const char *txt;
            size_t txtn;
            const uint8_t *back;
            size_t backn;
            assert_int_equal(fd_codec_decode(a, id, &in, 1, &txt, &txtn), FD_COK);
            if (txtn == 3 && memcmp(txt, FFFD, 3) == 0)
                continue;
            assert_int_equal(fd_codec_encode(a, id, txt, txtn, &back, &backn), FD_COK);
            assert_int_equal(backn, 1);
            assert_int_equal(back[0], b);
        }
    }
}

static void test_errors(void **state)
{
    (void)state;
    const char *out;
    size_t outn;
    fd_arena small;
    fd_arena_init(&small, 64);
    assert_int_equal(fd_codec_decode(&small, -1, (const uint8_t *)"a", 1, &out, &outn), FD_CUNKNOWN);
    assert_int_equal(fd_codec_decode(&small, 1000, (const uint8_t *)"a", 1, &out, &outn), FD_CUNKNOWN);
    /* arena over its limit */
    assert_int_equal(fd_codec_decode(&small, id_of("UTF-8"), (const uint8_t *)"abc", 3, &out, &outn), FD_CNOMEM);
    assert_int_equal(fd_codec_decode(&small, id_of("UTF-16LE"), (const uint8_t *)"a\0", 2, &out, &outn), FD_CNOMEM);
    assert_int_equal(fd_codec_decode(&small, id_of("SJIS"), (const uint8_t *)"abc", 3, &out, &outn), FD_CNOMEM);
    const uint8_t *bout;
    assert_int_equal(fd_codec_encode(&small, id_of("UTF-16LE"), "a", 1, &bout, &outn), FD_CNOMEM);
    assert_int_equal(fd_codec_encode(&small, id_of("IBM437"), "a", 1, &bout, &outn), FD_CNOMEM);
    fd_arena_free(&small);
}

static void test_utf8_length_offset(void **state)
{
    (void)state;
    static const char s[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z"; /* a é € 😀 z */
    size_t n = sizeof s - 1;
    assert_int_equal(fd_utf8_length(s, n), 5);
    assert_int_equal(fd_utf8_length(s, 0), 0);
    assert_int_equal(fd_utf8_offset(s, n, 0), 0);
    assert_int_equal(fd_utf8_offset(s, n, 1), 1);
    assert_int_equal(fd_utf8_offset(s, n, 2), 3);
    assert_int_equal(fd_utf8_offset(s, n, 3), 6);
    assert_int_equal(fd_utf8_offset(s, n, 4), 10);
    assert_int_equal(fd_utf8_offset(s, n, 5), 11);
    assert_int_equal(fd_utf8_offset(s, n, 6), 11);
    assert_int_equal(fd_utf8_offset(s, n, SIZE_MAX), 11);
    /* ill-formed bytes count as the U+FFFD they would decode to */
    assert_int_equal(fd_utf8_length("\xC0\xAF" "a\xE3\x81", 5), 4);
    assert_int_equal(fd_utf8_offset("\xE3\x81" "a", 3, 1), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_canonical_and_aliases),
        cmocka_unit_test(test_lookup_unknown),
        cmocka_unit_test(test_unit),
        cmocka_unit_test_setup_teardown(test_decode_ascii_latin1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_utf16, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_utf16_bom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_utf32, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_iconv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_encode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip_code_pages, setup, teardown),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_utf8_length_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
