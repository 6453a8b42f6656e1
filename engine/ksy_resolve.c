/* ksy_resolve.c - loader's second pass: resolve type and enum names, expression type paths, fixed sizes, magic. */
#include "ksy_load.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* fixed_size markers while the pass runs. */
#define FS_UNKNOWN (-3)
#define FS_BUSY (-2)

static void path_text(const char *const *path, uint32_t n, bool abs, char *buf, size_t cap)
{
    size_t k = 0;
    buf[0] = 0;
    if (abs)
        k += (size_t)snprintf(buf, cap, "::");
    for (uint32_t i = 0; i < n && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%s", i ? "::" : "", path[i]);
}

/* An opaque type NAME is NAME.ksy in the import path or next to the spec. */
static fd_module *load_opaque(fd_ksy_loader *L, const fd_ksy_ref *r)
{
    fd_spec *spec = L->spec;
    const char *name = r->path[r->npath - 1];
    char path[PATH_MAX];
    struct stat st;
    for (size_t i = 0; i <= spec->nimport_dirs; i++) {
        int w;
        if (i < spec->nimport_dirs) {
            w = snprintf(path, sizeof path, "%s/%s.ksy", spec->import_dirs[i], name);
        } else {
            const char *mp = r->scope->module->path;
            const char *slash = strrchr(mp, '/');
            if (slash)
                w = snprintf(path, sizeof path, "%.*s/%s.ksy", (int)(slash - mp), mp, name);
            else
                w = snprintf(path, sizeof path, "%s.ksy", name);
        }
        if (w > 0 && (size_t)w < sizeof path && stat(path, &st) == 0 && S_ISREG(st.st_mode))
            return fd_ksy_load_path(L, path, &r->loc);
    }
    return NULL;
}

static int resolve_ref(fd_ksy_loader *L, size_t i)
{
    fd_ksy_ref r = L->refs[i];
    char name[256];
    path_text(r.path, r.npath, r.abs_path, name, sizeof name);
    if (r.enm) {
        *r.enm = fd_spec_find_enum(L->spec, r.scope, r.path, r.npath, r.abs_path);
        if (!*r.enm) {
            fd_ksy_fail(L, r.loc.file, r.loc.line, r.loc.col, "unknown enum '%s'", name);
            return -1;
        }
        return 0;
    }
    fd_type *t = fd_spec_find_type(L->spec, r.scope, r.path, r.npath, r.abs_path);
    if (!t && r.npath == 1 && !r.abs_path && r.scope->module->opaque_types) {
        fd_module *m = load_opaque(L, &r);
        if (L->failed)
            return -1;
        if (m) {
            t = m->root;
            r.tr->opaque = true;
        }
    }
    if (!t) {
        fd_ksy_fail(L, r.loc.file, r.loc.line, r.loc.col, "unknown type '%s'", name);
        return -1;
    }
    /* Opaque types are external to the description, so their arity is not its business. */
    if (!r.is_param && !r.tr->opaque && r.tr->nargs != t->nparams) {
        fd_ksy_fail(L, r.loc.file, r.loc.line, r.loc.col, "type '%s' takes %u argument%s, %u given",
                    name, t->nparams, t->nparams == 1 ? "" : "s", r.tr->nargs);
        return -1;
    }
    r.tr->user = t;
    return 0;
}

/* Enum labels of the whole spec in one hash table, so resolving an enum
 * literal costs one probe instead of a scan of the enum. */
typedef struct label_slot {
    const fd_enum *e;
    const char *label;
    uint64_t value;
} label_slot;

typedef struct resolver {
    fd_ksy_loader *L;
    fd_spec *spec;
    label_slot *labels;
    size_t cap;             /* power of two */
    size_t nodes;           /* enum literals and type names bound so far */
} resolver;

#define RS_MAX_NODES (1u << 17)

static size_t label_hash(const resolver *R, const fd_enum *e, const char *label)
{
    uint64_t h = ((uint64_t)(uintptr_t)e * 0x9e3779b97f4a7c15ull) ^ (uint64_t)(uintptr_t)label;
    h *= 0xff51afd7ed558ccdull;
    return (size_t)(h ^ (h >> 29)) & (R->cap - 1);
}

static label_slot *label_find(const resolver *R, const fd_enum *e, const char *label)
{
    size_t i = label_hash(R, e, label);
    while (R->labels[i].e && !(R->labels[i].e == e && R->labels[i].label == label))
        i = (i + 1) & (R->cap - 1);
    return &R->labels[i];
}

static void labels_add(resolver *R, const fd_type *t)
{
    for (uint32_t k = 0; k < t->nenums; k++) {
        const fd_enum *e = t->enums[k];
        for (uint32_t i = 0; i < e->nitems; i++) {
            label_slot *sl = label_find(R, e, e->items[i].label);
            if (!sl->e) {
                sl->e = e;
                sl->label = e->items[i].label;
                sl->value = e->items[i].value;
            }
        }
    }
    for (uint32_t i = 0; i < t->ntypes; i++)
        labels_add(R, t->types[i]);
}

static bool label_value(void *ctx, const fd_enum *e, const char *label, uint64_t *value)
{
    const label_slot *sl = label_find(ctx, e, label);
    if (!sl->e)
        return false;
    *value = sl->value;
    return true;
}

/* Bind an expression (engine/eval.c): its enum literals, type paths, member
 * slots and literal byte arrays are fixed now, so the loaded spec is never
 * written again.  An expression of type T always runs with a T as `this`. */
static void resolve_expr(resolver *R, const fd_type *scope, fd_expr *e)
{
    if (!e || R->L->failed)
        return;
    fd_bind b = {&R->spec->arena, R->spec, &R->spec->nsites, label_value, R, R->nodes};
    if (fd_expr_bind(&b, scope, e) != 0) {
        fd_ksy_fail_kind(R->L, FD_ERR_NOMEM, scope->loc.file, scope->loc.line, scope->loc.col, "out of memory");
        return;
    }
    R->nodes = b.named;
    if (R->nodes > RS_MAX_NODES)
        fd_ksy_fail_kind(R->L, FD_ERR_LIMIT, scope->loc.file, scope->loc.line, scope->loc.col,
                         "too many enum literals and type names in expressions");
}

static void resolve_exprs(resolver *R, const fd_type *t, fd_expr **v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        resolve_expr(R, t, v[i]);
}

static void resolve_typeref(resolver *R, const fd_type *t, const fd_typeref *tr)
{
    resolve_exprs(R, t, tr->args, tr->nargs);
    if (tr->sw) {
        resolve_expr(R, t, tr->sw->on);
        for (uint32_t i = 0; i < tr->sw->ncases; i++) {
            resolve_expr(R, t, tr->sw->keys[i]);
            resolve_typeref(R, t, &tr->sw->types[i]);
        }
    }
}

static void resolve_attr(resolver *R, const fd_type *t, fd_attr *a)
{
    resolve_typeref(R, t, &a->type);
    fd_expr *one[] = {a->size, a->repeat_expr, a->if_expr, a->parent, a->pos, a->io, a->value,
                      a->valid.eq, a->valid.min, a->valid.max, a->valid.expr};
    resolve_exprs(R, t, one, sizeof one / sizeof *one);
    resolve_exprs(R, t, a->valid.any_of, a->valid.nany);
    resolve_exprs(R, t, a->proc_args, a->nproc_args);
    if (a->proc == FD_PROC_CUSTOM)
        a->proc_ref = fd_process_lookup(a->proc_name);
}

static void resolve_type(resolver *R, fd_type *t)
{
    t->fixed_size = FS_UNKNOWN;
    resolve_expr(R, t, t->to_string);
    if (t->endian_sw) {
        resolve_expr(R, t, t->endian_sw->on);
        resolve_exprs(R, t, t->endian_sw->keys, t->endian_sw->ncases);
    }
    for (uint32_t i = 0; i < t->nseq; i++)
        resolve_attr(R, t, &t->seq[i]);
    for (uint32_t i = 0; i < t->ninst; i++)
        resolve_attr(R, t, &t->inst[i]);
    for (uint32_t i = 0; i < t->ntypes; i++)
        resolve_type(R, t->types[i]);
}

static int resolve_all_exprs(fd_ksy_loader *L)
{
    resolver R = {L, L->spec, NULL, 16, 0};
    while (R.cap < L->nitems * 2)
        R.cap *= 2;
    if (!(R.labels = calloc(R.cap, sizeof *R.labels))) {
        fd_ksy_fail_kind(L, FD_ERR_NOMEM, L->spec->main->path, 0, 0, "out of memory");
        return -1;
    }
    for (fd_module *m = L->spec->modules; m; m = m->next)
        labels_add(&R, m->root);
    for (fd_module *m = L->spec->modules; m; m = m->next)
        resolve_type(&R, m->root);
    free(R.labels);
    return L->failed ? -1 : 0;
}

/* ---- static sizes ---- */

#define FS_CAP ((int64_t)1 << 56)

static int64_t type_size(fd_type *t, int depth);

static bool int_lit(const fd_expr *e, int64_t *v)
{
    if (!e || e->op != FD_OP_INT || e->uflag || e->lit.ival < 0 || e->lit.ival > FS_CAP)
        return false;
    *v = e->lit.ival;
    return true;
}

/* Bits one attribute occupies; *aligned when it starts on a byte boundary. */
static int64_t attr_bits(const fd_attr *a, bool *aligned, int depth)
{
    *aligned = true;
    if (a->if_expr || a->size_eos || a->repeat == FD_REP_EOS || a->repeat == FD_REP_UNTIL)
        return -1;
    int64_t elem, n;
    const fd_typeref *tr = &a->type;
    if (a->size) {
        if (!int_lit(a->size, &n))
            return -1;
        elem = n * 8;
    } else if (a->contents) {
        elem = (int64_t)a->ncontents * 8;
    } else {
        switch (tr->prim) {
        case FD_P_UINT:
        case FD_P_SINT:
        case FD_P_FLOAT:
            elem = tr->width * 8;
            break;
        case FD_P_BITS:
        case FD_P_BOOL:
            elem = tr->width;
            *aligned = false;
            break;
        case FD_P_USER:
            if (tr->nargs || !tr->user || tr->user->nparams)
                return -1;
            elem = type_size(tr->user, depth + 1);
            if (elem < 0)
                return -1;
            elem *= 8;
            break;
        default:
            return -1;
        }
    }
    if (a->repeat == FD_REP_EXPR) {
        if (!int_lit(a->repeat_expr, &n) || (n && elem > FS_CAP / n))
            return -1;
        elem *= n;
    }
    return elem;
}

static int64_t type_size(fd_type *t, int depth)
{
    if (t->fixed_size != FS_UNKNOWN)
        return t->fixed_size == FS_BUSY ? -1 : t->fixed_size;
    if (depth > 64)
        return -1;
    t->fixed_size = FS_BUSY;
    int64_t bits = 0;
    for (uint32_t i = 0; i < t->nseq && bits >= 0; i++) {
        bool aligned;
        int64_t n = attr_bits(&t->seq[i], &aligned, depth);
        if (n < 0 || n > FS_CAP || bits > FS_CAP) {
            bits = -1;
            break;
        }
        if (aligned)
            bits = (bits + 7) / 8 * 8;
        bits += n;
    }
    t->fixed_size = bits < 0 ? -1 : (bits + 7) / 8;
    return t->fixed_size;
}

static void size_types(fd_type *t)
{
    type_size(t, 0);
    for (uint32_t i = 0; i < t->ntypes; i++)
        size_types(t->types[i]);
}

/* ---- detection magic ---- */

/* The root's leading attributes with fixed bytes give the magics: the product
 * of their choices.  Caps keep a description listing many any-of values cheap. */
#define MAGIC_MAX_ALTS 64

/* The byte-array literals a `valid` lists (eq or any-of); NULL for other kinds. */
static fd_expr *const *valid_lists(const fd_valid *v, uint32_t *n)
{
    *n = v->kind == FD_VALID_EQ ? 1 : v->kind == FD_VALID_ANY_OF ? v->nany : 0;
    return v->kind == FD_VALID_EQ ? &v->eq : v->kind == FD_VALID_ANY_OF ? v->any_of : NULL;
}

/* How many fixed byte strings of *width bytes attribute a can hold: 1 for
 * `contents`; for raw bytes of a literal size, each `valid` byte-array literal
 * of that size (others can never match).  0 when its bytes are not fixed. */
static uint32_t attr_choices(const fd_attr *a, uint32_t *width)
{
    *width = 0;
    if (a->if_expr || a->repeat != FD_REP_NONE)
        return 0;
    if (a->contents) {
        *width = a->ncontents;
        return a->ncontents ? 1 : 0;
    }
    int64_t size;
    if (a->type.prim != FD_P_BYTES || a->size_eos || a->terminator >= 0 || a->pad_right >= 0 ||
        a->proc != FD_PROC_NONE || !int_lit(a->size, &size) || size == 0 || size > UINT32_MAX)
        return 0;
    uint32_t nlists, n = 0;
    fd_expr *const *lists = valid_lists(&a->valid, &nlists);
    for (uint32_t i = 0; i < nlists; i++) {
        if (!lists[i] || lists[i]->op != FD_OP_LIST || !lists[i]->bytes_list)
            return 0;
        n += lists[i]->nargs == (uint64_t)size;
    }
    *width = (uint32_t)size;
    return n;
}

/* Choice c of attribute a (width bytes) into out. */
static void choice_bytes(const fd_attr *a, uint32_t c, uint32_t width, uint8_t *out)
{
    if (a->contents) {
        memcpy(out, a->contents, width);
        return;
    }
    uint32_t nlists;
    fd_expr *const *lists = valid_lists(&a->valid, &nlists);
    for (uint32_t i = 0; i < nlists; i++) {
        if (lists[i]->nargs != width)
            continue;
        if (c > 0) {
            c--;
            continue;
        }
        for (uint32_t k = 0; k < width; k++)
            out[k] = (uint8_t)lists[i]->args[k]->lit.ival;
        return;
    }
}

static int magic(fd_ksy_loader *L)
{
    fd_spec *spec = L->spec;
    const fd_type *root = spec->main->root;
    uint32_t k = 0, nalts = 1;
    uint64_t len = 0;
    for (; k < root->nseq; k++) {
        uint32_t w, n = attr_choices(&root->seq[k], &w);
        if (!n || nalts > MAGIC_MAX_ALTS / n || (uint64_t)nalts * n * (len + w) > FD_KSY_MAX_FILE)
            break;
        nalts *= n;
        len += w;
    }
    if (!len)
        return 0;
    fd_magic *m = fd_arena_alloc(&spec->arena, nalts * sizeof *m);
    uint8_t *bytes = fd_arena_alloc(&spec->arena, (size_t)(nalts * len));
    if (!m || !bytes) {
        fd_ksy_fail_kind(L, FD_ERR_NOMEM, spec->main->path, 0, 0, "out of memory");
        return -1;
    }
    /* Alternative i picks its choices as the digits of i, the last attribute fastest. */
    uint64_t off = len;
    uint32_t stride = 1;
    for (uint32_t j = k; j-- > 0;) {
        uint32_t w, n = attr_choices(&root->seq[j], &w);
        off -= w;
        for (uint32_t i = 0; i < nalts; i++)
            choice_bytes(&root->seq[j], i / stride % n, w, bytes + i * len + off);
        stride *= n;
    }
    for (uint32_t i = 0; i < nalts; i++)
        m[i] = (fd_magic){bytes + i * len, (uint32_t)len};
    spec->magics = m;
    spec->nmagics = nalts;
    return 0;
}

int fd_ksy_resolve(fd_ksy_loader *L)
{
    for (size_t i = 0; i < L->nrefs; i++)
        if (resolve_ref(L, i) != 0)
            return -1;
    if (L->failed)
        return -1;
    if (resolve_all_exprs(L) != 0)
        return -1;
    for (fd_module *m = L->spec->modules; m; m = m->next)
        size_types(m->root);
    return magic(L);
}
