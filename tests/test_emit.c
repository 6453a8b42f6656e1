/* test_emit.c - the writers: the JSON mapping value by value, errors, guards, sinks, stats, the output budget. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "emit.h"
#include "fixture.h"

static const char *const KSY =
    "meta:\n  id: t\n  endian: le\n"
    "seq:\n"
    "  - id: big\n    type: u8\n"
    "  - id: neg\n    type: s8\n"
    "  - id: f\n    type: f8\n"
    "  - id: raw\n    size: 3\n"
    "  - id: name\n    type: str\n    size: 4\n    encoding: UTF-8\n"
    "  - id: kind\n    type: u1\n    enum: kinds\n"
    "  - id: other\n    type: u1\n    enum: kinds\n"
    "  - id: flag\n    type: b1\n"
    "  - id: absent\n    type: u1\n    if: false\n"
    "  - id: items\n    type: u1\n    repeat: expr\n    repeat-expr: 2\n"
    "instances:\n"
    "  half:\n    value: 0.5\n"
    "  minus_zero:\n    value: -0.0\n"
    "  nan:\n    value: f - f\n"
    "  broken:\n    pos: 1000\n    type: u4\n"
    "  me:\n    value: _root\n"
    "enums:\n  kinds:\n    1: one\n";

static const uint8_t DATA[] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             /* big = u8 max */
    0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,             /* neg = -2 */
    0, 0, 0, 0, 0, 0, 0xf0, 0x7f,                               /* f = +inf */
    0xab, 0x00, 0x10,                                           /* raw */
    'a', '"', '\n', 0x01,                                       /* name */
    1, 9,                                                       /* kind, other */
    0x80,                                                       /* flag */
    7, 8,                                                       /* items */
};

/* ---- a strict JSON checker: true when s[0..n) is one JSON value ---------- */

typedef struct jcheck {
    const char *s;
    size_t n, i;
    int depth;
} jcheck;

static void j_ws(jcheck *j)
{
    while (j->i < j->n && strchr(" \t\r\n", j->s[j->i]))
        j->i++;
}

static bool j_lit(jcheck *j, const char *w)
{
    size_t k = strlen(w);
    if (j->n - j->i < k || memcmp(j->s + j->i, w, k) != 0)
        return false;
    j->i += k;
    return true;
}

static bool j_string(jcheck *j)
{
    if (j->i >= j->n || j->s[j->i] != '"')
        return false;
    for (j->i++; j->i < j->n; j->i++) {
        unsigned char ch = (unsigned char)j->s[j->i];
        if (ch == '"') {
            j->i++;
            return true;
        }
        if (ch < 0x20)
            return false;
        if (ch == '\\') {
            j->i++;
            if (j->i >= j->n || !strchr("\"\\/bfnrtu", j->s[j->i]))
                return false;
        }
    }
    return false;
}

static bool j_number(jcheck *j)
{
    size_t start = j->i;
    while (j->i < j->n && strchr("+-0123456789.eE", j->s[j->i]))
        j->i++;
    return j->i > start;
}

static bool j_value(jcheck *j)
{
    j_ws(j);
    if (j->i >= j->n || ++j->depth > 2000)
        return false;
    char ch = j->s[j->i];
    bool ok;
    if (ch == '{' || ch == '[') {
        char close = ch == '{' ? '}' : ']';
        j->i++;
        j_ws(j);
        ok = true;
        if (j->i < j->n && j->s[j->i] == close) {
            j->i++;
        } else {
            for (;;) {
                if (ch == '{') {
                    j_ws(j);
                    if (!j_string(j))
                        return false;
                    j_ws(j);
                    if (!j_lit(j, ":"))
                        return false;
                }
                if (!j_value(j))
                    return false;
                j_ws(j);
                if (j_lit(j, ","))
                    continue;
                ok = j->i < j->n && j->s[j->i] == close;
                j->i++;
                break;
            }
        }
    } else if (ch == '"') {
        ok = j_string(j);
    } else if (ch == 't' || ch == 'f' || ch == 'n') {
        ok = j_lit(j, "true") || j_lit(j, "false") || j_lit(j, "null");
    } else {
        ok = j_number(j);
    }
    j->depth--;
    return ok;
}

static bool json_valid(const char *s, size_t n)
{
    jcheck j = {s, n, 0, 0};
    if (!j_value(&j))
        return false;
    j_ws(&j);
    return j.i == n;
}

/* libyaml reads s[0..n) to the end without an error. */
static bool yaml_valid(const char *s, size_t n)
{
    yaml_parser_t p;
    yaml_event_t ev;
    bool ok = true, done = false;
    assert_true(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)s, n);
    while (ok && !done) {
        ok = yaml_parser_parse(&p, &ev);
        if (ok) {
            done = ev.type == YAML_STREAM_END_EVENT;
            yaml_event_delete(&ev);
        }
    }
    yaml_parser_delete(&p);
    return ok;
}

/* The whole output of one writer as a NUL-terminated string (caller frees). */
static char *emit_to_string(fd_value v, fd_out_format format, bool compact, uint64_t max_bytes)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    fd_emit_opts opts = { .format = format, .max_bytes = max_bytes, .compact = compact };
    assert_int_equal(fd_emit(out, v, &opts), 0);
    fclose(out);
    return buf;
}

static void assert_has(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("missing %s in:\n%s", needle, hay);
}

static void test_json_mapping(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "t.ksy", KSY, DATA, sizeof DATA);
    char *s = emit_to_string(fx.root, FD_OUT_JSON, true, 0);
    /* Seq fields in order, then instances; integers exact in both signs. */
    assert_has(s, "{\"big\":18446744073709551615,\"neg\":-2,");
    /* Infinity and NaN have no JSON number: null. */
    assert_has(s, "\"f\":null");
    assert_has(s, "\"raw\":\"ab0010\"");
    assert_has(s, "\"name\":\"a\\\"\\n\\u0001\"");
    /* An enum is its label, or its integer when it has none. */
    assert_has(s, "\"kind\":\"one\",\"other\":9");
    assert_has(s, "\"flag\":true,\"absent\":null,\"items\":[7,8]");
    assert_has(s, "\"half\":0.5");
    assert_has(s, "\"minus_zero\":-0.0");
    assert_has(s, "\"nan\":null");
    /* A failing instance is an error object; its siblings are still written. */
    assert_has(s, "\"broken\":{\"_error\":{\"kind\":\"EndOfStreamError\"");
    assert_has(s, "\"path\":\"/broken\"");
    /* A struct that is its own ancestor is cut. */
    assert_has(s, "\"me\":{\"_cycle\":true}");
    free(s);
    fx_close(&fx);
}

static void test_json_value_and_error(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "t.ksy", KSY, DATA, sizeof DATA);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(fd_emit_json_value(out, fx_eval(&fx, "items"), true), 0);
    fputc('|', out);
    fd_error err = { .kind = FD_ERR_NOT_EQUAL, .offset = 4, .line = 3, .col = 5 };
    snprintf(err.message, sizeof err.message, "bad \"magic\"");
    snprintf(err.path, sizeof err.path, "/magic");
    snprintf(err.file, sizeof err.file, "x.ksy");
    assert_int_equal(fd_emit_json_error(out, &err), 0);
    fputc('|', out);
    assert_int_equal(fd_emit_json_text(out, "a\xff", 2), 0);
    fclose(out);
    assert_has(buf, "[7,8]|");
    assert_has(buf, "\"kind\": \"ValidationNotEqualError\"");
    assert_has(buf, "\"message\": \"bad \\\"magic\\\"\"");
    assert_has(buf, "\"offset\": 4");
    assert_has(buf, "|\"a\\ufffd\"");
    free(buf);
    fx_close(&fx);
}

static void test_text_tree(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "t.ksy", KSY, DATA, sizeof DATA);
    char *s = emit_to_string(fx.root, FD_OUT_TEXT, false, 2);
    assert_has(s, "t\n");
    assert_has(s, "  big = 18446744073709551615\n");
    /* Byte arrays are cut to --max-bytes with their size shown. */
    assert_has(s, "  raw = [3 bytes] ab 00 ...\n");
    assert_has(s, "  kind = one (0x1)\n");
    assert_has(s, "  items [2]\n");
    assert_has(s, "  broken: ERROR EndOfStreamError");
    free(s);
    fx_close(&fx);
}

static void test_yaml_tree(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "t.ksy", KSY, DATA, sizeof DATA);
    char *s = emit_to_string(fx.root, FD_OUT_YAML, false, 0);
    assert_has(s, "big: 18446744073709551615\n");
    assert_has(s, "kind: one\n");
    assert_has(s, "absent: null\n");
    assert_has(s, "half: 0.5\n");
    assert_has(s, "_error:");
    free(s);
    fx_close(&fx);
}

/* A partial struct carries its own `_error`; fields after the failure are absent. */
static void test_partial_struct(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: p\n"
        "seq:\n  - id: a\n    type: u1\n  - id: b\n    type: u4le\n  - id: c\n    type: u1\n";
    static const uint8_t data[] = { 5, 1, 2 };
    fixture fx;
    fx_open(&fx, "p.ksy", ksy, data, sizeof data);
    char *s = emit_to_string(fx.root, FD_OUT_JSON, true, 0);
    assert_has(s, "{\"a\":5,\"_error\":{\"kind\":\"EndOfStreamError\"");
    assert_has(s, "\"offset\":1,\"path\":\"/b\"");
    assert_null(strstr(s, "\"c\""));
    free(s);
    fx_close(&fx);
}

/* The sink gets exactly what a FILE gets, in buffer-sized calls; a refusing
 * sink fails the run; the stats count the bytes and the errors. */
static void test_sink(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "t.ksy", KSY, DATA, sizeof DATA);
    char *file = emit_to_string(fx.root, FD_OUT_JSON, false, 0);
    fx_membuf m = {0};
    fd_emit_stats st;
    fd_emit_opts opts = {.format = FD_OUT_JSON, .stats = &st};
    assert_int_equal(fd_emit_sink(fx_mem_sink, &m, fx.root, &opts), 0);
    assert_string_equal(m.p, file);
    assert_int_equal(st.bytes, strlen(file));
    assert_int_equal(m.calls, 1);
    /* `broken` is the one error; the cycle marker is not one. */
    assert_int_equal(st.errors, 1);
    assert_int_equal(st.first.kind, FD_ERR_EOS);
    assert_string_equal(st.first.path, "/broken");
    assert_false(st.truncated);
    assert_true(json_valid(m.p, m.n));
    fx_membuf r = {.refuse_after = 1};
    assert_int_equal(fd_emit_sink(fx_mem_sink, &r, fx.root, &opts), -1);
    assert_int_equal(st.bytes, 0);
    free(m.p);
    free(r.p);
    free(file);
    fx_close(&fx);
}

/* A child's failure repeated as its parent's own error is counted once;
 * errors in sibling subtrees each count, whatever the writer. */
static void test_stats_counts(void **state)
{
    (void)state;
    static const char *const ksy =
        "meta:\n  id: s\n"
        "seq:\n  - id: a\n    type: u1\n  - id: sub\n    type: sub\n"
        "types:\n  sub:\n    seq:\n      - id: x\n        type: u4le\n"
        "instances:\n  bad1:\n    pos: 100\n    type: u1\n  bad2:\n    value: 1 / (a - a)\n";
    static const uint8_t data[] = {5, 1, 2};
    fixture fx;
    fx_open(&fx, "s.ksy", ksy, data, sizeof data);
    fd_out_format formats[] = {FD_OUT_JSON, FD_OUT_YAML, FD_OUT_TEXT};
    for (size_t k = 0; k < 3; k++) {
        fx_membuf m = {0};
        fd_emit_stats st;
        fd_emit_opts opts = {.format = formats[k], .stats = &st};
        assert_int_equal(fd_emit_sink(fx_mem_sink, &m, fx.root, &opts), 0);
        /* sub's EndOfStreamError (repeated by the root), bad1, bad2. */
        assert_int_equal(st.errors, 3);
        assert_int_equal(st.first.kind, FD_ERR_EOS);
        assert_string_equal(st.first.path, "/sub/x");
        assert_int_equal(st.bytes, m.n);
        free(m.p);
    }
    fx_close(&fx);
}

/* A one-byte input whose items each show the same 64 KiB string: the output
 * would be 2 GiB; the budget cuts it, in every writer, into valid output
 * that ends with a located LimitError, the same at every run. */
static const char *const AMP_KSY =
    "meta:\n  id: amp\n"
    "seq:\n  - id: b\n    type: u1\n"
    "  - id: items\n    type: item\n    repeat: expr\n    repeat-expr: 30000\n"
    "types:\n  item:\n    instances:\n      s:\n        value: _root.s12\n"
    "instances:\n"
    "  s0:\n    value: '\"<a>0123456789abc\"'\n"
    "  s1:\n    value: s0 + s0\n  s2:\n    value: s1 + s1\n  s3:\n    value: s2 + s2\n"
    "  s4:\n    value: s3 + s3\n  s5:\n    value: s4 + s4\n  s6:\n    value: s5 + s5\n"
    "  s7:\n    value: s6 + s6\n  s8:\n    value: s7 + s7\n  s9:\n    value: s8 + s8\n"
    "  s10:\n    value: s9 + s9\n  s11:\n    value: s10 + s10\n  s12:\n    value: s11 + s11\n";

static void test_output_budget(void **state)
{
    (void)state;
    static const uint8_t one[] = {1};
    fixture fx;
    fx_open(&fx, "amp.ksy", AMP_KSY, one, sizeof one);
    fd_out_format formats[] = {FD_OUT_JSON, FD_OUT_JSON, FD_OUT_YAML, FD_OUT_TEXT};
    for (size_t k = 0; k < 4; k++) {
        for (int compact = 0; compact < 2; compact++) {
            fx_membuf m = {0}, again = {0};
            fd_emit_stats st;
            fd_emit_opts opts = {.format = formats[k], .compact = compact, .max_output = 1u << 20,
                                 .stats = &st};
            assert_int_equal(fd_emit_sink(fx_mem_sink, &m, fx.root, &opts), 0);
            assert_true(st.truncated);
            assert_int_equal(st.errors, 1);
            assert_int_equal(st.first.kind, FD_ERR_LIMIT);
            assert_string_equal(st.first.message, "output budget of 1048576 bytes reached");
            assert_int_equal(strncmp(st.first.path, "/items/", 7), 0);
            assert_int_equal(st.first.offset, 1);
            assert_true(m.n <= opts.max_output);
            assert_true(m.n > opts.max_output / 2);
            assert_int_equal(st.bytes, m.n);
            if (formats[k] == FD_OUT_JSON)
                assert_true(json_valid(m.p, m.n));
            if (formats[k] == FD_OUT_YAML)
                assert_true(yaml_valid(m.p, m.n));
            assert_has(m.p, "output budget of 1048576 bytes reached");
            assert_int_equal(fd_emit_sink(fx_mem_sink, &again, fx.root, &opts), 0);
            assert_int_equal(again.n, m.n);
            assert_memory_equal(again.p, m.p, m.n);
            free(m.p);
            free(again.p);
        }
    }
    /* Without max_output: 16 MiB + 64 x the input size. */
    fx_membuf m = {0};
    fd_emit_stats st;
    fd_emit_opts opts = {.format = FD_OUT_JSON, .compact = true, .stats = &st};
    assert_int_equal(fd_emit_sink(fx_mem_sink, &m, fx.root, &opts), 0);
    assert_true(st.truncated);
    assert_true(m.n <= FD_EMIT_BASE_OUTPUT + FD_EMIT_OUTPUT_PER_BYTE * sizeof one);
    assert_true(m.n > FD_EMIT_BASE_OUTPUT - (1u << 20));
    assert_true(json_valid(m.p, m.n));
    assert_has(m.p, "\"output budget of 16777280 bytes reached\"");
    free(m.p);
    fx_close(&fx);
}

/* A budget smaller than the marker: the marker alone, still valid JSON. */
static void test_tiny_budget(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "t.ksy", KSY, DATA, sizeof DATA);
    fx_membuf m = {0};
    fd_emit_stats st;
    fd_emit_opts opts = {.format = FD_OUT_JSON, .max_output = 10, .stats = &st};
    assert_int_equal(fd_emit_sink(fx_mem_sink, &m, fx.root, &opts), 0);
    assert_true(json_valid(m.p, m.n));
    assert_has(m.p, "{\"_error\": {\"kind\": \"LimitError\"");
    assert_has(m.p, "\"offset\": 0, \"path\": \"/\"");
    assert_true(st.truncated);
    free(m.p);
    fx_close(&fx);
}

static const char *const SPAN_KSY =
    "meta:\n  id: sp\n  endian: le\n"
    "seq:\n"
    "  - id: a\n    type: u2\n"
    "  - id: arr\n    type: u1\n    repeat: expr\n    repeat-expr: 3\n"
    "  - id: sub\n    type: sub\n"
    "  - id: z\n    size: 2\n    process: xor(0xff)\n    type: sub\n"
    "  - id: name\n    type: str\n    size-eos: true\n    encoding: ASCII\n"
    "types:\n  sub:\n    seq:\n      - id: x\n        type: u1\n"
    "instances:\n  v:\n    value: a + 1\n";
/* The name is hostile to an HTML page: it would close the script element. */
static const uint8_t SPAN_DATA[] = {1, 2, 3, 4, 5, 6, 0xf8, 0xf7,
                                    '<', '/', 's', 'c', 'r', 'i', 'p', 't', '>', '<', '!', '-', '-', '&'};

/* --spans: "_span" first, "_spans" last, items for arrays, io null in
 * processed bytes, nothing for a value instance; without spans, no trace. */
static void test_json_spans(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "sp.ksy", SPAN_KSY, SPAN_DATA, sizeof SPAN_DATA);
    fx_membuf m = {0};
    fd_emit_opts opts = {.format = FD_OUT_JSON, .compact = true, .spans = true};
    assert_int_equal(fd_emit_sink(fx_mem_sink, &m, fx.root, &opts), 0);
    assert_true(json_valid(m.p, m.n));
    assert_string_equal(m.p,
        "{\"_span\":{\"start\":0,\"end\":22,\"io\":0},\"a\":513,\"arr\":[3,4,5],"
        "\"sub\":{\"_span\":{\"start\":5,\"end\":6,\"io\":0},\"x\":6,\"_spans\":{\"x\":{\"start\":5,\"end\":6,\"io\":0}}},"
        "\"z\":{\"_span\":{\"start\":0,\"end\":1,\"io\":null},\"x\":7,"
        "\"_spans\":{\"x\":{\"start\":0,\"end\":1,\"io\":null}}},"
        "\"name\":\"</script><!--&\",\"v\":514,"
        "\"_spans\":{\"a\":{\"start\":0,\"end\":2,\"io\":0},"
        "\"arr\":{\"start\":2,\"end\":5,\"io\":0,\"items\":[{\"start\":2,\"end\":3,\"io\":0},"
        "{\"start\":3,\"end\":4,\"io\":0},{\"start\":4,\"end\":5,\"io\":0}]},"
        "\"sub\":{\"start\":5,\"end\":6,\"io\":0},\"z\":{\"start\":6,\"end\":8,\"io\":0},"
        "\"name\":{\"start\":8,\"end\":22,\"io\":0}}}\n");
    fx_membuf pretty = {0};
    opts.compact = false;
    assert_int_equal(fd_emit_sink(fx_mem_sink, &pretty, fx.root, &opts), 0);
    assert_true(json_valid(pretty.p, pretty.n));
    assert_has(pretty.p, "{\n  \"_span\": {\"start\": 0, \"end\": 22, \"io\": 0},\n  \"a\": 513,");
    assert_has(pretty.p, "  \"_spans\": {\n    \"a\": {\"start\": 0, \"end\": 2, \"io\": 0},\n");
    char *plain = emit_to_string(fx.root, FD_OUT_JSON, true, 0);
    assert_null(strstr(plain, "_span"));
    assert_string_equal(plain, "{\"a\":513,\"arr\":[3,4,5],\"sub\":{\"x\":6},\"z\":{\"x\":7},"
                               "\"name\":\"</script><!--&\",\"v\":514}\n");
    free(plain);
    free(m.p);
    free(pretty.p);
    fx_close(&fx);
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The page: its four script elements close only where the writer closes
 * them, whatever the data holds; the bytes are embedded; nothing external. */
static void test_html_page(void **state)
{
    (void)state;
    fixture fx;
    fx_open(&fx, "sp.ksy", SPAN_KSY, SPAN_DATA, sizeof SPAN_DATA);
    fx_membuf m = {0};
    fd_emit_stats st;
    fd_emit_opts opts = {.format = FD_OUT_HTML, .stats = &st};
    assert_int_equal(fd_emit_sink(fx_mem_sink, &m, fx.root, &opts), 0);
    assert_int_equal(strncmp(m.p, "<!DOCTYPE html>\n", 16), 0);
    assert_has(m.p, "<title>fmtdump: sp</title>");
    assert_has(m.p, "content=\"default-src 'none';");
    assert_int_equal(count_of(m.p, "<script"), 4);
    assert_int_equal(count_of(m.p, "</script>"), 4);
    assert_null(strstr(m.p, "<!--"));
    assert_has(m.p, "\"name\":\"\\u003c/script\\u003e\\u003c!--\\u0026\"");
    assert_has(m.p, "{\"id\":\"sp\",\"size\":22,\"window\":22}");
    assert_has(m.p, "\nAQIDBAUG+Pc8L3NjcmlwdD48IS0tJg==\n");
    /* The tree is the JSON with spans. */
    const char *tree = strstr(m.p, "id=\"fd-tree\">");
    assert_non_null(tree);
    tree += strlen("id=\"fd-tree\">");
    const char *end = strstr(tree, "</script>");
    assert_true(json_valid(tree, (size_t)(end - tree)));
    static const char head[] = "{\"_span\":{\"start\":0,\"end\":22,\"io\":0},\"a\":513,";
    assert_memory_equal(tree, head, sizeof head - 1);
    assert_true(m.n >= 13 && strcmp(m.p + m.n - 8, "</html>\n") == 0);
    assert_int_equal(st.errors, 0);
    assert_int_equal(st.bytes, m.n);
    free(m.p);
    /* A window of 4 bytes embeds 4. */
    fx_membuf w = {0};
    opts.html_window = 4;
    assert_int_equal(fd_emit_sink(fx_mem_sink, &w, fx.root, &opts), 0);
    assert_has(w.p, "\"window\":4}");
    assert_has(w.p, "\nAQIDBA==\n");
    free(w.p);
    fx_close(&fx);
}

/* A page cut by the budget: the tree ends in the LimitError, the page is whole. */
static void test_html_budget(void **state)
{
    (void)state;
    static const uint8_t one[] = {1};
    fixture fx;
    fx_open(&fx, "amp.ksy", AMP_KSY, one, sizeof one);
    fx_membuf m = {0};
    fd_emit_stats st;
    fd_emit_opts opts = {.format = FD_OUT_HTML, .max_output = 1u << 20, .stats = &st};
    assert_int_equal(fd_emit_sink(fx_mem_sink, &m, fx.root, &opts), 0);
    assert_true(st.truncated);
    assert_true(m.n <= opts.max_output);
    assert_true(strcmp(m.p + m.n - 8, "</html>\n") == 0);
    const char *tree = strstr(m.p, "id=\"fd-tree\">") + strlen("id=\"fd-tree\">");
    const char *end = strstr(tree, "</script>");
    assert_true(json_valid(tree, (size_t)(end - tree)));
    assert_has(tree, "\"kind\":\"LimitError\",\"message\":\"output budget of 1048576 bytes reached\"");
    free(m.p);
    fx_close(&fx);
}

/* The formatting primitives against plain printf: hex at every alignment and
 * length the vector path splits differently, integers of every digit count,
 * and both across buffer flushes. */
static void test_formatting(void **state)
{
    (void)state;
    uint8_t data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i < 256 ? i : i * 37 + 11);
    for (int sep = 0; sep < 2; sep++)
        for (size_t off = 0; off < 17; off++)
            for (size_t len = 0; len <= 283 - off; len += len < 70 ? 1 : 71) {
                fx_membuf m = {0};
                fd_emit_ctx *c = fd_emit_ctx_new(fx_mem_sink, &m, NULL);
                assert_non_null(c);
                fd_emit_hex_bytes(c, data + off, len, sep);
                assert_int_equal(fd_emit_ctx_free(c, NULL), 0);
                char want[1024] = "";
                for (size_t k = 0; k < len; k++)
                    sprintf(want + strlen(want), sep ? " %02x" : "%02x", data[off + k]);
                assert_int_equal(m.n, strlen(want));
                assert_memory_equal(m.p ? m.p : "", want, m.n);
                free(m.p);
            }

    /* Integers at every digit count, in a roomy buffer and at its very end. */
    for (size_t room = 0; room < 64; room += 21) {
        fx_membuf m = {0};
        fd_emit_ctx *c = fd_emit_ctx_new(fx_mem_sink, &m, NULL);
        assert_non_null(c);
        char want[4096] = "";
        for (uint64_t p = 1, k = 0; k < 20; k++, p *= 10)
            for (int64_t d = -1; d <= 1; d++) {
                uint64_t u = p + (uint64_t)d;
                for (size_t f = 0; f + room < FD_EMIT_BUFSZ && c->len + room < FD_EMIT_BUFSZ; f++)
                    fd_emit_putc(c, 'x');
                m.n = 0;
                want[0] = 0;
                fd_emit_u64(c, u);
                fd_emit_putc(c, ' ');
                fd_emit_int_value(c, fd_v_int((int64_t)u));
                fd_emit_putc(c, ' ');
                fd_emit_int_value(c, fd_v_uint(u));
                assert_int_equal(fd_emit_ctx_free(c, NULL), 0);
                snprintf(want, sizeof want, "%llu %lld %llu", (unsigned long long)u, (long long)u,
                         (unsigned long long)u);
                assert_true(m.n >= strlen(want));
                assert_memory_equal(m.p + m.n - strlen(want), want, strlen(want));
                c = fd_emit_ctx_new(fx_mem_sink, &m, NULL);
                assert_non_null(c);
            }
        assert_int_equal(fd_emit_ctx_free(c, NULL), 0);
        free(m.p);
    }

    /* A buffer all but full: hex, indentation and line breaks split over the flush. */
    for (size_t room = 0; room < 70; room++) {
        fx_membuf m = {0};
        fd_emit_ctx *c = fd_emit_ctx_new(fx_mem_sink, &m, NULL);
        assert_non_null(c);
        for (size_t k = 0; k < FD_EMIT_BUFSZ - room; k++)
            fd_emit_putc(c, 'x');
        fd_emit_hex_bytes(c, data, 40, false);
        fd_emit_newline(c, room);
        fd_emit_indent(c, 130);
        fd_emit_newline(c, 0);
        assert_int_equal(fd_emit_ctx_free(c, NULL), 0);
        const char *tail = m.p + FD_EMIT_BUFSZ - room;
        assert_int_equal(m.n, FD_EMIT_BUFSZ - room + 80 + 1 + room + 130 + 1);
        for (size_t k = 0; k < 40; k++) {
            char two[3];
            sprintf(two, "%02x", data[k]);
            assert_memory_equal(tail + 2 * k, two, 2);
        }
        tail += 80;
        assert_int_equal(tail[0], '\n');
        for (size_t k = 1; k <= room + 130; k++)
            assert_int_equal(tail[k], ' ');
        assert_int_equal(tail[room + 131], '\n');
        free(m.p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formatting),
        cmocka_unit_test(test_json_mapping),
        cmocka_unit_test(test_json_value_and_error),
        cmocka_unit_test(test_text_tree),
        cmocka_unit_test(test_yaml_tree),
        cmocka_unit_test(test_partial_struct),
        cmocka_unit_test(test_sink),
        cmocka_unit_test(test_stats_counts),
        cmocka_unit_test(test_output_budget),
        cmocka_unit_test(test_tiny_budget),
        cmocka_unit_test(test_json_spans),
        cmocka_unit_test(test_html_page),
        cmocka_unit_test(test_html_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
