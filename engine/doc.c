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
    fd_arena_init(&doc->brief, mem);
    doc->cur = &doc->arena;
    doc->work_limit = o.max_work ? o.max_work : (1ull << 16) + doc->size * 8;
    doc->stack_limit = o.max_stack ? o.max_stack : (2u << 20);
}

/* why is a fixed reason, or NULL for errno's. */
static void set_err(fd_error *err, fd_errkind kind, const char *what, const char *path, const char *why)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->kind = kind;
    err->offset = -1;
    snprintf(err->message, sizeof err->message, "%s%s%s: %s", what, path ? " " : "", path ? path : "",
             why ? why : strerror(errno));
}

fd_doc *fd_doc_open_mem(const fd_spec *spec, const void *buf, size_t len, const fd_open_opts *opts, fd_error *err)
{
    fd_doc *doc = calloc(1, sizeof *doc);
    if (!doc) {
        set_err(err, FD_ERR_NOMEM, "out of memory", NULL, "no room for the document");
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
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, FD_ERR_IO, "cannot open", path, NULL);
        return NULL;
    }
    struct stat st;
    bool stat_ok = fstat(fd, &st) == 0;
    if (!stat_ok || !S_ISREG(st.st_mode)) {
        /* A directory, a device or a pipe: nothing to map. */
        set_err(err, FD_ERR_IO, "cannot read", path, stat_ok ? "not a regular file" : NULL);
        close(fd);
        return NULL;
    }
    void *map = NULL;
    size_t len = (size_t)st.st_size;
    if (len) {
        /* The input is mapped, never read whole: byte arrays are views into it. */
        map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            set_err(err, FD_ERR_IO, "cannot map", path, NULL);
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
    fd_arena_free(&doc->brief);
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

/* A compiled expression owns its nodes, literals and the names the
 * description does not know: the shared spec is only read. */
struct fd_compiled {
    fd_arena arena;
    fd_names names;
    const fd_spec *spec;
    const fd_expr *root;
    bool literals;         /* has string or byte-array literals: values may point into arena */
};

static void compile_err(fd_error *err, const char *fmt, unsigned col, const char *msg)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->kind = FD_ERR_DESCRIPTION;
    err->offset = -1;
    snprintf(err->message, sizeof err->message, fmt, col, msg);
}

static bool has_literals(const fd_expr *e, unsigned depth)
{
    if (!e || depth > 4096)
        return e != NULL;
    if (e->op == FD_OP_STR || (e->op == FD_OP_LIST && e->bytes_list))
        return true;
    if (e->chain) {
        for (uint32_t k = 0; k < e->nargs; k++)
            if (has_literals(e->args[k]->b, depth + 1))
                return true;
        return has_literals(e->args[0]->a, depth + 1);
    }
    if (has_literals(e->a, depth + 1) || has_literals(e->b, depth + 1) || has_literals(e->c, depth + 1))
        return true;
    for (uint32_t k = 0; k < e->nargs; k++)
        if (has_literals(e->args[k], depth + 1))
            return true;
    return false;
}

/* The first member of `this` or enum literal the scope does not define, or NULL. */
static const fd_expr *unknown_name(const fd_expr *e, unsigned depth)
{
    if (!e || depth > 4096)
        return NULL;
    if ((e->op == FD_OP_NAME && e->sslot < 0) || (e->op == FD_OP_ENUMLIT && !e->renum))
        return e;
    const fd_expr *r = NULL;
    if (e->chain) {
        r = unknown_name(e->args[0]->a, depth + 1);
        for (uint32_t k = 0; !r && k < e->nargs; k++)
            r = unknown_name(e->args[k]->b, depth + 1);
        return r;
    }
    if ((r = unknown_name(e->a, depth + 1)) || (r = unknown_name(e->b, depth + 1)) || (r = unknown_name(e->c, depth + 1)))
        return r;
    for (uint32_t k = 0; !r && k < e->nargs; k++)
        r = unknown_name(e->args[k], depth + 1);
    return r;
}

/* strict: a name the scope does not define is a DescriptionError now rather
 * than a NameError when evaluated (fd_eval keeps the latter). */
static fd_compiled *compile_in(const fd_spec *spec, const fd_type *scope, const char *text, bool strict,
                               fd_error *err)
{
    fd_compiled *c = calloc(1, sizeof *c);
    if (!c) {
        compile_err(err, "expression error at column %u: %s", 1, "out of memory");
        return NULL;
    }
    fd_arena_init(&c->arena, (uint64_t)1 << 30);   /* the cap a loaded spec has */
    fd_intern_init(&c->names, &c->arena);
    c->spec = spec;
    fd_expr_err perr;
    size_t n = text ? strlen(text) : 0;
    fd_expr *e = fd_expr_parse_in(&c->arena, &spec->names, &c->names, text, n, &perr);
    /* No site numbers: the document's lookup cache is indexed by the spec's accesses only. */
    fd_bind b = {&c->arena, spec, NULL, NULL, NULL, 0};
    if (e && fd_expr_bind(&b, scope, e) != 0) {
        e = NULL;
        perr.pos = 0;
        snprintf(perr.msg, sizeof perr.msg, "out of memory");
    }
    if (!e) {
        compile_err(err, "expression error at column %u: %s", perr.pos + 1, perr.msg);
        fd_expr_free(c);
        return NULL;
    }
    const fd_expr *bad = strict ? unknown_name(e, 0) : NULL;
    if (bad) {
        char msg[160];
        snprintf(msg, sizeof msg, "unknown %s %s in type %s", bad->op == FD_OP_NAME ? "name" : "enum value",
                 bad->name, scope ? scope->name : "?");
        compile_err(err, "expression error at column %u: %s", bad->pos + 1, msg);
        fd_expr_free(c);
        return NULL;
    }
    c->root = e;
    c->literals = has_literals(e, 0);
    return c;
}

fd_compiled *fd_expr_compile(const fd_spec *spec, const char *text, fd_error *err)
{
    if (!spec || !spec->main) {
        compile_err(err, "expression error at column %u: %s", 1, "no description");
        return NULL;
    }
    return compile_in(spec, spec->main->root, text, true, err);
}

void fd_expr_free(fd_compiled *c)
{
    if (!c)
        return;
    fd_intern_free(&c->names);
    fd_arena_free(&c->arena);
    free(c);
}

static fd_value eval_compiled(fd_doc *doc, const fd_compiled *c, fd_value ctx, fd_error *err)
{
    fd_interp_parse_root(doc);
    if (!c || c->spec != doc->spec) {
        fd_errrec *r = fd_interp_error(doc, FD_ERR_DESCRIPTION, NULL, -1, NULL, NULL, -1, NULL,
                                       "expression compiled for another description");
        if (err)
            fd_errrec_export(r, err);
        return fd_v_err(r);
    }
    fd_ctx x = { .self = ctx.kind == FD_STRUCT ? fd_v_as_obj(ctx) : doc->root, .index = -1 };
    /* Each query gets the document's whole allowance back: one hostile
     * expression is still bounded, but a long-lived document answering many
     * queries never runs dry.  Instances parsed on the way are memoized, so
     * the refund cannot make the same work happen twice. */
    uint64_t work = doc->work, kept = doc->kept;
    fd_arena_mark mark = fd_arena_save(&doc->arena);
    fd_value v = fd_eval_expr(doc, &x, c->root);
    doc->work = work;
    /* A scalar result that added nothing to the tree needs none of the
     * strings or lists built on the way: a long-lived document answering
     * many queries stays the size of its tree. */
    if (doc->kept == kept && (v.kind == FD_NULL || v.kind == FD_BOOL || v.kind == FD_INT ||
                              v.kind == FD_FLOAT || v.kind == FD_ENUM))
        fd_arena_rewind(&doc->arena, mark);
    if (v.kind == FD_ERROR && err)
        fd_errrec_export(fd_v_as_err(v), err);
    return v;
}

fd_value fd_expr_eval(fd_doc *doc, const fd_compiled *c, fd_value ctx, fd_error *err)
{
    return eval_compiled(doc, c, ctx, err);
}

/* Copy what may point into a compiled expression's literals into the
 * document, so the value outlives the expression. */
static fd_value detach(fd_doc *doc, fd_value v, unsigned depth)
{
    if (v.kind == FD_STR || v.kind == FD_BYTES) {
        char *p = fd_arena_alloc(&doc->arena, (size_t)v.x.len + 1);
        if (!p)
            return fd_v_err(fd_interp_error(doc, FD_ERR_NOMEM, NULL, -1, NULL, NULL, -1, NULL, "out of memory"));
        if (v.x.len)
            memcpy(p, v.v.p, (size_t)v.x.len);
        p[v.x.len] = 0;
        v.v.p = p;
        return v;
    }
    if (v.kind != FD_ARRAY || depth > FD_MAX_DEPTH)
        return v;
    fd_arr *a = fd_v_as_arr(v);
    fd_arr *na = fd_arena_zalloc(&doc->arena, sizeof *na);
    fd_value *items = fd_arena_alloc(&doc->arena, (size_t)(a->n + 1) * sizeof *items);
    if (!na || !items)
        return fd_v_err(fd_interp_error(doc, FD_ERR_NOMEM, NULL, -1, NULL, NULL, -1, NULL, "out of memory"));
    for (uint64_t i = 0; i < a->n; i++) {
        items[i] = detach(doc, fd_arr_at(a, i), depth + 1);
        if (fd_v_is_err(items[i]))
            return items[i];
    }
    na->n = a->n;
    na->items = items;
    return fd_v_array(na);
}

/* Compile, evaluate, free: nothing of the expression stays in the document
 * but the value, so a long-lived document does not grow per call. */
fd_value fd_eval(fd_doc *doc, fd_value ctx, const char *text, fd_error *err)
{
    fd_interp_parse_root(doc);
    const fd_obj *self = ctx.kind == FD_STRUCT ? fd_v_as_obj(ctx) : doc->root;
    const fd_type *scope = self ? self->type : doc->spec->main->root;
    fd_error cerr;
    fd_compiled *c = compile_in(doc->spec, scope, text, false, &cerr);
    if (!c) {
        fd_errrec *r = fd_interp_error(doc, FD_ERR_DESCRIPTION, NULL, -1, NULL, NULL, -1, NULL, "%s",
                                       cerr.message);
        if (err)
            fd_errrec_export(r, err);
        return fd_v_err(r);
    }
    fd_value v = eval_compiled(doc, c, ctx, err);
    if (c->literals && !fd_v_is_err(v))
        v = detach(doc, v, 0);
    fd_expr_free(c);
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
    fd_doc *doc;
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
    /* The answer may be in elements held briefly: they stay. */
    fd_brief_keep(w->doc);
    w->best_depth = depth;
    w->best = v;
    w->best_span = *sp;
    w->best_obj = owner;
    w->best_field = field;
    w->best_index = index;
}

static void walk_obj(node_walk *w, fd_obj *o, int depth);

/* A struct repeating an ancestor (a pos instance parsing its container
 * again) is neither a candidate nor walked: pointer chains end there. */
static bool repeats_ancestor(const node_walk *w, fd_value v)
{
    if (v.kind != FD_STRUCT)
        return false;
    for (int k = 0; k < w->nanc; k++)
        if (w->anc[k]->type == fd_v_as_obj(v)->type && fd_obj_rereads(w->anc[k], fd_v_as_obj(v)))
            return true;
    return false;
}


static void walk_elem(node_walk *w, fd_parr *pa, uint64_t i, fd_obj *owner, const char *field, int depth)
{
    fd_span sp;
    if (!fd_parr_elem_span(pa, i, &sp))
        return;
    bool cov = covers(w, &sp);
    if (!cov && !w->inst)
        return;  /* not read: a lazy array's element stays unread */
    /* Held only while walked, unless the answer is found in it (consider). */
    fd_brief hold;
    fd_value e = fd_arr_brief_get(&pa->arr, i, &hold);
    if (!repeats_ancestor(w, e)) {
        if (cov)
            consider(w, e, &sp, owner, field, (int64_t)i, depth);
        if (e.kind == FD_STRUCT)
            walk_obj(w, fd_v_as_obj(e), depth);
    }
    fd_arr_brief_put(&pa->arr, &hold);
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
    fd_parr *pa = fd_v_as_parr(v);
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
    node_walk w = { .doc = doc, .off = offset, .inst = instances, .best_depth = -1, .best_index = -1 };
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
