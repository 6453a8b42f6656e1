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
struct fd_obj {
    const fd_type *type;
    fd_doc *doc;
    fd_obj *parent;        /* _parent, NULL = null */
    fd_obj *root;          /* _root */
    fd_stream *io;         /* _io: own substream, or the creator's stream */
    fd_value *slots;       /* params, seq, instances (type->nslots) */
    uint8_t *state;        /* FD_SLOT_* per slot */
    fd_errrec *err;        /* what stopped this object's own seq */
    fd_obj *owner;         /* container in the tree, for error paths */
    int32_t owner_slot;    /* slot of this object in owner, -1 for the root */
    int64_t owner_index;   /* array index within that slot, -1 if none */
    uint64_t start, end;   /* cursor positions in io before and after the seq (for _sizeof) */
    bool sized;            /* io is its own substream (size / size-eos / process) */
    bool is_le;            /* decided endianness */
    bool endian_known;
};

typedef struct fd_arr {
    uint64_t n;
    fd_value *items;
} fd_arr;

/* Constructors.  Strings and byte views must outlive the value (input or arena). */
static inline fd_value fd_v_null(void) { fd_value v = {0}; return v; }
static inline fd_value fd_v_bool(bool b) { fd_value v = {0}; v.kind = FD_BOOL; v.v.i = b; return v; }
static inline fd_value fd_v_int(int64_t i) { fd_value v = {0}; v.kind = FD_INT; v.v.i = i; return v; }
/* Unsigned: keeps the unsigned flag so u8 values above INT64_MAX stay exact. */
static inline fd_value fd_v_uint(uint64_t u) { fd_value v = {0}; v.kind = FD_INT; v.flags = FD_VF_UNSIGNED; v.v.u = u; return v; }
static inline fd_value fd_v_float(double f) { fd_value v = {0}; v.kind = FD_FLOAT; v.v.f = f; return v; }
static inline fd_value fd_v_str(const char *p, uint64_t n) { fd_value v = {0}; v.kind = FD_STR; v.v.p = p; v.x.len = n; return v; }
static inline fd_value fd_v_bytes(const uint8_t *p, uint64_t n) { fd_value v = {0}; v.kind = FD_BYTES; v.v.p = p; v.x.len = n; return v; }
static inline fd_value fd_v_enum(fd_value iv, const fd_enum *e) { iv.kind = FD_ENUM; iv.x.aux = e; return iv; }
static inline fd_value fd_v_array(fd_arr *a) { fd_value v = {0}; v.kind = FD_ARRAY; v.v.p = a; return v; }
static inline fd_value fd_v_obj(fd_obj *o) { fd_value v = {0}; v.kind = FD_STRUCT; v.v.p = o; return v; }
static inline fd_value fd_v_stream(fd_stream *s) { fd_value v = {0}; v.kind = FD_STREAM; v.v.p = s; return v; }
static inline fd_value fd_v_type(const fd_type *t) { fd_value v = {0}; v.kind = FD_TYPE; v.v.p = t; return v; }
static inline fd_value fd_v_err(fd_errrec *e) { fd_value v = {0}; v.kind = FD_ERROR; v.v.p = e; return v; }

static inline fd_obj *fd_v_as_obj(fd_value v) { return (fd_obj *)v.v.p; }
static inline fd_arr *fd_v_as_arr(fd_value v) { return (fd_arr *)v.v.p; }
static inline fd_errrec *fd_v_as_err(fd_value v) { return (fd_errrec *)v.v.p; }
static inline bool fd_v_is_err(fd_value v) { return v.kind == FD_ERROR; }
/* An integer value seen as a mathematical number: is it negative? */
static inline bool fd_v_neg(fd_value v) { return !(v.flags & FD_VF_UNSIGNED) && v.v.i < 0; }

/* Copy an error record into the public struct. */
void fd_errrec_export(const fd_errrec *r, fd_error *out);

#endif
