/* test_ksy_cache.c - unit tests of the parse cache: exact round trips, damaged or foreign entries missed, loads unchanged. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmtdump.h"
#include "ksy_load.h"

/* Each test: an empty cache directory, and an arena for the trees it reads. */
static char dir[256];
static fd_arena arena;

static int setup_dir(void **state)
{
    (void)state;
    fd_arena_init(&arena, 0);
    snprintf(dir, sizeof dir, "/tmp/fd_cache_test_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    fd_arena_free(&arena);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The one entry in dir (each test writes a single key). */
static void entry_path(char *path, size_t cap)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(path, cap, "%s/%s", dir, e->d_name);
            found++;
        }
    closedir(d);
    assert_int_equal(found, 1);
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    uint8_t *p = malloc(*n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, *n, f), *n);
    fclose(f);
    return p;
}

static void spit(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static void assert_same_tree(const fd_ksy_node *a, const fd_ksy_node *b)
{
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->style, b->style);
    assert_int_equal(a->line, b->line);
    assert_int_equal(a->col, b->col);
    assert_int_equal(a->nkids, b->nkids);
    if (a->kind == FD_KSY_SCALAR) {
        assert_int_equal(a->len, b->len);
        assert_memory_equal(a->s, b->s, a->len + 1);
    } else {
        assert_null(a->s);
        assert_null(b->s);
        assert_true((a->kids == NULL) == (b->kids == NULL));
    }
    for (uint32_t i = 0; i < a->nkids; i++)
        assert_same_tree(a->kids[i], b->kids[i]);
}

/* Every node kind and scalar style, empty collections, a NUL inside a scalar. */
static const char sample[] =
    "meta:\n"
    "  id: sample\n"
    "  title: 'single ''quoted'''\n"
    "doc: |\n"
    "  block\n"
    "  text\n"
    "seq:\n"
    "  - id: a\n"
    "    type: u1\n"
    "    doc: \"nul \\0 inside\"\n"
    "  - {id: b, size: 2, contents: [1, 2]}\n"
    "instances: {}\n"
    "enums:\n"
    "  e: []\n"
    "empty:\n";

static fd_ksy_node *parse(fd_arena *a, const char *text)
{
    fd_error err;
    fd_ksy_node *root = fd_ksy_yaml_parse(a, "t.ksy", text, strlen(text), &err);
    if (!root)
        fail_msg("yaml: %s", err.message);
    return root;
}

/* Whether the entry under key "k" gives sample's tree. */
static bool sample_hit(void)
{
    return fd_ksy_cache_get(&arena, dir, "k", sample, strlen(sample)) != NULL;
}

/* Writes sample's entry under key "k" and returns its bytes. */
static uint8_t *sample_entry(fd_arena *a, char *path, size_t cap, size_t *n)
{
    fd_ksy_cache_put(dir, "k", sample, strlen(sample), parse(a, sample));
    entry_path(path, cap);
    return slurp(path, n);
}

static void test_round_trip(void **state)
{
    (void)state;
    fd_ksy_node *from_yaml = parse(&arena, sample);
    fd_ksy_cache_put(dir, "k", sample, strlen(sample), from_yaml);
    fd_ksy_node *from_cache = fd_ksy_cache_get(&arena, dir, "k", sample, strlen(sample));
    assert_non_null(from_cache);
    assert_same_tree(from_yaml, from_cache);
}

/* Another text under the key, or the text under another key, is a miss. */
static void test_foreign_text_misses(void **state)
{
    (void)state;
    fd_ksy_cache_put(dir, "k", sample, strlen(sample), parse(&arena, sample));
    char other[sizeof sample];
    memcpy(other, sample, sizeof sample);
    other[12] ^= 1;
    assert_null(fd_ksy_cache_get(&arena, dir, "k", other, strlen(other)));
    assert_null(fd_ksy_cache_get(&arena, dir, "k", sample, strlen(sample) - 1));
    assert_null(fd_ksy_cache_get(&arena, dir, "other", sample, strlen(sample)));
    assert_null(fd_ksy_cache_get(&arena, "/nonexistent/dir", "k", sample, strlen(sample)));
    assert_true(sample_hit());
}

/* Every one-bit change anywhere in the entry (header, source copy, records,
 * pool) makes it a miss, not a different tree. */
static void test_every_flip_misses(void **state)
{
    (void)state;
    char path[512];
    size_t n;
    uint8_t *entry = sample_entry(&arena, path, sizeof path, &n);
    for (size_t i = 0; i < n; i++)
        for (int bit = 0; bit < 8; bit += 7) {
            entry[i] ^= (uint8_t)(1u << bit);
            spit(path, entry, n);
            if (sample_hit())
                fail_msg("byte %zu bit %d changed, still a hit", i, bit);
            entry[i] ^= (uint8_t)(1u << bit);
        }
    spit(path, entry, n);
    assert_true(sample_hit());
    free(entry);
}

/* A torn write (any prefix) or trailing bytes: a miss. */
static void test_every_cut_misses(void **state)
{
    (void)state;
    char path[512];
    size_t n;
    uint8_t *entry = sample_entry(&arena, path, sizeof path, &n);
    for (size_t len = 0; len < n; len++) {
        spit(path, entry, len);
        if (sample_hit())
            fail_msg("cut to %zu of %zu bytes, still a hit", len, n);
    }
    entry[n] = 0;
    spit(path, entry, n + 1);
    assert_false(sample_hit());
    free(entry);
}

/* An entry that is a symbolic link is not followed. */
static void test_symlink_misses(void **state)
{
    (void)state;
    char path[512], moved[600];
    size_t n;
    free(sample_entry(&arena, path, sizeof path, &n));
    snprintf(moved, sizeof moved, "%s.real", path);
    assert_int_equal(rename(path, moved), 0);
    assert_int_equal(symlink(moved, path), 0);
    assert_false(sample_hit());
    unlink(path);
    unlink(moved);
}

/* An entry others may write is not trusted. */
static void test_writable_by_others_misses(void **state)
{
    (void)state;
    char path[512];
    size_t n;
    free(sample_entry(&arena, path, sizeof path, &n));
    assert_int_equal(chmod(path, 0620), 0);
    assert_false(sample_hit());
    assert_int_equal(chmod(path, 0602), 0);
    assert_false(sample_hit());
    assert_int_equal(chmod(path, 0644), 0);
    assert_true(sample_hit());
}

/* Trees no YAML text gives, stored with a valid checksum, are refused on the
 * way in: the builder may rely on what libyaml guarantees. */
static fd_ksy_node *node(fd_arena *a, int kind, uint32_t nkids)
{
    fd_ksy_node *x = fd_arena_zalloc(a, sizeof *x);
    assert_non_null(x);
    x->kind = (uint8_t)kind;
    x->line = x->col = 1;
    x->nkids = nkids;
    if (nkids) {
        x->kids = fd_arena_zalloc(a, nkids * sizeof *x->kids);
        assert_non_null(x->kids);
    }
    if (kind == FD_KSY_SCALAR)
        x->s = "";
    return x;
}

/* depth nested sequences around one scalar. */
static fd_ksy_node *nest(fd_arena *a, int depth)
{
    fd_ksy_node *x = node(a, FD_KSY_SCALAR, 0);
    for (int i = 0; i < depth; i++) {
        fd_ksy_node *s = node(a, FD_KSY_SEQ, 1);
        s->kids[0] = x;
        x = s;
    }
    return x;
}

static bool stored_hit(fd_arena *a, const fd_ksy_node *root)
{
    fd_ksy_cache_put(dir, "k", sample, strlen(sample), root);
    return sample_hit();
}

static void test_unparsable_shapes_refused(void **state)
{
    (void)state;
    assert_true(stored_hit(&arena, nest(&arena, FD_KSY_MAX_YAML_DEPTH)));
    assert_false(stored_hit(&arena, nest(&arena, FD_KSY_MAX_YAML_DEPTH + 1)));

    /* Deep nesting hidden behind finished ancestors: each level is the last kid of the one above. */
    fd_ksy_node *x = node(&arena, FD_KSY_SCALAR, 0);
    for (int i = 0; i < FD_KSY_MAX_YAML_DEPTH + 1; i++) {
        fd_ksy_node *s = node(&arena, FD_KSY_SEQ, 2);
        s->kids[0] = node(&arena, FD_KSY_SCALAR, 0);
        s->kids[1] = x;
        x = s;
    }
    assert_false(stored_hit(&arena, x));

    fd_ksy_node *m = node(&arena, FD_KSY_MAP, 2);
    m->kids[0] = node(&arena, FD_KSY_SEQ, 0);
    m->kids[1] = node(&arena, FD_KSY_SCALAR, 0);
    assert_false(stored_hit(&arena, m));    /* a key that is not a scalar */
    m->kids[0] = node(&arena, FD_KSY_SCALAR, 0);
    assert_true(stored_hit(&arena, m));
    m->nkids = 1;
    assert_false(stored_hit(&arena, m));    /* a key without a value */
}

/* ---- through the public API ---- */

static const char bad_ksy[] = "meta:\n  id: bad\nseq:\n  - id: a\n    type: u1\n    sise: 2\n";
static const char good_ksy[] = "meta:\n  id: good\nseq:\n  - id: magic\n    contents: [0x7f, 'E']\n";

static fd_spec *load_cached(const char *cache, const char *text, fd_error *err)
{
    fd_load_opts o = FD_LOAD_OPTS_INIT;
    o.cache_dir = cache;
    return fd_spec_load_mem("t.ksy", text, strlen(text), &o, err);
}

/* A load from the cache answers as the first: the same spec, the same error
 * at the same line and column. */
static void test_loads_unchanged(void **state)
{
    (void)state;
    fd_error cold, warm;
    assert_null(load_cached(dir, bad_ksy, &cold));
    char path[512];
    entry_path(path, sizeof path);
    assert_null(load_cached(dir, bad_ksy, &warm));
    assert_int_equal(cold.line, 6);
    assert_int_equal(warm.line, cold.line);
    assert_int_equal(warm.col, cold.col);
    assert_string_equal(warm.message, cold.message);
    assert_string_equal(warm.file, cold.file);

    for (int i = 0; i < 2; i++) {
        fd_spec *s = load_cached(dir, good_ksy, &warm);
        assert_non_null(s);
        assert_string_equal(fd_spec_id(s), "good");
        size_t n;
        const uint8_t *magic = fd_spec_magic(s, 0, &n);
        assert_int_equal(n, 2);
        assert_memory_equal(magic, "\x7f" "E", 2);
        fd_spec_free(s);
    }
    unlink(path);
}

/* A cache that cannot be written or read leaves loads as they are. */
static void test_unusable_dir(void **state)
{
    (void)state;
    fd_error err;
    fd_spec *s = load_cached("/dev/null/cache", good_ksy, &err);
    assert_non_null(s);
    fd_spec_free(s);
    s = load_cached("", good_ksy, &err);
    assert_non_null(s);
    fd_spec_free(s);
}

/* A missing directory is made, private to the user. */
static void test_dir_created(void **state)
{
    (void)state;
    char sub[300];
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    fd_error err;
    fd_spec *s = load_cached(sub, good_ksy, &err);
    assert_non_null(s);
    fd_spec_free(s);
    struct stat st;
    assert_int_equal(stat(sub, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 077, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_foreign_text_misses, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_every_flip_misses, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_every_cut_misses, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_symlink_misses, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_writable_by_others_misses, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_unparsable_shapes_refused, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_loads_unchanged, setup_dir, teardown_dir),
        cmocka_unit_test(test_unusable_dir),
        cmocka_unit_test_setup_teardown(test_dir_created, setup_dir, teardown_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
