/* ksy_yaml.c - read one YAML document into a positioned node tree with libyaml's event API. */
#include "ksy_load.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* One open collection while events stream in; its children are gathered in
 * a malloc'd vector and copied into the arena when the collection closes. */
typedef struct yframe {
    fd_ksy_node *node;
    fd_ksy_node **kids;
    uint32_t n, cap;
} yframe;

static void yaml_fail(fd_error *err, const char *file, size_t line, size_t col, const char *msg,
                      const char *ctx)
{
    memset(err, 0, sizeof *err);
    err->kind = FD_ERR_DESCRIPTION;
    err->offset = -1;
    snprintf(err->file, sizeof err->file, "%s", file);
    err->line = (int)(line + 1);
    err->col = (int)(col + 1);
    if (ctx)
        snprintf(err->message, sizeof err->message, "YAML: %s %s", msg, ctx);
    else
        snprintf(err->message, sizeof err->message, "YAML: %s", msg);
}

/* libyaml's reader errors (bad UTF-8, control characters) carry only a byte
 * offset: count lines and characters up to it as the scanner's marks do. */
static void reader_fail(fd_error *err, const char *file, const char *text, size_t len,
                        const yaml_parser_t *p)
{
    size_t off = p->problem_offset < len ? p->problem_offset : len;
    size_t line = 0, col = 0, i = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    for (; i < off; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n' || (c == '\r' && !(i + 1 < len && text[i + 1] == '\n'))) {
            line++;
            col = 0;
        } else if ((c & 0xc0) != 0x80 && c != '\r') {
            col++;
        }
    }
    char what[32] = "";
    if (p->problem_value >= 0)
        snprintf(what, sizeof what, "(byte 0x%02x)", (unsigned)p->problem_value & 0xff);
    yaml_fail(err, file, line, col, p->problem ? p->problem : "unreadable text",
              p->problem_value >= 0 ? what : NULL);
}

static int frame_add(yframe *f, fd_ksy_node *kid)
{
    if (f->n == f->cap) {
        uint32_t cap = f->cap ? f->cap * 2 : 8;
        if (cap < f->cap)
            return -1;
        fd_ksy_node **k = realloc(f->kids, cap * sizeof *k);
        if (!k)
            return -1;
        f->kids = k;
        f->cap = cap;
    }
    f->kids[f->n++] = kid;
    return 0;
}

static fd_ksy_node *node_new(fd_arena *a, int kind, const yaml_mark_t *m)
{
    fd_ksy_node *n = fd_arena_zalloc(a, sizeof *n);
    if (n) {
        n->kind = (uint8_t)kind;
        n->line = (uint32_t)m->line + 1;
        n->col = (uint32_t)m->column + 1;
    }
    return n;
}

static uint8_t scalar_style(yaml_scalar_style_t s)
{
    switch (s) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: return FD_KSY_SQUOTED;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return FD_KSY_DQUOTED;
    case YAML_LITERAL_SCALAR_STYLE:
    case YAML_FOLDED_SCALAR_STYLE: return FD_KSY_BLOCK;
    default: return FD_KSY_PLAIN;
    }
}

fd_ksy_node *fd_ksy_yaml_parse(fd_arena *a, const char *file, const char *text, size_t len,
                               fd_error *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        yaml_fail(err, file, 0, 0, "cannot initialise the parser", NULL);
        err->kind = FD_ERR_NOMEM;
        return NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);

    yframe stack[FD_KSY_MAX_YAML_DEPTH];
    int depth = 0;
    fd_ksy_node *root = NULL;
    bool done = false, ok = false;

    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            if (p.error == YAML_READER_ERROR)
                reader_fail(err, file, text, len, &p);
            else
                yaml_fail(err, file, p.problem_mark.line, p.problem_mark.column,
                          p.problem ? p.problem : "syntax error", p.context);
            break;
        }
        fd_ksy_node *n = NULL;
        bool fail = false;
        switch (ev.type) {
        case YAML_DOCUMENT_END_EVENT:
        case YAML_STREAM_END_EVENT:
            done = true;
            ok = true;
            break;
        case YAML_ALIAS_EVENT:
            yaml_fail(err, file, ev.start_mark.line, ev.start_mark.column,
                      "aliases are not supported", NULL);
            fail = true;
            break;
        case YAML_SCALAR_EVENT:
            n = node_new(a, FD_KSY_SCALAR, &ev.start_mark);
            if (n) {
                n->style = scalar_style(ev.data.scalar.style);
                n->len = ev.data.scalar.length;
                n->s = fd_arena_strndup(a, (const char *)ev.data.scalar.value, n->len);
                if (!n->s)
                    n = NULL;
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth >= FD_KSY_MAX_YAML_DEPTH) {
                yaml_fail(err, file, ev.start_mark.line, ev.start_mark.column,
                          "nesting too deep", NULL);
                err->kind = FD_ERR_LIMIT;
                fail = true;
                break;
            }
            n = node_new(a, ev.type == YAML_SEQUENCE_START_EVENT ? FD_KSY_SEQ : FD_KSY_MAP,
                         &ev.start_mark);
            if (n) {
                if (depth > 0 && stack[depth - 1].node->kind == FD_KSY_MAP &&
                    stack[depth - 1].n % 2 == 0) {
                    yaml_fail(err, file, ev.start_mark.line, ev.start_mark.column,
                              "a mapping key must be a scalar", NULL);
                    fail = true;
                    break;
                }
                memset(&stack[depth], 0, sizeof stack[depth]);
                stack[depth++].node = n;
                n = NULL;
                yaml_event_delete(&ev);
                continue;
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
            yframe *f = &stack[--depth];
            n = f->node;
            n->nkids = f->n;
            if (f->n) {
                n->kids = fd_arena_memdup(a, f->kids, f->n * sizeof *f->kids);
                if (!n->kids)
                    n = NULL;
            }
            free(f->kids);
            break;
        }
        default:
            break;
        }
        if (!fail && (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_SEQUENCE_END_EVENT ||
                      ev.type == YAML_MAPPING_END_EVENT)) {
            if (!n) {
                yaml_fail(err, file, ev.start_mark.line, ev.start_mark.column, "out of memory",
                          NULL);
                err->kind = FD_ERR_NOMEM;
                fail = true;
            } else if (depth == 0) {
                root = n;
            } else if (frame_add(&stack[depth - 1], n) != 0) {
                yaml_fail(err, file, ev.start_mark.line, ev.start_mark.column, "out of memory",
                          NULL);
                err->kind = FD_ERR_NOMEM;
                fail = true;
            }
        }
        yaml_event_delete(&ev);
        if (fail)
            break;
    }
    while (depth > 0)
        free(stack[--depth].kids);
    yaml_parser_delete(&p);
    if (!ok)
        return NULL;
    if (!root) {
        yaml_fail(err, file, 0, 0, "empty description", NULL);
        return NULL;
    }
    return root;
}

/* ---- node helpers for the builder ---- */

bool fd_ksy_is_scalar(const fd_ksy_node *n) { return n && n->kind == FD_KSY_SCALAR; }

bool fd_ksy_is_null(const fd_ksy_node *n)
{
    if (!n)
        return true;
    if (n->kind != FD_KSY_SCALAR || n->style != FD_KSY_PLAIN)
        return false;
    if (n->len == 0)
        return true;
    if (n->len != 1 && n->len != 4)
        return false;
    return strcmp(n->s, "~") == 0 || strcmp(n->s, "null") == 0 || strcmp(n->s, "Null") == 0 ||
           strcmp(n->s, "NULL") == 0;
}

const fd_ksy_node *fd_ksy_get(const fd_ksy_node *m, const char *key)
{
    if (!m || m->kind != FD_KSY_MAP)
        return NULL;
    /* The builder asks a map for each key it knows: the first byte rules out most. */
    for (uint32_t i = 0; i + 1 < m->nkids; i += 2) {
        const fd_ksy_node *k = m->kids[i];
        if (k->kind == FD_KSY_SCALAR && k->s[0] == key[0] && strcmp(k->s, key) == 0)
            return m->kids[i + 1];
    }
    return NULL;
}

/* A key present with a non-null value. */
const fd_ksy_node *fd_ksy_val(const fd_ksy_node *m, const char *key)
{
    const fd_ksy_node *v = fd_ksy_get(m, key);
    return fd_ksy_is_null(v) ? NULL : v;
}

/* YAML 1.1 booleans as SnakeYAML resolves them: -1 when not a boolean. */
int fd_ksy_bool(const fd_ksy_node *n)
{
    static const char *const t[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
    static const char *const f[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
    /* Asked of every expression: anything longer than "false" is not one. */
    if (!fd_ksy_is_scalar(n) || n->style != FD_KSY_PLAIN || n->len < 2 || n->len > 5 || !strchr("tTyYoOfFnN", n->s[0]))
        return -1;
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        if (strcmp(n->s, t[i]) == 0)
            return 1;
        if (strcmp(n->s, f[i]) == 0)
            return 0;
    }
    return -1;
}

/* YAML integer spellings (decimal, 0x, 0o, 0b, 0-prefixed octal, `_`), up to
 * u64 magnitude; *neg for a leading minus.  False when not an integer. */
static bool parse_int_text(const char *s, size_t n, uint64_t *mag, bool *neg)
{
    size_t i = 0;
    *neg = false;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        *neg = s[i++] == '-';
    if (i >= n)
        return false;
    unsigned base = 10;
    if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
        base = 16, i += 2;
    else if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'o' || s[i + 1] == 'O'))
        base = 8, i += 2;
    else if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'b' || s[i + 1] == 'B'))
        base = 2, i += 2;
    else if (n - i > 1 && s[i] == '0')
        base = 8, i += 1;
    uint64_t v = 0;
    bool digit = false;
    for (; i < n; i++) {
        char c = s[i];
        unsigned d;
        if (c == '_')
            continue;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        if (d >= base)
            return false;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
        digit = true;
    }
    if (!digit)
        return false;
    if (*neg && v > (uint64_t)INT64_MAX + 1)
        return false;
    *mag = v;
    return true;
}

bool fd_ksy_int(const fd_ksy_node *n, uint64_t *mag, bool *neg)
{
    return fd_ksy_is_scalar(n) && parse_int_text(n->s, n->len, mag, neg);
}

bool fd_ksy_ident_ok(const char *s, size_t n)
{
    if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

void fd_ksy_trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}
