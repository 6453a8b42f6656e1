/* emit_flat.h - write programs: lazy array elements written straight from the input (emit_flat.c). */
#ifndef FD_EMIT_FLAT_H
#define FD_EMIT_FLAT_H

#include "emit.h"
#include "interp.h"

/* A write program for elements of a lazy array (emit_flat.c): the element's
 * items in the order the writers write them, each OPEN of a struct matched by
 * a CLOSE.  fd_flat_resolve fills vals[k] for NUM and BYTES op k. */
enum { FD_FLAT_OPEN, FD_FLAT_CLOSE, FD_FLAT_NUM, FD_FLAT_BYTES };
/* Levels a program may nest: the element and 8 below it (interp.c flat_size). */
#define FD_FLAT_MAX_LEVELS 10

/* An int `pos` or `size`: literal lit (attr NULL), or the number field attr at
 * offset off of the element. */
typedef struct fd_flat_src {
    const fd_attr *attr;
    uint64_t lit;
    bool lit_neg;
    bool le;               /* the field's byte order (fd_flat_bind) */
    uint32_t off;
} fd_flat_src;

typedef struct fd_flat_op {
    uint8_t kind;
    uint8_t endian;        /* OPEN: the struct type's fd_endian */
    bool root_io;          /* BYTES: a view of `_root._io`, else of the element's stream */
    bool le;               /* NUM: the field's byte order (fd_flat_bind) */
    const char *name;      /* the key; NULL for the element's own OPEN */
    size_t nlen;
    const fd_attr *attr;   /* NUM: the field; BYTES: the instance */
    uint32_t off;          /* NUM: offset of the field in the element */
    const fd_type *type;   /* OPEN: the struct's type */
    fd_flat_src pos, size; /* BYTES */
} fd_flat_op;

struct fd_flat {
    const fd_type *type;
    uint32_t levels;       /* struct nesting, the element's own level counted */
    uint32_t nstructs;     /* structs written per element (writer nodes) */
    uint32_t items;        /* items written per element, the element counted */
    uint64_t alloc;        /* bytes its objects take at most (fd_lazy_room) */
    uint64_t need;         /* their JSON budget needs but indentation and byte views (fd_flat_need) */
    uint64_t names;        /* bytes of the names, type names and longest enum labels they show */
    uint32_t nviews;       /* byte views per element */
    bool bound, bound_le, bound_known, usable;   /* the byte order bound, and whether it decides all */
    fd_value *vals;
    bool to_string;        /* some struct type in it has a `to-string` */
    uint32_t nops;
    fd_flat_op ops[];
};

/* The program of lazy array element type t, or NULL when writing from the
 * input could differ from writing the objects (or no memory). */
fd_flat *fd_flat_compile(const fd_type *t);
void fd_flat_free(fd_flat *f);
/* A bound of what the JSON writer's budget checks of writing an element at depth
 * `depth` ask for, its byte views holding nbytes: when it fits below the
 * deepest level's limit (fd_emit_room_deeper), every check passes. */
uint64_t fd_flat_need(const fd_flat *f, size_t depth, uint64_t nbytes);
/* Bind f to the byte order the elements' creator passes on (le; known: it
 * is decided); false when some field's order is still undecided. */
bool fd_flat_bind(fd_flat *f, bool le, bool known);
/* Fill f->vals for element e (f bound to its creator's byte order) and the
 * bytes its views hold; false when reading it as objects could fail (the
 * object path then reports it). */
bool fd_flat_resolve(fd_flat *f, const fd_lazy_elem *e, uint64_t *nbytes);

/*
 * Writing the elements of a lazy array by program, for a writer's array
 * loop: fd_emit_flat_start before the loop, then per element
 *
 *     how = fd_emit_flat_prepare(c, &run, i);
 *     if (how == FD_FLAT_READY && fd_emit_flat_commit(c, &run, NEED))
 *         write run.f's ops with run.f->vals;
 *     else {
 *         write element i through its objects;
 *         if (how == FD_FLAT_MEASURE)
 *             fd_emit_flat_measured(c, &run);
 *     }
 *
 * NEED bounds what the writer's budget checks would ask for writing the
 * element through its objects (fd_flat_need for JSON), its views holding
 * run.nbytes bytes.  The program takes no guard's place: an element goes the
 * object way whenever one could act (a budget near its end, a view that
 * would fail), and the work budget is charged what an element costs the
 * object way: what two elements measured so agree on (else no program).
 * The cycle check has nothing to see: an element holds only numbers, views
 * and structs of them, none of which can repeat an ancestor.
 */
enum { FD_FLAT_NO, FD_FLAT_MEASURE, FD_FLAT_READY };
typedef struct fd_flat_run {
    fd_arr *arr;
    bool off;              /* no program for this array (any more) */
    bool to_string;        /* the writer shows `to-string`: such types need their objects */
    bool tried;            /* f was looked up */
    fd_flat *f;
    fd_doc *doc;
    unsigned calibrated;   /* elements measured: at 2, per_element holds */
    uint64_t per_element;  /* work units one element costs the object way */
    uint64_t work_before, errors_before;
    uint64_t nbytes;       /* what the prepared element's views hold */
} fd_flat_run;
/* allowed: the writer may use programs here (not with spans, say). */
void fd_emit_flat_start(fd_emit_ctx *c, fd_flat_run *run, fd_value arr, bool allowed, bool shows_to_string);
int fd_emit_flat_prepare(fd_emit_ctx *c, fd_flat_run *run, size_t i);
bool fd_emit_flat_commit(fd_emit_ctx *c, fd_flat_run *run, uint64_t need);
void fd_emit_flat_measured(fd_emit_ctx *c, fd_flat_run *run);

#endif
