/* tsan_threads.c - one loaded spec shared by 8 threads that parse, evaluate and write dumps (make tsan). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fmtdump.h"

/*
 * Usage: tsan_threads FORMAT.ksy DUMP...
 * Every thread parses every dump (from memory and from the file) several
 * times with the one spec, evaluates expressions (fd_eval and compiled ones
 * shared by all threads) and writes text, JSON and YAML.  Each output is
 * compared with the one the main thread wrote alone: the run fails on any
 * difference or error, and ThreadSanitizer fails it on any race.  A second,
 * in-memory spec adds what the minidump lacks: a code page decoded through
 * iconv, zlib and a custom process routine.
 */

#define NTHREADS 8
#define ROUNDS 3
#define MAX_INPUTS 32

static const char *const exprs[] = {
    "num_streams", "streams.size", "is_be ? 1 : 2.5", "streams[0].stream_type.to_i + 1 + 2 + 3",
    "has_sysinfo", "version.to_s + 'x'", "[1, 2, 3].max", "ofs_streams > 0 and num_streams < 1000",
};
#define NEXPRS (sizeof exprs / sizeof *exprs)

typedef struct input {
    const char *path;
    uint8_t *data;
    size_t len;
    uint32_t want[3];      /* crc32 of the text, JSON and YAML output, written alone */
    uint32_t want_eval;    /* crc32 of the JSON values of exprs */
} input;

static fd_spec *spec;
static fd_compiled *compiled[NEXPRS];
static input inputs[MAX_INPUTS];
static size_t ninputs;
static fd_spec *extra_spec;
static uint8_t extra_data[256];
static size_t extra_len;
static uint32_t extra_want;

static int failures;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;

static void failed(const char *what, const char *path)
{
    pthread_mutex_lock(&fail_lock);
    failures++;
    fprintf(stderr, "tsan_threads: %s: %s\n", path, what);
    pthread_mutex_unlock(&fail_lock);
}

/* Write through a memory stream and checksum what came out. */
typedef int (*writer_fn)(FILE *f, fd_doc *doc, const void *arg);

static int run_writer(writer_fn fn, fd_doc *doc, const void *arg, uint32_t *crc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return -1;
    int rc = fn(f, doc, arg);
    if (fclose(f) != 0)
        rc = -1;
    *crc = (uint32_t)crc32(0, (const Bytef *)buf, (uInt)len);
    free(buf);
    return rc;
}

static int write_tree(FILE *f, fd_doc *doc, const void *arg)
{
    const fd_emit_opts *o = arg;
    return fd_emit(f, fd_doc_root(doc), o);
}

/* Every expression both ways: fd_eval (compile, run, free) and the shared compiled form. */
static int write_evals(FILE *f, fd_doc *doc, const void *arg)
{
    (void)arg;
    fd_value root = fd_doc_root(doc);
    for (size_t k = 0; k < NEXPRS; k++) {
        fd_error err;
        fd_value a = fd_eval(doc, root, exprs[k], &err);
        fd_value b = fd_expr_eval(doc, compiled[k], root, &err);
        if (fd_emit_json_value(f, a, true) != 0 || fputc('\n', f) == EOF ||
            fd_emit_json_value(f, b, true) != 0 || fputc('\n', f) == EOF)
            return -1;
    }
    return 0;
}

static void check_input(input *in, bool record)
{
    static const fd_emit_opts opts[3] = {
        { .format = FD_OUT_TEXT }, { .format = FD_OUT_JSON }, { .format = FD_OUT_YAML },
    };
    fd_error err;
    for (int from_file = 0; from_file < 2; from_file++) {
        fd_doc *doc = from_file ? fd_doc_open_file(spec, in->path, NULL, &err)
                                : fd_doc_open_mem(spec, in->data, in->len, NULL, &err);
        if (!doc) {
            failed(err.message, in->path);
            return;
        }
        for (int k = 0; k < 3; k++) {
            uint32_t crc;
            if (run_writer(write_tree, doc, &opts[k], &crc) != 0)
                failed("writer failed", in->path);
            else if (record && !from_file)
                in->want[k] = crc;
            else if (crc != in->want[k])
                failed("output differs from the single-threaded run", in->path);
        }
        uint32_t crc;
        if (run_writer(write_evals, doc, NULL, &crc) != 0)
            failed("evaluation output failed", in->path);
        else if (record && !from_file)
            in->want_eval = crc;
        else if (crc != in->want_eval)
            failed("evaluations differ from the single-threaded run", in->path);
        fd_doc_close(doc);
    }
}

/* ---- the second spec: iconv, zlib, a custom routine ---- */

static const char extra_ksy[] =
    "meta:\n  id: extra\n  endian: le\n"
    "seq:\n"
    "  - id: name\n    size: 8\n    type: str\n    encoding: windows-1252\n"
    "  - id: sjis\n    size: 4\n"
    "  - id: len_z\n    type: u2\n"
    "  - id: packed\n    size: len_z\n    process: zlib\n    type: body\n"
    "  - id: bumped\n    size: 4\n    process: tsan_add(3)\n"
    "types:\n"
    "  body:\n    seq:\n      - id: items\n        type: u1\n        repeat: eos\n"
    "    instances:\n      top:\n        value: items.max\n"
    "instances:\n"
    "  sjis_text:\n    value: sjis.to_s('Shift_JIS')\n"
    "  latin:\n    value: sjis.to_s('ISO-8859-2')\n";

static int tsan_add(void *user, const uint8_t *in, size_t n, const fd_value *args, size_t nargs,
                    uint8_t **out, size_t *outn, char *msg, size_t msgcap)
{
    (void)user, (void)msg, (void)msgcap;
    int64_t k = nargs ? fd_value_int(args[0]) : 0;
    *out = malloc(n ? n : 1);
    if (!*out)
        return 1;
    for (size_t i = 0; i < n; i++)
        (*out)[i] = (uint8_t)(in[i] + k);
    *outn = n;
    return 0;
}

static int build_extra(void)
{
    fd_error err;
    if (fd_process_register("tsan_add", tsan_add, NULL) != 0)
        return -1;
    extra_spec = fd_spec_load_mem("extra.ksy", extra_ksy, sizeof extra_ksy - 1, NULL, &err);
    if (!extra_spec) {
        fprintf(stderr, "tsan_threads: extra.ksy: %s\n", err.message);
        return -1;
    }
    uint8_t plain[64];
    for (size_t i = 0; i < sizeof plain; i++)
        plain[i] = (uint8_t)(i * 37);
    uLongf zn = 128;
    uint8_t z[128];
    if (compress(z, &zn, plain, sizeof plain) != Z_OK)
        return -1;
    size_t w = 0;
    memcpy(extra_data + w, "caf\xe9 \x80\xa9!", 8), w += 8;
    memcpy(extra_data + w, "\x82\xa0\x5c~", 4), w += 4;
    extra_data[w++] = (uint8_t)zn;
    extra_data[w++] = (uint8_t)(zn >> 8);
    memcpy(extra_data + w, z, zn), w += zn;
    memcpy(extra_data + w, "abcd", 4), w += 4;
    extra_len = w;
    return 0;
}

/* The whole tree, and the instances that go through iconv and the custom routine. */
static int write_extra(FILE *f, fd_doc *doc, const void *arg)
{
    (void)arg;
    fd_emit_opts o = { .format = FD_OUT_JSON, .compact = true };
    fd_error err;
    if (fd_doc_error(doc, &err)) {
        failed(err.message, "extra.ksy");
        return -1;
    }
    static const char *const checks[] = {"sjis_text", "latin", "packed.top", "bumped[0]"};
    for (size_t k = 0; k < sizeof checks / sizeof *checks; k++) {
        fd_value v = fd_eval(doc, fd_doc_root(doc), checks[k], &err);
        if (fd_value_kind(v) == FD_ERROR) {
            failed(err.message, checks[k]);
            return -1;
        }
        if (fd_emit_json_value(f, v, true) != 0)
            return -1;
    }
    return fd_emit(f, fd_doc_root(doc), &o);
}

static void check_extra(bool record)
{
    fd_error err;
    fd_doc *doc = fd_doc_open_mem(extra_spec, extra_data, extra_len, NULL, &err);
    uint32_t crc;
    if (!doc || run_writer(write_extra, doc, NULL, &crc) != 0)
        failed("cannot parse or write", "extra.ksy");
    else if (record)
        extra_want = crc;
    else if (crc != extra_want)
        failed("output differs from the single-threaded run", "extra.ksy");
    fd_doc_close(doc);
}

static void *worker(void *arg)
{
    size_t id = (size_t)(uintptr_t)arg;
    for (int r = 0; r < ROUNDS; r++) {
        /* Threads start on different inputs so that different work overlaps. */
        for (size_t k = 0; k < ninputs; k++)
            check_input(&inputs[(k + id) % ninputs], false);
        check_extra(false);
    }
    return NULL;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (!got)
            break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc - 2 > MAX_INPUTS) {
        fprintf(stderr, "usage: tsan_threads FORMAT.ksy DUMP... (at most %d dumps)\n", MAX_INPUTS);
        return 2;
    }
    fd_error err;
    spec = fd_spec_load_file(argv[1], NULL, &err);
    if (!spec) {
        fprintf(stderr, "tsan_threads: %s: %s\n", argv[1], err.message);
        return 1;
    }
    for (size_t k = 0; k < NEXPRS; k++)
        if (!(compiled[k] = fd_expr_compile(spec, exprs[k], &err))) {
            fprintf(stderr, "tsan_threads: %s: %s\n", exprs[k], err.message);
            return 1;
        }
    for (int i = 2; i < argc; i++) {
        input *in = &inputs[ninputs++];
        in->path = argv[i];
        if (!(in->data = slurp(argv[i], &in->len))) {
            fprintf(stderr, "tsan_threads: cannot read %s\n", argv[i]);
            return 1;
        }
        check_input(in, true);
    }
    if (build_extra() != 0)
        return 1;
    check_extra(true);
    if (failures)
        return 1;

    pthread_t th[NTHREADS];
    for (size_t t = 0; t < NTHREADS; t++)
        if (pthread_create(&th[t], NULL, worker, (void *)(uintptr_t)t) != 0) {
            fprintf(stderr, "tsan_threads: cannot start thread %zu\n", t);
            return 1;
        }
    for (size_t t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);

    for (size_t k = 0; k < NEXPRS; k++)
        fd_expr_free(compiled[k]);
    for (size_t k = 0; k < ninputs; k++)
        free(inputs[k].data);
    fd_spec_free(extra_spec);
    fd_spec_free(spec);
    if (failures) {
        fprintf(stderr, "tsan_threads: %d failure(s)\n", failures);
        return 1;
    }
    printf("tsan_threads: %d threads x %d rounds x %zu dumps (+ extra.ksy): identical output, no failure\n",
           NTHREADS, ROUNDS, ninputs);
    return 0;
}
