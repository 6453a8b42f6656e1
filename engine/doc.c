/* doc.c - documents: map the input, own the arena, expose the root, -e evaluation and node lookup by offset. */
#include "interp.h"
#include "version.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Guards scale with the input: a small hostile file gets small budgets,
 * a multi-GB dump gets room for every node it can really hold. */
static void doc_limits(fd_doc *doc, const fd_open_opts *opts)
{
    fd_open_opts o = fd_open_opts_read(opts);
    uint64_t mem = o.max_memory ? o.max_memory : (256ull << 20) + doc->size * 64;
    fd_arena_init(&doc->arena, mem);
    doc->work_limit = o.max_work ? o.max_work : (1ull << 16) + doc->size * 8;
    doc->stack_limit = o.max_stack ? o.max_stack : (2u << 20);
}

static void set_err(fd_error *err, fd_errkind kind, const char *fmt, const char *arg)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->kind = kind;
    err->offset = -1;
    snprintf(err->message, sizeof err->message, fmt, arg, strerror(errno));
}

fd_doc *fd_doc_open_mem(const fd_spec *spec, const void *buf, size_t len, const fd_open_opts *opts, fd_error *err)
{
    fd_doc *doc = calloc(1, sizeof *doc);
    if (!doc) {
        set_err(err, FD_ERR_NOMEM, "%s: %s", "out of memory");
        return NULL;
    }
    doc->spec = spec;
    doc->data = len ? buf : (const uint8_t *)"";
    doc->size = len;
    doc_limits(doc, opts);
    fd_stream_init(&doc->io, doc->data, doc->size, 0);
    return doc;
}

fd_doc *fd_doc_open_file(const fd_spec *spec, const char *path, const fd_open_opts *opts, fd_error *err)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        set_err(err, FD_ERR_IO, "cannot open %s: %s", path);
        return NULL;
    }
    struct stat st;
    bool stat_ok = fstat(fd, &st) == 0;
    if (!stat_ok || !S_ISREG(st.st_mode)) {
        if (stat_ok)
            errno = EINVAL; /* a directory, a device or a pipe: nothing to map */
        set_err(err, FD_ERR_IO, "cannot read %s: %s", path);
        close(fd);
        return NULL;
    }
    void *map = NULL;
    size_t len = (size_t)st.st_size;
    if (len) {
        /* The input is mapped, never read whole: byte arrays are views into it. */
        map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            set_err(err, FD_ERR_IO, "cannot map %s: %s", path);
            close(fd);
            return NULL;
        }
    }
    close(fd);
    fd_doc *doc = fd_doc_open_mem(spec, map, len, opts, err);
    if (!doc) {
        if (map)
            munmap(map, len);
        return NULL;
    }
    doc->map = map;
    doc->map_len = len;
    return doc;
}

void fd_doc_close(fd_doc *doc)
{
    if (!doc)
        return;
    fd_interp_free(doc);
    fd_arena_free(&doc->arena);
    if (doc->map)
        munmap(doc->map, doc->map_len);
    free(doc);
}

fd_value fd_doc_root(fd_doc *doc)
{
    fd_interp_parse_root(doc);
    return doc->root ? fd_v_obj(doc->root) : fd_v_null();
}

bool fd_doc_error(fd_doc *doc, fd_error *err)
{
    fd_interp_parse_root(doc);
    if (!doc->err)
        return false;
    if (err)
        fd_errrec_export(doc->err, err);
    return true;
}

const uint8_t *fd_doc_data(const fd_doc *doc, size_t *len)
{
    if (len)
        *len = (size_t)doc->size;
    return doc->data;
}

fd_value fd_eval(fd_doc *doc, fd_value ctx, const char *text, fd_error *err)
{
    fd_interp_parse_root(doc);
    /* -e expressions share the description's name table so that member
     * names compare by pointer like everywhere else. */
    fd_spec *spec = (fd_spec *)doc->spec;
    fd_expr_err perr;
    fd_expr *e = fd_expr_parse(&doc->arena, &spec->names, text, strlen(text), &perr);
    if (!e) {
        fd_errrec *r = fd_interp_error(doc, FD_ERR_DESCRIPTION, NULL, -1, NULL, NULL, -1, NULL,
                                       "expression error at column %u: %s", perr.pos + 1, perr.msg);
        if (err)
            fd_errrec_export(r, err);
        return fd_v_err(r);
    }
    fd_ctx c = { .self = ctx.kind == FD_STRUCT ? fd_v_as_obj(ctx) : doc->root, .index = -1 };
    fd_value v = fd_eval_expr(doc, &c, e);
    if (v.kind == FD_ERROR && err)
        fd_errrec_export(fd_v_as_err(v), err);
    return v;
}

bool fd_expr_check(const char *text, fd_error *err)
{
    fd_arena a;
    fd_names names;
    fd_arena_init(&a, 0);
    fd_intern_init(&names, &a);
    fd_expr_err perr;
    bool ok = fd_expr_parse(&a, &names, text, strlen(text), &perr) != NULL;
    if (!ok && err) {
        memset(err, 0, sizeof *err);
        err->kind = FD_ERR_DESCRIPTION;
        err->offset = -1;
        snprintf(err->message, sizeof err->message, "expression error at column %u: %s", perr.pos + 1, perr.msg);
    }
    fd_intern_free(&names);
    fd_arena_free(&a);
    return ok;
}

/* ---- spans: which node holds a byte ------------------------------------ */

typedef struct node_walk {
    uint64_t off;
    bool inst;
    const fd_obj *anc[FD_MAX_DEPTH];   /* objects on the current path, for the cycle check */
    int nanc;
    int best_depth;
    fd_value best;
    fd_span best_span;
    const fd_obj *best_obj;            /* container of the best node, NULL for the root */
    const char *best_field;
    int64_t best_index;
} node_walk;

static bool covers(const node_walk *w, const fd_span *sp)
{
    if (sp->io_origin < 0 || w->off < (uint64_t)sp->io_origin)
        return false;
    uint64_t rel = w->off - (uint64_t)sp->io_origin;
    return rel >= sp->start && rel < sp->end;
}

static void consider(node_walk *w, fd_value v, const fd_span *sp, const fd_obj *owner, const char *field,
                     int64_t index, int depth)
{
    if (depth <= w->best_depth)
        return;
    w->best_depth = depth;
    w->best = v;
    w->best_span = *sp;
    w->best_obj = owner;
    w->best_field = field;
    w->best_index = index;
}

static void walk_obj(node_walk *w, fd_obj *o, int depth);

static bool same_node(const fd_obj *a, const fd_obj *b)
{
    return a->type == b->type && a->io->base == b->io->base && a->io->origin == b->io->origin && a->start == b->start;
}

/* A struct repeating an ancestor (a pos instance parsing its container
 * again) is neither a candidate nor walked: pointer chains end there. */
static bool repeats_ancestor(const node_walk *w, fd_value v)
{
    if (v.kind != FD_STRUCT)
        return false;
    for (int k = 0; k < w->nanc; k++)
        if (same_node(w->anc[k], fd_v_as_obj(v)))
            return true;
    return false;
}


static void walk_elem(node_walk *w, const fd_parr *pa, uint64_t i, fd_obj *owner, const char *field, int depth)
{
    fd_span sp;
    if (!fd_parr_elem_span(pa, i, &sp) || repeats_ancestor(w, pa->arr.items[i]))
        return;
    bool cov = covers(w, &sp);
    if (cov)
        consider(w, pa->arr.items[i], &sp, owner, field, (int64_t)i, depth);
    if ((cov || w->inst) && pa->arr.items[i].kind == FD_STRUCT)
        walk_obj(w, fd_v_as_obj(pa->arr.items[i]), depth);
}

/* Into a field's value: a struct, or the elements of an array read from a
 * stream.  Without instances, the element holding the byte is found by
 * binary search (elements are read in stream order). */
static void walk_value(node_walk *w, fd_value v, fd_obj *owner, const char *field, int depth)
{
    if (v.kind == FD_STRUCT) {
        walk_obj(w, fd_v_as_obj(v), depth);
        return;
    }
    const fd_parr *pa = fd_v_as_parr(v);
    if (!pa)
        return;
    if (w->inst) {
        for (uint64_t i = 0; i < pa->arr.n; i++)
            walk_elem(w, pa, i, owner, field, depth + 1);
        return;
    }
    uint64_t lo = 0, hi = pa->arr.n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        fd_span sp;
        if (!fd_parr_elem_span(pa, mid, &sp) || sp.io_origin < 0)
            return;
        if ((uint64_t)sp.io_origin + sp.start <= w->off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo)
        walk_elem(w, pa, lo - 1, owner, field, depth + 1);
}

static void walk_obj(node_walk *w, fd_obj *o, int depth)
{
    if (depth >= FD_MAX_DEPTH || w->nanc >= FD_MAX_DEPTH)
        return;
    w->anc[w->nanc++] = o;
    const fd_type *t = o->type;
    for (uint32_t slot = t->nparams; slot < t->nslots; slot++) {
        const fd_attr *a = fd_type_slot_attr(t, slot);
        if (a->is_instance && (!w->inst || a->value))
            continue;
        fd_value partial;
        fd_value v = fd_obj_slot(o, slot, &partial);
        if (v.kind == FD_ERROR)
            v = partial;
        if (repeats_ancestor(w, v))
            continue;
        fd_span sp;
        bool cov = fd_obj_field_span(o, slot, &sp) && covers(w, &sp);
        if (cov)
            consider(w, v, &sp, o, t->slot_names[slot], -1, depth + 1);
        if (cov || w->inst)
            walk_value(w, v, o, t->slot_names[slot], depth + 1);
    }
    w->nanc--;
}

fd_value fd_doc_node_at(fd_doc *doc, uint64_t offset, bool instances, char *path, size_t pathcap, fd_span *span)
{
    fd_interp_parse_root(doc);
    node_walk w = { .off = offset, .inst = instances, .best_depth = -1, .best_index = -1 };
    if (doc->root) {
        fd_span sp;
        fd_obj_span(doc->root, &sp);
        if (covers(&w, &sp))
            consider(&w, fd_v_obj(doc->root), &sp, NULL, NULL, -1, 0);
        walk_obj(&w, doc->root, 0);
    }
    if (path && pathcap) {
        if (w.best_depth > 0)
            fd_obj_path(w.best_obj, w.best_field, w.best_index, path, pathcap);
        else
            snprintf(path, pathcap, "%s", w.best_depth == 0 ? "/" : "");
    }
    if (span) {
        if (w.best_depth >= 0)
            *span = w.best_span;
        else
            memset(span, 0, sizeof *span);
    }
    return w.best_depth >= 0 ? w.best : fd_v_null();
}
