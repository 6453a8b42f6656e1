/* test_coverage.c - fd_doc_coverage: the gaps no leaf claims, with and without instances, failed nodes, processed bytes, many ranges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static void assert_gap(const fd_coverage *c, size_t i, uint64_t start, uint64_t end)
{
    assert_true(i < c->ngaps);
    assert_int_equal(c->gaps[i].start, start);
    assert_int_equal(c->gaps[i].end, end);
}

static const char ptr_ksy[] =
    "meta: {id: ptr, endian: le}\n"
    "seq:\n"
    "  - id: ofs\n"
    "    type: u4\n"
    "instances:\n"
    "  at:\n"
    "    pos: ofs\n"
    "    type: u2\n"
    "  twice:\n"
    "    value: ofs * 2\n";

/* A pos instance claims its bytes only when instances are walked; a value instance never. */
static void test_instances(void **state)
{
    (void)state;
    uint8_t data[16] = {10, 0, 0, 0};
    fixture fx;
    fx_open(&fx, "ptr.ksy", ptr_ksy, data, sizeof data);
    fd_coverage c;
    fd_error err;
    assert_true(fd_doc_coverage(fx.doc, false, &c, &err));
    assert_int_equal(c.size, 16);
    assert_int_equal(c.covered, 4);
    assert_true(c.complete);
    assert_int_equal(c.ngaps, 1);
    assert_gap(&c, 0, 4, 16);
    assert_true(fd_doc_coverage(fx.doc, true, &c, &err));
    assert_int_equal(c.covered, 6);
    assert_int_equal(c.ngaps, 2);
    assert_gap(&c, 0, 4, 10);
    assert_gap(&c, 1, 12, 16);
    fx_close(&fx);
}

/* A pos instance past the end fails: counted, first kept with its path; its bytes stay a gap. */
static void test_errors(void **state)
{
    (void)state;
    uint8_t data[8] = {200, 0, 0, 0};
    fixture fx;
    fx_open(&fx, "ptr.ksy", ptr_ksy, data, sizeof data);
    fd_coverage c;
    fd_error err;
    assert_true(fd_doc_coverage(fx.doc, false, &c, &err));
    assert_int_equal(c.errors, 0);
    assert_int_equal(c.first.kind, FD_ERR_NONE);
    assert_true(fd_doc_coverage(fx.doc, true, &c, &err));
    assert_int_equal(c.errors, 1);
    assert_int_equal(c.first.kind, FD_ERR_EOS);
    assert_string_equal(c.first.path, "/at");
    assert_int_equal(c.covered, 4);
    assert_gap(&c, 0, 4, 8);
    fx_close(&fx);
}

static const char xor_ksy[] =
    "meta: {id: xored}\n"
    "seq:\n"
    "  - id: body\n"
    "    size: 4\n"
    "    process: xor(0xff)\n"
    "    type: inner\n"
    "types:\n"
    "  inner:\n"
    "    seq:\n"
    "      - id: a\n"
    "        type: u1\n";

/* Leaves in processed bytes are not the file's: the raw field claims its bytes. */
static void test_processed(void **state)
{
    (void)state;
    uint8_t data[6] = {0};
    fixture fx;
    fx_open(&fx, "xored.ksy", xor_ksy, data, sizeof data);
    fd_coverage c;
    fd_error err;
    assert_true(fd_doc_coverage(fx.doc, true, &c, &err));
    assert_int_equal(c.covered, 4);
    assert_int_equal(c.ngaps, 1);
    assert_gap(&c, 0, 4, 6);
    fx_close(&fx);
}

static const char many_ksy[] =
    "meta: {id: many, endian: le}\n"
    "seq:\n"
    "  - id: n\n"
    "    type: u2\n"
    "  - id: items\n"
    "    type: item\n"
    "    repeat: expr\n"
    "    repeat-expr: n\n"
    "types:\n"
    "  item:\n"
    "    seq:\n"
    "      - id: ofs\n"
    "        type: u2\n"
    "    instances:\n"
    "      at:\n"
    "        io: _root._io\n"
    "        pos: ofs\n"
    "        type: u1\n";

/* Thousands of one-byte claims arriving backwards: merged, not kept per byte. */
static void test_many_ranges(void **state)
{
    (void)state;
    enum { N = 3000, BASE = 2 + 2 * N, SIZE = BASE + 2 * N };
    uint8_t *data = calloc(1, SIZE);
    assert_non_null(data);
    data[0] = N & 0xff;
    data[1] = N >> 8;
    for (unsigned i = 0; i < N; i++) {
        unsigned ofs = BASE + 2 * (N - 1 - i);
        data[2 + 2 * i] = ofs & 0xff;
        data[3 + 2 * i] = (uint8_t)(ofs >> 8);
    }
    fixture fx;
    fx_open(&fx, "many.ksy", many_ksy, data, SIZE);
    fd_coverage c;
    fd_error err;
    assert_true(fd_doc_coverage(fx.doc, true, &c, &err));
    assert_true(c.complete);
    assert_int_equal(c.covered, BASE + N);
    assert_int_equal(c.ngaps, N);
    for (unsigned k = 0; k < N; k++)
        assert_gap(&c, k, BASE + 2 * k + 1, BASE + 2 * k + 2);
    fx_close(&fx);
    free(data);
}

/* An empty input: the root fails, nothing is claimed, nothing is missing. */
static void test_empty(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "ptr.ksy", ptr_ksy, "", 0);
    fd_coverage c;
    fd_error err;
    assert_true(fd_doc_coverage(fx.doc, true, &c, &err));
    assert_int_equal(c.size, 0);
    assert_int_equal(c.covered, 0);
    assert_int_equal(c.ngaps, 0);
    fx_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instances),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_processed),
        cmocka_unit_test(test_many_ranges),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
