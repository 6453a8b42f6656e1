/* interp.c - walks a type's tables over a stream: seq eagerly, instances lazily and memoized. */
#include "interp.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

/* ---- side table ------------------------------------------------------ */

static uint64_t side_slot(uintptr_t key, uint64_t mask)
{
    return ((uint64_t)key * UINT64_C(0x9e3779b97f4a7c15)) >> 17 & mask;
}

static void *side_get(const fd_doc *doc, const fd_obj *o, unsigned tag)
{
    uintptr_t key = (uintptr_t)o | tag;
    if (!doc->side_cap)
        return NULL;
    for (uint64_t h = side_slot(key, doc->side_cap - 1);; h = (h + 1) & (doc->side_cap - 1)) {
        if (doc->side[h].key == key)
            return doc->side[h].val;
        if (!doc->side[h].key)
            return NULL;
    }
}

static bool side_put(fd_doc *doc, const fd_obj *o, unsigned tag, void *val)
{
    if ((doc->nside + 1) * 2 > doc->side_cap) {
        uint64_t cap = doc->side_cap ? doc->side_cap * 2 : 64;
        fd_side *tab = fd_arena_zalloc(&doc->arena, (size_t)cap * sizeof *tab);
        if (!tab)
            return false;
        for (uint64_t i = 0; i < doc->side_cap; i++) {
            if (!doc->side[i].key)
                continue;
            uint64_t h = side_slot(doc->side[i].key, cap - 1);
            while (tab[h].key)
                h = (h + 1) & (cap - 1);
            tab[h] = doc->side[i];
        }
        doc->side = tab;
        doc->side_cap = cap;
    }
    uintptr_t key = (uintptr_t)o | tag;
    uint64_t h = side_slot(key, doc->side_cap - 1);
    while (doc->side[h].key && doc->side[h].key != key)
        h = (h + 1) & (doc->side_cap - 1);
    if (!doc->side[h].key)
        doc->nside++;
    doc->side[h] = (fd_side){ key, val };
    return true;
}

fd_obj *fd_obj_owner(const fd_obj *o)
{
    if (o->links & FD_OL_OWNER_PARENT)
        return o->parent;
    return o->links & FD_OL_OWNER_SIDE ? side_get(o->doc, o, FD_OL_OWNER_SIDE) : NULL;
}

fd_errrec *fd_obj_err(const fd_obj *o)
{
    return o->links & FD_OL_ERR ? side_get(o->doc, o, FD_OL_ERR) : NULL;
}

/* ---- errors ---------------------------------------------------------- */

/* Append "/name" or "/name/index" to buf, never past cap. */
static size_t path_add(char *buf, size_t cap, size_t len, const char *name, int64_t index)
{
    char *at = buf + (len < cap ? len : cap);
    size_t room = len < cap ? cap - len : 0;
    int n = index >= 0 ? snprintf(at, room, "/%s/%lld", name, (long long)index) : snprintf(at, room, "/%s", name);
    return len + (n > 0 ? (size_t)n : 0);
}

void fd_obj_path(const fd_obj *obj, const char *field, int64_t index, char *buf, size_t cap)
{
    /* Collect the owner chain leaf-first, then print it root-first. */
    const fd_obj *chain[FD_MAX_DEPTH * 2];
    size_t n = 0;
    for (const fd_obj *o = obj; o && fd_obj_owner(o) && n < sizeof chain / sizeof *chain; o = fd_obj_owner(o))
        chain[n++] = o;
    size_t len = 0;
    buf[0] = 0;
    for (size_t k = n; k-- > 0;)
        len = path_add(buf, cap, len, fd_obj_owner(chain[k])->type->slot_names[chain[k]->owner_slot],
                       chain[k]->owner_index);
    if (field)
        len = path_add(buf, cap, len, field, index);
    if (len == 0 && cap > 1) {
        buf[0] = '/';
        buf[1] = 0;
    }
}

/* Length of the valid UTF-8 sequence at p (NUL-terminated), 0 when invalid. */
static size_t utf8_seq(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if (p[k] < 0x80 || p[k] > 0xbf)
            return 0;
    return n;
}

/* Input bytes reach messages (value_repr, strings): control characters, C1
 * controls and invalid UTF-8 become \xNN, so an error stays one line and
 * cannot drive a terminal. */
static void escape_text(const char *in, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t k = 0;
    while (*p) {
        size_t n = utf8_seq(p);
        bool esc = n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f)) || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0);
        size_t m = n ? n : 1;
        if (k + (esc ? 4 * m : m) + 1 > cap)
            break;
        for (size_t j = 0; j < m; j++, p++) {
            if (esc)
                k += (size_t)snprintf(out + k, cap - k, "\\x%02X", *p);
            else
                out[k++] = (char)*p;
        }
    }
    out[k] = 0;
}

/* Error records may use FD_ERR_RESERVE bytes beyond the memory limit. */
static void *err_alloc(fd_doc *doc, size_t n)
{
    return fd_arena_alloc_over(&doc->arena, n, FD_ERR_RESERVE);
}

fd_errrec *fd_interp_error(fd_doc *doc, fd_errkind kind, const fd_stream *s, int64_t offset,
                           const fd_obj *obj, const char *field, int64_t index,
                           const fd_srcloc *loc, const char *fmt, ...)
{
    char raw[512], msg[512], path[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    escape_text(raw, msg, sizeof msg);
    if (obj)
        fd_obj_path(obj, field, index, raw, sizeof raw);
    else
        snprintf(raw, sizeof raw, "/");
    escape_text(raw, path, sizeof path);
    size_t mn = strlen(msg) + 1, pn = strlen(path) + 1;
    fd_errrec *r = err_alloc(doc, sizeof *r + mn + pn);
    if (!r) {
        /* Even the reserve is gone: the document's own record keeps the
         * first such error, with its path and location. */
        r = &doc->oom;
        if (!r->msg) {
            snprintf(doc->oom_msg, sizeof doc->oom_msg, "%s", msg);
            snprintf(doc->oom_path, sizeof doc->oom_path, "%s", path);
            r->kind = kind;
            r->offset = offset >= 0 ? offset : (s ? fd_stream_abs(s) : -1);
            r->msg = doc->oom_msg;
            r->path = doc->oom_path;
            if (loc)
                r->loc = *loc;
        }
        return r;
    }
    memset(r, 0, sizeof *r);
    char *text = (char *)(r + 1);
    memcpy(text, msg, mn);
    memcpy(text + mn, path, pn);
    r->kind = kind;
    r->offset = offset >= 0 ? offset : (s ? fd_stream_abs(s) : -1);
    r->msg = text;
    r->path = text + mn;
    if (loc)
        r->loc = *loc;
    return r;
}

/* Context of one attribute being parsed: where errors point. */
typedef struct fd_site {
    fd_doc *doc;
    fd_obj *obj;
    const fd_attr *attr;
    uint32_t slot;
    int64_t index;
} fd_site;

static fd_errrec *site_verr(const fd_site *st, fd_errkind kind, int64_t offset, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return fd_interp_error(st->doc, kind, NULL, offset, st->obj, st->attr ? st->attr->id : NULL, st->index,
                           st->attr ? &st->attr->loc : NULL, "%s", msg);
}

/* An error about the field being read, located at the stream's cursor. */
static fd_errrec *site_err(const fd_site *st, fd_errkind kind, const fd_stream *s, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static fd_errrec *site_err(const fd_site *st, fd_errkind kind, const fd_stream *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fd_errrec *r = site_verr(st, kind, s ? fd_stream_abs(s) : -1, fmt, ap);
    va_end(ap);
    return r;
}

/* An error about the field as a whole, located at its first byte. */
static fd_errrec *site_err_at(const fd_site *st, fd_errkind kind, int64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static fd_errrec *site_err_at(const fd_site *st, fd_errkind kind, int64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fd_errrec *r = site_verr(st, kind, offset, fmt, ap);
    va_end(ap);
    return r;
}

static fd_errrec *eos_err(const fd_site *st, const fd_stream *s, uint64_t want)
{
    return site_err(st, FD_ERR_EOS, s, "requested %llu bytes, but only %llu bytes available",
                    (unsigned long long)want, (unsigned long long)fd_stream_left(s));
}

/* An evaluation error knows only the object it was evaluated on: it gets
 * the attribute's location and the field's path. */
static fd_errrec *with_loc(const fd_site *st, fd_value v)
{
    fd_errrec *r = fd_v_as_err(v);
    if (r->loc.file == NULL && st->attr && r != &st->doc->oom) {
        r->loc = st->attr->loc;
        char path[512];
        fd_obj_path(st->obj, st->attr->id, st->index, path, sizeof path);
        const char *p = err_alloc(st->doc, strlen(path) + 1);
        if (p)
            r->path = strcpy((char *)p, path);
    }
    return r;
}

/* ---- expression helpers ------------------------------------------------ */

static fd_errrec *eval_int(const fd_site *st, const fd_ctx *ctx, const fd_expr *e, int64_t *out, bool *is_unsigned)
{
    fd_value v = fd_eval_expr(st->doc, ctx, e);
    if (fd_v_is_err(v))
        return with_loc(st, v);
    if (v.kind != FD_INT && v.kind != FD_ENUM && v.kind != FD_BOOL)
        return site_err(st, FD_ERR_TYPE, NULL, "expected an integer expression");
    *out = v.v.i;
    if (is_unsigned)
        *is_unsigned = (v.flags & FD_VF_UNSIGNED) != 0;
    return NULL;
}

static fd_errrec *eval_bool(const fd_site *st, const fd_ctx *ctx, const fd_expr *e, bool *out)
{
    fd_value v = fd_eval_expr(st->doc, ctx, e);
    if (fd_v_is_err(v))
        return with_loc(st, v);
    bool ok;
    *out = fd_value_truthy(v, &ok);
    if (!ok)
        return site_err(st, FD_ERR_TYPE, NULL, "expected a boolean expression");
    return NULL;
}

/* Read `size` as a byte count: negative sizes are errors, not huge reads. */
static fd_errrec *eval_size(const fd_site *st, const fd_ctx *ctx, const fd_expr *e, uint64_t *out)
{
    int64_t n;
    bool u;
    fd_errrec *r = eval_int(st, ctx, e, &n, &u);
    if (r)
        return r;
    if (!u && n < 0)
        return site_err(st, FD_ERR_EOS, NULL, "negative size %lld", (long long)n);
    *out = (uint64_t)n;
    return NULL;
}

/* ---- objects ---------------------------------------------------------- */

static fd_errrec *parse_seq(fd_doc *doc, fd_obj *obj, const fd_plan *plan);

static fd_errrec *decide_endian(fd_doc *doc, fd_obj *obj, bool parent_is_le, bool parent_le_known)
{
    const fd_type *t = obj->type;
    if (t->endian == FD_END_LE || t->endian == FD_END_BE) {
        obj->is_le = t->endian == FD_END_LE;
        obj->endian_known = true;
        return NULL;
    }
    if (!t->endian_sw) {
        obj->is_le = parent_is_le;
        obj->endian_known = parent_le_known;
        return NULL;
    }
    const fd_endian_switch *sw = t->endian_sw;
    fd_ctx ctx = { .self = obj, .index = -1 };
    fd_value on = fd_eval_expr(doc, &ctx, sw->on);
    if (fd_v_is_err(on)) {
        fd_errrec *r = fd_v_as_err(on);
        if (!r->loc.file && r != &doc->oom)
            r->loc = sw->loc;
        return r;
    }
    ctx.on = on;
    ctx.has_on = true;
    int deflt = -1;
    for (uint32_t i = 0; i < sw->ncases; i++) {
        if (!sw->keys[i]) {
            deflt = (int)i;
            continue;
        }
        fd_value k = fd_eval_expr(doc, &ctx, sw->keys[i]);
        if (fd_v_is_err(k))
            return fd_v_as_err(k);
        bool ok;
        if (fd_value_eq(on, k, &ok)) {
            obj->is_le = sw->endians[i] == FD_END_LE;
            obj->endian_known = true;
            return NULL;
        }
    }
    if (deflt >= 0) {
        obj->is_le = sw->endians[deflt] == FD_END_LE;
        obj->endian_known = true;
        return NULL;
    }
    return fd_interp_error(doc, FD_ERR_UNDECIDED_ENDIAN, obj->io, -1, obj, NULL, -1, &sw->loc,
                           "unable to decide endianness");
}

/* ---- plans ----------------------------------------------------------- */

bool fd_attr_fixed_num(const fd_attr *a)
{
    const fd_typeref *t = &a->type;
    bool num = t->prim == FD_P_UINT || t->prim == FD_P_SINT || (t->prim == FD_P_FLOAT && t->width >= 4);
    return num && (t->width == 1 || t->width == 2 || t->width == 4 || t->width == 8) && !a->if_expr &&
           !a->size && !a->size_eos && a->terminator < 0 && !a->contents && a->proc == FD_PROC_NONE &&
           a->repeat == FD_REP_NONE && a->valid.kind == FD_VALID_NONE;
}

/* A field whose bytes are read one way: no size, terminator, process,
 * check or parent override (its `if` and repeat count are evaluated before). */
static bool plain_reading(const fd_attr *a)
{
    return !a->size && !a->size_eos && a->terminator < 0 && !a->contents && a->proc == FD_PROC_NONE &&
           a->valid.kind == FD_VALID_NONE && !a->parent && !a->parent_none && !a->enm;
}

static uint32_t plan_hash(const fd_type *t, uint32_t mask)
{
    uint64_t h = (uint64_t)(uintptr_t)t * UINT64_C(0x9e3779b97f4a7c15);
    return (uint32_t)(h >> 40) & mask;
}

static void plan_insert(fd_plan **tab, uint32_t cap, fd_plan *p)
{
    uint32_t h = plan_hash(p->type, cap - 1);
    while (tab[h])
        h = (h + 1) & (cap - 1);
    tab[h] = p;
}

static const fd_plan *plan_get(fd_doc *doc, const fd_type *t);

/* Struct nesting below a flat type that still reads element by element. */
#define FD_FLAT_MAX_NESTING 8

/* The size of t when reading it from enough bytes cannot fail and needs
 * nothing but those bytes and a byte order: fixed-width numbers and structs
 * of them, no params, nothing evaluated in the seq.  An array of such a type
 * can be read element by element on demand with the same result as at once
 * (see fd_lazy); -1 when t is not so.  *inherits is set when some number in
 * it takes its byte order from the object that creates t; *nesting is how
 * deep its structs nest.  Nested types are judged by their own plans, so a
 * type used many times over is looked at once (a description of a few types
 * of many fields each would otherwise cost their product). */
static int64_t flat_size(fd_doc *doc, const fd_type *t, bool *inherits, uint32_t *nesting)
{
    if (t->nparams || t->endian_sw || t->fixed_size <= 0)
        return -1;
    int64_t size = 0;
    for (uint32_t i = 0; i < t->nseq; i++) {
        const fd_attr *a = &t->seq[i];
        if (fd_attr_fixed_num(a)) {
            size += a->type.width;
            if (a->type.width > 1 && a->type.endian == FD_END_INHERIT && t->endian == FD_END_INHERIT)
                *inherits = true;
            continue;
        }
        if (a->type.prim != FD_P_USER || a->type.nargs || !plain_reading(a) || a->if_expr ||
            a->repeat != FD_REP_NONE || a->type.user->module != t->module)
            return -1;
        /* The sizes resolved at load time make the types below acyclic and at
         * most 64 deep; near the stack allowance the array is read at once. */
        if (fd_stack_exhausted(doc))
            return -1;
        const fd_plan *sub = plan_get(doc, a->type.user);
        if (!sub || sub->flat < 0 || sub->flat_nesting >= FD_FLAT_MAX_NESTING)
            return -1;
        if (sub->flat_inherits && t->endian == FD_END_INHERIT)
            *inherits = true;
        if (sub->flat_nesting + 1 > *nesting)
            *nesting = sub->flat_nesting + 1;
        size += sub->flat;
    }
    return size == t->fixed_size ? size : -1;
}

static const fd_plan *plan_get(fd_doc *doc, const fd_type *t)
{
    if (doc->plan_cap) {
        for (uint32_t h = plan_hash(t, doc->plan_cap - 1);; h = (h + 1) & (doc->plan_cap - 1)) {
            fd_plan *p = doc->plans[h];
            if (!p)
                break;
            if (p->type == t)
                return p;
        }
    }
    uint32_t n = 0;
    while (n < t->nseq && n < FD_PLAN_MAX_FAST && fd_attr_fixed_num(&t->seq[n]))
        n++;
    fd_plan *p = fd_arena_alloc(&doc->arena, sizeof *p + n * sizeof p->off[0]);
    if (!p)
        return NULL;
    p->type = t;
    p->nfast = n;
    uint32_t off = 0;
    for (uint32_t i = 0; i < n; i++) {
        p->off[i] = off;
        off += t->seq[i].type.width;
    }
    p->fast_bytes = off;
    bool inherits = false;
    uint32_t nesting = 0;
    p->flat = flat_size(doc, t, &inherits, &nesting);
    p->flat_inherits = inherits;
    p->flat_nesting = nesting;
    /* The table grows after the plans of nested types went in. */
    if ((doc->nplans + 1) * 2 > doc->plan_cap) {
        uint32_t cap = doc->plan_cap ? doc->plan_cap * 2 : 64;
        fd_plan **tab = fd_arena_zalloc(&doc->arena, cap * sizeof *tab);
        if (!tab)
            return NULL;
        for (uint32_t i = 0; i < doc->plan_cap; i++)
            if (doc->plans[i])
                plan_insert(tab, cap, doc->plans[i]);
        doc->plans = tab;
        doc->plan_cap = cap;
    }
    plan_insert(doc->plans, doc->plan_cap, p);
    doc->nplans++;
    return p;
}

/* ---- objects, continued ------------------------------------------------- */

/* One allocation per object; the layout is described in value.h. */
static fd_obj *obj_alloc(fd_doc *doc, const fd_type *t, const fd_plan *plan)
{
    size_t n = sizeof(fd_obj) + (((size_t)t->nslots + 7) & ~(size_t)7) +
               (size_t)(t->nslots - plan->nfast) * sizeof(fd_value) + (size_t)t->ninst * sizeof(fd_inst_span) +
               (size_t)(t->nseq - plan->nfast) * sizeof(fd_seq_span);
    fd_obj *o = fd_arena_zalloc(doc->cur, n);
    if (!o)
        return NULL;
    doc->kept++;
    o->type = t;
    o->doc = doc;
    o->brief = doc->cur == &doc->brief;
    o->owner_slot = -1;
    o->owner_index = -1;
    o->nfast = (uint8_t)plan->nfast;
    return o;
}

static fd_errrec *nomem_at(fd_doc *doc, const fd_obj *obj, const char *field, int64_t index,
                           const fd_srcloc *loc, const fd_stream *s)
{
    return fd_interp_error(doc, FD_ERR_NOMEM, s, -1, obj, field, index, loc,
                           "memory limit reached (%llu bytes)", (unsigned long long)doc->arena.limit);
}

/* Out of memory while reading the site's field, located at the cursor. */
static fd_errrec *nomem(const fd_site *st, const fd_stream *s)
{
    return nomem_at(st->doc, st->obj, st->attr ? st->attr->id : NULL, st->index, st->attr ? &st->attr->loc : NULL, s);
}

/* Work budget: every object and array element costs one unit.  The budget is
 * shared with evaluation and decoding, so the message names the budget. */
static fd_errrec *spend(fd_doc *doc, const fd_site *st, const fd_stream *s)
{
    if (fd_work_spend(doc, 1))
        return site_err(st, FD_ERR_LIMIT, s, "parse exceeds the work budget (%llu units for a %llu-byte input)",
                        (unsigned long long)doc->work_limit, (unsigned long long)doc->size);
    return NULL;
}

/* An integer argument for a param declared with `enum:` becomes that enum. */
static fd_value coerce_param(const fd_param *p, fd_value v)
{
    if (p->enm && (v.kind == FD_INT))
        return fd_v_enum(v, p->enm);
    return v;
}

/* A prefix slot keeps only its state: its value is decoded when asked. */
static void set_slot(fd_obj *obj, uint32_t slot, fd_value v, uint8_t state)
{
    assert(slot < obj->type->nslots);
    fd_value *p = fd_obj_val(obj, slot);
    if (p)
        *p = v;
    fd_obj_state(obj)[slot] = state;
}

/* st: the field creating the object, NULL for the root. */
static fd_errrec *new_obj(fd_doc *doc, const fd_site *st, const fd_type *t, fd_obj *parent, fd_obj *root,
                          fd_stream *s, const fd_value *args, uint32_t nargs, bool parent_is_le,
                          bool parent_le_known, fd_value *out)
{
    fd_obj *owner = st ? st->obj : NULL;
    if (doc->depth >= FD_MAX_DEPTH || fd_stack_exhausted(doc))
        return fd_interp_error(doc, FD_ERR_LIMIT, s, -1, owner, st ? st->attr->id : NULL, st ? st->index : -1,
                               st ? &st->attr->loc : NULL,
                               "nesting deeper than %d levels or the stack allowance", FD_MAX_DEPTH);
    const fd_plan *plan = plan_get(doc, t);
    fd_obj *o = plan ? obj_alloc(doc, t, plan) : NULL;
    if (!o)
        return st ? nomem(st, s) : nomem_at(doc, NULL, NULL, -1, &t->loc, s);
    o->owner_slot = st ? (int32_t)st->slot : -1;
    o->owner_index = st ? st->index : -1;
    o->io = s;
    if (!owner) {
        o->parent = NULL;
        o->root = o;
    } else if (parent && parent->type->module != t->module) {
        /* A type of another .ksy gets no parent; an imported top-level type
         * is its own root, a type nested in it has none (Kaitai's isExternal). */
        o->parent = NULL;
        o->root = t == t->module->root ? o : NULL;
    } else {
        o->parent = parent;
        o->root = root;
    }
    if (owner && owner == o->parent)
        o->links |= FD_OL_OWNER_PARENT;
    else if (owner && side_put(doc, o, FD_OL_OWNER_SIDE, owner))
        o->links |= FD_OL_OWNER_SIDE;
    else if (owner)
        return nomem(st, s);
    for (uint32_t i = 0; i < t->nparams && i < nargs; i++)
        set_slot(o, i, coerce_param(&t->params[i], args[i]), FD_SLOT_DONE);
    *out = fd_v_obj(o);
    int depth = doc->depth++;
    fd_errrec *r = decide_endian(doc, o, parent_is_le, parent_le_known);
    if (!r) {
        o->start = s->pos;
        r = parse_seq(doc, o, plan);
        o->end = s->pos;
    }
    doc->depth--;
    assert(doc->depth == depth);
    return r;
}

/* ---- one element ------------------------------------------------------- */

static fd_stream *stream_new(fd_doc *doc, const uint8_t *p, uint64_t n, uint64_t origin)
{
    fd_stream *s = fd_arena_alloc(doc->cur, sizeof *s);
    if (s)
        fd_stream_init(s, p, n, origin);
    return s;
}

static fd_errrec *read_prim(const fd_site *st, const fd_typeref *t, fd_stream *s, fd_value *out)
{
    bool le = true;
    if (t->endian == FD_END_LE || t->endian == FD_END_BE)
        le = t->endian == FD_END_LE;
    else if (st->obj->endian_known)
        le = st->obj->is_le;
    else if (t->width > 1 && t->prim != FD_P_BITS && t->prim != FD_P_BOOL)
        return site_err(st, FD_ERR_UNDECIDED_ENDIAN, s, "unable to decide endianness");
    int rc;
    switch (t->prim) {
    case FD_P_UINT: {
        uint64_t u = 0;
        rc = fd_stream_read_uint(s, t->width, le, &u);
        *out = fd_v_uint(u);
        break;
    }
    case FD_P_SINT: {
        int64_t i = 0;
        rc = fd_stream_read_sint(s, t->width, le, &i);
        *out = fd_v_int(i);
        break;
    }
    case FD_P_FLOAT: {
        double f;
        rc = t->width == 4 ? fd_stream_read_f4(s, le, &f) : fd_stream_read_f8(s, le, &f);
        *out = fd_v_float(f);
        break;
    }
    case FD_P_BITS:
    case FD_P_BOOL: {
        uint64_t u;
        rc = fd_stream_read_bits(s, t->width, t->bit_le, &u);
        if (rc != FD_SOK) {
            /* Kaitai reports the whole bytes the bit read needed. */
            uint64_t need = ((uint64_t)t->width - (uint64_t)s->bits_left + 7) / 8;
            return eos_err(st, s, need);
        }
        *out = t->prim == FD_P_BOOL ? fd_v_bool(u != 0) : fd_v_uint(u);
        return NULL;
    }
    default:
        return site_err(st, FD_ERR_TYPE, s, "not a primitive type");
    }
    if (rc != FD_SOK)
        return eos_err(st, s, t->width);
    return NULL;
}

static bool needs_bytes(const fd_attr *a, const fd_typeref *t)
{
    return a->size || a->size_eos || a->terminator >= 0 || t->prim == FD_P_BYTES ||
           t->prim == FD_P_STR || t->prim == FD_P_STRZ || a->proc != FD_PROC_NONE;
}

static fd_errrec *run_process(const fd_site *st, const fd_ctx *ctx, int64_t at,
                              const uint8_t **buf, uint64_t *n)
{
    const fd_attr *a = st->attr;
    fd_value buf8[8];
    uint32_t nargs = a->nproc_args;
    fd_value *args = nargs <= 8 ? buf8 : fd_arena_alloc(st->doc->cur, nargs * sizeof *args);
    if (!args)
        return nomem(st, NULL);
    for (uint32_t i = 0; i < nargs; i++) {
        args[i] = fd_eval_expr(st->doc, ctx, a->proc_args[i]);
        if (fd_v_is_err(args[i]))
            return with_loc(st, args[i]);
    }
    char msg[256] = "";
    const uint8_t *out;
    size_t outn;
    /* A decompression bomb in a small file may not take more than the input
     * size can justify (zlib's best ratio is about 1000:1); process.c also
     * holds it to what the document may still allocate. */
    uint64_t limit = (64ull << 20) + st->doc->size * 1032;
    int rc = fd_process_apply(st->doc, a->proc, a->proc_name, &a->proc_ref, args, nargs, *buf, (size_t)*n,
                              limit, &out, &outn, msg, sizeof msg);
    if (rc != 0)
        return site_err_at(st, (fd_errkind)rc, at, "%s: %s", a->proc_name ? a->proc_name : "process", msg);
    *buf = out;
    *n = outn;
    return NULL;
}

static fd_errrec *parse_typed(const fd_site *st, const fd_ctx *ctx, const fd_typeref *t,
                              fd_stream *s, fd_value *out);

static fd_errrec *parse_switch(const fd_site *st, const fd_ctx *ctx, const fd_typeref *t,
                               fd_stream *s, fd_value *out)
{
    const fd_switch *sw = t->sw;
    fd_value on = fd_eval_expr(st->doc, ctx, sw->on);
    if (fd_v_is_err(on))
        return with_loc(st, on);
    fd_ctx c2 = *ctx;
    c2.on = on;
    c2.has_on = true;
    for (uint32_t i = 0; i < sw->ncases; i++) {
        if (!sw->keys[i])
            continue;
        fd_value k = fd_eval_expr(st->doc, &c2, sw->keys[i]);
        if (fd_v_is_err(k))
            return with_loc(st, k);
        bool ok;
        if (fd_value_eq(on, k, &ok))
            return parse_typed(st, &c2, &sw->types[i], s, out);
    }
    if (sw->default_case >= 0)
        return parse_typed(st, &c2, &sw->types[sw->default_case], s, out);
    /* No case matched: a sized field keeps its raw bytes, an unsized one is absent. */
    static const fd_typeref raw = { .prim = FD_P_BYTES };
    if (st->attr->size || st->attr->size_eos)
        return parse_typed(st, &c2, &raw, s, out);
    *out = fd_v_null();
    return NULL;
}

static fd_errrec *parse_user(const fd_site *st, const fd_ctx *ctx, const fd_typeref *t,
                             fd_stream *s, fd_value *out)
{
    fd_doc *doc = st->doc;
    fd_value buf16[16];
    uint32_t nargs = t->nargs;
    fd_value *args = nargs <= 16 ? buf16 : fd_arena_alloc(doc->cur, nargs * sizeof *args);
    if (!args)
        return nomem(st, s);
    for (uint32_t i = 0; i < nargs; i++) {
        args[i] = fd_eval_expr(doc, ctx, t->args[i]);
        if (fd_v_is_err(args[i]))
            return with_loc(st, args[i]);
    }
    fd_obj *parent = st->obj;
    if (st->attr->parent_none) {
        parent = NULL;
    } else if (st->attr->parent) {
        fd_value p = fd_eval_expr(doc, ctx, st->attr->parent);
        if (fd_v_is_err(p))
            return with_loc(st, p);
        parent = p.kind == FD_STRUCT ? fd_v_as_obj(p) : NULL;
    }
    fd_obj *root = st->obj->root;
    fd_errrec *r = spend(doc, st, s);
    if (r)
        return r;

    return new_obj(doc, st, t->user, parent, root, s, args, nargs, st->obj->is_le, st->obj->endian_known, out);
}

static fd_errrec *check_contents(const fd_site *st, fd_stream *s, fd_value *out)
{
    const fd_attr *a = st->attr;
    int64_t at = fd_stream_abs(s);
    const uint8_t *p;
    if (fd_stream_read_bytes(s, a->ncontents, &p) != FD_SOK)
        return eos_err(st, s, a->ncontents);
    if (memcmp(p, a->contents, a->ncontents) != 0) {
        char want[64], got[64];
        size_t k = 0;
        for (uint32_t i = 0; i < a->ncontents && k + 4 < sizeof want; i++)
            k += (size_t)snprintf(want + k, sizeof want - k, "%02x", a->contents[i]);
        k = 0;
        for (uint32_t i = 0; i < a->ncontents && k + 4 < sizeof got; i++)
            k += (size_t)snprintf(got + k, sizeof got - k, "%02x", p[i]);
        fd_errrec *r = fd_interp_error(st->doc, FD_ERR_NOT_EQUAL, s, at, st->obj, a->id, st->index, &a->loc,
                                       "not equal, expected [%s], but got [%s]", want, got);
        return r;
    }
    *out = fd_v_bytes(p, a->ncontents);
    return NULL;
}

static fd_errrec *parse_typed(const fd_site *st, const fd_ctx *ctx, const fd_typeref *t,
                              fd_stream *s, fd_value *out)
{
    const fd_attr *a = st->attr;
    fd_doc *doc = st->doc;
    if (t->prim == FD_P_SWITCH)
        return parse_switch(st, ctx, t, s, out);
    if (!needs_bytes(a, t)) {
        if (t->prim == FD_P_USER)
            return parse_user(st, ctx, t, s, out);
        return read_prim(st, t, s, out);
    }
    /* Kaitai's order: read raw -> strip pad -> terminate -> process -> decode/parse. */
    const uint8_t *buf = NULL;
    uint64_t n = 0;
    int64_t origin = fd_stream_abs(s);
    uint8_t term[4] = { 0, 0, 0, 0 };
    int tlen = 0;
    if (a->terminator >= 0) {
        term[0] = (uint8_t)a->terminator;
        tlen = 1;
    }
    if (t->prim == FD_P_STRZ) {
        tlen = t->encoding >= 0 ? fd_codec_unit(t->encoding) : 1;
        memset(term, 0, sizeof term);
    }
    if (a->size) {
        uint64_t want = 0;
        fd_errrec *r = eval_size(st, ctx, a->size, &want);
        if (r)
            return r;
        if (fd_stream_read_bytes(s, want, &buf) != FD_SOK)
            return eos_err(st, s, want);
        n = want;
    } else if (a->size_eos) {
        fd_stream_align(s);
        fd_stream_read_rest(s, &buf, &n);
    } else if (tlen) {
        if (fd_stream_read_term(s, term, tlen, a->include, a->consume, a->eos_error, &buf, &n) != FD_SOK)
            return site_err(st, FD_ERR_EOS, s, "end of stream reached, but no terminator %u found", term[0]);
        tlen = 0; /* already applied */
    } else {
        return site_err(st, FD_ERR_DESCRIPTION, s, "no size, size-eos or terminator for a byte field");
    }
    if (a->pad_right >= 0 && !(tlen && a->pad_right == term[0]))
        n = fd_bytes_strip_right(buf, n, (uint8_t)a->pad_right);
    if (tlen)
        n = fd_bytes_terminate(buf, n, term, tlen, a->include);
    bool processed = false;
    if (a->proc != FD_PROC_NONE) {
        fd_errrec *r = run_process(st, ctx, origin, &buf, &n);
        if (r)
            return r;
        processed = true;
    }
    switch (t->prim) {
    case FD_P_BYTES:
        *out = fd_v_bytes(buf, n);
        return NULL;
    case FD_P_STR:
    case FD_P_STRZ: {
        if (t->encoding < 0)
            return site_err_at(st, FD_ERR_ENCODING, origin, "unknown encoding: %s", t->enc_name ? t->enc_name : "(none)");
        const char *txt;
        size_t tn;
        int rc = fd_codec_decode(doc->cur, t->encoding, buf, (size_t)n, &txt, &tn);
        if (rc == FD_CNOMEM)
            return nomem(st, s);
        if (rc != FD_COK)
            return site_err_at(st, FD_ERR_ENCODING, origin, "cannot decode %s text", fd_codec_name(t->encoding));
        *out = fd_v_str(txt, tn);
        return NULL;
    }
    default: {
        /* A sized user type (or primitive) reads from its own substream. */
        fd_stream *sub = stream_new(doc, buf, n, processed || origin < 0 ? FD_NO_ORIGIN : (uint64_t)origin);
        if (!sub)
            return nomem(st, s);
        if (t->prim != FD_P_USER)
            return read_prim(st, t, sub, out);
        fd_errrec *r = parse_user(st, ctx, t, sub, out);
        if (out->kind == FD_STRUCT)
            fd_v_as_obj(*out)->sized = true;
        return r;
    }
    }
}

/* ---- validation --------------------------------------------------------- */

static void value_repr(fd_value v, char *buf, size_t cap)
{
    switch (v.kind) {
    case FD_INT:
    case FD_ENUM:
        if (v.flags & FD_VF_UNSIGNED)
            snprintf(buf, cap, "%llu", (unsigned long long)v.v.u);
        else
            snprintf(buf, cap, "%lld", (long long)v.v.i);
        break;
    case FD_BOOL:
        snprintf(buf, cap, "%s", v.v.i ? "true" : "false");
        break;
    case FD_FLOAT:
        snprintf(buf, cap, "%g", v.v.f);
        break;
    case FD_STR:
        snprintf(buf, cap, "\"%.*s\"", (int)(v.x.len < 64 ? v.x.len : 64), (const char *)v.v.p);
        break;
    case FD_BYTES: {
        size_t k = 0;
        const uint8_t *p = v.v.p;
        k += (size_t)snprintf(buf, cap, "[");
        for (uint64_t i = 0; i < v.x.len && i < 16 && k + 6 < cap; i++)
            k += (size_t)snprintf(buf + k, cap - k, "%s%02x", i ? " " : "", p[i]);
        snprintf(buf + k, cap - k, "%s]", v.x.len > 16 ? " ..." : "");
        break;
    }
    default:
        snprintf(buf, cap, "<%d>", v.kind);
    }
}

/* valid/min (side -1) or valid/max (side 1); values that cannot be ordered fail. */
static fd_errrec *check_bound(const fd_site *st, const fd_ctx *c2, fd_value v, const fd_expr *bound, int side,
                              const fd_stream *s, int64_t at)
{
    if (!bound)
        return NULL;
    fd_value e = fd_eval_expr(st->doc, c2, bound);
    if (fd_v_is_err(e))
        return with_loc(st, e);
    int c = fd_value_cmp(v, e);
    if (c != side && c != -2)
        return NULL;
    char got[96], want[96];
    value_repr(v, got, sizeof got);
    value_repr(e, want, sizeof want);
    return fd_interp_error(st->doc, side < 0 ? FD_ERR_LESS_THAN : FD_ERR_GREATER_THAN, s, at, st->obj,
                           st->attr->id, st->index, &st->attr->valid.loc, "not in range, %s %s, but got %s",
                           side < 0 ? "min" : "max", want, got);
}

static fd_errrec *check_valid(const fd_site *st, const fd_ctx *ctx, fd_value v, const fd_stream *s, int64_t at)
{
    const fd_valid *va = &st->attr->valid;
    fd_doc *doc = st->doc;
    fd_ctx c2 = *ctx;
    c2.cur = v;
    c2.has_cur = true;
    char got[96], want[96];
    bool ok;
    switch (va->kind) {
    case FD_VALID_EQ: {
        fd_value e = fd_eval_expr(doc, &c2, va->eq);
        if (fd_v_is_err(e))
            return with_loc(st, e);
        if (fd_value_eq(v, e, &ok))
            return NULL;
        value_repr(v, got, sizeof got);
        value_repr(e, want, sizeof want);
        return fd_interp_error(doc, FD_ERR_NOT_EQUAL, s, at, st->obj, st->attr->id, st->index, &va->loc,
                               "not equal, expected %s, but got %s", want, got);
    }
    case FD_VALID_RANGE: {
        fd_errrec *r = check_bound(st, &c2, v, va->min, -1, s, at);
        return r ? r : check_bound(st, &c2, v, va->max, 1, s, at);
    }
    case FD_VALID_ANY_OF:
        for (uint32_t i = 0; i < va->nany; i++) {
            fd_value e = fd_eval_expr(doc, &c2, va->any_of[i]);
            if (fd_v_is_err(e))
                return with_loc(st, e);
            if (fd_value_eq(v, e, &ok))
                return NULL;
        }
        value_repr(v, got, sizeof got);
        return fd_interp_error(doc, FD_ERR_NOT_ANY_OF, s, at, st->obj, st->attr->id, st->index, &va->loc,
                               "not any of the list, got %s", got);
    case FD_VALID_IN_ENUM:
        if (v.kind == FD_ENUM && fd_enum_label(v.x.aux, v.v.u))
            return NULL;
        value_repr(v, got, sizeof got);
        return fd_interp_error(doc, FD_ERR_NOT_IN_ENUM, s, at, st->obj, st->attr->id, st->index, &va->loc,
                               "not in the enum, got %s", got);
    case FD_VALID_EXPR: {
        fd_value e = fd_eval_expr(doc, &c2, va->expr);
        if (fd_v_is_err(e))
            return with_loc(st, e);
        if (fd_value_truthy(e, &ok) && ok)
            return NULL;
        value_repr(v, got, sizeof got);
        return fd_interp_error(doc, FD_ERR_VALID_EXPR, s, at, st->obj, st->attr->id, st->index, &va->loc,
                               "not matching the expression, got %s", got);
    }
    default:
        return NULL;
    }
}

/* One element of an attribute: typed parse, enum tag, validation. */
static fd_errrec *parse_element(const fd_site *st, const fd_ctx *ctx, fd_stream *s, fd_value *out)
{
    const fd_attr *a = st->attr;
    int64_t at = fd_stream_abs(s);
    fd_errrec *r;
    if (a->contents)
        r = check_contents(st, s, out);
    else
        r = parse_typed(st, ctx, &a->type, s, out);
    if (r)
        return r;
    if (a->enm && (out->kind == FD_INT))
        *out = fd_v_enum(*out, a->enm);
    if (a->valid.kind == FD_VALID_NONE)
        return NULL;
    /* The field is assigned before it is validated, as in generated
     * parsers: a valid expression may name the field itself. */
    if (a->repeat == FD_REP_NONE) {
        set_slot(st->obj, st->slot, *out, FD_SLOT_DONE);
    }
    return check_valid(st, ctx, *out, s, at);
}

/* ---- spans ------------------------------------------------------------- */

static bool reads_bits(const fd_attr *a)
{
    return !a->contents && (a->type.prim == FD_P_BITS || a->type.prim == FD_P_BOOL) && !needs_bytes(a, &a->type);
}

/* The first byte a read of a starting now touches: a bit field continues
 * in the byte the previous bit field left partly read. */
static uint64_t span_begin(const fd_stream *s, const fd_attr *a)
{
    return s->bits_left > 0 && s->pos > 0 && reads_bits(a) ? s->pos - 1 : s->pos;
}

static void seq_span_set(fd_doc *doc, fd_obj *obj, uint32_t slot, uint64_t start, uint64_t end)
{
    uint32_t j = slot - obj->type->nparams;
    assert(slot >= obj->type->nparams && j < obj->type->nseq);
    if (j < obj->nfast)
        return; /* implied by the type */
    fd_seq_span *sp = &fd_obj_seq_spans(obj)[j - obj->nfast];
    if (start >= obj->start && end >= start && end - obj->start < FD_SPAN_WIDE) {
        sp->start = (uint32_t)(start - obj->start);
        sp->end = (uint32_t)(end - obj->start);
        return;
    }
    fd_wide_span *w = fd_arena_alloc(&doc->arena, sizeof *w);
    if (!w) {
        sp->start = FD_SPAN_NONE;
        return;
    }
    *w = (fd_wide_span){ obj, slot, start, end, doc->wide };
    doc->wide = w;
    sp->start = FD_SPAN_WIDE;
}

/* ---- arrays ------------------------------------------------------------- */

/* An array being read.  With a known count its items are allocated once in
 * the arena; otherwise they grow on the document's scratch stack (items, then
 * room for span pairs) and are copied to the arena once, at their final size. */
struct fd_arr_build {
    fd_parr *pa;
    uint64_t cap;
    uint64_t base;          /* scratch offset of the region */
    bool in_scratch;
    fd_arr_build *down;
};

#define FD_BUILD_ELEM (sizeof(fd_value) + 2 * sizeof(uint64_t))
#define FD_SCRATCH_KEEP (1u << 20)

static void build_start(fd_doc *doc, fd_arr_build *b, fd_parr *pa, fd_value *items, uint64_t cap)
{
    *b = (fd_arr_build){ pa, cap, doc->scratch_used, items == NULL, doc->building };
    pa->arr.items = items;
    doc->building = b;
}

/* The top builder doubles its room on the scratch stack. */
static bool build_grow(fd_doc *doc, fd_arr_build *b)
{
    assert(doc->building == b && b->in_scratch);
    assert(b->base + b->cap * FD_BUILD_ELEM == doc->scratch_used);
    uint64_t ncap = b->cap ? b->cap * 2 : 8;
    if (ncap > (UINT64_MAX - b->base) / FD_BUILD_ELEM)
        return false;
    uint64_t need = b->base + ncap * FD_BUILD_ELEM;
    if (need > doc->scratch_cap) {
        uint64_t cap = doc->scratch_cap ? doc->scratch_cap : (64u << 10);
        while (cap < need)
            cap = cap > UINT64_MAX / 2 ? need : cap * 2;
        const fd_arena *ar = &doc->arena;
        if (ar->limit && (ar->used > ar->limit || cap > ar->limit - ar->used))
            cap = need;
        if ((ar->limit && (ar->used > ar->limit || cap > ar->limit - ar->used)) || cap > SIZE_MAX)
            return false;
        uint8_t *ns = realloc(doc->scratch, (size_t)cap);
        if (!ns)
            return false;
        /* Every builder still growing points into the scratch: rebase them. */
        for (fd_arr_build *x = doc->building; x; x = x->down) {
            if (!x->in_scratch || !x->cap)
                continue;
            x->pa->arr.items = (fd_value *)(void *)(ns + x->base);
            if (x->pa->mode == FD_AS_PAIRS)
                x->pa->pairs = (uint64_t *)(void *)(ns + x->base + x->cap * sizeof(fd_value));
        }
        doc->scratch = ns;
        doc->scratch_cap = cap;
    }
    fd_parr *pa = b->pa;
    uint8_t *at = doc->scratch + b->base;
    if (pa->mode == FD_AS_PAIRS) {
        memmove(at + ncap * sizeof(fd_value), at + b->cap * sizeof(fd_value), pa->arr.n * 2 * sizeof(uint64_t));
        pa->pairs = (uint64_t *)(void *)(at + ncap * sizeof(fd_value));
    }
    pa->arr.items = (fd_value *)(void *)at;
    b->cap = ncap;
    doc->scratch_used = need;
    return true;
}

static bool obj_matches(const fd_parr *pa, fd_value v, uint64_t start, uint64_t end)
{
    if (v.kind != FD_STRUCT)
        return false;
    const fd_obj *o = fd_v_as_obj(v);
    return !o->sized && o->io == pa->io && o->start == start && o->end == end;
}

/* Record element i's span (the element is already items[i]): keep the
 * compact form while it fits, else switch to pairs. */
static bool build_note(fd_doc *doc, fd_arr_build *b, uint64_t i, uint64_t start, uint64_t end)
{
    fd_parr *pa = b->pa;
    fd_value v = pa->arr.items[i];
    if (i == 0) {
        if (obj_matches(pa, v, start, end)) {
            pa->mode = FD_AS_OBJ;
        } else {
            pa->mode = FD_AS_STRIDE;
            pa->start = start;
            pa->stride = end - start;
        }
        return true;
    }
    switch (pa->mode) {
    case FD_AS_OBJ:
        if (obj_matches(pa, v, start, end))
            return true;
        break;
    case FD_AS_STRIDE:
        if (start - pa->start == i * pa->stride && end - start == pa->stride && start >= pa->start &&
            (pa->stride == 0 || (start - pa->start) / pa->stride == i))
            return true;
        break;
    case FD_AS_PAIRS:
        pa->pairs[2 * i] = start;
        pa->pairs[2 * i + 1] = end;
        return true;
    default:
        break;
    }
    uint64_t *pairs;
    if (b->in_scratch)
        pairs = (uint64_t *)(void *)(doc->scratch + b->base + b->cap * sizeof(fd_value));
    else if (!(pairs = fd_arena_alloc(doc->cur, b->cap * 2 * sizeof *pairs)))
        return false;
    for (uint64_t k = 0; k < i; k++) {
        fd_span sp;
        if (!fd_parr_elem_span(pa, k, &sp))
            sp.start = sp.end = 0;
        pairs[2 * k] = sp.start;
        pairs[2 * k + 1] = sp.end;
    }
    pairs[2 * i] = start;
    pairs[2 * i + 1] = end;
    pa->pairs = pairs;
    pa->mode = FD_AS_PAIRS;
    return true;
}

static bool build_push(fd_doc *doc, fd_arr_build *b, fd_value v, uint64_t start, uint64_t end)
{
    fd_parr *pa = b->pa;
    if (pa->arr.n == b->cap && (!b->in_scratch || !build_grow(doc, b)))
        return false;
    pa->arr.items[pa->arr.n] = v;
    if (!build_note(doc, b, pa->arr.n, start, end))
        return false;
    pa->arr.n++;
    return true;
}

/* Pop the builder; a scratch array moves to the arena at its final size. */
static bool build_finish(fd_doc *doc, fd_arr_build *b)
{
    assert(doc->building == b);
    doc->building = b->down;
    if (!b->in_scratch)
        return true;
    fd_parr *pa = b->pa;
    uint64_t n = pa->arr.n;
    fd_value *items = NULL;
    uint64_t *pairs = NULL;
    bool ok = true;
    if (n) {
        items = fd_arena_memdup(doc->cur, pa->arr.items, (size_t)n * sizeof *items);
        if (pa->mode == FD_AS_PAIRS)
            pairs = fd_arena_memdup(doc->cur, pa->pairs, (size_t)n * 2 * sizeof *pairs);
        ok = items && (pa->mode != FD_AS_PAIRS || pairs);
    }
    doc->scratch_used = b->base;
    if (!doc->scratch_used && doc->scratch_cap > FD_SCRATCH_KEEP)
        fd_interp_free(doc); /* a huge array is done: give its room back */
    if (!ok) {
        items = NULL;
        pairs = NULL;
        n = 0;
        pa->mode = FD_AS_NONE;
    }
    pa->arr.items = items;
    pa->arr.n = n;
    pa->pairs = pairs;
    return ok;
}

/* ---- attributes ----------------------------------------------------------- */

static fd_errrec *parse_repeat(fd_site *st, fd_ctx *ctx, fd_arr_build *b, fd_stream *s, uint64_t count)
{
    const fd_attr *a = st->attr;
    fd_doc *doc = st->doc;
    for (uint64_t i = 0;; i++) {
        if (a->repeat == FD_REP_EXPR && i >= count)
            break;
        if (a->repeat == FD_REP_EOS && fd_stream_eof(s))
            break;
        st->index = (int64_t)i;
        ctx->index = (int64_t)i;
        fd_errrec *r = spend(doc, st, s);
        if (r)
            return r;
        fd_value v = fd_v_null();
        uint64_t start = span_begin(s, a);
        r = parse_element(st, ctx, s, &v);
        if (v.kind != FD_NULL || !r)
            if (!build_push(doc, b, v, start, s->pos))
                return nomem(st, s);
        if (r)
            return r;
        if (a->repeat == FD_REP_UNTIL) {
            fd_ctx c2 = *ctx;
            c2.cur = v;
            c2.has_cur = true;
            bool done;
            r = eval_bool(st, &c2, a->repeat_expr, &done);
            if (r)
                return r;
            if (done)
                break;
        }
    }
    return NULL;
}

/* ---- lazy arrays ---------------------------------------------------------- */

/* How a lazy array reads element i: as attribute attr of owner, from io at
 * start + i * stride (fd_parr). */
struct fd_lazy {
    fd_obj *owner;
    const fd_attr *attr;
    uint32_t slot;
    fd_stream *io;
};

/* Make pa a lazy array of count elements (UINT64_MAX: as many as the rest of
 * s holds, for repeat: eos) when reading them at once could neither fail nor
 * differ: a flat type (flat_size) in a plain field, a byte order already
 * decided, every element's bytes there and the work budget able to pay for
 * them.  Otherwise false, and the array is read now. */
static bool lazy_array(fd_doc *doc, fd_obj *obj, const fd_attr *a, uint32_t slot, fd_stream *s, fd_parr *pa,
                       uint64_t count)
{
    const fd_typeref *t = &a->type;
    if (t->prim != FD_P_USER || t->nargs || !plain_reading(a) || s->bits_left ||
        t->user->module != obj->type->module)
        return false;
    const fd_plan *plan = plan_get(doc, t->user);
    if (!plan || plan->flat <= 0 || (plan->flat_inherits && !obj->endian_known))
        return false;
    uint64_t stride = (uint64_t)plan->flat, left = fd_stream_left(s);
    if (count == UINT64_MAX) {
        if (left % stride)
            return false;   /* the last element is cut short: read now, for its error */
        count = left / stride;
    }
    if (count == 0 || count > left / stride || doc->work > doc->work_limit || count > doc->work_limit - doc->work)
        return false;
    fd_lazy *lz = fd_arena_alloc(doc->cur, sizeof *lz);
    if (!lz)
        return false;
    /* One unit per element now, as reading them at once would spend. */
    doc->work += count;
    *lz = (fd_lazy){ obj, a, slot, s };
    pa->arr.n = count;
    pa->arr.lazy = lz;
    pa->mode = FD_AS_STRIDE;
    pa->start = s->pos;
    pa->stride = stride;
    fd_stream_seek(s, s->pos + count * stride);
    return true;
}

/* Read element i of lazy array a into arena `into`. */
static fd_value lazy_read(fd_arr *a, uint64_t i, fd_arena *into)
{
    const fd_lazy *lz = a->lazy;
    const fd_parr *pa = (const fd_parr *)(void *)a;
    fd_doc *doc = lz->owner->doc;
    fd_site st = { doc, lz->owner, lz->attr, lz->slot, (int64_t)i };
    fd_ctx ctx = { .self = lz->owner, .index = (int64_t)i };
    fd_arena *cur = doc->cur;
    fd_stream saved = *lz->io;
    doc->cur = into;
    fd_stream_seek(lz->io, pa->start + i * pa->stride);
    fd_value v = fd_v_null();
    fd_errrec *r = parse_typed(&st, &ctx, &lz->attr->type, lz->io, &v);
    *lz->io = saved;
    doc->cur = cur;
    return r ? fd_v_err(r) : v;
}

uint64_t fd_obj_alloc_size(const fd_type *t)
{
    /* obj_alloc's layout with no field in the fixed-width prefix, the most it takes. */
    return sizeof(fd_obj) + 8 + (uint64_t)t->nslots * (1 + sizeof(fd_value)) + (uint64_t)t->ninst * sizeof(fd_inst_span) +
           (uint64_t)t->nseq * sizeof(fd_seq_span) + 16;
}

void fd_brief_keep(fd_doc *doc)
{
    for (fd_brief *h = doc->brief_top; h; h = h->up)
        h->escaped = true;
}

fd_doc *fd_walk_begin(fd_value v, uint64_t *work)
{
    fd_doc *doc = NULL;
    if (v.kind == FD_STRUCT)
        doc = fd_v_as_obj(v)->doc;
    else if (v.kind == FD_ARRAY && fd_v_as_arr(v)->lazy)
        doc = fd_v_as_arr(v)->lazy->owner->doc;
    *work = doc ? doc->work : 0;
    return doc;
}

void fd_walk_end(fd_doc *doc, uint64_t work)
{
    if (doc)
        doc->work = work;
}

/* Brief object o now points at what was just allocated: every hold that o
 * predates must keep its memory. */
static void brief_note(fd_doc *doc, const void *o)
{
    for (fd_brief *h = doc->brief_top; h && !fd_arena_since(&doc->brief, h->mark, o); h = h->up)
        h->escaped = true;
}

fd_value fd_lazy_at(fd_arr *a, uint64_t i)
{
    assert(a->lazy && i < a->n);
    if (a->items && a->items[i].kind != FD_NULL)
        return a->items[i];
    fd_obj *owner = a->lazy->owner;
    fd_doc *doc = owner->doc;
    fd_arena *into = fd_obj_arena(owner);
    if (!a->items) {
        /* Elements asked for by an expression or the API are kept, as an
         * eager read would keep them: one slot each, filled on first use. */
        if (!(a->items = fd_arena_zalloc(into, (size_t)a->n * sizeof *a->items))) {
            const fd_attr *at = a->lazy->attr;
            return fd_v_err(nomem_at(doc, owner, at->id, (int64_t)i, &at->loc, a->lazy->io));
        }
        doc->kept++;
    }
    fd_value v = lazy_read(a, i, into);
    if (!fd_v_is_err(v)) {
        a->items[i] = v;
        if (owner->brief)
            brief_note(doc, a);
    }
    return v;
}

fd_value fd_arr_brief_get(fd_arr *a, uint64_t i, fd_brief *hold)
{
    assert(i < a->n);
    if (!a->lazy)
        return a->items[i];
    fd_doc *doc = a->lazy->owner->doc;
    if (!doc->brief_top) {
        /* The brief arena may take what the document's memory budget has left. */
        const fd_arena *ar = &doc->arena;
        doc->brief.limit = !ar->limit ? 0 : ar->used < ar->limit ? ar->limit - ar->used : 1;
    }
    *hold = (fd_brief){ fd_arena_save(&doc->brief), doc->brief_top, false };
    doc->brief_top = hold;
    if (a->items && a->items[i].kind != FD_NULL)
        return a->items[i];
    return lazy_read(a, i, &doc->brief);
}

void fd_arr_brief_put(fd_arr *a, fd_brief *hold)
{
    if (!a->lazy)
        return;
    fd_doc *doc = a->lazy->owner->doc;
    assert(doc->brief_top == hold);
    doc->brief_top = hold->up;
    if (!hold->escaped)
        fd_arena_rewind(&doc->brief, hold->mark);
}

/* Whether arena a can take `alloc` bytes of objects whatever its chunks:
 * one allocation may add a chunk of up to 1 MiB (arena.c) beside itself. */
static bool arena_room(const fd_arena *a, uint64_t alloc)
{
    return !a->limit || (a->used < a->limit && (a->limit - a->used) / 4 >= alloc + (1u << 20));
}

bool fd_lazy_room(const fd_doc *doc, uint64_t alloc)
{
    return arena_room(&doc->arena, alloc) && (!doc->brief_top || arena_room(&doc->brief, alloc));
}

bool fd_lazy_elem_get(const fd_arr *a, uint64_t i, fd_lazy_elem *out)
{
    const fd_lazy *lz = a->lazy;
    if (!lz || i >= a->n || (a->items && a->items[i].kind != FD_NULL))
        return false;
    const fd_obj *owner = lz->owner;
    fd_doc *doc = owner->doc;
    const fd_parr *pa = (const fd_parr *)(const void *)a;
    *out = (fd_lazy_elem){
        .type = lz->attr->type.user,
        .doc = doc,
        .io = lz->io,
        .root_io = owner->root ? owner->root->io : NULL,
        .pos = pa->start + i * pa->stride,
        .le = owner->is_le,
        .le_known = owner->endian_known,
    };
    return true;
}

/* Parse attribute a of obj from s (seq field or parse instance) into *out.
 * On failure *out may hold a partial array or struct. */
static fd_errrec *parse_attr(fd_doc *doc, fd_obj *obj, const fd_attr *a, uint32_t slot, fd_stream *s, fd_value *out)
{
    fd_site st = { doc, obj, a, slot, -1 };
    fd_ctx ctx = { .self = obj, .index = -1 };
    if (a->repeat == FD_REP_NONE)
        return parse_element(&st, &ctx, s, out);

    fd_parr *pa = fd_arena_zalloc(doc->cur, sizeof *pa);
    if (!pa)
        return nomem(&st, s);
    pa->io = s;
    *out = fd_v_parr(pa);
    /* Elements may refer to the ones before them (`items[_index - 1]`), as
     * generated parsers allow: the growing array is visible from the start. */
    if (!a->is_instance)
        set_slot(obj, slot, *out, FD_SLOT_DONE);
    uint64_t count = 0, cap = 0;
    if (a->repeat == FD_REP_EXPR) {
        int64_t n;
        bool u;
        fd_errrec *r = eval_int(&st, &ctx, a->repeat_expr, &n, &u);
        if (r)
            return r;
        count = (!u && n < 0) ? 0 : (uint64_t)n;
        if (lazy_array(doc, obj, a, slot, s, pa, count))
            return NULL;
        /* A count the remaining bytes can justify is allocated at once; a
         * larger one grows as elements really appear. */
        uint64_t left = fd_stream_left(s) + 1;
        if (count <= left && count <= (1u << 20))
            cap = count;
    }
    if (a->repeat == FD_REP_EOS && lazy_array(doc, obj, a, slot, s, pa, UINT64_MAX))
        return NULL;
    fd_value *items = NULL;
    if (cap && !(items = fd_arena_alloc(doc->cur, cap * sizeof *items)))
        return nomem(&st, s);
    fd_arr_build b;
    build_start(doc, &b, pa, items, cap);
    fd_errrec *r = parse_repeat(&st, &ctx, &b, s, count);
    if (!build_finish(doc, &b) && !r)
        r = nomem(&st, s);
    return r;
}

/* Byte order of prefix field a of obj; false when it is not decided. */
static bool fast_le(const fd_obj *obj, const fd_attr *a, bool *le)
{
    return fd_fixed_le(a, obj->is_le, obj->endian_known, le);
}

/* The fixed-width prefix, bounds checked once for the whole run by the
 * caller: reading is marking the fields reached, their values are decoded
 * from the input on demand.  Returns how many fields were read: the run
 * stops early at a field whose byte order is not decided. */
static uint32_t read_fast(fd_obj *obj, const fd_plan *plan, fd_stream *s)
{
    const fd_type *t = obj->type;
    uint8_t *state = fd_obj_state(obj) + t->nparams;
    uint32_t i;
    bool le;
    for (i = 0; i < plan->nfast && fast_le(obj, &t->seq[i], &le); i++)
        state[i] = FD_SLOT_DONE;
    s->pos += i < plan->nfast ? plan->off[i] : plan->fast_bytes;
    return i;
}

bool fd_fixed_le(const fd_attr *a, bool obj_le, bool obj_le_known, bool *le)
{
    if (a->type.endian != FD_END_INHERIT)
        *le = a->type.endian == FD_END_LE;
    else if (obj_le_known || a->type.width == 1)
        *le = obj_le;
    else
        return false;
    return true;
}

/* Value of prefix field j (0-based in the seq) of obj, from the input. */
static fd_value fast_value(const fd_obj *obj, uint32_t j)
{
    const fd_type *t = obj->type;
    uint64_t at = obj->start;
    for (uint32_t k = 0; k < j; k++)
        at += t->seq[k].type.width;
    const fd_attr *a = &t->seq[j];
    bool le = true;
    fast_le(obj, a, &le);
    return fd_fixed_num(a, obj->io->base + at, le);
}

static fd_errrec *seq_fail(fd_obj *obj, fd_errrec *r)
{
    if (!r->owned && side_put(obj->doc, obj, FD_OL_ERR, r)) {
        r->owned = true;
        obj->links |= FD_OL_ERR;
    }
    return r;
}

static fd_errrec *parse_seq(fd_doc *doc, fd_obj *obj, const fd_plan *plan)
{
    const fd_type *t = obj->type;
    fd_stream *s = obj->io;
    uint32_t i = 0;
    if (plan->nfast && s->bits_left == 0 && fd_stream_left(s) >= plan->fast_bytes)
        i = read_fast(obj, plan, s);
    for (; i < t->nseq; i++) {
        const fd_attr *a = &t->seq[i];
        uint32_t slot = t->nparams + i;
        if (a->if_expr) {
            fd_site st = { doc, obj, a, slot, -1 };
            fd_ctx ctx = { .self = obj, .index = -1 };
            bool on;
            fd_errrec *r = eval_bool(&st, &ctx, a->if_expr, &on);
            if (r)
                return seq_fail(obj, r);
            if (!on) {
                set_slot(obj, slot, fd_v_null(), FD_SLOT_DONE);
                assert(i >= obj->nfast);
                fd_obj_seq_spans(obj)[i - obj->nfast].start = FD_SPAN_NONE;
                continue;
            }
        }
        fd_value v = fd_v_null();
        uint64_t start = span_begin(s, a);
        fd_errrec *r = parse_attr(doc, obj, a, slot, s, &v);
        if (r) {
            /* Keep what was read: a partial child carries its own error, a
             * failed primitive leaves the field absent and the error here. */
            if (v.kind == FD_STRUCT || v.kind == FD_ARRAY)
                set_slot(obj, slot, v, FD_SLOT_FAILED);
            if (fd_obj_state(obj)[slot] != FD_SLOT_UNSET)
                seq_span_set(doc, obj, slot, start, s->pos);
            return seq_fail(obj, r);
        }
        set_slot(obj, slot, v, FD_SLOT_DONE);
        seq_span_set(doc, obj, slot, start, s->pos);
    }
    return NULL;
}

/* ---- instances --------------------------------------------------------- */

static fd_errrec *eval_instance(fd_doc *doc, fd_obj *obj, uint32_t slot, const fd_attr *a, fd_value *out)
{
    fd_site st = { doc, obj, a, slot, -1 };
    fd_ctx ctx = { .self = obj, .index = -1 };
    fd_inst_span *span = &fd_obj_inst_spans(obj)[slot - obj->type->nparams - obj->type->nseq];
    span->io = NULL;
    if (a->if_expr) {
        bool on;
        fd_errrec *r = eval_bool(&st, &ctx, a->if_expr, &on);
        if (r)
            return r;
        if (!on) {
            *out = fd_v_null();
            return NULL;
        }
    }
    if (a->value) {
        fd_value v = fd_eval_expr(doc, &ctx, a->value);
        if (fd_v_is_err(v))
            return with_loc(&st, v);
        if (a->enm && v.kind == FD_INT)
            v = fd_v_enum(v, a->enm);
        *out = v;
        return NULL;
    }
    fd_stream *s = obj->io;
    if (a->io) {
        fd_value v = fd_eval_expr(doc, &ctx, a->io);
        if (fd_v_is_err(v))
            return with_loc(&st, v);
        if (v.kind != FD_STREAM)
            return site_err(&st, FD_ERR_TYPE, NULL, "io: expression is not a stream");
        s = (fd_stream *)v.v.p;
    }
    /* Instances never move the stream for anyone else: save and restore. */
    fd_stream saved = *s;
    if (a->pos) {
        int64_t pos;
        bool u;
        fd_errrec *r = eval_int(&st, &ctx, a->pos, &pos, &u);
        if (r)
            return r;
        if (!u && pos < 0)
            return site_err(&st, FD_ERR_EOS, s, "negative position %lld", (long long)pos);
        fd_stream_seek(s, (uint64_t)pos);
    }
    uint64_t start = span_begin(s, a);
    fd_errrec *r = parse_attr(doc, obj, a, slot, s, out);
    if (!r || out->kind == FD_STRUCT || out->kind == FD_ARRAY)
        *span = (fd_inst_span){ s, start, s->pos };
    *s = saved;
    return r;
}

static fd_value slot_eval(fd_obj *obj, uint32_t i, fd_value *partial);

fd_value fd_obj_slot(fd_obj *obj, uint32_t i, fd_value *partial)
{
    const fd_type *t = obj->type;
    if (partial)
        *partial = fd_v_null();
    if (i >= t->nslots)
        return fd_v_null();
    fd_value *val = fd_obj_val(obj, i);
    uint8_t *state = fd_obj_state(obj);
    switch (state[i]) {
    case FD_SLOT_DONE:
        return val ? *val : fast_value(obj, i - t->nparams);
    case FD_SLOT_FAILED:
        /* A seq field cut short holds its partial value (Kaitai's partial
         * tree); a failed instance holds its error, with any partial value
         * hung off the error for display. */
        assert(val);
        if (val->kind != FD_ERROR) {
            if (partial)
                *partial = *val;
            return *val;
        }
        if (partial && val->x.aux)
            *partial = *(const fd_value *)val->x.aux;
        return *val;
    case FD_SLOT_BUSY:
        return fd_v_err(fd_interp_error(obj->doc, FD_ERR_LIMIT, NULL, -1, obj, t->slot_names[i], -1,
                                        &fd_type_slot_attr(t, i)->loc, "instance %s depends on itself",
                                        t->slot_names[i]));
    default:
        assert(state[i] == FD_SLOT_UNSET);
        break;
    }
    if (i < t->nparams + t->nseq)
        return fd_v_null(); /* a seq field not parsed (yet): Kaitai sees null */
    return slot_eval(obj, i, partial);
}

/* First use of instance slot i: evaluate and memoize.  Kept out of line so
 * that reading an evaluated slot stays a small leaf function. */
static __attribute__((noinline)) fd_value slot_eval(fd_obj *obj, uint32_t i, fd_value *partial)
{
    const fd_type *t = obj->type;
    uint8_t *state = fd_obj_state(obj);
    const fd_attr *a = &t->inst[i - t->nparams - t->nseq];
    fd_doc *doc = obj->doc;
    if (doc->depth >= FD_MAX_DEPTH || fd_stack_exhausted(doc))
        return fd_v_err(fd_interp_error(doc, FD_ERR_LIMIT, NULL, -1, obj, a->id, -1, &a->loc,
                                        "nesting deeper than %d levels or the stack allowance", FD_MAX_DEPTH));
    state[i] = FD_SLOT_BUSY;
    int depth = doc->depth++;
    fd_value v = fd_v_null();
    /* What the instance makes lives where obj lives. */
    fd_arena *cur = doc->cur;
    doc->cur = fd_obj_arena(obj);
    fd_errrec *r = eval_instance(doc, obj, i, a, &v);
    doc->depth--;
    /* Still busy, or assigned early for its own `valid` (parse_element). */
    assert(doc->depth == depth && (state[i] == FD_SLOT_BUSY || state[i] == FD_SLOT_DONE));
    if (r && r->kind == FD_ERR_LIMIT) {
        /* A guard tripped because of where the evaluation started (how deep
         * the caller already was), not because of the data: evaluated again
         * from a shallower point, the instance may well succeed. */
        state[i] = FD_SLOT_UNSET;
        doc->cur = cur;
        return fd_v_err(r);
    }
    if (r) {
        fd_value ev = fd_v_err(r);
        if (v.kind == FD_STRUCT || v.kind == FD_ARRAY) {
            fd_value *keep = fd_arena_memdup(doc->cur, &v, sizeof v);
            ev.x.aux = keep;
            if (partial && keep)
                *partial = v;
        }
        doc->cur = cur;
        set_slot(obj, i, ev, FD_SLOT_FAILED);
        doc->kept++;
        if (obj->brief)
            brief_note(doc, obj);
        return ev;
    }
    doc->cur = cur;
    set_slot(obj, i, v, FD_SLOT_DONE);
    doc->kept++;
    if (obj->brief && !(v.kind == FD_NULL || v.kind == FD_BOOL || v.kind == FD_INT || v.kind == FD_FLOAT ||
                        v.kind == FD_ENUM))
        brief_note(doc, obj);
    return v;
}

void fd_interp_parse_root(fd_doc *doc)
{
    if (doc->parsed)
        return;
    doc->parsed = true;
    const fd_type *t = doc->spec->main->root;
    fd_value out = fd_v_null();
    fd_errrec *r = new_obj(doc, NULL, t, NULL, NULL, &doc->io, NULL, 0, true, false, &out);
    doc->root = out.kind == FD_STRUCT ? fd_v_as_obj(out) : NULL;
    doc->err = r;
    assert(doc->building == NULL && doc->scratch_used == 0 && doc->depth == 0);
}

void fd_interp_free(fd_doc *doc)
{
    free(doc->scratch);
    doc->scratch = NULL;
    doc->scratch_cap = doc->scratch_used = 0;
}
