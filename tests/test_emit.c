/* test_emit.c - the JSON, text and YAML writers: the JSON mapping value by value, errors, guards. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static const char *const KSY =
    "meta:\n  id: t\n  endian: le\n"
    "seq:\n"
    "  - id: big\n    type: u8\n"
    "  - id: neg\n    type: s8\n"
    "  - id: f\n    type: f8\n"
    "  - id: raw\n    size: 3\n"
    "  - id: name\n    type: str\n    size: 4\n    encoding: UTF-8\n"
    "  - id: kind\n    type: u1\n    enum: kinds\n"
    "  - id: other\n    type: u1\n    enum: kinds\n"
    "  - id: flag\n    type: b1\n"
    "  - id: absent\n    type: u1\n    if: false\n"
    "  - id: items\n    type: u1\n    repeat: expr\n    repeat-expr: 2\n"
    "instances:\n"
    "  half:\n    value: 0.5\n"
    "  minus_zero:\n    value: -0.0\n"
    "  nan:\n    value: f - f\n"
    "  broken:\n    pos: 1000\n    type: u4\n"
    "  me:\n    value: _root\n"
    "enums:\n  kinds:\n    1: one\n";

static const uint8_t DATA[] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             /* big = u8 max */
    0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             /* neg = -2 */
    0, 0, 0, 0, 0, 0, 0xf0, 0x7f,                               /* f = +inf */
    0xab, 0x00, 0x10,                                           /* raw */
    'a', '"', '\n', 0x01,                                       /* name */
    1, 9,                                                       /* kind, other */
    0x80,                                                       /* flag */
    7, 8,                                                       /* items */
};

/* The whole output of one writer as a NUL-terminated string (caller frees). */
static char *emit_to_string(fd_value v, fd_out_format format, bool compact, uint64_t max_bytes)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    fd_emit_opts opts = { .format = format, .max_bytes = max_bytes, .compact = compact };
    assert_int_equal(fd_emit(out, v, &opts), 0);
    fclose(out);
    return buf;
}

static void assert_has(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("missing %s in:\n%s", needle, hay);
}

static void test_json_mapping(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "t.ksy", KSY, DATA, sizeof DATA);
    char *s = emit_to_string(fx.root, FD_OUT_JSON, true, 0);
    /* Seq fields in order, then instances; integers exact in both signs. */
    assert_has(s, "{\"big\":18446744073709551615,\"neg\":-2,");
    /* Infinity and NaN have no JSON number: null. */
    assert_has(s, "\"f\":null");
    assert_has(s, "\"raw\":\"ab0010\"");
    assert_has(s, "\"name\":\"a\\\"\\n\\u0001\"");
    /* An enum is its label, or its integer when it has none. */
    assert_has(s, "\"kind\":\"one\",\"other\":9");
    assert_has(s, "\"flag\":true,\"absent\":null,\"items\":[7,8]");
    assert_has(s, "\"half\":0.5");
    assert_has(s, "\"minus_zero\":-0.0");
    assert_has(s, "\"nan\":null");
    /* A failing instance is an error object; its siblings are still written. */
    assert_has(s, "\"broken\":{\"_error\":{\"kind\":\"EndOfStreamError\"");
    assert_has(s, "\"path\":\"/broken\"");
    /* A struct that is its own ancestor is cut. */
    assert_has(s, "\"me\":{\"_cycle\":true}");
    free(s);
    fx_close(&fx);
}

static void test_json_value_and_error(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "t.ksy", KSY, DATA, sizeof DATA);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(fd_emit_json_value(out, fx_eval(&fx, "items"), true), 0);
    fputc('|', out);
    fd_error err = { .kind = FD_ERR_NOT_EQUAL, .offset = 4, .line = 3, .col = 5 };
    snprintf(err.message, sizeof err.message, "bad \"magic\"");
    snprintf(err.path, sizeof err.path, "/magic");
    snprintf(err.file, sizeof err.file, "x.ksy");
    assert_int_equal(fd_emit_json_error(out, &err), 0);
    fputc('|', out);
    assert_int_equal(fd_emit_json_text(out, "a\xff", 2), 0);
    fclose(out);
    assert_has(buf, "[7,8]|");
    assert_has(buf, "\"kind\": \"ValidationNotEqualError\"");
    assert_has(buf, "\"message\": \"bad \\\"magic\\\"\"");
    assert_has(buf, "\"offset\": 4");
    assert_has(buf, "|\"a\\ufffd\"");
    free(buf);
    fx_close(&fx);
}

static void test_text_tree(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "t.ksy", KSY, DATA, sizeof DATA);
    char *s = emit_to_string(fx.root, FD_OUT_TEXT, false, 2);
    assert_has(s, "t\n");
    assert_has(s, "  big = 18446744073709551615\n");
    /* Byte arrays are cut to --max-bytes with their size shown. */
    assert_has(s, "  raw = [3 bytes] ab 00 ...\n");
    assert_has(s, "  kind = one (0x1)\n");
    assert_has(s, "  items [2]\n");
    assert_has(s, "  broken: ERROR EndOfStreamError");
    free(s);
    fx_close(&fx);
}

static void test_yaml_tree(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "t.ksy", KSY, DATA, sizeof DATA);
    char *s = emit_to_string(fx.root, FD_OUT_YAML, false, 0);
    assert_has(s, "big: 18446744073709551615\n");
    assert_has(s, "kind: one\n");
    assert_has(s, "absent: null\n");
    assert_has(s, "half: 0.5\n");
    assert_has(s, "_error:");
    free(s);
    fx_close(&fx);
}

/* A partial struct carries its own `_error`; fields after the failure are absent. */
static void test_partial_struct(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: p\n"
        "seq:\n  - id: a\n    type: u1\n  - id: b\n    type: u4le\n  - id: c\n    type: u1\n";
    static const uint8_t data[] = { 5, 1, 2 };
    fixture fx;
    fx_open(&fx, "p.ksy", ksy, data, sizeof data);
    char *s = emit_to_string(fx.root, FD_OUT_JSON, true, 0);
    assert_has(s, "{\"a\":5,\"_error\":{\"kind\":\"EndOfStreamError\"");
    assert_has(s, "\"offset\":1,\"path\":\"/b\"");
    assert_null(strstr(s, "\"c\""));
    free(s);
    fx_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_mapping),
        cmocka_unit_test(test_json_value_and_error),
        cmocka_unit_test(test_text_tree),
        cmocka_unit_test(test_yaml_tree),
        cmocka_unit_test(test_partial_struct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
