/* test_ksy_load.c - unit tests of the .ksy loader: tables, name resolution, imports, errors, hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "fmtdump.h"
#include "ksy_keys.h"
#include "spec.h"

static fd_error last_err;

static fd_spec *load_opts(const char *text, const char *const *dirs, size_t ndirs)
{
    fd_load_opts o = {.size = sizeof o, .import_dirs = dirs, .nimport_dirs = ndirs};
    fd_spec *s = fd_spec_load_mem("t.ksy", text, strlen(text), &o, &last_err);
    if (!s) {
        char buf[1024];
        fd_error_format(&last_err, buf, sizeof buf);
        print_message("load error: %s\n", buf);
    }
    return s;
}

static fd_spec *load(const char *text) { return load_opts(text, NULL, 0); }

/* Loading must fail with a description error at line:col (col 0 = any). */
static void load_fails(const char *text, int line, int col, const char *msg_part)
{
    fd_spec *s = fd_spec_load_mem("t.ksy", text, strlen(text), NULL, &last_err);
    if (s)
        fd_spec_free(s);
    assert_null(s);
    assert_string_equal(last_err.file, "t.ksy");
    if (line)
        assert_int_equal(last_err.line, line);
    if (col)
        assert_int_equal(last_err.col, col);
    if (msg_part && !strstr(last_err.message, msg_part)) {
        print_message("message was: %s\n", last_err.message);
        fail();
    }
}

static const fd_type *nested(const fd_type *t, const char *name)
{
    for (uint32_t i = 0; i < t->ntypes; i++)
        if (strcmp(t->types[i]->name, name) == 0)
            return t->types[i];
    return NULL;
}

static const fd_attr *seq_attr(const fd_type *t, const char *id)
{
    for (uint32_t i = 0; i < t->nseq; i++)
        if (strcmp(t->seq[i].id, id) == 0)
            return &t->seq[i];
    return NULL;
}

static const fd_attr *inst_attr(const fd_type *t, const char *id)
{
    for (uint32_t i = 0; i < t->ninst; i++)
        if (strcmp(t->inst[i].id, id) == 0)
            return &t->inst[i];
    return NULL;
}

static const char *dump(const fd_expr *e)
{
    static char buf[512];
    fd_expr_dump(e, buf, sizeof buf);
    return buf;
}

static void test_basic_tables(void **state)
{
    (void)state;
    fd_spec *s = load("meta:\n"
                      "  id: hdr\n"
                      "  endian: le\n"
                      "doc: top doc\n"
                      "params:\n"
                      "  - id: p\n"
                      "    type: u4\n"
                      "seq:\n"
                      "  - id: magic\n"
                      "    contents: [0x4d, 'DM']\n"
                      "  - id: a\n"
                      "    type: u4\n"
                      "    doc: the a\n"
                      "  - type: u2be\n"
                      "  - id: b\n"
                      "    type: inner\n"
                      "instances:\n"
                      "  c:\n"
                      "    value: a + 1\n"
                      "types:\n"
                      "  inner:\n"
                      "    seq:\n"
                      "      - id: x\n"
                      "        type: s8\n"
                      "    types:\n"
                      "      deeper: {}\n");
    assert_non_null(s);
    assert_string_equal(fd_spec_id(s), "hdr");
    const fd_type *root = s->main->root;
    assert_string_equal(root->name, "hdr");
    assert_string_equal(root->qname, "hdr");
    assert_string_equal(root->doc, "top doc");
    assert_int_equal(root->nparams, 1);
    assert_int_equal(root->nseq, 4);
    assert_int_equal(root->ninst, 1);
    assert_int_equal(root->nslots, 6);
    const char *want[] = {"p", "magic", "a", "_unnamed2", "b", "c"};
    for (int i = 0; i < 6; i++) {
        assert_string_equal(root->slot_names[i], want[i]);
        assert_int_equal(fd_type_slot(root, fd_intern(&s->names, want[i])), i);
    }
    assert_int_equal(fd_type_slot(root, fd_intern(&s->names, "nope")), -1);
    assert_null(fd_type_slot_attr(root, 0));
    assert_ptr_equal(fd_type_slot_attr(root, 2), &root->seq[1]);
    assert_ptr_equal(fd_type_slot_attr(root, 5), &root->inst[0]);
    assert_null(fd_type_slot_attr(root, 6));

    const fd_attr *a = seq_attr(root, "a");
    assert_int_equal(a->type.prim, FD_P_UINT);
    assert_int_equal(a->type.width, 4);
    assert_int_equal(a->type.endian, FD_END_INHERIT);
    assert_string_equal(a->doc, "the a");
    assert_int_equal(a->loc.line, 11);
    assert_int_equal(a->loc.col, 5);
    assert_string_equal(a->loc.file, "t.ksy");
    assert_int_equal(root->seq[2].type.endian, FD_END_BE);
    assert_int_equal(root->seq[2].type.width, 2);
    assert_int_equal(root->endian, FD_END_LE);

    const fd_type *inner = nested(root, "inner");
    assert_non_null(inner);
    assert_string_equal(inner->qname, "hdr::inner");
    assert_ptr_equal(inner->outer, root);
    assert_int_equal(inner->endian, FD_END_LE);
    assert_ptr_equal(seq_attr(root, "b")->type.user, inner);
    assert_int_equal(seq_attr(root, "b")->type.prim, FD_P_USER);
    assert_string_equal(nested(inner, "deeper")->qname, "hdr::inner::deeper");
    assert_int_equal(inner->fixed_size, 8);
    assert_int_equal(root->fixed_size, 3 + 4 + 2 + 8);

    assert_non_null(inst_attr(root, "c")->value);
    assert_true(inst_attr(root, "c")->is_instance);
    assert_string_equal(dump(inst_attr(root, "c")->value), "(ADD (NAME a) 1)");

    size_t n;
    const uint8_t *m = fd_spec_magic(s, 0, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(m, "MDM", 3);
    assert_null(fd_spec_magic(s, 1, &n));
    assert_int_equal(n, 0);
    fd_spec_free(s);
}

/* The attribute keys both test_attr_keys specs share, after `meta:`. */
#define ATTR_KEYS_SEQ \
    "  id: t\n" \
    "  endian: be\n" \
    "  encoding: ASCII\n" \
    "seq:\n" \
    "  - id: s1\n" \
    "    type: str\n" \
    "    size: len * 2\n" \
    "    encoding: UTF-16LE\n" \
    "    pad-right: 0x20\n" \
    "  - id: s2\n" \
    "    type: strz\n" \
    "  - id: s3\n" \
    "    size-eos: true\n" \
    "    process: xor(0x55)\n" \
    "  - id: s4\n" \
    "    terminator: 10\n" \
    "    include: yes\n" \
    "    consume: off\n" \
    "    eos-error: false\n" \
    "  - id: s5\n" \
    "    size: 4\n" \
    "    process: my.pkg.fx(1, 'k', true)\n" \
    "  - id: s6\n" \
    "    size: 4\n" \
    "    process: zlib\n" \
    "    repeat: expr\n" \
    "    repeat-expr: 3\n" \
    "  - id: s7\n" \
    "    type: u1\n" \
    "    repeat: until\n" \
    "    repeat-until: _ == 0\n" \
    "    if: s1 != \"\"\n" \
    "  - id: s8\n" \
    "    type: u1\n" \
    "    repeat: eos\n" \
    "    valid: 5\n" \
    "  - id: s9\n" \
    "    type: u1\n" \
    "    valid:\n" \
    "      min: 1\n" \
    "      max: 9\n" \
    "  - id: s10\n" \
    "    type: u1\n" \
    "    valid:\n" \
    "      any-of: [1, 2, 3]\n" \
    "  - id: s11\n" \
    "    type: u1\n" \
    "    valid: {expr: _ > 3}\n" \
    "  - id: s12\n" \
    "    type: u1\n" \
    "    enum: e\n" \
    "    valid: {in-enum: true}\n" \
    "  - id: s13\n" \
    "    type: sub\n" \
    "    parent: false\n" \
    "  - id: s14\n" \
    "    type: sub\n" \
    "    parent: _parent\n" \
    "  - id: s15\n" \
    "    contents: 0x7f\n" \
    "  - id: s16\n" \
    "    size: 2\n" \
    "    process: rol(3)\n" \
    "  - id: s17\n" \
    "    type: f4le\n" \
    "  - id: s18\n" \
    "    type: b12le\n" \
    "  - id: s19\n" \
    "    type: b1\n" \
    "  - id: s20\n" \
    "    type: b1\n" \
    "    enum: e\n" \
    "  - id: s21\n" \
    "    type: str\n" \
    "    size: 3\n" \
    "    encoding: NOPE-42\n"

/* ...and the instances, enums and types after their seq. */
#define ATTR_KEYS_TAIL \
    "instances:\n" \
    "  i1:\n" \
    "    pos: 0x10\n" \
    "    io: _root._io\n" \
    "    type: u4\n" \
    "  i2:\n" \
    "    value: s8.size\n" \
    "    enum: e\n" \
    "    if: true\n" \
    "enums:\n" \
    "  e:\n" \
    "    1: one\n" \
    "types:\n" \
    "  sub: {}\n"

static void test_attr_keys(void **state)
{
    (void)state;
    fd_spec *s = load("meta:\n"
                      ATTR_KEYS_SEQ
                      "  - id: s22\n"
                      "    contents: [1, [2]]\n"
                      "    if: false\n"
                      ATTR_KEYS_TAIL);
    /* a nested list in contents is rejected */
    assert_null(s);
    assert_int_equal(last_err.line, 79);
    assert_int_equal(last_err.col, 19);

    s = load("meta:\n"
             ATTR_KEYS_SEQ
             "  - id: len\n"
             "    type: u1\n"
             ATTR_KEYS_TAIL);
    assert_non_null(s);
    const fd_type *t = s->main->root;
    const fd_attr *a = seq_attr(t, "s1");
    assert_int_equal(a->type.prim, FD_P_STR);
    assert_string_equal(a->type.enc_name, "UTF-16LE");
    assert_int_equal(a->type.encoding, fd_codec_lookup("UTF-16LE"));
    assert_int_equal(a->pad_right, 0x20);
    assert_int_equal(a->terminator, -1);
    assert_string_equal(dump(a->size), "(MUL (NAME len) 2)");

    a = seq_attr(t, "s2");
    assert_int_equal(a->type.prim, FD_P_STRZ);
    assert_int_equal(a->terminator, 0);
    assert_string_equal(a->type.enc_name, "ASCII");
    assert_true(a->consume && a->eos_error && !a->include);

    a = seq_attr(t, "s3");
    assert_int_equal(a->type.prim, FD_P_BYTES);
    assert_true(a->size_eos);
    assert_int_equal(a->proc, FD_PROC_XOR);
    assert_string_equal(a->proc_name, "xor");
    assert_int_equal(a->nproc_args, 1);
    assert_string_equal(dump(a->proc_args[0]), "85");

    a = seq_attr(t, "s4");
    assert_int_equal(a->terminator, 10);
    assert_true(a->include);
    assert_false(a->consume);
    assert_false(a->eos_error);

    a = seq_attr(t, "s5");
    assert_int_equal(a->proc, FD_PROC_CUSTOM);
    assert_string_equal(a->proc_name, "my.pkg.fx");
    assert_int_equal(a->nproc_args, 3);

    a = seq_attr(t, "s6");
    assert_int_equal(a->proc, FD_PROC_ZLIB);
    assert_int_equal(a->nproc_args, 0);
    assert_int_equal(a->repeat, FD_REP_EXPR);
    assert_string_equal(dump(a->repeat_expr), "3");

    a = seq_attr(t, "s7");
    assert_int_equal(a->repeat, FD_REP_UNTIL);
    assert_non_null(a->repeat_expr);
    assert_non_null(a->if_expr);

    a = seq_attr(t, "s8");
    assert_int_equal(a->repeat, FD_REP_EOS);
    assert_int_equal(a->valid.kind, FD_VALID_EQ);
    assert_string_equal(dump(a->valid.eq), "5");

    a = seq_attr(t, "s9");
    assert_int_equal(a->valid.kind, FD_VALID_RANGE);
    assert_non_null(a->valid.min);
    assert_non_null(a->valid.max);
    assert_int_equal(a->valid.loc.line, 41);

    a = seq_attr(t, "s10");
    assert_int_equal(a->valid.kind, FD_VALID_ANY_OF);
    assert_int_equal(a->valid.nany, 3);

    assert_int_equal(seq_attr(t, "s11")->valid.kind, FD_VALID_EXPR);
    a = seq_attr(t, "s12");
    assert_int_equal(a->valid.kind, FD_VALID_IN_ENUM);
    assert_non_null(a->enm);
    assert_string_equal(a->enm->qname, "t::e");

    a = seq_attr(t, "s13");
    assert_true(a->parent_none);
    assert_null(a->parent);
    a = seq_attr(t, "s14");
    assert_false(a->parent_none);
    assert_non_null(a->parent);

    a = seq_attr(t, "s15");
    assert_int_equal(a->ncontents, 1);
    assert_int_equal(a->contents[0], 0x7f);

    a = seq_attr(t, "s16");
    assert_int_equal(a->proc, FD_PROC_ROL);

    a = seq_attr(t, "s17");
    assert_int_equal(a->type.prim, FD_P_FLOAT);
    assert_int_equal(a->type.width, 4);
    assert_int_equal(a->type.endian, FD_END_LE);

    a = seq_attr(t, "s18");
    assert_int_equal(a->type.prim, FD_P_BITS);
    assert_int_equal(a->type.width, 12);
    assert_int_equal(a->type.bit_le, 1);

    assert_int_equal(seq_attr(t, "s19")->type.prim, FD_P_BOOL);
    assert_int_equal(seq_attr(t, "s19")->type.bit_le, 0);
    assert_int_equal(seq_attr(t, "s20")->type.prim, FD_P_BITS);
    assert_int_equal(seq_attr(t, "s20")->type.width, 1);

    a = seq_attr(t, "s21");
    assert_int_equal(a->type.encoding, -1);
    assert_string_equal(a->type.enc_name, "NOPE-42");

    a = inst_attr(t, "i1");
    assert_non_null(a->pos);
    assert_non_null(a->io);
    assert_null(a->value);
    assert_int_equal(a->type.prim, FD_P_UINT);
    assert_int_equal(a->loc.line, 81);

    a = inst_attr(t, "i2");
    assert_non_null(a->value);
    assert_non_null(a->enm);
    assert_non_null(a->if_expr);
    assert_string_equal(dump(a->if_expr), "true");
    fd_spec_free(s);
}

static void test_enums(void **state)
{
    (void)state;
    fd_spec *s = load("meta:\n"
                      "  id: en\n"
                      "seq:\n"
                      "  - id: a\n"
                      "    type: u1\n"
                      "    enum: inner::animal\n"
                      "enums:\n"
                      "  big:\n"
                      "    0xffffffffffffffff: max\n"
                      "    -2: minus_two\n"
                      "    -0x7fffffffffffffff: min\n"
                      "    0: zero\n"
                      "    9223372036854775808: two63\n"
                      "    0x10:\n"
                      "      id: sixteen\n"
                      "      doc: verbose\n"
                      "      -orig-id: SIXTEEN\n"
                      "types:\n"
                      "  inner:\n"
                      "    enums:\n"
                      "      animal:\n"
                      "        4: dog\n"
                      "        1: cat\n"
                      "instances:\n"
                      "  v:\n"
                      "    value: inner::animal::dog\n"
                      "  w:\n"
                      "    value: en::big::two63\n"
                      "  x:\n"
                      "    value: inner::animal::nope\n");
    assert_non_null(s);
    const fd_type *t = s->main->root;
    assert_int_equal(t->nenums, 1);
    const fd_enum *e = t->enums[0];
    assert_string_equal(e->name, "big");
    assert_string_equal(e->qname, "en::big");
    assert_ptr_equal(e->owner, t);
    assert_int_equal(e->nitems, 6);
    for (uint32_t i = 1; i < e->nitems; i++)
        assert_true(e->items[i - 1].value < e->items[i].value);
    assert_string_equal(fd_enum_label(e, UINT64_MAX), "max");
    assert_string_equal(fd_enum_label(e, (uint64_t)-2), "minus_two");
    assert_string_equal(fd_enum_label(e, 0), "zero");
    assert_string_equal(fd_enum_label(e, 16), "sixteen");
    assert_string_equal(fd_enum_label(e, (uint64_t)1 << 63), "two63");
    assert_null(fd_enum_label(e, 5));
    uint64_t v;
    assert_true(fd_enum_value(e, "minus_two", &v));
    assert_int_equal(v, UINT64_MAX - 1);
    assert_true(fd_enum_value(e, "min", &v));
    assert_int_equal(v, ((uint64_t)1 << 63) + 1);
    assert_false(fd_enum_value(e, "nope", &v));
    for (uint32_t i = 0; i < e->nitems; i++) {
        if (strcmp(e->items[i].label, "minus_two") == 0 || strcmp(e->items[i].label, "min") == 0)
            assert_true(e->items[i].neg);
        else
            assert_false(e->items[i].neg);
        if (strcmp(e->items[i].label, "sixteen") == 0)
            assert_string_equal(e->items[i].doc, "verbose");
    }

    const fd_type *inner = nested(t, "inner");
    assert_ptr_equal(t->seq[0].enm, inner->enums[0]);
    const fd_expr *ev = inst_attr(t, "v")->value;
    assert_int_equal(ev->op, FD_OP_ENUMLIT);
    assert_ptr_equal(ev->renum, inner->enums[0]);
    assert_int_equal(ev->renum_val, 4);
    ev = inst_attr(t, "w")->value;
    assert_ptr_equal(ev->renum, e);
    assert_int_equal(ev->renum_val, (uint64_t)1 << 63);
    assert_null(inst_attr(t, "x")->value->renum);

    const char *path[] = {fd_intern(&s->names, "inner"), fd_intern(&s->names, "animal")};
    assert_ptr_equal(fd_spec_find_enum(s, inner, path + 1, 1, false), inner->enums[0]);
    assert_null(fd_spec_find_enum(s, t, path + 1, 1, false));
    assert_ptr_equal(fd_spec_find_enum(s, t, path, 2, false), inner->enums[0]);
    fd_spec_free(s);

    load_fails("meta: {id: x}\nenums:\n  e:\n    abc: foo\n", 4, 5, "not an integer");
    load_fails("meta: {id: x}\nenums:\n  e:\n    0x1ffffffffffffffff: foo\n", 4, 5, NULL);
    load_fails("meta: {id: x}\nseq:\n  - id: a\n    type: u1\n    enum: nope\n", 5, 11,
               "unknown enum");
}

static void test_switch(void **state)
{
    (void)state;
    fd_spec *s = load("meta:\n"
                      "  id: sw\n"
                      "  endian: le\n"
                      "  encoding: UTF-8\n"
                      "seq:\n"
                      "  - id: code\n"
                      "    type: u1\n"
                      "    enum: op\n"
                      "  - id: body\n"
                      "    size: 4\n"
                      "    type:\n"
                      "      switch-on: code\n"
                      "      cases:\n"
                      "        0x10: u4be\n"
                      "        'op::str': strz\n"
                      "        '\"FOO\"': rec(1, code)\n"
                      "        '[0x49, 0x49]': b3\n"
                      "        _: rec(0, 2)\n"
                      "enums:\n"
                      "  op:\n"
                      "    1: str\n"
                      "types:\n"
                      "  rec:\n"
                      "    params:\n"
                      "      - id: kind\n"
                      "        type: u1\n"
                      "      - {id: other}\n");
    assert_non_null(s);
    const fd_type *t = s->main->root;
    const fd_attr *a = seq_attr(t, "body");
    assert_int_equal(a->type.prim, FD_P_SWITCH);
    const fd_switch *sw = a->type.sw;
    assert_non_null(sw);
    assert_string_equal(dump(sw->on), "(NAME code)");
    assert_int_equal(sw->ncases, 5);
    assert_int_equal(sw->default_case, 4);
    assert_null(sw->keys[4]);
    assert_string_equal(dump(sw->keys[0]), "16");
    assert_int_equal(sw->keys[1]->op, FD_OP_ENUMLIT);
    assert_ptr_equal(sw->keys[1]->renum, t->enums[0]);
    assert_int_equal(sw->keys[2]->op, FD_OP_STR);
    assert_int_equal(sw->keys[3]->op, FD_OP_LIST);
    assert_int_equal(sw->types[0].prim, FD_P_UINT);
    assert_int_equal(sw->types[0].endian, FD_END_BE);
    assert_int_equal(sw->types[1].prim, FD_P_STRZ);
    assert_string_equal(sw->types[1].enc_name, "UTF-8");
    assert_int_equal(sw->types[2].prim, FD_P_USER);
    assert_ptr_equal(sw->types[2].user, nested(t, "rec"));
    assert_int_equal(sw->types[2].nargs, 2);
    assert_int_equal(sw->types[3].prim, FD_P_BITS);
    assert_int_equal(sw->types[3].width, 3);
    assert_int_equal(sw->types[4].nargs, 2);
    const fd_type *rec = nested(t, "rec");
    assert_int_equal(rec->nparams, 2);
    assert_int_equal(rec->params[0].type.prim, FD_P_UINT);
    assert_int_equal(rec->params[1].type.prim, FD_P_ANY);
    assert_int_equal(t->fixed_size, 5);
    fd_spec_free(s);

    load_fails("meta: {id: x}\nseq:\n  - id: a\n    type:\n      cases: {1: u1}\n", 5, 7,
               "switch-on");
}

static void test_params(void **state)
{
    (void)state;
    fd_spec *s = load("meta: {id: pr}\n"
                      "types:\n"
                      "  t:\n"
                      "    params:\n"
                      "      - {id: a, type: 'u1[]'}\n"
                      "      - {id: b, type: bool}\n"
                      "      - {id: c, type: struct}\n"
                      "      - {id: d, type: io}\n"
                      "      - {id: e, type: bytes}\n"
                      "      - {id: f, type: str}\n"
                      "      - {id: g, type: t}\n"
                      "      - {id: h, type: 'u1', enum: k}\n"
                      "      - {id: i, type: u4}\n"
                      "      - {id: j, type: 't[]'}\n"
                      "    enums:\n"
                      "      k: {0: z}\n");
    assert_non_null(s);
    const fd_type *t = nested(s->main->root, "t");
    assert_int_equal(t->nparams, 10);
    assert_true(t->params[0].type.is_array);
    assert_int_equal(t->params[0].type.prim, FD_P_UINT);
    assert_int_equal(t->params[1].type.prim, FD_P_BOOL);
    assert_int_equal(t->params[2].type.prim, FD_P_ANY);
    assert_int_equal(t->params[3].type.prim, FD_P_ANY);
    assert_int_equal(t->params[4].type.prim, FD_P_BYTES);
    assert_int_equal(t->params[5].type.prim, FD_P_STR);
    assert_ptr_equal(t->params[6].type.user, t);
    assert_ptr_equal(t->params[7].enm, t->enums[0]);
    assert_int_equal(t->params[8].type.width, 4);
    assert_true(t->params[9].type.is_array);
    assert_ptr_equal(t->params[9].type.user, t);
    fd_spec_free(s);
}

static void test_endian_inheritance(void **state)
{
    (void)state;
    fd_spec *s = load("meta:\n"
                      "  id: en\n"
                      "  endian: be\n"
                      "  bit-endian: le\n"
                      "  encoding: ASCII\n"
                      "types:\n"
                      "  a:\n"
                      "    types:\n"
                      "      aa: {}\n"
                      "  b:\n"
                      "    meta:\n"
                      "      endian: le\n"
                      "      bit-endian: be\n"
                      "      encoding: UTF-16BE\n"
                      "    types:\n"
                      "      bb: {}\n"
                      "  c:\n"
                      "    meta:\n"
                      "      endian:\n"
                      "        switch-on: _root.x\n"
                      "        cases:\n"
                      "          1: le\n"
                      "          '2': be\n"
                      "          _: be\n"
                      "    seq:\n"
                      "      - {id: v, type: u4}\n"
                      "    types:\n"
                      "      cc:\n"
                      "        seq:\n"
                      "          - {id: w, type: u2}\n"
                      "        types:\n"
                      "          ccc: {}\n"
                      "      fixed:\n"
                      "        meta: {endian: le}\n");
    assert_non_null(s);
    const fd_type *r = s->main->root;
    assert_int_equal(r->endian, FD_END_BE);
    assert_int_equal(r->bit_le, 1);
    assert_int_equal(r->encoding, fd_codec_lookup("ASCII"));
    const fd_type *aa = nested(nested(r, "a"), "aa");
    assert_int_equal(aa->endian, FD_END_BE);
    assert_int_equal(aa->bit_le, 1);
    assert_int_equal(aa->encoding, fd_codec_lookup("ASCII"));
    const fd_type *bb = nested(nested(r, "b"), "bb");
    assert_int_equal(bb->endian, FD_END_LE);
    assert_int_equal(bb->bit_le, 0);
    assert_int_equal(bb->encoding, fd_codec_lookup("UTF-16BE"));
    const fd_type *c = nested(r, "c");
    assert_int_equal(c->endian, FD_END_INHERIT);
    assert_non_null(c->endian_sw);
    assert_int_equal(c->endian_sw->ncases, 3);
    assert_null(c->endian_sw->keys[2]);
    assert_int_equal(c->endian_sw->endians[0], FD_END_LE);
    assert_int_equal(c->endian_sw->endians[1], FD_END_BE);
    assert_int_equal(c->endian_sw->loc.line, 20);
    const fd_type *cc = nested(c, "cc");
    assert_int_equal(cc->endian, FD_END_INHERIT);
    assert_null(cc->endian_sw);
    assert_int_equal(nested(cc, "ccc")->endian, FD_END_INHERIT);
    assert_int_equal(nested(c, "fixed")->endian, FD_END_LE);
    assert_int_equal(c->fixed_size, 4);
    fd_spec_free(s);

    load_fails("meta: {id: x}\nseq:\n  - id: a\n    type: u4\n", 4, 11,
               "without default endianness");
    load_fails("meta: {id: x}\nseq:\n  - id: a\n    type: str\n    size: 2\n", 4, 11,
               "without encoding");
    load_fails("meta: {id: x, endian: middle}\n", 1, 23, "endian");
}

static void test_sizes_and_hints(void **state)
{
    (void)state;
    fd_spec *s = load("meta: {id: sz, endian: le}\n"
                      "seq:\n"
                      "  - {id: flags, type: b3}\n"
                      "  - {id: more, type: b6}\n"
                      "  - {id: base_addr, type: u8}\n"
                      "  - {id: ofs_data, type: u4}\n"
                      "  - {id: len_data, type: u4}\n"
                      "  - {id: arr, type: u2, repeat: expr, repeat-expr: 3}\n"
                      "  - {id: blob, size: 7}\n"
                      "  - {id: r, type: rec}\n"
                      "types:\n"
                      "  rec:\n"
                      "    seq:\n"
                      "      - {id: x, type: u1}\n"
                      "      - {id: y, type: u1, if: x > 0}\n"
                      "  fixed:\n"
                      "    seq:\n"
                      "      - {id: x, type: b1}\n"
                      "      - {id: rva, type: u4}\n"
                      "      - {id: z, type: strz, encoding: ASCII, size: 5}\n"
                      "  loop:\n"
                      "    seq:\n"
                      "      - {id: l, type: loop}\n"
                      "instances:\n"
                      "  s1:\n"
                      "    value: sizeof<fixed>\n"
                      "  s2:\n"
                      "    value: r.as<u4>\n"
                      "  s3:\n"
                      "    value: bitsizeof<rec>\n"
                      "  s4:\n"
                      "    value: r.as<::sz::rec>\n");
    assert_non_null(s);
    const fd_type *r = s->main->root;
    const fd_type *fixed = nested(r, "fixed");
    assert_int_equal(fixed->fixed_size, 1 + 4 + 5);
    assert_int_equal(nested(r, "rec")->fixed_size, -1);
    assert_int_equal(nested(r, "loop")->fixed_size, -1);
    assert_int_equal(r->fixed_size, -1);
    assert_true(seq_attr(r, "base_addr")->hex_hint);
    assert_true(seq_attr(r, "ofs_data")->hex_hint);
    assert_false(seq_attr(r, "len_data")->hex_hint);
    assert_true(seq_attr(r, "flags")->hex_hint);
    assert_true(fixed->seq[1].hex_hint);
    assert_ptr_equal(inst_attr(r, "s1")->value->rtype, fixed);
    assert_null(inst_attr(r, "s2")->value->rtype);
    assert_ptr_equal(inst_attr(r, "s3")->value->rtype, nested(r, "rec"));
    assert_ptr_equal(inst_attr(r, "s4")->value->rtype, nested(r, "rec"));
    fd_spec_free(s);

    s = load("meta: {id: sz2, endian: le}\n"
             "seq:\n"
             "  - {id: flags, type: b3}\n"
             "  - {id: more, type: b6}\n"
             "  - {id: a, type: u8}\n"
             "  - {id: arr, type: u2, repeat: expr, repeat-expr: 3}\n"
             "  - {id: blob, size: 7}\n"
             "  - {id: c, contents: abc}\n");
    assert_non_null(s);
    assert_int_equal(s->main->root->fixed_size, 2 + 8 + 6 + 7 + 3);
    size_t n;
    assert_null(fd_spec_magic(s, 0, &n));
    assert_int_equal(n, 0);
    fd_spec_free(s);
}

/* Every alternative of s's magic, "|"-separated, as hex. */
static const char *magics(const fd_spec *s)
{
    static char buf[1024];
    size_t k = 0, n;
    const uint8_t *m;
    buf[0] = 0;
    for (size_t i = 0; (m = fd_spec_magic(s, i, &n)) != NULL && k + 2 * n + 2 < sizeof buf; i++) {
        if (i)
            buf[k++] = '|';
        for (size_t j = 0; j < n; j++)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%02x", m[j]);
    }
    return buf;
}

static const char *magics_of(const char *text)
{
    fd_spec *s = load(text);
    assert_non_null(s);
    const char *r = magics(s);
    fd_spec_free(s);
    return r;
}

static void test_magic_alternatives(void **state)
{
    (void)state;
    /* valid any-of byte arrays: one alternative each, times the next attribute's choices. */
    assert_string_equal(magics_of("meta: {id: m1, endian: le}\n"
                                  "seq:\n"
                                  "  - id: sig\n"
                                  "    size: 2\n"
                                  "    valid:\n"
                                  "      any-of: ['[0x4d, 0x5a]', '[0x5a, 0x4d]']\n"
                                  "  - id: ver\n"
                                  "    contents: [1]\n"
                                  "  - id: kind\n"
                                  "    size: 1\n"
                                  "    valid: '[7]'\n"
                                  "  - id: n\n"
                                  "    type: u4\n"),
                        "4d5a0107|5a4d0107");
    assert_string_equal(magics_of("meta: {id: m2}\n"
                                  "seq:\n"
                                  "  - {id: a, size: 1, valid: {any-of: ['[1]', '[2]']}}\n"
                                  "  - {id: b, size: 1, valid: {any-of: ['[3]', '[4]']}}\n"),
                        "0103|0104|0203|0204");
    /* Items of another length can never match and are left out. */
    assert_string_equal(magics_of("meta: {id: m3}\n"
                                  "seq:\n"
                                  "  - {id: a, size: 2, valid: {any-of: ['[1, 2]', '[3]', '[4, 5]']}}\n"),
                        "0102|0405");
    /* Detection stops at the first attribute without fixed bytes. */
    assert_string_equal(magics_of("meta: {id: m4}\n"
                                  "seq:\n"
                                  "  - {id: a, contents: AB}\n"
                                  "  - {id: b, size: 1, valid: {any-of: ['[1]', 'x']}}\n"
                                  "  - {id: c, contents: CD}\n"
                                  "  - {id: x, type: u1}\n"),
                        "4142");
    assert_string_equal(magics_of("meta: {id: m5}\n"
                                  "seq:\n"
                                  "  - {id: a, contents: AB}\n"
                                  "  - {id: b, size: 1, valid: '[1]', if: false}\n"),
                        "4142");
    assert_string_equal(magics_of("meta: {id: m6}\n"
                                  "seq:\n"
                                  "  - {id: a, size: 2, valid: {min: 1}}\n"
                                  "  - {id: b, contents: AB}\n"),
                        "");
    assert_string_equal(magics_of("meta: {id: m7}\n"
                                  "seq:\n"
                                  "  - {id: a, size: 1, pad-right: 0, valid: '[1]'}\n"),
                        "");
    assert_string_equal(magics_of("meta: {id: m8}\n"
                                  "seq:\n"
                                  "  - {id: a, size: 1, process: xor(1), valid: '[1]'}\n"),
                        "");
    /* A product above 64 alternatives stops before the attribute that would exceed it. */
    char text[4096];
    int k = snprintf(text, sizeof text, "meta: {id: m9}\nseq:\n");
    for (int a = 0; a < 4; a++) {
        k += snprintf(text + k, sizeof text - (size_t)k, "  - {id: a%d, size: 1, valid: {any-of: [", a);
        for (int v = 0; v < 5; v++)
            k += snprintf(text + k, sizeof text - (size_t)k, "%s'[%d]'", v ? ", " : "", v);
        k += snprintf(text + k, sizeof text - (size_t)k, "]}}\n");
    }
    fd_spec *s = load(text);
    assert_non_null(s);
    size_t n, count = 0;
    while (fd_spec_magic(s, count, &n))
        count++;
    assert_int_equal(count, 25);
    assert_memory_equal(fd_spec_magic(s, 24, &n), "\x04\x04", 2);
    assert_int_equal(n, 2);
    assert_null(fd_spec_magic(s, 25, &n));
    assert_null(fd_spec_magic(NULL, 0, &n));
    assert_int_equal(n, 0);
    fd_spec_free(s);
}

static void test_errors_located(void **state)
{
    (void)state;
    load_fails("meta:\n  id: x\nseq:\n  - id: a\n    type: [u1\n", 0, 0, "YAML");
    assert_true(last_err.line >= 5);
    load_fails("meta:\n  id: x\n seq: 1\n", 3, 0, "YAML");
    load_fails("meta:\n  id: x\nseq:\n  - id: a\n    type: nope\n", 5, 11, "unknown type 'nope'");
    load_fails("meta:\n  id: x\nseq:\n  - id: a\n    type: a::b\n", 5, 11, "unknown type 'a::b'");
    load_fails("meta:\n  id: x\nseq:\n  - id: a\n    size: 1 + + )\n", 5, 0, "bad expression");
    assert_true(last_err.col > 11);
    load_fails("meta:\n  id: x\nseq:\n  - id: a\n    size: '1 +* 2'\n", 5, 0, "bad expression");
    assert_true(last_err.col > 11);
    load_fails("meta:\n  id: x\nseq:\n  - id: a\n    type: u1\n    repeat: expr\n", 6, 13,
               "repeat-expr");
    load_fails("meta:\n  id: x\nseq:\n  - id: a\n    type: u1\n    repeat: sometimes\n", 6, 13,
               "repeat");
    load_fails("meta:\n  id: x\nseq:\n  - id: a\n    type: u1\n    repeat-until: true\n", 6, 19,
               "without repeat");
    load_fails("meta:\n  id: x\nseq:\n  - id: a\n", 4, 5, "needs size");
    load_fails("meta:\n  id: x\nseq:\n  - id: Bad\n    type: u1\n", 4, 9, "identifier");
    load_fails("meta:\n  title: x\n", 2, 3, "meta/id");
    load_fails("seq: []\n", 1, 1, "missing meta");
    load_fails("- a\n- b\n", 1, 1, "expected a map");
    load_fails("meta:\n  id: x\nseq:\n  - id: a\n    type: b65\n", 5, 11, "bit width");
    load_fails("meta:\n  id: x\nseq:\n  - id: a\n    terminator: 300\n", 5, 17, "byte");
    load_fails("meta:\n  id: x\nseq:\n  - id: a\n    size: 1\n    size-eos: maybe\n", 6, 15,
               "true or false");
    load_fails("meta:\n  id: x\nseq:\n  - id: a\n    size: 1\n    process: 'xor(1'\n", 6, 14,
               "process");
    load_fails("meta:\n  id: x\nseq:\n  - id: a\n    type: 'f(1 +)'\n", 5, 0, "bad type");
}

static void test_error_format(void **state)
{
    (void)state;
    assert_string_equal(fd_errkind_name(FD_ERR_EOS), "EndOfStreamError");
    assert_string_equal(fd_errkind_name(FD_ERR_NOT_EQUAL), "ValidationNotEqualError");
    assert_string_equal(fd_errkind_name(FD_ERR_LESS_THAN), "ValidationLessThanError");
    assert_string_equal(fd_errkind_name(FD_ERR_GREATER_THAN), "ValidationGreaterThanError");
    assert_string_equal(fd_errkind_name(FD_ERR_NOT_ANY_OF), "ValidationNotAnyOfError");
    assert_string_equal(fd_errkind_name(FD_ERR_NOT_IN_ENUM), "ValidationNotInEnumError");
    assert_string_equal(fd_errkind_name(FD_ERR_VALID_EXPR), "ValidationExprError");
    assert_string_equal(fd_errkind_name(FD_ERR_UNDECIDED_ENDIAN), "UndecidedEndiannessError");
    assert_string_equal(fd_errkind_name(FD_ERR_ENCODING), "UnknownEncodingError");
    assert_string_equal(fd_errkind_name(FD_ERR_DESCRIPTION), "DescriptionError");
    assert_string_equal(fd_errkind_name(FD_ERR_NOMEM), "MemoryError");
    assert_string_equal(fd_errkind_name(FD_ERR_IO), "IOError");
    for (int k = 0; k < FD_ERR_COUNT_; k++)
        assert_non_null(fd_errkind_name((fd_errkind)k));
    assert_string_equal(fd_errkind_name((fd_errkind)999), "Error");

    fd_error e;
    memset(&e, 0, sizeof e);
    e.kind = FD_ERR_EOS;
    e.offset = 0x1f;
    snprintf(e.message, sizeof e.message, "requested 4 bytes");
    snprintf(e.path, sizeof e.path, "/streams/3");
    snprintf(e.file, sizeof e.file, "m.ksy");
    e.line = 12;
    e.col = 7;
    char buf[512];
    fd_error_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "m.ksy:12:7: EndOfStreamError: requested 4 bytes at offset 0x1f "
                             "(/streams/3)");
    e.offset = -1;
    e.path[0] = 0;
    e.file[0] = 0;
    fd_error_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "EndOfStreamError: requested 4 bytes");
    char small[8];
    fd_error_format(&e, small, sizeof small);
    assert_string_equal(small, "EndOfSt");
}

/* ---- imports ---- */

static char tmpdir[256];

static void write_file(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void mkdir_in(const char *rel)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/%s'", tmpdir, rel);
    assert_int_equal(system(cmd), 0);
}

static int setup_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/fd_ksy_test_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_imports(void **state)
{
    (void)state;
    mkdir_in("main/sub");
    mkdir_in("lib/common");
    write_file("main/sub/rel.ksy", "meta:\n  id: rel\n  endian: be\n"
                                   "seq:\n  - {id: v, type: u2}\n"
                                   "types:\n  chunk:\n    seq:\n      - {id: w, type: u4}\n"
                                   "enums:\n  color: {1: red}\n");
    write_file("lib/common/absmod.ksy", "meta:\n  id: absmod\n  imports: [/common/cyc]\n"
                                        "seq:\n  - {id: c, type: cyc}\n");
    write_file("lib/common/cyc.ksy", "meta:\n  id: cyc\n  imports: [absmod]\n"
                                     "seq:\n  - {id: back, type: absmod, if: false}\n");
    write_file("main/top.ksy", "meta:\n  id: top\n  endian: le\n"
                               "  imports:\n    - sub/rel\n    - /common/absmod\n"
                               "seq:\n  - {id: a, type: rel}\n"
                               "  - {id: b, type: rel::chunk}\n"
                               "  - {id: c, type: absmod}\n"
                               "  - {id: d, type: u1, enum: rel::color}\n"
                               "  - {id: e, type: u4}\n"
                               "instances:\n  k:\n    value: rel::color::red\n");
    char path[512], lib[512];
    snprintf(path, sizeof path, "%s/main/top.ksy", tmpdir);
    snprintf(lib, sizeof lib, "%s/nowhere", tmpdir);
    const char *dirs[] = {lib, NULL};
    char lib2[512];
    snprintf(lib2, sizeof lib2, "%s/lib/", tmpdir);
    dirs[1] = lib2;
    fd_load_opts o = {.size = sizeof o, .import_dirs = dirs, .nimport_dirs = 2};
    fd_spec *s = fd_spec_load_file(path, &o, &last_err);
    if (!s) {
        char buf[1024];
        fd_error_format(&last_err, buf, sizeof buf);
        print_message("%s\n", buf);
    }
    assert_non_null(s);
    assert_string_equal(fd_spec_id(s), "top");
    int nmod = 0;
    for (fd_module *m = s->modules; m; m = m->next)
        nmod++;
    assert_int_equal(nmod, 4);
    fd_module *top = s->main;
    assert_int_equal(top->nimports, 2);
    fd_module *rel = top->imports[0], *absm = top->imports[1];
    assert_string_equal(rel->id, "rel");
    assert_string_equal(absm->id, "absmod");
    assert_int_equal(absm->nimports, 1);
    fd_module *cyc = absm->imports[0];
    assert_string_equal(cyc->id, "cyc");
    assert_ptr_equal(cyc->imports[0], absm);
    const fd_type *t = top->root;
    assert_ptr_equal(t->seq[0].type.user, rel->root);
    assert_ptr_equal(t->seq[1].type.user, rel->root->types[0]);
    assert_ptr_equal(t->seq[2].type.user, absm->root);
    assert_ptr_equal(t->seq[3].enm, rel->root->enums[0]);
    assert_ptr_equal(absm->root->seq[0].type.user, cyc->root);
    assert_ptr_equal(cyc->root->seq[0].type.user, absm->root);
    assert_ptr_equal(t->inst[0].value->renum, rel->root->enums[0]);
    /* each module keeps its own meta */
    assert_int_equal(rel->root->endian, FD_END_BE);
    assert_int_equal(rel->root->types[0]->endian, FD_END_BE);
    assert_int_equal(t->endian, FD_END_LE);
    assert_int_equal(rel->root->fixed_size, 2);
    fd_spec_free(s);

    /* missing import: located at the import entry */
    write_file("main/bad.ksy", "meta:\n  id: bad\n  imports:\n    - nothere\n");
    snprintf(path, sizeof path, "%s/main/bad.ksy", tmpdir);
    s = fd_spec_load_file(path, &o, &last_err);
    assert_null(s);
    assert_int_equal(last_err.kind, FD_ERR_DESCRIPTION);
    assert_int_equal(last_err.line, 4);
    assert_int_equal(last_err.col, 7);
    assert_string_equal(last_err.file, path);

    write_file("main/bad2.ksy", "meta:\n  id: bad2\n  imports: [/common/nothere]\n");
    snprintf(path, sizeof path, "%s/main/bad2.ksy", tmpdir);
    s = fd_spec_load_file(path, &o, &last_err);
    assert_null(s);
    assert_int_equal(last_err.line, 3);
    assert_non_null(strstr(last_err.message, "not found"));

    /* an error inside an imported file points into that file */
    write_file("main/broken.ksy", "meta:\n  id: broken\nseq:\n  - {id: x, type: zz}\n");
    write_file("main/uses.ksy", "meta:\n  id: uses\n  imports: [broken]\n");
    snprintf(path, sizeof path, "%s/main/uses.ksy", tmpdir);
    s = fd_spec_load_file(path, &o, &last_err);
    assert_null(s);
    assert_non_null(strstr(last_err.file, "broken.ksy"));
    assert_int_equal(last_err.line, 4);

    /* a missing main file is an I/O error */
    snprintf(path, sizeof path, "%s/main/none.ksy", tmpdir);
    s = fd_spec_load_file(path, &o, &last_err);
    assert_null(s);
    assert_int_equal(last_err.kind, FD_ERR_IO);
}

static void test_opaque(void **state)
{
    (void)state;
    mkdir_in("opq");
    write_file("opq/hello_world.ksy", "meta: {id: hello_world}\nseq:\n  - {id: one, type: u1}\n");
    write_file("opq/user.ksy", "meta:\n  id: user\n  ks-opaque-types: true\n"
                               "seq:\n  - {id: h, type: hello_world}\n"
                               "  - {id: h2, type: hello_world}\n");
    write_file("opq/closed.ksy", "meta:\n  id: closed\nseq:\n  - {id: h, type: hello_world}\n");
    char path[512];
    snprintf(path, sizeof path, "%s/opq/user.ksy", tmpdir);
    fd_spec *s = fd_spec_load_file(path, NULL, &last_err);
    assert_non_null(s);
    const fd_type *t = s->main->root;
    assert_true(t->seq[0].type.opaque);
    assert_non_null(t->seq[0].type.user);
    assert_string_equal(t->seq[0].type.user->name, "hello_world");
    assert_ptr_equal(t->seq[0].type.user, t->seq[1].type.user);
    fd_spec_free(s);

    snprintf(path, sizeof path, "%s/opq/closed.ksy", tmpdir);
    s = fd_spec_load_file(path, NULL, &last_err);
    assert_null(s);
    assert_non_null(strstr(last_err.message, "unknown type"));
}

/* ---- hostile input ---- */

static void test_hostile(void **state)
{
    (void)state;
    /* types nested deeper than the limit */
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t k = (size_t)snprintf(buf, cap, "meta: {id: deep}\n");
    for (int i = 0; i < 80; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%*stypes:\n%*st%d:\n", 2 * i * 2, "",
                              2 * i * 2 + 2, "", i);
    k += (size_t)snprintf(buf + k, cap - k, "%*s{}\n", 320 + 4, "");
    fd_spec *s = load(buf);
    assert_null(s);
    assert_non_null(strstr(last_err.message, "nested too deeply"));

    /* YAML nesting bomb */
    memset(buf, '[', 5000);
    buf[5000] = 0;
    s = load(buf);
    assert_null(s);
    assert_int_equal(last_err.kind, FD_ERR_LIMIT);

    /* binary garbage */
    for (size_t i = 0; i < 4096; i++)
        buf[i] = (char)(i * 131 + 7);
    s = fd_spec_load_mem("t.ksy", buf, 4096, NULL, &last_err);
    assert_null(s);
    assert_int_not_equal(last_err.kind, FD_ERR_NONE);
    free(buf);

    /* empty and whitespace-only documents, nulls, non-map top level */
    assert_null(fd_spec_load_mem("t.ksy", "", 0, NULL, &last_err));
    assert_int_equal(last_err.kind, FD_ERR_DESCRIPTION);
    assert_null(load("   \n# comment only\n"));
    assert_null(load("~\n"));
    assert_null(load("42\n"));
    assert_null(fd_spec_load_mem("t.ksy", NULL, 0, NULL, &last_err));
    assert_null(load("meta: {id: x}\nseq: 5\n"));
    assert_null(load("meta: {id: x}\ntypes: [a]\n"));
    assert_null(load("meta: {id: x}\nseq:\n  - 5\n"));
    assert_null(load("meta: {id: x}\nseq:\n  - {id: a, type: {a: b}}\n"));
    assert_null(load("meta: {id: x}\nseq:\n  - {id: a, type: [u1]}\n"));
    assert_null(load("meta: {id: x}\n? [a, b]\n: c\n"));

    /* aliases are refused (billion laughs) */
    s = load("meta: {id: x}\na: &a [1, 2]\nb: [*a, *a]\n");
    assert_null(s);
    assert_non_null(strstr(last_err.message, "alias"));

    /* oversized text is refused before parsing */
    size_t big = (16u << 20) + 1;
    char *huge = malloc(big);
    assert_non_null(huge);
    memset(huge, ' ', big);
    s = fd_spec_load_mem("t.ksy", huge, big, NULL, &last_err);
    assert_null(s);
    assert_int_equal(last_err.kind, FD_ERR_LIMIT);
    free(huge);

    /* self-referencing fixed size and type cycles terminate */
    s = load("meta: {id: cyc}\nseq:\n  - {id: a, type: b}\ntypes:\n"
             "  b:\n    seq:\n      - {id: c, type: cyc}\n");
    assert_non_null(s);
    assert_int_equal(s->main->root->fixed_size, -1);
    fd_spec_free(s);
}

static void test_misc_yaml(void **state)
{
    (void)state;
    fd_spec *s = load("meta:\n"
                      "  id: misc\n"
                      "  -affected-by: 42\n"
                      "  title: Misc\n"
                      "  ks-version: 0.11\n"
                      "-webide-representation: '{a}'\n"
                      "doc: |\n"
                      "  Block\n"
                      "  doc.\n"
                      "doc-ref: [a, b]\n"
                      "to-string: a.to_s\n"
                      "seq:\n"
                      "  - id: a\n"
                      "    type: u1\n"
                      "    -orig-id: A\n"
                      "    doc-ref: somewhere\n"
                      "  - id: b\n"
                      "    size: \"a > 1 ? 2 : 3\"\n"
                      "  - id: c\n"
                      "    type: ' sub ( 1 , a ) '\n"
                      "instances:\n"
                      "  -ignored:\n"
                      "    value: 1\n"
                      "types:\n"
                      "  sub:\n"
                      "    params:\n"
                      "      - {id: p, type: u1}\n"
                      "      - {id: q, type: u1}\n");
    assert_non_null(s);
    const fd_type *t = s->main->root;
    assert_string_equal(t->doc, "Block\ndoc.\n");
    assert_non_null(t->to_string);
    assert_int_equal(t->ninst, 0);
    assert_string_equal(dump(t->seq[1].size), "(COND (GT (NAME a) 1) 2 3)");
    assert_int_equal(t->seq[2].type.nargs, 2);
    assert_ptr_equal(t->seq[2].type.user, t->types[0]);
    fd_spec_free(s);
}

/* Three lines every key-table case starts with. */
#define HEAD "meta:\n  id: x\n  endian: le\n"

/* A description with a hole (%s) for one `key: value` line in each place. */
static const char *const place_text[FD_KP_COUNT] = {
    HEAD "%s\n",
    HEAD "types:\n  t:\n    %s\n",
    "meta:\n  id: x\n  %s\n",
    HEAD "seq:\n  - id: a\n    type: u1\n    %s\n",
    HEAD "instances:\n  i:\n    pos: 0\n    type: u1\n    %s\n",
    HEAD "instances:\n  v:\n    value: 1\n    %s\n",
    HEAD "types:\n  t:\n    params:\n      - id: p\n        %s\n",
    HEAD "enums:\n  e:\n    1:\n      id: one\n      %s\n",
    HEAD "seq:\n  - id: a\n    type:\n      switch-on: 1\n      cases: {1: u1}\n      %s\n",
    HEAD "seq:\n  - id: a\n    type: u1\n    valid:\n      min: 0\n      %s\n",
    "meta:\n  id: x\n  endian:\n    switch-on: 1\n    cases: {1: le}\n    %s\n",
};

enum {
#define KIND(name, desc) KV_##name,
    FD_KSY_KINDS(KIND)
#undef KIND
};

/* A well-formed value of each kind. */
static const char *value_of(int kind)
{
    switch (kind) {
    case KV_BOOL: return "true";
    case KV_INT: return "0";
    case KV_STRS: case KV_LIST: return "[a]";
    case KV_SEQ: case KV_PARAMS: return "[]";
    case KV_META: case KV_TYPES: case KV_INSTANCES: case KV_ENUMS: case KV_XREF: return "{}";
    case KV_TYPEREF: return "u1";
    case KV_ENDIAN: return "le";
    case KV_TCASES: return "{1: u1}";
    case KV_ECASES: return "{1: le}";
    case KV_IDENT: return "y";
    default: return "1";
    }
}

static const struct { const char *name; unsigned places; int kind; } table_keys[] = {
#define KEY(name, places, req, kind, on, meaning) {name, places, KV_##kind},
    FD_KSY_KEYS(KEY)
#undef KEY
};

/* Every line of the key table, driven through the loader: the key is
 * accepted in its places and refused elsewhere, by name. */
static void test_key_table(void **state)
{
    (void)state;
    char line[64], text[512];
    for (unsigned p = 0; p < FD_KP_COUNT; p++) {
        snprintf(text, sizeof text, place_text[p], "-hole: 0");
        fd_spec *s = load(text);
        assert_non_null(s);
        fd_spec_free(s);
    }
    size_t n = sizeof table_keys / sizeof *table_keys;
    for (size_t i = 0; i < n; i++) {
        unsigned allowed = 0;
        for (size_t j = 0; j < n; j++)
            if (strcmp(table_keys[j].name, table_keys[i].name) == 0)
                allowed |= table_keys[j].places;
        for (unsigned p = 0; p < FD_KP_COUNT; p++) {
            unsigned place = 1u << p;
            bool in = (table_keys[i].places & place) != 0;
            if (!in && (allowed & place))
                continue;
            snprintf(line, sizeof line, "%s: %s", table_keys[i].name,
                     in ? value_of(table_keys[i].kind) : "1");
            snprintf(text, sizeof text, place_text[p], line);
            fd_spec *s = fd_spec_load_mem("t.ksy", text, strlen(text), NULL, &last_err);
            fd_spec_free(s);
            bool refused = !s && strstr(last_err.message, "is not allowed in ");
            if (in != !refused || (!s && strstr(last_err.message, "unknown key"))) {
                print_message("key '%s' in place %u: %s\n", table_keys[i].name, p,
                              s ? "loaded" : last_err.message);
                fail();
            }
        }
    }
}

static void test_unknown_keys(void **state)
{
    (void)state;
    load_fails(HEAD "sqe: []\n", 4, 1, "sqe: unknown key 'sqe' in the top-level type spec (did you mean 'seq'?)");
    load_fails(HEAD "  endiann: be\n", 4, 3, "meta/endiann: unknown key 'endiann' in meta (did you mean 'endian'?)");
    load_fails(HEAD "seq:\n  - id: a\n    sizee: 3\n", 6, 5,
               "seq/0/sizee: unknown key 'sizee' in a seq attribute (did you mean 'size'?)");
    load_fails(HEAD "seq:\n  - id: a\n    type: u1\n    enmu: foo\n", 7, 5,
               "seq/0/enmu: unknown key 'enmu' in a seq attribute (did you mean 'enum'?)");
    load_fails(HEAD "types:\n  thread:\n    seq:\n      - {id: a, type: u1}\n      - {id: b, type: u1}\n"
               "      - id: c\n        sizee: 3\n", 10, 9, "types/thread/seq/2/sizee: unknown key");
    load_fails(HEAD "types:\n  t:\n    sek: []\n", 6, 5, "types/t/sek: unknown key 'sek' in a type spec");
    load_fails(HEAD "instances:\n  i:\n    pos: 0\n    type: u1\n    poss: 1\n", 8, 5,
               "instances/i/poss: unknown key 'poss' in an instance (did you mean 'pos'?)");
    load_fails(HEAD "instances:\n  v:\n    value: 1\n    vlaue: 2\n", 7, 5,
               "instances/v/vlaue: unknown key 'vlaue' in a value instance");
    load_fails(HEAD "types:\n  t:\n    params:\n      - id: p\n        tpye: u1\n", 8, 9,
               "types/t/params/0/tpye: unknown key 'tpye' in a param (did you mean 'type'?)");
    load_fails(HEAD "enums:\n  e:\n    1:\n      id: one\n      label: uno\n", 8, 7,
               "enums/e/1/label: unknown key 'label' in an enum item");
    load_fails(HEAD "seq:\n  - id: a\n    type:\n      switch-on: 1\n      case: {1: u1}\n", 8, 7,
               "seq/0/type/case: unknown key 'case' in a type switch (did you mean 'cases'?)");
    load_fails(HEAD "seq:\n  - id: a\n    type: u1\n    valid:\n      minimum: 1\n", 8, 7,
               "seq/0/valid/minimum: unknown key 'minimum' in a valid map");
    load_fails("meta:\n  id: x\n  endian:\n    switch-on: 1\n    cases: {1: le}\n    default: be\n", 6, 5,
               "meta/endian/default: unknown key 'default' in an endian switch");
    /* no suggestion when nothing is close */
    load_fails(HEAD "seq:\n  - id: a\n    zzzzzz: 1\n", 6, 5, "unknown key 'zzzzzz' in a seq attribute");
    assert_null(strstr(last_err.message, "did you mean"));
    /* a non-string key is unknown too */
    load_fails(HEAD "seq:\n  - id: a\n    type: u1\n    7: 1\n", 7, 5, "unknown key '7'");
}

static void test_misplaced_keys(void **state)
{
    (void)state;
    load_fails(HEAD "seq:\n  - id: a\n    type: u1\n    pos: 4\n", 7, 5,
               "seq/0/pos: key 'pos' is not allowed in a seq attribute (only in an instance)");
    load_fails(HEAD "seq:\n  - id: a\n    value: 4\n", 6, 5,
               "key 'value' is not allowed in a seq attribute (only in a value instance)");
    load_fails(HEAD "instances:\n  v:\n    value: 1\n    size: 2\n", 7, 5,
               "instances/v/size: key 'size' is not allowed in a value instance");
    load_fails(HEAD "instances:\n  v:\n    value: 1\n    id: j\n", 7, 5,
               "instances/v/id: key 'id' is not allowed in a value instance");
    load_fails(HEAD "seq:\n  - id: a\n    type: u1\n    endian: be\n", 7, 5,
               "key 'endian' is not allowed in a seq attribute (only in meta)");
    load_fails(HEAD "  seq: []\n", 4, 3, "meta/seq: key 'seq' is not allowed in meta");
    load_fails(HEAD "  doc: about\n", 4, 3, "key 'doc' is not allowed in meta");
    load_fails(HEAD "seq:\n  - id: a\n    type:\n      switch-on: 1\n      cases: {1: u1}\n      doc: d\n", 9, 7,
               "seq/0/type/doc: key 'doc' is not allowed in a type switch");
    load_fails(HEAD "types:\n  t:\n    params:\n      - id: p\n        size: 1\n", 8, 9,
               "key 'size' is not allowed in a param");
    /* keys that go with some types only, as ksc rules */
    load_fails(HEAD "seq:\n  - id: a\n    type: u4\n    size: 4\n", 7, 5,
               "seq/0/size: key 'size' is not allowed with type u4 (only with bytes, user types "
               "and switches, str and strz)");
    load_fails(HEAD "seq:\n  - id: a\n    size: 4\n    encoding: ASCII\n", 7, 5,
               "key 'encoding' is not allowed with type bytes (only with str and strz)");
    load_fails(HEAD "seq:\n  - id: a\n    type: strz\n    encoding: ASCII\n    enum: e\n", 8, 5,
               "key 'enum' is not allowed with type strz (only with integer types)");
    load_fails(HEAD "seq:\n  - id: a\n    type: f4\n    enum: e\n", 7, 5, "only with integer types");
    load_fails(HEAD "seq:\n  - id: a\n    type: b3\n    pad-right: 0\n", 7, 5,
               "key 'pad-right' is not allowed with type b3");
    load_fails(HEAD "instances:\n  i:\n    pos: 0\n    type: s2be\n    process: zlib\n", 8, 5,
               "instances/i/process: key 'process' is not allowed with type s2be");
    load_fails(HEAD "seq:\n  - id: a\n    type: str\n    size: 1\n    encoding: ASCII\n    parent: _root\n",
               9, 5, "key 'parent' is not allowed with type str");
    /* names that only look like primitives are user types */
    fd_spec *s = load(HEAD "seq:\n  - {id: a, type: f6, size: 2, parent: _root}\n"
                           "  - {id: b, type: u3, size: 1}\n  - {id: c, type: str, size: 1, encoding: ASCII}\n"
                           "  - {id: d, type: b2, enum: e}\n  - {id: f, type: u2, terminator: 0}\n"
                           "instances:\n  i: {id: i, pos: 0, type: u1}\n"
                           "types:\n  f6: {}\n  u3: {}\nenums:\n  e: {}\n");
    assert_non_null(s);
    fd_spec_free(s);
    load_fails(HEAD "endian: be\n", 4, 1, "key 'endian' is not allowed in the top-level type spec (only in meta)");
    load_fails(HEAD "seq:\n  - id: a\n    type: u1\n    valid:\n      eq: 1\n      repeat: eos\n", 9, 7,
               "key 'repeat' is not allowed in a valid map");
}

static void test_value_kinds(void **state)
{
    (void)state;
    load_fails(HEAD "seq:\n  - id: a\n    size: 1\n    size-eos: 3\n", 7, 15,
               "seq/0/size-eos: expected true or false");
    load_fails(HEAD "seq:\n  - id: a\n    terminator: zero\n", 6, 17, "seq/0/terminator: expected an integer");
    load_fails(HEAD "seq:\n  - id: a\n    size: [1, 2]\n", 6, 11, "seq/0/size: expected an expression");
    load_fails(HEAD "seq:\n  - id: a\n    type: [u1]\n", 6, 11, "seq/0/type: expected a type name or a switch");
    load_fails(HEAD "seq:\n  - id: a\n    type: u1\n    valid: [1]\n", 7, 12, "expected an expression or a map");
    load_fails(HEAD "seq:\n  - id: a\n    contents: {a: 1}\n", 6, 15, "expected a string or a list of strings");
    load_fails(HEAD "seq:\n  - id: a\n    contents: [1, [2]]\n", 6, 19, "seq/0/contents/1: expected a plain value, not a list");
    load_fails(HEAD "seq:\n  id: a\n", 5, 3, "seq: expected a list of attributes");
    load_fails(HEAD "seq:\n  - a\n", 5, 5, "seq/0: expected a map of the keys of a seq attribute");
    load_fails(HEAD "types: [a]\n", 4, 8, "types: expected a map of type names to type specs");
    load_fails(HEAD "types:\n  t: 1\n", 5, 6, "types/t: expected a type spec map");
    load_fails(HEAD "instances:\n  i: [1]\n", 5, 6, "instances/i: expected an instance spec map");
    load_fails(HEAD "enums:\n  e:\n    1: [a]\n", 6, 8, "enums/e/1: expected a label or a map");
    load_fails(HEAD "enums: [e]\n", 4, 8, "enums: expected a map of enum names to enums");
    load_fails(HEAD "params: {id: p}\n", 4, 9, "params: expected a list of parameters");
    load_fails(HEAD "doc: [a, b]\n", 4, 6, "doc: expected a string");
    load_fails(HEAD "  imports: common\n", 4, 12, "meta/imports: expected a list of plain values");
    load_fails(HEAD "  ks-debug: sometimes\n", 4, 13, "meta/ks-debug: expected true or false");
    load_fails(HEAD "  xref:\n    rfc: {a: 1}\n", 5, 10, "meta/xref/rfc: expected a string or a list of strings");
    load_fails("meta:\n  id: x\n  endian: [le]\n", 3, 11, "meta/endian: expected le, be or a switch");
    load_fails("meta: le\n", 1, 7, "meta: expected a map of meta keys");
    load_fails(HEAD "seq:\n  - id: a\n    type:\n      switch-on: 1\n      cases: [u1]\n", 8, 14,
               "seq/0/type/cases: expected a map of case values to types");
    load_fails("meta:\n  id: x\n  endian:\n    switch-on: 1\n    cases: {1: [le]}\n", 5, 16,
               "meta/endian/cases/1: expected le or be");
}

static void test_key_combinations(void **state)
{
    (void)state;
    const char *a = HEAD "seq:\n  - id: a\n    type: u1\n";
    char buf[512];
    static const struct { const char *keys; int line, col; const char *msg; } bad[] = {
        {"    repeat: eos\n    repeat-expr: 2\n", 8, 18, "repeat-expr goes with repeat: expr, not repeat: eos"},
        {"    repeat: expr\n    repeat-expr: 2\n    repeat-until: true\n", 9, 19,
         "repeat-until goes with repeat: until, not repeat: expr"},
        {"    repeat: until\n    repeat-expr: 2\n    repeat-until: true\n", 8, 18, "repeat-expr goes with"},
        {"    repeat: until\n", 7, 13, "repeat: until needs repeat-until"},
        {"    valid:\n      eq: 1\n      min: 0\n", 9, 7, "valid: min cannot be combined with eq"},
        {"    valid:\n      max: 1\n      any-of: [1]\n", 9, 7, "valid: any-of cannot be combined with max"},
        {"    valid:\n      expr: _ > 1\n      in-enum: true\n", 9, 7, "valid: in-enum cannot be combined with expr"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(buf, sizeof buf, "%s%s", a, bad[i].keys);
        load_fails(buf, bad[i].line, bad[i].col, bad[i].msg);
    }
    snprintf(buf, sizeof buf, "%s    valid:\n      min: 1\n      max: 3\n", a);
    fd_spec *s = load(buf);
    assert_non_null(s);
    assert_int_equal(s->main->root->seq[0].valid.kind, FD_VALID_RANGE);
    fd_spec_free(s);
}

static void test_arg_counts(void **state)
{
    (void)state;
    const char *foo = "types:\n  foo:\n    params:\n      - {id: p, type: u1}\n";
    char buf[512];
    snprintf(buf, sizeof buf, HEAD "seq:\n  - id: a\n    type: foo(1, 2)\n%s", foo);
    load_fails(buf, 6, 11, "type 'foo' takes 1 argument, 2 given");
    snprintf(buf, sizeof buf, HEAD "seq:\n  - id: a\n    type: foo\n%s", foo);
    load_fails(buf, 6, 11, "type 'foo' takes 1 argument, 0 given");
    snprintf(buf, sizeof buf, HEAD "instances:\n  i:\n    pos: 0\n    type: foo()\n%s", foo);
    load_fails(buf, 7, 11, "type 'foo' takes 1 argument, 0 given");
    load_fails(HEAD "seq:\n  - id: a\n    type: bar(1)\ntypes:\n  bar: {}\n", 6, 11,
               "type 'bar' takes 0 arguments, 1 given");
    snprintf(buf, sizeof buf,
             HEAD "seq:\n  - id: a\n    type:\n      switch-on: 1\n      cases:\n        1: foo(1)\n"
                  "        2: foo(1, 2, 3)\n%s", foo);
    load_fails(buf, 10, 12, "type 'foo' takes 1 argument, 3 given");
    snprintf(buf, sizeof buf, HEAD "seq:\n  - id: a\n    type: foo(7)\n  - id: b\n    type: foo(a)\n%s", foo);
    fd_spec *s = load(buf);
    assert_non_null(s);
    fd_spec_free(s);

    static const struct { const char *proc; const char *msg; } bad[] = {
        {"xor", "process: xor takes 1 argument, 0 given"},
        {"xor()", "process: xor takes 1 argument, 0 given"},
        {"xor(1, 2)", "process: xor takes 1 argument, 2 given"},
        {"rol", "process: rol takes 1 argument, 0 given"},
        {"ror(1, 2)", "process: ror takes 1 argument, 2 given"},
        {"zlib(1)", "process: zlib takes 0 arguments, 1 given"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(buf, sizeof buf, HEAD "seq:\n  - id: a\n    size: 2\n    process: %s\n", bad[i].proc);
        load_fails(buf, 7, 14, bad[i].msg);
    }
    static const char *const good[] = {"xor(0x55)", "xor([1, 2])", "rol(3)", "ror(1)", "zlib",
                                       "zlib()", "my_fx", "my_fx(1, 2, 3)", "a.b.fx(1)"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        snprintf(buf, sizeof buf, HEAD "seq:\n  - id: a\n    size: 2\n    process: %s\n", good[i]);
        s = load(buf);
        assert_non_null(s);
        fd_spec_free(s);
    }
}

static void test_duplicate_keys(void **state)
{
    (void)state;
    load_fails(HEAD "seq:\n  - id: a\n    size: 1\n    size: 2\n", 7, 5,
               "seq/0/size: duplicate key 'size' (first at 6:5)");
    load_fails(HEAD "seq: []\nseq: []\n", 5, 1, "seq: duplicate key 'seq' (first at 4:1)");
    load_fails(HEAD "  id: y\n", 4, 3, "meta/id: duplicate key 'id' (first at 2:3)");
    load_fails(HEAD "types:\n  t: {}\n  u: {}\n  t: {}\n", 7, 3, "types/t: duplicate key 't' (first at 5:3)");
    load_fails(HEAD "instances:\n  i: {value: 1}\n  i: {value: 2}\n", 6, 3, "duplicate key 'i'");
    load_fails(HEAD "enums:\n  e:\n    1: one\n    2: two\n    0x1: uno\n", 8, 5,
               "enums/e/0x1: duplicate key '0x1' (first at 6:5)");
    load_fails(HEAD "seq:\n  - id: a\n    type:\n      switch-on: 1\n      cases:\n        16: u1\n"
                    "        0x10: u2\n", 10, 9, "seq/0/type/cases/0x10: duplicate key");
    load_fails(HEAD "  xref:\n    rfc: 1\n    rfc: 2\n", 6, 5, "meta/xref/rfc: duplicate key");
    /* the earliest second occurrence is reported, whatever the key order */
    load_fails(HEAD "seq:\n  - {id: a, size: 1, if: true, size: 2, if: false}\n", 5, 32,
               "duplicate key 'size'");
    /* '1' (a string) and 1 (an integer) are different keys; -0 and 0 are one */
    fd_spec *s = load(HEAD "seq:\n  - id: a\n    type:\n      switch-on: 1\n      cases:\n"
                           "        1: u1\n        '1': u2\n");
    assert_non_null(s);
    fd_spec_free(s);
    load_fails(HEAD "enums:\n  e:\n    0: zero\n    -0: nothing\n", 7, 5, "duplicate key '-0'");
    /* big maps go through a sort: the same answers */
    char buf[1024];
    int n = snprintf(buf, sizeof buf, HEAD "enums:\n  e:\n");
    for (int i = -3; i < 9; i++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "    %d: l%d\n", i, i + 3);
    s = load(buf);
    assert_non_null(s);
    assert_int_equal(s->main->root->enums[0]->nitems, 12);
    fd_spec_free(s);
    snprintf(buf + n, sizeof buf - (size_t)n, "    0x7: again\n    -0b11: and_again\n");
    load_fails(buf, 18, 5, "enums/e/0x7: duplicate key '0x7' (first at 16:5)");
    n = snprintf(buf, sizeof buf, HEAD "types:\n");
    for (int i = 0; i < 10; i++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "  t%d: {}\n", i % 9);
    load_fails(buf, 14, 3, "types/t0: duplicate key 't0' (first at 5:3)");
}

static void test_duplicate_names(void **state)
{
    (void)state;
    load_fails(HEAD "seq:\n  - {id: a, type: u1}\n  - {id: b, type: u1}\n  - {id: a, type: u2}\n", 7, 10,
               "duplicate member name 'a' in x (first at 5:10)");
    load_fails(HEAD "seq:\n  - {id: a, type: u1}\ninstances:\n  a: {value: 1}\n", 7, 3,
               "duplicate member name 'a' in x (first at 5:10)");
    load_fails(HEAD "types:\n  t:\n    params:\n      - id: n\n    seq:\n      - {id: n, type: u1}\n", 9, 14,
               "duplicate member name 'n' in x::t (first at 7:13)");
    load_fails(HEAD "seq:\n  - {type: u1}\n  - {id: _unnamed0, type: u1}\n", 6, 10,
               "duplicate member name '_unnamed0'");
    load_fails(HEAD "enums:\n  e:\n    1: one\n    2: two\n    3:\n      id: one\n", 9, 11,
               "duplicate label 'one' in x::e (first at 6:8)");
}

static void test_switch_needs_cases(void **state)
{
    (void)state;
    load_fails(HEAD "seq:\n  - id: a\n    type:\n      switch-on: 1\n", 7, 7,
               "seq/0/type: missing cases in a type switch");
    load_fails(HEAD "seq:\n  - id: a\n    type:\n      switch-on: 1\n      cases:\n", 7, 7,
               "missing cases in a type switch");
    load_fails(HEAD "seq:\n  - id: a\n    type:\n      cases: {1: u1}\n", 7, 7,
               "missing switch-on in a type switch");
    load_fails("meta:\n  id: x\n  endian:\n    switch-on: 1\n", 4, 5,
               "meta/endian: missing cases in an endian switch");
    load_fails(HEAD "types:\n  t:\n    params:\n      - type: u1\n", 7, 9,
               "types/t/params/0: missing id in a param");
    load_fails(HEAD "enums:\n  e:\n    1:\n      doc: no label\n", 7, 7, "enums/e/1: missing id in an enum item");
}

static void test_bad_text_located(void **state)
{
    (void)state;
    load_fails("meta:\n  id: x\nseq:\n  - id: a\xff\n    type: u1\n", 4, 10, "invalid leading UTF-8 octet");
    load_fails("meta:\n  id: x\nseq:\n  - id: \xc3\xa9\x01\n", 4, 10, "control characters");
    load_fails("meta:\r\n  id: x\r\nseq:\r\n  - id: ab\x02\r\n", 4, 11, "control characters");
    load_fails("meta:\r  id: x\r  title: \xe2\x82\r", 3, 11, "invalid trailing UTF-8 octet");
    /* a BOM is not a column */
    load_fails("\xef\xbb\xbfmeta:\n  id: \x01\n", 2, 7, "control characters");
    /* a NUL inside the text stops nothing silently */
    const char text[] = "meta:\n  id: x\n  title: a\0b\n";
    fd_spec *s = fd_spec_load_mem("t.ksy", text, sizeof text - 1, NULL, &last_err);
    assert_null(s);
    assert_int_equal(last_err.kind, FD_ERR_DESCRIPTION);
    assert_int_equal(last_err.line, 3);
    assert_int_equal(last_err.col, 11);
}

static void test_extension_keys(void **state)
{
    (void)state;
    fd_spec *s = load("meta:\n"
             "  id: ext\n"
             "  title: Extensions\n"
             "  application: [a, b]\n"
             "  file-extension: ext\n"
             "  license: CC0-1.0\n"
             "  tags: [t]\n"
             "  ks-version: 0.11\n"
             "  ks-debug: false\n"
             "  ks-zero-copy-substream: yes\n"
             "  encoding: UTF-8\n"
             "  bit-endian: be\n"
             "  -vendor: {any: [thing]}\n"
             "  xref: {wikidata: Q1, rfc: [1, 2], anything-else: x}\n"
             "  endian:\n"
             "    switch-on: 1\n"
             "    -note: x\n"
             "    cases: {1: le, _: be}\n"
             "-webide-representation: '{a}'\n"
             "-license: x\n"
             "doc: top\n"
             "doc-ref: [a, b]\n"
             "seq:\n"
             "  - id: a\n"
             "    -orig-id: A\n"
             "    -affected-by: 1\n"
             "    doc: d\n"
             "    doc-ref: r\n"
             "    type: u1\n"
             "    enum: e\n"
             "    valid:\n"
             "      -why: x\n"
             "      in-enum: true\n"
             "  - id: b\n"
             "    type:\n"
             "      switch-on: a\n"
             "      -vendor-key: 1\n"
             "      cases: {e::one: u1}\n"
             "  - id: c\n"
             "    size: 1\n"
             "    type: t(1)\n"
             "instances:\n"
             "  -skipped: {whatever: 1}\n"
             "  v:\n"
             "    value: 1\n"
             "    -webide-parse-mode: eager\n"
             "    doc: v\n"
             "    doc-ref: r\n"
             "    if: true\n"
             "    enum: e\n"
             "  p:\n"
             "    pos: 0\n"
             "    io: _root._io\n"
             "    -orig-id: P\n"
             "    type: u1\n"
             "types:\n"
             "  -skipped: {bogus: 1}\n"
             "  t:\n"
             "    -webide-representation: x\n"
             "    -orig-id: T\n"
             "    doc: t\n"
             "    doc-ref: r\n"
             "    meta: {endian: be, -x: 1}\n"
             "    params:\n"
             "      - {id: q, type: u1, doc: q, doc-ref: r, enum: e, -affected-by: x}\n"
             "enums:\n"
             "  -skipped: {bogus: 1}\n"
             "  e:\n"
             "    1:\n"
             "      id: one\n"
             "      doc: d\n"
             "      doc-ref: r\n"
             "      -orig-id: ONE\n"
             "      -affected-by: 2\n"
             "    2: two\n");
    assert_non_null(s);
    const fd_type *t = s->main->root;
    assert_int_equal(t->nseq, 3);
    assert_int_equal(t->ninst, 2);
    assert_int_equal(t->ntypes, 1);
    assert_int_equal(t->nenums, 1);
    assert_int_equal(t->enums[0]->nitems, 2);
    fd_spec_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_tables),
        cmocka_unit_test(test_attr_keys),
        cmocka_unit_test(test_enums),
        cmocka_unit_test(test_switch),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_endian_inheritance),
        cmocka_unit_test(test_sizes_and_hints),
        cmocka_unit_test(test_magic_alternatives),
        cmocka_unit_test(test_errors_located),
        cmocka_unit_test(test_error_format),
        cmocka_unit_test(test_imports),
        cmocka_unit_test(test_opaque),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_misc_yaml),
        cmocka_unit_test(test_key_table),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_misplaced_keys),
        cmocka_unit_test(test_value_kinds),
        cmocka_unit_test(test_key_combinations),
        cmocka_unit_test(test_arg_counts),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_duplicate_names),
        cmocka_unit_test(test_switch_needs_cases),
        cmocka_unit_test(test_bad_text_located),
        cmocka_unit_test(test_extension_keys),
    };
    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
