/* expr.c - lexer and precedence-climbing parser for the Kaitai expression language. */
#include "expr.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds both nesting (parser recursion) and AST height, so hostile text can
 * neither overflow the parser's stack nor the evaluator's.  A flat chain
 * `a + b + ... + z` is one level: its nodes are evaluated by iteration. */
#define EXPR_MAX_DEPTH 256u

const char *const fd_op_names[FD_OP_COUNT_] = {
#define EXPR_OP_NAME_(name, sym, prec, doc) #name,
    FD_EXPR_OPS(EXPR_OP_NAME_)
#undef EXPR_OP_NAME_
};

const char *const fd_op_symbols[FD_OP_COUNT_] = {
#define EXPR_OP_SYM_(name, sym, prec, doc) sym,
    FD_EXPR_OPS(EXPR_OP_SYM_)
#undef EXPR_OP_SYM_
};

const uint8_t fd_op_prec[FD_OP_COUNT_] = {
#define EXPR_OP_PREC_(name, sym, prec, doc) prec,
    FD_EXPR_OPS(EXPR_OP_PREC_)
#undef EXPR_OP_PREC_
};

static const char *const builtin_names[FD_BI_COUNT_] = {
    NULL,
#define EXPR_BI_NAME_(name, str) str,
    FD_BUILTINS(EXPR_BI_NAME_)
#undef EXPR_BI_NAME_
};

enum tkind {
    T_EOF, T_BAD, T_INT, T_FLOAT, T_STR, T_FSTR, T_NAME,
    T_LP, T_RP, T_LB, T_RB, T_RBRACE, T_COMMA, T_DOT, T_QUEST, T_COLON, T_DCOLON,
    T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT, T_SHL, T_SHR, T_AMP, T_PIPE, T_CARET,
    T_TILDE, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE
};

typedef struct tok {
    int kind;
    size_t start, end;
    uint64_t u;            /* T_INT value */
    double f;              /* T_FLOAT value */
} tok;

typedef struct parser {
    fd_arena *a;
    const fd_names *base;  /* read-only names tried first (a shared description's), or NULL */
    fd_names *in;
    const char *s;
    size_t n;
    size_t i;              /* cursor: everything before it is consumed */
    fd_expr_err *err;
    bool failed;
    unsigned depth;
    tok cur;               /* token lexed at cur_at, valid when have */
    size_t cur_at;
    bool have;
} parser;

static void *fail(parser *p, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void *fail(parser *p, size_t pos, const char *fmt, ...)
{
    if (p->failed)
        return NULL;
    p->failed = true;
    p->err->pos = (uint32_t)pos;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
    return NULL;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_ident(char c) { return is_ident_start(c) || is_digit(c); }
static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int digit_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

static size_t skip_ws(const parser *p, size_t i)
{
    while (i < p->n && is_space(p->s[i]))
        i++;
    return i;
}

/* ---- lexer ---- */

static double parse_float_text(parser *p, size_t start, size_t end)
{
    /* strtod honours LC_NUMERIC, so the '.' is swapped for the locale's point. */
    const char *dp = localeconv()->decimal_point;
    size_t dpl = (dp && *dp) ? strlen(dp) : 1;
    size_t len = end - start;
    if (len > (SIZE_MAX - 1) / (dpl + 1)) {
        fail(p, start, "float literal too long");
        return 0;
    }
    char *buf = fd_arena_alloc(p->a, len * (dpl + 1) + 1);
    if (!buf) {
        fail(p, start, "out of memory");
        return 0;
    }
    size_t o = 0;
    for (size_t k = start; k < end; k++) {
        char c = p->s[k];
        if (c == '_')
            continue;
        if (c == '.' && dp && *dp) {
            memcpy(buf + o, dp, dpl);
            o += dpl;
        } else {
            buf[o++] = c;
        }
    }
    buf[o] = 0;
    return strtod(buf, NULL);
}

static void lex_number(parser *p, size_t i, tok *t)
{
    const char *s = p->s;
    size_t n = p->n, j = i;
    unsigned base = 10;
    t->kind = T_INT;
    if (s[j] == '0' && j + 1 < n) {
        switch (s[j + 1]) {
        case 'x': case 'X': base = 16; break;
        case 'b': case 'B': base = 2; break;
        case 'o': case 'O': base = 8; break;
        default: break;
        }
    }
    if (base != 10) {
        j += 2;
        uint64_t v = 0;
        bool any = false;
        for (; j < n && is_ident(s[j]); j++) {
            if (s[j] == '_')
                continue;
            unsigned d = (unsigned)digit_val(s[j]);
            if (d >= base) {
                fail(p, j, "invalid digit '%c' in base-%u literal", s[j], base);
                t->kind = T_BAD;
                return;
            }
            if (v > (UINT64_MAX - d) / base) {
                fail(p, i, "integer literal does not fit in 64 bits");
                t->kind = T_BAD;
                return;
            }
            v = v * base + d;
            any = true;
        }
        if (!any) {
            fail(p, i, "missing digits after '%.2s'", s + i);
            t->kind = T_BAD;
            return;
        }
        t->u = v;
        t->end = j;
        return;
    }
    bool is_float = false;
    while (j < n && (is_digit(s[j]) || (s[j] == '_' && j > i)))
        j++;
    if (j < n && s[j] == '.') {
        if (j + 1 < n && is_digit(s[j + 1])) {
            j++;
            while (j < n && is_digit(s[j]))
                j++;
            is_float = true;
        } else if (j + 1 >= n || !(is_ident_start(s[j + 1]) || s[j + 1] == '.')) {
            j++;                       /* `42.`; `42.foo` is member access */
            is_float = true;
        }
    }
    if (j < n && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < n && (s[k] == '+' || s[k] == '-'))
            k++;
        if (k < n && is_digit(s[k])) {
            j = k;
            while (j < n && is_digit(s[j]))
                j++;
            is_float = true;
        }
    }
    if (j < n && is_ident(s[j])) {
        fail(p, j, "invalid character '%c' in number literal", s[j]);
        t->kind = T_BAD;
        return;
    }
    t->end = j;
    if (is_float) {
        t->kind = T_FLOAT;
        t->f = parse_float_text(p, i, j);
        if (p->failed)
            t->kind = T_BAD;
        return;
    }
    if (s[i] == '0' && j > i + 1) {
        fail(p, i, "leading zeros are not allowed in decimal literals (use 0o for octal)");
        t->kind = T_BAD;
        return;
    }
    uint64_t v = 0;
    for (size_t k = i; k < j; k++) {
        if (s[k] == '_')
            continue;
        unsigned d = (unsigned)(s[k] - '0');
        if (v > (UINT64_MAX - d) / 10) {
            fail(p, i, "integer literal does not fit in 64 bits");
            t->kind = T_BAD;
            return;
        }
        v = v * 10 + d;
    }
    t->u = v;
}

/* End (exclusive, at the closing quote) of a double-quoted run starting at i;
 * stops at '{' too when in_fstr.  Returns n when unterminated. */
static size_t scan_dq(const parser *p, size_t i, bool in_fstr)
{
    while (i < p->n) {
        char c = p->s[i];
        if (c == '"' || (in_fstr && c == '{'))
            return i;
        i += (c == '\\') ? 2 : 1;
    }
    return p->n;
}

static void lex(parser *p, size_t i, tok *t)
{
    const char *s = p->s;
    size_t n = p->n;
    i = skip_ws(p, i);
    memset(t, 0, sizeof *t);
    t->start = i;
    t->end = i + 1;
    if (i >= n) {
        t->kind = T_EOF;
        t->end = i;
        return;
    }
    char c = s[i];
    char d = i + 1 < n ? s[i + 1] : 0;
    if (is_digit(c) || (c == '.' && is_digit(d))) {
        lex_number(p, i, t);
        return;
    }
    if (c == 'f' && d == '"') {
        t->kind = T_FSTR;
        t->end = i + 2;
        return;
    }
    if (is_ident_start(c)) {
        size_t j = i + 1;
        while (j < n && is_ident(s[j]))
            j++;
        t->kind = T_NAME;
        t->end = j;
        return;
    }
    if (c == '\'' || c == '"') {
        size_t j;
        if (c == '\'') {
            const char *q = memchr(s + i + 1, '\'', n - i - 1);
            j = q ? (size_t)(q - s) : n;
        } else {
            j = scan_dq(p, i + 1, false);
        }
        if (j >= n) {
            fail(p, i, "unterminated string literal");
            t->kind = T_BAD;
            return;
        }
        t->kind = T_STR;
        t->end = j + 1;
        return;
    }
    if (c == '<' || c == '>') {
        bool lt = c == '<';
        if (d == c)
            t->kind = lt ? T_SHL : T_SHR;
        else if (d == '=')
            t->kind = lt ? T_LE : T_GE;
        else
            t->kind = lt ? T_LT : T_GT;
        t->end = i + (t->kind == T_LT || t->kind == T_GT ? 1 : 2);
        return;
    }
    if (c == ':') {
        t->kind = d == ':' ? T_DCOLON : T_COLON;
        t->end = i + (d == ':' ? 2 : 1);
        return;
    }
    if (c == '=' || c == '!') {
        if (d == '=') {
            t->kind = c == '=' ? T_EQ : T_NE;
            t->end = i + 2;
        } else {
            t->kind = T_BAD;
            fail(p, i, "unexpected '%c' (use '==', '!=' or 'not')", c);
        }
        return;
    }
    switch (c) {
    case '(': t->kind = T_LP; return;
    case ')': t->kind = T_RP; return;
    case '[': t->kind = T_LB; return;
    case ']': t->kind = T_RB; return;
    case '}': t->kind = T_RBRACE; return;
    case ',': t->kind = T_COMMA; return;
    case '.': t->kind = T_DOT; return;
    case '?': t->kind = T_QUEST; return;
    case '+': t->kind = T_PLUS; return;
    case '-': t->kind = T_MINUS; return;
    case '*': t->kind = T_STAR; return;
    case '/': t->kind = T_SLASH; return;
    case '%': t->kind = T_PERCENT; return;
    case '&': t->kind = T_AMP; return;
    case '|': t->kind = T_PIPE; return;
    case '^': t->kind = T_CARET; return;
    case '~': t->kind = T_TILDE; return;
    default: break;
    }
    t->kind = T_BAD;
    if (c >= 0x20 && c < 0x7f)
        fail(p, i, "unexpected character '%c'", c);
    else
        fail(p, i, "unexpected byte 0x%02x", (unsigned)(unsigned char)c);
}

static const tok *peek(parser *p)
{
    if (!p->have || p->cur_at != p->i) {
        lex(p, p->i, &p->cur);
        p->cur_at = p->i;
        p->have = true;
    }
    return &p->cur;
}

static void advance(parser *p)
{
    p->i = peek(p)->end;
}

static bool tok_is(const parser *p, const tok *t, const char *word)
{
    size_t len = strlen(word);
    return t->kind == T_NAME && t->end - t->start == len && memcmp(p->s + t->start, word, len) == 0;
}

static bool is_keyword(const parser *p, const tok *t)
{
    return tok_is(p, t, "and") || tok_is(p, t, "or") || tok_is(p, t, "not") ||
           tok_is(p, t, "true") || tok_is(p, t, "false");
}

/* Message for an unexpected token: quotes a short prefix of its text. */
static void *fail_tok(parser *p, const tok *t, const char *what)
{
    if (t->kind == T_EOF)
        return fail(p, t->start, "%s, found end of expression", what);
    size_t len = t->end - t->start;
    return fail(p, t->start, "%s, found '%.*s'", what, (int)(len > 24 ? 24 : len), p->s + t->start);
}

static bool expect(parser *p, int kind, const char *what)
{
    const tok *t = peek(p);
    if (t->kind != kind) {
        fail_tok(p, t, what);
        return false;
    }
    advance(p);
    return true;
}

/* ---- AST construction ---- */

static fd_expr *mk(parser *p, int op, size_t pos)
{
    if (p->failed)
        return NULL;
    fd_expr *e = fd_arena_zalloc(p->a, sizeof *e);
    if (!e)
        return fail(p, pos, "out of memory");
    e->op = (uint8_t)op;
    e->pos = (uint32_t)pos;
    return e;
}

static bool height_ok(parser *p, size_t pos, unsigned *h, unsigned child)
{
    if (child + 1 > *h)
        *h = child + 1;
    if (*h > EXPR_MAX_DEPTH) {
        fail(p, pos, "expression nested too deeply (limit %u)", EXPR_MAX_DEPTH);
        return false;
    }
    return true;
}

static fd_expr *mk2(parser *p, int op, size_t pos, fd_expr *l, unsigned hl, fd_expr *r, unsigned hr,
                    unsigned *h)
{
    if (!l || !r)
        return NULL;
    *h = 0;
    if (!height_ok(p, pos, h, hl > hr ? hl : hr))
        return NULL;
    fd_expr *e = mk(p, op, pos);
    if (e) {
        e->a = l;
        e->b = r;
    }
    return e;
}

static bool enter(parser *p, size_t pos)
{
    if (p->failed)
        return false;
    if (++p->depth > EXPR_MAX_DEPTH) {
        fail(p, pos, "expression nested too deeply (limit %u)", EXPR_MAX_DEPTH);
        return false;
    }
    return true;
}

static const char *intern_span(parser *p, size_t start, size_t end)
{
    const char *r = p->base ? fd_intern_find(p->base, p->s + start, end - start) : NULL;
    if (!r)
        r = fd_intern_n(p->in, p->s + start, end - start);
    if (!r)
        fail(p, start, "out of memory");
    return r;
}

/* Appends x to an arena array of elsz-byte items, doubling its capacity. */
static bool push(parser *p, void **arr, uint32_t *n, uint32_t *cap, const void *x, size_t elsz)
{
    if (*n == *cap) {
        if (*cap >= UINT32_MAX / 2) {
            fail(p, p->i, "too many items");
            return false;
        }
        uint32_t ncap = *cap ? *cap * 2 : 4;
        void *na = fd_arena_alloc(p->a, (size_t)ncap * elsz);
        if (!na) {
            fail(p, p->i, "out of memory");
            return false;
        }
        if (*n)
            memcpy(na, *arr, (size_t)*n * elsz);
        *arr = na;
        *cap = ncap;
    }
    memcpy((char *)*arr + (size_t)*n * elsz, x, elsz);
    (*n)++;
    return true;
}

/* ---- string literals ---- */

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool hex4(const parser *p, size_t i, size_t end, uint32_t *v)
{
    if (end < 4 || i > end - 4)
        return false;
    *v = 0;
    for (size_t k = i; k < i + 4; k++) {
        int d = digit_val(p->s[k]);
        if (d > 15)
            return false;
        *v = *v * 16 + (uint32_t)d;
    }
    return true;
}

/* Unescapes the double-quoted body s[i..end) into o (which has room for
 * end - i bytes: no escape expands).  Returns bytes written or -1. */
static long decode_dq(parser *p, size_t i, size_t end, char *o)
{
    size_t w = 0;
    while (i < end) {
        char c = p->s[i];
        if (c != '\\') {
            o[w++] = c;
            i++;
            continue;
        }
        size_t at = i;
        if (++i >= end) {
            fail(p, at, "unterminated escape");
            return -1;
        }
        c = p->s[i++];
        switch (c) {
        case 'a': o[w++] = '\a'; break;
        case 'b': o[w++] = '\b'; break;
        case 't': o[w++] = '\t'; break;
        case 'n': o[w++] = '\n'; break;
        case 'v': o[w++] = '\v'; break;
        case 'f': o[w++] = '\f'; break;
        case 'r': o[w++] = '\r'; break;
        case 'e': o[w++] = 0x1b; break;
        case '"': case '\'': case '\\': o[w++] = c; break;
        case 'u': {
            uint32_t cp, lo;
            if (!hex4(p, i, end, &cp)) {
                fail(p, at, "\\u needs exactly 4 hex digits");
                return -1;
            }
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < end && p->s[i] == '\\' && p->s[i + 1] == 'u' &&
                hex4(p, i + 2, end, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                fail(p, at, "unpaired surrogate in \\u escape");
                return -1;
            }
            w += put_utf8(o + w, cp);
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                uint32_t cp = (uint32_t)(c - '0');
                for (int k = 0; k < 2 && i < end && p->s[i] >= '0' && p->s[i] <= '7'; k++)
                    cp = cp * 8 + (uint32_t)(p->s[i++] - '0');
                w += put_utf8(o + w, cp);
                break;
            }
            if (c >= 0x20 && c < 0x7f)
                fail(p, at, "unknown escape '\\%c'", c);
            else
                fail(p, at, "unknown escape");
            return -1;
        }
    }
    return (long)w;
}

static fd_expr *make_str(parser *p, size_t pos, char *buf, size_t len)
{
    fd_expr *e = mk(p, FD_OP_STR, pos);
    if (!e)
        return NULL;
    buf[len] = 0;
    e->sval = buf;
    e->slen = len;
    return e;
}

/* One or more adjacent string literals, concatenated. */
static fd_expr *parse_strings(parser *p)
{
    const tok *t = peek(p);
    size_t pos = t->start, last_end = t->end;
    while (t->kind == T_STR) {
        last_end = t->end;
        advance(p);
        t = peek(p);
    }
    if (p->failed)
        return NULL;
    char *buf = fd_arena_alloc(p->a, last_end - pos + 1);
    if (!buf)
        return fail(p, pos, "out of memory");
    size_t len = 0, i = pos;
    while (i < last_end) {
        i = skip_ws(p, i);
        if (p->s[i] == '\'') {
            const char *q = memchr(p->s + i + 1, '\'', last_end - i - 1);
            size_t j = (size_t)(q - p->s);
            memcpy(buf + len, p->s + i + 1, j - i - 1);
            len += j - i - 1;
            i = j + 1;
        } else {
            size_t j = scan_dq(p, i + 1, false);
            long w = decode_dq(p, i + 1, j, buf + len);
            if (w < 0)
                return NULL;
            len += (size_t)w;
            i = j + 1;
        }
    }
    return make_str(p, pos, buf, len);
}

static fd_expr *parse_ternary(parser *p, unsigned *h);

static fd_expr *parse_fstring(parser *p, unsigned *h)
{
    size_t pos = peek(p)->start, i = pos + 2;
    fd_expr *e = mk(p, FD_OP_FSTR, pos);
    uint32_t cap = 0;
    *h = 1;
    while (e && !p->failed) {
        if (i >= p->n)
            return fail(p, pos, "unterminated f-string");
        if (p->s[i] == '"') {
            p->i = i + 1;
            return e;
        }
        fd_expr *piece;
        unsigned ph = 1;
        if (p->s[i] == '{') {
            p->i = i + 1;
            piece = parse_ternary(p, &ph);
            if (!piece || !expect(p, T_RBRACE, "expected '}' in f-string"))
                return NULL;
            i = p->i;
        } else {
            size_t j = scan_dq(p, i, true);
            if (j >= p->n)
                return fail(p, pos, "unterminated f-string");
            char *buf = fd_arena_alloc(p->a, j - i + 1);
            if (!buf)
                return fail(p, i, "out of memory");
            long w = decode_dq(p, i, j, buf);
            if (w < 0)
                return NULL;
            piece = make_str(p, i, buf, (size_t)w);
            i = j;
        }
        if (!piece || !height_ok(p, pos, h, ph) ||
            !push(p, (void **)&e->args, &e->nargs, &cap, &piece, sizeof piece))
            return NULL;
    }
    return NULL;
}

/* ---- grammar ---- */

/* Comma-separated expressions up to the `close` token (already past the opener);
 * a trailing comma is accepted. */
static bool parse_list(parser *p, int close, const char *what, fd_expr ***items, uint32_t *nitems,
                       unsigned *h)
{
    uint32_t cap = 0;
    *items = NULL;
    *nitems = 0;
    *h = 1;
    for (;;) {
        if (peek(p)->kind == close) {
            advance(p);
            return !p->failed;
        }
        unsigned ih = 0;
        fd_expr *item = parse_ternary(p, &ih);
        if (!item || !height_ok(p, item->pos, h, ih) ||
            !push(p, (void **)items, nitems, &cap, &item, sizeof item))
            return false;
        const tok *t = peek(p);
        if (t->kind == T_COMMA) {
            advance(p);
        } else if (t->kind != close) {
            fail_tok(p, t, what);
            return false;
        }
    }
}

/* `name`, `a::b::c` or `::a::b` after an optional leading `::`. */
static bool parse_path(parser *p, const char ***path, uint32_t *npath, bool *abs_path)
{
    uint32_t cap = 0;
    *path = NULL;
    *npath = 0;
    *abs_path = false;
    if (peek(p)->kind == T_DCOLON) {
        *abs_path = true;
        advance(p);
    }
    for (;;) {
        const tok *t = peek(p);
        if (t->kind != T_NAME) {
            fail_tok(p, t, "expected a type name");
            return false;
        }
        const char *name = intern_span(p, t->start, t->end);
        if (!name || !push(p, (void **)path, npath, &cap, &name, sizeof name))
            return false;
        advance(p);
        if (peek(p)->kind != T_DCOLON)
            return !p->failed;
        advance(p);
    }
}

/* `<type>` of a cast or sizeof, the cursor at '<'.  The closing '>' is matched
 * as one character so `x.as<u4>>1` still closes. */
static bool parse_angle_type(parser *p, fd_expr *e)
{
    const char **path;
    p->i = skip_ws(p, p->i) + 1;
    if (!parse_path(p, &path, &e->npath, &e->abs_path))
        return false;
    e->path = path;
    size_t i = skip_ws(p, p->i);
    if (i >= p->n || p->s[i] != '>') {
        fail_tok(p, peek(p), "expected '>' after type name");
        return false;
    }
    p->i = i + 1;
    return true;
}

static bool next_char_is(const parser *p, size_t i, char c)
{
    i = skip_ws(p, i);
    return i < p->n && p->s[i] == c;
}

static fd_expr *parse_enum_path(parser *p, size_t pos, bool abs_path)
{
    fd_expr *e = mk(p, FD_OP_ENUMLIT, pos);
    if (!e)
        return NULL;
    e->abs_path = abs_path;
    uint32_t cap = 0;
    const char **path = NULL;
    for (;;) {
        const tok *t = peek(p);
        if (t->kind != T_NAME)
            return fail_tok(p, t, "expected a name after '::'");
        const char *name = intern_span(p, t->start, t->end);
        if (!name || !push(p, (void **)&path, &e->npath, &cap, &name, sizeof name))
            return NULL;
        advance(p);
        if (peek(p)->kind != T_DCOLON)
            break;
        advance(p);
    }
    if (e->npath < 2)
        return fail(p, pos, "enum literal needs 'enum::label'");
    e->path = path;
    e->name = path[--e->npath];
    return e;
}

static const struct { const char *word; int op; } special_names[] = {
    {"_root", FD_OP_ROOT}, {"_parent", FD_OP_PARENT}, {"_io", FD_OP_IO}, {"_index", FD_OP_INDEX_V},
    {"_", FD_OP_CUR}, {"_on", FD_OP_ON}, {"_sizeof", FD_OP_SIZEOF_V},
};

static fd_expr *parse_name_atom(parser *p, unsigned *h)
{
    const tok *t = peek(p);
    size_t pos = t->start, end = t->end;
    *h = 1;
    if (tok_is(p, t, "true") || tok_is(p, t, "false")) {
        fd_expr *e = mk(p, FD_OP_BOOL, pos);
        if (e)
            e->lit.ival = tok_is(p, t, "true");
        advance(p);
        return e;
    }
    if (is_keyword(p, t))
        return fail_tok(p, t, "expected an expression");
    if ((tok_is(p, t, "sizeof") || tok_is(p, t, "bitsizeof")) && next_char_is(p, end, '<')) {
        fd_expr *e = mk(p, tok_is(p, t, "sizeof") ? FD_OP_SIZEOF : FD_OP_BITSIZEOF, pos);
        p->i = end;
        return e && parse_angle_type(p, e) ? e : NULL;
    }
    advance(p);
    if (peek(p)->kind == T_DCOLON) {
        p->i = pos;
        return parse_enum_path(p, pos, false);
    }
    for (size_t k = 0; k < sizeof special_names / sizeof special_names[0]; k++)
        if (end - pos == strlen(special_names[k].word) &&
            memcmp(p->s + pos, special_names[k].word, end - pos) == 0)
            return mk(p, special_names[k].op, pos);
    fd_expr *e = mk(p, FD_OP_NAME, pos);
    if (e)
        e->name = intern_span(p, pos, end);
    return e && e->name ? e : NULL;
}

static fd_expr *parse_atom(parser *p, unsigned *h)
{
    const tok *t = peek(p);
    size_t pos = t->start;
    fd_expr *e;
    *h = 1;
    switch (t->kind) {
    case T_INT:
        e = mk(p, FD_OP_INT, pos);
        if (e) {
            e->lit.uval = t->u;
            e->uflag = t->u > (uint64_t)INT64_MAX;
        }
        advance(p);
        return e;
    case T_FLOAT:
        e = mk(p, FD_OP_FLOAT, pos);
        if (e)
            e->lit.fval = t->f;
        advance(p);
        return e;
    case T_STR:
        return parse_strings(p);
    case T_FSTR:
        return parse_fstring(p, h);
    case T_NAME:
        return parse_name_atom(p, h);
    case T_DCOLON:
        advance(p);
        return parse_enum_path(p, pos, true);
    case T_LP:
        advance(p);
        e = parse_ternary(p, h);
        return e && expect(p, T_RP, "expected ')'") ? e : NULL;
    case T_LB: {
        advance(p);
        e = mk(p, FD_OP_LIST, pos);
        if (!e || !parse_list(p, T_RB, "expected ',' or ']'", &e->args, &e->nargs, h))
            return NULL;
        e->bytes_list = 1;
        for (uint32_t k = 0; k < e->nargs; k++) {
            const fd_expr *it = e->args[k];
            if (it->op != FD_OP_INT || it->uflag || it->lit.ival < 0 || it->lit.ival > 255)
                e->bytes_list = 0;
        }
        return e;
    }
    default:
        return fail_tok(p, t, "expected an expression");
    }
}

static fd_builtin builtin_of(const char *name)
{
    for (int k = 1; k < FD_BI_COUNT_; k++)
        if (strcmp(builtin_names[k], name) == 0)
            return (fd_builtin)k;
    return FD_BI_NONE;
}

static fd_expr *parse_postfix(parser *p, unsigned *h)
{
    fd_expr *e = parse_atom(p, h);
    while (e) {
        const tok *t = peek(p);
        if (t->kind == T_LB) {
            size_t pos = t->start;
            advance(p);
            unsigned ih = 0;
            fd_expr *idx = parse_ternary(p, &ih);
            if (!idx || !expect(p, T_RB, "expected ']'"))
                return NULL;
            e = mk2(p, FD_OP_SUBSCR, pos, e, *h, idx, ih, h);
            continue;
        }
        if (t->kind != T_DOT)
            break;
        advance(p);
        t = peek(p);
        if (t->kind != T_NAME)
            return fail_tok(p, t, "expected a name after '.'");
        size_t pos = t->start, end = t->end;
        if (!height_ok(p, pos, h, *h))
            return NULL;
        if (tok_is(p, t, "as") && next_char_is(p, end, '<')) {
            fd_expr *c = mk(p, FD_OP_CAST, pos);
            p->i = end;
            if (!c || !parse_angle_type(p, c))
                return NULL;
            c->a = e;
            e = c;
            continue;
        }
        const char *name = intern_span(p, pos, end);
        advance(p);
        bool call = peek(p)->kind == T_LP;
        fd_expr *m = mk(p, call ? FD_OP_CALL : FD_OP_ATTR, pos);
        if (!m || !name)
            return NULL;
        m->a = e;
        m->name = name;
        m->builtin = (uint8_t)builtin_of(name);
        if (call) {
            unsigned ah = 0;
            advance(p);
            if (!parse_list(p, T_RP, "expected ',' or ')'", &m->args, &m->nargs, &ah) ||
                !height_ok(p, pos, h, ah))
                return NULL;
        }
        e = m;
    }
    return e;
}

static fd_expr *parse_unary(parser *p, unsigned *h)
{
    const tok *t = peek(p);
    int op = t->kind == T_MINUS ? FD_OP_NEG : t->kind == T_PLUS ? FD_OP_POS
           : t->kind == T_TILDE ? FD_OP_BNOT : -1;
    if (op < 0)
        return parse_postfix(p, h);
    size_t pos = t->start;
    if (!enter(p, pos))
        return NULL;
    advance(p);
    fd_expr *x = parse_unary(p, h);
    p->depth--;
    if (!x)
        return NULL;
    /* Fold -INT so the evaluator sees s8 min (and every negative literal) exactly. */
    if (op == FD_OP_NEG && x->op == FD_OP_INT && (x->uflag ? x->lit.uval == (uint64_t)INT64_MAX + 1
                                                           : x->lit.ival != INT64_MIN)) {
        x->lit.ival = x->uflag ? INT64_MIN : -x->lit.ival;
        x->uflag = 0;
        x->pos = (uint32_t)pos;
        return x;
    }
    if (op == FD_OP_NEG && x->op == FD_OP_FLOAT) {
        x->lit.fval = -x->lit.fval;
        x->pos = (uint32_t)pos;
        return x;
    }
    if (!height_ok(p, pos, h, *h))
        return NULL;
    fd_expr *e = mk(p, op, pos);
    if (e)
        e->a = x;
    return e;
}

static int binop_of(int kind)
{
    switch (kind) {
    case T_PIPE: return FD_OP_BOR;
    case T_CARET: return FD_OP_BXOR;
    case T_AMP: return FD_OP_BAND;
    case T_SHL: return FD_OP_SHL;
    case T_SHR: return FD_OP_SHR;
    case T_PLUS: return FD_OP_ADD;
    case T_MINUS: return FD_OP_SUB;
    case T_STAR: return FD_OP_MUL;
    case T_SLASH: return FD_OP_DIV;
    case T_PERCENT: return FD_OP_MOD;
    default: return -1;
    }
}

/* Nodes of a left-associative chain, bottom-up, while one loop builds it. */
typedef struct chain {
    fd_expr **nodes;
    uint32_t n, cap;
    unsigned hmax;         /* height of the tallest operand */
} chain;

/* l op r as the next link of ch: the chain counts as one level of height. */
static fd_expr *chain_link(parser *p, chain *ch, int op, size_t pos, fd_expr *l, fd_expr *r, unsigned hr)
{
    if (!l || !r)
        return NULL;
    unsigned h = 0;
    if (hr > ch->hmax)
        ch->hmax = hr;
    if (!height_ok(p, pos, &h, ch->hmax))
        return NULL;
    fd_expr *e = mk(p, op, pos);
    if (!e || !push(p, (void **)&ch->nodes, &ch->n, &ch->cap, &e, sizeof e))
        return NULL;
    e->a = l;
    e->b = r;
    return e;
}

/* The top of a chain of two or more links lists them, so evaluation iterates. */
static fd_expr *chain_end(chain *ch, fd_expr *top, unsigned *h)
{
    if (top && ch->n >= 2) {
        top->chain = 1;
        top->args = ch->nodes;
        top->nargs = ch->n;
    }
    if (top && ch->n)
        *h = ch->hmax + 1;
    return top;
}

/* Binary operators of strength >= min, left-associative, by precedence
 * climbing over the opcode table: | ^ & (<< >>) (+ -) (* / %). */
static fd_expr *parse_binary(parser *p, unsigned min, unsigned *h)
{
    fd_expr *l = parse_unary(p, h);
    chain ch = {NULL, 0, 0, *h};
    while (l) {
        const tok *t = peek(p);
        int op = binop_of(t->kind);
        if (op < 0 || fd_op_prec[op] < min)
            break;
        size_t pos = t->start;
        advance(p);
        unsigned hr = 0;
        fd_expr *r = parse_binary(p, fd_op_prec[op] + 1u, &hr);
        l = chain_link(p, &ch, op, pos, l, r, hr);
    }
    return chain_end(&ch, l, h);
}

static int cmpop_of(int kind)
{
    switch (kind) {
    case T_EQ: return FD_OP_EQ;
    case T_NE: return FD_OP_NE;
    case T_LT: return FD_OP_LT;
    case T_LE: return FD_OP_LE;
    case T_GT: return FD_OP_GT;
    case T_GE: return FD_OP_GE;
    default: return -1;
    }
}

static fd_expr *parse_compare(parser *p, unsigned *h)
{
    fd_expr *l = parse_binary(p, fd_op_prec[FD_OP_BOR], h);
    if (!l)
        return NULL;
    const tok *t = peek(p);
    int op = cmpop_of(t->kind);
    if (op < 0)
        return l;
    size_t pos = t->start;
    advance(p);
    unsigned hr = 0;
    fd_expr *r = parse_binary(p, fd_op_prec[FD_OP_BOR], &hr);
    fd_expr *e = mk2(p, op, pos, l, *h, r, hr, h);
    if (e && cmpop_of(peek(p)->kind) >= 0)
        return fail(p, peek(p)->start, "comparisons do not chain; add parentheses");
    return e;
}

static fd_expr *parse_not(parser *p, unsigned *h)
{
    const tok *t = peek(p);
    if (!tok_is(p, t, "not"))
        return parse_compare(p, h);
    size_t pos = t->start;
    if (!enter(p, pos))
        return NULL;
    advance(p);
    fd_expr *x = parse_not(p, h);
    p->depth--;
    if (!x || !height_ok(p, pos, h, *h))
        return NULL;
    fd_expr *e = mk(p, FD_OP_NOT, pos);
    if (e)
        e->a = x;
    return e;
}

static fd_expr *parse_and(parser *p, unsigned *h)
{
    fd_expr *l = parse_not(p, h);
    chain ch = {NULL, 0, 0, *h};
    while (l && tok_is(p, peek(p), "and")) {
        size_t pos = peek(p)->start;
        advance(p);
        unsigned hr = 0;
        fd_expr *r = parse_not(p, &hr);
        l = chain_link(p, &ch, FD_OP_AND, pos, l, r, hr);
    }
    return chain_end(&ch, l, h);
}

static fd_expr *parse_or(parser *p, unsigned *h)
{
    fd_expr *l = parse_and(p, h);
    chain ch = {NULL, 0, 0, *h};
    while (l && tok_is(p, peek(p), "or")) {
        size_t pos = peek(p)->start;
        advance(p);
        unsigned hr = 0;
        fd_expr *r = parse_and(p, &hr);
        l = chain_link(p, &ch, FD_OP_OR, pos, l, r, hr);
    }
    return chain_end(&ch, l, h);
}

static fd_expr *parse_ternary(parser *p, unsigned *h)
{
    if (!enter(p, peek(p)->start))
        return NULL;
    fd_expr *c = parse_or(p, h);
    if (c && peek(p)->kind == T_QUEST) {
        size_t pos = peek(p)->start;
        advance(p);
        unsigned ha = 0, hb = 0;
        fd_expr *x = parse_ternary(p, &ha);
        fd_expr *y = x && expect(p, T_COLON, "expected ':' in conditional") ? parse_ternary(p, &hb) : NULL;
        fd_expr *e = y ? mk(p, FD_OP_COND, pos) : NULL;
        unsigned hc = *h;
        *h = 0;
        if (e && height_ok(p, pos, h, hc > ha ? (hc > hb ? hc : hb) : (ha > hb ? ha : hb))) {
            e->a = c;
            e->b = x;
            e->c = y;
            c = e;
        } else {
            c = NULL;
        }
    }
    p->depth--;
    return c;
}

static void parser_init(parser *p, fd_arena *a, fd_names *in, const char *text, size_t n, fd_expr_err *err)
{
    memset(p, 0, sizeof *p);
    p->a = a;
    p->base = NULL;
    p->in = in;
    p->s = text ? text : "";
    p->n = text ? n : 0;
    p->err = err;
    err->pos = 0;
    err->msg[0] = 0;
}

static bool check_end(parser *p)
{
    const tok *t = peek(p);
    if (!p->failed && t->kind != T_EOF)
        fail_tok(p, t, "unexpected input after expression");
    return !p->failed;
}

fd_expr *fd_expr_parse(fd_arena *a, fd_names *in, const char *text, size_t n, fd_expr_err *err)
{
    return fd_expr_parse_in(a, NULL, in, text, n, err);
}

fd_expr *fd_expr_parse_in(fd_arena *a, const fd_names *base, fd_names *in, const char *text, size_t n,
                          fd_expr_err *err)
{
    parser p;
    fd_expr_err dummy;
    parser_init(&p, a, in, text, n, err ? err : &dummy);
    p.base = base;
    if (n > UINT32_MAX)
        return fail(&p, 0, "expression text too long");
    unsigned h = 0;
    fd_expr *e = parse_ternary(&p, &h);
    return e && check_end(&p) ? e : NULL;
}

int fd_expr_parse_typeref(fd_arena *a, fd_names *in, const char *text, size_t n,
                          const char ***path, uint32_t *npath, bool *abs_path,
                          fd_expr ***args, uint32_t *nargs, fd_expr_err *err)
{
    parser p;
    fd_expr_err dummy;
    parser_init(&p, a, in, text, n, err ? err : &dummy);
    *args = NULL;
    *nargs = 0;
    if (n > UINT32_MAX) {
        fail(&p, 0, "type reference too long");
        return -1;
    }
    if (!parse_path(&p, path, npath, abs_path))
        return -1;
    if (peek(&p)->kind == T_LP) {
        unsigned h = 0;
        advance(&p);
        if (!parse_list(&p, T_RP, "expected ',' or ')'", args, nargs, &h))
            return -1;
    }
    return check_end(&p) ? 0 : -1;
}

/* ---- debug dump ---- */

typedef struct dumpbuf {
    char *buf;
    size_t cap, len;
} dumpbuf;

static void out(dumpbuf *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out(dumpbuf *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(d->len < d->cap ? d->buf + d->len : NULL, d->len < d->cap ? d->cap - d->len : 0,
                      fmt, ap);
    va_end(ap);
    if (r > 0)
        d->len += (size_t)r;
}

static void dump_float(dumpbuf *d, double v)
{
    char tmp[40];
    if (v != v) {
        out(d, "nan");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    out(d, "%s%s", tmp, strpbrk(tmp, ".eninf") ? "" : ".0");
}

static void dump_path(dumpbuf *d, const fd_expr *e)
{
    out(d, " %s", e->abs_path ? "::" : "");
    for (uint32_t k = 0; k < e->npath; k++)
        out(d, "%s%s", k ? "::" : "", e->path[k]);
}

static void dump_rec(dumpbuf *d, const fd_expr *e, unsigned depth)
{
    if (!e) {
        out(d, "null");
        return;
    }
    if (depth > EXPR_MAX_DEPTH + 8) {
        out(d, "...");
        return;
    }
    switch (e->op) {
    case FD_OP_INT:
        if (e->uflag)
            out(d, "%llu", (unsigned long long)e->lit.uval);
        else
            out(d, "%lld", (long long)e->lit.ival);
        return;
    case FD_OP_FLOAT:
        dump_float(d, e->lit.fval);
        return;
    case FD_OP_BOOL:
        out(d, "%s", e->lit.ival ? "true" : "false");
        return;
    case FD_OP_STR:
        out(d, "\"");
        for (size_t k = 0; k < e->slen; k++) {
            unsigned char c = (unsigned char)e->sval[k];
            if (c == '"' || c == '\\')
                out(d, "\\%c", c);
            else if (c < 0x20 || c == 0x7f)
                out(d, "\\x%02x", c);
            else
                out(d, "%c", c);
        }
        out(d, "\"");
        return;
    default:
        break;
    }
    if (e->chain) {
        /* The same nested form as an unchained tree, printed by iteration. */
        for (uint32_t k = e->nargs; k-- > 0;)
            out(d, "(%s ", fd_op_names[e->args[k]->op]);
        dump_rec(d, e->args[0]->a, depth + 1);
        for (uint32_t k = 0; k < e->nargs; k++) {
            out(d, " ");
            dump_rec(d, e->args[k]->b, depth + 1);
            out(d, ")");
        }
        return;
    }
    out(d, "(%s", e->op < FD_OP_COUNT_ ? fd_op_names[e->op] : "?");
    switch (e->op) {
    case FD_OP_NAME:
        out(d, " %s", e->name);
        break;
    case FD_OP_ENUMLIT:
        dump_path(d, e);
        out(d, " %s", e->name);
        break;
    case FD_OP_SIZEOF:
    case FD_OP_BITSIZEOF:
        dump_path(d, e);
        break;
    case FD_OP_CAST:
        out(d, " ");
        dump_rec(d, e->a, depth + 1);
        dump_path(d, e);
        break;
    case FD_OP_ATTR:
    case FD_OP_CALL:
        out(d, " ");
        dump_rec(d, e->a, depth + 1);
        out(d, " %s", e->name);
        break;
    default:
    {
        const fd_expr *kids[3] = {e->a, e->b, e->c};
        for (int k = 0; k < 3 && kids[k]; k++) {
            out(d, " ");
            dump_rec(d, kids[k], depth + 1);
        }
        break;
    }
    }
    for (uint32_t k = 0; k < e->nargs; k++) {
        out(d, " ");
        dump_rec(d, e->args[k], depth + 1);
    }
    out(d, ")");
}

size_t fd_expr_dump(const fd_expr *e, char *buf, size_t cap)
{
    dumpbuf d = {buf, cap, 0};
    if (cap)
        buf[0] = 0;
    dump_rec(&d, e, 0);
    return d.len;
}
