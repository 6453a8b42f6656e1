/* interp.h - the interpreter: documents, object creation, seq parsing, lazy instances, evaluation. */
#ifndef FD_INTERP_H
#define FD_INTERP_H

#include "value.h"

/* Guards.  Depth bounds the C stack whatever the description or input does;
 * the work budget bounds loops that consume no bytes (zero-size repeats). */
#define FD_MAX_DEPTH 512

struct fd_doc {
    const fd_spec *spec;
    fd_arena arena;
    const uint8_t *data;
    uint64_t size;
    void *map;             /* mmap'd region, NULL when the caller owns the buffer */
    uint64_t map_len;
    fd_stream io;          /* the root stream */
    fd_obj *root;
    bool parsed;
    fd_errrec *err;        /* what stopped the root seq */
    struct fd_member_cache *members;   /* eval.c: one entry per member access of the spec, lazily */
    int depth;             /* current nesting of parse/eval frames */
    uintptr_t stack_top;   /* highest C stack address seen at an entry point */
    uint64_t stack_limit;  /* bytes of C stack below stack_top we may use */
    uint64_t work;         /* work units spent so far (see fd_work_spend) */
    uint64_t work_limit;   /* derived from the input size, or fd_open_opts.max_work */
};

/* One work budget per document bounds everything a parse can do that the
 * input size alone does not: created elements, evaluation steps, bytes
 * decoded or decompressed.  It is deterministic (no clock), so the same file
 * always stops at the same place.  True when this spend exhausts it. */
static inline bool fd_work_spend(fd_doc *doc, uint64_t units)
{
    doc->work += units;
    return doc->work > doc->work_limit;
}

/* The depth limit bounds nesting of objects and instances, but one
 * expression nests too, so the C stack itself is measured: true when this
 * frame is deeper than the document's stack allowance. */
static inline bool fd_stack_exhausted(fd_doc *doc)
{
    char probe;
    uintptr_t here = (uintptr_t)&probe;
    if (here > doc->stack_top)
        doc->stack_top = here;
    return doc->stack_top - here > doc->stack_limit;
}

/* Evaluation context of an expression: `this` and the repeat/switch/valid temporaries. */
typedef struct fd_ctx {
    fd_obj *self;
    fd_value cur;          /* `_` */
    bool has_cur;
    int64_t index;         /* `_index`, -1 outside a repeat */
    fd_value on;           /* `_on` */
    bool has_on;
} fd_ctx;

/* Parse the root object's seq (once). */
void fd_interp_parse_root(fd_doc *doc);
/* Value of slot i of obj, evaluating an instance on first use.  Errors come
 * back as FD_ERROR values; `partial`, when set, receives a partial struct or
 * array of a failed slot for display. */
fd_value fd_obj_slot(fd_obj *obj, uint32_t i, fd_value *partial);
/* Evaluate an expression; errors are FD_ERROR values. */
fd_value fd_eval_expr(fd_doc *doc, const fd_ctx *ctx, const fd_expr *e);
/* Build an error record located at a stream position and an object/field. */
fd_errrec *fd_interp_error(fd_doc *doc, fd_errkind kind, const fd_stream *s, int64_t offset,
                           const fd_obj *obj, const char *field, int64_t index,
                           const fd_srcloc *loc, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));
/* Node path of an object (plus an optional field and index) into buf. */
void fd_obj_path(const fd_obj *obj, const char *field, int64_t index, char *buf, size_t cap);
/* Value helpers shared by interp.c and eval.c (engine/value.c). */
bool fd_value_truthy(fd_value v, bool *ok);
/* Equality / ordering with Kaitai semantics; returns -2 when incomparable. */
int fd_value_cmp(fd_value a, fd_value b);
bool fd_value_eq(fd_value a, fd_value b, bool *ok);

#endif
