/* emit.h - shared machinery of the tree writers: output buffer, number and string formatting, guards. */
#ifndef FD_EMIT_H
#define FD_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "fmtdump.h"

/* Values nested deeper than this are cut.  Struct nesting in the data is
 * bounded by the engine, but a chain of lazy `pos` instances is not; 512 also
 * keeps the JSON readable by parsers with a recursion limit (Python's 1000). */
#define FD_EMIT_MAX_DEPTH 512
#define FD_EMIT_BUFSZ (1u << 16)

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
    const void *id;
    const char *type;
    int64_t offset;
} fd_emit_anc;

/* One writer run: its output buffer and the stack of structs being written. */
typedef struct fd_emit_ctx {
    FILE *out;
    bool failed;           /* an fwrite failed: later output is dropped */
    size_t len;
    size_t depth;
    uint64_t nodes;
    uint64_t max_nodes;    /* fd_node_budget of the first struct written, 0 before */
    size_t nanc;
    fd_emit_anc anc[FD_EMIT_MAX_DEPTH];
    char buf[FD_EMIT_BUFSZ];
} fd_emit_ctx;

fd_emit_ctx *fd_emit_ctx_new(FILE *out);
/* Flush and free; 0, or -1 when any write failed. */
int fd_emit_ctx_free(fd_emit_ctx *c);

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

/* n spaces. */
void fd_emit_indent(fd_emit_ctx *c, size_t n);
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
/* Lowercase hex of n bytes; with sep, a space between bytes. */
void fd_emit_hex_bytes(fd_emit_ctx *c, const uint8_t *p, size_t n, bool sep);
/* The error as one line: "Kind: message @0x.. /path". */
void fd_emit_error_line(fd_emit_ctx *c, const fd_error *err);
/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
size_t fd_emit_utf8_len(const unsigned char *s, size_t n);

/* The name of struct field i when it is written, else NULL: params never,
 * seq fields once reached, instances always. */
const char *fd_emit_field_shown(fd_value obj, size_t i);
/* The error carried by an FD_ERROR value (kind FD_ERR_NONE filled when absent). */
void fd_emit_value_error(fd_value v, fd_error *err);

/* Guards around writing a struct or an array: enter before, leave after
 * (only when enter returned FD_EMIT_GO). */
fd_emit_guard fd_emit_enter(fd_emit_ctx *c, fd_value v);
void fd_emit_leave(fd_emit_ctx *c, fd_value v);

/* Writers behind fd_emit. */
int fd_emit_json_doc(FILE *out, fd_value v, bool compact);
int fd_emit_text(FILE *out, fd_value v, uint64_t max_bytes);
int fd_emit_yaml(FILE *out, fd_value v);

#endif
