/* interp.c - walks a type's tables over a stream: seq eagerly, instances lazily and memoized. */
#include "interp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"

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
    for (const fd_obj *o = obj; o && o->owner && n < sizeof chain / sizeof *chain; o = o->owner)
        chain[n++] = o;
    size_t len = 0;
    buf[0] = 0;
    for (size_t k = n; k-- > 0;)
        len = path_add(buf, cap, len, chain[k]->owner->type->slot_names[chain[k]->owner_slot], chain[k]->owner_index);
    if (field)
        len = path_add(buf, cap, len, field, index);
    if (len == 0 && cap > 1) {
        buf[0] = '/';
        buf[1] = 0;
    }
}

fd_errrec *fd_interp_error(fd_doc *doc, fd_errkind kind, const fd_stream *s, int64_t offset,
                           const fd_obj *obj, const char *field, int64_t index,
                           const fd_srcloc *loc, const char *fmt, ...)
{
    fd_errrec *r = fd_arena_zalloc(&doc->arena, sizeof *r);
    if (!r) {
        /* Out of arena: fall back to one static record so the caller still
         * sees an error value instead of a crash. */
        static fd_errrec oom = { FD_ERR_NOMEM, -1, "out of memory", "/", { NULL, 0, 0 }, true };
        return &oom;
    }
    char msg[512], path[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (obj)
        fd_obj_path(obj, field, index, path, sizeof path);
    else
        snprintf(path, sizeof path, "/");
    r->kind = kind;
    r->offset = offset >= 0 ? offset : (s ? fd_stream_abs(s) : -1);
    r->msg = fd_arena_strdup(&doc->arena, msg);
    r->path = fd_arena_strdup(&doc->arena, path);
    if (!r->msg || !r->path) {
        r->msg = "out of memory";
        r->path = "/";
    }
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
    if (r->loc.file == NULL && st->attr && r->kind != FD_ERR_NOMEM) {
        r->loc = st->attr->loc;
        char path[512];
        fd_obj_path(st->obj, st->attr->id, st->index, path, sizeof path);
        const char *p = fd_arena_strdup(&st->doc->arena, path);
        if (p)
            r->path = p;
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

static fd_errrec *parse_seq(fd_doc *doc, fd_obj *obj);

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
        if (!r->loc.file && r->kind != FD_ERR_NOMEM)
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

static fd_obj *obj_alloc(fd_doc *doc, const fd_type *t)
{
    fd_obj *o = fd_arena_alloc(&doc->arena, sizeof *o);
    if (!o)
        return NULL;
    memset(o, 0, sizeof *o);
    o->type = t;
    o->doc = doc;
    o->owner_slot = -1;
    o->owner_index = -1;
    if (t->nslots) {
        o->slots = fd_arena_zalloc(&doc->arena, t->nslots * sizeof *o->slots);
        o->state = fd_arena_zalloc(&doc->arena, t->nslots);
        if (!o->slots || !o->state)
            return NULL;
    }
    return o;
}

static fd_errrec *nomem(fd_doc *doc, const fd_obj *obj)
{
    return fd_interp_error(doc, FD_ERR_NOMEM, NULL, -1, obj, NULL, -1, NULL,
                           "memory limit reached (%llu bytes)", (unsigned long long)doc->arena.limit);
}

/* Work budget: every object and array element costs one unit. */
static fd_errrec *spend(fd_doc *doc, const fd_site *st, const fd_stream *s)
{
    if (fd_work_spend(doc, 1))
        return site_err(st, FD_ERR_LIMIT, s, "more than %llu elements for a %llu-byte input",
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

static fd_errrec *new_obj(fd_doc *doc, const fd_type *t, fd_obj *parent, fd_obj *root, fd_stream *s,
                          const fd_value *args, uint32_t nargs, fd_obj *owner, int32_t owner_slot,
                          int64_t owner_index, bool parent_is_le, bool parent_le_known, fd_value *out)
{
    if (doc->depth >= FD_MAX_DEPTH || fd_stack_exhausted(doc))
        return fd_interp_error(doc, FD_ERR_LIMIT, s, -1, owner, owner && owner_slot >= 0 ?
                               owner->type->slot_names[owner_slot] : NULL, owner_index, NULL,
                               "nesting deeper than %d levels or the stack allowance", FD_MAX_DEPTH);
    fd_obj *o = obj_alloc(doc, t);
    if (!o)
        return nomem(doc, owner);
    o->owner = owner;
    o->owner_slot = owner_slot;
    o->owner_index = owner_index;
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
    for (uint32_t i = 0; i < t->nparams && i < nargs; i++) {
        o->slots[i] = coerce_param(&t->params[i], args[i]);
        o->state[i] = FD_SLOT_DONE;
    }
    *out = fd_v_obj(o);
    doc->depth++;
    fd_errrec *r = decide_endian(doc, o, parent_is_le, parent_le_known);
    if (!r) {
        o->start = s->pos;
        r = parse_seq(doc, o);
        o->end = s->pos;
    }
    doc->depth--;
    return r;
}

/* ---- one element ------------------------------------------------------- */

static fd_stream *stream_new(fd_doc *doc, const uint8_t *p, uint64_t n, uint64_t origin)
{
    fd_stream *s = fd_arena_alloc(&doc->arena, sizeof *s);
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
        uint64_t u;
        rc = fd_stream_read_uint(s, t->width, le, &u);
        *out = fd_v_uint(u);
        break;
    }
    case FD_P_SINT: {
        int64_t i;
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
    fd_value args[8];
    uint32_t nargs = a->nproc_args < 8 ? a->nproc_args : 8;
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
    fd_value args[16];
    uint32_t nargs = t->nargs < 16 ? t->nargs : 16;
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

    return new_obj(doc, t->user, parent, root, s, args, nargs, st->obj, (int32_t)st->slot, st->index,
                   st->obj->is_le, st->obj->endian_known, out);
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
    const uint8_t *buf;
    uint64_t n;
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
        int rc = fd_codec_decode(&doc->arena, t->encoding, buf, (size_t)n, &txt, &tn);
        if (rc == FD_CNOMEM)
            return nomem(doc, st->obj);
        if (rc != FD_COK)
            return site_err_at(st, FD_ERR_ENCODING, origin, "cannot decode %s text", fd_codec_name(t->encoding));
        *out = fd_v_str(txt, tn);
        return NULL;
    }
    default: {
        /* A sized user type (or primitive) reads from its own substream. */
        fd_stream *sub = stream_new(doc, buf, n, processed || origin < 0 ? FD_NO_ORIGIN : (uint64_t)origin);
        if (!sub)
            return nomem(doc, st->obj);
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
        st->obj->slots[st->slot] = *out;
        st->obj->state[st->slot] = FD_SLOT_DONE;
    }
    return check_valid(st, ctx, *out, s, at);
}

/* ---- attributes ----------------------------------------------------------- */

static fd_errrec *arr_push(fd_doc *doc, fd_arr *arr, uint64_t *cap, fd_value v)
{
    if (arr->n == *cap) {
        uint64_t ncap = *cap ? *cap * 2 : 8;
        fd_value *items = fd_arena_alloc(&doc->arena, ncap * sizeof *items);
        if (!items)
            return (fd_errrec *)1;
        if (arr->n)
            memcpy(items, arr->items, arr->n * sizeof *items);
        arr->items = items;
        *cap = ncap;
    }
    arr->items[arr->n++] = v;
    return NULL;
}

/* Parse attribute a of obj from s (seq field or parse instance) into *out.
 * On failure *out may hold a partial array or struct. */
static fd_errrec *parse_attr(fd_doc *doc, fd_obj *obj, const fd_attr *a, uint32_t slot, fd_stream *s, fd_value *out)
{
    fd_site st = { doc, obj, a, slot, -1 };
    fd_ctx ctx = { .self = obj, .index = -1 };
    if (a->repeat == FD_REP_NONE)
        return parse_element(&st, &ctx, s, out);

    fd_arr *arr = fd_arena_zalloc(&doc->arena, sizeof *arr);
    if (!arr)
        return nomem(doc, obj);
    *out = fd_v_array(arr);
    /* Elements may refer to the ones before them (`items[_index - 1]`), as
     * generated parsers allow: the growing array is visible from the start. */
    if (!a->is_instance) {
        obj->slots[slot] = *out;
        obj->state[slot] = FD_SLOT_DONE;
    }
    uint64_t cap = 0, count = 0;
    if (a->repeat == FD_REP_EXPR) {
        int64_t n;
        bool u;
        fd_errrec *r = eval_int(&st, &ctx, a->repeat_expr, &n, &u);
        if (r)
            return r;
        count = (!u && n < 0) ? 0 : (uint64_t)n;
        /* Preallocate only what the remaining bytes could justify. */
        uint64_t left = fd_stream_left(s) + 1;
        cap = count < left ? count : left;
        if (cap > (1u << 20))
            cap = 1u << 20;
        if (cap) {
            arr->items = fd_arena_alloc(&doc->arena, cap * sizeof *arr->items);
            if (!arr->items)
                return nomem(doc, obj);
        }
    }
    for (uint64_t i = 0;; i++) {
        if (a->repeat == FD_REP_EXPR && i >= count)
            break;
        if (a->repeat == FD_REP_EOS && fd_stream_eof(s))
            break;
        st.index = (int64_t)i;
        ctx.index = (int64_t)i;
        fd_errrec *r = spend(doc, &st, s);
        if (r)
            return r;
        fd_value v = fd_v_null();
        r = parse_element(&st, &ctx, s, &v);
        if (v.kind != FD_NULL || !r)
            if (arr_push(doc, arr, &cap, v))
                return nomem(doc, obj);
        if (r)
            return r;
        if (a->repeat == FD_REP_UNTIL) {
            fd_ctx c2 = ctx;
            c2.cur = v;
            c2.has_cur = true;
            bool done;
            r = eval_bool(&st, &c2, a->repeat_expr, &done);
            if (r)
                return r;
            if (done)
                break;
        }
    }
    return NULL;
}

static fd_errrec *parse_seq(fd_doc *doc, fd_obj *obj)
{
    const fd_type *t = obj->type;
    fd_stream *s = obj->io;
    for (uint32_t i = 0; i < t->nseq; i++) {
        const fd_attr *a = &t->seq[i];
        uint32_t slot = t->nparams + i;
        if (a->if_expr) {
            fd_site st = { doc, obj, a, slot, -1 };
            fd_ctx ctx = { .self = obj, .index = -1 };
            bool on;
            fd_errrec *r = eval_bool(&st, &ctx, a->if_expr, &on);
            if (r) {
                if (!r->owned) {
                    r->owned = true;
                    obj->err = r;
                }
                return r;
            }
            if (!on) {
                obj->slots[slot] = fd_v_null();
                obj->state[slot] = FD_SLOT_DONE;
                continue;
            }
        }
        fd_value v = fd_v_null();
        fd_errrec *r = parse_attr(doc, obj, a, slot, s, &v);
        if (r) {
            /* Keep what was read: a partial child carries its own error, a
             * failed primitive leaves the field absent and the error here. */
            if (v.kind == FD_STRUCT || v.kind == FD_ARRAY) {
                obj->slots[slot] = v;
                obj->state[slot] = FD_SLOT_FAILED;
            }
            if (!r->owned) {
                r->owned = true;
                obj->err = r;
            }
            return r;
        }
        obj->slots[slot] = v;
        obj->state[slot] = FD_SLOT_DONE;
    }
    return NULL;
}

/* ---- instances --------------------------------------------------------- */

static fd_errrec *eval_instance(fd_doc *doc, fd_obj *obj, uint32_t slot, const fd_attr *a, fd_value *out)
{
    fd_site st = { doc, obj, a, slot, -1 };
    fd_ctx ctx = { .self = obj, .index = -1 };
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
    fd_errrec *r = parse_attr(doc, obj, a, slot, s, out);
    *s = saved;
    return r;
}

fd_value fd_obj_slot(fd_obj *obj, uint32_t i, fd_value *partial)
{
    const fd_type *t = obj->type;
    if (partial)
        *partial = fd_v_null();
    if (i >= t->nslots)
        return fd_v_null();
    switch (obj->state[i]) {
    case FD_SLOT_DONE:
        return obj->slots[i];
    case FD_SLOT_FAILED:
        /* A seq field cut short holds its partial value (Kaitai's partial
         * tree); a failed instance holds its error, with any partial value
         * hung off the error for display. */
        if (obj->slots[i].kind != FD_ERROR) {
            if (partial)
                *partial = obj->slots[i];
            return obj->slots[i];
        }
        if (partial && obj->slots[i].x.aux)
            *partial = *(const fd_value *)obj->slots[i].x.aux;
        return obj->slots[i];
    case FD_SLOT_BUSY:
        return fd_v_err(fd_interp_error(obj->doc, FD_ERR_LIMIT, NULL, -1, obj, t->slot_names[i], -1,
                                        NULL, "instance %s depends on itself", t->slot_names[i]));
    default:
        break;
    }
    if (i < t->nparams + t->nseq)
        return fd_v_null(); /* a seq field not parsed (yet): Kaitai sees null */
    const fd_attr *a = &t->inst[i - t->nparams - t->nseq];
    fd_doc *doc = obj->doc;
    if (doc->depth >= FD_MAX_DEPTH || fd_stack_exhausted(doc))
        return fd_v_err(fd_interp_error(doc, FD_ERR_LIMIT, NULL, -1, obj, a->id, -1, &a->loc,
                                        "nesting deeper than %d levels or the stack allowance", FD_MAX_DEPTH));
    obj->state[i] = FD_SLOT_BUSY;
    doc->depth++;
    fd_value v = fd_v_null();
    fd_errrec *r = eval_instance(doc, obj, i, a, &v);
    doc->depth--;
    if (r && r->kind == FD_ERR_LIMIT) {
        /* A guard tripped because of where the evaluation started (how deep
         * the caller already was), not because of the data: evaluated again
         * from a shallower point, the instance may well succeed. */
        obj->state[i] = FD_SLOT_UNSET;
        return fd_v_err(r);
    }
    if (r) {
        fd_value ev = fd_v_err(r);
        if (v.kind == FD_STRUCT || v.kind == FD_ARRAY) {
            fd_value *keep = fd_arena_memdup(&doc->arena, &v, sizeof v);
            ev.x.aux = keep;
            if (partial && keep)
                *partial = v;
        }
        obj->slots[i] = ev;
        obj->state[i] = FD_SLOT_FAILED;
        return ev;
    }
    obj->slots[i] = v;
    obj->state[i] = FD_SLOT_DONE;
    return v;
}

void fd_interp_parse_root(fd_doc *doc)
{
    if (doc->parsed)
        return;
    doc->parsed = true;
    const fd_type *t = doc->spec->main->root;
    fd_value out = fd_v_null();
    fd_errrec *r = new_obj(doc, t, NULL, NULL, &doc->io, NULL, 0, NULL, -1, -1, true, false, &out);
    doc->root = out.kind == FD_STRUCT ? fd_v_as_obj(out) : NULL;
    doc->err = r;
}
