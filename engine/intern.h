/* intern.h - string interning: equal identifiers share one pointer, so lookups compare pointers. */
#ifndef FD_INTERN_H
#define FD_INTERN_H

#include <stddef.h>
#include "arena.h"

typedef struct fd_names {
    fd_arena *arena;
    const char **slots;
    size_t cap, count;
} fd_names;

void fd_intern_init(fd_names *in, fd_arena *a);
void fd_intern_free(fd_names *in);
/* The canonical copy of s[0..n); NULL on out of memory. */
const char *fd_intern_n(fd_names *in, const char *s, size_t n);
const char *fd_intern(fd_names *in, const char *s);
/* The canonical copy if present, else NULL (no insertion). */
const char *fd_intern_find(const fd_names *in, const char *s, size_t n);

#endif
