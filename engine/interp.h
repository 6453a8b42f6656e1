/* interp.h - the interpreter: documents, object creation, seq parsing, lazy instances, evaluation. */
#ifndef FD_INTERP_H
#define FD_INTERP_H

#include <string.h>

#include "value.h"

/* Guards.  Depth bounds the C stack whatever the description or input does;
 * the work budget bounds loops that consume no bytes (zero-size repeats). */
#define FD_MAX_DEPTH 512

/* What the interpreter learns about a type once per document: how many of
 * its leading seq fields are plain fixed-width numbers (uN, sN, fN without
 * if/valid/repeat/size...).  Those are read after one bounds check, and their
 * spans follow from the object's start, so objects store no spans for them. */
#define FD_PLAN_MAX_FAST 255
typedef struct fd_plan {
    const fd_type *type;
    uint32_t nfast;
    uint32_t fast_bytes;   /* sum of their widths */
    int64_t flat;          /* byte size when an array of the type may be lazy, else -1 */
    bool flat_inherits;    /* ...and it needs the byte order of its creator */
    uint32_t flat_nesting; /* ...and its structs nest this deep */
    uint32_t off[];        /* off[i]: offset of fast field i from the object's start */
} fd_plan;

/* A seq field span that does not fit fd_seq_span (rare: >4 GiB objects, bit
 * fields starting before their object). */
typedef struct fd_wide_span {
    const fd_obj *obj;
    uint32_t slot;
    uint64_t start, end;
    struct fd_wide_span *next;
} fd_wide_span;

typedef struct fd_arr_build fd_arr_build;

/* What few objects have (an owner other than their parent, an error of
 * their own), kept beside them: key = object address | FD_OL_* tag. */
typedef struct fd_side {
    uintptr_t key;
    void *val;
} fd_side;

/* Bytes an error record may take beyond the memory limit, so that running
 * out of memory is still reported with its path and location. */
#define FD_ERR_RESERVE (64u << 10)

struct fd_doc {
    const fd_spec *spec;
    fd_arena arena;
    /* Where the parse being run allocates: the arena, or brief while a
     * writer holds elements of a lazy array it lets go of afterwards. */
    fd_arena *cur;
    fd_arena brief;
    fd_brief *brief_top;   /* the innermost hold, NULL when none */
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
    uint64_t kept;         /* objects, memoized instances and caches added: an evaluation
                              that adds none and yields a scalar leaves nothing the
                              document refers to, so its scratch memory is taken back */
    uint64_t work;         /* work units spent so far (see fd_work_spend) */
    uint64_t work_limit;   /* derived from the input size, or fd_open_opts.max_work */
    fd_plan **plans;       /* open addressing by type pointer; plan_cap is a power of two */
    uint32_t plan_cap, nplans;
    fd_wide_span *wide;
    fd_side *side;         /* open addressing; side_cap is a power of two */
    uint64_t side_cap, nside;
    /* Arrays of unknown length grow here (malloc'd, reused; freed at close or after a huge array)
     * and move to the arena once, at their final size.  Builders nest like
     * the parse, so the innermost one always owns the top of the stack. */
    uint8_t *scratch;
    uint64_t scratch_cap, scratch_used;
    fd_arr_build *building;
    /* The last resort when even the error reserve is gone. */
    fd_errrec oom;
    char oom_msg[512], oom_path[512];
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

/* Whether margin more bytes of C stack below this frame stay within the
 * document's allowance: a writer that skips the parse frames which check
 * it asks for their worth and more. */
static inline bool fd_stack_room(fd_doc *doc, uint64_t margin)
{
    char probe;
    uintptr_t here = (uintptr_t)&probe;
    if (here > doc->stack_top)
        doc->stack_top = here;
    uint64_t used = doc->stack_top - here;
    return used <= doc->stack_limit && doc->stack_limit - used >= margin;
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

/* The container of o in the tree (NULL for the root), and the error that
 * stopped o's own seq (NULL if none). */
fd_obj *fd_obj_owner(const fd_obj *o);
fd_errrec *fd_obj_err(const fd_obj *o);

/* Free what the interpreter holds outside the arena (fd_doc_close). */
void fd_interp_free(fd_doc *doc);

/* b reads the same bytes as a, as the same type with the same arguments: a
 * loop in the data (a pos instance parsing its container again), which the
 * writers, the coverage walk and fd_doc_node_at stop at (engine/value.c).
 * With another argument a type may reread its own bytes as a finite recursion. */
bool fd_obj_rereads(const fd_obj *a, const fd_obj *b);

/* Spans of parsed nodes (engine/value.c); false when there are no bytes to show. */
bool fd_obj_span(const fd_obj *o, fd_span *out);
bool fd_obj_field_span(const fd_obj *o, uint32_t slot, fd_span *out);
bool fd_parr_elem_span(const fd_parr *pa, uint64_t i, fd_span *out);

/* A lazy array (fd_arr.lazy) is an array of one struct type of fixed size
 * whose reading cannot fail: its elements are read when asked for.  A writer
 * that is done with each element before the next asks for it with
 * fd_arr_brief_get and lets go with fd_arr_brief_put: the element is read
 * into the brief arena, and the put takes back what was allocated there
 * since the get.  Holds nest (an element holding a lazy array); an object
 * older than a hold that comes to point past its mark (an instance of it
 * evaluated meanwhile) makes that hold keep its memory.  The document's own
 * tables may keep addresses of brief objects (fd_side keys, fd_wide_span):
 * those are only looked up for an object whose links or spans say it has an
 * entry, and an object at a reused address makes its own, newer one, so a
 * stale entry is never read.  So a writer's memory stays the size of one
 * element, whatever the array's length.  Elements already kept (fd_arr_at)
 * are given as they are. */
fd_value fd_arr_brief_get(fd_arr *a, uint64_t i, fd_brief *hold);
void fd_arr_brief_put(fd_arr *a, fd_brief *hold);
/* Keep what every current hold holds: a walk that found its answer there. */
void fd_brief_keep(fd_doc *doc);

/* Element i of a lazy array as a writer may write it straight from the input
 * (emit_flat.c), without reading it into objects: its type, the stream and
 * offset of its bytes, the stream `_root._io` names (NULL when `_root` is
 * null) and the byte order its creator passes on.  False when the element
 * is already kept: it is written as it is. */
typedef struct fd_lazy_elem {
    const fd_type *type;
    fd_doc *doc;
    const fd_stream *io, *root_io;
    uint64_t pos;
    bool le, le_known;
} fd_lazy_elem;
bool fd_lazy_elem_get(const fd_arr *a, uint64_t i, fd_lazy_elem *out);
/* Whether reading an element through objects that take up to alloc bytes
 * certainly has the memory: where it might not, only that path reports
 * the MemoryError it would. */
bool fd_lazy_room(const fd_doc *doc, uint64_t alloc);
/* The most an object of type t takes in its arena (obj_alloc). */
uint64_t fd_obj_alloc_size(const fd_type *t);
/* A seq field the fast path may read: a number of fixed width with nothing
 * to evaluate around it (an enum tag is applied afterwards, cheaply). */
bool fd_attr_fixed_num(const fd_attr *a);
/* The byte order of fixed-width field a in an object of byte order obj_le
 * (obj_le_known: decided); false when it is not decided. */
bool fd_fixed_le(const fd_attr *a, bool obj_le, bool obj_le_known, bool *le);

/* A walk over a tree (a writer run, the coverage walk) gives back the work
 * it spent when it ends, as a query does (fd_expr_eval): what it memoized is
 * not spent again by the next walk, and the elements it let go are read
 * again by the next walk within the same allowance.  So a document written
 * many times (an editor redrawing it) never runs dry, and each walk is still
 * bounded by the budget.  NULL when v belongs to no document fd_walk_begin can
 * find (a value that is neither a struct nor a lazy array). */
fd_doc *fd_walk_begin(fd_value v, uint64_t *work);
void fd_walk_end(fd_doc *doc, uint64_t work);
/* Where what o makes (its children, its instances' values) is allocated. */
static inline fd_arena *fd_obj_arena(const fd_obj *o)
{
    return o->brief ? &o->doc->brief : &o->doc->arena;
}

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

/* The value of fixed-width number field a (fd_attr_fixed_num) whose bytes
 * are at q: inline, as the writers' hottest path. */
static inline uint32_t fd_load32(const uint8_t *q, bool le)
{
    return le ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24
              : (uint32_t)q[3] | (uint32_t)q[2] << 8 | (uint32_t)q[1] << 16 | (uint32_t)q[0] << 24;
}

/* A w-byte unsigned number (w = 1, 2, 4 or 8) at q; compilers turn these
 * shifts into one load (and a byte swap). */
static inline uint64_t fd_load_num(const uint8_t *q, int w, bool le)
{
    switch (w) {
    case 1:
        return q[0];
    case 2:
        return le ? (uint64_t)q[0] | (uint64_t)q[1] << 8 : (uint64_t)q[1] | (uint64_t)q[0] << 8;
    case 4:
        return fd_load32(q, le);
    default:
        return le ? (uint64_t)fd_load32(q, true) | (uint64_t)fd_load32(q + 4, true) << 32
                  : (uint64_t)fd_load32(q + 4, false) | (uint64_t)fd_load32(q, false) << 32;
    }
}

static inline fd_value fd_fixed_num(const fd_attr *a, const uint8_t *q, bool le)
{
    int w = a->type.width;
    uint64_t u = fd_load_num(q, w, le);
    uint8_t kind = a->enm ? FD_ENUM : FD_INT, flags = 0;
    if (a->type.prim == FD_P_UINT) {
        flags = FD_VF_UNSIGNED;
    } else if (a->type.prim == FD_P_SINT) {
        if (w < 8 && (u >> (w * 8 - 1)) & 1)
            u |= ~(uint64_t)0 << (w * 8);
    } else {
        /* Floats: the bits of a double, from an f4 by way of a float. */
        kind = FD_FLOAT;
        if (w == 4) {
            uint32_t x = (uint32_t)u;
            float f;
            memcpy(&f, &x, sizeof f);
            double d = f;
            memcpy(&u, &d, sizeof u);
        }
    }
    /* Built in one go: building it field by field and copying it makes the
     * copy wait for the stores (this is the writers' hottest path). */
    return (fd_value){ .kind = kind, .flags = flags, .v.u = u, .x.aux = kind == FD_FLOAT ? NULL : a->enm };
}

#endif
