/* test_spans.c - where nodes' bytes are: struct, field and element spans, and the node at an offset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* The minidump generator, reused in memory: its main becomes a function we do not call. */
#define main gen_minidump_main
#include "tool_gen_minidump.c"
#undef main

static size_t field_index(fd_value obj, const char *name)
{
    for (size_t i = 0; i < fd_struct_nfields(obj); i++)
        if (!strcmp(fd_struct_field_name(obj, i), name))
            return i;
    fail_msg("no field %s", name);
    return 0;
}

/* The field's span must be [start, end) of a stream whose first byte is at file offset origin. */
static void assert_field_span(fd_value obj, const char *name, int64_t origin, uint64_t start, uint64_t end)
{
    fd_span sp;
    if (!fd_struct_field_span(obj, field_index(obj, name), &sp))
        fail_msg("%s: no span", name);
    assert_int_equal(sp.io_origin, origin);
    assert_int_equal(sp.start, start);
    assert_int_equal(sp.end, end);
}

static void assert_no_field_span(fd_value obj, const char *name)
{
    fd_span sp;
    assert_false(fd_struct_field_span(obj, field_index(obj, name), &sp));
}

static void assert_struct_span(fd_value obj, int64_t origin, uint64_t start, uint64_t end, uint64_t io_size)
{
    fd_span sp;
    assert_true(fd_struct_span(obj, &sp));
    assert_int_equal(sp.io_origin, origin);
    assert_int_equal(sp.start, start);
    assert_int_equal(sp.end, end);
    assert_int_equal(sp.io_size, io_size);
}

static void assert_node_at(fixture *fx, uint64_t off, bool inst, const char *want)
{
    char path[256];
    fd_span sp;
    fd_value v = fd_doc_node_at(fx->doc, off, inst, path, sizeof path, &sp);
    assert_string_equal(path, want);
    assert_int_not_equal(fd_value_kind(v), FD_NULL);
    assert_true(sp.io_origin >= 0);
    assert_true((uint64_t)sp.io_origin + sp.start <= off && off < (uint64_t)sp.io_origin + sp.end);
}

static const char *const NESTED_KSY =
    "meta:\n  id: spans\n  endian: le\n"
    "seq:\n"
    "  - id: magic\n    type: u4\n"
    "  - id: hdr\n    size: 8\n    type: outer\n"
    "  - id: enc\n    size: 4\n    process: xor(0x55)\n    type: inner(7)\n"
    "  - id: words\n    type: u2\n    repeat: expr\n    repeat-expr: 3\n"
    "  - id: recs\n    type: rec\n    repeat: expr\n    repeat-expr: 2\n"
    "  - id: flags_hi\n    type: b4\n"
    "  - id: flags_lo\n    type: b4\n"
    "  - id: skipped\n    type: u1\n    if: magic == 0\n"
    "  - id: tail\n    type: u1\n"
    "instances:\n"
    "  at_pos:\n    pos: 2\n    type: u2\n"
    "  plus_one:\n    value: magic + 1\n"
    "types:\n"
    "  outer:\n    seq:\n"
    "      - id: a\n        type: u2\n"
    "      - id: inside\n        size: 4\n        type: inner(1)\n"
    "      - id: b\n        type: u2\n"
    "  inner:\n    params:\n      - id: tag\n        type: u1\n    seq:\n"
    "      - id: x\n        type: u2\n"
    "      - id: y\n        type: u2\n"
    "  rec:\n    seq:\n"
    "      - id: len\n        type: u1\n"
    "      - id: body\n        size: len\n";

static const uint8_t NESTED_DATA[] = {
    0x01, 0x00, 0x00, 0x00,                 /* 0: magic */
    0x0a, 0x00, 0x0b, 0x00, 0x0c, 0x00, 0x0d, 0x00, /* 4: hdr: a, inside.x, inside.y, b */
    0x54, 0x55, 0x56, 0x55,                 /* 12: enc, xor 0x55: x = 1, y = 3 */
    0x01, 0x00, 0x02, 0x00, 0x03, 0x00,     /* 16: words */
    0x01, 0xaa, 0x02, 0xbb, 0xcc,           /* 22: recs */
    0xa5,                                   /* 27: flags */
    0x99                                    /* 28: tail */
};

static void test_nested_spans(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "spans.ksy", NESTED_KSY, NESTED_DATA, sizeof NESTED_DATA);
    fd_value r = fx.root;
    assert_struct_span(r, 0, 0, 29, 29);
    assert_field_span(r, "magic", 0, 0, 4);
    assert_field_span(r, "hdr", 0, 4, 12);
    assert_field_span(r, "enc", 0, 12, 16);
    assert_field_span(r, "words", 0, 16, 22);
    assert_field_span(r, "recs", 0, 22, 27);
    assert_field_span(r, "flags_hi", 0, 27, 28);
    assert_field_span(r, "flags_lo", 0, 27, 28);
    assert_no_field_span(r, "skipped");
    assert_field_span(r, "tail", 0, 28, 29);

    /* Size-limited subtypes inside subtypes: each is a slice of the file. */
    fd_value hdr = fd_struct_get(r, "hdr");
    assert_struct_span(hdr, 4, 0, 8, 8);
    assert_field_span(hdr, "a", 4, 0, 2);
    assert_field_span(hdr, "inside", 4, 2, 6);
    assert_field_span(hdr, "b", 4, 6, 8);
    fd_value inside = fd_struct_get(hdr, "inside");
    assert_struct_span(inside, 6, 0, 4, 4);
    assert_no_field_span(inside, "tag");
    assert_field_span(inside, "y", 6, 2, 4);

    /* Processed bytes are not in the file. */
    fd_value enc = fd_struct_get(r, "enc");
    assert_int_equal(fd_value_int(fd_struct_get(enc, "y")), 3);
    assert_struct_span(enc, -1, 0, 4, 4);
    fd_span sp;
    assert_true(fd_struct_field_span(enc, field_index(enc, "x"), &sp));
    assert_int_equal(sp.io_origin, -1);
    assert_int_equal(sp.io_data[0], 0x01);
    assert_int_equal(fd_struct_offset(enc), -1);
    assert_int_equal(fd_struct_offset(inside), 6);

    /* Arrays: u2 back to back, structs of varying sizes. */
    fd_value words = fd_struct_get(r, "words");
    assert_true(fd_array_elem_span(words, 1, &sp));
    assert_int_equal(sp.start, 18);
    assert_int_equal(sp.end, 20);
    assert_false(fd_array_elem_span(words, 3, &sp));
    fd_value recs = fd_struct_get(r, "recs");
    assert_true(fd_array_elem_span(recs, 1, &sp));
    assert_int_equal(sp.start, 24);
    assert_int_equal(sp.end, 27);
    assert_field_span(fd_array_get(recs, 1), "body", 0, 25, 27);

    /* Instances: no span before evaluation (spans never force it), none for a value instance. */
    assert_no_field_span(r, "at_pos");
    assert_int_equal(fd_value_kind(fd_struct_get(r, "at_pos")), FD_INT);
    assert_field_span(r, "at_pos", 0, 2, 4);
    assert_int_equal(fd_value_int(fd_struct_get(r, "plus_one")), 2);
    assert_no_field_span(r, "plus_one");
    assert_false(fd_struct_span(words, &sp));

    assert_node_at(&fx, 2, false, "/magic");
    assert_node_at(&fx, 9, false, "/hdr/inside/y");
    assert_node_at(&fx, 13, false, "/enc");
    assert_node_at(&fx, 17, false, "/words/0");
    assert_node_at(&fx, 26, false, "/recs/1/body");
    assert_node_at(&fx, 27, true, "/flags_hi");
    char path[64];
    assert_int_equal(fd_value_kind(fd_doc_node_at(fx.doc, 29, true, path, sizeof path, &sp)), FD_NULL);
    assert_string_equal(path, "");
    fx_close(&fx);
}

/* A fixed-width prefix read the slow way (after a bit field, or cut short)
 * has the same values and spans as one read at once. */
static void test_prefix_paths(void **state)
{
    (void)state;
    const char *ksy = "meta:\n  id: p\n  endian: be\n"
                      "seq:\n  - id: nib\n    type: b4\n  - id: two\n    type: pair\n  - id: cut\n    type: pair\n"
                      "types:\n  pair:\n    seq:\n      - id: a\n        type: u2\n      - id: b\n        type: s2\n";
    const uint8_t data[] = { 0xf0, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x07, 0x80 };
    fixture fx;
    fx_open(&fx, "p.ksy", ksy, data, sizeof data);
    fd_value two = fd_struct_get(fx.root, "two");
    assert_int_equal(fd_value_int(fd_struct_get(two, "a")), 0x0102);
    assert_int_equal(fd_value_int(fd_struct_get(two, "b")), -2);
    assert_field_span(two, "a", 0, 1, 3);
    assert_field_span(two, "b", 0, 3, 5);
    fd_value cut = fd_struct_get(fx.root, "cut");
    assert_int_equal(fd_value_int(fd_struct_get(cut, "a")), 7);
    assert_field_span(cut, "a", 0, 5, 7);
    assert_no_field_span(cut, "b");
    assert_false(fd_struct_field_reached(cut, field_index(cut, "b")));
    fd_error err;
    assert_true(fd_doc_error(fx.doc, &err));
    assert_int_equal(err.kind, FD_ERR_EOS);
    assert_string_equal(err.path, "/cut/b");
    assert_int_equal(err.offset, 7);
    fx_close(&fx);
}

/* A bit field continuing its parent's partly read byte starts before its object. */
static void test_bits_before_object(void **state)
{
    (void)state;
    const char *ksy = "meta:\n  id: b\n  bit-endian: be\n"
                      "seq:\n  - id: hi\n    type: b4\n  - id: sub\n    type: low\n"
                      "types:\n  low:\n    seq:\n      - id: lo\n        type: b4\n      - id: next\n        type: u1\n";
    const uint8_t data[] = { 0xa5, 0x42 };
    fixture fx;
    fx_open(&fx, "b.ksy", ksy, data, sizeof data);
    fd_value sub = fd_struct_get(fx.root, "sub");
    assert_int_equal(fd_value_int(fd_struct_get(sub, "lo")), 5);
    assert_field_span(fx.root, "hi", 0, 0, 1);
    assert_field_span(sub, "lo", 0, 0, 1);
    assert_field_span(sub, "next", 0, 1, 2);
    fx_close(&fx);
}

/* Arrays that grow (repeat-eos) with elements of different sizes keep every span. */
static void test_growing_array_spans(void **state)
{
    (void)state;
    const char *ksy = "meta:\n  id: g\n  endian: le\n"
                      "seq:\n  - id: items\n    type: strz\n    encoding: ASCII\n    repeat: eos\n";
    uint8_t data[300];
    size_t n = 0;
    for (int i = 0; i < 60; i++) {
        for (int k = 0; k < i % 4; k++)
            data[n++] = 'a';
        data[n++] = 0;
    }
    fixture fx;
    fx_open(&fx, "g.ksy", ksy, data, n);
    fd_value items = fd_struct_get(fx.root, "items");
    assert_int_equal(fd_array_len(items), 60);
    uint64_t at = 0;
    for (size_t i = 0; i < 60; i++) {
        fd_span sp;
        assert_true(fd_array_elem_span(items, i, &sp));
        assert_int_equal(sp.start, at);
        at += i % 4 + 1;
        assert_int_equal(sp.end, at);
    }
    char path[64];
    fd_value v = fd_doc_node_at(fx.doc, n - 2, false, path, sizeof path, NULL);
    assert_string_equal(path, "/items/59");
    assert_int_equal(fd_value_kind(v), FD_STR);
    fx_close(&fx);
}

/* A huge growing array gives its scratch room back; the next one starts afresh. */
static void test_big_then_small_array(void **state)
{
    (void)state;
    const char *ksy = "meta:\n  id: h\n"
                      "seq:\n  - id: big\n    size: 40000\n    type: bytes1\n"
                      "  - id: small\n    type: u1\n    repeat: eos\n"
                      "types:\n  bytes1:\n    seq:\n      - id: v\n        type: u1\n        repeat: eos\n";
    static uint8_t data[40010];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    fixture fx;
    fx_open(&fx, "h.ksy", ksy, data, sizeof data);
    fd_value v = fd_struct_get(fd_struct_get(fx.root, "big"), "v");
    assert_int_equal(fd_array_len(v), 40000);
    assert_int_equal(fd_value_int(fd_array_get(v, 39999)), (uint8_t)39999);
    fd_span sp;
    assert_true(fd_array_elem_span(v, 39999, &sp));
    assert_int_equal(sp.io_origin, 0);
    assert_int_equal(sp.start, 39999);
    fd_value small = fd_struct_get(fx.root, "small");
    assert_int_equal(fd_array_len(small), 10);
    assert_int_equal(fd_value_int(fd_array_get(small, 9)), (uint8_t)40009);
    assert_true(fd_array_elem_span(small, 9, &sp));
    assert_int_equal(sp.start, 40009);
    fx_close(&fx);
}

/* A pos instance that parses its own container again: the walk stops at the repeat. */
static void test_node_at_cycle(void **state)
{
    (void)state;
    const char *ksy = "meta:\n  id: cyc\n  endian: le\n"
                      "seq:\n  - id: n\n    type: u1\n  - id: next\n    type: u1\n"
                      "instances:\n  again:\n    pos: next\n    type: cyc\n";
    const uint8_t data[] = { 7, 2, 5, 0 };
    fixture fx;
    fx_open(&fx, "cyc.ksy", ksy, data, sizeof data);
    assert_node_at(&fx, 1, true, "/next");
    assert_node_at(&fx, 3, true, "/again/next");
    assert_node_at(&fx, 2, true, "/again/n");
    assert_node_at(&fx, 0, false, "/n");
    fx_close(&fx);
}

static fd_spec *load_minidump_ksy(void)
{
    const char *src = getenv("FMTDUMP_SRC");
    char path[1024];
    snprintf(path, sizeof path, "%s/formats/windows_minidump.ksy", src ? src : ".");
    fd_error err;
    fd_spec *spec = fd_spec_load_file(path, NULL, &err);
    if (!spec)
        fail_msg("%s: %s", path, err.message);
    return spec;
}

static void test_minidump_spans(void **state)
{
    (void)state;
    dump d;
    build_dump(&d, &variants[0].config);
    fd_spec *spec = load_minidump_ksy();
    fd_error err;
    fd_doc *doc = fd_doc_open_mem(spec, d.b.data, d.b.len, NULL, &err);
    assert_non_null(doc);
    fd_value root = fd_doc_root(doc);
    fd_value mod = fd_eval(doc, root, "streams[1].data.modules[0]", &err);
    assert_int_equal(fd_value_kind(mod), FD_STRUCT);
    uint64_t ofs_name = (uint64_t)fd_value_int(fd_struct_get(mod, "ofs_module_name"));
    fd_value name = fd_struct_get(mod, "module_name");
    fd_span sp;
    assert_true(fd_struct_span(name, &sp));
    assert_int_equal(sp.io_origin, 0);
    assert_int_equal(sp.start, ofs_name);
    assert_int_equal(sp.end, ofs_name + 4 + 2 * strlen(module_facts[0].name));
    assert_true(fd_struct_field_span(mod, field_index(mod, "module_name"), &sp));
    assert_int_equal(sp.start, ofs_name);
    /* The module's seq: fixed-width fields, then a nested struct. */
    fd_span msp;
    assert_true(fd_struct_span(mod, &msp));
    assert_field_span(mod, "time_date_stamp", msp.io_origin, msp.start + 16, msp.start + 20);
    assert_field_span(mod, "reserved1", msp.io_origin, msp.start + 100, msp.start + 108);

    char path[256];
    fd_value v = fd_doc_node_at(doc, ofs_name + 6, true, path, sizeof path, &sp);
    assert_string_equal(path, "/streams/1/data/modules/0/module_name/str");
    assert_int_equal(fd_value_kind(v), FD_STR);
    v = fd_doc_node_at(doc, ofs_name, true, path, sizeof path, &sp);
    assert_string_equal(path, "/streams/1/data/modules/0/module_name/len_str");
    /* Without instances the name (reached only through pos instances) is not found. */
    v = fd_doc_node_at(doc, ofs_name + 6, false, path, sizeof path, &sp);
    assert_int_equal(fd_value_kind(v), FD_NULL);
    assert_string_equal(path, "");
    v = fd_doc_node_at(doc, 9, false, path, sizeof path, &sp);
    assert_string_equal(path, "/num_streams");
    fd_doc_close(doc);
    fd_spec_free(spec);
    free(d.b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_spans),
        cmocka_unit_test(test_prefix_paths),
        cmocka_unit_test(test_bits_before_object),
        cmocka_unit_test(test_growing_array_spans),
        cmocka_unit_test(test_big_then_small_array),
        cmocka_unit_test(test_node_at_cycle),
        cmocka_unit_test(test_minidump_spans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
