/* codec.h - text decoding (ASCII, UTF-8, UTF-16/32, legacy code pages via iconv) into UTF-8. */
#ifndef FD_CODEC_H
#define FD_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"

/* Result codes. */
enum { FD_COK = 0, FD_CUNKNOWN = 1 /* unknown encoding name */, FD_CINVALID = 2 /* undecodable bytes */, FD_CNOMEM = 3 };

/* Canonical id of an encoding name (case-insensitive, aliases accepted),
 * or -1 when unknown.  Resolved once at load time. */
int fd_codec_lookup(const char *name);
const char *fd_codec_name(int id);
/* Bytes per NUL terminator of an encoding: 1, 2 (UTF-16) or 4 (UTF-32). */
int fd_codec_unit(int id);
/* Decode src[0..n) to UTF-8 in the arena; *out is NUL-terminated, *outn excludes the NUL.
 * ASCII, UTF-8 and UTF-16LE/BE are decoded without iconv (hot in minidumps). */
int fd_codec_decode(fd_arena *a, int id, const uint8_t *src, size_t n, const char **out, size_t *outn);
/* Encode UTF-8 text into encoding id (for str.to_b); arena-allocated. */
int fd_codec_encode(fd_arena *a, int id, const char *src, size_t n, const uint8_t **out, size_t *outn);
/* Number of Unicode code points in UTF-8 text (str.length). */
size_t fd_utf8_length(const char *s, size_t n);
/* Byte offset of code point index `cp` in UTF-8 text (clamped to n). */
size_t fd_utf8_offset(const char *s, size_t n, size_t cp);

#endif
