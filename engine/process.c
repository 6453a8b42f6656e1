/* process.c - `process:` transforms (zlib, xor, rol, ror) and the registry of custom routines. */
#include "process.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Value fields are read directly: the accessors live in value.c, which this
 * module must not depend on. */

static int proc_fail(char *msg, size_t msgcap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int proc_fail(char *msg, size_t msgcap, const char *fmt, ...)
{
    if (msg && msgcap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, msgcap, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Custom routines: a small fixed table, so registration never allocates. */
#define PROC_MAX 64
#define PROC_NAME_MAX 128

typedef struct proc_entry {
    char name[PROC_NAME_MAX];
    fd_process_fn fn;
    void *user;
} proc_entry;

static proc_entry proc_table[PROC_MAX];
static pthread_mutex_t proc_lock = PTHREAD_MUTEX_INITIALIZER;

/* Registering a name again replaces it; a NULL fn removes it.  -1 when the
 * name is empty or too long, or the table is full. */
int fd_process_register(const char *name, fd_process_fn fn, void *user)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len >= PROC_NAME_MAX)
        return -1;
    pthread_mutex_lock(&proc_lock);
    proc_entry *slot = NULL;
    for (int i = 0; i < PROC_MAX; i++) {
        if (proc_table[i].fn && strcmp(proc_table[i].name, name) == 0) {
            slot = &proc_table[i];
            break;
        }
        if (!slot && !proc_table[i].fn)
            slot = &proc_table[i];
    }
    if (slot) {
        memcpy(slot->name, name, len + 1);
        slot->fn = fn;
        slot->user = user;
    }
    pthread_mutex_unlock(&proc_lock);
    return slot || !fn ? 0 : -1;
}

fd_proc_kind fd_process_kind(const char *name)
{
    if (!name || !*name)
        return FD_PROC_NONE;
    if (strcmp(name, "zlib") == 0)
        return FD_PROC_ZLIB;
    if (strcmp(name, "xor") == 0)
        return FD_PROC_XOR;
    if (strcmp(name, "rol") == 0)
        return FD_PROC_ROL;
    if (strcmp(name, "ror") == 0)
        return FD_PROC_ROR;
    return FD_PROC_CUSTOM;
}

/* Inflate into a malloc'd buffer that doubles up to limit + 1 bytes: reaching
 * the extra byte proves the output exceeds the limit.  Like Python's
 * zlib.decompress, bytes after the end of the stream are ignored and a
 * stream that stops early is an error. */
static int proc_zlib(fd_arena *a, const uint8_t *in, size_t n, uint64_t limit,
                     const uint8_t **out, size_t *outn, char *msg, size_t msgcap)
{
    uint64_t max = limit && limit < SIZE_MAX - 1 ? limit + 1 : SIZE_MAX - 1;
    /* Start near a typical ratio; huge inputs start at 128 MiB and grow. */
    uint64_t want = n < (UINT64_C(1) << 25) ? (uint64_t)n * 4 + 4096 : UINT64_C(1) << 27;
    size_t cap = (size_t)(want < max ? want : max);
    uint8_t *buf = malloc(cap);
    if (!buf)
        return proc_fail(msg, msgcap, "zlib: out of memory");
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) {
        free(buf);
        return proc_fail(msg, msgcap, "zlib: cannot initialise");
    }
    size_t inpos = 0, used = 0;
    int zr = Z_OK, rc = 0;
    while (zr != Z_STREAM_END) {
        if (used == cap) {
            if (cap >= max) {
                rc = proc_fail(msg, msgcap, "zlib output exceeds limit");
                break;
            }
            size_t ncap = cap > max / 2 ? (size_t)max : cap * 2;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                rc = proc_fail(msg, msgcap, "zlib: out of memory");
                break;
            }
            buf = nb;
            cap = ncap;
        }
        /* zlib counts in uInt: feed huge buffers in slices. */
        size_t inchunk = n - inpos < UINT_MAX ? n - inpos : UINT_MAX;
        size_t outchunk = cap - used < UINT_MAX ? cap - used : UINT_MAX;
        z.next_in = (Bytef *)(in + inpos);
        z.avail_in = (uInt)inchunk;
        z.next_out = buf + used;
        z.avail_out = (uInt)outchunk;
        zr = inflate(&z, Z_NO_FLUSH);
        inpos += inchunk - z.avail_in;
        used += outchunk - z.avail_out;
        if (zr == Z_STREAM_END || zr == Z_OK)
            continue;
        if (zr == Z_BUF_ERROR)
            rc = proc_fail(msg, msgcap, "Error -5 while decompressing data: incomplete or truncated stream");
        else
            rc = proc_fail(msg, msgcap, "Error %d while decompressing data: %s", zr, z.msg ? z.msg : "invalid data");
        break;
    }
    inflateEnd(&z);
    if (rc == 0 && limit && used > limit)
        rc = proc_fail(msg, msgcap, "zlib output exceeds limit");
    if (rc == 0) {
        uint8_t *res = fd_arena_memdup(a, buf, used);
        if (res) {
            *out = res;
            *outn = used;
        } else {
            rc = proc_fail(msg, msgcap, "zlib: out of memory for %zu bytes", used);
        }
    }
    free(buf);
    return rc;
}

static int proc_xor(fd_arena *a, const fd_value *args, size_t nargs, const uint8_t *in, size_t n,
                    const uint8_t **out, char *msg, size_t msgcap)
{
    if (nargs != 1)
        return proc_fail(msg, msgcap, "xor takes 1 argument, got %zu", nargs);
    const uint8_t *key;
    size_t klen;
    uint8_t one;
    if (args[0].kind == FD_INT) {
        one = (uint8_t)(args[0].v.u & 0xFF); /* a single-byte key: its low byte */
        key = &one;
        klen = 1;
    } else if (args[0].kind == FD_BYTES) {
        key = args[0].v.p;
        klen = (size_t)args[0].x.len;
        if (klen == 0 || !key)
            return proc_fail(msg, msgcap, "xor key is empty");
    } else {
        return proc_fail(msg, msgcap, "xor key must be an integer or bytes");
    }
    uint8_t *res = fd_arena_alloc(a, n);
    if (!res)
        return proc_fail(msg, msgcap, "xor: out of memory for %zu bytes", n);
    for (size_t i = 0, k = 0; i < n; i++) {
        res[i] = in[i] ^ key[k];
        if (++k == klen)
            k = 0;
    }
    *out = res;
    return 0;
}

/* Rotation is taken mod 8, so rol(-n) == ror(n) and rol(9) == rol(1). */
static int proc_rotate(fd_arena *a, bool left, const fd_value *args, size_t nargs, const uint8_t *in,
                       size_t n, const uint8_t **out, char *msg, size_t msgcap)
{
    const char *op = left ? "rol" : "ror";
    if (nargs != 1)
        return proc_fail(msg, msgcap, "%s takes 1 argument, got %zu", op, nargs);
    if (args[0].kind != FD_INT)
        return proc_fail(msg, msgcap, "%s amount must be an integer", op);
    int k = (int)(args[0].v.i % 8);
    if (k < 0)
        k += 8;
    if (!left)
        k = (8 - k) % 8;
    uint8_t *res = fd_arena_alloc(a, n);
    if (!res)
        return proc_fail(msg, msgcap, "%s: out of memory for %zu bytes", op, n);
    for (size_t i = 0; i < n; i++)
        res[i] = k ? (uint8_t)(in[i] << k | in[i] >> (8 - k)) : in[i];
    *out = res;
    return 0;
}

static int proc_custom(fd_arena *a, const char *name, const fd_value *args, size_t nargs,
                       const uint8_t *in, size_t n, uint64_t limit,
                       const uint8_t **out, size_t *outn, char *msg, size_t msgcap)
{
    fd_process_fn fn = NULL;
    void *user = NULL;
    pthread_mutex_lock(&proc_lock);
    for (int i = 0; name && i < PROC_MAX; i++) {
        if (proc_table[i].fn && strcmp(proc_table[i].name, name) == 0) {
            fn = proc_table[i].fn;
            user = proc_table[i].user;
            break;
        }
    }
    pthread_mutex_unlock(&proc_lock);
    if (!fn)
        return proc_fail(msg, msgcap, "unknown process routine %s", name ? name : "(null)");
    uint8_t *res = NULL;
    size_t resn = 0;
    if (msg && msgcap)
        msg[0] = 0;
    int r = fn(user, in, n, args, nargs, &res, &resn, msg, msgcap);
    int rc = 0;
    if (r != 0) {
        if (!msg || !msgcap || !msg[0])
            proc_fail(msg, msgcap, "process routine %s failed", name);
        rc = -1;
    } else if (limit && resn > limit) {
        rc = proc_fail(msg, msgcap, "process routine %s output exceeds limit", name);
    } else if (resn && !res) {
        rc = proc_fail(msg, msgcap, "process routine %s returned no buffer", name);
    } else {
        const uint8_t *copy = fd_arena_memdup(a, res, resn);
        if (copy) {
            *out = copy;
            *outn = resn;
        } else {
            rc = proc_fail(msg, msgcap, "process routine %s: out of memory for %zu bytes", name, resn);
        }
    }
    free(res);
    return rc;
}

/* limit 0 means no cap beyond available memory (as an arena limit of 0). */
int fd_process_apply(fd_arena *a, fd_proc_kind kind, const char *name,
                     const fd_value *args, size_t nargs,
                     const uint8_t *in, size_t n, uint64_t limit,
                     const uint8_t **out, size_t *outn, char *msg, size_t msgcap)
{
    static const uint8_t none[1];
    if (!in)
        in = none, n = 0;
    int rc;
    switch (kind) {
    case FD_PROC_NONE:
        *out = in;
        *outn = n;
        return 0;
    case FD_PROC_ZLIB:
        return proc_zlib(a, in, n, limit, out, outn, msg, msgcap);
    case FD_PROC_CUSTOM:
        return proc_custom(a, name, args, nargs, in, n, limit, out, outn, msg, msgcap);
    case FD_PROC_XOR:
        rc = proc_xor(a, args, nargs, in, n, out, msg, msgcap);
        break;
    case FD_PROC_ROL:
    case FD_PROC_ROR:
        rc = proc_rotate(a, kind == FD_PROC_ROL, args, nargs, in, n, out, msg, msgcap);
        break;
    default:
        return proc_fail(msg, msgcap, "unknown process kind %d", (int)kind);
    }
    if (rc == 0)
        *outn = n;
    return rc;
}
