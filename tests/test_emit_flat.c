/* test_emit_flat.c - write programs print what the objects print: values, views, errors, byte orders, budgets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"
#include "emit_flat.h"

/* Records of every kind of fixed-width number, a nested struct and byte
 * views of the element's stream and of `_root._io`, by literal and by field. */
static const char *const recs_ksy =
    "meta:\n  id: t\n  endian: le\n"
    "seq:\n  - id: n\n    type: u2\n"
    "  - id: recs\n    type: rec\n    repeat: expr\n    repeat-expr: n\n"
    "types:\n"
    "  rec:\n    seq:\n"
    "      - id: tag\n        type: u1\n        enum: kind\n"
    "      - id: s\n        type: s2\n"
    "      - id: f\n        type: f4\n"
    "      - id: loc\n        type: loc\n"
    "      - id: big\n        type: u4be\n"
    "      - id: d\n        type: f8\n"
    "    instances:\n"
    "      head:\n        pos: 0\n        size: 2\n"
    "  loc:\n    seq:\n      - id: ofs\n        type: u2\n      - id: len\n        type: u1\n"
    "    instances:\n      data:\n        io: _root._io\n        pos: ofs\n        size: len\n"
    "enums:\n  kind:\n    1: one\n    2: two\n";

enum { REC_SIZE = 1 + 2 + 4 + 3 + 4 + 8 };

/* n records; every seventh one's view runs past the end of the input. */
static uint8_t *recs_data(unsigned n, size_t *len)
{
    size_t size = 2 + (size_t)n * REC_SIZE;
    uint8_t *d = calloc(1, size);
    assert_non_null(d);
    d[0] = (uint8_t)n;
    d[1] = (uint8_t)(n >> 8);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *r = d + 2 + (size_t)i * REC_SIZE;
        r[0] = (uint8_t)(i % 4);
        r[1] = (uint8_t)(i * 37);
        r[2] = (uint8_t)(i & 1 ? 0xff : 0x01);
        float f = (float)i / 3.0f;
        memcpy(r + 3, &f, 4);
        uint16_t ofs = (uint16_t)(i % 7 == 6 ? size - 1 : i % 50);
        r[7] = (uint8_t)ofs;
        r[8] = (uint8_t)(ofs >> 8);
        r[9] = (uint8_t)(i % 7 == 6 ? 9 : i % 13);
        r[10] = (uint8_t)i;
        r[13] = 0x80;
        double dv = -(double)i * 1e-3;
        memcpy(r + 14, &dv, 8);
    }
    *len = size;
    return d;
}

/* The tree of a fresh document as eo says, written one way or the other. */
static char *tree_of(const char *ksy, const uint8_t *data, size_t len, const fd_open_opts *oo,
                     const fd_emit_opts *eo, const char *prepare, bool objects_only, uint64_t *by_program,
                     fd_emit_stats *st)
{
    fixture fx;
    fx_open_with(&fx, "t.ksy", ksy, data, len, oo);
    if (prepare)
        assert_false(fd_value_kind(fx_eval(&fx, prepare)) == FD_ERROR);
    fx_membuf m = { 0 };
    fd_emit_opts opts = *eo;
    opts.stats = st;
    fd_emit_sink_paths(fx_mem_sink, &m, fx.root, &opts, objects_only, by_program);
    fx_close(&fx);
    return m.p ? m.p : strdup("");
}

/* Both ways must print the same; returns the elements programs wrote and
 * the stats (may be NULL). */
static uint64_t same_both_ways(const char *ksy, const uint8_t *data, size_t len, const fd_open_opts *oo,
                               const fd_emit_opts *eo, const char *prepare, fd_emit_stats *stats)
{
    uint64_t none = 1, some = 0;
    fd_emit_stats sa, sb;
    char *a = tree_of(ksy, data, len, oo, eo, prepare, true, &none, &sa);
    char *b = tree_of(ksy, data, len, oo, eo, prepare, false, &some, &sb);
    assert_int_equal(none, 0);
    assert_string_equal(a, b);
    assert_int_equal(sa.errors, sb.errors);
    assert_int_equal(sa.truncated, sb.truncated);
    assert_int_equal(sa.bytes, sb.bytes);
    assert_string_equal(sa.first.path, sb.first.path);
    if (stats)
        *stats = sb;
    free(a);
    free(b);
    return some;
}

static const fd_emit_opts pretty = { .size = sizeof(fd_emit_opts), .format = FD_OUT_JSON };
static const fd_emit_opts compact = { .size = sizeof(fd_emit_opts), .format = FD_OUT_JSON, .compact = true };
static const fd_emit_opts text = { .size = sizeof(fd_emit_opts), .format = FD_OUT_TEXT };
static const fd_emit_opts text_wide = { .size = sizeof(fd_emit_opts), .format = FD_OUT_TEXT, .max_bytes = 4 };
/* Byte arrays shown whole, however long: no bound of the output fits the budget. */
static const fd_emit_opts text_all = { .size = sizeof(fd_emit_opts), .format = FD_OUT_TEXT, .max_bytes = UINT64_MAX };

static void test_values_and_views(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = recs_data(100, &len);
    fd_emit_stats st;
    /* Two elements measure the work an element costs; views past the end go the object way. */
    uint64_t n = same_both_ways(recs_ksy, d, len, NULL, &pretty, NULL, &st);
    assert_int_equal(n, 100 - 2 - 14);
    assert_int_equal(st.errors, 14);
    assert_int_equal(same_both_ways(recs_ksy, d, len, NULL, &compact, NULL, NULL), 100 - 2 - 14);
    assert_int_equal(same_both_ways(recs_ksy, d, len, NULL, &text, NULL, NULL), 100 - 2 - 14);
    assert_int_equal(same_both_ways(recs_ksy, d, len, NULL, &text_wide, NULL, NULL), 100 - 2 - 14);
    assert_int_equal(same_both_ways(recs_ksy, d, len, NULL, &text_all, NULL, NULL), 0);
    char *lines = tree_of(recs_ksy, d, len, NULL, &text, NULL, false, NULL, NULL);
    assert_non_null(strstr(lines, "\n    [1] (rec)\n      tag = one (0x1)\n      s = -219\n"
                                  "      f = 0.3333333432674408\n      loc (loc)\n        ofs = 0x1\n        len = 1\n"
                                  "        data = [1 byte] 00\n      big = 16777344\n"));
    free(lines);
    char *out = tree_of(recs_ksy, d, len, NULL, &compact, NULL, false, NULL, NULL);
    assert_non_null(strstr(out, "{\"tag\":\"one\",\"s\":-219,\"f\":0.3333333432674408,"
                                 "\"loc\":{\"ofs\":1,\"len\":1,\"data\":\"00\"},\"big\":16777344,\"d\":-0.001,\"head\":\"6400\"}"));
    assert_non_null(strstr(out, "\"tag\":3,"));
    free(out);
    free(d);
}

/* An element an expression kept is written as it is. */
static void test_kept_element(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = recs_data(20, &len);
    assert_int_equal(same_both_ways(recs_ksy, d, len, NULL, &pretty, "recs[5].loc.data", NULL), 20 - 2 - 2 - 1);
    free(d);
}

/* Budgets that cut the tree inside the array: the cut is where the objects put it. */
static void test_budgets(void **state)
{
    (void)state;
    size_t len;
    uint8_t *d = recs_data(3000, &len);
    bool cut_after_programs = false;
    for (uint64_t b = 1024; b <= (1u << 24); b += b / 3) {
        fd_open_opts oo = FD_OPEN_OPTS_INIT;
        fd_emit_opts eo = pretty;
        fd_emit_stats st;
        eo.max_output = b * 8;
        uint64_t n = same_both_ways(recs_ksy, d, len, NULL, &eo, NULL, &st);
        cut_after_programs |= st.truncated && n > 0;
        eo.format = FD_OUT_TEXT;
        same_both_ways(recs_ksy, d, len, NULL, &eo, NULL, NULL);
        oo.max_work = b;
        n = same_both_ways(recs_ksy, d, len, &oo, &pretty, NULL, &st);
        /* More errors than the 428 views past the end: the work ran out. */
        cut_after_programs |= st.errors > 428 && n > 0;
        oo.max_work = 0;
        oo.max_memory = b * 4;
        same_both_ways(recs_ksy, d, len, &oo, &compact, NULL, NULL);
        /* Under a stack allowance too small to spare the margin, no program. */
        oo.max_memory = 0;
        oo.max_stack = b;
        n = same_both_ways(recs_ksy, d, len, &oo, &compact, NULL, NULL);
        if (b < (64u << 10))
            assert_int_equal(n, 0);
    }
    assert_true(cut_after_programs);
    free(d);
}

/* An element of 600 fields, most past the fixed-width prefix objects
 * decode on demand: under memory budgets around what its objects take. */
static void test_wide_element_memory(void **state)
{
    (void)state;
    char *ksy = malloc(64 * 1024);
    assert_non_null(ksy);
    int n = sprintf(ksy, "meta:\n  id: t\nseq:\n  - id: items\n    type: wide\n    repeat: eos\n"
                         "types:\n  wide:\n    seq:\n");
    for (int i = 0; i < 600; i++)
        n += sprintf(ksy + n, "      - id: f%d\n        type: u1\n", i);
    n += sprintf(ksy + n, "    instances:\n      v:\n        pos: f0\n        size: f1\n");
    static uint8_t d[600 * 40];
    for (size_t i = 0; i < sizeof d; i++)
        d[i] = (uint8_t)(i * 7);
    uint64_t most = 0;
    for (uint64_t b = 16 << 10; b <= (64u << 20); b += b / 4) {
        fd_open_opts oo = FD_OPEN_OPTS_INIT;
        oo.max_memory = b;
        uint64_t k = same_both_ways(ksy, d, sizeof d, &oo, &compact, NULL, NULL);
        most = k > most ? k : most;
    }
    assert_int_equal(most, 40 - 2);
    free(ksy);
}

/* The element takes its creator's byte order, decided at run time. */
static void test_switched_byte_order(void **state)
{
    (void)state;
    const char *ksy = "meta:\n  id: t\nseq:\n  - id: bom\n    type: u1\n  - id: body\n    type: body\n"
                      "types:\n  body:\n    meta:\n      endian:\n        switch-on: _parent.bom\n"
                      "        cases:\n          0: le\n          1: be\n"
                      "    seq:\n      - id: n\n        type: u1\n"
                      "      - id: items\n        type: item\n        repeat: expr\n        repeat-expr: n\n"
                      "    types:\n      item:\n        seq:\n          - id: a\n            type: u2\n"
                      "          - id: b\n            type: s4\n"
                      "        instances:\n          tail:\n            pos: a\n            size: 1\n";
    uint8_t d[2 + 6 * 8];
    for (int bom = 0; bom < 2; bom++) {
        d[0] = (uint8_t)bom;
        d[1] = 8;
        for (int i = 0; i < 6 * 8; i++)
            d[2 + i] = (uint8_t)(i % 6 == (bom ? 1 : 0) ? i : i % 6 == (bom ? 0 : 1) ? 0 : 0xf0 + i);
        assert_int_equal(same_both_ways(ksy, d, sizeof d, NULL, &pretty, NULL, NULL), 8 - 2);
    }
}

/* Where writing from the input could differ, there is no program. */
static void test_no_program(void **state)
{
    (void)state;
    static const char *const ksys[] = {
        /* a view without pos starts at the stream's cursor */
        "meta:\n  id: t\nseq:\n  - id: items\n    type: it\n    repeat: expr\n    repeat-expr: 4\n"
        "types:\n  it:\n    seq:\n      - id: a\n        type: u1\n    instances:\n      v:\n        size: 1\n",
        /* a value instance */
        "meta:\n  id: t\nseq:\n  - id: items\n    type: it\n    repeat: expr\n    repeat-expr: 4\n"
        "types:\n  it:\n    seq:\n      - id: a\n        type: u1\n    instances:\n      v:\n        value: a + 1\n",
        /* a position computed from a field */
        "meta:\n  id: t\nseq:\n  - id: items\n    type: it\n    repeat: expr\n    repeat-expr: 4\n"
        "types:\n  it:\n    seq:\n      - id: a\n        type: u1\n    instances:\n      v:\n        pos: a + 1\n"
        "        size: 1\n",
    };
    uint8_t d[16] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    for (size_t k = 0; k < sizeof ksys / sizeof ksys[0]; k++)
        assert_int_equal(same_both_ways(ksys[k], d, sizeof d, NULL, &pretty, NULL, NULL), 0);
    /* The text writer shows `to-string`, an expression: not from a program. */
    static const char *const shown =
        "meta:\n  id: t\nseq:\n  - id: items\n    type: it\n    repeat: expr\n    repeat-expr: 4\n"
        "types:\n  it:\n    seq:\n      - id: a\n        type: u1\n    to-string: a.to_s\n";
    assert_int_equal(same_both_ways(shown, d, sizeof d, NULL, &text, NULL, NULL), 0);
    assert_int_equal(same_both_ways(shown, d, sizeof d, NULL, &pretty, NULL, NULL), 4 - 2);
    /* Spans are written the object way. */
    size_t len;
    uint8_t *r = recs_data(10, &len);
    fd_emit_opts eo = pretty;
    eo.spans = true;
    assert_int_equal(same_both_ways(recs_ksy, r, len, NULL, &eo, NULL, NULL), 0);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_views),
        cmocka_unit_test(test_kept_element),
        cmocka_unit_test(test_budgets),
        cmocka_unit_test(test_wide_element_memory),
        cmocka_unit_test(test_switched_byte_order),
        cmocka_unit_test(test_no_program),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
