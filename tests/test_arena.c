/* test_arena.c - unit tests of engine/arena.c (bump allocator) and engine/intern.c (identifier set). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "intern.h"

static void test_alloc_alignment(void **state)
{
    (void)state;
    fd_arena a;
    fd_arena_init(&a, 0);
    assert_int_equal(a.used, 0);
    for (size_t n = 0; n < 100; n++) {
        uint8_t *p = fd_arena_alloc(&a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xAB, n);
    }
    assert_true(a.used > 0);
    fd_arena_free(&a);
    assert_int_equal(a.used, 0);
    assert_null(a.head);
}

/* Allocations never overlap, including ones larger than a chunk. */
static void test_alloc_distinct(void **state)
{
    (void)state;
    fd_arena a;
    fd_arena_init(&a, 0);
    enum { K = 64 };
    uint8_t *blocks[K];
    size_t sizes[K];
    for (int i = 0; i < K; i++) {
        sizes[i] = (size_t)(i % 7 == 0 ? (3u << 20) : (size_t)i * 37 + 1);
        blocks[i] = fd_arena_alloc(&a, sizes[i]);
        assert_non_null(blocks[i]);
        memset(blocks[i], i, sizes[i]);
    }
    for (int i = 0; i < K; i++)
        for (size_t j = 0; j < sizes[i]; j += 4096)
            assert_int_equal(blocks[i][j], (uint8_t)i);
    for (int i = 0; i < K; i++)
        assert_int_equal(blocks[i][sizes[i] - 1], (uint8_t)i);
    fd_arena_free(&a);
}

static void test_zalloc_memdup_strings(void **state)
{
    (void)state;
    fd_arena a;
    fd_arena_init(&a, 0);
    uint8_t *z = fd_arena_zalloc(&a, 100);
    assert_non_null(z);
    for (int i = 0; i < 100; i++)
        assert_int_equal(z[i], 0);
    const char *d = fd_arena_memdup(&a, "hello", 5);
    assert_non_null(d);
    assert_memory_equal(d, "hello", 5);
    assert_non_null(fd_arena_memdup(&a, NULL, 0));
    char *s = fd_arena_strndup(&a, "abcdef", 3);
    assert_string_equal(s, "abc");
    assert_string_equal(fd_arena_strndup(&a, "", 0), "");
    char *t = fd_arena_strdup(&a, "xyz");
    assert_string_equal(t, "xyz");
    assert_ptr_not_equal(t, "xyz");
    char *f = fd_arena_printf(&a, "%s-%d-%04x", "id", 42, 0xbeef);
    assert_string_equal(f, "id-42-beef");
    char big[5000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = 0;
    char *g = fd_arena_printf(&a, "%s!", big);
    assert_non_null(g);
    assert_int_equal(strlen(g), sizeof big);
    assert_int_equal(g[sizeof big - 1], '!');
    fd_arena_free(&a);
}

static void test_limit(void **state)
{
    (void)state;
    fd_arena a;
    fd_arena_init(&a, 64u << 10);
    size_t got = 0;
    while (fd_arena_alloc(&a, 1000))
        got += 1000;
    assert_true(got > 32u << 10);
    assert_true(a.used <= a.limit);
    assert_null(fd_arena_alloc(&a, 1u << 20));
    assert_null(fd_arena_zalloc(&a, 1u << 20));
    assert_null(fd_arena_memdup(&a, "x", 1u << 20));
    fd_arena_free(&a);
    /* a limit below the first chunk fails the first allocation */
    fd_arena_init(&a, 100);
    assert_null(fd_arena_alloc(&a, 1));
    assert_null(fd_arena_strdup(&a, "x"));
    assert_null(fd_arena_printf(&a, "%d", 1));
    fd_arena_free(&a);
}

/* Past the limit, a bounded extra still grants exact-size allocations. */
static void test_alloc_over(void **state)
{
    (void)state;
    fd_arena a;
    fd_arena_init(&a, 100);
    assert_null(fd_arena_alloc(&a, 16));
    char *p = fd_arena_alloc_over(&a, 200, 1024);
    assert_non_null(p);
    memset(p, 'x', 200);
    assert_true(a.used > a.limit && a.used <= a.limit + 1024);
    assert_null(fd_arena_alloc_over(&a, 2000, 1024));
    assert_null(fd_arena_alloc(&a, 16));
    fd_arena_free(&a);
}

static void test_huge_requests(void **state)
{
    (void)state;
    fd_arena a;
    fd_arena_init(&a, 0);
    assert_null(fd_arena_alloc(&a, SIZE_MAX));
    assert_null(fd_arena_alloc(&a, SIZE_MAX - 16));
    assert_null(fd_arena_strndup(&a, "x", SIZE_MAX));
    assert_non_null(fd_arena_alloc(&a, 16));
    fd_arena_free(&a);
    fd_arena_init(&a, 1u << 20);
    assert_null(fd_arena_alloc(&a, SIZE_MAX / 2));
    fd_arena_free(&a);
}

static void test_intern_identity(void **state)
{
    (void)state;
    fd_arena a;
    fd_names in;
    fd_arena_init(&a, 0);
    fd_intern_init(&in, &a);
    assert_null(fd_intern_find(&in, "x", 1));
    const char *x1 = fd_intern(&in, "seq");
    const char *x2 = fd_intern(&in, "seq");
    char buf[] = "seq";
    const char *x3 = fd_intern(&in, buf);
    assert_non_null(x1);
    assert_ptr_equal(x1, x2);
    assert_ptr_equal(x1, x3);
    assert_ptr_not_equal(x1, buf);
    assert_string_equal(x1, "seq");
    assert_ptr_not_equal(fd_intern(&in, "se"), x1);
    assert_ptr_not_equal(fd_intern(&in, "seqq"), x1);
    /* substrings by length, no terminator needed */
    assert_ptr_equal(fd_intern_n(&in, "sequence", 3), x1);
    assert_ptr_equal(fd_intern_find(&in, "seqxyz", 3), x1);
    assert_null(fd_intern_find(&in, "types", 5));
    const char *e = fd_intern(&in, "");
    assert_non_null(e);
    assert_ptr_equal(fd_intern_n(&in, "abc", 0), e);
    assert_int_equal(in.count, 4);
    fd_intern_free(&in);
    fd_arena_free(&a);
}

/* Growth rehashes: every name keeps its pointer across many resizes. */
static void test_intern_growth(void **state)
{
    (void)state;
    fd_arena a;
    fd_names in;
    fd_arena_init(&a, 0);
    fd_intern_init(&in, &a);
    enum { N = 5000 };
    static const char *first[N];
    char name[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "field_%d", i);
        first[i] = fd_intern(&in, name);
        assert_non_null(first[i]);
    }
    assert_int_equal(in.count, N);
    assert_true(in.cap >= 2 * N);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "field_%d", i);
        assert_ptr_equal(fd_intern(&in, name), first[i]);
        assert_ptr_equal(fd_intern_find(&in, name, strlen(name)), first[i]);
    }
    assert_int_equal(in.count, N);
    fd_intern_free(&in);
    assert_null(in.slots);
    fd_arena_free(&a);
}

static void test_intern_out_of_memory(void **state)
{
    (void)state;
    fd_arena a;
    fd_names in;
    fd_arena_init(&a, 100);
    fd_intern_init(&in, &a);
    assert_null(fd_intern(&in, "x"));
    assert_null(fd_intern_find(&in, "x", 1));
    assert_int_equal(in.count, 0);
    fd_intern_free(&in);
    fd_arena_free(&a);
}

/* Rewinding frees every chunk taken after the mark and hands the same
 * memory out again, so a computation that kept nothing leaves no trace. */
static void test_save_rewind(void **state)
{
    (void)state;
    fd_arena a;
    fd_arena_init(&a, 1u << 20);
    char *keep = fd_arena_strdup(&a, "kept");
    fd_arena_mark m = fd_arena_save(&a);
    uint64_t used = a.used;
    void *first = fd_arena_alloc(&a, 100);
    for (int i = 0; i < 200; i++)
        assert_non_null(fd_arena_alloc(&a, 3000));
    assert_true(a.used > used);
    fd_arena_rewind(&a, m);
    assert_int_equal(a.used, used);
    assert_string_equal(keep, "kept");
    assert_ptr_equal(fd_arena_alloc(&a, 100), first);
    /* The cap counts only what is held: 1000 rounds of 3000 bytes fit in 1 MiB. */
    for (int i = 0; i < 1000; i++) {
        m = fd_arena_save(&a);
        assert_non_null(fd_arena_alloc(&a, 3000));
        fd_arena_rewind(&a, m);
    }
    fd_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_alignment),
        cmocka_unit_test(test_alloc_distinct),
        cmocka_unit_test(test_zalloc_memdup_strings),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_alloc_over),
        cmocka_unit_test(test_huge_requests),
        cmocka_unit_test(test_save_rewind),
        cmocka_unit_test(test_intern_identity),
        cmocka_unit_test(test_intern_growth),
        cmocka_unit_test(test_intern_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
