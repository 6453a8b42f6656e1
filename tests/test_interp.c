/* test_interp.c - interpreter and evaluator through the public API, on in-memory specs and inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static void open_fx(fixture *fx, const char *ksy, const void *data, size_t n)
{
    fx_open(fx, "t.ksy", ksy, data, n);
}

static fd_value ev(fixture *fx, const char *expr)
{
    return fx_eval(fx, expr);
}

static int64_t ev_int(fixture *fx, const char *expr)
{
    fd_value v = ev(fx, expr);
    if (fd_value_kind(v) != FD_INT && fd_value_kind(v) != FD_ENUM) {
        fd_error err;
        if (fd_value_error(v, &err))
            fail_msg("%s: %s: %s", expr, fd_errkind_name(err.kind), err.message);
        fail_msg("%s: kind %d", expr, fd_value_kind(v));
    }
    return fd_value_int(v);
}

static void assert_str(fixture *fx, const char *expr, const char *want)
{
    fd_value v = ev(fx, expr);
    size_t n;
    const char *s = fd_value_str(v, &n);
    if (!s)
        fail_msg("%s: not a string (kind %d)", expr, fd_value_kind(v));
    assert_int_equal(n, strlen(want));
    assert_memory_equal(s, want, n);
}

static fd_errkind ev_errkind(fixture *fx, const char *expr)
{
    fd_error err;
    fd_value v = ev(fx, expr);
    return fd_value_error(v, &err) ? err.kind : FD_ERR_NONE;
}

static const char *const EMPTY_KSY = "meta:\n  id: t\n  endian: le\n";

/* Operators, precedence and Kaitai's integer semantics. */
static void test_arithmetic(void **state)
{
    (void)state;
    fixture fx;
    open_fx(&fx, EMPTY_KSY, "", 0);
    assert_int_equal(ev_int(&fx, "1 + 2 * 3"), 7);
    assert_int_equal(ev_int(&fx, "-9837 / 13"), -757);
    assert_int_equal(ev_int(&fx, "-5 % 3"), 1);
    assert_int_equal(ev_int(&fx, "5 % -3"), -1);
    assert_int_equal(ev_int(&fx, "7 & 1 == 1 ? 10 : 20"), 10); /* comparison binds looser than & */
    assert_int_equal(ev_int(&fx, "1 << 4 | 1"), 17);
    assert_int_equal(ev_int(&fx, "~5"), -6);
    assert_int_equal(ev_int(&fx, "0x10 ^ 0x11"), 1);
    assert_int_equal(ev_int(&fx, "-8 >> 1"), -4);
    fd_value u = ev(&fx, "0xffffffffffffffff");
    assert_true(fd_value_is_unsigned(u));
    assert_true(fd_value_uint(u) == UINT64_MAX);
    fd_value s = ev(&fx, "-9223372036854775807 - 1");
    assert_true(fd_value_int(s) == INT64_MIN);
    assert_int_equal(ev_errkind(&fx, "1 / 0"), FD_ERR_DIV_ZERO);
    assert_int_equal(ev_errkind(&fx, "1 % 0"), FD_ERR_DIV_ZERO);
    assert_int_equal(ev_errkind(&fx, "0xffffffffffffffff + 1"), FD_ERR_OVERFLOW);
    assert_int_equal(ev_errkind(&fx, "-9223372036854775807 - 2 - 0xffffffffffffffff"), FD_ERR_OVERFLOW);
    assert_true(fd_value_float(ev(&fx, "1 / 2.0")) == 0.5);
    assert_true(fd_value_bool(ev(&fx, "not (1 > 2) and true or false")));
    assert_int_equal(ev_errkind(&fx, "1 and true"), FD_ERR_TYPE);
    fx_close(&fx);
}

static void test_strings_and_bytes(void **state)
{
    (void)state;
    fixture fx;
    open_fx(&fx, EMPTY_KSY, "", 0);
    assert_str(&fx, "'ab' + \"c\\n\"", "abc\n");
    assert_int_equal(ev_int(&fx, "'héllo'.length"), 5);
    assert_str(&fx, "'héllo'.reverse", "olléh");
    assert_str(&fx, "'abcdef'.substring(1, 3)", "bc");
    assert_int_equal(ev_int(&fx, "'-42'.to_i"), -42);
    assert_int_equal(ev_int(&fx, "'ff'.to_i(16)"), 255);
    assert_int_equal(ev_errkind(&fx, "'12x'.to_i"), FD_ERR_CONVERSION);
    assert_str(&fx, "255.to_s", "255");
    assert_str(&fx, "[0x41, 0x42].to_s('ASCII')", "AB");
    assert_int_equal(ev_int(&fx, "[1, 2, 3].size"), 3);
    assert_int_equal(ev_int(&fx, "[5, 1, 9].max"), 9);
    assert_int_equal(ev_int(&fx, "[5, 1, 9].min"), 1);
    assert_int_equal(ev_int(&fx, "[5, 1, 9].last"), 9);
    assert_int_equal(ev_int(&fx, "[300, 1][0]"), 300);
    assert_true(fd_value_bool(ev(&fx, "[1, 2] == [1, 2]")));
    assert_true(fd_value_bool(ev(&fx, "'abc' < 'abd'")));
    assert_int_equal(ev_errkind(&fx, "[1, 2][5]"), FD_ERR_INDEX);
    assert_int_equal(ev_errkind(&fx, "[].first"), FD_ERR_INDEX);
    assert_int_equal(ev_errkind(&fx, "'a'.nope"), FD_ERR_NAME);
    assert_int_equal(ev_errkind(&fx, "'x'.to_s('NOPE')"), FD_ERR_NAME);
    fx_close(&fx);
}

/* Seq, instances (lazy, memoized, isolated), enums, switch, repeat. */
static const char *const FILE_KSY =
    "meta:\n"
    "  id: t\n"
    "  endian: le\n"
    "seq:\n"
    "  - id: magic\n"
    "    contents: 'TF'\n"
    "  - id: count\n"
    "    type: u1\n"
    "  - id: recs\n"
    "    type: rec\n"
    "    repeat: expr\n"
    "    repeat-expr: count\n"
    "instances:\n"
    "  far:\n"
    "    pos: 1000\n"
    "    type: u4\n"
    "  first_kind:\n"
    "    value: recs[0].kind\n"
    "  total:\n"
    "    value: recs[0].len + recs[1].len\n"
    "types:\n"
    "  rec:\n"
    "    seq:\n"
    "      - id: kind\n"
    "        type: u1\n"
    "        enum: kinds\n"
    "      - id: len\n"
    "        type: u1\n"
    "      - id: body\n"
    "        size: len\n"
    "        type:\n"
    "          switch-on: kind\n"
    "          cases:\n"
    "            'kinds::num': num\n"
    "            'kinds::text': text\n"
    "  num:\n"
    "    seq:\n"
    "      - id: v\n"
    "        type: u2\n"
    "  text:\n"
    "    seq:\n"
    "      - id: s\n"
    "        type: str\n"
    "        size-eos: true\n"
    "        encoding: UTF-8\n"
    "enums:\n"
    "  kinds:\n"
    "    1: num\n"
    "    2: text\n";

static void test_file_structure(void **state)
{
    (void)state;
    static const uint8_t data[] = { 'T', 'F', 3, 1, 2, 0x34, 0x12, 2, 3, 'a', 'b', 'c', 9, 1, 0xEE };
    fixture fx;
    open_fx(&fx, FILE_KSY, data, sizeof data);
    fd_error err;
    assert_false(fd_doc_error(fx.doc, &err));
    assert_int_equal(ev_int(&fx, "count"), 3);
    assert_int_equal(ev_int(&fx, "recs[0].body.as<num>.v"), 0x1234);
    assert_str(&fx, "recs[1].body.as<text>.s", "abc");
    fd_value k = ev(&fx, "recs[1].kind");
    assert_int_equal(fd_value_kind(k), FD_ENUM);
    assert_string_equal(fd_value_enum_name(k), "text");
    assert_true(fd_value_bool(ev(&fx, "recs[0].kind == kinds::num")));
    /* Unknown case: sized field keeps raw bytes; unknown enum value has no name. */
    fd_value raw = ev(&fx, "recs[2].body");
    assert_int_equal(fd_value_kind(raw), FD_BYTES);
    assert_null(fd_value_enum_name(ev(&fx, "recs[2].kind")));
    assert_int_equal(ev_int(&fx, "total"), 5);
    assert_int_equal(ev_int(&fx, "recs.size"), 3);
    assert_int_equal(ev_int(&fx, "_io.size"), sizeof data);
    assert_int_equal(ev_int(&fx, "recs[1]._parent.count"), 3);
    assert_int_equal(ev_int(&fx, "recs[1]._root.count"), 3);
    assert_int_equal(ev_int(&fx, "recs[1]._sizeof"), 5);
    /* A failing instance is an error value; its siblings still work. */
    assert_int_equal(ev_errkind(&fx, "far"), FD_ERR_EOS);
    assert_int_equal(ev_int(&fx, "first_kind.to_i"), 1);
    fd_value far = fd_struct_get(fx.root, "far");
    assert_true(fd_value_error(far, &err));
    assert_int_equal(err.kind, FD_ERR_EOS);
    assert_string_equal(err.path, "/far");
    assert_int_equal(err.line, 14);
    fx_close(&fx);
}

static void test_partial_tree(void **state)
{
    (void)state;
    /* The second record claims 3 body bytes but only 1 remains. */
    static const uint8_t data[] = { 'T', 'F', 2, 1, 2, 0x34, 0x12, 2, 3, 'a' };
    fixture fx;
    open_fx(&fx, FILE_KSY, data, sizeof data);
    fd_error err;
    assert_true(fd_doc_error(fx.doc, &err));
    assert_int_equal(err.kind, FD_ERR_EOS);
    assert_int_equal(err.offset, 9);
    assert_string_equal(err.path, "/recs/1/body");
    assert_string_equal(err.file, "t.ksy");
    assert_int_equal(err.line, 29);
    /* Fields read before the failure are kept. */
    assert_int_equal(ev_int(&fx, "recs[0].body.as<num>.v"), 0x1234);
    assert_int_equal(ev_int(&fx, "recs[1].len"), 3);
    fd_value recs = fd_struct_get(fx.root, "recs");
    assert_int_equal(fd_array_len(recs), 2);
    fd_value rec1 = fd_array_get(recs, 1);
    assert_true(fd_struct_error(rec1, &err));
    assert_false(fd_struct_error(fx.root, NULL));
    fx_close(&fx);
}

static void test_bad_magic(void **state)
{
    (void)state;
    static const uint8_t data[] = { 'X', 'F', 0 };
    fixture fx;
    open_fx(&fx, FILE_KSY, data, sizeof data);
    fd_error err;
    assert_true(fd_doc_error(fx.doc, &err));
    assert_int_equal(err.kind, FD_ERR_NOT_EQUAL);
    assert_string_equal(fd_errkind_name(err.kind), "ValidationNotEqualError");
    assert_int_equal(err.offset, 0);
    fx_close(&fx);
}

/* Guards: a huge count in a small input fails cleanly; self-reference is caught. */
static void test_guards(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: t\n  endian: le\n"
        "seq:\n"
        "  - id: n\n    type: u4\n"
        "  - id: items\n    type: empty\n    repeat: expr\n    repeat-expr: n\n"
        "instances:\n"
        "  a:\n    value: b + 1\n"
        "  b:\n    value: a + 1\n"
        "types:\n  empty: {}\n";
    static const uint8_t data[] = { 0xff, 0xff, 0xff, 0xff };
    fixture fx;
    open_fx(&fx, ksy, data, sizeof data);
    fd_error err;
    assert_true(fd_doc_error(fx.doc, &err));
    assert_int_equal(err.kind, FD_ERR_LIMIT);
    assert_int_equal(ev_errkind(&fx, "a"), FD_ERR_LIMIT);
    fx_close(&fx);
}

static void test_bits_and_strings(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: t\n  endian: be\n  encoding: UTF-16LE\n"
        "seq:\n"
        "  - id: hi\n    type: b3\n"
        "  - id: flag\n    type: b1\n"
        "  - id: lo\n    type: b4\n"
        "  - id: word\n    type: u2\n"
        "  - id: name\n    type: strz\n"
        "  - id: tail\n    type: str\n    size: 3\n    encoding: ASCII\n    pad-right: 0x20\n";
    static const uint8_t data[] = { 0xB5, 0x01, 0x02, 'h', 0, 'i', 0, 0, 0, 'o', 'k', ' ' };
    fixture fx;
    open_fx(&fx, ksy, data, sizeof data);
    assert_false(fd_doc_error(fx.doc, NULL));
    assert_int_equal(ev_int(&fx, "hi"), 5);
    assert_true(fd_value_bool(ev(&fx, "flag")));
    assert_int_equal(ev_int(&fx, "lo"), 5);
    assert_int_equal(ev_int(&fx, "word"), 0x0102);
    assert_str(&fx, "name", "hi");
    assert_str(&fx, "tail", "ok");
    fx_close(&fx);
}

/* Custom `process:` routines registered through the public API, with the
 * semantics of the Kaitai test suite's my_custom_fx and custom_fx. */
static int custom_add(void *user, const uint8_t *in, size_t n, const fd_value *args, size_t nargs,
                      uint8_t **out, size_t *outn, char *msg, size_t msgcap)
{
    (void)user;
    if (nargs < 2) {
        snprintf(msg, msgcap, "needs key and flag");
        return 1;
    }
    int key = (int)fd_value_int(args[0]);
    int sign = fd_value_bool(args[1]) ? 1 : -1;
    *out = malloc(n ? n : 1);
    if (!*out)
        return 1;
    for (size_t i = 0; i < n; i++)
        (*out)[i] = (uint8_t)(in[i] + sign * key);
    *outn = n;
    return 0;
}

static int custom_wrap(void *user, const uint8_t *in, size_t n, const fd_value *args, size_t nargs,
                       uint8_t **out, size_t *outn, char *msg, size_t msgcap)
{
    (void)user, (void)args, (void)nargs, (void)msg, (void)msgcap;
    *out = malloc(n + 2);
    if (!*out)
        return 1;
    (*out)[0] = '_';
    memcpy(*out + 1, in, n);
    (*out)[n + 1] = '_';
    *outn = n + 2;
    return 0;
}

static void test_custom_process(void **state)
{
    (void)state;
    assert_int_equal(fd_process_register("my_custom_fx", custom_add, NULL), 0);
    assert_int_equal(fd_process_register("nested.deeply.custom_fx", custom_wrap, NULL), 0);
    static const char *const ksy =
        "meta:\n  id: t\n"
        "seq:\n"
        "  - id: plus\n    size: 3\n    process: my_custom_fx(1, true, [0x20])\n"
        "  - id: minus\n    size: 3\n    process: my_custom_fx(1, false, [])\n"
        "  - id: wrapped\n    size: 2\n    process: nested.deeply.custom_fx(7)\n"
        "  - id: missing\n    size: 1\n    process: no_such_fx\n";
    static const uint8_t data[] = { 'a', 'b', 'c', 'b', 'c', 'd', 'o', 'k', 'z' };
    fixture fx;
    open_fx(&fx, ksy, data, sizeof data);
    size_t n;
    const uint8_t *p = fd_value_bytes(ev(&fx, "plus"), &n);
    assert_int_equal(n, 3);
    assert_memory_equal(p, "bcd", 3);
    p = fd_value_bytes(ev(&fx, "minus"), &n);
    assert_memory_equal(p, "abc", 3);
    p = fd_value_bytes(ev(&fx, "wrapped"), &n);
    assert_int_equal(n, 4);
    assert_memory_equal(p, "_ok_", 4);
    fd_error err;
    assert_true(fd_doc_error(fx.doc, &err));
    assert_int_equal(err.kind, FD_ERR_PROCESS);
    assert_string_equal(err.path, "/missing");
    fx_close(&fx);
}

static void test_to_string(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: t\n"
        "seq:\n  - id: p\n    type: point\n"
        "types:\n  point:\n    seq:\n      - id: x\n        type: u1\n      - id: y\n        type: u1\n"
        "    to-string: x.to_s + ',' + y.to_s\n";
    static const uint8_t data[] = { 3, 4 };
    fixture fx;
    open_fx(&fx, ksy, data, sizeof data);
    size_t n;
    const char *s = fd_value_str(fd_struct_to_string(fd_struct_get(fx.root, "p")), &n);
    assert_non_null(s);
    assert_int_equal(n, 3);
    assert_memory_equal(s, "3,4", 3);
    assert_int_equal(fd_value_kind(fd_struct_to_string(fx.root)), FD_NULL);
    fx_close(&fx);
}

/* Chains of value instances, each nesting its expression D levels deep.
 * Neither the instance depth limit nor the parser's nesting limit is hit
 * alone; together they would overflow the C stack without its allowance. */
static char *deep_chain_ksy(int n, int d)
{
    size_t cap = (size_t)n * ((size_t)d * 8 + 64) + 64;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t k = (size_t)snprintf(s, cap, "meta:\n  id: deep\ninstances:\n");
    for (int i = 0; i < n; i++) {
        k += (size_t)snprintf(s + k, cap - k, "  i%d:\n    value: '", i);
        for (int j = 0; j < d; j++)
            k += (size_t)snprintf(s + k, cap - k, "(0 + ");
        if (i + 1 < n)
            k += (size_t)snprintf(s + k, cap - k, "i%d", i + 1);
        else
            k += (size_t)snprintf(s + k, cap - k, "1");
        for (int j = 0; j < d; j++)
            k += (size_t)snprintf(s + k, cap - k, ")");
        k += (size_t)snprintf(s + k, cap - k, "'\n");
    }
    return s;
}

static void test_stack_allowance(void **state)
{
    (void)state;
    char *ksy = deep_chain_ksy(100, 250);
    fixture fx;
    open_fx(&fx, ksy, "x", 1);
    assert_int_equal(ev_errkind(&fx, "i0"), FD_ERR_LIMIT);
    /* The guard is about where evaluation started, so it is not memoized:
     * from the middle of the chain the same instances evaluate fine. */
    assert_int_equal(ev_int(&fx, "i98"), 1);
    fx_close(&fx);
    free(ksy);
}

/* Value instances sharing one child double the tree at each level: the
 * writers stop at a node budget derived from the input size. */
static void test_shared_subtree_budget(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: dag\n"
        "seq:\n  - id: n\n    type: node\n"
        "types:\n  node:\n"
        "    seq:\n      - id: b\n        type: u1\n      - id: c\n        type: node\n        if: b != 0\n"
        "    instances:\n      l:\n        value: c\n      r:\n        value: c\n";
    uint8_t data[41];
    memset(data, 1, 40);
    data[40] = 0;
    fixture fx;
    open_fx(&fx, ksy, data, sizeof data);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    fd_emit_stats st;
    fd_emit_opts opts = { .format = FD_OUT_JSON, .compact = true, .stats = &st };
    assert_int_equal(fd_emit(out, fx.root, &opts), 0);
    fclose(out);
    assert_true(len < (64u << 20));
    assert_non_null(strstr(buf, "\"_node_limit\":true"));
    /* The cut is an error of the run, counted once, located at the first node left out. */
    assert_true(st.truncated);
    assert_int_equal(st.errors, 1);
    assert_int_equal(st.first.kind, FD_ERR_LIMIT);
    assert_non_null(strstr(st.first.message, "node budget of "));
    assert_int_equal(st.first.path[0], '/');
    free(buf);
    fx_close(&fx);
}

/* Errors point at the field that failed and at its first byte. */
static void test_error_locations(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: t\n"
        "seq:\n"
        "  - id: hdr\n    size: 4\n"
        "  - id: s\n    type: sub\n"
        "  - id: z\n    size: 4\n    process: zlib\n"
        "types:\n  sub:\n    seq:\n      - id: x\n        type: u1\n"
        "    instances:\n      bad:\n        value: 1 / (x - x)\n";
    static const uint8_t data[] = { 'H', 'D', 'R', '!', 7, 'n', 'o', 'p', 'e' };
    fixture fx;
    open_fx(&fx, ksy, data, sizeof data);
    fd_error err;
    assert_true(fd_doc_error(fx.doc, &err));
    assert_int_equal(err.kind, FD_ERR_PROCESS);
    assert_int_equal(err.offset, 5);
    assert_string_equal(err.path, "/z");
    assert_true(fd_value_error(fd_struct_get(fd_struct_get(fx.root, "s"), "bad"), &err));
    assert_int_equal(err.kind, FD_ERR_DIV_ZERO);
    assert_string_equal(err.path, "/s/bad");
    assert_int_equal(err.line, 17);
    fx_close(&fx);
}

/* A custom process whose output is its argument count and its last argument. */
static int custom_count(void *user, const uint8_t *in, size_t n, const fd_value *args, size_t nargs,
                        uint8_t **out, size_t *outn, char *msg, size_t msgcap)
{
    (void)user; (void)in; (void)n; (void)msg; (void)msgcap;
    *out = malloc(2);
    if (!*out)
        return 1;
    (*out)[0] = (uint8_t)nargs;
    (*out)[1] = nargs ? (uint8_t)fd_value_int(args[nargs - 1]) : 0;
    *outn = 2;
    return 0;
}

/* Long argument lists reach their process and their type whole. */
static void test_long_argument_lists(void **state)
{
    (void)state;
    assert_int_equal(fd_process_register("count_args_fx", custom_count, NULL), 0);
    char ksy[4096];
    int k = snprintf(ksy, sizeof ksy,
                     "meta:\n  id: t\n"
                     "seq:\n  - id: p\n    size: 1\n    process: count_args_fx(1,2,3,4,5,6,7,8,9,10,11,12)\n"
                     "  - id: s\n    type: many(");
    for (int i = 1; i <= 20; i++)
        k += snprintf(ksy + k, sizeof ksy - (size_t)k, "%s%d", i > 1 ? ", " : "", i * 3);
    k += snprintf(ksy + k, sizeof ksy - (size_t)k, ")\ntypes:\n  many:\n    params:\n");
    for (int i = 1; i <= 20; i++)
        k += snprintf(ksy + k, sizeof ksy - (size_t)k, "      - id: a%d\n        type: u1\n", i);
    static const uint8_t data[] = { 0 };
    fixture fx;
    open_fx(&fx, ksy, data, sizeof data);
    size_t n;
    const uint8_t *p = fd_value_bytes(ev(&fx, "p"), &n);
    assert_int_equal(n, 2);
    assert_int_equal(p[0], 12);
    assert_int_equal(p[1], 12);
    assert_int_equal(ev_int(&fx, "s.a17"), 51);
    assert_int_equal(ev_int(&fx, "s.a20"), 60);
    fx_close(&fx);
}

/* Running out of memory is reported like any error: kind, path, offset, rule.
 * The `valid` makes the array one that is read at once (not lazy). */
static void test_memory_error_located(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: t\n  endian: le\n"
        "seq:\n  - id: items\n    type: pair\n    repeat: eos\n"
        "types:\n  pair:\n    seq:\n      - id: a\n        type: u2\n      - id: b\n        type: u2\n"
        "        valid:\n          max: 65535\n";
    static uint8_t data[256 << 10];
    fd_error err;
    fd_spec *spec = fd_spec_load_mem("t.ksy", ksy, strlen(ksy), NULL, &err);
    assert_non_null(spec);
    fd_open_opts opts = FD_OPEN_OPTS_INIT;
    opts.max_memory = 256 << 10;
    fd_doc *doc = fd_doc_open_mem(spec, data, sizeof data, &opts, &err);
    assert_non_null(doc);
    assert_true(fd_doc_error(doc, &err));
    assert_int_equal(err.kind, FD_ERR_NOMEM);
    assert_memory_equal(err.path, "/items/", 7);
    assert_true(err.offset > 0 && err.offset % 4 == 0);
    assert_string_equal(err.file, "t.ksy");
    assert_int_equal(err.line, 5);
    fd_doc_close(doc);
    fd_spec_free(spec);
}

/* An instance depending on itself names the rule that loops. */
static void test_self_dependency_located(void **state)
{
    (void)state;
    static const char *const ksy = "meta:\n  id: t\ninstances:\n  a:\n    value: a + 1\n";
    fixture fx;
    open_fx(&fx, ksy, "", 0);
    fd_error err;
    assert_true(fd_value_error(fd_struct_get(fx.root, "a"), &err));
    assert_int_equal(err.kind, FD_ERR_LIMIT);
    assert_string_equal(err.path, "/a");
    assert_string_equal(err.file, "t.ksy");
    assert_int_equal(err.line, 4);
    fx_close(&fx);
}

/* Input bytes copied into a message are escaped: one line, no terminal control. */
static void test_error_text_escaped(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: t\n"
        "seq:\n  - id: s\n    type: str\n    size: 8\n    encoding: ASCII\n    valid: '\"abcdefgh\"'\n";
    static const uint8_t data[] = { 0x1b, '[', '2', 'J', 0x07, '\r', '\n', 'x' };
    fixture fx;
    open_fx(&fx, ksy, data, sizeof data);
    fd_error err;
    assert_true(fd_doc_error(fx.doc, &err));
    assert_int_equal(err.kind, FD_ERR_NOT_EQUAL);
    for (const char *p = err.message; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
    assert_non_null(strstr(err.message, "\"\\x1B[2J\\x07\\x0D\\x0Ax\""));
    fx_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_strings_and_bytes),
        cmocka_unit_test(test_file_structure),
        cmocka_unit_test(test_partial_tree),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_guards),
        cmocka_unit_test(test_bits_and_strings),
        cmocka_unit_test(test_custom_process),
        cmocka_unit_test(test_to_string),
        cmocka_unit_test(test_stack_allowance),
        cmocka_unit_test(test_shared_subtree_budget),
        cmocka_unit_test(test_error_locations),
        cmocka_unit_test(test_long_argument_lists),
        cmocka_unit_test(test_memory_error_located),
        cmocka_unit_test(test_error_text_escaped),
        cmocka_unit_test(test_self_dependency_located),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
