/* tool_mutate.c - writes prefixes and seeded, minidump-aware mutants of input files for tests/robust.sh. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Mutant I of a run depends only on (seed, I): one mutant can be rebuilt alone with --only I. */

enum {
    MAX_INPUT  = 64 << 20,
    MAX_FIELDS = 4096,
    MAX_GROW   = 256,        /* bytes one insertion adds at most */
    MAX_STACK  = 3           /* mutations stacked on one mutant at most */
};

typedef struct bytes { uint8_t *p; size_t len, cap; } bytes;

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "mutate: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

/* splitmix64: small, fast and the same everywhere. */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A number in [0, n), n > 0. */
static size_t below(uint64_t *s, size_t n) { return (size_t)(next(s) % n); }

static void reserve(bytes *b, size_t n)
{
    if (n <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < n)
        cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p)
        die("%s", "out of memory");
    b->p = p;
    b->cap = cap;
}

static bytes read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open %s", path);
    bytes b = {0};
    for (;;) {
        reserve(&b, b.len + 65536);
        size_t n = fread(b.p + b.len, 1, b.cap - b.len, f);
        b.len += n;
        if (n == 0)
            break;
        if (b.len > MAX_INPUT)
            die("%s is too large", path);
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad)
        die("cannot read %s", path);
    return b;
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        die("cannot create %s", path);
    bool ok = fwrite(p, 1, n, f) == n;
    if (fclose(f) != 0 || !ok)
        die("cannot write %s", path);
}

/* ---- where a minidump keeps its sizes, counts and offsets ----------------------- */

typedef struct fields { size_t at[MAX_FIELDS]; size_t n; bool be; } fields;

static uint32_t get_u32(const bytes *b, size_t at, bool be)
{
    const uint8_t *p = b->p + at;
    return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
              : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void set_u32(bytes *b, size_t at, uint32_t v, bool be)
{
    for (size_t i = 0; i < 4; i++)
        b->p[at + (be ? 3 - i : i)] = (uint8_t)(v >> (8 * i));
}

static void add_field(fields *f, const bytes *b, size_t at)
{
    if (f->n < MAX_FIELDS && at <= b->len && b->len - at >= 4)
        f->at[f->n++] = at;
}

/* The header's count and directory offset, each directory entry's type, size and rva, and the
 * first 16 u4 of each stream (list counts and the first descriptors' sizes and rvas). */
static void find_fields(const bytes *b, fields *f)
{
    f->n = 0;
    f->be = b->len >= 4 && memcmp(b->p, "PMDM", 4) == 0;
    if (b->len < 32)
        return;
    add_field(f, b, 8);
    add_field(f, b, 12);
    uint32_t count = get_u32(b, 8, f->be), dir = get_u32(b, 12, f->be);
    for (uint32_t i = 0; i < count && i < 256; i++) {
        size_t e = (size_t)dir + 12u * i;
        if (e > b->len || b->len - e < 12)
            break;
        add_field(f, b, e);
        add_field(f, b, e + 4);
        add_field(f, b, e + 8);
        uint32_t rva = get_u32(b, e + 8, f->be);
        for (size_t k = 0; k < 16; k++)
            add_field(f, b, (size_t)rva + 4 * k);
    }
}

/* ---- mutations ------------------------------------------------------------------ */

static void flip_bytes(bytes *b, uint64_t *s)
{
    if (b->len == 0)
        return;
    size_t n = 1 + below(s, 8);
    for (size_t i = 0; i < n; i++)
        b->p[below(s, b->len)] ^= (uint8_t)(1 + below(s, 255));
}

static void insert_range(bytes *b, uint64_t *s)
{
    size_t at = below(s, b->len + 1), n = 1 + below(s, MAX_GROW);
    reserve(b, b->len + n);
    memmove(b->p + at + n, b->p + at, b->len - at);
    uint8_t fill = (uint8_t)next(s);
    bool random = below(s, 2);
    for (size_t i = 0; i < n; i++)
        b->p[at + i] = random ? (uint8_t)next(s) : fill;
    b->len += n;
}

static void delete_range(bytes *b, uint64_t *s)
{
    if (b->len == 0)
        return;
    size_t at = below(s, b->len), n = 1 + below(s, MAX_GROW);
    if (n > b->len - at)
        n = b->len - at;
    memmove(b->p + at, b->p + at + n, b->len - at - n);
    b->len -= n;
}

/* A size, count or offset set to a boundary value; a random u4 when the header is gone. */
static void set_field(bytes *b, uint64_t *s)
{
    static fields f;
    find_fields(b, &f);
    size_t at;
    if (f.n)
        at = f.at[below(s, f.n)];
    else if (b->len >= 4)
        at = below(s, b->len - 3);
    else
        return;
    uint32_t old = get_u32(b, at, f.be), len = (uint32_t)b->len;
    const uint32_t values[] = { 0, 0xffffffffu, len - 1, len, len + 1, 0x7fffffffu, 0x80000000u,
                                old + 1, old - 1, old * 2, (uint32_t)below(s, b->len + 1) };
    set_u32(b, at, values[below(s, sizeof values / sizeof values[0])], f.be);
}

/* A chunk copied over another place (a directory or list read twice, a header mid-file). */
static void copy_range(bytes *b, uint64_t *s)
{
    if (b->len < 2)
        return;
    size_t from = below(s, b->len), to = below(s, b->len), n = 1 + below(s, 64);
    if (n > b->len - from)
        n = b->len - from;
    if (n > b->len - to)
        n = b->len - to;
    memmove(b->p + to, b->p + from, n);
}

static void mutate(bytes *b, uint64_t *s)
{
    size_t n = 1 + below(s, MAX_STACK);
    for (size_t i = 0; i < n; i++) {
        switch (below(s, 10)) {
        case 0: case 1: case 2: flip_bytes(b, s); break;
        case 3: insert_range(b, s); break;
        case 4: delete_range(b, s); break;
        case 5: copy_range(b, s); break;
        default: set_field(b, s); break;
        }
    }
}

/* ---- command line ------------------------------------------------------------- */

static unsigned long number(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, 10);
    if (errno || *end || end == s)
        die("%s wants a number", what);
    return n;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: mutate --prefixes OUTDIR IN [FROM [TO]]\n"
                 "       mutate --mutants OUTDIR SEED COUNT [--only I] IN...\n"
                 "--prefixes writes OUTDIR/pNNNNNNN, the first N bytes of IN, for FROM <= N < TO\n"
                 "(default 0 and IN's size).  --mutants writes OUTDIR/mNNNNN.dmp, mutant I made from\n"
                 "input I mod #IN by 1 to %d byte flips, inserted, deleted or copied ranges, or\n"
                 "minidump sizes, counts and offsets set to 0, 0xFFFFFFFF, size-1, ...\n", MAX_STACK);
}

int main(int argc, char **argv)
{
    char path[4096];
    if (argc >= 4 && strcmp(argv[1], "--prefixes") == 0 && argc <= 6) {
        bytes in = read_file(argv[3]);
        unsigned long from = argc > 4 ? number(argv[4], "FROM") : 0;
        unsigned long to = argc > 5 ? number(argv[5], "TO") : in.len;
        if (to > in.len)
            to = in.len;
        for (unsigned long n = from; n < to; n++) {
            snprintf(path, sizeof path, "%s/p%07lu", argv[2], n);
            write_file(path, in.p, n);
        }
        free(in.p);
        return 0;
    }
    if (argc >= 6 && strcmp(argv[1], "--mutants") == 0) {
        unsigned long seed = number(argv[3], "SEED"), count = number(argv[4], "COUNT");
        long only = -1;
        int first = 5;
        if (argc >= 8 && strcmp(argv[5], "--only") == 0) {
            only = (long)number(argv[6], "I");
            first = 7;
        }
        int nin = argc - first;
        if (nin < 1) {
            usage(stderr);
            return 2;
        }
        bytes *in = calloc((size_t)nin, sizeof *in);
        if (!in)
            die("%s", "out of memory");
        for (int i = 0; i < nin; i++)
            in[i] = read_file(argv[first + i]);
        bytes m = {0};
        for (unsigned long i = 0; i < count; i++) {
            if (only >= 0 && (unsigned long)only != i)
                continue;
            const bytes *src = &in[i % (unsigned long)nin];
            uint64_t s = (uint64_t)seed * 0x100000001b3u ^ (uint64_t)i * 0x9e3779b97f4a7c15u;
            reserve(&m, src->len + 1);
            memcpy(m.p, src->p, src->len);
            m.len = src->len;
            mutate(&m, &s);
            snprintf(path, sizeof path, "%s/m%05lu.dmp", argv[2], i);
            write_file(path, m.p, m.len);
        }
        for (int i = 0; i < nin; i++)
            free(in[i].p);
        free(in);
        free(m.p);
        return 0;
    }
    usage(argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
    return argc == 2 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
}
