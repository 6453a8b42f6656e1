/* coverage.c - which bytes of the input no leaf field claims: leaf spans gathered, sorted, merged. */
#include "interp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The writers' nesting guard: the walk visits what they would print. */
#define COVER_MAX_DEPTH 512


typedef struct cover {
    fd_doc *doc;
    bool instances;
    fd_range *r;             /* claimed ranges, absolute, kept mostly merged */
    size_t n, cap;
    bool nomem, cut;
    uint64_t nodes, max_nodes;
    size_t depth;
    const fd_obj *anc[COVER_MAX_DEPTH];   /* structs on the path, NULL for arrays */
    uint64_t errors;
    fd_error scratch;        /* off the recursion's frames */
    fd_error first, last;    /* last: a struct's own error that repeats its child's counts once */
} cover;

static void note_error(cover *c, const fd_error *e)
{
    if (c->errors && c->last.kind == e->kind && c->last.offset == e->offset &&
        !strcmp(c->last.message, e->message) && !strcmp(c->last.path, e->path))
        return;
    if (!c->errors)
        c->first = *e;
    c->last = *e;
    c->errors++;
}

static int range_cmp(const void *a, const void *b)
{
    const fd_range *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Sort and merge overlapping or touching ranges in place. */
static void ranges_merge(cover *c)
{
    if (c->n < 2)
        return;
    qsort(c->r, c->n, sizeof *c->r, range_cmp);
    size_t k = 0;
    for (size_t i = 1; i < c->n; i++) {
        if (c->r[i].start <= c->r[k].end) {
            if (c->r[i].end > c->r[k].end)
                c->r[k].end = c->r[i].end;
        } else {
            c->r[++k] = c->r[i];
        }
    }
    c->n = k + 1;
}

/* Claim [start, end) of the input.  Fields mostly come in file order, so a
 * claim usually extends the last range; the list is merged when full and
 * only grows when merging did not free half of it. */
static void claim(cover *c, uint64_t start, uint64_t end)
{
    if (end > c->doc->size)
        end = c->doc->size;
    if (start >= end || c->nomem)
        return;
    if (c->n) {
        fd_range *last = &c->r[c->n - 1];
        if (start >= last->start && start <= last->end) {
            if (end > last->end)
                last->end = end;
            return;
        }
    }
    if (c->n == c->cap) {
        ranges_merge(c);
        if (!c->cap || c->n > c->cap / 2) {
            size_t ncap = c->cap ? 2 * c->cap : 1024;
            fd_range *grown = realloc(c->r, ncap * sizeof *grown);
            if (!grown) {
                c->nomem = true;
                return;
            }
            c->r = grown;
            c->cap = ncap;
        }
    }
    c->r[c->n++] = (fd_range){start, end};
}

static void claim_span(cover *c, const fd_span *s)
{
    if (s->io_origin >= 0)
        claim(c, (uint64_t)s->io_origin + s->start, (uint64_t)s->io_origin + s->end);
}

static void cover_value(cover *c, fd_value v, const fd_span *span);

/* Enter a struct or array: false when a guard stops the walk there (a cut
 * that makes the result incomplete) or it repeats an ancestor (a loop, which
 * claims nothing new). */
static bool cover_push(cover *c, fd_value v)
{
    if (c->depth >= COVER_MAX_DEPTH || c->nodes >= c->max_nodes) {
        c->cut = true;
        return false;
    }
    const fd_obj *me = fd_value_kind(v) == FD_STRUCT ? fd_v_as_obj(v) : NULL;
    if (me)
        for (size_t k = 0; k < c->depth; k++)
            if (c->anc[k] && c->anc[k]->type == me->type && fd_obj_rereads(c->anc[k], me))
                return false;
    c->anc[c->depth++] = me;
    c->nodes++;
    return true;
}

static void cover_struct(cover *c, fd_value obj)
{
    size_t n = fd_struct_nfields(obj);
    for (size_t i = 0; i < n && !c->nomem; i++) {
        bool inst = fd_struct_field_is_instance(obj, i);
        if (fd_struct_field_is_param(obj, i) || (inst && !c->instances) || (!inst && !fd_struct_field_reached(obj, i)))
            continue;
        fd_value v = fd_struct_field(obj, i);
        fd_span s;
        cover_value(c, v, fd_struct_field_span(obj, i, &s) ? &s : NULL);
    }
}

/* span: where v was read, NULL when it was not (a value instance, an error). */
static void cover_value(cover *c, fd_value v, const fd_span *span)
{
    fd_kind k = fd_value_kind(v);
    switch (k) {
    case FD_STRUCT: {
        /* Bytes decoded by `process` are not the file's: the raw field claims them. */
        fd_span own;
        if (span && fd_struct_span(v, &own) && own.io_origin < 0)
            claim_span(c, span);
        if (!cover_push(c, v))
            return;
        cover_struct(c, v);
        c->depth--;
        if (fd_struct_error(v, &c->scratch))
            note_error(c, &c->scratch);
        return;
    }
    case FD_ARRAY: {
        if (!cover_push(c, v))
            return;
        size_t n = fd_array_len(v);
        for (size_t i = 0; i < n && !c->nomem; i++) {
            fd_span s;
            /* The walk keeps only ranges: an element is let go once covered. */
            fd_arr *a = fd_v_as_arr(v);
            fd_brief hold;
            cover_value(c, fd_arr_brief_get(a, i, &hold), fd_array_elem_span(v, i, &s) ? &s : NULL);
            fd_arr_brief_put(a, &hold);
        }
        c->depth--;
        return;
    }
    case FD_BOOL:
    case FD_INT:
    case FD_FLOAT:
    case FD_STR:
    case FD_BYTES:
    case FD_ENUM:
        if (span)
            claim_span(c, span);
        return;
    case FD_ERROR:
        if (fd_value_error(v, &c->scratch))
            note_error(c, &c->scratch);
        return;
    default:
        return;
    }
}

bool fd_doc_coverage(fd_doc *doc, bool instances, fd_coverage *out, fd_error *err)
{
    memset(out, 0, sizeof *out);
    out->size = doc->size;
    cover *c = calloc(1, sizeof *c);
    if (!c)
        goto nomem;
    c->doc = doc;
    c->instances = instances;
    fd_value root = fd_doc_root(doc);
    c->max_nodes = fd_node_budget(root);
    fd_span s;
    uint64_t work;
    fd_doc *walked = fd_walk_begin(root, &work);
    cover_value(c, root, fd_struct_span(root, &s) ? &s : NULL);
    fd_walk_end(walked, work);
    if (c->nomem)
        goto nomem;
    ranges_merge(c);
    /* The gaps, at most one more than the ranges, into the document's arena. */
    fd_range *gaps = fd_arena_alloc(&doc->arena, (c->n + 1) * sizeof *gaps);
    if (!gaps)
        goto nomem;
    uint64_t at = 0;
    for (size_t i = 0; i < c->n; i++) {
        out->covered += c->r[i].end - c->r[i].start;
        if (c->r[i].start > at)
            gaps[out->ngaps++] = (fd_range){at, c->r[i].start};
        at = c->r[i].end;
    }
    if (at < doc->size)
        gaps[out->ngaps++] = (fd_range){at, doc->size};
    out->gaps = gaps;
    out->complete = !c->cut;
    out->errors = c->errors;
    out->first = c->first;
    free(c->r);
    free(c);
    return true;
nomem:
    if (c)
        free(c->r);
    free(c);
    if (err) {
        memset(err, 0, sizeof *err);
        err->kind = FD_ERR_NOMEM;
        err->offset = -1;
        snprintf(err->message, sizeof err->message, "out of memory computing the coverage");
    }
    return false;
}
