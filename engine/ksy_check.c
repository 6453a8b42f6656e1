/* ksy_check.c - check a .ksy's YAML tree against the key table (ksy_keys.h) before anything is built. */
#include "ksy_load.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksy_keys.h"

enum {
#define KIND(name, desc) KV_##name,
    FD_KSY_KINDS(KIND)
#undef KIND
};

static const char *const kind_desc[] = {
#define KIND(name, desc) desc,
    FD_KSY_KINDS(KIND)
#undef KIND
};

typedef struct key_def {
    const char *name;
    unsigned places, required;
    int kind;
    unsigned on;            /* FD_KT_ classes, for attribute keys */
} key_def;

static const key_def key_table[] = {
#define KEY(name, places, req, kind, on, meaning) {name, places, req, KV_##kind, FD_KT_##on},
    FD_KSY_KEYS(KEY)
#undef KEY
};
#define NKEYS (sizeof key_table / sizeof *key_table)

/* Indexed by the bit number of an FD_KP_ place. */
static const char *const place_name[FD_KP_COUNT] = {
    "the top-level type spec", "a type spec", "meta", "a seq attribute", "an instance",
    "a value instance", "a param", "an enum item", "a type switch", "a valid map",
    "an endian switch"};

/* Indexed by the bit number of an FD_KT_ class. */
static const char *const class_name[] = {"bytes, user types and switches", "str and strz",
                                         "integer types", "float types"};

/* A map key for the duplicate search: integers (enum values, case values)
 * compare by value, other keys by text; ties keep document order. */
typedef struct dup_key {
    const fd_ksy_node *k;
    uint64_t v;
    int cls;                /* 0 text, 1 integer >= 0, 2 negative integer */
} dup_key;

typedef struct ck {
    fd_ksy_loader *L;
    const char *file;
    char path[256];         /* YAML path of the node being checked, e.g. types/t/seq/2 */
    size_t plen;
    dup_key *dups;          /* scratch for the duplicate search */
    size_t capdups;
} ck;

static const char *place_of(unsigned place)
{
    for (unsigned i = 0; i < FD_KP_COUNT; i++)
        if (place == 1u << i)
            return place_name[i];
    return "this map";
}

/* A description error at n, prefixed with the current YAML path. */
static int __attribute__((format(printf, 3, 4))) fail(ck *c, const fd_ksy_node *n,
                                                      const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->plen)
        fd_ksy_fail(c->L, c->file, n->line, n->col, "%s: %s", c->path, msg);
    else
        fd_ksy_fail(c->L, c->file, n->line, n->col, "%s", msg);
    return -1;
}

static size_t push(ck *c, const char *s, size_t n)
{
    /* Runs for every key of the description: a copy, not a printf. */
    size_t old = c->plen, k = old, room = sizeof c->path - 1;
    if (old && k < room)
        c->path[k++] = '/';
    if (n > room - k)
        n = room - k;
    memcpy(c->path + k, s, n);
    k += n;
    c->path[k] = 0;
    c->plen = k;
    return old;
}

static size_t push_index(ck *c, uint32_t i)
{
    char buf[16];
    int w = snprintf(buf, sizeof buf, "%u", i);
    return push(c, buf, (size_t)w);
}

static void pop(ck *c, size_t old)
{
    c->plen = old;
    c->path[old] = 0;
}

/* ---- duplicate keys ---- */

/* Order of keys, position aside: 0 when they are the same key. */
static int key_cmp(const dup_key *a, const dup_key *b)
{
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;
    if (a->cls)
        return a->v < b->v ? -1 : a->v > b->v;
    size_t n = a->k->len < b->k->len ? a->k->len : b->k->len;
    int r = memcmp(a->k->s, b->k->s, n);
    if (r || a->k->len == b->k->len)
        return r;
    return a->k->len < b->k->len ? -1 : 1;
}

static int dup_cmp(const void *x, const void *y)
{
    const dup_key *a = x, *b = y;
    int r = key_cmp(a, b);
    if (r)
        return r;
    if (a->k->line != b->k->line)
        return a->k->line < b->k->line ? -1 : 1;
    return a->k->col < b->k->col ? -1 : a->k->col > b->k->col;
}

/* Integer keys a then b in increasing numeric order. */
static bool increasing(const dup_key *a, const dup_key *b)
{
    if (!a->cls || !b->cls)
        return false;
    if (a->cls != b->cls)
        return a->cls == 2;
    return a->cls == 1 ? a->v < b->v : a->v > b->v;
}

static int dup_fail(ck *c, const dup_key *first, const dup_key *second)
{
    size_t old = push(c, second->k->s, second->k->len);
    fail(c, second->k, "duplicate key '%s' (first at %u:%u)", second->k->s, first->k->line,
         first->k->col);
    pop(c, old);
    return -1;
}

/* Keys of map m must be distinct; with by_value, plain integer keys are
 * compared as numbers (`16` and `0x10` are one key, as SnakeYAML reads them). */
static int check_dups(ck *c, const fd_ksy_node *m, bool by_value)
{
    uint32_t n = m->nkids / 2;
    if (n < 2)
        return 0;
    if (n > c->capdups) {
        dup_key *d = realloc(c->dups, n * sizeof *d);
        if (!d) {
            fd_ksy_fail_kind(c->L, FD_ERR_NOMEM, c->file, m->line, m->col, "out of memory");
            return -1;
        }
        c->dups = d;
        c->capdups = n;
    }
    for (uint32_t i = 0; i < n; i++) {
        const fd_ksy_node *k = m->kids[2 * i];
        dup_key *d = &c->dups[i];
        bool neg;
        d->k = k;
        d->cls = 0;
        if (by_value && k->style == FD_KSY_PLAIN && fd_ksy_int(k, &d->v, &neg))
            d->cls = neg && d->v ? 2 : 1;
    }
    const dup_key *first = NULL, *second = NULL;
    if (n <= 8) {
        /* Attribute maps are small: compare pairwise, in document order. */
        for (uint32_t j = 1; j < n && !second; j++)
            for (uint32_t i = 0; i < j && !second; i++)
                if (key_cmp(&c->dups[i], &c->dups[j]) == 0) {
                    first = &c->dups[i];
                    second = &c->dups[j];
                }
        return second ? dup_fail(c, first, second) : 0;
    }
    /* Enum values are mostly written in increasing order: nothing to sort. */
    uint32_t up = 1;
    while (up < n && increasing(&c->dups[up - 1], &c->dups[up]))
        up++;
    if (up == n)
        return 0;
    qsort(c->dups, n, sizeof *c->dups, dup_cmp);
    for (uint32_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && key_cmp(&c->dups[i], &c->dups[j]) == 0;)
            j++;
        if (j - i > 1) {
            const fd_ksy_node *k = c->dups[i + 1].k;
            if (!second || k->line < second->k->line ||
                (k->line == second->k->line && k->col < second->k->col)) {
                first = &c->dups[i];
                second = &c->dups[i + 1];
            }
        }
    }
    return second ? dup_fail(c, first, second) : 0;
}

/* ---- keys against the table ---- */

/* Edit distance of two short keys, a swap of neighbours counting as one
 * edit (`enmu` is one from `enum`); capped at 3. */
static unsigned distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31)
        return 3;
    unsigned d[32][32];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            unsigned best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb] < 3 ? d[la][lb] : 3;
}

static int unknown_key(ck *c, const fd_ksy_node *k, unsigned place)
{
    const key_def *near = NULL;
    unsigned best = 3;
    bool known = false;
    unsigned where = 0;
    for (size_t i = 0; i < NKEYS; i++) {
        if (strcmp(key_table[i].name, k->s) == 0) {
            known = true;
            where |= key_table[i].places;
        } else if (key_table[i].places & place) {
            unsigned d = distance(k->s, key_table[i].name);
            if (d < best && d * 3 <= strlen(k->s)) {
                best = d;
                near = &key_table[i];
            }
        }
    }
    if (known) {
        char list[160] = "";
        size_t n = 0;
        for (unsigned i = 0; i < FD_KP_COUNT && n < sizeof list; i++)
            if (where & (1u << i))
                n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "",
                                      place_name[i]);
        return fail(c, k, "key '%s' is not allowed in %s (only in %s)", k->s, place_of(place),
                    list);
    }
    if (near)
        return fail(c, k, "unknown key '%s' in %s (did you mean '%s'?)", k->s, place_of(place),
                    near->name);
    return fail(c, k, "unknown key '%s' in %s", k->s, place_of(place));
}

static int check_map(ck *c, const fd_ksy_node *m, unsigned place);
static int check_value(ck *c, const fd_ksy_node *v, int kind);

static bool extension_key(const fd_ksy_node *k) { return k->len && k->s[0] == '-'; }

static int wrong_kind(ck *c, const fd_ksy_node *v, int kind)
{
    return fail(c, v, "expected %s", kind_desc[kind]);
}

/* The class of an attribute's type, read from the YAML as ksc reads it. */
static unsigned attr_class(const fd_ksy_node *m)
{
    const fd_ksy_node *t = fd_ksy_get(m, "type");
    if (!fd_ksy_is_scalar(t) || fd_ksy_is_null(t))
        return FD_KT_BYTES;
    const char *s = t->s;
    size_t n = t->len;
    fd_ksy_trim(&s, &n);
    if ((n == 3 && memcmp(s, "str", 3) == 0) || (n == 4 && memcmp(s, "strz", 4) == 0))
        return FD_KT_STR;
    if (n < 2 || !strchr("usbf", s[0]) || !(s[1] >= '0' && s[1] <= '9'))
        return FD_KT_BYTES;
    size_t i = 1;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i != n && !(i + 2 == n && (memcmp(s + i, "le", 2) == 0 || memcmp(s + i, "be", 2) == 0)))
        return FD_KT_BYTES;
    /* Other widths (`f6`, `u3`) are names of user types. */
    char w = i == 2 ? s[1] : 0;
    if (s[0] == 'b')
        return FD_KT_INT;
    if (s[0] == 'f')
        return w == '4' || w == '8' ? FD_KT_FLOAT : FD_KT_BYTES;
    return w && strchr("1248", w) ? FD_KT_INT : FD_KT_BYTES;
}

static int wrong_class(ck *c, const fd_ksy_node *k, const fd_ksy_node *m, const key_def *def)
{
    char list[160] = "";
    size_t n = 0;
    for (unsigned i = 0; i < sizeof class_name / sizeof *class_name && n < sizeof list; i++)
        if (def->on & (1u << i))
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", class_name[i]);
    const fd_ksy_node *t = fd_ksy_get(m, "type");
    const char *what = fd_ksy_is_scalar(t) && !fd_ksy_is_null(t) ? t->s : "bytes";
    return fail(c, k, "key '%s' is not allowed with type %s (only with %s)", k->s, what, list);
}

static int check_map(ck *c, const fd_ksy_node *m, unsigned place)
{
    if (check_dups(c, m, false) != 0)
        return -1;
    unsigned cls = place & FD_KP_ATTR ? attr_class(m) : FD_KT_ANY;
    for (uint32_t i = 0; i + 1 < m->nkids; i += 2) {
        const fd_ksy_node *k = m->kids[i];
        if (extension_key(k))
            continue;
        const key_def *def = NULL;
        for (size_t j = 0; j < NKEYS && !def; j++)
            if ((key_table[j].places & place) && key_table[j].name[0] == k->s[0] &&
                strcmp(key_table[j].name, k->s) == 0)
                def = &key_table[j];
        size_t old = push(c, k->s, k->len);
        int r = !def             ? unknown_key(c, k, place)
                : def->on & cls ? check_value(c, m->kids[i + 1], def->kind)
                                 : wrong_class(c, k, m, def);
        pop(c, old);
        if (r != 0)
            return -1;
    }
    for (size_t j = 0; j < NKEYS; j++)
        if ((key_table[j].required & place) && fd_ksy_is_null(fd_ksy_get(m, key_table[j].name)))
            return fail(c, m, "missing %s in %s", key_table[j].name, place_of(place));
    return 0;
}

/* Items of a list, each a map of `place`, or each a scalar when place is 0. */
static int check_items(ck *c, const fd_ksy_node *v, unsigned place, int kind)
{
    if (v->kind != FD_KSY_SEQ)
        return wrong_kind(c, v, kind);
    for (uint32_t i = 0; i < v->nkids; i++) {
        const fd_ksy_node *it = v->kids[i];
        size_t old = push_index(c, i);
        int r = 0;
        if (place && it->kind == FD_KSY_MAP)
            r = check_map(c, it, place);
        else if (place)
            r = fail(c, it, "expected a map of the keys of %s", place_of(place));
        else if (it->kind != FD_KSY_SCALAR)
            r = fail(c, it, "expected a plain value, not a %s",
                     it->kind == FD_KSY_MAP ? "map" : "list");
        pop(c, old);
        if (r != 0)
            return -1;
    }
    return 0;
}

/* A map from names (or values) to entries; `entry` checks one entry. */
static int check_named(ck *c, const fd_ksy_node *v, int kind, bool by_value, bool skip_ext,
                       int (*entry)(ck *, const fd_ksy_node *))
{
    if (v->kind != FD_KSY_MAP)
        return wrong_kind(c, v, kind);
    if (check_dups(c, v, by_value) != 0)
        return -1;
    for (uint32_t i = 0; i + 1 < v->nkids; i += 2) {
        const fd_ksy_node *k = v->kids[i], *e = v->kids[i + 1];
        if ((skip_ext && extension_key(k)) || fd_ksy_is_null(e))
            continue;
        size_t old = push(c, k->s, k->len);
        int r = entry(c, e);
        pop(c, old);
        if (r != 0)
            return -1;
    }
    return 0;
}

static int type_entry(ck *c, const fd_ksy_node *e)
{
    if (e->kind != FD_KSY_MAP)
        return fail(c, e, "expected a type spec map");
    return check_map(c, e, FD_KP_TYPE);
}

static int instance_entry(ck *c, const fd_ksy_node *e)
{
    if (e->kind != FD_KSY_MAP)
        return fail(c, e, "expected an instance spec map");
    return check_map(c, e, fd_ksy_get(e, "value") ? FD_KP_VINST : FD_KP_INST);
}

static int enum_item(ck *c, const fd_ksy_node *e)
{
    if (e->kind == FD_KSY_MAP)
        return check_map(c, e, FD_KP_ENUMV);
    if (e->kind != FD_KSY_SCALAR)
        return fail(c, e, "expected a label or a map {id, doc}");
    return 0;
}

static int enum_entry(ck *c, const fd_ksy_node *e)
{
    return check_named(c, e, KV_ENUMS, true, false, enum_item);
}

static int type_case(ck *c, const fd_ksy_node *e)
{
    if (e->kind == FD_KSY_MAP)
        return check_map(c, e, FD_KP_SWITCH);
    if (e->kind != FD_KSY_SCALAR)
        return wrong_kind(c, e, KV_TYPEREF);
    return 0;
}

static int scalar_entry(ck *c, const fd_ksy_node *e)
{
    return e->kind == FD_KSY_SCALAR ? 0 : fail(c, e, "expected le or be");
}

static int xref_entry(ck *c, const fd_ksy_node *e)
{
    return e->kind == FD_KSY_SCALAR ? 0 : check_items(c, e, 0, KV_STRS);
}

static int scalar_or_map(ck *c, const fd_ksy_node *v, int kind, unsigned place)
{
    if (v->kind == FD_KSY_MAP)
        return check_map(c, v, place);
    return v->kind == FD_KSY_SCALAR ? 0 : wrong_kind(c, v, kind);
}

static int check_value(ck *c, const fd_ksy_node *v, int kind)
{
    if (fd_ksy_is_null(v))
        return 0;
    uint64_t mag;
    bool neg;
    switch (kind) {
    case KV_STR:
    case KV_IDENT:
    case KV_EXPR:
        return v->kind == FD_KSY_SCALAR ? 0 : wrong_kind(c, v, kind);
    case KV_BOOL:
        return fd_ksy_bool(v) >= 0 ? 0 : wrong_kind(c, v, kind);
    case KV_INT:
        return fd_ksy_int(v, &mag, &neg) ? 0 : wrong_kind(c, v, kind);
    case KV_STRS:
        return v->kind == FD_KSY_SCALAR ? 0 : check_items(c, v, 0, kind);
    case KV_LIST:
        return check_items(c, v, 0, kind);
    case KV_META:
        return v->kind == FD_KSY_MAP ? check_map(c, v, FD_KP_META) : wrong_kind(c, v, kind);
    case KV_SEQ:
        return check_items(c, v, FD_KP_SEQ, kind);
    case KV_PARAMS:
        return check_items(c, v, FD_KP_PARAM, kind);
    case KV_TYPES:
        return check_named(c, v, kind, false, true, type_entry);
    case KV_INSTANCES:
        return check_named(c, v, kind, false, true, instance_entry);
    case KV_ENUMS:
        return check_named(c, v, kind, false, true, enum_entry);
    case KV_TYPEREF:
        return scalar_or_map(c, v, kind, FD_KP_SWITCH);
    case KV_ENDIAN:
        return scalar_or_map(c, v, kind, FD_KP_ENDSW);
    case KV_VALID:
        return scalar_or_map(c, v, kind, FD_KP_VALID);
    case KV_TCASES:
        return check_named(c, v, kind, true, false, type_case);
    case KV_ECASES:
        return check_named(c, v, kind, true, false, scalar_entry);
    default:
        return check_named(c, v, kind, false, false, xref_entry);
    }
}

int fd_ksy_check(fd_ksy_loader *L, const char *file, const fd_ksy_node *root)
{
    ck c;
    memset(&c, 0, sizeof c);
    c.L = L;
    c.file = file;
    int r = check_map(&c, root, FD_KP_TOP);
    free(c.dups);
    return r;
}
