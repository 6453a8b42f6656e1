/* process.c - `process:` transforms (zlib, xor, rol, ror) and the registry of custom routines. */
#include "interp.h"

#include <assert.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Value fields are read directly: the accessors live in value.c, which this
 * module must not depend on. */

/* Error kinds are returned as ints: 0 is success. */
static int proc_fail_kind(int kind, char *msg, size_t msgcap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int proc_fail_kind(int kind, char *msg, size_t msgcap, const char *fmt, ...)
{
    if (msg && msgcap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, msgcap, fmt, ap);
        va_end(ap);
    }
    return kind;
}

/* The usual failure: a ProcessError. */
#define proc_fail(msg, msgcap, ...) proc_fail_kind(FD_ERR_PROCESS, msg, msgcap, __VA_ARGS__)

/* Custom routines: a small fixed table, so registration never allocates.
 * The lock makes registering safe from any thread; parsing never takes it,
 * because a spec binds its routines when it is loaded (fd_process_lookup). */
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

fd_proc_ref fd_process_lookup(const char *name)
{
    fd_proc_ref r = {NULL, NULL};
    pthread_mutex_lock(&proc_lock);
    for (int i = 0; name && i < PROC_MAX; i++) {
        if (proc_table[i].fn && strcmp(proc_table[i].name, name) == 0) {
            r.fn = proc_table[i].fn;
            r.user = proc_table[i].user;
            break;
        }
    }
    pthread_mutex_unlock(&proc_lock);
    return r;
}

/* At most the bytes one allocation from the document's arena may still get:
 * the rest of its current chunk, or a new chunk within its limit. */
static uint64_t arena_room(const fd_arena *a)
{
    if (!a->limit)
        return UINT64_MAX;
    uint64_t in_chunk = a->cur ? (uint64_t)(a->end - a->cur) : 0;
    uint64_t fresh = a->limit > a->used ? a->limit - a->used : 0;
    return in_chunk > fresh ? in_chunk : fresh;
}

/* Charge the bytes produced so far (*charged of them already). */
static bool charge(fd_doc *doc, uint64_t produced, uint64_t *charged)
{
    uint64_t units = produced / FD_WORK_BYTES_PER_UNIT - *charged / FD_WORK_BYTES_PER_UNIT;
    *charged = produced;
    return units && fd_work_spend(doc, units);
}

#define ZLIB_SCRATCH (64u << 10)

/* One inflate of in[0..n): into dst[0..cap) when dst is set, else through a
 * scratch buffer only to count.  *used gets the output size; counting stops
 * as soon as it passes max.  Like Python's zlib.decompress, bytes after the
 * end of the stream are ignored and a stream that stops early is an error. */
static int zlib_run(fd_doc *doc, const uint8_t *in, size_t n, uint8_t *dst, size_t cap, uint64_t max,
                    uint64_t *used, char *msg, size_t msgcap)
{
    uint8_t *scratch = NULL;
    if (!dst && !(scratch = malloc(ZLIB_SCRATCH)))
        return proc_fail_kind(FD_ERR_NOMEM, msg, msgcap, "zlib: out of memory");
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) {
        free(scratch);
        return proc_fail(msg, msgcap, "zlib: cannot initialise");
    }
    size_t inpos = 0;
    uint64_t out = 0, charged = 0;
    int zr = Z_OK, rc = 0;
    while (zr != Z_STREAM_END) {
        if (out > max) {
            rc = -1;
            break;
        }
        /* zlib counts in uInt: feed huge buffers in slices. */
        size_t inchunk = n - inpos < UINT_MAX ? n - inpos : UINT_MAX;
        size_t room = dst ? cap - (size_t)out : ZLIB_SCRATCH;
        size_t outchunk = room < UINT_MAX ? room : UINT_MAX;
        z.next_in = (Bytef *)(in + inpos);
        z.avail_in = (uInt)inchunk;
        z.next_out = dst ? dst + out : scratch;
        z.avail_out = (uInt)outchunk;
        zr = inflate(&z, Z_NO_FLUSH);
        inpos += inchunk - z.avail_in;
        out += outchunk - z.avail_out;
        if (!dst && charge(doc, out, &charged)) {
            rc = proc_fail_kind(FD_ERR_LIMIT, msg, msgcap, "work budget exhausted after %llu bytes of output",
                                (unsigned long long)out);
            break;
        }
        if (zr == Z_STREAM_END || zr == Z_OK)
            continue;
        if (zr == Z_BUF_ERROR)
            rc = proc_fail(msg, msgcap, "Error -5 while decompressing data: incomplete or truncated stream");
        else
            rc = proc_fail(msg, msgcap, "Error %d while decompressing data: %s", zr, z.msg ? z.msg : "invalid data");
        break;
    }
    inflateEnd(&z);
    free(scratch);
    if (rc == 0 && out > max)
        rc = -1;
    *used = out;
    return rc;
}

/* Two passes: count the output (charging the work budget and stopping past
 * the caps), then inflate straight into an arena block of exactly that size,
 * so a bomb never allocates more than the document may hold. */
static int proc_zlib(fd_doc *doc, const uint8_t *in, size_t n, uint64_t limit,
                     const uint8_t **out, size_t *outn, char *msg, size_t msgcap)
{
    uint64_t room = arena_room(doc->cur);
    uint64_t max = limit < room ? limit : room;
    if (max > SIZE_MAX - 1)
        max = SIZE_MAX - 1;
    uint64_t used = 0;
    int rc = zlib_run(doc, in, n, NULL, 0, max, &used, msg, msgcap);
    if (rc == -1 && used > limit)
        return proc_fail(msg, msgcap, "zlib output exceeds limit");
    if (rc == -1)
        return proc_fail_kind(FD_ERR_NOMEM, msg, msgcap, "zlib: out of memory: output exceeds the %llu bytes "
                              "the document may still allocate", (unsigned long long)room);
    if (rc != 0)
        return rc;
    /* One spare byte: the second pass never meets a full buffer before the end. */
    uint8_t *buf = fd_arena_alloc(doc->cur, (size_t)used + 1);
    if (!buf)
        return proc_fail_kind(FD_ERR_NOMEM, msg, msgcap, "zlib: out of memory for %llu bytes", (unsigned long long)used);
    uint64_t again = 0;
    rc = zlib_run(doc, in, n, buf, (size_t)used + 1, used, &again, msg, msgcap);
    assert(rc != 0 || again == used);
    if (rc != 0)
        return rc > 0 ? rc : proc_fail(msg, msgcap, "zlib: inconsistent output size");
    *out = buf;
    *outn = (size_t)used;
    return 0;
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

static int proc_custom(fd_doc *doc, const char *name, const fd_proc_ref *ref, const fd_value *args,
                       size_t nargs, const uint8_t *in, size_t n, uint64_t limit,
                       const uint8_t **out, size_t *outn, char *msg, size_t msgcap)
{
    if (!ref || !ref->fn)
        return proc_fail(msg, msgcap, "unknown process routine %s", name ? name : "(null)");
    uint8_t *res = NULL;
    size_t resn = 0;
    if (msg && msgcap)
        msg[0] = 0;
    int r = ref->fn(ref->user, in, n, args, nargs, &res, &resn, msg, msgcap);
    uint64_t charged = 0;
    int rc = 0;
    if (r != 0) {
        if (!msg || !msgcap || !msg[0])
            proc_fail(msg, msgcap, "process routine %s failed", name);
        rc = FD_ERR_PROCESS;
    } else if (resn > limit) {
        rc = proc_fail(msg, msgcap, "process routine %s output exceeds limit", name);
    } else if (resn && !res) {
        rc = proc_fail(msg, msgcap, "process routine %s returned no buffer", name);
    } else if (charge(doc, resn, &charged) || fd_work_spend(doc, 1)) {
        rc = proc_fail_kind(FD_ERR_LIMIT, msg, msgcap, "work budget exhausted");
    } else if (resn > arena_room(doc->cur)) {
        rc = proc_fail_kind(FD_ERR_NOMEM, msg, msgcap, "process routine %s: out of memory for %zu bytes", name, resn);
    } else {
        const uint8_t *copy = fd_arena_memdup(doc->cur, res, resn);
        if (copy) {
            *out = copy;
            *outn = resn;
        } else {
            rc = proc_fail_kind(FD_ERR_NOMEM, msg, msgcap, "process routine %s: out of memory for %zu bytes", name, resn);
        }
    }
    free(res);
    return rc;
}

int fd_process_apply(fd_doc *doc, fd_proc_kind kind, const char *name, const fd_proc_ref *custom,
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
        rc = proc_zlib(doc, in, n, limit, out, outn, msg, msgcap);
        return rc || !fd_work_spend(doc, 1) ? rc
             : proc_fail_kind(FD_ERR_LIMIT, msg, msgcap, "work budget exhausted");
    case FD_PROC_CUSTOM:
        return proc_custom(doc, name, custom, args, nargs, in, n, limit, out, outn, msg, msgcap);
    case FD_PROC_XOR:
    case FD_PROC_ROL:
    case FD_PROC_ROR:
        if (fd_work_spend(doc, n / FD_WORK_BYTES_PER_UNIT + 1))
            return proc_fail_kind(FD_ERR_LIMIT, msg, msgcap, "work budget exhausted");
        rc = kind == FD_PROC_XOR ? proc_xor(doc->cur, args, nargs, in, n, out, msg, msgcap)
                                 : proc_rotate(doc->cur, kind == FD_PROC_ROL, args, nargs, in, n, out, msg, msgcap);
        break;
    default:
        return proc_fail(msg, msgcap, "unknown process kind %d", (int)kind);
    }
    if (rc == 0)
        *outn = n;
    return rc;
}
