/* value.c - public accessors of fd_value, arrays and structs. */
#include "interp.h"

#include <stdio.h>
#include <string.h>

void fd_errrec_export(const fd_errrec *r, fd_error *out)
{
    memset(out, 0, sizeof *out);
    out->kind = r->kind;
    out->offset = r->offset;
    snprintf(out->message, sizeof out->message, "%s", r->msg ? r->msg : "");
    snprintf(out->path, sizeof out->path, "%s", r->path ? r->path : "");
    if (r->loc.file) {
        snprintf(out->file, sizeof out->file, "%s", r->loc.file);
        out->line = (int)r->loc.line;
        out->col = (int)r->loc.col;
    }
}

fd_kind fd_value_kind(fd_value v) { return (fd_kind)v.kind; }
bool fd_value_is_unsigned(fd_value v) { return (v.flags & FD_VF_UNSIGNED) != 0; }

int64_t fd_value_int(fd_value v)
{
    if (v.kind == FD_INT || v.kind == FD_ENUM || v.kind == FD_BOOL)
        return v.v.i;
    if (v.kind == FD_FLOAT)
        return (int64_t)v.v.f;
    return 0;
}

uint64_t fd_value_uint(fd_value v) { return (uint64_t)fd_value_int(v); }

double fd_value_float(fd_value v)
{
    if (v.kind == FD_FLOAT)
        return v.v.f;
    if (v.kind == FD_INT || v.kind == FD_ENUM)
        return (v.flags & FD_VF_UNSIGNED) ? (double)v.v.u : (double)v.v.i;
    return 0;
}

bool fd_value_bool(fd_value v) { return (v.kind == FD_BOOL || v.kind == FD_INT) && v.v.i != 0; }

const char *fd_value_str(fd_value v, size_t *len)
{
    if (v.kind != FD_STR) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = (size_t)v.x.len;
    return v.v.p;
}

const uint8_t *fd_value_bytes(fd_value v, size_t *len)
{
    if (v.kind != FD_BYTES) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = (size_t)v.x.len;
    return v.v.p;
}

const char *fd_value_enum_name(fd_value v)
{
    return v.kind == FD_ENUM ? fd_enum_label(v.x.aux, v.v.u) : NULL;
}

const char *fd_value_enum_type(fd_value v)
{
    return v.kind == FD_ENUM ? ((const fd_enum *)v.x.aux)->name : NULL;
}

bool fd_value_error(fd_value v, fd_error *err)
{
    if (v.kind != FD_ERROR)
        return false;
    if (err)
        fd_errrec_export(fd_v_as_err(v), err);
    return true;
}

size_t fd_array_len(fd_value arr)
{
    return arr.kind == FD_ARRAY ? (size_t)fd_v_as_arr(arr)->n : 0;
}

fd_value fd_array_get(fd_value arr, size_t i)
{
    if (arr.kind != FD_ARRAY || i >= fd_v_as_arr(arr)->n)
        return fd_v_null();
    return fd_arr_at(fd_v_as_arr(arr), i);
}

static const fd_obj *as_obj(fd_value v) { return v.kind == FD_STRUCT ? fd_v_as_obj(v) : NULL; }

size_t fd_struct_nfields(fd_value obj)
{
    const fd_obj *o = as_obj(obj);
    return o ? o->type->nslots : 0;
}

const char *fd_struct_field_name(fd_value obj, size_t i)
{
    const fd_obj *o = as_obj(obj);
    return o && i < o->type->nslots ? o->type->slot_names[i] : NULL;
}

bool fd_struct_field_is_instance(fd_value obj, size_t i)
{
    const fd_obj *o = as_obj(obj);
    return o && i >= (size_t)o->type->nparams + o->type->nseq && i < o->type->nslots;
}

bool fd_struct_field_is_param(fd_value obj, size_t i)
{
    const fd_obj *o = as_obj(obj);
    return o && i < o->type->nparams;
}

bool fd_struct_field_reached(fd_value obj, size_t i)
{
    const fd_obj *o = as_obj(obj);
    if (!o || i >= o->type->nslots)
        return false;
    return i >= (size_t)o->type->nparams + o->type->nseq || fd_obj_state(o)[i] != FD_SLOT_UNSET;
}

/* For display: a failed field shows its partial struct or array when there is one. */
fd_value fd_struct_field(fd_value obj, size_t i)
{
    if (obj.kind != FD_STRUCT)
        return fd_v_null();
    fd_value partial;
    fd_value v = fd_obj_slot(fd_v_as_obj(obj), (uint32_t)i, &partial);
    if (v.kind == FD_ERROR && (partial.kind == FD_STRUCT || partial.kind == FD_ARRAY))
        return partial;
    return v;
}

fd_value fd_struct_get(fd_value obj, const char *name)
{
    const fd_obj *o = as_obj(obj);
    if (!o)
        return fd_v_null();
    for (uint32_t i = 0; i < o->type->nslots; i++)
        if (!strcmp(o->type->slot_names[i], name))
            return fd_struct_field(obj, i);
    return fd_v_null();
}

const char *fd_struct_type_name(fd_value obj)
{
    const fd_obj *o = as_obj(obj);
    return o ? o->type->name : NULL;
}

fd_value fd_struct_to_string(fd_value obj)
{
    if (obj.kind != FD_STRUCT || !fd_v_as_obj(obj)->type->to_string)
        return fd_v_null();
    fd_obj *o = fd_v_as_obj(obj);
    fd_ctx ctx = { .self = o, .index = -1 };
    fd_arena *cur = o->doc->cur;
    o->doc->cur = fd_obj_arena(o);
    fd_value v = fd_eval_expr(o->doc, &ctx, o->type->to_string);
    o->doc->cur = cur;
    return v;
}

bool fd_struct_error(fd_value obj, fd_error *err)
{
    const fd_obj *o = as_obj(obj);
    fd_errrec *r = o ? fd_obj_err(o) : NULL;
    if (!r)
        return false;
    if (err)
        fd_errrec_export(r, err);
    return true;
}

int64_t fd_struct_offset(fd_value obj)
{
    const fd_obj *o = as_obj(obj);
    if (!o || o->io->origin == FD_NO_ORIGIN)
        return -1;
    return (int64_t)(o->io->origin + o->start);
}

/* ---- spans ------------------------------------------------------------- */

static bool span_of(const fd_stream *io, uint64_t start, uint64_t end, fd_span *out)
{
    if (out) {
        out->io_data = io->base;
        out->io_size = io->size;
        out->io_origin = io->origin > (uint64_t)INT64_MAX ? -1 : (int64_t)io->origin;
        out->start = start;
        out->end = end;
    }
    return true;
}

bool fd_obj_rereads(const fd_obj *a, const fd_obj *b)
{
    if (a == b)
        return true;
    if (a->type != b->type || a->io->base != b->io->base || a->io->origin != b->io->origin || a->start != b->start)
        return false;
    const fd_value *x = fd_obj_values(a), *y = fd_obj_values(b);   /* params come first */
    for (uint32_t i = 0; i < a->type->nparams; i++) {
        bool ok = true;
        if (!fd_value_eq(x[i], y[i], &ok) || !ok)
            return false;
    }
    return true;
}

bool fd_obj_span(const fd_obj *o, fd_span *out)
{
    return span_of(o->io, o->start, o->end >= o->start ? o->end : o->start, out);
}

bool fd_obj_field_span(const fd_obj *o, uint32_t slot, fd_span *out)
{
    const fd_type *t = o->type;
    if (slot < t->nparams || slot >= t->nslots)
        return false;
    uint8_t state = fd_obj_state(o)[slot];
    if (state != FD_SLOT_DONE && state != FD_SLOT_FAILED)
        return false;
    uint32_t j = slot - t->nparams;
    if (j >= t->nseq) {
        const fd_inst_span *is = &fd_obj_inst_spans(o)[j - t->nseq];
        return is->io && span_of(is->io, is->start, is->end, out);
    }
    if (j < o->nfast) {
        /* The fixed-width prefix: offsets follow from the widths. */
        uint64_t at = o->start;
        for (uint32_t k = 0; k < j; k++)
            at += t->seq[k].type.width;
        return span_of(o->io, at, at + t->seq[j].type.width, out);
    }
    const fd_seq_span *sp = &fd_obj_seq_spans(o)[j - o->nfast];
    if (sp->start == FD_SPAN_NONE)
        return false;
    if (sp->start == FD_SPAN_WIDE) {
        for (const fd_wide_span *w = o->doc->wide; w; w = w->next)
            if (w->obj == o && w->slot == slot)
                return span_of(o->io, w->start, w->end, out);
        return false;
    }
    return span_of(o->io, o->start + sp->start, o->start + sp->end, out);
}

bool fd_parr_elem_span(const fd_parr *pa, uint64_t i, fd_span *out)
{
    if (i >= pa->arr.n)
        return false;
    uint64_t start, end;
    switch (pa->mode) {
    case FD_AS_STRIDE:
        start = pa->start + i * pa->stride;
        end = start + pa->stride;
        break;
    case FD_AS_OBJ: {
        const fd_obj *o = fd_v_as_obj(pa->arr.items[i]);
        start = o->start;
        end = o->end;
        break;
    }
    case FD_AS_PAIRS:
        start = pa->pairs[2 * i];
        end = pa->pairs[2 * i + 1];
        break;
    default:
        return false;
    }
    return span_of(pa->io, start, end, out);
}

bool fd_struct_span(fd_value obj, fd_span *out)
{
    const fd_obj *o = as_obj(obj);
    return o && fd_obj_span(o, out);
}

bool fd_struct_field_span(fd_value obj, size_t i, fd_span *out)
{
    const fd_obj *o = as_obj(obj);
    return o && i < o->type->nslots && fd_obj_field_span(o, (uint32_t)i, out);
}

bool fd_array_elem_span(fd_value arr, size_t i, fd_span *out)
{
    const fd_parr *pa = fd_v_as_parr(arr);
    return pa && fd_parr_elem_span(pa, i, out);
}

static const fd_attr *field_attr(fd_value obj, size_t i)
{
    const fd_obj *o = as_obj(obj);
    return o && i < o->type->nslots ? fd_type_slot_attr(o->type, (uint32_t)i) : NULL;
}

const char *fd_struct_field_doc(fd_value obj, size_t i)
{
    const fd_attr *a = field_attr(obj, i);
    return a ? a->doc : NULL;
}

bool fd_struct_field_hex(fd_value obj, size_t i)
{
    const fd_attr *a = field_attr(obj, i);
    return a && a->hex_hint;
}

uint64_t fd_node_budget(fd_value v)
{
    /* A sound tree has at most a few nodes per input byte; 8 per byte plus
     * a floor for small inputs leaves room for instances that reread data. */
    uint64_t size = v.kind == FD_STRUCT ? fd_v_as_obj(v)->doc->size : 0;
    return 8 * (size + 4096);
}
