/* emit_flat.c - write programs for elements of lazy arrays: their values taken straight from the input. */
#include "emit_flat.h"

#include <stdlib.h>

/*
 * A lazy array holds structs of one flat type (fixed-width numbers and flat
 * structs of them, interp.c flat_size): reading an element cannot fail, so a
 * writer may take its values from the input instead of building objects.
 * That is exact only where nothing but those bytes decides what is written,
 * so a program exists only for types whose instances are plain byte views
 * (`pos` and `size` a literal or a number field of the same object, `io` the
 * object's own stream or `_root._io`), and fd_flat_resolve refuses an element
 * whose views would fail: the writer then takes the object path, which
 * reports the error as always.
 */

static bool plain_bytes_instance(const fd_attr *a)
{
    return a->type.prim == FD_P_BYTES && a->size && !a->size_eos && a->terminator < 0 && a->pad_right < 0 &&
           !a->contents && a->proc == FD_PROC_NONE && a->repeat == FD_REP_NONE &&
           a->valid.kind == FD_VALID_NONE && !a->if_expr && !a->value && !a->enm && !a->parent &&
           !a->parent_none;
}

/* A struct field read one way: its type's own seq at the cursor. */
static bool plain_struct_field(const fd_attr *a, const fd_type *t)
{
    return !a->type.nargs && !a->if_expr && a->repeat == FD_REP_NONE && !a->size && !a->size_eos &&
           a->terminator < 0 && !a->contents && a->proc == FD_PROC_NONE && a->valid.kind == FD_VALID_NONE &&
           !a->parent && !a->parent_none && !a->enm && a->type.user->module == t->module;
}

/* An int literal, or a number field of t (whose offset in the element is at
 * base + its offset in t): what `pos` or `size` may be. */
static bool flat_src(const fd_expr *e, const fd_type *t, uint32_t base, fd_flat_src *out)
{
    if (e->op == FD_OP_INT) {
        *out = (fd_flat_src){ .attr = NULL, .lit = e->lit.uval, .lit_neg = !e->uflag && e->lit.ival < 0 };
        return true;
    }
    if (e->op != FD_OP_NAME || e->stype_obj != t || e->sslot < (int32_t)t->nparams ||
        (uint32_t)e->sslot >= t->nparams + t->nseq)
        return false;
    uint32_t j = (uint32_t)e->sslot - t->nparams, off = base;
    for (uint32_t k = 0; k < j; k++) {
        const fd_attr *a = &t->seq[k];
        off += a->type.prim == FD_P_USER ? (uint32_t)a->type.user->fixed_size : a->type.width;
    }
    const fd_attr *a = &t->seq[j];
    if (!fd_attr_fixed_num(a) || a->type.prim == FD_P_FLOAT)
        return false;
    *out = (fd_flat_src){ .attr = a, .off = off };
    return true;
}

/* Whether io expression e names the object's own stream (or is absent): 0,
 * `_root._io`: 1, anything else: -1. */
static int flat_io(const fd_expr *e)
{
    if (!e || e->op == FD_OP_IO)
        return 0;
    if (e->op == FD_OP_ATTR && e->builtin == FD_BI_IO && e->a && e->a->op == FD_OP_ROOT)
        return 1;
    return -1;
}

static bool flat_push(fd_flat *f, uint32_t cap, fd_flat_op op)
{
    if (f->nops == cap)
        return false;
    f->ops[f->nops++] = op;
    return true;
}

/* The longest label of a's enum, 0 without one. */
static uint64_t label_max(const fd_attr *a)
{
    uint64_t most = 0;
    if (a && a->enm)
        for (uint32_t i = 0; i < a->enm->nitems; i++) {
            uint64_t n = strlen(a->enm->items[i].label);
            most = n > most ? n : most;
        }
    return most;
}

/* The bytes the JSON writer's budget checks may ask for one named item: its
 * key escaped (6 per byte) and a scalar's bound (32, or an enum label's). */
static uint64_t item_bound(const char *name, const fd_attr *a)
{
    uint64_t label = 6 * label_max(a) + 2;
    return (name ? 6 * (uint64_t)strlen(name) + 4 : 0) + 2 + (label > 32 ? label : 32);
}

static bool flat_type(fd_flat *f, uint32_t cap, const fd_type *t, const char *name, uint32_t base, uint32_t level)
{
    if (level >= FD_FLAT_MAX_LEVELS || t->nparams || t->endian_sw || t->fixed_size < 0)
        return false;
    if (level + 1 > f->levels)
        f->levels = level + 1;
    f->nstructs++;
    f->alloc += fd_obj_alloc_size(t);
    f->to_string |= t->to_string != NULL;
    f->need += item_bound(name, NULL) + 2;
    f->items++;
    f->names += strlen(t->name) + (name ? strlen(name) : 0);
    if (!flat_push(f, cap, (fd_flat_op){ .kind = FD_FLAT_OPEN, .name = name, .nlen = name ? strlen(name) : 0,
                                         .endian = t->endian, .type = t }))
        return false;
    uint32_t off = base;
    for (uint32_t i = 0; i < t->nseq; i++) {
        const fd_attr *a = &t->seq[i];
        const char *fname = t->slot_names[t->nparams + i];
        if (a->type.prim == FD_P_USER) {
            if (!plain_struct_field(a, t) || !flat_type(f, cap, a->type.user, fname, off, level + 1))
                return false;
            off += (uint32_t)a->type.user->fixed_size;
            continue;
        }
        if (!fd_attr_fixed_num(a))
            return false;
        if (!flat_push(f, cap, (fd_flat_op){ .kind = FD_FLAT_NUM, .name = fname, .nlen = strlen(fname), .attr = a,
                                             .off = off }))
            return false;
        f->need += item_bound(fname, a);
        f->names += strlen(fname) + label_max(a);
        f->items++;
        off += a->type.width;
    }
    if (off - base != (uint64_t)t->fixed_size)
        return false;
    for (uint32_t i = 0; i < t->ninst; i++) {
        const fd_attr *a = &t->inst[i];
        const char *iname = t->slot_names[t->nparams + t->nseq + i];
        fd_flat_op op = { .kind = FD_FLAT_BYTES, .name = iname, .nlen = strlen(iname), .attr = a };
        int io = flat_io(a->io);
        /* Without `pos` a view starts at the stream's cursor, which depends on
         * what was read last: only the object path knows it. */
        if (!plain_bytes_instance(a) || io < 0 || !a->pos || !flat_src(a->pos, t, base, &op.pos) ||
            !flat_src(a->size, t, base, &op.size))
            return false;
        op.root_io = io == 1;
        if (!flat_push(f, cap, op))
            return false;
        f->need += item_bound(op.name, NULL);
        f->names += strlen(op.name);
        f->nviews++;
        f->items++;
    }
    return flat_push(f, cap, (fd_flat_op){ .kind = FD_FLAT_CLOSE });
}

/* Most ops a program has: one per field and instance, two per struct. */
#define FLAT_MAX_OPS (1u << 16)

/* Ops t needs, counted up to past FLAT_MAX_OPS: a struct used many times
 * over makes many ops from a short description. */
static uint64_t flat_count(const fd_type *t, int level, uint64_t n)
{
    if (level >= FD_FLAT_MAX_LEVELS)
        return n;
    n += 2 + t->ninst;
    for (uint32_t i = 0; i < t->nseq && n <= FLAT_MAX_OPS; i++)
        n = t->seq[i].type.prim == FD_P_USER ? flat_count(t->seq[i].type.user, level + 1, n) : n + 1;
    return n;
}

fd_flat *fd_flat_compile(const fd_type *t)
{
    uint64_t cap = flat_count(t, 0, 0);
    if (cap > FLAT_MAX_OPS)
        return NULL;
    fd_flat *f = calloc(1, sizeof *f + cap * sizeof f->ops[0]);
    fd_value *vals = f ? calloc(cap, sizeof *vals) : NULL;
    if (!vals) {
        free(f);
        return NULL;
    }
    f->type = t;
    f->vals = vals;
    if (!flat_type(f, (uint32_t)cap, t, NULL, 0, 0)) {
        fd_flat_free(f);
        return NULL;
    }
    return f;
}

uint64_t fd_flat_need(const fd_flat *f, size_t depth, uint64_t nbytes)
{
    /* Each item and each struct's closing line: a line break and indentation at most this deep. */
    uint64_t line = 2 * ((uint64_t)depth + f->levels) + 2;
    return f->need + 2 * nbytes + ((uint64_t)f->items + f->nstructs) * line;
}

void fd_flat_free(fd_flat *f)
{
    if (!f)
        return;
    free(f->vals);
    free(f);
}

/* Each object's byte order: its type's, else its creator's (interp.c
 * decide_endian); each field's from its object's. */
bool fd_flat_bind(fd_flat *f, bool le, bool known)
{
    if (f->bound && f->bound_le == le && f->bound_known == known)
        return f->usable;
    bool lv[FD_FLAT_MAX_LEVELS + 1], kn[FD_FLAT_MAX_LEVELS + 1];
    uint32_t lvl = 0;
    lv[0] = le;
    kn[0] = known;
    f->bound = true;
    f->bound_le = le;
    f->bound_known = known;
    f->usable = false;
    for (uint32_t k = 0; k < f->nops; k++) {
        fd_flat_op *op = &f->ops[k];
        if (op->kind == FD_FLAT_OPEN) {
            lv[lvl + 1] = op->endian == FD_END_INHERIT ? lv[lvl] : op->endian == FD_END_LE;
            kn[lvl + 1] = op->endian == FD_END_INHERIT ? kn[lvl] : true;
            lvl++;
        } else if (op->kind == FD_FLAT_CLOSE) {
            lvl--;
        } else if (op->kind == FD_FLAT_NUM) {
            if (!fd_fixed_le(op->attr, lv[lvl], kn[lvl], &op->le))
                return false;
        } else {
            fd_flat_src *src[2] = { &op->pos, &op->size };
            for (int j = 0; j < 2; j++)
                if (src[j]->attr && !fd_fixed_le(src[j]->attr, lv[lvl], kn[lvl], &src[j]->le))
                    return false;
        }
    }
    f->usable = true;
    return true;
}

/* The int src stands for; false when an object would not take it (a
 * negative position or size). */
static bool src_value(const fd_flat_src *s, const uint8_t *elem, uint64_t *out)
{
    if (!s->attr) {
        *out = s->lit;
        return !s->lit_neg;
    }
    fd_value v = fd_fixed_num(s->attr, elem + s->off, s->le);
    *out = v.v.u;
    return (v.flags & FD_VF_UNSIGNED) || v.v.i >= 0;
}

bool fd_flat_resolve(fd_flat *f, const fd_lazy_elem *e, uint64_t *nbytes)
{
    const uint8_t *elem = e->io->base + e->pos;
    uint64_t total = 0;
    for (uint32_t k = 0; k < f->nops; k++) {
        const fd_flat_op *op = &f->ops[k];
        if (op->kind == FD_FLAT_NUM) {
            f->vals[k] = fd_fixed_num(op->attr, elem + op->off, op->le);
        } else if (op->kind == FD_FLAT_BYTES) {
            const fd_stream *s = op->root_io ? e->root_io : e->io;
            uint64_t pos, size;
            if (!s || !src_value(&op->pos, elem, &pos) || !src_value(&op->size, elem, &size) || pos > s->size ||
                size > s->size - pos)
                return false;
            f->vals[k] = fd_v_bytes(s->base + pos, size);
            total += size;
        }
    }
    *nbytes = total;
    return true;
}

/* ---- the writers' side ------------------------------------------------------ */

/* C stack an element read through objects may take from the writer's frame. */
#define FLAT_STACK_MARGIN (64u << 10)

static fd_flat *flat_get(fd_emit_ctx *c, const fd_type *t)
{
    for (uint32_t k = 0; k < c->nflats; k++)
        if (c->flats[k].type == t)
            return c->flats[k].f;
    if (c->nflats == FD_EMIT_FLATS)
        return NULL;
    fd_flat *f = fd_flat_compile(t);
    c->flats[c->nflats++] = (fd_emit_flat_slot){ t, f };
    return f;
}

void fd_emit_flat_start(fd_emit_ctx *c, fd_flat_run *run, fd_value arr, bool allowed, bool shows_to_string)
{
    *run = (fd_flat_run){ .arr = fd_v_as_arr(arr), .to_string = shows_to_string };
    run->off = !allowed || c->objects_only || !run->arr->lazy;
}

int fd_emit_flat_prepare(fd_emit_ctx *c, fd_flat_run *run, size_t i)
{
    fd_lazy_elem e;
    if (run->off || !fd_lazy_elem_get(run->arr, i, &e))
        return FD_FLAT_NO;
    if (!run->tried) {
        run->tried = true;
        run->f = flat_get(c, e.type);
        run->doc = e.doc;
        if (!run->f || (run->to_string && run->f->to_string)) {
            run->off = true;
            return FD_FLAT_NO;
        }
    }
    fd_flat *f = run->f;
    fd_doc *doc = run->doc;
    if (f->type != e.type || !fd_flat_bind(f, e.le, e.le_known) || !fd_flat_resolve(f, &e, &run->nbytes))
        return FD_FLAT_NO;
    if (run->calibrated < 2) {
        run->work_before = doc->work;
        run->errors_before = c->st.errors;
        return FD_FLAT_MEASURE;
    }
    bool work = doc->work <= doc->work_limit && run->per_element <= doc->work_limit - doc->work;
    bool nodes = c->max_nodes && c->nodes < c->max_nodes && c->max_nodes - c->nodes >= f->nstructs;
    /* The object path's nesting and stack guards, with room to spare: a few
     * frames per struct and instance, far below these margins. */
    bool nesting = doc->depth + 4 * FD_FLAT_MAX_LEVELS < FD_MAX_DEPTH && fd_stack_room(doc, FLAT_STACK_MARGIN);
    if (!work || !nodes || !nesting || !fd_lazy_room(doc, f->alloc) || c->depth + f->levels > FD_EMIT_MAX_DEPTH)
        return FD_FLAT_NO;
    return FD_FLAT_READY;
}

bool fd_emit_flat_commit(fd_emit_ctx *c, fd_flat_run *run, uint64_t need)
{
    if (!fd_emit_room_deeper(c, run->f->levels, need))
        return false;
    run->doc->work += run->per_element;
    c->nodes += run->f->nstructs;
    c->by_program++;
    return true;
}

void fd_emit_flat_measured(fd_emit_ctx *c, fd_flat_run *run)
{
    /* Only an element written whole and without errors costs what every one does. */
    if (c->stop || c->st.errors != run->errors_before)
        return;
    uint64_t spent = run->doc->work - run->work_before;
    if (run->calibrated == 0)
        run->per_element = spent;
    else if (spent != run->per_element)
        run->off = true;
    run->calibrated++;
}
