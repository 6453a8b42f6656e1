/* ksy_cache.c - the parse cache: a .ksy file's YAML tree kept on disk beside a copy of its bytes, so an unchanged file skips libyaml. */
#include "ksy_load.h"
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Only the YAML reading is cached: the checks, the build and the resolution
 * run on the tree as they do after libyaml, so a cache file can change no
 * rule a load enforces.  A tree is taken only when the stored copy of the
 * source equals the text being loaded byte for byte, its checksum holds and
 * every record passes the checks below, which give it the shape libyaml's
 * trees have (map keys are scalars, nesting within the parser's limit,
 * NUL-terminated scalars).  Anything else is a miss: the text is parsed and
 * the entry written again.  Writes go to a temporary file renamed into place,
 * so readers never see half an entry.
 *
 * File layout, little-endian:
 *   header   "fdkytre1", u32 nodes, u32 0, u64 source bytes, u64 pool bytes,
 *            u64 checksum of the records and the pool
 *   source   the .ksy text as loaded
 *   records  one per node in preorder, REC bytes each: u8 kind, u8 style,
 *            u16 0, u32 line, u32 col, u32 n (kids of a collection, bytes of a
 *            scalar), u32 offset of a scalar's bytes in the pool
 *   pool     each scalar's bytes followed by a NUL
 */

#define MAGIC "fdkytre1"
#define HEAD 40
#define REC 20
/* A tree is a few times its source; far more than that is not one of ours. */
#define MAX_GROWTH 64

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* A word-at-a-time mix: it only has to catch torn or damaged files. */
static uint64_t checksum(const uint8_t *p, size_t n)
{
    uint64_t h = 0x6a09e667f3bcc908u ^ n;
    for (; n >= 8; p += 8, n -= 8) {
        h ^= get64(p) * 0x9e3779b97f4a7c15u;
        h = (h << 27 | h >> 37) * 0xbf58476d1ce4e5b9u;
    }
    for (; n; p++, n--)
        h = (h ^ *p) * 0x100000001b3u;
    return h ^ h >> 31;
}

/* dir/XXXXXXXXXXXXXXXX.tree, named by a hash of the file's key (its real
 * path): one entry per description file, replaced when the file changes. */
static char *entry_path(const char *dir, const char *key)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const unsigned char *k = (const unsigned char *)key; *k; k++)
        h = (h ^ *k) * 0x100000001b3u;
    size_t n = strlen(dir) + 24;
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s/%016llx.tree", dir, (unsigned long long)h);
    return path;
}

/* Reads the whole entry into the arena; NULL when absent, odd, too large or
 * not safely the user's own. */
static uint8_t *read_entry(fd_arena *a, const char *path, size_t srclen, size_t *n)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    uint8_t *buf = NULL;
    /* Only an entry this user wrote, that no one else may change: in a shared
     * directory another user could otherwise plant a tree for a known file. */
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
        !(st.st_mode & (S_IWGRP | S_IWOTH)) && st.st_size >= HEAD &&
        (uint64_t)st.st_size <= (uint64_t)MAX_GROWTH * (srclen + 64)) {
        size_t size = (size_t)st.st_size, got = 0;
        buf = fd_arena_alloc(a, size);
        while (buf && got < size) {
            ssize_t r = read(fd, buf + got, size - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                buf = NULL;
            else
                got += (size_t)r;
        }
        *n = size;
    }
    close(fd);
    return buf;
}

typedef struct open_node {
    fd_ksy_node *node;
    uint32_t filled;
} open_node;

/* Rebuilds the tree from n records; NULL unless it has a parse tree's shape. */
static fd_ksy_node *rebuild(fd_arena *a, const uint8_t *rec, uint32_t n, const char *pool,
                            uint64_t npool)
{
    if (n == 0)
        return NULL;
    fd_ksy_node *nodes = fd_arena_alloc(a, (size_t)n * sizeof *nodes);
    fd_ksy_node **kids = fd_arena_alloc(a, (size_t)n * sizeof *kids);
    if (!nodes || !kids)
        return NULL;
    open_node stack[FD_KSY_MAX_YAML_DEPTH];
    int depth = 0;
    uint32_t nkid = 0;      /* kid pointers handed out; every node but the root takes one */
    for (uint32_t i = 0; i < n; i++, rec += REC) {
        fd_ksy_node *x = &nodes[i];
        memset(x, 0, sizeof *x);
        x->kind = rec[0];
        x->style = rec[1];
        x->line = get32(rec + 4);
        x->col = get32(rec + 8);
        uint32_t count = get32(rec + 12), off = get32(rec + 16);
        if (rec[2] || rec[3] || !x->line || !x->col)
            return NULL;
        if (x->kind == FD_KSY_SCALAR) {
            if (x->style > FD_KSY_BLOCK || off >= npool || count >= npool - off || pool[off + count])
                return NULL;
            x->s = pool + off;
            x->len = count;
        } else if (x->kind == FD_KSY_SEQ || x->kind == FD_KSY_MAP) {
            if (x->style || off || count > n - 1 - nkid || (x->kind == FD_KSY_MAP && count % 2))
                return NULL;
            x->nkids = count;
            x->kids = count ? kids + nkid : NULL;
            nkid += count;
        } else {
            return NULL;
        }
        if (i > 0) {
            if (depth == 0)
                return NULL;    /* a second root */
            open_node *top = &stack[depth - 1];
            if (top->node->kind == FD_KSY_MAP && top->filled % 2 == 0 && x->kind != FD_KSY_SCALAR)
                return NULL;    /* a key that is not a scalar */
            top->node->kids[top->filled++] = x;
        }
        /* A collection stays open until its last descendant is read, so the
         * stack's height is the nesting depth the builder will recurse to. */
        if (x->nkids) {
            if (depth >= FD_KSY_MAX_YAML_DEPTH)
                return NULL;
            stack[depth++] = (open_node){x, 0};
        } else {
            while (depth > 0 && stack[depth - 1].filled == stack[depth - 1].node->nkids)
                depth--;
        }
    }
    return depth == 0 && nkid == n - 1 ? nodes : NULL;
}

fd_ksy_node *fd_ksy_cache_get(fd_arena *a, const char *dir, const char *key, const char *text,
                              size_t len)
{
    char *path = entry_path(dir, key);
    if (!path)
        return NULL;
    size_t size = 0;
    uint8_t *buf = read_entry(a, path, len, &size);
    free(path);
    if (!buf || memcmp(buf, MAGIC, 8) != 0 || get32(buf + 12) != 0)
        return NULL;
    uint32_t n = get32(buf + 8);
    uint64_t srclen = get64(buf + 16), npool = get64(buf + 24);
    uint64_t rest = size - HEAD;
    if (srclen != len || srclen > rest || (uint64_t)n * REC > rest - srclen ||
        npool != rest - srclen - (uint64_t)n * REC)
        return NULL;
    const uint8_t *src = buf + HEAD, *rec = src + srclen;
    if (memcmp(src, text, len) != 0 || checksum(rec, size - HEAD - len) != get64(buf + 32))
        return NULL;
    return rebuild(a, rec, n, (const char *)rec + (size_t)n * REC, npool);
}

/* ---- writing ---- */

typedef struct tree_size {
    uint64_t nodes, pool;
} tree_size;

static void measure(const fd_ksy_node *x, tree_size *z)
{
    z->nodes++;
    if (x->kind == FD_KSY_SCALAR)
        z->pool += x->len + 1;
    for (uint32_t i = 0; i < x->nkids; i++)
        measure(x->kids[i], z);
}

static void store(const fd_ksy_node *x, uint8_t **rec, char *pool, uint32_t *off)
{
    uint8_t *r = *rec;
    *rec += REC;
    memset(r, 0, REC);
    r[0] = x->kind;
    r[1] = x->style;
    put32(r + 4, x->line);
    put32(r + 8, x->col);
    if (x->kind == FD_KSY_SCALAR) {
        put32(r + 12, (uint32_t)x->len);
        put32(r + 16, *off);
        memcpy(pool + *off, x->s, x->len);
        pool[*off + x->len] = 0;
        *off += (uint32_t)x->len + 1;
        return;
    }
    put32(r + 12, x->nkids);
    for (uint32_t i = 0; i < x->nkids; i++)
        store(x->kids[i], rec, pool, off);
}

/* mkdir -p, private to the user; failures show when the entry is created. */
static void make_dirs(const char *dir)
{
    char *d = strdup(dir);
    if (!d)
        return;
    for (char *p = d + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            (void)mkdir(d, 0700);
            *p = '/';
        }
    (void)mkdir(d, 0700);
    free(d);
}

void fd_ksy_cache_put(const char *dir, const char *key, const char *text, size_t len,
                      const fd_ksy_node *root)
{
    tree_size z = {0, 0};
    measure(root, &z);
    /* Offsets and counts are u32 in the file; a description is at most 16 MiB. */
    if (z.nodes > UINT32_MAX / 2 || z.pool > UINT32_MAX || len > FD_KSY_MAX_FILE)
        return;
    size_t size = HEAD + len + (size_t)z.nodes * REC + (size_t)z.pool;
    uint8_t *buf = malloc(size);
    char *path = entry_path(dir, key);
    char *tmp = path ? malloc(strlen(path) + 8) : NULL;
    if (!buf || !tmp)
        goto out;
    memcpy(buf, MAGIC, 8);
    put32(buf + 8, (uint32_t)z.nodes);
    put32(buf + 12, 0);
    put64(buf + 16, len);
    put64(buf + 24, z.pool);
    memcpy(buf + HEAD, text, len);
    uint8_t *rec = buf + HEAD + len;
    uint32_t off = 0;
    store(root, &rec, (char *)rec + (size_t)z.nodes * REC, &off);
    put64(buf + 32, checksum(buf + HEAD + len, size - HEAD - len));

    make_dirs(dir);
    sprintf(tmp, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0)
        goto out;
    int bad = fd_io_write_all(fd, buf, size);
    if (close(fd) != 0 || bad || rename(tmp, path) != 0)
        unlink(tmp);
out:
    free(tmp);
    free(path);
    free(buf);
}
