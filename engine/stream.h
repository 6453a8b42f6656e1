/* stream.h - bounded reads over a byte range: integers, floats, bits, bytes, terminators, substreams. */
#ifndef FD_STREAM_H
#define FD_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A stream is a window [base, base+size) with a cursor.  Every read checks
 * the window first, so no description or input can make us read outside it.
 * `origin` maps stream offsets back to the input file for error messages;
 * it is FD_NO_ORIGIN for streams over processed (decompressed, xored) bytes. */
#define FD_NO_ORIGIN UINT64_MAX

typedef struct fd_stream {
    const uint8_t *base;
    uint64_t size;
    uint64_t pos;
    uint64_t origin;      /* absolute file offset of base[0], or FD_NO_ORIGIN */
    uint64_t bits;        /* bit buffer, valid low `bits_left` bits */
    int bits_left;
} fd_stream;

/* Result codes of stream operations. */
enum { FD_SOK = 0, FD_SEOS = 1 };

void fd_stream_init(fd_stream *s, const uint8_t *base, uint64_t size, uint64_t origin);
/* A substream over the next n bytes of s (checked); s advances by n. */
int fd_stream_sub(fd_stream *s, uint64_t n, fd_stream *out);
/* Absolute file offset of the cursor, or -1. */
int64_t fd_stream_abs(const fd_stream *s);

static inline bool fd_stream_eof(const fd_stream *s) { return s->bits_left == 0 && s->pos >= s->size; }
static inline uint64_t fd_stream_left(const fd_stream *s) { return s->pos >= s->size ? 0 : s->size - s->pos; }
/* seek beyond the end is allowed (Kaitai allows it); the next read fails. */
static inline void fd_stream_seek(fd_stream *s, uint64_t pos) { s->pos = pos; s->bits_left = 0; s->bits = 0; }
static inline void fd_stream_align(fd_stream *s) { s->bits_left = 0; s->bits = 0; }

/* Unsigned integer of `width` bytes (1,2,4,8); le selects byte order. */
int fd_stream_read_uint(fd_stream *s, int width, bool le, uint64_t *out);
/* Signed: sign-extended from width bytes. */
int fd_stream_read_sint(fd_stream *s, int width, bool le, int64_t *out);
int fd_stream_read_f4(fd_stream *s, bool le, double *out);
int fd_stream_read_f8(fd_stream *s, bool le, double *out);
/* n bits (1..64), big-endian (MSB first) or little-endian (LSB first) bit order. */
int fd_stream_read_bits(fd_stream *s, int n, bool le, uint64_t *out);
/* A zero-copy view of the next n bytes. */
int fd_stream_read_bytes(fd_stream *s, uint64_t n, const uint8_t **out);
/* Everything to the end of the stream. */
void fd_stream_read_rest(fd_stream *s, const uint8_t **out, uint64_t *n);
/* Read up to a terminator of `tlen` bytes (1, 2 or 4; multi-byte terminators
 * only match at tlen-aligned positions relative to the start).  include keeps
 * the terminator in the view; consume moves past it; eos_error makes a
 * missing terminator an error, else the rest is returned.  On FD_SEOS the
 * cursor is unchanged. */
int fd_stream_read_term(fd_stream *s, const uint8_t *term, int tlen, bool include,
                        bool consume, bool eos_error, const uint8_t **out, uint64_t *n);

/* Pure helpers on byte buffers (Kaitai's bytes_strip_right / bytes_terminate). */
uint64_t fd_bytes_strip_right(const uint8_t *p, uint64_t n, uint8_t pad);
uint64_t fd_bytes_terminate(const uint8_t *p, uint64_t n, const uint8_t *term, int tlen, bool include);

#endif
