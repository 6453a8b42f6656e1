/* emit.h - shared machinery of the tree writers: output buffer and sink, formatting, guards, output budget. */
#ifndef FD_EMIT_H
#define FD_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "fmtdump.h"
#include "value.h"

/* Values nested deeper than this are cut.  Struct nesting in the data is
 * bounded by the engine, but a chain of lazy `pos` instances is not; 512 also
 * keeps the JSON readable by parsers with a recursion limit (Python's 1000). */
#define FD_EMIT_MAX_DEPTH 512
#define FD_EMIT_BUFSZ (1u << 16)
/* Room kept below the output budget for the LimitError marker and the line
 * that carries it (a key, its indentation), besides closing what is open. */
#define FD_EMIT_MARKER_ROOM 4096

/* What fd_emit_enter decided about descending into a value. */
typedef enum fd_emit_guard {
    FD_EMIT_GO = 0,
    FD_EMIT_CYCLE,       /* a struct that is its own ancestor: `value: _root`, or the
                            same type again at the same offset (a loop in the data) */
    FD_EMIT_TOO_DEEP,
    FD_EMIT_BUDGET       /* fd_node_budget reached */
} fd_emit_guard;

/* A struct being written, as seen by the cycle check. */
typedef struct fd_emit_anc {
    fd_value v;
    const struct fd_type *type;    /* v's */
} fd_emit_anc;

/* One step of the path to the value being written: a field name, or an
 * array index when name is NULL. */
typedef struct fd_emit_seg {
    const char *name;
    uint64_t index;
} fd_emit_seg;

/* Write programs (emit_flat.c) a run compiled, by element type; f NULL: none possible. */
#define FD_EMIT_FLATS 16
typedef struct fd_flat fd_flat;
typedef struct fd_emit_flat_slot {
    const struct fd_type *type;
    fd_flat *f;
} fd_emit_flat_slot;

/* One writer run: its output buffer, the stack of structs being written,
 * the output budget and what the run has seen. */
typedef struct fd_emit_ctx {
    fd_sink_fn sink;
    void *user;
    bool failed;           /* the sink refused bytes: later output is dropped */
    bool stop;             /* the output budget tripped: only closing brackets follow */
    bool objects_only;     /* no write programs (fd_flat): every element through its objects */
    uint64_t by_program;   /* elements a write program wrote */
    uint32_t nflats;
    fd_emit_flat_slot flats[FD_EMIT_FLATS];
    size_t len;
    uint64_t flushed;      /* bytes handed to the sink */
    const char *esc;       /* how JSON strings escape ASCII (see emit.c) */
    uint64_t max_output;   /* output budget, 0 until known (see fd_emit_budget_for) */
    uint64_t limit;        /* what the output may reach at this depth: the budget less the
                              room to close every open level and write the marker; 0 once
                              stopped or while no budget is known */
    uint64_t tail;         /* these three: see fd_emit_layout */
    unsigned close_cost;
    unsigned close_sq;
    size_t depth;
    uint64_t nodes;
    uint64_t max_nodes;    /* fd_node_budget of the first struct written, 0 before */
    size_t nanc;
    size_t nseg;
    bool has_last;         /* `last` holds an error */
    fd_error last;         /* the last error counted, to count a parent's repeat once */
    fd_error scratch;      /* the error being written: kept off the recursion's frames */
    fd_emit_stats st;
    fd_emit_anc anc[FD_EMIT_MAX_DEPTH];
    fd_emit_seg seg[FD_EMIT_MAX_DEPTH + 2];
    char buf[FD_EMIT_BUFSZ];
} fd_emit_ctx;

/* opts may be NULL (no budget beyond the derived one). */
fd_emit_ctx *fd_emit_ctx_new(fd_sink_fn sink, void *user, const fd_emit_opts *opts);
/* Flush, copy the stats to opts->stats and free; 0, or -1 when any write failed. */
int fd_emit_ctx_free(fd_emit_ctx *c, const fd_emit_opts *opts);
/* fd_emit_sink; objects_only writes every lazy array element through its
 * objects, which the write programs must match (the tests compare the two);
 * *by_program (may be NULL) receives how many elements programs wrote. */
int fd_emit_sink_paths(fd_sink_fn sink, void *user, fd_value v, const fd_emit_opts *opts, bool objects_only,
                       uint64_t *by_program);
/* The sink behind fd_emit: fwrite to the FILE *user. */
int fd_emit_file_sink(void *user, const char *buf, size_t n);

void fd_emit_spill(fd_emit_ctx *c, const char *s, size_t n);

static inline void fd_emit_put(fd_emit_ctx *c, const char *s, size_t n)
{
    if (n > FD_EMIT_BUFSZ - c->len) {
        fd_emit_spill(c, s, n);
        return;
    }
    memcpy(c->buf + c->len, s, n);
    c->len += n;
}

static inline void fd_emit_putc(fd_emit_ctx *c, char ch)
{
    if (c->len == FD_EMIT_BUFSZ)
        fd_emit_spill(c, &ch, 1);
    else
        c->buf[c->len++] = ch;
}

static inline void fd_emit_puts(fd_emit_ctx *c, const char *s)
{
    fd_emit_put(c, s, strlen(s));
}

/* Bytes produced so far, flushed or not. */
static inline uint64_t fd_emit_bytes(const fd_emit_ctx *c)
{
    return c->flushed + c->len;
}

/* Element i of array arr for a writer, which is done with it (and with all
 * it reached through it) at fd_emit_elem_done: a lazy array's element then
 * costs no memory once written (engine/interp.h, fd_arr_brief_get). */
fd_value fd_emit_elem(fd_value arr, size_t i, fd_brief *hold);
void fd_emit_elem_done(fd_value arr, fd_brief *hold);

/* n spaces; a line break and n spaces. */
void fd_emit_indent(fd_emit_ctx *c, size_t n);
void fd_emit_newline(fd_emit_ctx *c, size_t n);
/* Decimal digits of u into the end of tmp[24]; returns the first digit. */
char *fd_emit_fmt_u64(char tmp[24], uint64_t u);
void fd_emit_u64(fd_emit_ctx *c, uint64_t u);
void fd_emit_i64(fd_emit_ctx *c, int64_t i);
/* "0x" and lowercase hex digits. */
void fd_emit_hex(fd_emit_ctx *c, uint64_t u);
/* An INT or ENUM value in decimal with its signedness. */
void fd_emit_int_value(fd_emit_ctx *c, fd_value v);
/* Shortest repr of a finite double that reads back exactly, with a `.0` or an
 * exponent so it reads as a float; 0 for NaN and infinities. */
size_t fd_emit_format_double(double d, char *buf, size_t cap);
/* A JSON string literal with quotes; invalid UTF-8 becomes U+FFFD. */
void fd_emit_json_string(fd_emit_ctx *c, const char *s, size_t n);
/* Bytes fd_emit_json_string writes for s[0..n), quotes included. */
uint64_t fd_emit_json_string_len(const fd_emit_ctx *c, const char *s, size_t n);
/* From now on JSON strings also escape `<`, `>` and `&` (for an HTML page). */
void fd_emit_json_html(fd_emit_ctx *c);
/* Lowercase hex of n bytes; with sep, a space between bytes. */
void fd_emit_hex_bytes(fd_emit_ctx *c, const uint8_t *p, size_t n, bool sep);
/* The error as one line: "Kind: message @0x.. /path". */
void fd_emit_error_line(fd_emit_ctx *c, const fd_error *err);
/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
size_t fd_emit_utf8_len(const unsigned char *s, size_t n);

/* The error carried by an FD_ERROR value, counted (kind FD_ERR_NONE filled when absent). */
void fd_emit_value_error(fd_emit_ctx *c, fd_value v, fd_error *err);

/* Guards around writing a struct or an array: enter before, leave after
 * (only when enter returned FD_EMIT_GO). */
fd_emit_guard fd_emit_enter(fd_emit_ctx *c, fd_value v);
void fd_emit_leave(fd_emit_ctx *c, fd_value v);

/* The path of the value about to be written: push its step before, pop after. */
static inline void fd_emit_push_name(fd_emit_ctx *c, const char *name)
{
    if (c->nseg < FD_EMIT_MAX_DEPTH + 2)
        c->seg[c->nseg] = (fd_emit_seg){name, 0};
    c->nseg++;
}

static inline void fd_emit_push_index(fd_emit_ctx *c, uint64_t i)
{
    if (c->nseg < FD_EMIT_MAX_DEPTH + 2)
        c->seg[c->nseg] = (fd_emit_seg){NULL, i};
    c->nseg++;
}

static inline void fd_emit_pop(fd_emit_ctx *c)
{
    c->nseg--;
}

/* The output budget for a run that writes v: 16 MiB + 64 x the input size,
 * 0 (unknown yet) when v is not a struct. */
uint64_t fd_emit_budget_for(fd_value v);

/* How a writer closes what is open, for the room kept below the budget: per
 * open level close_cost bytes plus close_sq x depth (pretty closers indent
 * deeper at each level), and tail bytes written after the tree. */
void fd_emit_layout(fd_emit_ctx *c, unsigned close_cost, unsigned close_sq, uint64_t tail);
/* Recompute c->limit after the depth, the budget or the layout changed. */
void fd_emit_set_limit(fd_emit_ctx *c);

bool fd_emit_fits_slow(fd_emit_ctx *c, fd_value v, uint64_t used, uint64_t need);

/* Whether need more bytes fit after used, the reserve kept; no side effect. */
static inline bool fd_emit_room(const fd_emit_ctx *c, uint64_t used, uint64_t need)
{
    return need <= c->limit && used <= c->limit - need;
}

/* Whether need more bytes fit under the limit of `levels` levels deeper:
 * then every budget check of what those levels write passes. */
bool fd_emit_room_deeper(const fd_emit_ctx *c, size_t levels, uint64_t need);

/* Whether `need` more bytes fit in the output budget, `used` being what the
 * run has produced (or a writer's upper bound of it), with the reserve kept.
 * The first time they do not, the budget trips: c->stop is set and the
 * caller writes the fd_emit_tripped error in place of v; afterwards writers
 * only close what is open.  v sets the budget when none is known yet. */
static inline bool fd_emit_fits_at(fd_emit_ctx *c, fd_value v, uint64_t used, uint64_t need)
{
    return fd_emit_room(c, used, need) || fd_emit_fits_slow(c, v, used, need);
}

static inline bool fd_emit_fits(fd_emit_ctx *c, fd_value v, uint64_t need)
{
    return fd_emit_fits_at(c, v, fd_emit_bytes(c), need);
}

/* The LimitError of the tripped budget, counted, located where the run
 * stopped: the path being written and the offset of v (a struct) or of the
 * nearest struct around it. */
void fd_emit_tripped(fd_emit_ctx *c, fd_value v, fd_error *err);

/* Count an error the writer shows; a struct's own error that repeats the
 * child's just counted is counted once (the CLI's message says how many). */
void fd_emit_count_error(fd_emit_ctx *c, const fd_error *err);
/* The name of struct field i when it is written, else NULL: params never,
 * seq fields once reached, instances always.  At the first instance the
 * struct's own error is counted (as the CLI's scan does, after the seq
 * fields): *noted starts false and tells it was. */
const char *fd_emit_field(fd_emit_ctx *c, fd_value obj, size_t i, bool *noted);
/* After the fields: the struct's own error in c->scratch (counted unless
 * noted), or NULL when it has none. */
const fd_error *fd_emit_own_error(fd_emit_ctx *c, fd_value obj, bool noted);

/* Writers behind fd_emit_sink; each writes under c's budget. */
void fd_emit_json_tree(fd_emit_ctx *c, fd_value v, const fd_emit_opts *opts);
/* The JSON of v alone, no newline after it (the -e values, the HTML page's data). */
void fd_emit_json_body(fd_emit_ctx *c, fd_value v, bool compact, bool spans);
void fd_emit_html(fd_emit_ctx *c, fd_value v, const fd_emit_opts *opts);
void fd_emit_text(fd_emit_ctx *c, fd_value v, const fd_emit_opts *opts);
int fd_emit_yaml(fd_emit_ctx *c, fd_value v, const fd_emit_opts *opts);

#endif
