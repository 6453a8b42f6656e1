/* ksy_load.c - build spec tables from a .ksy's YAML tree: modules, imports, types, attributes, enums. */
#include "ksy_load.h"

/* The tree has passed fd_ksy_check (ksy_keys.h): keys are known and in their
 * place, values have their kind, required keys are there.  What is checked
 * here is what the values mean. */

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "codec.h"

/* Defaults a type inherits from the type that lexically encloses it. */
typedef struct ld_meta {
    uint8_t endian;         /* LE/BE, or INHERIT when none or calculated above */
    bool calc;              /* an enclosing type (or this one) has a calculated endian */
    uint8_t bit_le;
    const char *enc_name;   /* spec-arena string, NULL when none */
} ld_meta;

/* Build state of one module. */
typedef struct ld {
    fd_ksy_loader *L;
    fd_spec *spec;
    fd_module *mod;
    const char *file;       /* interned path */
    const char *dir;        /* directory for relative imports */
    fd_arena *tmp;          /* the YAML tree's arena, freed after the build: scratch */
} ld;

/* A description error at node n; returns -1 so callers can `return fail_at(...)`. */
static int __attribute__((format(printf, 3, 4))) fail_at(ld *b, const fd_ksy_node *n,
                                                         const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fd_ksy_fail(b->L, b->file, n ? n->line : 0, n ? n->col : 0, "%s", msg);
    return -1;
}

static void *ld_zalloc(ld *b, size_t n)
{
    void *p = fd_arena_zalloc(&b->spec->arena, n);
    if (!p)
        fd_ksy_fail_kind(b->L, FD_ERR_NOMEM, b->file, 0, 0, "out of memory");
    return p;
}

static void *ld_array(ld *b, size_t n, size_t size)
{
    if (n && size > SIZE_MAX / n) {
        fd_ksy_fail_kind(b->L, FD_ERR_NOMEM, b->file, 0, 0, "out of memory");
        return NULL;
    }
    return ld_zalloc(b, n * size);
}

static const char *ld_intern(ld *b, const char *s, size_t n)
{
    const char *r = fd_intern_n(&b->spec->names, s, n);
    if (!r)
        fd_ksy_fail_kind(b->L, FD_ERR_NOMEM, b->file, 0, 0, "out of memory");
    return r;
}

static char *ld_strdup(ld *b, const char *s, size_t n)
{
    char *r = fd_arena_strndup(&b->spec->arena, s, n);
    if (!r)
        fd_ksy_fail_kind(b->L, FD_ERR_NOMEM, b->file, 0, 0, "out of memory");
    return r;
}

/* ---- YAML node helpers ---- */

static int get_bool(const fd_ksy_node *m, const char *key, bool *out)
{
    const fd_ksy_node *v = fd_ksy_val(m, key);
    if (v)
        *out = fd_ksy_bool(v) == 1;
    return 0;
}

static int get_byte(ld *b, const fd_ksy_node *m, const char *key, int *out)
{
    const fd_ksy_node *v = fd_ksy_val(m, key);
    if (!v)
        return 0;
    uint64_t u;
    bool neg;
    if (!fd_ksy_int(v, &u, &neg) || neg || u > 255)
        return fail_at(b, v, "%s: expected a byte value 0..255", key);
    *out = (int)u;
    return 0;
}

static const char *get_ident(ld *b, const fd_ksy_node *n, const char *what)
{
    if (!fd_ksy_is_scalar(n) || !fd_ksy_ident_ok(n->s, n->len)) {
        fail_at(b, n, "invalid %s: expected an identifier [a-z][a-z0-9_]*", what);
        return NULL;
    }
    return ld_intern(b, n->s, n->len);
}

static const char *get_doc(ld *b, const fd_ksy_node *m)
{
    const fd_ksy_node *v = fd_ksy_val(m, "doc");
    return fd_ksy_is_scalar(v) ? ld_strdup(b, v->s, v->len) : NULL;
}

static fd_srcloc loc_of(const ld *b, const fd_ksy_node *n)
{
    fd_srcloc l = {b->file, n ? n->line : 0, n ? n->col : 0};
    return l;
}

/* Column of byte `pos` of a scalar's text, when it can be known. */
static uint32_t col_at(const fd_ksy_node *n, uint32_t pos)
{
    if (memchr(n->s, '\n', n->len))
        return n->col;
    if (n->style == FD_KSY_PLAIN)
        return n->col + pos;
    if (n->style == FD_KSY_SQUOTED || n->style == FD_KSY_DQUOTED)
        return n->col + 1 + pos;
    return n->col;
}

/* ---- expressions ---- */

static int expr_from(ld *b, const fd_ksy_node *n, fd_expr **out)
{
    if (!fd_ksy_is_scalar(n) || fd_ksy_is_null(n))
        return fail_at(b, n, "expected an expression");
    const char *s = n->s;
    size_t len = n->len;
    int bv = fd_ksy_bool(n);
    if (bv >= 0) {
        s = bv ? "true" : "false";
        len = strlen(s);
    }
    fd_expr_err e;
    memset(&e, 0, sizeof e);
    *out = fd_expr_parse(&b->spec->arena, &b->spec->names, s, len, &e);
    if (!*out) {
        fd_ksy_fail(b->L, b->file, n->line, col_at(n, e.pos), "bad expression '%.80s': %s", s,
                    e.msg);
        return -1;
    }
    return 0;
}

static int get_expr(ld *b, const fd_ksy_node *m, const char *key, fd_expr **out)
{
    const fd_ksy_node *v = fd_ksy_get(m, key);
    if (!v)
        return 0;
    return expr_from(b, v, out);
}

/* `[args]` parsed as a list gives the argument expressions of `name(args)`. */
static int parse_args(ld *b, const fd_ksy_node *n, const char *s, size_t len, fd_expr ***args,
                      uint32_t *nargs)
{
    char *buf = malloc(len + 3);
    if (!buf)
        return fail_at(b, n, "out of memory");
    buf[0] = '[';
    memcpy(buf + 1, s, len);
    buf[len + 1] = ']';
    buf[len + 2] = 0;
    fd_expr_err e;
    memset(&e, 0, sizeof e);
    fd_expr *l = fd_expr_parse(&b->spec->arena, &b->spec->names, buf, len + 2, &e);
    free(buf);
    if (!l || l->op != FD_OP_LIST) {
        uint32_t pos = (uint32_t)(s - n->s) + (e.pos ? e.pos - 1 : 0);
        fd_ksy_fail(b->L, b->file, n->line, col_at(n, pos), "bad arguments '%.*s': %s",
                    (int)(len > 80 ? 80 : len), s, l ? "not an argument list" : e.msg);
        return -1;
    }
    *args = l->args;
    *nargs = l->nargs;
    return 0;
}

/* ---- references waiting for the resolution pass ---- */

static fd_ksy_ref *ref_new(ld *b)
{
    fd_ksy_loader *L = b->L;
    if (L->nrefs >= FD_KSY_MAX_REFS) {
        fd_ksy_fail_kind(L, FD_ERR_LIMIT, b->file, 0, 0, "too many type and enum references");
        return NULL;
    }
    if (L->nrefs == L->caprefs) {
        size_t cap = L->caprefs ? L->caprefs * 2 : 64;
        fd_ksy_ref *r = realloc(L->refs, cap * sizeof *r);
        if (!r) {
            fd_ksy_fail_kind(L, FD_ERR_NOMEM, b->file, 0, 0, "out of memory");
            return NULL;
        }
        L->refs = r;
        L->caprefs = cap;
    }
    fd_ksy_ref *r = &L->refs[L->nrefs++];
    memset(r, 0, sizeof *r);
    return r;
}

/* `enum: a::b::name`: split the path ourselves (no expression involved). */
static int enum_ref(ld *b, fd_type *t, const fd_ksy_node *n, fd_enum **dst)
{
    const char *s = n->s;
    size_t len = n->len;
    fd_ksy_trim(&s, &len);
    bool abs = false;
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        abs = true;
        s += 2;
        len -= 2;
    }
    uint32_t np = 1;
    for (size_t i = 0; i + 1 < len; i++)
        if (s[i] == ':' && s[i + 1] == ':')
            np++;
    const char **path = ld_array(b, np, sizeof *path);
    if (!path)
        return -1;
    uint32_t k = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || (s[i] == ':' && i + 1 < len && s[i + 1] == ':')) {
            const char *c = s + start;
            size_t cl = i - start;
            fd_ksy_trim(&c, &cl);
            if (!fd_ksy_ident_ok(c, cl))
                return fail_at(b, n, "enum: invalid name '%s'", n->s);
            if (!(path[k++] = ld_intern(b, c, cl)))
                return -1;
            start = i + 2;
            i++;
        }
    }
    fd_ksy_ref *r = ref_new(b);
    if (!r)
        return -1;
    r->enm = dst;
    r->scope = t;
    r->path = path;
    r->npath = k;
    r->abs_path = abs;
    r->loc = loc_of(b, n);
    return 0;
}

/* ---- type references ---- */

/* Primitive type names: 1 = primitive filled in, 0 = not one, -1 = bad width. */
static int prim_parse(const char *s, size_t n, fd_typeref *tr, bool *suffix)
{
    *suffix = false;
    if (n == 3 && memcmp(s, "str", 3) == 0) {
        tr->prim = FD_P_STR;
        return 1;
    }
    if (n == 4 && memcmp(s, "strz", 4) == 0) {
        tr->prim = FD_P_STRZ;
        return 1;
    }
    if (n < 2 || !(s[0] == 'u' || s[0] == 's' || s[0] == 'f' || s[0] == 'b'))
        return 0;
    size_t i = 1;
    unsigned w = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && w < 1000)
        w = w * 10 + (unsigned)(s[i++] - '0');
    if (i == 1)
        return 0;
    uint8_t end = FD_END_INHERIT;
    if (i + 2 == n && s[i] == 'l' && s[i + 1] == 'e')
        end = FD_END_LE;
    else if (i + 2 == n && s[i] == 'b' && s[i + 1] == 'e')
        end = FD_END_BE;
    else if (i != n)
        return 0;
    *suffix = end != FD_END_INHERIT;
    switch (s[0]) {
    case 'u':
    case 's':
        if (w != 1 && w != 2 && w != 4 && w != 8)
            return 0;
        tr->prim = s[0] == 'u' ? FD_P_UINT : FD_P_SINT;
        tr->width = (uint8_t)w;
        tr->endian = end;
        return 1;
    case 'f':
        if (w != 4 && w != 8)
            return 0;
        tr->prim = FD_P_FLOAT;
        tr->width = (uint8_t)w;
        tr->endian = end;
        return 1;
    default:
        if (w < 1 || w > 64)
            return -1;
        tr->prim = FD_P_BITS;
        tr->width = (uint8_t)w;
        tr->bit_le = end == FD_END_LE;
        return 1;
    }
}

static int typeref_switch(ld *b, fd_type *t, const ld_meta *m, const fd_ksy_node *n,
                          fd_typeref *tr, const fd_ksy_node *enc, bool has_enum);

static int typeref_from(ld *b, fd_type *t, const ld_meta *m, const fd_ksy_node *n,
                        fd_typeref *tr, const fd_ksy_node *enc, bool has_enum, bool is_param)
{
    tr->encoding = -1;
    if (fd_ksy_is_null(n)) {
        tr->prim = is_param ? FD_P_ANY : FD_P_BYTES;
        return 0;
    }
    if (n->kind == FD_KSY_MAP)
        return typeref_switch(b, t, m, n, tr, enc, has_enum);
    const char *s = n->s;
    size_t len = n->len;
    fd_ksy_trim(&s, &len);
    if (!(tr->text = ld_strdup(b, s, len)))
        return -1;
    if (is_param && len > 2 && s[len - 2] == '[' && s[len - 1] == ']') {
        tr->is_array = true;
        len -= 2;
        fd_ksy_trim(&s, &len);
    }
    bool suffix;
    int p = prim_parse(s, len, tr, &suffix);
    if (p < 0)
        return fail_at(b, n, "bad bit width in '%s'", tr->text);
    if (p > 0) {
        if ((tr->prim == FD_P_UINT || tr->prim == FD_P_SINT || tr->prim == FD_P_FLOAT) &&
            tr->width > 1 && !suffix && !is_param && m->endian == FD_END_INHERIT && !m->calc)
            return fail_at(b, n, "unable to use type '%s' without default endianness", tr->text);
        if (tr->prim == FD_P_BITS) {
            if (!suffix)
                tr->bit_le = m->bit_le;
            if (tr->width == 1 && !has_enum)
                tr->prim = FD_P_BOOL;
        }
        if (tr->prim == FD_P_STR || tr->prim == FD_P_STRZ) {
            if (fd_ksy_is_scalar(enc) && !fd_ksy_is_null(enc))
                tr->enc_name = ld_strdup(b, enc->s, enc->len);
            else
                tr->enc_name = m->enc_name;
            if (!tr->enc_name) {
                if (!is_param)
                    return fail_at(b, n, "string type '%s' without encoding", tr->text);
            } else {
                tr->encoding = fd_codec_lookup(tr->enc_name);
            }
        }
        return 0;
    }
    if (is_param) {
        static const char *const any[] = {"any", "struct", "io"};
        for (size_t i = 0; i < sizeof any / sizeof *any; i++)
            if (len == strlen(any[i]) && memcmp(s, any[i], len) == 0) {
                tr->prim = FD_P_ANY;
                return 0;
            }
        if (len == 4 && memcmp(s, "bool", 4) == 0) {
            tr->prim = FD_P_BOOL;
            tr->width = 1;
            return 0;
        }
    }
    if (len == 5 && memcmp(s, "bytes", 5) == 0) {
        tr->prim = FD_P_BYTES;
        return 0;
    }
    tr->prim = FD_P_USER;
    fd_ksy_ref *r = ref_new(b);
    if (!r)
        return -1;
    fd_expr_err e;
    memset(&e, 0, sizeof e);
    if (fd_expr_parse_typeref(&b->spec->arena, &b->spec->names, s, len, &r->path, &r->npath,
                              &r->abs_path, &tr->args, &tr->nargs, &e) != 0 ||
        r->npath == 0) {
        b->L->nrefs--;
        fd_ksy_fail(b->L, b->file, n->line, col_at(n, (uint32_t)(s - n->s) + e.pos),
                    "bad type '%s': %s", tr->text, e.msg);
        return -1;
    }
    r->tr = tr;
    r->scope = t;
    r->is_param = is_param;
    r->loc = loc_of(b, n);
    return 0;
}

static int typeref_switch(ld *b, fd_type *t, const ld_meta *m, const fd_ksy_node *n,
                          fd_typeref *tr, const fd_ksy_node *enc, bool has_enum)
{
    tr->prim = FD_P_SWITCH;
    tr->text = "switch";
    fd_switch *sw = ld_zalloc(b, sizeof *sw);
    if (!sw)
        return -1;
    tr->sw = sw;
    sw->default_case = -1;
    const fd_ksy_node *cases = fd_ksy_get(n, "cases");
    if (expr_from(b, fd_ksy_get(n, "switch-on"), &sw->on) != 0)
        return -1;
    sw->ncases = cases->nkids / 2;
    sw->keys = ld_array(b, sw->ncases, sizeof *sw->keys);
    sw->types = ld_array(b, sw->ncases, sizeof *sw->types);
    if (!sw->keys || !sw->types)
        return -1;
    for (uint32_t i = 0; i < sw->ncases; i++) {
        const fd_ksy_node *k = cases->kids[2 * i], *v = cases->kids[2 * i + 1];
        if (strcmp(k->s, "_") == 0)
            sw->default_case = (int)i;
        else if (expr_from(b, k, &sw->keys[i]) != 0)
            return -1;
        if (typeref_from(b, t, m, v, &sw->types[i], enc, has_enum, false) != 0)
            return -1;
    }
    return 0;
}

/* ---- attributes ---- */

static int contents_add(ld *b, const fd_ksy_node *v, uint8_t *buf, size_t *n, bool count_only)
{
    uint64_t u;
    bool neg;
    if (v->style == FD_KSY_PLAIN && fd_ksy_int(v, &u, &neg)) {
        if (neg || u > 255)
            return fail_at(b, v, "contents: byte value out of range");
        if (!count_only)
            buf[*n] = (uint8_t)u;
        (*n)++;
        return 0;
    }
    if (!count_only)
        memcpy(buf + *n, v->s, v->len);
    *n += v->len;
    return 0;
}

static int get_contents(ld *b, const fd_ksy_node *m, fd_attr *a)
{
    const fd_ksy_node *v = fd_ksy_val(m, "contents");
    if (!v)
        return 0;
    const fd_ksy_node *const *items = (const fd_ksy_node *const *)&v;
    uint32_t nitems = 1;
    if (v->kind == FD_KSY_SEQ) {
        items = (const fd_ksy_node *const *)v->kids;
        nitems = v->nkids;
    }
    size_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        uint8_t *buf = NULL;
        if (pass == 1) {
            if (total > UINT32_MAX)
                return fail_at(b, v, "contents: too long");
            buf = ld_zalloc(b, total);
            if (!buf)
                return -1;
            a->contents = buf;
            a->ncontents = (uint32_t)total;
        }
        size_t n = 0;
        for (uint32_t i = 0; i < nitems; i++)
            if (contents_add(b, items[i], buf, &n, pass == 0) != 0)
                return -1;
        total = n;
    }
    return 0;
}

static int get_valid(ld *b, const fd_ksy_node *m, fd_attr *a)
{
    const fd_ksy_node *v = fd_ksy_get(m, "valid");
    if (!v)
        return 0;
    fd_valid *va = &a->valid;
    va->loc = loc_of(b, v);
    if (v->kind != FD_KSY_MAP) {
        va->kind = FD_VALID_EQ;
        return expr_from(b, v, &va->eq);
    }
    /* One kind of check per map, as ksc has it: min and max go together, the rest alone. */
    const fd_ksy_node *x, *seen = NULL;
    for (uint32_t i = 0; i + 1 < v->nkids; i += 2) {
        const fd_ksy_node *k = v->kids[i];
        if (k->len && k->s[0] == '-')
            continue;
        if (seen && !((strcmp(seen->s, "min") == 0 || strcmp(seen->s, "max") == 0) &&
                      (strcmp(k->s, "min") == 0 || strcmp(k->s, "max") == 0)))
            return fail_at(b, k, "valid: %s cannot be combined with %s", k->s, seen->s);
        seen = k;
    }
    if ((x = fd_ksy_get(v, "eq"))) {
        va->kind = FD_VALID_EQ;
        return expr_from(b, x, &va->eq);
    }
    if ((x = fd_ksy_get(v, "any-of"))) {
        va->kind = FD_VALID_ANY_OF;
        va->nany = x->nkids;
        if (!(va->any_of = ld_array(b, x->nkids, sizeof *va->any_of)))
            return -1;
        for (uint32_t i = 0; i < x->nkids; i++)
            if (expr_from(b, x->kids[i], &va->any_of[i]) != 0)
                return -1;
        return 0;
    }
    if ((x = fd_ksy_get(v, "expr"))) {
        va->kind = FD_VALID_EXPR;
        return expr_from(b, x, &va->expr);
    }
    bool in_enum = false;
    if (get_bool(v, "in-enum", &in_enum) != 0)
        return -1;
    if (in_enum) {
        /* Without an enum every value would fail at parse time: ksc rejects it. */
        if (!fd_ksy_get(m, "enum"))
            return fail_at(b, fd_ksy_get(v, "in-enum"), "valid: in-enum needs the attribute's enum");
        va->kind = FD_VALID_IN_ENUM;
        return 0;
    }
    if (get_expr(b, v, "min", &va->min) != 0 || get_expr(b, v, "max", &va->max) != 0)
        return -1;
    if (va->min || va->max) {
        va->kind = FD_VALID_RANGE;
        return 0;
    }
    return fail_at(b, v, "valid: expected eq, min, max, any-of, in-enum or expr");
}

static int get_process(ld *b, const fd_ksy_node *m, fd_attr *a)
{
    const fd_ksy_node *v = fd_ksy_val(m, "process");
    if (!v)
        return 0;
    const char *s = v->s;
    size_t len = v->len;
    fd_ksy_trim(&s, &len);
    const char *open = memchr(s, '(', len);
    size_t nlen = open ? (size_t)(open - s) : len;
    const char *name = s;
    fd_ksy_trim(&name, &nlen);
    for (size_t i = 0; i < nlen; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
            nlen = 0;
    }
    if (nlen == 0)
        return fail_at(b, v, "process: bad name '%s'", v->s);
    if (!(a->proc_name = ld_intern(b, name, nlen)))
        return -1;
    a->proc = fd_process_kind(a->proc_name);
    if (open) {
        if (s[len - 1] != ')')
            return fail_at(b, v, "process: missing ')' in '%s'", v->s);
        const char *args = open + 1;
        size_t alen = (size_t)(s + len - 1 - args);
        fd_ksy_trim(&args, &alen);
        if (alen && parse_args(b, v, args, alen, &a->proc_args, &a->nproc_args) != 0)
            return -1;
    }
    /* The built-in transforms have a fixed arity: zlib none, xor a key, rol/ror an amount. */
    uint32_t want = a->proc == FD_PROC_ZLIB ? 0 : 1;
    if (a->proc != FD_PROC_CUSTOM && a->nproc_args != want)
        return fail_at(b, v, "process: %s takes %u argument%s, %u given", a->proc_name, want,
                       want == 1 ? "" : "s", a->nproc_args);
    return 0;
}

static int get_repeat(ld *b, const fd_ksy_node *m, fd_attr *a)
{
    const fd_ksy_node *v = fd_ksy_val(m, "repeat");
    const fd_ksy_node *re = fd_ksy_val(m, "repeat-expr"), *ru = fd_ksy_val(m, "repeat-until");
    if (!v) {
        if (re || ru)
            return fail_at(b, re ? re : ru, "%s without repeat", re ? "repeat-expr" : "repeat-until");
        return 0;
    }
    bool is_expr = strcmp(v->s, "expr") == 0, is_until = strcmp(v->s, "until") == 0;
    bool is_eos = strcmp(v->s, "eos") == 0;
    if (!is_expr && !is_until && !is_eos)
        return fail_at(b, v, "repeat: expected expr, eos or until, not '%s'", v->s);
    if (re && !is_expr)
        return fail_at(b, re, "repeat-expr goes with repeat: expr, not repeat: %s", v->s);
    if (ru && !is_until)
        return fail_at(b, ru, "repeat-until goes with repeat: until, not repeat: %s", v->s);
    if (is_eos) {
        a->repeat = FD_REP_EOS;
        return 0;
    }
    if (!(is_expr ? re : ru))
        return fail_at(b, v, "repeat: %s needs repeat-%s", v->s, v->s);
    a->repeat = is_expr ? FD_REP_EXPR : FD_REP_UNTIL;
    return expr_from(b, is_expr ? re : ru, &a->repeat_expr);
}

/* Integer fields whose names read as addresses, offsets, codes, flags or
 * pointer registers print in hex in the text output. */
static bool hex_name(const char *id)
{
    static const char *const words[] = {
        "addr", "address", "ofs", "offset", "rva", "base", "pointer", "ptr", "va", "teb", "rip", "eip", "pc",
        "sp", "rsp", "esp", "rbp", "ebp", "lr", "fp", "code", "flags", "mask", "checksum",
    };
    /* Runs for every attribute: a segment's first byte rules most words out. */
    for (const char *p = id; *p;) {
        size_t n = strcspn(p, "_");
        for (size_t w = 0; w < sizeof words / sizeof *words; w++)
            if (words[w][0] == p[0] && !strncmp(words[w], p, n) && !words[w][n])
                return true;
        p += n + (p[n] == '_');
    }
    return false;
}

static int build_attr(ld *b, fd_type *t, const ld_meta *m, const fd_ksy_node *n, fd_attr *a,
                      const char *id, bool inst)
{
    a->id = id;
    a->loc = loc_of(b, n);
    a->terminator = -1;
    a->pad_right = -1;
    a->consume = true;
    a->eos_error = true;
    a->is_instance = inst;
    a->type.encoding = -1;
    a->hex_hint = hex_name(id);
    a->doc = get_doc(b, n);
    const fd_ksy_node *en = fd_ksy_val(n, "enum");
    if (en && enum_ref(b, t, en, &a->enm) != 0)
        return -1;
    if (get_expr(b, n, "if", &a->if_expr) != 0)
        return -1;
    if (inst && fd_ksy_get(n, "value")) {
        a->type.prim = FD_P_BYTES;
        return get_expr(b, n, "value", &a->value);
    }
    const fd_ksy_node *enc = fd_ksy_val(n, "encoding");
    if (typeref_from(b, t, m, fd_ksy_val(n, "type"), &a->type, enc, en != NULL, false) != 0)
        return -1;
    if (get_contents(b, n, a) != 0 || get_expr(b, n, "size", &a->size) != 0 ||
        get_bool(n, "size-eos", &a->size_eos) != 0 ||
        get_byte(b, n, "terminator", &a->terminator) != 0 ||
        get_bool(n, "include", &a->include) != 0 ||
        get_bool(n, "consume", &a->consume) != 0 ||
        get_bool(n, "eos-error", &a->eos_error) != 0 ||
        get_byte(b, n, "pad-right", &a->pad_right) != 0 || get_process(b, n, a) != 0 ||
        get_repeat(b, n, a) != 0 || get_valid(b, n, a) != 0)
        return -1;
    const fd_ksy_node *par = fd_ksy_val(n, "parent");
    if (par) {
        if (fd_ksy_bool(par) == 0)
            a->parent_none = true;
        else if (expr_from(b, par, &a->parent) != 0)
            return -1;
    }
    if (inst && (get_expr(b, n, "pos", &a->pos) != 0 || get_expr(b, n, "io", &a->io) != 0))
        return -1;
    if (a->type.prim == FD_P_STRZ && a->terminator < 0)
        a->terminator = 0;
    if ((a->type.prim == FD_P_BYTES || a->type.prim == FD_P_STR) && !a->size && !a->size_eos &&
        a->terminator < 0 && !a->contents)
        return fail_at(b, n, "attribute '%s': %s needs size, size-eos or terminator", id,
                       a->type.prim == FD_P_STR ? "str" : "bytes");
    if (a->size && a->size_eos)
        return fail_at(b, n, "attribute '%s': size and size-eos together", id);
    return 0;
}

/* ---- names that must be distinct ---- */

/* An interned name and the node that wrote it. */
typedef struct ld_name {
    const char *name;
    const fd_ksy_node *at;
} ld_name;

static bool before(const fd_ksy_node *x, const fd_ksy_node *y)
{
    return x->line < y->line || (x->line == y->line && x->col < y->col);
}

static int name_cmp(const void *x, const void *y)
{
    const ld_name *a = x, *b = y;
    if (a->name != b->name)
        return (uintptr_t)a->name < (uintptr_t)b->name ? -1 : 1;
    return before(a->at, b->at) ? -1 : before(b->at, a->at);
}

/* Names v[0..n) (interned, so equal names are equal pointers) must differ;
 * the error points at the first repeat in the file. */
static int distinct_names(ld *b, ld_name *v, size_t n, const char *what, const char *owner)
{
    qsort(v, n, sizeof *v, name_cmp);
    const ld_name *dup = NULL;
    for (size_t i = 1; i < n; i++)
        if (v[i].name == v[i - 1].name && (i < 2 || v[i - 2].name != v[i].name) &&
            (!dup || before(v[i].at, dup->at)))
            dup = &v[i];
    if (!dup)
        return 0;
    return fail_at(b, dup->at, "duplicate %s '%s' in %s (first at %u:%u)", what, dup->name, owner,
                   dup[-1].at->line, dup[-1].at->col);
}

static ld_name *names_new(ld *b, size_t n)
{
    ld_name *v = n <= SIZE_MAX / sizeof *v ? fd_arena_alloc(b->tmp, n * sizeof *v) : NULL;
    if (!v && n)
        fd_ksy_fail_kind(b->L, FD_ERR_NOMEM, b->file, 0, 0, "out of memory");
    return v;
}

/* ---- enums ---- */

static int item_cmp(const void *x, const void *y)
{
    const fd_enum_item *a = x, *b = y;
    return a->value < b->value ? -1 : a->value > b->value;
}

static int build_enum(ld *b, fd_type *t, const char *name, const fd_ksy_node *n, fd_enum *e)
{
    e->name = name;
    e->owner = t;
    if (!(e->qname = fd_arena_printf(&b->spec->arena, "%s::%s", t->qname, name)))
        return fail_at(b, n, "out of memory");
    if (fd_ksy_is_null(n))
        return 0;
    e->nitems = n->nkids / 2;
    if ((b->L->nitems += e->nitems) > FD_KSY_MAX_ITEMS) {
        fd_ksy_fail_kind(b->L, FD_ERR_LIMIT, b->file, n->line, n->col, "too many enum values");
        return -1;
    }
    ld_name *labels = names_new(b, e->nitems);
    if (!(e->items = ld_array(b, e->nitems, sizeof *e->items)) || (!labels && e->nitems))
        return -1;
    for (uint32_t i = 0; i < e->nitems; i++) {
        const fd_ksy_node *k = n->kids[2 * i], *v = n->kids[2 * i + 1];
        fd_enum_item *it = &e->items[i];
        uint64_t mag;
        bool neg;
        if (!fd_ksy_int(k, &mag, &neg))
            return fail_at(b, k, "enum '%s': key '%s' is not an integer", name, k->s);
        it->neg = neg && mag != 0;
        it->value = neg ? (uint64_t)0 - mag : mag;
        const fd_ksy_node *lab = v;
        if (v->kind == FD_KSY_MAP) {
            lab = fd_ksy_get(v, "id");
            it->doc = get_doc(b, v);
        }
        if (!(it->label = get_ident(b, lab, "enum label")))
            return -1;
        labels[i] = (ld_name){it->label, lab};
    }
    if (distinct_names(b, labels, e->nitems, "label", e->qname) != 0)
        return -1;
    qsort(e->items, e->nitems, sizeof *e->items, item_cmp);
    return 0;
}

/* ---- types ---- */

static int build_endian_switch(ld *b, const fd_ksy_node *n, fd_endian_switch **out)
{
    fd_endian_switch *es = ld_zalloc(b, sizeof *es);
    if (!es)
        return -1;
    *out = es;
    es->loc = loc_of(b, n);
    const fd_ksy_node *cases = fd_ksy_get(n, "cases");
    if (expr_from(b, fd_ksy_get(n, "switch-on"), &es->on) != 0)
        return -1;
    es->ncases = cases->nkids / 2;
    es->keys = ld_array(b, es->ncases, sizeof *es->keys);
    es->endians = ld_array(b, es->ncases, 1);
    if (!es->keys || !es->endians)
        return -1;
    for (uint32_t i = 0; i < es->ncases; i++) {
        const fd_ksy_node *k = cases->kids[2 * i], *v = cases->kids[2 * i + 1];
        if (strcmp(k->s, "_") != 0 &&
            expr_from(b, k, &es->keys[i]) != 0)
            return -1;
        if (fd_ksy_is_scalar(v) && strcmp(v->s, "le") == 0)
            es->endians[i] = FD_END_LE;
        else if (fd_ksy_is_scalar(v) && strcmp(v->s, "be") == 0)
            es->endians[i] = FD_END_BE;
        else
            return fail_at(b, v, "endian case: expected le or be");
    }
    return 0;
}

/* meta keys that shape parsing of this type and its nested types. */
static int apply_meta(ld *b, fd_type *t, const fd_ksy_node *meta, ld_meta *m)
{
    const fd_ksy_node *v;
    if ((v = fd_ksy_val(meta, "endian"))) {
        if (v->kind == FD_KSY_MAP) {
            if (build_endian_switch(b, v, &t->endian_sw) != 0)
                return -1;
            m->endian = FD_END_INHERIT;
            m->calc = true;
        } else if (fd_ksy_is_scalar(v) && strcmp(v->s, "le") == 0) {
            m->endian = FD_END_LE;
            m->calc = false;
        } else if (fd_ksy_is_scalar(v) && strcmp(v->s, "be") == 0) {
            m->endian = FD_END_BE;
            m->calc = false;
        } else {
            return fail_at(b, v, "endian: expected le, be or {switch-on, cases}");
        }
    }
    if ((v = fd_ksy_val(meta, "bit-endian"))) {
        if (fd_ksy_is_scalar(v) && strcmp(v->s, "le") == 0)
            m->bit_le = 1;
        else if (fd_ksy_is_scalar(v) && strcmp(v->s, "be") == 0)
            m->bit_le = 0;
        else
            return fail_at(b, v, "bit-endian: expected le or be");
    }
    if ((v = fd_ksy_val(meta, "encoding")) && !(m->enc_name = ld_strdup(b, v->s, v->len)))
        return -1;
    return 0;
}

static size_t count_pairs(const fd_ksy_node *n)
{
    size_t c = 0;
    for (uint32_t i = 0; n && n->kind == FD_KSY_MAP && i + 1 < n->nkids; i += 2)
        if (!(n->kids[i]->len && n->kids[i]->s[0] == '-'))
            c++;
    return c;
}

static fd_type *build_type(ld *b, fd_type *outer, const char *name, const fd_ksy_node *n,
                           const ld_meta *inh, int depth);

static int build_members(ld *b, fd_type *t, const fd_ksy_node *n, const ld_meta *m, int depth)
{
    const fd_ksy_node *params = fd_ksy_val(n, "params"), *seq = fd_ksy_val(n, "seq");
    const fd_ksy_node *insts = fd_ksy_val(n, "instances"), *types = fd_ksy_val(n, "types");
    const fd_ksy_node *enums = fd_ksy_val(n, "enums");

    t->nparams = params ? params->nkids : 0;
    t->nseq = seq ? seq->nkids : 0;
    t->ninst = (uint32_t)count_pairs(insts);
    t->ntypes = (uint32_t)count_pairs(types);
    t->nenums = (uint32_t)count_pairs(enums);
    t->nslots = t->nparams + t->nseq + t->ninst;
    t->params = ld_array(b, t->nparams, sizeof *t->params);
    t->seq = ld_array(b, t->nseq, sizeof *t->seq);
    t->inst = ld_array(b, t->ninst, sizeof *t->inst);
    t->types = ld_array(b, t->ntypes, sizeof *t->types);
    t->enums = ld_array(b, t->nenums, sizeof *t->enums);
    t->slot_names = ld_array(b, t->nslots, sizeof *t->slot_names);
    ld_name *names = names_new(b, t->nslots);
    if (!t->params || !t->seq || !t->inst || !t->types || !t->enums || !t->slot_names ||
        (!names && t->nslots))
        return -1;
    uint32_t slot = 0;

    for (uint32_t i = 0; i < t->nparams; i++) {
        const fd_ksy_node *p = params->kids[i];
        fd_param *pa = &t->params[i];
        if (!(pa->id = get_ident(b, fd_ksy_get(p, "id"), "param id")))
            return -1;
        pa->loc = loc_of(b, p);
        pa->doc = get_doc(b, p);
        const fd_ksy_node *en = fd_ksy_val(p, "enum");
        if (en && enum_ref(b, t, en, &pa->enm) != 0)
            return -1;
        if (typeref_from(b, t, m, fd_ksy_val(p, "type"), &pa->type, NULL, en != NULL, true) != 0)
            return -1;
        names[slot] = (ld_name){pa->id, fd_ksy_get(p, "id")};
        t->slot_names[slot++] = pa->id;
    }
    for (uint32_t i = 0; i < t->nseq; i++) {
        const fd_ksy_node *a = seq->kids[i];
        const fd_ksy_node *idn = fd_ksy_val(a, "id");
        const char *id;
        if (idn) {
            id = get_ident(b, idn, "id");
        } else {
            char buf[32];
            snprintf(buf, sizeof buf, "_unnamed%u", i);
            id = ld_intern(b, buf, strlen(buf));
        }
        if (!id || build_attr(b, t, m, a, &t->seq[i], id, false) != 0)
            return -1;
        names[slot] = (ld_name){id, idn ? idn : a};
        t->slot_names[slot++] = id;
    }
    for (uint32_t i = 0, k = 0; insts && i + 1 < insts->nkids; i += 2) {
        const fd_ksy_node *key = insts->kids[i];
        if (key->len && key->s[0] == '-')
            continue;
        const char *id = get_ident(b, key, "instance name");
        if (!id || build_attr(b, t, m, insts->kids[i + 1], &t->inst[k], id, true) != 0)
            return -1;
        t->inst[k].loc = loc_of(b, key);
        names[slot] = (ld_name){id, key};
        t->slot_names[slot++] = id;
        k++;
    }
    if (distinct_names(b, names, slot, "member name", t->qname) != 0)
        return -1;
    for (uint32_t i = 0, k = 0; enums && i + 1 < enums->nkids; i += 2) {
        const fd_ksy_node *key = enums->kids[i];
        if (key->len && key->s[0] == '-')
            continue;
        const char *id = get_ident(b, key, "enum name");
        if (++b->L->nenums > FD_KSY_MAX_ENUMS) {
            fd_ksy_fail_kind(b->L, FD_ERR_LIMIT, b->file, key->line, key->col, "too many enums");
            return -1;
        }
        fd_enum *e = ld_zalloc(b, sizeof *e);
        if (!id || !e || build_enum(b, t, id, enums->kids[i + 1], e) != 0)
            return -1;
        t->enums[k++] = e;
    }
    for (uint32_t i = 0, k = 0; types && i + 1 < types->nkids; i += 2) {
        const fd_ksy_node *key = types->kids[i];
        if (key->len && key->s[0] == '-')
            continue;
        const char *id = get_ident(b, key, "type name");
        if (!id)
            return -1;
        if (!(t->types[k++] = build_type(b, t, id, types->kids[i + 1], m, depth + 1)))
            return -1;
    }
    return 0;
}

static fd_type *build_type(ld *b, fd_type *outer, const char *name, const fd_ksy_node *n,
                           const ld_meta *inh, int depth)
{
    if (depth > FD_KSY_MAX_TYPE_DEPTH) {
        fail_at(b, n, "types nested too deeply");
        return NULL;
    }
    if (++b->L->ntypes > FD_KSY_MAX_TYPES) {
        fd_ksy_fail_kind(b->L, FD_ERR_LIMIT, b->file, n ? n->line : 0, n ? n->col : 0,
                         "too many types");
        return NULL;
    }
    fd_type *t = ld_zalloc(b, sizeof *t);
    if (!t)
        return NULL;
    t->name = name;
    t->qname = outer ? fd_arena_printf(&b->spec->arena, "%s::%s", outer->qname, name) : name;
    t->loc = loc_of(b, n);
    t->outer = outer;
    t->module = b->mod;
    t->fixed_size = -1;
    if (!t->qname) {
        fail_at(b, n, "out of memory");
        return NULL;
    }
    ld_meta m = *inh;
    if (apply_meta(b, t, fd_ksy_val(n, "meta"), &m) != 0)
        return NULL;
    t->endian = m.endian;
    t->bit_le = m.bit_le;
    t->encoding = m.enc_name ? fd_codec_lookup(m.enc_name) : -1;
    t->doc = get_doc(b, n);
    if (get_expr(b, n, "to-string", &t->to_string) != 0)
        return NULL;
    if (build_members(b, t, n, &m, depth) != 0)
        return NULL;
    return t;
}

/* ---- modules and files ---- */

static char *dir_of(fd_arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return fd_arena_strdup(a, ".");
    if (slash == path)
        return fd_arena_strdup(a, "/");
    return fd_arena_strndup(a, path, (size_t)(slash - path));
}

static bool file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int load_imports(ld *b, const fd_ksy_node *imports)
{
    if (fd_ksy_is_null(imports))
        return 0;
    fd_module *mod = b->mod;
    mod->imports = ld_array(b, imports->nkids, sizeof *mod->imports);
    if (!mod->imports)
        return -1;
    for (uint32_t i = 0; i < imports->nkids; i++) {
        const fd_ksy_node *v = imports->kids[i];
        if (v->len == 0)
            return fail_at(b, v, "imports: expected a path");
        char path[PATH_MAX];
        bool found = false;
        if (v->s[0] == '/') {
            fd_spec *spec = b->spec;
            for (size_t d = 0; d < spec->nimport_dirs && !found; d++) {
                int w = snprintf(path, sizeof path, "%s%s.ksy", spec->import_dirs[d], v->s);
                found = w > 0 && (size_t)w < sizeof path && file_exists(path);
            }
            if (!found)
                return fail_at(b, v, "import '%s' not found in the import path", v->s);
        } else {
            int w = snprintf(path, sizeof path, "%s/%s.ksy", b->dir, v->s);
            if (w <= 0 || (size_t)w >= sizeof path)
                return fail_at(b, v, "import '%s': path too long", v->s);
        }
        fd_srcloc loc = loc_of(b, v);
        fd_module *im = fd_ksy_load_path(b->L, path, &loc);
        if (!im)
            return -1;
        mod->imports[mod->nimports++] = im;
    }
    return 0;
}

/* Build a module from .ksy text; `key` identifies the file for load-once. */
fd_module *fd_ksy_build(fd_ksy_loader *L, const char *file, const char *key,
                            const char *text, size_t len)
{
    fd_spec *spec = L->spec;
    fd_arena tmp;
    fd_arena_init(&tmp, (uint64_t)1 << 30);
    ld bld = {L, spec, NULL, NULL, NULL, &tmp};
    ld *b = &bld;
    fd_module *mod = NULL;
    if (!(b->file = fd_intern(&spec->names, file)) || !(b->dir = dir_of(&spec->arena, file))) {
        fd_ksy_fail_kind(L, FD_ERR_NOMEM, file, 0, 0, "out of memory");
        goto out;
    }
    fd_ksy_node *root = L->cache_dir ? fd_ksy_cache_get(&tmp, L->cache_dir, key, text, len) : NULL;
    if (!root) {
        if (!(root = fd_ksy_yaml_parse(&tmp, b->file, text, len, L->err))) {
            L->failed = true;
            goto out;
        }
        if (L->cache_dir)
            fd_ksy_cache_put(L->cache_dir, key, text, len, root);
    }
    if (root->kind != FD_KSY_MAP) {
        fail_at(b, root, "top level: expected a map");
        goto out;
    }
    if (fd_ksy_check(L, b->file, root) != 0)
        goto out;
    const fd_ksy_node *meta = fd_ksy_val(root, "meta");
    const fd_ksy_node *idn = fd_ksy_val(meta, "id");
    if (!idn) {
        fail_at(b, meta, "missing meta/id");
        goto out;
    }
    if (!(mod = ld_zalloc(b, sizeof *mod)))
        goto out;
    b->mod = mod;
    mod->path = b->file;
    if (!(mod->id = get_ident(b, idn, "meta/id")))
        goto fail;
    bool opaque = false;
    if (get_bool(meta, "ks-opaque-types", &opaque) != 0)
        goto fail;
    mod->opaque_types = opaque;
    if (fd_ksy_file_add(L, key, mod) != 0) {
        fd_ksy_fail_kind(L, FD_ERR_NOMEM, file, 0, 0, "out of memory");
        goto fail;
    }
    if (L->tail)
        L->tail->next = mod;
    else
        spec->modules = mod;
    L->tail = mod;
    if (!spec->main)
        spec->main = mod;
    ld_meta m = {FD_END_INHERIT, false, 0, NULL};
    if (!(mod->root = build_type(b, NULL, mod->id, root, &m, 0)))
        goto fail;
    if (load_imports(b, fd_ksy_get(meta, "imports")) != 0)
        goto fail;
    fd_arena_free(&tmp);
    return mod;
fail:
    mod = NULL;
out:
    fd_arena_free(&tmp);
    return mod;
}

