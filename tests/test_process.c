/* test_process.c - unit tests of engine/process.c: zlib, xor, rol/ror and the custom routine registry. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "interp.h"

/* The transforms need only a document's arena and work budget. */
static fd_doc *doc_new(uint64_t mem, uint64_t work)
{
    fd_doc *d = calloc(1, sizeof *d);
    assert_non_null(d);
    fd_arena_init(&d->arena, mem);
    d->cur = &d->arena;
    d->work_limit = work;
    return d;
}

static void doc_free(fd_doc *d)
{
    fd_arena_free(&d->arena);
    free(d);
}

static int setup(void **state)
{
    *state = doc_new(0, UINT64_MAX / 2);
    return 0;
}

static int teardown(void **state)
{
    doc_free(*state);
    return 0;
}

#define NOCAP UINT64_MAX

static fd_value int_arg(int64_t i)
{
    fd_value v;
    memset(&v, 0, sizeof v);
    v.kind = FD_INT;
    v.v.i = i;
    return v;
}

static fd_value bytes_arg(const void *p, size_t n)
{
    fd_value v;
    memset(&v, 0, sizeof v);
    v.kind = FD_BYTES;
    v.v.p = p;
    v.x.len = n;
    return v;
}

/* Run one transform: its status, the output in out/outn, the message in msg. */
static int run(fd_doc *a, const char *name, const fd_value *args, size_t nargs, const void *in, size_t n,
               uint64_t limit, const uint8_t **out, size_t *outn, char *msg)
{
    msg[0] = 0;
    *out = NULL;
    *outn = 0;
    fd_proc_ref ref = fd_process_lookup(name);
    return fd_process_apply(a, fd_process_kind(name), name, &ref, args, nargs, in, n, limit, out, outn, msg, 256);
}

static void test_kind(void **state)
{
    (void)state;
    assert_int_equal(fd_process_kind("zlib"), FD_PROC_ZLIB);
    assert_int_equal(fd_process_kind("xor"), FD_PROC_XOR);
    assert_int_equal(fd_process_kind("rol"), FD_PROC_ROL);
    assert_int_equal(fd_process_kind("ror"), FD_PROC_ROR);
    assert_int_equal(fd_process_kind("my_custom_fx"), FD_PROC_CUSTOM);
    assert_int_equal(fd_process_kind("nested.deeply.custom_fx"), FD_PROC_CUSTOM);
    assert_int_equal(fd_process_kind("ZLIB"), FD_PROC_CUSTOM);
    assert_int_equal(fd_process_kind(""), FD_PROC_NONE);
    assert_int_equal(fd_process_kind(NULL), FD_PROC_NONE);
}

static void test_none(void **state)
{
    fd_doc *a = *state;
    const uint8_t *out;
    size_t outn;
    char msg[256];
    assert_int_equal(fd_process_apply(a, FD_PROC_NONE, NULL, NULL, NULL, 0, (const uint8_t *)"abc", 3, NOCAP,
                                      &out, &outn, msg, sizeof msg), 0);
    assert_int_equal(outn, 3);
    assert_memory_equal(out, "abc", 3);
}

static void test_zlib_roundtrip(void **state)
{
    fd_doc *a = *state;
    enum { N = 100000 };
    uint8_t *plain = malloc(N);
    assert_non_null(plain);
    for (size_t i = 0; i < N; i++)
        plain[i] = (uint8_t)(i * 7 + i / 300);
    uLongf zn = compressBound(N);
    uint8_t *z = malloc(zn);
    assert_non_null(z);
    assert_int_equal(compress(z, &zn, plain, N), Z_OK);
    const uint8_t *out;
    size_t outn;
    char msg[256];
    assert_int_equal(run(a, "zlib", NULL, 0, z, zn, NOCAP, &out, &outn, msg), 0);
    assert_int_equal(outn, N);
    assert_memory_equal(out, plain, N);
    /* exactly at the limit is fine, one byte less is not */
    assert_int_equal(run(a, "zlib", NULL, 0, z, zn, N, &out, &outn, msg), 0);
    assert_int_equal(outn, N);
    assert_int_not_equal(run(a, "zlib", NULL, 0, z, zn, N - 1, &out, &outn, msg), 0);
    assert_string_equal(msg, "zlib output exceeds limit");
    /* trailing bytes after the stream are ignored, as in Python */
    uint8_t *z2 = malloc(zn + 5);
    assert_non_null(z2);
    memcpy(z2, z, zn);
    memcpy(z2 + zn, "junk!", 5);
    assert_int_equal(run(a, "zlib", NULL, 0, z2, zn + 5, NOCAP, &out, &outn, msg), 0);
    assert_int_equal(outn, N);
    /* truncated stream */
    assert_int_not_equal(run(a, "zlib", NULL, 0, z, zn - 10, NOCAP, &out, &outn, msg), 0);
    assert_non_null(strstr(msg, "incomplete or truncated stream"));
    free(z2);
    free(z);
    free(plain);
}

static void test_zlib_empty_output(void **state)
{
    fd_doc *a = *state;
    uint8_t z[64];
    uLongf zn = sizeof z;
    assert_int_equal(compress(z, &zn, (const Bytef *)"", 0), Z_OK);
    const uint8_t *out;
    size_t outn;
    char msg[256];
    assert_int_equal(run(a, "zlib", NULL, 0, z, zn, 1, &out, &outn, msg), 0);
    assert_int_equal(outn, 0);
    assert_non_null(out);
}

/* A bomb: 16 MiB of zeros compress to ~16 KiB; the limit stops it early. */
static void test_zlib_bomb(void **state)
{
    fd_doc *a = *state;
    size_t big = 16u << 20;
    uint8_t *zeros = calloc(1, big);
    assert_non_null(zeros);
    uLongf zn = compressBound(big);
    uint8_t *z = malloc(zn);
    assert_non_null(z);
    assert_int_equal(compress2(z, &zn, zeros, big, 9), Z_OK);
    free(zeros);
    const uint8_t *out;
    size_t outn;
    char msg[256];
    assert_int_not_equal(run(a, "zlib", NULL, 0, z, zn, 1u << 20, &out, &outn, msg), 0);
    assert_string_equal(msg, "zlib output exceeds limit");
    assert_true(a->arena.used < (1u << 20));
    free(z);
}

static void test_zlib_garbage(void **state)
{
    fd_doc *a = *state;
    const uint8_t *out;
    size_t outn;
    char msg[256];
    assert_int_not_equal(run(a, "zlib", NULL, 0, "this is not zlib", 16, NOCAP, &out, &outn, msg), 0);
    assert_string_equal(msg, "Error -3 while decompressing data: incorrect header check");
    assert_int_not_equal(run(a, "zlib", NULL, 0, "", 0, NOCAP, &out, &outn, msg), 0);
    assert_non_null(strstr(msg, "truncated"));
    assert_int_not_equal(run(a, "zlib", NULL, 0, NULL, 0, NOCAP, &out, &outn, msg), 0);
    /* a valid header followed by a corrupt block */
    assert_int_not_equal(run(a, "zlib", NULL, 0, "\x78\x9c\xff\xff\xff\xff", 6, NOCAP, &out, &outn, msg), 0);
    assert_non_null(strstr(msg, "Error -3"));
    /* no message buffer: still fails cleanly */
    assert_int_not_equal(fd_process_apply(a, FD_PROC_ZLIB, "zlib", NULL, NULL, 0, (const uint8_t *)"xx", 2, NOCAP,
                                          &out, &outn, NULL, 0), 0);
}

static void test_xor(void **state)
{
    fd_doc *a = *state;
    const uint8_t *out;
    size_t outn;
    char msg[256];
    fd_value k = int_arg(0xFF);
    assert_int_equal(run(a, "xor", &k, 1, "\x00\x0F\xF0", 3, NOCAP, &out, &outn, msg), 0);
    assert_int_equal(outn, 3);
    assert_memory_equal(out, "\xFF\xF0\x0F", 3);
    k = int_arg(0x1EC); /* only the low byte is a key */
    assert_int_equal(run(a, "xor", &k, 1, "\x00", 1, NOCAP, &out, &outn, msg), 0);
    assert_int_equal(out[0], 0xEC);
    fd_value kb = bytes_arg("\x01\x02\x03", 3);
    assert_int_equal(run(a, "xor", &kb, 1, "\x10\x10\x10\x10\x10", 5, NOCAP, &out, &outn, msg), 0);
    assert_memory_equal(out, "\x11\x12\x13\x11\x12", 5);
    assert_int_equal(run(a, "xor", &kb, 1, "", 0, NOCAP, &out, &outn, msg), 0);
    assert_int_equal(outn, 0);
    /* errors */
    fd_value empty = bytes_arg("", 0);
    assert_int_not_equal(run(a, "xor", &empty, 1, "ab", 2, NOCAP, &out, &outn, msg), 0);
    assert_string_equal(msg, "xor key is empty");
    assert_int_not_equal(run(a, "xor", NULL, 0, "ab", 2, NOCAP, &out, &outn, msg), 0);
    fd_value two[2] = {int_arg(1), int_arg(2)};
    assert_int_not_equal(run(a, "xor", two, 2, "ab", 2, NOCAP, &out, &outn, msg), 0);
    fd_value f;
    memset(&f, 0, sizeof f);
    f.kind = FD_FLOAT;
    assert_int_not_equal(run(a, "xor", &f, 1, "ab", 2, NOCAP, &out, &outn, msg), 0);
    assert_non_null(strstr(msg, "integer or bytes"));
}

/* Kaitai's process_rotate sample: rol(3), ror(3), rol(key). */
static void test_rotate(void **state)
{
    fd_doc *a = *state;
    static const uint8_t hello_rol3[5] = {0x09, 0xAC, 0x8D, 0x8D, 0xED}; /* "Hello" rotated right 3 */
    const uint8_t *out;
    size_t outn;
    char msg[256];
    fd_value k = int_arg(3);
    assert_int_equal(run(a, "rol", &k, 1, hello_rol3, 5, NOCAP, &out, &outn, msg), 0);
    assert_int_equal(outn, 5);
    assert_memory_equal(out, "Hello", 5);
    assert_int_equal(run(a, "ror", &k, 1, "Hello", 5, NOCAP, &out, &outn, msg), 0);
    assert_memory_equal(out, hello_rol3, 5);
    /* amounts are taken mod 8; negative ones turn the other way */
    static const uint8_t b = 0x81;
    static const struct { const char *op; int64_t k; uint8_t want; } cases[] = {
        {"rol", 1, 0x03}, {"rol", 0, 0x81}, {"rol", 8, 0x81}, {"rol", 9, 0x03}, {"rol", -1, 0xC0},
        {"ror", 1, 0xC0}, {"ror", -1, 0x03}, {"ror", 15, 0x03}, {"rol", INT64_MIN, 0x81},
        {"ror", INT64_MAX, 0x03},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        k = int_arg(cases[i].k);
        assert_int_equal(run(a, cases[i].op, &k, 1, &b, 1, NOCAP, &out, &outn, msg), 0);
        if (out[0] != cases[i].want)
            fail_msg("%s(%lld) of 0x81 = 0x%02x", cases[i].op, (long long)cases[i].k, out[0]);
    }
    fd_value kb = bytes_arg("\x01", 1);
    assert_int_not_equal(run(a, "rol", &kb, 1, "ab", 2, NOCAP, &out, &outn, msg), 0);
    assert_non_null(strstr(msg, "integer"));
    assert_int_not_equal(run(a, "ror", NULL, 0, "ab", 2, NOCAP, &out, &outn, msg), 0);
}

/* Custom routine for the registry tests: adds *user and args[0] to each byte, then appends nargs. */
static int calls;

static int fx_add(void *user, const uint8_t *in, size_t n, const fd_value *args, size_t nargs,
                  uint8_t **out, size_t *outn, char *msg, size_t msgcap)
{
    (void)msg;
    (void)msgcap;
    calls++;
    int add = *(const int *)user;
    *out = malloc(n + 1);
    if (!*out)
        return 1;
    for (size_t i = 0; i < n; i++)
        (*out)[i] = (uint8_t)(in[i] + add + (nargs ? args[0].v.i : 0));
    (*out)[n] = (uint8_t)nargs;
    *outn = n + 1;
    return 0;
}

static int fx_fail(void *user, const uint8_t *in, size_t n, const fd_value *args, size_t nargs,
                   uint8_t **out, size_t *outn, char *msg, size_t msgcap)
{
    (void)user, (void)in, (void)n, (void)args, (void)nargs, (void)outn;
    *out = malloc(4); /* freed by the engine even on failure */
    if (user)
        snprintf(msg, msgcap, "bad key");
    return 1;
}

static int fx_empty(void *user, const uint8_t *in, size_t n, const fd_value *args, size_t nargs,
                    uint8_t **out, size_t *outn, char *msg, size_t msgcap)
{
    (void)user, (void)in, (void)n, (void)args, (void)nargs, (void)msg, (void)msgcap;
    *out = NULL;
    *outn = 0;
    return 0;
}

static void test_custom(void **state)
{
    fd_doc *a = *state;
    static int one = 1, ten = 10;
    const uint8_t *out;
    size_t outn;
    char msg[256];
    fd_value k = int_arg(2);

    assert_int_not_equal(run(a, "my_custom_fx", &k, 1, "ab", 2, NOCAP, &out, &outn, msg), 0);
    assert_string_equal(msg, "unknown process routine my_custom_fx");

    assert_int_equal(fd_process_register("my_custom_fx", fx_add, &one), 0);
    assert_int_equal(fd_process_register("nested.deeply.custom_fx", fx_add, &ten), 0);
    calls = 0;
    assert_int_equal(run(a, "my_custom_fx", &k, 1, "ab", 2, NOCAP, &out, &outn, msg), 0);
    assert_int_equal(outn, 3);
    assert_memory_equal(out, "de\x01", 3);
    assert_int_equal(run(a, "nested.deeply.custom_fx", NULL, 0, "ab", 2, NOCAP, &out, &outn, msg), 0);
    assert_memory_equal(out, "kl\x00", 3);
    assert_int_equal(calls, 2);

    /* the output limit applies to custom routines too */
    assert_int_not_equal(run(a, "my_custom_fx", NULL, 0, "ab", 2, 2, &out, &outn, msg), 0);
    assert_non_null(strstr(msg, "exceeds limit"));

    /* re-registering replaces */
    assert_int_equal(fd_process_register("my_custom_fx", fx_add, &ten), 0);
    assert_int_equal(run(a, "my_custom_fx", NULL, 0, "a", 1, NOCAP, &out, &outn, msg), 0);
    assert_memory_equal(out, "k\x00", 2);

    /* failures: the routine's message, or a default one */
    assert_int_equal(fd_process_register("fails", fx_fail, &one), 0);
    assert_int_not_equal(run(a, "fails", NULL, 0, "a", 1, NOCAP, &out, &outn, msg), 0);
    assert_string_equal(msg, "bad key");
    assert_int_equal(fd_process_register("fails", fx_fail, NULL), 0);
    assert_int_not_equal(run(a, "fails", NULL, 0, "a", 1, NOCAP, &out, &outn, msg), 0);
    assert_string_equal(msg, "process routine fails failed");

    assert_int_equal(fd_process_register("empty", fx_empty, NULL), 0);
    assert_int_equal(run(a, "empty", NULL, 0, "abc", 3, NOCAP, &out, &outn, msg), 0);
    assert_int_equal(outn, 0);
    assert_non_null(out);

    /* removal */
    assert_int_equal(fd_process_register("fails", NULL, NULL), 0);
    assert_int_not_equal(run(a, "fails", NULL, 0, "a", 1, NOCAP, &out, &outn, msg), 0);
    assert_string_equal(msg, "unknown process routine fails");
    assert_int_equal(fd_process_register("never_registered", NULL, NULL), 0);

    /* bad names */
    assert_int_equal(fd_process_register(NULL, fx_add, &one), -1);
    assert_int_equal(fd_process_register("", fx_add, &one), -1);
    char longname[300];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    assert_int_equal(fd_process_register(longname, fx_add, &one), -1);
}

/* The table is fixed-size: it fills up, and a freed slot is reused. */
static void test_registry_full(void **state)
{
    (void)state;
    static int one = 1;
    char name[32];
    int added = 0;
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "fill_%d", i);
        if (fd_process_register(name, fx_add, &one) != 0)
            break;
        added++;
    }
    assert_true(added > 0 && added < 200);
    assert_int_equal(fd_process_register("one_too_many", fx_add, &one), -1);
    assert_int_equal(fd_process_register("fill_0", fx_add, &one), 0);   /* replacing still works */
    assert_int_equal(fd_process_register("fill_0", NULL, NULL), 0);
    assert_int_equal(fd_process_register("one_too_many", fx_add, &one), 0);
    for (int i = 1; i < added; i++) {
        snprintf(name, sizeof name, "fill_%d", i);
        assert_int_equal(fd_process_register(name, NULL, NULL), 0);
    }
    assert_int_equal(fd_process_register("one_too_many", NULL, NULL), 0);
}

static void test_arena_limit(void **state)
{
    (void)state;
    fd_doc *small = doc_new(64, UINT64_MAX / 2);
    const uint8_t *out;
    size_t outn;
    char msg[256];
    fd_value k = int_arg(1);
    assert_int_not_equal(run(small, "xor", &k, 1, "abc", 3, NOCAP, &out, &outn, msg), 0);
    assert_non_null(strstr(msg, "out of memory"));
    assert_int_not_equal(run(small, "rol", &k, 1, "abc", 3, NOCAP, &out, &outn, msg), 0);
    uint8_t z[64];
    uLongf zn = sizeof z;
    assert_int_equal(compress(z, &zn, (const Bytef *)"abc", 3), Z_OK);
    assert_int_not_equal(run(small, "zlib", NULL, 0, z, zn, NOCAP, &out, &outn, msg), 0);
    assert_non_null(strstr(msg, "out of memory"));
    doc_free(small);
}

/* 16 MiB of zeros, compressed: a bomb of about 16 KiB. */
static uint8_t *bomb(uLongf *zn)
{
    size_t big = 16u << 20;
    uint8_t *zeros = calloc(1, big);
    assert_non_null(zeros);
    *zn = compressBound(big);
    uint8_t *z = malloc(*zn);
    assert_non_null(z);
    assert_int_equal(compress2(z, zn, zeros, big, 9), Z_OK);
    free(zeros);
    return z;
}

/* zlib output is held to what the arena may still take before anything is
 * allocated: the peak stays under the cap, and a full arena is no "no cap". */
static void test_zlib_memory_cap(void **state)
{
    (void)state;
    uLongf zn;
    uint8_t *z = bomb(&zn);
    const uint8_t *out;
    size_t outn;
    char msg[256];
    fd_doc *d = doc_new(1u << 20, UINT64_MAX / 2);
    assert_int_equal(run(d, "zlib", NULL, 0, z, zn, NOCAP, &out, &outn, msg), FD_ERR_NOMEM);
    assert_non_null(strstr(msg, "out of memory"));
    assert_true(d->arena.used < (1u << 20));
    doc_free(d);
    /* an arena with exactly nothing left: even one byte of output is refused */
    uint8_t one[64];
    uLongf on = sizeof one;
    assert_int_equal(compress(one, &on, (const Bytef *)"x", 1), Z_OK);
    d = doc_new(64u << 10, UINT64_MAX / 2);
    while (fd_arena_alloc(&d->arena, 16))
        ;
    d->arena.limit = d->arena.used;
    assert_true(d->arena.used > 0 && d->arena.cur == d->arena.end);
    assert_int_equal(run(d, "zlib", NULL, 0, one, on, NOCAP, &out, &outn, msg), FD_ERR_NOMEM);
    doc_free(d);
    free(z);
}

/* Decompressed bytes are charged to the work budget: a bomb stops with a LimitError. */
static void test_zlib_work_budget(void **state)
{
    (void)state;
    uLongf zn;
    uint8_t *z = bomb(&zn);
    const uint8_t *out;
    size_t outn;
    char msg[256];
    fd_doc *d = doc_new(0, 1000);
    assert_int_equal(run(d, "zlib", NULL, 0, z, zn, NOCAP, &out, &outn, msg), FD_ERR_LIMIT);
    assert_non_null(strstr(msg, "work budget"));
    assert_true(d->work > 1000 && d->work < 1000 + (64u << 10) / FD_WORK_BYTES_PER_UNIT + 1);
    assert_true(d->arena.used == 0);
    /* once spent, every transform fails the same way */
    fd_value k = int_arg(1);
    assert_int_equal(run(d, "xor", &k, 1, "abc", 3, NOCAP, &out, &outn, msg), FD_ERR_LIMIT);
    doc_free(d);
    free(z);
}

/* A spec binds its routines at load time: the reference taken then keeps
 * working without the registry, and a later removal does not reach it. */
static void test_lookup_once(void **state)
{
    fd_doc *a = *state;
    static int one = 1;
    const uint8_t *out;
    size_t outn;
    char msg[256];
    assert_null(fd_process_lookup("late_fx").fn);
    assert_int_equal(fd_process_register("late_fx", fx_add, &one), 0);
    fd_proc_ref ref = fd_process_lookup("late_fx");
    assert_ptr_equal(ref.fn, fx_add);
    assert_int_equal(fd_process_register("late_fx", NULL, NULL), 0);
    assert_int_equal(fd_process_apply(a, FD_PROC_CUSTOM, "late_fx", &ref, NULL, 0, (const uint8_t *)"a", 1,
                                      NOCAP, &out, &outn, msg, sizeof msg), 0);
    assert_memory_equal(out, "b\x00", 2);
    assert_int_equal(fd_process_apply(a, FD_PROC_CUSTOM, "late_fx", NULL, NULL, 0, (const uint8_t *)"a", 1,
                                      NOCAP, &out, &outn, msg, sizeof msg), FD_ERR_PROCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind),
        cmocka_unit_test_setup_teardown(test_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zlib_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zlib_empty_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zlib_bomb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zlib_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_custom, setup, teardown),
        cmocka_unit_test(test_registry_full),
        cmocka_unit_test(test_arena_limit),
        cmocka_unit_test(test_zlib_memory_cap),
        cmocka_unit_test(test_zlib_work_budget),
        cmocka_unit_test_setup_teardown(test_lookup_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
