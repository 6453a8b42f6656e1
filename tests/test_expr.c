/* test_expr.c - unit tests for the expression lexer/parser (engine/expr.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

typedef struct fixture {
    fd_arena arena;
    fd_names names;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    fd_arena_init(&f->arena, 0);
    fd_intern_init(&f->names, &f->arena);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    fd_intern_free(&f->names);
    fd_arena_free(&f->arena);
    free(f);
    return 0;
}

static fd_expr *parse(void **state, const char *src)
{
    fixture *f = *state;
    fd_expr_err err;
    fd_expr *e = fd_expr_parse(&f->arena, &f->names, src, strlen(src), &err);
    if (!e)
        print_error("parse of [%s] failed at %u: %s\n", src, err.pos, err.msg);
    return e;
}

static void check_dump(void **state, const char *src, const char *want)
{
    fd_expr *e = parse(state, src);
    assert_non_null(e);
    char buf[1024];
    size_t len = fd_expr_dump(e, buf, sizeof buf);
    assert_int_equal(len, strlen(buf));
    if (strcmp(buf, want) != 0)
        print_error("[%s] dumped as %s\n", src, buf);
    assert_string_equal(buf, want);
}

static void check_err(void **state, const char *src, uint32_t pos, const char *msg_part)
{
    fixture *f = *state;
    fd_expr_err err;
    fd_expr *e = fd_expr_parse(&f->arena, &f->names, src, strlen(src), &err);
    if (e) {
        char buf[512];
        fd_expr_dump(e, buf, sizeof buf);
        print_error("[%s] unexpectedly parsed as %s\n", src, buf);
    }
    assert_null(e);
    if (err.pos != pos || !strstr(err.msg, msg_part))
        print_error("[%s]: got error at %u: %s\n", src, err.pos, err.msg);
    assert_int_equal(err.pos, pos);
    assert_non_null(strstr(err.msg, msg_part));
}

static void test_op_names(void **state)
{
    (void)state;
    assert_string_equal(fd_op_names[FD_OP_INT], "INT");
    assert_string_equal(fd_op_names[FD_OP_BITSIZEOF], "BITSIZEOF");
    assert_string_equal(fd_op_names[FD_OP_FSTR], "FSTR");
    for (int k = 0; k < FD_OP_COUNT_; k++)
        assert_non_null(fd_op_names[k]);
    /* Each opcode's symbol (for messages) and binding strength. */
    assert_string_equal(fd_op_symbols[FD_OP_ADD], "+");
    assert_string_equal(fd_op_symbols[FD_OP_SHL], "<<");
    assert_string_equal(fd_op_symbols[FD_OP_AND], "and");
    for (int k = 0; k < FD_OP_COUNT_; k++)
        assert_non_null(fd_op_symbols[k]);
    assert_true(fd_op_prec[FD_OP_MUL] > fd_op_prec[FD_OP_ADD]);
    assert_true(fd_op_prec[FD_OP_ADD] > fd_op_prec[FD_OP_SHL]);
    assert_true(fd_op_prec[FD_OP_SHL] > fd_op_prec[FD_OP_BAND]);
    assert_true(fd_op_prec[FD_OP_BAND] > fd_op_prec[FD_OP_BXOR]);
    assert_true(fd_op_prec[FD_OP_BXOR] > fd_op_prec[FD_OP_BOR]);
    assert_true(fd_op_prec[FD_OP_BOR] > fd_op_prec[FD_OP_EQ]);
    assert_true(fd_op_prec[FD_OP_EQ] > fd_op_prec[FD_OP_NOT]);
    assert_true(fd_op_prec[FD_OP_NOT] > fd_op_prec[FD_OP_AND]);
    assert_true(fd_op_prec[FD_OP_AND] > fd_op_prec[FD_OP_OR]);
    assert_true(fd_op_prec[FD_OP_OR] > fd_op_prec[FD_OP_COND]);
    assert_true(fd_op_prec[FD_OP_NEG] > fd_op_prec[FD_OP_MUL]);
}

static void test_precedence(void **state)
{
    check_dump(state, "1 + 2 * 3", "(ADD 1 (MUL 2 3))");
    check_dump(state, "(1 + 2) * 3", "(MUL (ADD 1 2) 3)");
    check_dump(state, "1 - 2 - 3", "(SUB (SUB 1 2) 3)");
    check_dump(state, "a / b % c * d", "(MUL (MOD (DIV (NAME a) (NAME b)) (NAME c)) (NAME d))");
    check_dump(state, "a & 1 == 0", "(EQ (BAND (NAME a) 1) 0)");
    check_dump(state, "a | b ^ c & d", "(BOR (NAME a) (BXOR (NAME b) (BAND (NAME c) (NAME d))))");
    check_dump(state, "a << 1 + 2", "(SHL (NAME a) (ADD 1 2))");
    check_dump(state, "a >> 2 & 0xf", "(BAND (SHR (NAME a) 2) 15)");
    check_dump(state, "x | y != 0", "(NE (BOR (NAME x) (NAME y)) 0)");
    check_dump(state, "not a == b", "(NOT (EQ (NAME a) (NAME b)))");
    check_dump(state, "not not a", "(NOT (NOT (NAME a)))");
    check_dump(state, "a and b or c and not d",
               "(OR (AND (NAME a) (NAME b)) (AND (NAME c) (NOT (NAME d))))");
    check_dump(state, "a < b and c >= d",
               "(AND (LT (NAME a) (NAME b)) (GE (NAME c) (NAME d)))");
    check_dump(state, "a <= b", "(LE (NAME a) (NAME b))");
    check_dump(state, "a > b", "(GT (NAME a) (NAME b))");
    check_dump(state, "-a.b", "(NEG (ATTR (NAME a) b))");
    check_dump(state, "~-+x", "(BNOT (NEG (POS (NAME x))))");
    check_dump(state, "-x * 2", "(MUL (NEG (NAME x)) 2)");
    check_dump(state, "android_x\n  + 1", "(ADD (NAME android_x) 1)");
}

static void test_ternary(void **state)
{
    check_dump(state, "a ? b : c", "(COND (NAME a) (NAME b) (NAME c))");
    check_dump(state, "a ? b : c ? d : e", "(COND (NAME a) (NAME b) (COND (NAME c) (NAME d) (NAME e)))");
    check_dump(state, "a ? b ? c : d : e", "(COND (NAME a) (COND (NAME b) (NAME c) (NAME d)) (NAME e))");
    check_dump(state, "x or y ? 1 + 2 : 3", "(COND (OR (NAME x) (NAME y)) (ADD 1 2) 3)");
    check_dump(state, "a?b::c:d", "(COND (NAME a) (ENUMLIT b c) (NAME d))");
    fd_expr *e = parse(state, "c ? 1 : 2");
    assert_int_equal(e->op, FD_OP_COND);
    assert_int_equal(e->pos, 2);
}

static void test_int_literals(void **state)
{
    check_dump(state, "0", "0");
    check_dump(state, "123", "123");
    check_dump(state, "0x1F", "31");
    check_dump(state, "0X1f", "31");
    check_dump(state, "0x8888_a704", "2290657028");
    check_dump(state, "1_000", "1000");
    check_dump(state, "0b1010", "10");
    check_dump(state, "0b0100101100", "300");
    check_dump(state, "0o755", "493");
    check_dump(state, "-0", "0");
    check_dump(state, "-72", "-72");
    check_dump(state, "-0x4150", "-16720");
    check_dump(state, "- -5", "5");
    check_dump(state, "9223372036854775807", "9223372036854775807");

    fd_expr *e = parse(state, "0xFFFFFFFFFFFFFFFF");
    assert_int_equal(e->op, FD_OP_INT);
    assert_true(e->uflag);
    assert_true(e->lit.uval == UINT64_MAX);

    e = parse(state, "9223372036854775808");
    assert_true(e->uflag);
    assert_true(e->lit.uval == (uint64_t)INT64_MAX + 1);

    e = parse(state, "-9223372036854775808");
    assert_int_equal(e->op, FD_OP_INT);
    assert_false(e->uflag);
    assert_true(e->lit.ival == INT64_MIN);
    assert_int_equal(e->pos, 0);

    e = parse(state, "  -5");
    assert_int_equal(e->op, FD_OP_INT);
    assert_true(e->lit.ival == -5);
    assert_int_equal(e->pos, 2);

    /* Not representable after negation: left to the evaluator. */
    check_dump(state, "-18446744073709551615", "(NEG 18446744073709551615)");
    check_dump(state, "-(-9223372036854775808)", "(NEG -9223372036854775808)");
    check_dump(state, "-5.to_s", "(NEG (ATTR 5 to_s))");

    check_err(state, "18446744073709551616", 0, "64 bits");
    check_err(state, "0x1_0000_0000_0000_0000", 0, "64 bits");
    check_err(state, "010", 0, "leading zeros");
    check_err(state, "0x", 0, "missing digits");
    check_err(state, "0b102", 4, "invalid digit");
    check_err(state, "0o8", 2, "invalid digit");
    check_err(state, "12abc", 2, "number literal");
}

static void test_float_literals(void **state)
{
    check_dump(state, "1.5", "1.5");
    check_dump(state, ".5", "0.5");
    check_dump(state, "0.25", "0.25");
    check_dump(state, "1.5e-3", "0.0015");
    check_dump(state, "42.", "42.0");
    check_dump(state, "-0.0", "-0.0");
    check_dump(state, "-2.6839530254859364e-121", "-2.6839530254859364e-121");
    check_dump(state, "42.to_s", "(ATTR 42 to_s)");
    check_dump(state, "0.5.as<f4>", "(CAST 0.5 f4)");
    check_dump(state, "(42.)", "42.0");

    fd_expr *e = parse(state, "4e2");
    assert_int_equal(e->op, FD_OP_FLOAT);
    assert_true(e->lit.fval == 400.0);
    e = parse(state, "1E+2");
    assert_int_equal(e->op, FD_OP_FLOAT);
    assert_true(e->lit.fval == 100.0);
    e = parse(state, "0.1");
    assert_true(e->lit.fval == 0.1);
}

static void test_bool_and_names(void **state)
{
    check_dump(state, "true", "true");
    check_dump(state, "false", "false");
    fd_expr *e = parse(state, "true");
    assert_int_equal(e->op, FD_OP_BOOL);
    assert_int_equal(e->lit.ival, 1);

    check_dump(state, "foo", "(NAME foo)");
    check_dump(state, "notx", "(NAME notx)");
    check_dump(state, "true_value", "(NAME true_value)");
    check_dump(state, "_root", "(ROOT)");
    check_dump(state, "_parent", "(PARENT)");
    check_dump(state, "_io", "(IO)");
    check_dump(state, "_index", "(INDEX_V)");
    check_dump(state, "_", "(CUR)");
    check_dump(state, "_on", "(ON)");
    check_dump(state, "_sizeof", "(SIZEOF_V)");
    check_dump(state, "_is_le", "(NAME _is_le)");
    check_dump(state, "sizeof", "(NAME sizeof)");

    fixture *f = *state;
    e = parse(state, "foo + foo");
    assert_ptr_equal(e->a->name, e->b->name);
    assert_ptr_equal(e->a->name, fd_intern(&f->names, "foo"));
    assert_int_equal(e->b->pos, 6);
}

static void test_strings(void **state)
{
    check_dump(state, "'raw \\n'", "\"raw \\\\n\"");
    check_dump(state, "\"a\\tb\"", "\"a\\x09b\"");
    check_dump(state, "'a' \"b\" 'c'", "\"abc\"");
    check_dump(state, "\"x\"'y'", "\"xy\"");
    check_dump(state, "\"\\\"\\'\\\\\"", "\"\\\"'\\\\\"");

    fd_expr *e = parse(state, "\"\\a\\b\\t\\n\\v\\f\\r\\e\\0\"");
    assert_int_equal(e->op, FD_OP_STR);
    assert_int_equal(e->slen, 9);
    assert_memory_equal(e->sval, "\a\b\t\n\v\f\r\x1b\0", 9);
    assert_int_equal(e->sval[9], 0);

    e = parse(state, "\"\\101\\7\\1234\"");
    assert_int_equal(e->slen, 4);
    assert_memory_equal(e->sval, "A\aS4", 4);

    e = parse(state, "\"\\377\"");
    assert_int_equal(e->slen, 2);
    assert_memory_equal(e->sval, "\xc3\xbf", 2);

    e = parse(state, "\"c\\u0200d\\u0000\"");
    assert_int_equal(e->slen, 5);
    assert_memory_equal(e->sval, "c\xc8\x80" "d\0", 5);

    e = parse(state, "\"\\u12bf\\ud83d\\ude00\"");
    assert_int_equal(e->slen, 7);
    assert_memory_equal(e->sval, "\xe1\x8a\xbf\xf0\x9f\x98\x80", 7);

    e = parse(state, "\"\xe3\x81\x93\"");
    assert_int_equal(e->slen, 3);

    e = parse(state, "''");
    assert_int_equal(e->op, FD_OP_STR);
    assert_int_equal(e->slen, 0);

    /* Raw NUL bytes inside a length-bounded source. */
    fixture *f = *state;
    fd_expr_err err;
    static const char src[] = "id == '\0\0\0\0'";
    e = fd_expr_parse(&f->arena, &f->names, src, sizeof src - 1, &err);
    assert_non_null(e);
    assert_int_equal(e->b->slen, 4);

    check_err(state, "'abc", 0, "unterminated");
    check_err(state, "x + \"abc\\\"", 4, "unterminated");
    check_err(state, "\"\\q\"", 1, "unknown escape");
    check_err(state, "\"\\u12\"", 1, "4 hex digits");
    check_err(state, "\"\\ud800\"", 1, "surrogate");
}

static void test_fstrings(void **state)
{
    check_dump(state, "f\"a{x + 1}b\"", "(FSTR \"a\" (ADD (NAME x) 1) \"b\")");
    check_dump(state, "f\"{a}\"", "(FSTR (NAME a))");
    check_dump(state, "f\"\"", "(FSTR)");
    check_dump(state, "f\"x={f\"{y}\"}\\n\"", "(FSTR \"x=\" (FSTR (NAME y)) \"\\x0a\")");
    check_dump(state, "f\"{\"q\"}\" + 'r'", "(ADD (FSTR \"q\") \"r\")");
    check_err(state, "f\"abc", 0, "unterminated f-string");
    check_err(state, "f\"{a b}\"", 5, "expected '}'");
    check_err(state, "f\"{a\"", 4, "unterminated string");
    check_err(state, "f\"{}\"", 3, "expected an expression");
}

static void test_lists(void **state)
{
    fd_expr *e = parse(state, "[1, 2, 0xff]");
    assert_int_equal(e->op, FD_OP_LIST);
    assert_int_equal(e->nargs, 3);
    assert_true(e->bytes_list);
    check_dump(state, "[1, 2, 0xff]", "(LIST 1 2 255)");

    e = parse(state, "[1, 256]");
    assert_false(e->bytes_list);
    e = parse(state, "[1, -1]");
    assert_false(e->bytes_list);
    e = parse(state, "[0 + 1, 2]");
    assert_false(e->bytes_list);
    e = parse(state, "['AAAA', 'BBBB']");
    assert_false(e->bytes_list);
    assert_int_equal(e->nargs, 2);
    e = parse(state, "[]");
    assert_int_equal(e->nargs, 0);
    assert_true(e->bytes_list);
    e = parse(state, "[1, 2,]");
    assert_int_equal(e->nargs, 2);
    check_dump(state, "[0x49, 0x49] == magic", "(EQ (LIST 73 73) (NAME magic))");
    check_dump(state, "[].as<bytes>", "(CAST (LIST) bytes)");
    check_dump(state, "[1, [2]][0]", "(SUBSCR (LIST 1 (LIST 2)) 0)");

    check_err(state, "[1 2]", 3, "expected ',' or ']'");
    check_err(state, "[1, 2", 5, "expected ',' or ']'");
    check_err(state, "[,]", 1, "expected an expression");
}

static void test_enum_literals(void **state)
{
    check_dump(state, "animal::cat", "(ENUMLIT animal cat)");
    check_dump(state, "bits_enum::animal::platypus", "(ENUMLIT bits_enum::animal platypus)");
    check_dump(state, "enum_deep::container1::container2::animal::hare",
               "(ENUMLIT enum_deep::container1::container2::animal hare)");
    check_dump(state, "::t::e::label", "(ENUMLIT ::t::e label)");
    check_dump(state, "a :: b", "(ENUMLIT a b)");
    check_dump(state, "x == y::z", "(EQ (NAME x) (ENUMLIT y z))");
    check_dump(state, "y::z.to_i", "(ATTR (ENUMLIT y z) to_i)");

    fd_expr *e = parse(state, "::a::b::c");
    assert_int_equal(e->op, FD_OP_ENUMLIT);
    assert_true(e->abs_path);
    assert_int_equal(e->npath, 2);
    assert_string_equal(e->path[0], "a");
    assert_string_equal(e->path[1], "b");
    assert_string_equal(e->name, "c");

    check_err(state, "::a", 0, "enum::label");
    check_err(state, "a::", 3, "expected a name after '::'");
    check_err(state, "a::1", 3, "expected a name after '::'");
}

static void test_casts_and_sizeof(void **state)
{
    check_dump(state, "x.as<u4>", "(CAST (NAME x) u4)");
    check_dump(state, "x.as<spec::type::sub>.first",
               "(ATTR (CAST (NAME x) spec::type::sub) first)");
    check_dump(state, "x.as<::t>", "(CAST (NAME x) ::t)");
    check_dump(state, "x.as < str >", "(CAST (NAME x) str)");
    check_dump(state, "x.as<u4>>1", "(GT (CAST (NAME x) u4) 1)");
    check_dump(state, "sizeof<u4>", "(SIZEOF u4)");
    check_dump(state, "sizeof<block::subblock> + 1", "(ADD (SIZEOF block::subblock) 1)");
    check_dump(state, "bitsizeof<b3>", "(BITSIZEOF b3)");
    check_dump(state, "x.as", "(ATTR (NAME x) as)");

    fd_expr *e = parse(state, "a.as<foo::bar>");
    assert_int_equal(e->op, FD_OP_CAST);
    assert_int_equal(e->npath, 2);
    assert_false(e->abs_path);
    assert_string_equal(e->path[1], "bar");
    assert_int_equal(e->pos, 2);
    assert_int_equal(e->a->op, FD_OP_NAME);

    check_err(state, "x.as<u4", 7, "expected '>'");
    check_err(state, "x.as<>", 5, "expected a type name");
    check_err(state, "sizeof<u4[]>", 9, "expected '>'");
}

static void test_members_and_calls(void **state)
{
    check_dump(state, "a.b.c", "(ATTR (ATTR (NAME a) b) c)");
    check_dump(state, "a[0].size", "(ATTR (SUBSCR (NAME a) 0) size)");
    check_dump(state, "a[i + 1][2]", "(SUBSCR (SUBSCR (NAME a) (ADD (NAME i) 1)) 2)");
    check_dump(state, "x.substring(1, 2)", "(CALL (NAME x) substring 1 2)");
    check_dump(state, "s.to_i(16)", "(CALL (NAME s) to_i 16)");
    check_dump(state, "b.to_s(\"UTF-8\")", "(CALL (NAME b) to_s \"UTF-8\")");
    check_dump(state, "a.b()", "(CALL (NAME a) b)");
    check_dump(state, "_root._parent._io.size", "(ATTR (ATTR (ATTR (ROOT) _parent) _io) size)");
    check_dump(state, "_io . pos", "(ATTR (IO) pos)");
    check_dump(state, "x._sizeof", "(ATTR (NAME x) _sizeof)");

    static const struct { const char *src; uint8_t bi; } cases[] = {
        {"x.size", FD_BI_SIZE}, {"x.length", FD_BI_LENGTH}, {"x.first", FD_BI_FIRST},
        {"x.last", FD_BI_LAST}, {"x.min", FD_BI_MIN}, {"x.max", FD_BI_MAX},
        {"x.reverse", FD_BI_REVERSE}, {"x.substring(0, 1)", FD_BI_SUBSTRING},
        {"x.to_i", FD_BI_TO_I}, {"x.to_s", FD_BI_TO_S}, {"x.to_b('ASCII')", FD_BI_TO_B},
        {"x.index_of(0)", FD_BI_INDEX_OF}, {"x.pos", FD_BI_POS}, {"x.eof", FD_BI_EOF},
        {"x._io", FD_BI_IO}, {"x._parent", FD_BI_PARENT}, {"x._root", FD_BI_ROOT},
        {"x._sizeof", FD_BI_SIZEOF}, {"x._is_le", FD_BI_IS_LE}, {"x.body", FD_BI_NONE},
        {"x.sizes", FD_BI_NONE},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        fd_expr *e = parse(state, cases[k].src);
        assert_non_null(e);
        assert_true(e->op == FD_OP_ATTR || e->op == FD_OP_CALL);
        assert_int_equal(e->builtin, cases[k].bi);
        assert_int_equal(e->pos, 2);
    }

    fd_expr *e = parse(state, "x.substring(1, 2)");
    assert_int_equal(e->op, FD_OP_CALL);
    assert_int_equal(e->nargs, 2);
    assert_int_equal(e->a->op, FD_OP_NAME);
    e = parse(state, "a[3]");
    assert_int_equal(e->op, FD_OP_SUBSCR);
    assert_int_equal(e->pos, 1);

    check_err(state, "a.", 2, "expected a name after '.'");
    check_err(state, "a.1", 1, "unexpected input");
    check_err(state, "a[1", 3, "expected ']'");
    check_err(state, "f(1)", 1, "unexpected input");
    check_err(state, "x.foo(1,", 8, "expected an expression");
}

static void test_errors(void **state)
{
    check_err(state, "", 0, "expected an expression");
    check_err(state, "   ", 3, "expected an expression");
    check_err(state, "(1", 2, "expected ')'");
    check_err(state, "1 +", 3, "expected an expression");
    check_err(state, "a b", 2, "unexpected input after expression");
    check_err(state, "1 )", 2, "unexpected input");
    check_err(state, "a < b < c", 6, "do not chain");
    check_err(state, "a == b != c", 7, "do not chain");
    check_err(state, "a ? b", 5, "expected ':'");
    check_err(state, "1 = 2", 2, "'='");
    check_err(state, "!a", 0, "'!'");
    check_err(state, "a && b", 3, "expected an expression");
    check_err(state, "`", 0, "unexpected character");
    check_err(state, "\xff", 0, "unexpected byte");
    check_err(state, "a and", 5, "expected an expression");
    check_err(state, "or", 0, "expected an expression");
    check_err(state, "x }", 2, "unexpected input");

    /* Never reads past n: the tail beyond it would otherwise parse. */
    fixture *f = *state;
    fd_expr_err err;
    assert_null(fd_expr_parse(&f->arena, &f->names, "1 + 2", 3, &err));
    assert_int_equal(err.pos, 3);
    assert_null(fd_expr_parse(&f->arena, &f->names, "'abc'", 4, &err));
    assert_null(fd_expr_parse(&f->arena, &f->names, "0x12", 2, &err));
    assert_non_null(fd_expr_parse(&f->arena, &f->names, "12", 1, &err));
    assert_null(fd_expr_parse(&f->arena, &f->names, NULL, 0, &err));
}

static char *repeat_wrap(const char *open, const char *mid, const char *close, int n)
{
    size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close);
    char *s = malloc(lo * (size_t)n + lm + lc * (size_t)n + 1);
    assert_non_null(s);
    char *w = s;
    for (int k = 0; k < n; k++, w += lo)
        memcpy(w, open, lo);
    memcpy(w, mid, lm);
    w += lm;
    for (int k = 0; k < n; k++, w += lc)
        memcpy(w, close, lc);
    *w = 0;
    return s;
}

static void expect_too_deep(void **state, char *src)
{
    fixture *f = *state;
    fd_expr_err err;
    assert_null(fd_expr_parse(&f->arena, &f->names, src, strlen(src), &err));
    assert_non_null(strstr(err.msg, "too deeply"));
    free(src);
}

static void test_depth_limits(void **state)
{
    fixture *f = *state;
    fd_expr_err err;
    fd_expr *e;
    char *ok = repeat_wrap("(", "1", ")", 100);
    assert_non_null(fd_expr_parse(&f->arena, &f->names, ok, strlen(ok), &err));
    free(ok);

    expect_too_deep(state, repeat_wrap("(", "1", ")", 100000));
    expect_too_deep(state, repeat_wrap("[", "1", "]", 100000));
    expect_too_deep(state, repeat_wrap("-", "x", "", 100000));
    expect_too_deep(state, repeat_wrap("not ", "x", "", 100000));
    expect_too_deep(state, repeat_wrap("a ? b : ", "c", "", 100000));
    expect_too_deep(state, repeat_wrap("f\"{", "1", "}\"", 100000));
    /* Postfix forms nest: each one wraps the previous. */
    expect_too_deep(state, repeat_wrap("", "a", ".b", 100000));
    expect_too_deep(state, repeat_wrap("", "a", "[0]", 100000));
    /* Nesting inside a flat chain still counts. */
    char *inner = repeat_wrap("(", "1", ")", 300);
    size_t il = strlen(inner);
    char *mixed = malloc(il + 5);
    assert_non_null(mixed);
    snprintf(mixed, il + 5, "1 + %s", inner);
    free(inner);
    expect_too_deep(state, mixed);

    /* A flat chain is one level however long: 257 terms or 100000. */
    static const char *const links[] = {" + 1", " - 1", " * 1", " and y", " or y", " | 1", " << 1"};
    for (size_t k = 0; k < sizeof links / sizeof *links; k++) {
        for (int terms = 257; terms <= 100000; terms = terms == 257 ? 100000 : terms + 1) {
            char *flat = repeat_wrap("", "x", links[k], terms - 1);
            e = fd_expr_parse(&f->arena, &f->names, flat, strlen(flat), &err);
            if (!e)
                fail_msg("%d terms of '%s': %s", terms, links[k], err.msg);
            assert_true(e->chain);
            assert_int_equal(e->nargs, terms - 1);
            assert_ptr_equal(e->args[terms - 2], e);
            free(flat);
        }
    }
    /* Mixed strengths chain along the left spine and keep their precedence. */
    check_dump(state, "a * b + c - d << e", "(SHL (SUB (ADD (MUL (NAME a) (NAME b)) (NAME c)) (NAME d)) (NAME e))");
    check_dump(state, "a + b * c + d", "(ADD (ADD (NAME a) (MUL (NAME b) (NAME c))) (NAME d))");
    check_dump(state, "a and b and c or d", "(OR (AND (AND (NAME a) (NAME b)) (NAME c)) (NAME d))");

    /* Wide but shallow is fine. */
    size_t n = 3 + 6 * 20000;
    char *list = malloc(n + 1);
    assert_non_null(list);
    size_t w = 0;
    list[w++] = '[';
    for (int k = 0; k < 20000; k++)
        w += (size_t)sprintf(list + w, "0x%02x, ", k & 0xff);
    list[w++] = ']';
    list[w] = 0;
    e = fd_expr_parse(&f->arena, &f->names, list, w, &err);
    assert_non_null(e);
    assert_int_equal(e->nargs, 20000);
    assert_true(e->bytes_list);
    free(list);
}

static void test_typeref(void **state)
{
    fixture *f = *state;
    fd_expr_err err;
    const char **path;
    uint32_t npath, nargs;
    bool abs_path;
    fd_expr **args;

    const char *s = "u4";
    assert_int_equal(fd_expr_parse_typeref(&f->arena, &f->names, s, strlen(s), &path, &npath, &abs_path,
                                           &args, &nargs, &err), 0);
    assert_int_equal(npath, 1);
    assert_string_equal(path[0], "u4");
    assert_false(abs_path);
    assert_null(args);
    assert_int_equal(nargs, 0);

    s = "a::b::c";
    assert_int_equal(fd_expr_parse_typeref(&f->arena, &f->names, s, strlen(s), &path, &npath, &abs_path,
                                           &args, &nargs, &err), 0);
    assert_int_equal(npath, 3);
    assert_string_equal(path[2], "c");

    s = "::a";
    assert_int_equal(fd_expr_parse_typeref(&f->arena, &f->names, s, strlen(s), &path, &npath, &abs_path,
                                           &args, &nargs, &err), 0);
    assert_true(abs_path);
    assert_int_equal(npath, 1);

    s = " a :: b ( 1 , x ) ";
    assert_int_equal(fd_expr_parse_typeref(&f->arena, &f->names, s, strlen(s), &path, &npath, &abs_path,
                                           &args, &nargs, &err), 0);
    assert_int_equal(npath, 2);
    assert_ptr_equal(path[0], fd_intern(&f->names, "a"));
    assert_int_equal(nargs, 2);
    char buf[128];
    fd_expr_dump(args[0], buf, sizeof buf);
    assert_string_equal(buf, "1");
    fd_expr_dump(args[1], buf, sizeof buf);
    assert_string_equal(buf, "(NAME x)");

    s = "my_type(_parent.len * 2, [1, 2], _index, \"s\", e::v)";
    assert_int_equal(fd_expr_parse_typeref(&f->arena, &f->names, s, strlen(s), &path, &npath, &abs_path,
                                           &args, &nargs, &err), 0);
    assert_int_equal(nargs, 5);
    fd_expr_dump(args[0], buf, sizeof buf);
    assert_string_equal(buf, "(MUL (ATTR (PARENT) len) 2)");

    s = "t()";
    assert_int_equal(fd_expr_parse_typeref(&f->arena, &f->names, s, strlen(s), &path, &npath, &abs_path,
                                           &args, &nargs, &err), 0);
    assert_int_equal(nargs, 0);

    static const struct { const char *src; uint32_t pos; } bad[] = {
        {"", 0}, {"a::", 3}, {"a(1", 3}, {"a(1) x", 5}, {"a b", 2}, {"1", 0}, {"a.b", 1}, {"u4[]", 2},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        s = bad[k].src;
        assert_int_equal(fd_expr_parse_typeref(&f->arena, &f->names, s, strlen(s), &path, &npath,
                                               &abs_path, &args, &nargs, &err), -1);
        assert_int_equal(err.pos, bad[k].pos);
        assert_true(err.msg[0] != 0);
    }
}

static void test_dump(void **state)
{
    fd_expr *e = parse(state, "(a + 1) * foo.size");
    char buf[64];
    size_t len = fd_expr_dump(e, buf, sizeof buf);
    assert_string_equal(buf, "(MUL (ADD (NAME a) 1) (ATTR (NAME foo) size))");
    char small[8];
    assert_int_equal(fd_expr_dump(e, small, sizeof small), len);
    assert_string_equal(small, "(MUL (A");
    assert_int_equal(fd_expr_dump(e, NULL, 0), len);
    check_dump(state, "\"q\\\"\"", "\"q\\\"\"");
    check_dump(state, "x.as<a::b>", "(CAST (NAME x) a::b)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_op_names),
        cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ternary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_int_literals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_float_literals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bool_and_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fstrings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enum_literals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_casts_and_sizeof, setup, teardown),
        cmocka_unit_test_setup_teardown(test_members_and_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typeref, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
