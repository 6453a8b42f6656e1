/* test_version.c - unit tests of engine/version.c: the version API and options read by their declared size. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "version.h"

static void test_version_agrees(void **state)
{
    (void)state;
    assert_string_equal(fd_version(), FMTDUMP_VERSION);
    assert_int_equal(fd_version_num(), FMTDUMP_VERSION_NUM);
    unsigned major, minor, patch;
    char rest;
    assert_int_equal(sscanf(fd_version(), "%u.%u.%u%c", &major, &minor, &patch, &rest), 3);
    assert_int_equal(major, FMTDUMP_VERSION_MAJOR);
    assert_int_equal(minor, FMTDUMP_VERSION_MINOR);
    assert_int_equal(patch, FMTDUMP_VERSION_PATCH);
    assert_int_equal(fd_version_num(), major * 0x10000 + minor * 0x100 + patch);
    assert_true(minor < 0x100 && patch < 0x100);
}

static void test_null_and_init(void **state)
{
    (void)state;
    fd_open_opts o = fd_open_opts_read(NULL);
    assert_int_equal(o.size, sizeof o);
    assert_int_equal(o.max_memory, 0);
    assert_int_equal(o.max_stack, 0);
    assert_int_equal(o.max_work, 0);
    fd_emit_opts init = FD_EMIT_OPTS_INIT;
    assert_int_equal(init.size, sizeof init);
    assert_int_equal(init.format, FD_OUT_TEXT);
    fd_load_opts lo = FD_LOAD_OPTS_INIT;
    assert_int_equal(lo.size, sizeof lo);
    assert_null(lo.import_dirs);
}

/* A zeroed size stands for the 0.1 layout: a designated initializer without .size still works. */
static void test_size_zero(void **state)
{
    (void)state;
    fd_open_opts in = {.max_memory = 1, .max_stack = 2, .max_work = 3};
    fd_open_opts o = fd_open_opts_read(&in);
    assert_int_equal(o.size, sizeof o);
    assert_int_equal(o.max_memory, 1);
    assert_int_equal(o.max_stack, 2);
    assert_int_equal(o.max_work, 3);
}

/* A caller built when the struct ended earlier: what lies past its size is not its, and is not read. */
static void test_older_caller(void **state)
{
    (void)state;
    fd_open_opts in;
    memset(&in, 0xAB, sizeof in);
    in.size = offsetof(fd_open_opts, max_stack);
    in.max_memory = 77;
    fd_open_opts o = fd_open_opts_read(&in);
    assert_int_equal(o.max_memory, 77);
    assert_int_equal(o.max_stack, 0);
    assert_int_equal(o.max_work, 0);

    fd_emit_opts e;
    memset(&e, 0x01, sizeof e);
    e.size = offsetof(fd_emit_opts, max_bytes);
    e.format = FD_OUT_JSON;
    fd_emit_opts eo = fd_emit_opts_read(&e);
    assert_int_equal(eo.format, FD_OUT_JSON);
    assert_int_equal(eo.max_bytes, 0);
    assert_false(eo.compact);
}

/* cache_dir came after 0.1: a zeroed size (the 0.1 layout) or a 0.1 caller's size leaves it
 * unread, so a struct that ends before it cannot turn a cache on by what lies past its end. */
static void test_cache_dir_after_v01(void **state)
{
    (void)state;
    fd_load_opts in;
    memset(&in, 0, sizeof in);
    in.cache_dir = "/somewhere";
    fd_load_opts o = fd_load_opts_read(&in);
    assert_null(o.cache_dir);
    in.size = offsetof(fd_load_opts, cache_dir);
    o = fd_load_opts_read(&in);
    assert_null(o.cache_dir);
    in.size = sizeof in;
    o = fd_load_opts_read(&in);
    assert_string_equal(o.cache_dir, "/somewhere");
}

/* A caller built with a newer header: the fields this library knows are read, the tail is ignored. */
static void test_newer_caller(void **state)
{
    (void)state;
    struct { fd_load_opts o; uint64_t later; } *in = malloc(sizeof *in);
    assert_non_null(in);
    static const char *const dirs[] = {"a", "b"};
    memset(in, 0, sizeof *in);
    in->o.size = sizeof *in;
    in->o.import_dirs = dirs;
    in->o.nimport_dirs = 2;
    in->later = 5;
    fd_load_opts o = fd_load_opts_read(&in->o);
    assert_int_equal(o.size, sizeof o);
    assert_ptr_equal(o.import_dirs, dirs);
    assert_int_equal(o.nimport_dirs, 2);
    free(in);
}

/* The engine reads its options through the convention: fields past size keep their defaults. */
static void test_engine_reads_by_size(void **state)
{
    (void)state;
    static const char ksy[] = "meta:\n  id: t\nseq:\n  - id: b\n    size: 40\n";
    fd_error err;
    fd_spec *spec = fd_spec_load_mem("t.ksy", ksy, sizeof ksy - 1, NULL, &err);
    assert_non_null(spec);
    uint8_t data[40] = {0};

    fd_open_opts oo;
    memset(&oo, 0xFF, sizeof oo);
    oo.size = offsetof(fd_open_opts, max_work);
    oo.max_memory = 0;
    oo.max_stack = 0;
    fd_doc *doc = fd_doc_open_mem(spec, data, sizeof data, &oo, &err);
    assert_non_null(doc);
    assert_int_equal(doc->work_limit, (1ull << 16) + sizeof data * 8);
    fd_doc_close(doc);

    oo.size = sizeof oo;
    oo.max_work = 1234;
    doc = fd_doc_open_mem(spec, data, sizeof data, &oo, &err);
    assert_non_null(doc);
    assert_int_equal(doc->work_limit, 1234);

    /* max_bytes past size: the text writer's default of 32 bytes, not 1. */
    fd_emit_opts eo;
    memset(&eo, 0, sizeof eo);
    eo.size = offsetof(fd_emit_opts, max_bytes);
    eo.format = FD_OUT_TEXT;
    eo.max_bytes = 1;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(fd_emit(out, fd_doc_root(doc), &eo), 0);
    fclose(out);
    assert_non_null(strstr(buf, "[40 bytes] 00 00"));
    assert_non_null(strstr(buf, "..."));
    free(buf);
    fd_doc_close(doc);
    fd_spec_free(spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_agrees),
        cmocka_unit_test(test_null_and_init),
        cmocka_unit_test(test_size_zero),
        cmocka_unit_test(test_older_caller),
        cmocka_unit_test(test_cache_dir_after_v01),
        cmocka_unit_test(test_newer_caller),
        cmocka_unit_test(test_engine_reads_by_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
