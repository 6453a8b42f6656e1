/* intern.c - open-addressing hash set of identifier strings. */
#include "intern.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void fd_intern_init(fd_names *in, fd_arena *a)
{
    memset(in, 0, sizeof *in);
    in->arena = a;
}

void fd_intern_free(fd_names *in)
{
    free(in->slots);
    in->slots = NULL;
    in->cap = in->count = 0;
}

static uint64_t intern_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static size_t intern_probe(const char *const *slots, size_t cap, const char *s, size_t n)
{
    size_t i = (size_t)intern_hash(s, n) & (cap - 1);
    while (slots[i] && !(strncmp(slots[i], s, n) == 0 && slots[i][n] == 0))
        i = (i + 1) & (cap - 1);
    return i;
}

const char *fd_intern_find(const fd_names *in, const char *s, size_t n)
{
    const char *nul = memchr(s, 0, n);
    if (nul)
        n = (size_t)(nul - s);
    if (!in->cap)
        return NULL;
    return in->slots[intern_probe(in->slots, in->cap, s, n)];
}

static int intern_grow(fd_names *in)
{
    size_t cap = in->cap ? in->cap * 2 : 256;
    const char **slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < in->cap; i++)
        if (in->slots[i])
            slots[intern_probe(slots, cap, in->slots[i], strlen(in->slots[i]))] = in->slots[i];
    free(in->slots);
    in->slots = slots;
    in->cap = cap;
    return 0;
}

const char *fd_intern_n(fd_names *in, const char *s, size_t n)
{
    /* Names are C strings: a NUL inside one ends it. */
    const char *nul = memchr(s, 0, n);
    if (nul)
        n = (size_t)(nul - s);
    if ((in->count + 1) * 2 > in->cap && intern_grow(in) != 0)
        return NULL;
    size_t i = intern_probe(in->slots, in->cap, s, n);
    if (!in->slots[i]) {
        char *copy = fd_arena_strndup(in->arena, s, n);
        if (!copy)
            return NULL;
        in->slots[i] = copy;
        in->count++;
    }
    return in->slots[i];
}

const char *fd_intern(fd_names *in, const char *s)
{
    return fd_intern_n(in, s, strlen(s));
}
