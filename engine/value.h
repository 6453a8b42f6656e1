/* value.h - the engine's side of fd_value: objects, arrays, error records, constructors. */
#ifndef FD_VALUE_H
#define FD_VALUE_H

#include <stdbool.h>
#include <stdint.h>
#include "fmtdump.h"
#include "spec.h"
#include "stream.h"

typedef struct fd_doc fd_doc;

/* An error as stored in a document: message and path live in the doc arena. */
typedef struct fd_errrec {
    fd_errkind kind;
    int64_t offset;        /* absolute input offset, -1 if none */
    const char *msg;
    const char *path;
    fd_srcloc loc;         /* the .ksy rule that failed */
    bool owned;            /* some object already shows it as its own error */
} fd_errrec;

/* Per-slot state of an object. */
enum {
    FD_SLOT_UNSET = 0,     /* seq: not reached; instance: not evaluated yet */
    FD_SLOT_BUSY,          /* instance being evaluated: a second visit is a cycle */
    FD_SLOT_DONE,
    FD_SLOT_FAILED         /* value holds the partial struct/array or an FD_ERROR */
};

typedef struct fd_obj fd_obj;
/* An object is one arena allocation: this header, the per-slot states
 * (uint8_t[nslots], padded to 8 bytes), the values of its slots except the
 * fixed-width prefix of its seq (fd_value[nslots - nfast]: those are decoded
 * from the input when asked, see fd_plan), the spans of its instances
 * (fd_inst_span[ninst]) and those of the other seq fields
 * (fd_seq_span[nseq - nfast]). */
struct fd_obj {
    const fd_type *type;
    fd_doc *doc;
    fd_obj *parent;        /* _parent, NULL = null */
    fd_obj *root;          /* _root */
    fd_stream *io;         /* _io: own substream, or the creator's stream */
    int64_t owner_index;   /* array index within owner_slot, -1 if none */
    uint64_t start, end;   /* cursor positions in io before and after the seq (for _sizeof) */
    int32_t owner_slot;    /* slot of this object in its owner, -1 for the root */
    uint8_t nfast;         /* leading seq fields whose spans follow from the type (fd_plan) */
    /* The owner (container in the tree, for paths) is the parent unless
     * FD_OL_OWNER_SIDE says the document's side table has it; the error
     * that stopped this object's own seq is there too (FD_OL_ERR). */
    unsigned links : 3;
    unsigned sized : 1;    /* io is its own substream (size / size-eos / process) */
    unsigned brief : 1;    /* lives in the document's brief arena (see fd_arr_brief_get) */
    unsigned is_le : 1;    /* decided endianness */
    unsigned endian_known : 1;
};
enum { FD_OL_OWNER_PARENT = 1, FD_OL_OWNER_SIDE = 2, FD_OL_ERR = 4 };

/* Span of an evaluated parse instance; io NULL = no bytes (value instance, `if` false). */
typedef struct fd_inst_span {
    const fd_stream *io;
    uint64_t start, end;
} fd_inst_span;

/* Span of a seq field, relative to obj->start (seq fields all come from obj->io).
 * start FD_SPAN_NONE: no bytes (`if` false); FD_SPAN_WIDE: kept in the document's
 * list of wide spans because it does not fit 32 bits. */
typedef struct fd_seq_span {
    uint32_t start, end;
} fd_seq_span;
#define FD_SPAN_NONE UINT32_MAX
#define FD_SPAN_WIDE (UINT32_MAX - 1)

static inline uint8_t *fd_obj_state(const fd_obj *o) { return (uint8_t *)(void *)(o + 1); }
static inline fd_value *fd_obj_values(const fd_obj *o)
{
    return (fd_value *)(void *)(fd_obj_state(o) + ((o->type->nslots + 7u) & ~7u));
}
/* Stored value of a slot; NULL for a slot of the fixed-width prefix. */
static inline fd_value *fd_obj_val(const fd_obj *o, uint32_t slot)
{
    fd_value *v = fd_obj_values(o);
    uint32_t np = o->type->nparams;
    if (slot < np)
        return v + slot;
    return slot - np < o->nfast ? NULL : v + slot - o->nfast;
}
static inline fd_inst_span *fd_obj_inst_spans(const fd_obj *o)
{
    return (fd_inst_span *)(void *)(fd_obj_values(o) + o->type->nslots - o->nfast);
}
static inline fd_seq_span *fd_obj_seq_spans(const fd_obj *o)
{
    return (fd_seq_span *)(void *)(fd_obj_inst_spans(o) + o->type->ninst);
}

/* How an array knows its elements' spans, all in the one stream it was read from. */
enum {
    FD_AS_NONE = 0,        /* no spans (built by an expression, or not known yet) */
    FD_AS_STRIDE,          /* element i is [start + i*stride, +stride) */
    FD_AS_OBJ,             /* every element is an unsized struct of io: its own start..end */
    FD_AS_PAIRS            /* pairs[2i], pairs[2i+1] */
};

typedef struct fd_lazy fd_lazy;
/* items is NULL for a lazy array until an element is asked for outside a
 * writer (fd_arr_at): lazy arrays are read from the input on demand. */
typedef struct fd_arr {
    uint64_t n;
    fd_value *items;
    fd_lazy *lazy;         /* NULL: every element is in items */
} fd_arr;

/* An array read from a stream (value flag FD_VF_SPANS): the fields after arr
 * say where each element's bytes are. */
typedef struct fd_parr {
    fd_arr arr;
    const fd_stream *io;
    uint64_t start, stride;
    uint64_t *pairs;
    uint8_t mode;          /* FD_AS_* */
} fd_parr;
#define FD_VF_SPANS 0x02

/* Constructors.  Strings and byte views must outlive the value (input or arena). */
static inline fd_value fd_v_null(void) { return (fd_value){ .kind = FD_NULL }; }
static inline fd_value fd_v_bool(bool b) { return (fd_value){ .kind = FD_BOOL, .v.i = b }; }
static inline fd_value fd_v_int(int64_t i) { return (fd_value){ .kind = FD_INT, .v.i = i }; }
/* Unsigned: keeps the unsigned flag so u8 values above INT64_MAX stay exact. */
static inline fd_value fd_v_uint(uint64_t u) { return (fd_value){ .kind = FD_INT, .flags = FD_VF_UNSIGNED, .v.u = u }; }
static inline fd_value fd_v_float(double f) { return (fd_value){ .kind = FD_FLOAT, .v.f = f }; }
static inline fd_value fd_v_str(const char *p, uint64_t n) { return (fd_value){ .kind = FD_STR, .v.p = p, .x.len = n }; }
static inline fd_value fd_v_bytes(const uint8_t *p, uint64_t n) { return (fd_value){ .kind = FD_BYTES, .v.p = p, .x.len = n }; }
static inline fd_value fd_v_enum(fd_value iv, const fd_enum *e) { iv.kind = FD_ENUM; iv.x.aux = e; return iv; }
static inline fd_value fd_v_array(fd_arr *a) { return (fd_value){ .kind = FD_ARRAY, .v.p = a }; }
static inline fd_value fd_v_parr(fd_parr *a) { return (fd_value){ .kind = FD_ARRAY, .flags = FD_VF_SPANS, .v.p = &a->arr }; }
static inline fd_value fd_v_obj(fd_obj *o) { return (fd_value){ .kind = FD_STRUCT, .v.p = o }; }
static inline fd_value fd_v_stream(fd_stream *s) { return (fd_value){ .kind = FD_STREAM, .v.p = s }; }
static inline fd_value fd_v_type(const fd_type *t) { return (fd_value){ .kind = FD_TYPE, .v.p = t }; }
static inline fd_value fd_v_err(fd_errrec *e) { return (fd_value){ .kind = FD_ERROR, .v.p = e }; }

/* A writer's hold on one element of an array (fd_arr_brief_get, interp.h). */
typedef struct fd_brief {
    fd_arena_mark mark;    /* the brief arena before the element was read */
    struct fd_brief *up;   /* the hold this one is nested in */
    bool escaped;          /* something older than the mark points past it */
} fd_brief;

/* Element i < a->n of a lazy array, read (once) into the document's arena. */
fd_value fd_lazy_at(fd_arr *a, uint64_t i);
/* Element i < a->n of any array: the way everything but a writer reads one. */
static inline fd_value fd_arr_at(fd_arr *a, uint64_t i)
{
    return a->lazy ? fd_lazy_at(a, i) : a->items[i];
}

static inline fd_obj *fd_v_as_obj(fd_value v) { return (fd_obj *)v.v.p; }
static inline fd_arr *fd_v_as_arr(fd_value v) { return (fd_arr *)v.v.p; }
static inline fd_parr *fd_v_as_parr(fd_value v)
{
    return v.kind == FD_ARRAY && (v.flags & FD_VF_SPANS) ? (fd_parr *)v.v.p : NULL;
}
static inline fd_errrec *fd_v_as_err(fd_value v) { return (fd_errrec *)v.v.p; }
static inline bool fd_v_is_err(fd_value v) { return v.kind == FD_ERROR; }
/* An integer value seen as a mathematical number: is it negative? */
static inline bool fd_v_neg(fd_value v) { return !(v.flags & FD_VF_UNSIGNED) && v.v.i < 0; }

_Static_assert(sizeof(fd_obj) % 8 == 0 && sizeof(fd_obj) <= 72, "slots follow a compact header");

/* Copy an error record into the public struct. */
void fd_errrec_export(const fd_errrec *r, fd_error *out);

#endif
