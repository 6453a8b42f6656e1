/* arena.h - bump allocator: every parsed document and loaded description owns one. */
#ifndef FD_ARENA_H
#define FD_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Memory comes in chunks that are only freed all together, so nodes cost a
 * pointer bump and a document is released in one walk over its chunks. */
typedef struct fd_arena_chunk fd_arena_chunk;

typedef struct fd_arena {
    fd_arena_chunk *head;
    uint8_t *cur, *end;
    uint64_t used;      /* bytes reserved in chunks, including their headers */
    uint64_t limit;     /* 0 = unlimited; allocations beyond it fail with NULL */
    fd_arena_chunk *spare;  /* the largest chunk a rewind freed, for the next growth */
} fd_arena;

void fd_arena_init(fd_arena *a, uint64_t limit);
void fd_arena_free(fd_arena *a);
/* 16-byte aligned; NULL when out of memory or over the limit. */
void *fd_arena_alloc(fd_arena *a, size_t n);
void *fd_arena_zalloc(fd_arena *a, size_t n);
/* Like fd_arena_alloc, but when the limit refuses, the limit plus `extra`
 * may still grant a chunk of exactly n bytes (for error records). */
void *fd_arena_alloc_over(fd_arena *a, size_t n, uint64_t extra);
/* A point to rewind to: everything allocated after fd_arena_save is freed
 * by fd_arena_rewind (scratch memory of a computation that kept nothing). */
typedef struct fd_arena_mark {
    fd_arena_chunk *head;
    uint8_t *cur, *end;
    uint64_t used;
} fd_arena_mark;
fd_arena_mark fd_arena_save(const fd_arena *a);
void fd_arena_rewind(fd_arena *a, fd_arena_mark m);
/* Whether p was allocated after mark m (and is still allocated). */
bool fd_arena_since(const fd_arena *a, fd_arena_mark m, const void *p);
void *fd_arena_memdup(fd_arena *a, const void *p, size_t n);
/* NUL-terminated copy of p[0..n). */
char *fd_arena_strndup(fd_arena *a, const char *p, size_t n);
char *fd_arena_strdup(fd_arena *a, const char *s);
char *fd_arena_printf(fd_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
