/* test_lazy.c - lazy arrays: the same tree as reading at once, writers in the memory of one element, kept pointers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixture.h"
#include "interp.h"

/* Pairs of u2: a flat type, so `items` is lazy.  EAGER_PAIR adds a check
 * that always holds, which makes the same array one read at once. */
#define PAIRS_KSY(PAIR_B_EXTRA)                                                   \
    "meta:\n  id: t\n  endian: le\n"                                              \
    "seq:\n  - id: n\n    type: u1\n"                                             \
    "  - id: items\n    type: pair\n    repeat: expr\n    repeat-expr: n\n"       \
    "  - id: tail\n    type: u1\n"                                                \
    "types:\n  pair:\n    seq:\n      - id: a\n        type: u1\n"                \
    "      - id: b\n        type: wrap\n" PAIR_B_EXTRA                            \
    "    instances:\n      sum:\n        value: a + b.c\n"                        \
    "      text:\n        value: 'a.to_s + \"/\" + b.c.to_s'\n"                   \
    "  wrap:\n    seq:\n      - id: c\n        type: u2\n"
static const char *const lazy_ksy = PAIRS_KSY("");
static const char *const eager_ksy = PAIRS_KSY("        valid:\n          expr: true\n");

static const uint8_t pairs_data[] = { 4, 1, 2, 0, 3, 4, 0, 5, 6, 0, 7, 0xff, 0xff, 9 };

/* The whole input as pairs of u2 (another flat type); EXTRA adds to the type. */
#define U2_PAIRS_KSY(EXTRA)                                                                         \
    "meta:\n  id: t\n  endian: le\n"                                                               \
    "seq:\n  - id: items\n    type: pair\n    repeat: eos\n"                                      \
    "types:\n  pair:\n    seq:\n      - id: a\n        type: u2\n      - id: b\n        type: u2\n" EXTRA

/* 256 KiB of input under a 256 KiB memory budget: the 64 Ki pairs kept
 * would not fit (test_memory_error_located in test_interp.c). */
static uint8_t big_data[256 << 10];

static void open_big(fixture *fx, const char *ksy, unsigned mul)
{
    for (size_t i = 0; i < sizeof big_data; i++)
        big_data[i] = (uint8_t)(i * mul);
    fd_open_opts opts = FD_OPEN_OPTS_INIT;
    opts.max_memory = sizeof big_data;
    fx_open_with(fx, "t.ksy", ksy, big_data, sizeof big_data, &opts);
}

/* The writer's output for v (caller frees); stats when not NULL. */
static char *write_tree(fd_value v, fd_out_format format, bool spans, fd_emit_stats *stats)
{
    fx_membuf m = { 0 };
    fd_emit_opts opts = { .format = format, .spans = spans, .stats = stats };
    assert_int_equal(fd_emit_sink(fx_mem_sink, &m, v, &opts), 0);
    return m.p ? m.p : strdup("");
}

static bool is_lazy(fd_value arr)
{
    return fd_value_kind(arr) == FD_ARRAY && fd_v_as_arr(arr)->lazy != NULL;
}

/* Every writer prints the same bytes for the lazy and the eager read. */
static void test_same_tree(void **state)
{
    (void)state;
    fixture lz, eg;
    fx_open(&lz, "t.ksy", lazy_ksy, pairs_data, sizeof pairs_data);
    fx_open(&eg, "t.ksy", eager_ksy, pairs_data, sizeof pairs_data);
    assert_true(is_lazy(fd_struct_get(lz.root, "items")));
    assert_false(is_lazy(fd_struct_get(eg.root, "items")));
    static const fd_out_format formats[] = { FD_OUT_TEXT, FD_OUT_JSON, FD_OUT_YAML };
    for (size_t f = 0; f < sizeof formats / sizeof *formats; f++) {
        for (int spans = 0; spans <= (formats[f] == FD_OUT_JSON); spans++) {
            char *a = write_tree(lz.root, formats[f], spans, NULL);
            char *b = write_tree(eg.root, formats[f], spans, NULL);
            assert_string_equal(a, b);
            free(a);
            free(b);
        }
    }
    char *json = write_tree(lz.root, FD_OUT_JSON, false, NULL);
    assert_non_null(strstr(json, "\"text\": \"5/6\""));
    assert_non_null(strstr(json, "\"tail\": 9"));
    free(json);
    fx_close(&lz);
    fx_close(&eg);
}

/* Elements asked for through the API are read once and kept; writers then
 * show the kept ones. */
static void test_kept_elements(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "t.ksy", lazy_ksy, pairs_data, sizeof pairs_data);
    fd_value items = fd_struct_get(fx.root, "items");
    assert_int_equal(fd_array_len(items), 4);
    fd_value e2 = fd_array_get(items, 2);
    assert_int_equal(fd_value_kind(e2), FD_STRUCT);
    assert_ptr_equal(fd_array_get(items, 2).v.p, e2.v.p);
    assert_int_equal(fd_value_int(fx_eval(&fx, "items[3].sum")), 0xffff + 7);
    assert_int_equal(fd_value_int(fx_eval(&fx, "items[1].b.c")), 4);
    fd_span sp;
    assert_true(fd_array_elem_span(items, 3, &sp));
    assert_int_equal(sp.start, 10);
    assert_int_equal(sp.end, 13);
    assert_true(fd_struct_span(e2, &sp));
    assert_int_equal(sp.start, 7);
    char *json = write_tree(fx.root, FD_OUT_JSON, false, NULL);
    assert_non_null(strstr(json, "\"sum\": 65542"));
    free(json);
    fx_close(&fx);
}

/* Written, each of the 64 Ki elements is let go. */
static void test_writer_memory(void **state)
{
    (void)state;
    fixture fx;
    open_big(&fx, U2_PAIRS_KSY(""), 1);
    fd_doc *doc = fx.doc;
    fd_error err;
    assert_false(fd_doc_error(doc, &err));
    fd_value root = fx.root;
    fd_emit_stats st;
    for (int f = FD_OUT_TEXT; f <= FD_OUT_YAML; f++) {
        char *out = write_tree(root, (fd_out_format)f, false, &st);
        assert_int_equal(st.errors, 0);
        assert_true(strlen(out) > sizeof big_data);
        free(out);
    }
    fd_coverage cov;
    assert_true(fd_doc_coverage(doc, true, &cov, &err));
    assert_int_equal(cov.ngaps, 0);
    assert_int_equal(cov.errors, 0);
    assert_true(doc->arena.used < (64u << 10));
    /* An element kept needs the table of kept elements: 16 bytes each. */
    fd_value last = fd_eval(doc, root, "items[65535].b", &err);
    assert_true(fd_value_error(last, &err));
    assert_int_equal(err.kind, FD_ERR_NOMEM);
    assert_string_equal(err.path, "/items/65535");
    fx_close(&fx);
}

/* Lazy arrays inside lazy elements.  While an item is written, its `up`
 * evaluates `label` of the rec holding it, which is older than the item:
 * that string must outlive the item (the rec prints it afterwards).  `cut`
 * names the root as parent, which the document records beside the object:
 * that record must outlive the writer's hold too.  The eager variant (a
 * check that always holds) prints the reference bytes. */
#define NESTED_KSY(REC_EXTRA)                                                          \
    "meta:\n  id: t\n  endian: le\n"                                                   \
    "seq:\n  - id: recs\n    type: rec\n    repeat: expr\n    repeat-expr: 3\n"        \
    "types:\n  rec:\n    seq:\n      - id: ofs\n        type: u1\n" REC_EXTRA          \
    "      - id: n\n        type: u1\n"                                                \
    "    instances:\n"                                                                 \
    "      items:\n        pos: ofs\n        type: item\n"                             \
    "        repeat: expr\n        repeat-expr: n\n"                                   \
    "      label:\n        value: '\"rec\" + ofs.to_s + \"-\" + n.to_s'\n"             \
    "  item:\n    seq:\n      - id: v\n        type: u1\n"                             \
    "    instances:\n      up:\n        value: _parent.label\n"                        \
    "      cut:\n        pos: 200\n        type: item2\n        parent: _root\n"       \
    "  item2:\n    seq:\n      - id: w\n        type: u1\n"

static void test_nested_kept_pointers(void **state)
{
    (void)state;
    /* The same number of lines in both, so that errors name the same lines. */
    static const char *const lazy_nested = NESTED_KSY("        doc: the offset\n        doc-ref: none\n");
    static const char *const eager_nested = NESTED_KSY("        valid:\n          expr: true\n");
    static const uint8_t data[] = { 6, 2, 8, 3, 11, 1, 10, 11, 20, 21, 22, 30 };
    fixture lz, eg;
    fx_open(&lz, "t.ksy", lazy_nested, data, sizeof data);
    fx_open(&eg, "t.ksy", eager_nested, data, sizeof data);
    assert_true(is_lazy(fd_struct_get(lz.root, "recs")));
    assert_false(is_lazy(fd_struct_get(eg.root, "recs")));
    static const fd_out_format formats[] = { FD_OUT_TEXT, FD_OUT_JSON, FD_OUT_YAML };
    for (size_t f = 0; f < sizeof formats / sizeof *formats; f++) {
        fd_emit_stats sa, sb;
        char *a = write_tree(lz.root, formats[f], formats[f] == FD_OUT_JSON, &sa);
        char *b = write_tree(eg.root, formats[f], formats[f] == FD_OUT_JSON, &sb);
        assert_string_equal(a, b);
        assert_int_equal(sa.errors, sb.errors);
        assert_int_equal(sa.errors, 6);   /* each item's `cut` reads past the end */
        if (formats[f] == FD_OUT_JSON) {
            assert_non_null(strstr(a, "\"up\": \"rec8-3\""));
            assert_non_null(strstr(a, "\"label\": \"rec8-3\""));
            assert_non_null(strstr(a, "/recs/1/items/2/cut"));
        }
        free(a);
        free(b);
    }
    fx_close(&lz);
    fx_close(&eg);
}

/* fd_doc_node_at walks every element when instances count, holding each
 * only while it looks at it: the node it returns (in an element) stays
 * valid, and the walk fits a budget the kept elements would not. */
static void test_node_at_holds_briefly(void **state)
{
    (void)state;
    fixture fx;
    open_big(&fx, U2_PAIRS_KSY("    instances:\n      peer:\n        pos: a % 1024 * 4\n        type: u4\n"), 7);
    fd_doc *doc = fx.doc;
    char path[256];
    fd_span sp;
    fd_value v = fd_doc_node_at(doc, 0x20002, true, path, sizeof path, &sp);
    assert_string_equal(path, "/items/32768/b");
    assert_int_equal(fd_value_uint(v), (uint16_t)(0x20002 * 7 % 256 | (0x20003 * 7 % 256) << 8));
    assert_int_equal(sp.start, 0x20002);
    /* Then the whole tree, the found element among the ones read again. */
    fd_emit_stats st;
    char *json = write_tree(fd_doc_root(doc), FD_OUT_JSON, false, &st);
    assert_int_equal(st.errors, 0);
    free(json);
    assert_int_equal(fd_value_uint(v), (uint16_t)(0x20002 * 7 % 256 | (0x20003 * 7 % 256) << 8));
    fx_close(&fx);
}

/* Each writer run gets back the work it spent: the elements it lets go are
 * read again by the next run, which must not find the budget spent. */
static void test_runs_share_no_budget(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: t\n"
        "seq:\n  - id: items\n    type: one\n    repeat: eos\n"
        "types:\n  one:\n    seq:\n      - id: v\n        type: u1\n"
        "    instances:\n      twice:\n        value: v * 2 + 1\n";
    static const uint8_t data[1000];
    fd_open_opts opts = FD_OPEN_OPTS_INIT;
    opts.max_work = 12000;   /* the parse and about two runs */
    fixture fx;
    fx_open_with(&fx, "t.ksy", ksy, data, sizeof data, &opts);
    fd_doc *doc = fx.doc;
    fd_value root = fx.root;
    fd_error err;
    assert_true(is_lazy(fd_struct_get(root, "items")));
    for (int run = 0; run < 6; run++) {
        fd_emit_stats st;
        free(write_tree(root, run % 2 ? FD_OUT_TEXT : FD_OUT_JSON, false, &st));
        assert_int_equal(st.errors, 0);
        fd_coverage cov;
        assert_true(fd_doc_coverage(doc, true, &cov, &err));
        assert_int_equal(cov.errors, 0);
    }
    fx_close(&fx);
}

/* A `repeat: eos` whose last element is cut short is read at once, so the
 * element that fails is there with its error, as without lazy arrays. */
static void test_cut_eos_reads_at_once(void **state)
{
    (void)state;
    static const uint8_t data[] = { 1, 0, 2, 0, 3, 0 };
    fixture fx;
    fx_open(&fx, "t.ksy", U2_PAIRS_KSY(""), data, sizeof data);
    fd_value items = fd_struct_get(fx.root, "items");
    assert_false(is_lazy(items));
    assert_int_equal(fd_array_len(items), 2);
    fd_error err;
    assert_true(fd_doc_error(fx.doc, &err));
    assert_int_equal(err.kind, FD_ERR_EOS);
    assert_string_equal(err.path, "/items/1/b");
    fx_close(&fx);
}

/* A description of `levels` types nested in a chain, each of `fields`
 * fields of the next (the last of u1): an array of the first. */
static char *chain_ksy(int levels, int fields)
{
    size_t cap = 256 + (size_t)levels * (32 + (size_t)fields * 48);
    char *ksy = malloc(cap);
    assert_non_null(ksy);
    int n = snprintf(ksy, cap, "meta:\n  id: t\nseq:\n  - id: items\n    type: l0\n    repeat: eos\ntypes:\n");
    for (int l = 0; l < levels; l++) {
        n += snprintf(ksy + n, cap - (size_t)n, "  l%d:\n    seq:\n", l);
        for (int f = 0; f < fields; f++) {
            if (l + 1 < levels)
                n += snprintf(ksy + n, cap - (size_t)n, "      - id: f%d\n        type: l%d\n", f, l + 1);
            else
                n += snprintf(ksy + n, cap - (size_t)n, "      - id: f%d\n        type: u1\n", f);
        }
    }
    return ksy;
}

/* Structs nest up to 8 levels below a lazy element; each type is judged
 * once however often it is used (30^8 uses here: judged use by use, the
 * parse would not end). */
static void test_nesting_judged_once(void **state)
{
    (void)state;
    static uint8_t d[64];
    static const struct { int levels, fields; size_t len; bool lazy; } cases[] = {
        { 9, 1, 8, true }, { 10, 1, 8, false }, { 8, 30, 8, false }, { 2, 3, 63, true },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *ksy = chain_ksy(cases[k].levels, cases[k].fields);
        fixture fx;
        fx_open(&fx, "t.ksy", ksy, d, cases[k].len);
        fd_value items = fd_struct_get(fx.root, "items");
        if (cases[k].lazy)
            assert_true(is_lazy(items));
        else
            assert_false(is_lazy(items));
        free(write_tree(fx.root, FD_OUT_JSON, false, NULL));
        fx_close(&fx);
        free(ksy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_tree),
        cmocka_unit_test(test_kept_elements),
        cmocka_unit_test(test_writer_memory),
        cmocka_unit_test(test_nested_kept_pointers),
        cmocka_unit_test(test_node_at_holds_briefly),
        cmocka_unit_test(test_runs_share_no_budget),
        cmocka_unit_test(test_cut_eos_reads_at_once),
        cmocka_unit_test(test_nesting_judged_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
