/* membuf.h - a growing buffer behind an fd_sink_fn, for the tools and fuzz targets (no CMocka). */
#ifndef FD_TEST_MEMBUF_H
#define FD_TEST_MEMBUF_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct membuf {
    char *p;
    size_t n, cap;
    bool oom;              /* a write found no memory: the output is short */
} membuf;

static inline int membuf_sink(void *user, const char *s, size_t n)
{
    membuf *b = user;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->n + n)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return -1;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    return 0;
}

#endif
