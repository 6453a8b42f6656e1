/* arena.c - bump allocator with chunk list and an optional byte limit. */
#include "arena.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fd_arena_chunk {
    fd_arena_chunk *next;
    size_t size;
    /* data follows, 16-byte aligned */
} __attribute__((aligned(16)));

/* Chunks grow geometrically up to 1 MiB so small documents stay small and
 * large ones do not pay a malloc per few nodes. */
#define FD_ARENA_MIN_CHUNK (4u << 10)
#define FD_ARENA_MAX_CHUNK (1u << 20)

/* Under ASan a freed chunk is not kept as the spare, so that a pointer
 * kept past a rewind is a use after free it reports. */
#if defined(__SANITIZE_ADDRESS__)
#define FD_ARENA_NO_REUSE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FD_ARENA_NO_REUSE 1
#endif
#endif
#ifndef FD_ARENA_NO_REUSE
#define FD_ARENA_NO_REUSE 0
#endif

/* Under ASan the bytes a rewind takes back are poisoned until allocated
 * again, so a pointer kept past a rewind is reported where it is used. */
#if FD_ARENA_NO_REUSE
#include <sanitizer/asan_interface.h>
#define ARENA_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define ARENA_POISON(p, n) ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

void fd_arena_init(fd_arena *a, uint64_t limit)
{
    memset(a, 0, sizeof *a);
    a->limit = limit;
}

void fd_arena_free(fd_arena *a)
{
    fd_arena_chunk *c = a->head;
    while (c) {
        fd_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a->spare);
    a->spare = NULL;
    a->head = NULL;
    a->cur = a->end = NULL;
    a->used = 0;
}

static bool over_limit(const fd_arena *a, size_t size)
{
    return a->limit && a->used + size + sizeof(fd_arena_chunk) > a->limit;
}

/* exact: a chunk of just `need` bytes (allocations past the limit). */
static int arena_grow(fd_arena *a, size_t need, bool exact)
{
    size_t size = a->head ? a->head->size * 2 : FD_ARENA_MIN_CHUNK;
    if (size > FD_ARENA_MAX_CHUNK)
        size = FD_ARENA_MAX_CHUNK;
    if (size < need || exact)
        size = need;
    if (size > SIZE_MAX - sizeof(fd_arena_chunk) || over_limit(a, size))
        return -1;
    fd_arena_chunk *c = a->spare;
    if (c && !exact && c->size >= size && !over_limit(a, c->size)) {
        size = c->size;
        a->spare = NULL;
    } else if (!(c = malloc(sizeof(fd_arena_chunk) + size))) {
        return -1;
    }
    c->size = size;
    c->next = a->head;
    a->head = c;
    a->cur = (uint8_t *)(c + 1);
    a->end = a->cur + size;
    a->used += size + sizeof(fd_arena_chunk);
    return 0;
}

void *fd_arena_alloc(fd_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - 32)
        return NULL;
    n = (n + 15) & ~(size_t)15;
    if (!a->cur || (size_t)(a->end - a->cur) < n) {
        if (arena_grow(a, n, false) != 0)
            return NULL;
    }
    void *p = a->cur;
    a->cur += n;
    ARENA_UNPOISON(p, n);
    return p;
}

void *fd_arena_alloc_over(fd_arena *a, size_t n, uint64_t extra)
{
    void *p = fd_arena_alloc(a, n);
    if (p || !a->limit || n > SIZE_MAX - 32)
        return p;
    uint64_t limit = a->limit;
    a->limit = limit > UINT64_MAX - extra ? UINT64_MAX : limit + extra;
    n = (n + 15) & ~(size_t)15;
    if (arena_grow(a, n, true) == 0) {
        p = a->cur;
        a->cur += n;
        ARENA_UNPOISON(p, n);
    }
    a->limit = limit;
    return p;
}

fd_arena_mark fd_arena_save(const fd_arena *a)
{
    fd_arena_mark m = {a->head, a->cur, a->end, a->used};
    return m;
}

/* Chunks are only ever pushed, so the mark's chunk is still in the list:
 * free the ones above it and take its cursor back.  The largest one stays
 * as the spare: an arena rewound after each of many small computations
 * would otherwise allocate and free a chunk for each of them. */
void fd_arena_rewind(fd_arena *a, fd_arena_mark m)
{
    while (a->head != m.head) {
        fd_arena_chunk *c = a->head;
        a->head = c->next;
        if (!FD_ARENA_NO_REUSE && (!a->spare || a->spare->size < c->size)) {
            free(a->spare);
            a->spare = c;
        } else {
            free(c);
        }
    }
    a->cur = m.cur;
    a->end = m.end;
    a->used = m.used;
    if (a->cur)
        ARENA_POISON(a->cur, (size_t)(a->end - a->cur));
}

bool fd_arena_since(const fd_arena *a, fd_arena_mark m, const void *p)
{
    uintptr_t x = (uintptr_t)p;
    for (const fd_arena_chunk *c = a->head; c; c = c->next) {
        uintptr_t lo = (uintptr_t)(c + 1), hi = lo + c->size;
        if (c == m.head)
            return x >= (uintptr_t)m.cur && x < hi;
        if (x >= lo && x < hi)
            return true;
    }
    return false;
}

void *fd_arena_zalloc(fd_arena *a, size_t n)
{
    void *p = fd_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *fd_arena_memdup(fd_arena *a, const void *p, size_t n)
{
    void *q = fd_arena_alloc(a, n);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

char *fd_arena_strndup(fd_arena *a, const char *p, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *q = fd_arena_alloc(a, n + 1);
    if (!q)
        return NULL;
    if (n)
        memcpy(q, p, n);
    q[n] = 0;
    return q;
}

char *fd_arena_strdup(fd_arena *a, const char *s)
{
    return fd_arena_strndup(a, s, strlen(s));
}

char *fd_arena_printf(fd_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *q = fd_arena_alloc(a, (size_t)n + 1);
    if (!q)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(q, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return q;
}
