/* tool_gen_minidump.c - writes small synthetic minidumps (sound, quirky and hostile) for the tests. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every byte written here is invented: the project ships no third-party dumps. */

/* "MDMP" as a little-endian u4; a big-endian dump starts "PMDM". */
#define MINIDUMP_SIGNATURE 0x504d444du

enum {
    FIXED_TIME        = 1600000000u,   /* header and module timestamps, so output is stable */
    HEADER_SIZE       = 32,
    DIR_ENTRY_SIZE    = 12,
    MAX_STREAMS       = 16,
    MINIDUMP_VERSION  = 0xa793,
    CV_SIGNATURE_RSDS = 0x53445352,    /* "RSDS" as a little-endian u4 */
    MAX_RANGES        = 10000000,
    MAX_RANGE_SIZE    = 1 << 30
};

/* Stream types used below (minidumpapiset.h numbering). */
enum {
    ST_UNUSED        = 0,
    ST_THREAD_LIST   = 3,
    ST_MODULE_LIST   = 4,
    ST_MEMORY_LIST   = 5,
    ST_EXCEPTION     = 6,
    ST_SYSTEM_INFO   = 7,
    ST_MEMORY64_LIST = 9,
    ST_HANDLE_DATA   = 12,
    ST_MISC_INFO     = 15,
    ST_UNKNOWN       = 0x12345678,
    ST_CUSTOM        = 0x7e570001,     /* the user-workflow test adds a layout for it */
    ST_OVERLAY       = 0x7e57fffe,     /* raw stream laid over other streams */
    ST_SELF          = 0x7e57ffff      /* raw stream whose rva is its own directory entry */
};

/* ---- byte-buffer builder ---------------------------------------------- */

typedef struct buf {
    uint8_t *data;
    size_t len, cap;
    bool be;            /* integers (and UTF-16 units) big-endian */
} buf;

static void die(const char *what)
{
    fprintf(stderr, "gen_minidump: %s\n", what);
    exit(1);
}

static uint8_t *grow(buf *b, size_t n)
{
    if (n > SIZE_MAX - b->len)
        die("output too large");
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *p = realloc(b->data, cap);
        if (!p)
            die("out of memory");
        b->data = p;
        b->cap = cap;
    }
    uint8_t *at = b->data + b->len;
    memset(at, 0, n);
    b->len += n;
    return at;
}

/* An n-byte integer at `at`, in the dump's byte order. */
static void set_uint(buf *b, size_t at, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b->data[at + (b->be ? n - 1 - i : i)] = (uint8_t)(v >> (8 * i));
}

static void set_u16(buf *b, size_t at, uint16_t v)
{
    set_uint(b, at, v, 2);
}

static void set_u32(buf *b, size_t at, uint32_t v)
{
    set_uint(b, at, v, 4);
}

static void set_u64(buf *b, size_t at, uint64_t v)
{
    set_uint(b, at, v, 8);
}

/* The put_* helpers append values in the dump's byte order and return where they went. */
static size_t put_zeros(buf *b, size_t n)
{
    size_t at = b->len;
    grow(b, n);
    return at;
}

static size_t put_u8(buf *b, uint8_t v)
{
    size_t at = put_zeros(b, 1);
    b->data[at] = v;
    return at;
}

static size_t put_u16(buf *b, uint16_t v)
{
    size_t at = put_zeros(b, 2);
    set_u16(b, at, v);
    return at;
}

static size_t put_u32(buf *b, uint32_t v)
{
    size_t at = put_zeros(b, 4);
    set_u32(b, at, v);
    return at;
}

static size_t put_u64(buf *b, uint64_t v)
{
    size_t at = put_zeros(b, 8);
    set_u64(b, at, v);
    return at;
}

static size_t put_bytes(buf *b, const void *p, size_t n)
{
    size_t at = put_zeros(b, n);
    memcpy(b->data + at, p, n);
    return at;
}

static void align4(buf *b)
{
    put_zeros(b, (4 - b->len % 4) % 4);
}

static uint32_t rva(size_t at)
{
    if (at > UINT32_MAX)
        die("dump larger than 4 GiB");
    return (uint32_t)at;
}

/* ASCII text as UTF-16 code units, cut or zero-filled to nchars. */
static void put_utf16_fixed(buf *b, const char *s, size_t nchars)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < nchars; i++)
        put_u16(b, i < n ? (uint8_t)s[i] : 0);
}

/* MINIDUMP_STRING: u4 byte length, UTF-16 text, a 2-byte NUL not counted. */
static uint32_t put_minidump_string(buf *b, const char *s)
{
    align4(b);
    size_t at = put_u32(b, rva(2 * strlen(s)));
    put_utf16_fixed(b, s, strlen(s) + 1);
    return rva(at);
}

/* Deterministic filler so memory ranges differ from each other. */
static uint32_t put_pattern(buf *b, uint8_t seed, size_t n)
{
    align4(b);
    size_t at = put_zeros(b, n);
    for (size_t i = 0; i < n; i++)
        b->data[at + i] = (uint8_t)(seed + i * 7);
    return rva(at);
}

/* ---- the dump under construction -------------------------------------- */

typedef struct location { uint32_t size, rva; } location;

typedef struct stream { uint32_t type, size, rva; } stream;

typedef struct dump {
    buf b;
    stream dir[MAX_STREAMS];
    size_t ndir, nreserved;
    size_t dir_at;           /* where the directory goes, fixed before any data */
    size_t thread_list_at;   /* where the ThreadList body starts (mutations use it) */
} dump;

/* Reserves the header and a directory of nstreams entries. */
static void dump_begin(dump *d, size_t nstreams)
{
    memset(d, 0, sizeof *d);
    put_zeros(&d->b, HEADER_SIZE);
    d->dir_at = d->b.len;
    d->nreserved = nstreams;
    put_zeros(&d->b, nstreams * DIR_ENTRY_SIZE);
}

static void dump_add(dump *d, uint32_t type, size_t at, size_t size)
{
    if (d->ndir == d->nreserved || d->ndir == MAX_STREAMS)
        die("more streams than the directory has room for");
    d->dir[d->ndir++] = (stream){ type, rva(size), size ? rva(at) : 0 };
}

/* Starts a stream body at a 4-byte boundary; dump_end_stream records it. */
static size_t dump_start_stream(dump *d)
{
    align4(&d->b);
    return d->b.len;
}

static void dump_end_stream(dump *d, uint32_t type, size_t at)
{
    dump_add(d, type, at, d->b.len - at);
}

static void dump_finish(dump *d)
{
    buf *b = &d->b;
    if (d->ndir != d->nreserved)
        die("directory size and stream count disagree");
    set_u32(b, 0, MINIDUMP_SIGNATURE);
    set_u32(b, 4, MINIDUMP_VERSION);
    set_u32(b, 8, (uint32_t)d->ndir);
    set_u32(b, 12, rva(d->dir_at));
    set_u32(b, 16, 0);              /* checksum: writers leave it 0 */
    set_u32(b, 20, FIXED_TIME);
    set_u64(b, 24, 0);              /* MINIDUMP_TYPE flags: MiniDumpNormal */
    for (size_t i = 0; i < d->ndir; i++) {
        size_t at = d->dir_at + i * DIR_ENTRY_SIZE;
        set_u32(b, at, d->dir[i].type);
        set_u32(b, at + 4, d->dir[i].size);
        set_u32(b, at + 8, d->dir[i].rva);
    }
}

/* ---- facts written into the sound dumps -------------------------------- */

typedef enum arch { ARCH_X86, ARCH_AMD64 } arch;

typedef struct arch_fact {
    uint16_t cpu_arch;          /* PROCESSOR_ARCHITECTURE_* */
    uint32_t context_size;
    uint32_t context_flags;
    size_t flags_at, ip_at, sp_at;   /* register offsets in CONTEXT */
    size_t reg_size;                 /* width of ip and sp */
    uint32_t os_major, os_minor, os_build;
    const char *csd;
} arch_fact;

static const arch_fact arch_facts[] = {
    [ARCH_X86]   = { 0, 716, 0x0001003f, 0x00, 0xb8, 0xc4, 4, 5, 1, 2600, "Service Pack 3" },
    [ARCH_AMD64] = { 9, 1232, 0x0010001f, 0x30, 0xf8, 0x98, 8, 6, 1, 7601, "Service Pack 1" },
};

typedef struct thread_fact {
    uint32_t id;
    uint64_t teb, stack_start, ip;
    uint32_t stack_size;
} thread_fact;

static const thread_fact thread_facts[] = {
    { 0x1234, 0x7ffdf000, 0x0012f000, 0x00401234, 256 },
    { 0x5678, 0x7ffde000, 0x0097f000, 0x7c90eb94, 128 },
};

enum { NTHREADS = sizeof thread_facts / sizeof thread_facts[0] };

typedef struct module_fact {
    uint64_t base;
    uint32_t size;
    const char *name, *pdb;
    uint32_t file_type;                   /* VFT_APP 1, VFT_DLL 2 */
    uint16_t version[4];
    uint32_t guid1;
    uint16_t guid2, guid3;
    uint8_t guid4[8];
    uint32_t age;
} module_fact;

static const module_fact module_facts[] = {
    { 0x00400000, 0x2d000, "C:\\fmtdump\\crashy.exe", "C:\\fmtdump\\crashy.pdb", 1,
      { 1, 2, 3, 4 }, 0x5a9832e5, 0x2872, 0x41c1, { 0x83, 0x8e, 0xd9, 0x89, 0x14, 0xe9, 0xb7, 0xff }, 1 },
    { 0x7c800000, 0xf6000, "C:\\WINDOWS\\system32\\kernel32.dll", "kernel32.pdb", 2,
      { 5, 1, 2600, 5781 }, 0x34560e80, 0xf4ef, 0x4d48, { 0xa1, 0x3c, 0x55, 0x2e, 0x0f, 0x1d, 0x99, 0x02 }, 2 },
};

enum { NMODULES = sizeof module_facts / sizeof module_facts[0] };

typedef struct range_fact { uint64_t start; uint32_t size; } range_fact;

static const range_fact memory64_facts[] = {
    { 0x00010000, 16 }, { 0x00020000, 32 }, { 0x00030000, 48 },
};

static const struct { uint32_t id, value; } custom_facts[] = {
    { 1, 100 }, { 2, 200 }, { 3, 0xdeadbeef },
};

static const uint8_t unknown_bytes[] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x11, 0x22, 0x33 };

enum {
    EXCEPTION_CODE = 0xc0000005,   /* EXCEPTION_ACCESS_VIOLATION */
    FAULT_ADDRESS  = 0x45
};

/* What a variant changes in the sound dump; all zero is "basic". */
typedef struct config {
    arch arch;
    bool pad_lists;           /* 4 bytes of padding after each list count */
    uint32_t misc_size;       /* 24, 44, 232, 832 or 1364; 0 means 44 */
    bool memory64;            /* Memory64List instead of MemoryList */
    bool custom;              /* add the 0x7e570001 stream */
    uint32_t thread_claim;    /* count written in the ThreadList, 0 = the real one */
    bool overlap;             /* a stream over others, and a duplicate entry */
    bool loop;                /* self-referencing rvas */
    bool big_endian;          /* byte-swapped: signature "PMDM", integers and UTF-16 big-endian */
} config;

/* ---- blobs referenced by the streams ---------------------------------- */

static location put_context(buf *b, const arch_fact *a, uint64_t ip, uint64_t sp)
{
    align4(b);
    size_t at = put_zeros(b, a->context_size);
    set_u32(b, at + a->flags_at, a->context_flags);
    if (a->reg_size == 4) {
        set_u32(b, at + a->ip_at, (uint32_t)ip);
        set_u32(b, at + a->sp_at, (uint32_t)sp);
    } else {
        set_u64(b, at + a->ip_at, ip);
        set_u64(b, at + a->sp_at, sp);
    }
    return (location){ a->context_size, rva(at) };
}

/* CodeView PDB 7.0 record: "RSDS" (a u4), GUID, age, NUL-terminated UTF-8 path. */
static location put_cv_rsds(buf *b, const module_fact *m)
{
    align4(b);
    size_t at = put_u32(b, CV_SIGNATURE_RSDS);
    put_u32(b, m->guid1);
    put_u16(b, m->guid2);
    put_u16(b, m->guid3);
    put_bytes(b, m->guid4, sizeof m->guid4);
    put_u32(b, m->age);
    put_bytes(b, m->pdb, strlen(m->pdb) + 1);
    return (location){ rva(b->len - at), rva(at) };
}

static void put_location(buf *b, location l)
{
    put_u32(b, l.size);
    put_u32(b, l.rva);
}

/* MINIDUMP_MEMORY_DESCRIPTOR: start u8, then the bytes' location. */
static void put_memory_descriptor(buf *b, uint64_t start, location l)
{
    put_u64(b, start);
    put_location(b, l);
}

/* ---- streams ------------------------------------------------------------ */

typedef struct blobs {
    location stack[NTHREADS], context[NTHREADS], exception_context, code;
    uint32_t module_name[NMODULES];
    location cv[NMODULES];
    uint32_t csd;
    size_t memory64_at;
} blobs;

static void put_blobs(dump *d, const config *c, blobs *o)
{
    buf *b = &d->b;
    const arch_fact *a = &arch_facts[c->arch];
    o->csd = put_minidump_string(b, a->csd);
    for (size_t i = 0; i < NMODULES; i++) {
        o->module_name[i] = put_minidump_string(b, module_facts[i].name);
        o->cv[i] = put_cv_rsds(b, &module_facts[i]);
    }
    for (size_t i = 0; i < NTHREADS; i++) {
        const thread_fact *t = &thread_facts[i];
        o->context[i] = put_context(b, a, t->ip, t->stack_start);
        o->stack[i] = (location){ t->stack_size, put_pattern(b, (uint8_t)(0x10 * i), t->stack_size) };
    }
    o->exception_context = put_context(b, a, thread_facts[0].ip, thread_facts[0].stack_start);
    o->code = (location){ 16, put_pattern(b, 0x90, 16) };
    if (c->memory64) {
        align4(b);
        o->memory64_at = b->len;
        for (size_t i = 0; i < sizeof memory64_facts / sizeof memory64_facts[0]; i++)
            put_pattern(b, (uint8_t)(0xa0 + i), memory64_facts[i].size);
    }
}

static void put_list_count(buf *b, const config *c, uint32_t n)
{
    put_u32(b, n);
    if (c->pad_lists)
        put_u32(b, 0);
}

static void put_thread_list(dump *d, const config *c, const blobs *o)
{
    buf *b = &d->b;
    size_t at = dump_start_stream(d);
    d->thread_list_at = at;
    put_list_count(b, c, c->thread_claim ? c->thread_claim : NTHREADS);
    for (size_t i = 0; i < NTHREADS; i++) {
        const thread_fact *t = &thread_facts[i];
        put_u32(b, t->id);
        put_u32(b, 0);          /* suspend_count */
        put_u32(b, 0x20);       /* priority_class: NORMAL_PRIORITY_CLASS */
        put_u32(b, 0);          /* priority */
        put_u64(b, t->teb);
        put_memory_descriptor(b, t->stack_start, o->stack[i]);
        put_location(b, o->context[i]);
    }
    dump_end_stream(d, ST_THREAD_LIST, at);
}

/* VS_FIXEDFILEINFO, 13 u4. */
static void put_version_info(buf *b, const module_fact *m)
{
    put_u32(b, 0xfeef04bd);     /* signature */
    put_u32(b, 0x00010000);     /* struct_version */
    put_u32(b, (uint32_t)m->version[0] << 16 | m->version[1]);
    put_u32(b, (uint32_t)m->version[2] << 16 | m->version[3]);
    put_u32(b, (uint32_t)m->version[0] << 16 | m->version[1]);
    put_u32(b, (uint32_t)m->version[2] << 16 | m->version[3]);
    put_u32(b, 0x3f);           /* file_flags_mask */
    put_u32(b, 0);              /* file_flags */
    put_u32(b, 0x00040004);     /* file_os: VOS_NT_WINDOWS32 */
    put_u32(b, m->file_type);
    put_u32(b, 0);              /* file_subtype */
    put_u32(b, 0);              /* file_date hi */
    put_u32(b, 0);              /* file_date lo */
}

static void put_module_list(dump *d, const config *c, const blobs *o)
{
    buf *b = &d->b;
    size_t at = dump_start_stream(d);
    put_list_count(b, c, NMODULES);
    for (size_t i = 0; i < NMODULES; i++) {
        const module_fact *m = &module_facts[i];
        put_u64(b, m->base);
        put_u32(b, m->size);
        put_u32(b, 0);          /* checksum */
        put_u32(b, FIXED_TIME - 86400 * (uint32_t)(i + 1));
        put_u32(b, o->module_name[i]);
        put_version_info(b, m);
        put_location(b, o->cv[i]);
        put_location(b, (location){ 0, 0 });   /* misc_record: none */
        put_u64(b, 0);
        put_u64(b, 0);
    }
    dump_end_stream(d, ST_MODULE_LIST, at);
}

static void put_memory_list(dump *d, const config *c, const blobs *o)
{
    buf *b = &d->b;
    size_t at = dump_start_stream(d);
    put_list_count(b, c, NTHREADS + 1);
    for (size_t i = 0; i < NTHREADS; i++)
        put_memory_descriptor(b, thread_facts[i].stack_start, o->stack[i]);
    put_memory_descriptor(b, thread_facts[0].ip - 8, o->code);
    dump_end_stream(d, ST_MEMORY_LIST, at);
}

static void put_memory64_list(dump *d, const blobs *o)
{
    buf *b = &d->b;
    size_t n = sizeof memory64_facts / sizeof memory64_facts[0];
    size_t at = dump_start_stream(d);
    put_u64(b, n);
    put_u64(b, o->memory64_at);
    for (size_t i = 0; i < n; i++) {
        put_u64(b, memory64_facts[i].start);
        put_u64(b, memory64_facts[i].size);
    }
    dump_end_stream(d, ST_MEMORY64_LIST, at);
}

static void put_exception(dump *d, const blobs *o)
{
    buf *b = &d->b;
    size_t at = dump_start_stream(d);
    put_u32(b, thread_facts[0].id);
    put_u32(b, 0);                  /* alignment */
    put_u32(b, EXCEPTION_CODE);
    put_u32(b, 0);                  /* flags */
    put_u64(b, 0);                  /* nested exception record */
    put_u64(b, thread_facts[0].ip);
    put_u32(b, 2);                  /* number_parameters */
    put_u32(b, 0);                  /* alignment */
    put_u64(b, 1);                  /* access violation: write */
    put_u64(b, FAULT_ADDRESS);
    put_zeros(b, 13 * 8);           /* the other 13 of 15 parameters */
    put_location(b, o->exception_context);
    dump_end_stream(d, ST_EXCEPTION, at);
}

static void put_system_info(dump *d, const config *c, const blobs *o)
{
    buf *b = &d->b;
    const arch_fact *a = &arch_facts[c->arch];
    size_t at = dump_start_stream(d);
    put_u16(b, a->cpu_arch);
    put_u16(b, 6);                  /* processor_level */
    put_u16(b, 0x3a09);             /* processor_revision */
    put_u8(b, 4);                   /* number_of_processors */
    put_u8(b, 1);                   /* product_type: VER_NT_WORKSTATION */
    put_u32(b, a->os_major);
    put_u32(b, a->os_minor);
    put_u32(b, a->os_build);
    put_u32(b, 2);                  /* platform_id: VER_PLATFORM_WIN32_NT */
    put_u32(b, o->csd);
    put_u16(b, 0x100);              /* suite_mask: VER_SUITE_SINGLEUSERTS */
    put_u16(b, 0);
    put_bytes(b, "GenuineIntel", 12);   /* CPU_INFORMATION, the x86/amd64 cpuid branch */
    put_u32(b, 0x000306a9);             /* version_information */
    put_u32(b, 0xbfebfbff);             /* feature_information */
    put_u32(b, 0);                      /* amd_extended_cpu_features */
    dump_end_stream(d, ST_SYSTEM_INFO, at);
}

/* MINIDUMP_MISC_INFO_N: each version appends to the previous one; flags1
 * announces the blocks present, so every size is self-consistent. */
static void put_misc_info(dump *d, const config *c)
{
    buf *b = &d->b;
    uint32_t size = c->misc_size ? c->misc_size : 44;
    uint32_t flags = 0x1 | 0x2;                       /* PROCESS_ID, PROCESS_TIMES */
    if (size >= 44)
        flags |= 0x4;                                 /* PROCESSOR_POWER_INFO */
    if (size >= 232)
        flags |= 0x10 | 0x20 | 0x40 | 0x80;           /* integrity, execute flags, time zone, protected */
    if (size >= 832)
        flags |= 0x100;                               /* BUILDSTRING */
    if (size >= 1364)
        flags |= 0x200;                               /* PROCESS_COOKIE */

    size_t at = dump_start_stream(d);
    put_u32(b, size);
    put_u32(b, flags);
    put_u32(b, 4242);                                 /* process_id */
    put_u32(b, FIXED_TIME - 60);                      /* process_create_time */
    put_u32(b, 3);                                    /* process_user_time */
    put_u32(b, 1);                                    /* process_kernel_time */
    if (size >= 44) {
        put_u32(b, 2400);                             /* processor_max_mhz */
        put_u32(b, 2400);                             /* processor_current_mhz */
        put_u32(b, 2400);                             /* processor_mhz_limit */
        put_u32(b, 1);                                /* processor_max_idle_state */
        put_u32(b, 0);                                /* processor_current_idle_state */
    }
    if (size >= 232) {
        put_u32(b, 0x2000);                           /* process_integrity_level: medium */
        put_u32(b, 0x4d);                             /* process_execute_flags */
        put_u32(b, 0);                                /* protected_process */
        put_u32(b, 1);                                /* time_zone_id: standard */
        put_u32(b, 0);                                /* bias */
        put_utf16_fixed(b, "Coordinated Universal Time", 32);
        put_zeros(b, 16);                             /* standard_date */
        put_u32(b, 0);                                /* standard_bias */
        put_utf16_fixed(b, "Coordinated Universal Time", 32);
        put_zeros(b, 16);                             /* daylight_date */
        put_u32(b, 0);                                /* daylight_bias */
    }
    if (size >= 832) {
        put_utf16_fixed(b, "10.0.19041.1 (WinBuild.160101.0800)", 260);
        put_utf16_fixed(b, "dbgcore.amd64fre", 40);
    }
    if (size >= 1364) {
        put_u32(b, 528);                              /* xstate size_of_info */
        put_u32(b, 0x340);                            /* context_size */
        put_u64(b, 0x7);                              /* enabled_features: x87, SSE, AVX */
        static const uint32_t features[][2] = { { 0, 160 }, { 160, 256 }, { 576, 256 } };
        for (size_t i = 0; i < 64; i++) {
            put_u32(b, i < 3 ? features[i][0] : 0);
            put_u32(b, i < 3 ? features[i][1] : 0);
        }
        put_u32(b, 0x1234abcd);                       /* process_cookie */
    }
    if (d->b.len - at != size)
        die("misc_info size is not one of 24, 44, 232, 832, 1364");
    dump_end_stream(d, ST_MISC_INFO, at);
}

/* The user-workflow stream: u4 magic "TEST", u2 count, count x {u4 id, u4 value}. */
static void put_custom(dump *d)
{
    buf *b = &d->b;
    size_t n = sizeof custom_facts / sizeof custom_facts[0];
    size_t at = dump_start_stream(d);
    put_bytes(b, "TEST", 4);
    put_u16(b, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        put_u32(b, custom_facts[i].id);
        put_u32(b, custom_facts[i].value);
    }
    dump_end_stream(d, ST_CUSTOM, at);
}

static void put_unknown(dump *d)
{
    size_t at = dump_start_stream(d);
    put_bytes(&d->b, unknown_bytes, sizeof unknown_bytes);
    dump_end_stream(d, ST_UNKNOWN, at);
}

/* HandleData whose first descriptor's object-information chain is a cycle
 * (A -> B -> A): a reader following next_info_rva must stop on its own. */
static void put_looping_handles(dump *d)
{
    buf *b = &d->b;
    uint32_t type_name = put_minidump_string(b, "File");
    align4(b);
    size_t info_a = put_zeros(b, 16), info_b = put_zeros(b, 16);
    set_u32(b, info_a, rva(info_b));     /* next_info_rva */
    set_u32(b, info_a + 4, 1);           /* info_type */
    set_u32(b, info_a + 8, 16);          /* size_of_info */
    set_u32(b, info_b, rva(info_a));
    set_u32(b, info_b + 4, 1);
    set_u32(b, info_b + 8, 16);

    size_t at = dump_start_stream(d);
    put_u32(b, 16);                      /* size_of_header */
    put_u32(b, 40);                      /* size_of_descriptor: MINIDUMP_HANDLE_DESCRIPTOR_2 */
    put_u32(b, 2);                       /* number_of_descriptors */
    put_u32(b, 0);
    for (uint32_t i = 0; i < 2; i++) {
        put_u64(b, 0x40 + 4 * i);        /* handle */
        put_u32(b, type_name);
        put_u32(b, 0);                   /* object_name_rva */
        put_u32(b, 0);                   /* attributes */
        put_u32(b, 0x120089);            /* granted_access */
        put_u32(b, 1);                   /* handle_count */
        put_u32(b, 2);                   /* pointer_count */
        put_u32(b, i == 0 ? rva(info_a) : 0);
        put_u32(b, 0);
    }
    dump_end_stream(d, ST_HANDLE_DATA, at);
}

/* The sound dump every other variant starts from. */
static void build_dump(dump *d, const config *c)
{
    blobs o;
    memset(&o, 0, sizeof o);
    dump_begin(d, 8 + c->custom + 2 * c->loop + 2 * c->overlap);
    d->b.be = c->big_endian;
    put_blobs(d, c, &o);
    put_thread_list(d, c, &o);
    put_module_list(d, c, &o);
    if (c->memory64)
        put_memory64_list(d, &o);
    else
        put_memory_list(d, c, &o);
    put_exception(d, &o);
    put_system_info(d, c, &o);
    put_misc_info(d, c);
    if (c->custom)
        put_custom(d);
    put_unknown(d);
    if (c->loop) {
        put_looping_handles(d);
        size_t self = d->dir_at + d->ndir * DIR_ENTRY_SIZE;
        dump_add(d, ST_SELF, self, DIR_ENTRY_SIZE);
    }
    if (c->overlap) {
        stream threads = d->dir[0];
        size_t from = d->thread_list_at;
        dump_add(d, ST_OVERLAY, from, d->b.len - from);
        dump_add(d, threads.type, threads.rva, threads.size);
    }
    dump_add(d, ST_UNUSED, 0, 0);
    dump_finish(d);
}

/* The start of the large-output dumps: a 3-entry directory and system info only. */
static void begin_sysinfo_dump(dump *d, arch a)
{
    config c = { .arch = a };
    blobs o;
    memset(&o, 0, sizeof o);
    dump_begin(d, 3);
    o.csd = put_minidump_string(&d->b, arch_facts[a].csd);
    put_system_info(d, &c, &o);
}

/* N memory ranges of range_size bytes each, for timing large outputs. */
static void build_many_ranges(dump *d, unsigned long count, unsigned long range_size)
{
    begin_sysinfo_dump(d, ARCH_X86);
    buf *b = &d->b;
    size_t data_at = b->len;
    for (unsigned long i = 0; i < count; i++)
        put_pattern(b, (uint8_t)i, range_size);
    size_t at = dump_start_stream(d);
    put_u32(b, (uint32_t)count);
    for (unsigned long i = 0; i < count; i++)
        put_memory_descriptor(b, 0x10000000 + (uint64_t)i * 0x1000,
                              (location){ rva(range_size), rva(data_at + i * range_size) });
    dump_end_stream(d, ST_MEMORY_LIST, at);
    dump_add(d, ST_UNUSED, 0, 0);
    dump_finish(d);
}

/* A full dump's shape: a Memory64List of N ranges of range_size bytes whose data,
 * after the list, is never written; write_file leaves it a hole (a sparse file). */
static uint64_t build_sparse_memory64(dump *d, unsigned long count, unsigned long range_size)
{
    begin_sysinfo_dump(d, ARCH_AMD64);
    buf *b = &d->b;
    size_t at = dump_start_stream(d);
    put_u64(b, count);
    size_t base_at = put_u64(b, 0);
    for (unsigned long i = 0; i < count; i++) {
        put_u64(b, 0x10000000 + (uint64_t)i * range_size);
        put_u64(b, range_size);
    }
    dump_end_stream(d, ST_MEMORY64_LIST, at);
    dump_add(d, ST_UNUSED, 0, 0);
    dump_finish(d);
    set_u64(b, base_at, b->len);
    return (uint64_t)b->len + (uint64_t)count * range_size;
}

/* ---- variants ------------------------------------------------------------ */

typedef enum mutation { KEEP, TRUNCATE_IN_THREADS, BREAK_MAGIC, APPEND_GAP } mutation;

/* Which builder makes the variant; the counted ones read --count and --range-size. */
typedef enum shape { SOUND, RANGES, SPARSE_MEMORY64 } shape;

typedef struct variant {
    const char *name;
    const char *help;
    config config;
    mutation mutation;
    shape shape;
} variant;

static const variant variants[] = {
    { "basic",       "x86: system info, 2 threads, 2 modules, memory, exception, misc info (44), padding and unknown streams",
      { 0 }, KEEP, SOUND },
    { "amd64",       "basic with amd64 system info and contexts", { .arch = ARCH_AMD64 }, KEEP, SOUND },
    { "padded",      "basic with 4 padding bytes after each list count", { .pad_lists = true }, KEEP, SOUND },
    { "misc24",      "basic with a 24-byte MISC_INFO", { .misc_size = 24 }, KEEP, SOUND },
    { "misc232",     "basic with a 232-byte MISC_INFO_3", { .misc_size = 232 }, KEEP, SOUND },
    { "misc832",     "basic with an 832-byte MISC_INFO_4", { .misc_size = 832 }, KEEP, SOUND },
    { "misc1364",    "basic with a 1364-byte MISC_INFO_5", { .misc_size = 1364 }, KEEP, SOUND },
    { "mem64",       "basic with a Memory64List of 3 ranges instead of the MemoryList", { .memory64 = true }, KEEP, SOUND },
    { "custom",      "basic plus stream 0x7e570001: \"TEST\", u2 count, count x {u4 id, u4 value}",
      { .custom = true }, KEEP, SOUND },
    { "truncated",   "basic cut short inside the ThreadList", { 0 }, TRUNCATE_IN_THREADS, SOUND },
    { "badmagic",    "basic with the signature MDMX", { 0 }, BREAK_MAGIC, SOUND },
    { "hugecount",   "basic whose ThreadList claims 0xFFFFFFFF threads", { .thread_claim = 0xffffffff }, KEEP, SOUND },
    { "loop",        "basic plus a HandleData info chain cycle and a stream whose rva is its own directory entry",
      { .loop = true }, KEEP, SOUND },
    { "overlap",     "basic plus a raw stream laid over the others and a duplicate ThreadList entry",
      { .overlap = true }, KEEP, SOUND },
    { "be",          "basic written big-endian: signature \"PMDM\", every integer and UTF-16 string big-endian",
      { .big_endian = true }, KEEP, SOUND },
    { "be-misc1364", "be with a 1364-byte MISC_INFO_5 (time zone and build strings in UTF-16BE)",
      { .big_endian = true, .misc_size = 1364 }, KEEP, SOUND },
    { "gap",         "basic plus 64 bytes at the end that nothing references", { 0 }, APPEND_GAP, SOUND },
    { "many-ranges", "system info and a MemoryList of --count ranges (default 1000) of --range-size bytes (default 16)",
      { 0 }, KEEP, RANGES },
    { "mem64-sparse", "system info and a Memory64List of --count ranges of --range-size bytes whose data is a hole "
      "(a sparse file)", { 0 }, KEEP, SPARSE_MEMORY64 },
};

static void mutate(dump *d, mutation m)
{
    switch (m) {
    case KEEP:
        break;
    case TRUNCATE_IN_THREADS:
        d->b.len = d->thread_list_at + 4 + 48 + 28;   /* inside the second thread's stack descriptor */
        break;
    case BREAK_MAGIC:
        d->b.data[3] = 'X';
        break;
    case APPEND_GAP:
        put_pattern(&d->b, 0x5a, 64);
        break;
    }
}

/* The file is `size` bytes: past the buffer, a hole. */
static void write_file(const char *path, const buf *b, uint64_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "gen_minidump: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    bool ok = fwrite(b->data, 1, b->len, f) == b->len && fflush(f) == 0;
    if (ok && size > b->len)
        ok = (uint64_t)(off_t)size == size && ftruncate(fileno(f), (off_t)size) == 0;
    if (fclose(f) != 0 || !ok) {
        fprintf(stderr, "gen_minidump: %s: write failed\n", path);
        exit(1);
    }
}

static void usage(FILE *out)
{
    fprintf(out, "usage: gen_minidump OUT [--variant NAME] [--count N] [--range-size BYTES]\n"
                 "Writes a synthetic minidump to OUT.  Variants:\n");
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        fprintf(out, "  %-12s %s\n", variants[i].name, variants[i].help);
}

static unsigned long parse_number(const char *s, const char *option, unsigned long max)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(s, &end, 10);
    if (errno || *end || end == s || n == 0 || n > max) {
        fprintf(stderr, "gen_minidump: %s wants 1..%lu\n", option, max);
        exit(2);
    }
    return n;
}

int main(int argc, char **argv)
{
    const char *out = NULL, *name = "basic";
    unsigned long count = 1000, range_size = 16;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--variant") == 0 && i + 1 < argc) {
            name = argv[++i];
        } else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
            count = parse_number(argv[++i], "--count", MAX_RANGES);
        } else if (strcmp(argv[i], "--range-size") == 0 && i + 1 < argc) {
            range_size = parse_number(argv[++i], "--range-size", MAX_RANGE_SIZE);
        } else if (argv[i][0] != '-' && !out) {
            out = argv[i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!out) {
        usage(stderr);
        return 2;
    }

    const variant *v = NULL;
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        if (strcmp(variants[i].name, name) == 0)
            v = &variants[i];
    if (!v) {
        fprintf(stderr, "gen_minidump: unknown variant '%s'\n", name);
        usage(stderr);
        return 2;
    }

    dump d;
    uint64_t size = 0;
    switch (v->shape) {
    case SOUND:
        build_dump(&d, &v->config);
        break;
    case RANGES:
        build_many_ranges(&d, count, range_size);
        break;
    case SPARSE_MEMORY64:
        size = build_sparse_memory64(&d, count, range_size);
        break;
    }
    mutate(&d, v->mutation);
    write_file(out, &d.b, size);
    free(d.b.data);
    return 0;
}
