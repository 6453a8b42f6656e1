/* batch.c - `-o jsonl`: one compact JSON line per input, every description loaded once, N threads. */
#include "batch.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "input.h"
#include "report.h"

/* The C stack of a worker: the parse's own allowance (2 MiB) plus the writers'. */
#define BATCH_STACK (8u << 20)

bool cli_names_open(cli_names *n, const char *list, const char *const *argv, size_t argc)
{
    memset(n, 0, sizeof *n);
    n->argv = argv;
    n->argc = argc;
    if (!list)
        return true;
    n->list_name = list;
    if (strcmp(list, "-") == 0) {
        n->list = stdin;
        return true;
    }
    /* A pipe is welcome here (a list from another program), so this open may wait for its writer. */
    n->list = fopen(list, "r");
    if (!n->list) {
        fprintf(stderr, "fmtdump: cannot open %s: %s\n", list, strerror(errno));
        return false;
    }
    n->own_list = true;
    return true;
}

void cli_names_close(cli_names *n)
{
    if (n->own_list)
        fclose(n->list);
    n->list = NULL;
}

/* One input of the batch, named as given. */
typedef struct batch_item {
    char name[CLI_NAME_MAX];
    bool is_stdin;      /* the `-` operand */
    bool too_long;      /* a list line longer than CLI_NAME_MAX - 1 bytes, cut */
} batch_item;

/* The next input: 1, 0 at the end, -1 when the list cannot be read (told on stderr). */
static int names_next(cli_names *n, batch_item *it)
{
    it->is_stdin = it->too_long = false;
    if (!n->list) {
        if (n->next == n->argc)
            return 0;
        const char *name = n->argv[n->next++];
        snprintf(it->name, sizeof it->name, "%s", name);
        it->too_long = strlen(name) >= sizeof it->name;
        it->is_stdin = strcmp(name, "-") == 0;
        return 1;
    }
    for (;;) {
        size_t len = 0;
        int c;
        it->too_long = false;
        while ((c = getc(n->list)) != EOF && c != '\n') {
            if (len < sizeof it->name - 1)
                it->name[len++] = (char)c;
            else
                it->too_long = true;
        }
        it->name[len] = '\0';
        if (len)
            return 1;
        if (c == EOF) {
            if (!ferror(n->list))
                return 0;
            fprintf(stderr, "fmtdump: cannot read %s: %s\n", strcmp(n->list_name, "-") ? n->list_name : "stdin",
                    strerror(errno ? errno : EIO));
            return -1;
        }
    }
}

/* A growing buffer the writer's sink appends to. */
typedef struct batch_buf {
    char *data;
    size_t len, cap;
} batch_buf;

static int buf_sink(void *user, const char *p, size_t n)
{
    batch_buf *b = user;
    if (n > b->cap - b->len) {
        size_t ncap = b->cap ? b->cap : 1 << 12;
        while (ncap - b->len < n) {
            if (ncap > SIZE_MAX / 2)
                return -1;
            ncap *= 2;
        }
        char *grown = realloc(b->data, ncap);
        if (!grown)
            return -1;
        b->data = grown;
        b->cap = ncap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

/* The description for input: b's own, or the one its leading bytes match.
 * NULL with err set (and *code raised) when there is none. */
static const fd_spec *batch_spec(const cli_batch *b, const cli_input *in, fd_error *err, int *code)
{
    if (b->spec)
        return b->spec;
    uint8_t head[CLI_DETECT_HEAD];
    long n = cli_input_head(in, head, sizeof head, err);
    if (n < 0) {
        *code = CLI_EXIT_IO;
        return NULL;
    }
    const fd_spec *spec = cli_detect_match(b->formats, head, (size_t)n);
    if (!spec) {
        /* What -f with any of them would say: the leading bytes differ. */
        cli_input_error(err, FD_ERR_NOT_EQUAL, "no description on the format path matches the leading bytes of",
                        in->name, "name one with -f");
        err->offset = 0;
        *code = CLI_EXIT_DATA;
    }
    return spec;
}

/* The rest of input's line after "file": the status, the error, the tree or
 * the results.  Returns the input's exit code; *out_rc gets -1 on an output error. */
static int batch_body(const cli_batch *b, cli_input *in, FILE *out, int *out_rc)
{
    fd_error err;
    int code = CLI_EXIT_OK;
    const fd_spec *spec = NULL;
    if (cli_input_load(in, &err))
        spec = batch_spec(b, in, &err, &code);
    else
        code = CLI_EXIT_IO;
    fd_doc *doc = spec ? cli_input_open(in, spec, &b->open, &err) : NULL;
    if (!doc) {
        if (spec)
            code = err.kind == FD_ERR_IO ? CLI_EXIT_IO : CLI_EXIT_DATA;
        *out_rc |= cli_envelope_status(out, true, &err);
        return code;
    }
    fd_value root = fd_doc_root(doc);
    fd_error doc_err;
    memset(&doc_err, 0, sizeof doc_err);
    bool failed = fd_doc_error(doc, &doc_err);
    if (b->nexprs) {
        *out_rc |= cli_envelope_status(out, failed, &doc_err);
        fputs(", ", out);
        *out_rc |= cli_envelope_results(out, doc, root, b->exprs, b->nexprs, true, NULL, &code);
    } else {
        /* As for -o json: an error node anywhere in the tree fails the input.
         * The writer counts them, and the status comes first, so the tree is
         * written to memory, then after the status. */
        fd_emit_stats st;
        fd_emit_opts eo = {.size = sizeof(fd_emit_opts), .format = FD_OUT_JSON, .compact = true,
                           .spans = b->spans, .max_output = b->max_output, .stats = &st};
        batch_buf tree = {NULL, 0, 0};
        if (fd_emit_sink(buf_sink, &tree, root, &eo) != 0)
            *out_rc = -1;
        if (st.errors && !failed) {
            doc_err = st.first;
            failed = true;
        }
        *out_rc |= cli_envelope_status(out, failed, &doc_err);
        fputs(", \"tree\": ", out);
        /* Without the writer's closing newline. */
        if (tree.len > 1 && fwrite(tree.data, 1, tree.len - 1, out) != tree.len - 1)
            *out_rc = -1;
        free(tree.data);
    }
    fd_doc_close(doc);
    if (failed && code == CLI_EXIT_OK)
        code = CLI_EXIT_DATA;
    return code;
}

/* The whole line of one input on out; its exit code. */
static int batch_line(const cli_batch *b, const batch_item *it, FILE *out, int *out_rc)
{
    int code;
    fputs("{\"file\": ", out);
    cli_envelope_string(out, it->name);
    fputs(", ", out);
    if (it->too_long) {
        fd_error err;
        /* The name itself would not fit in the message. */
        cli_input_error(&err, FD_ERR_IO, "cannot open", "a list line", "file name longer than "
                        CLI_NAME_MAX_STR " bytes (cut in \"file\")");
        *out_rc |= cli_envelope_status(out, true, &err);
        code = CLI_EXIT_IO;
    } else {
        cli_input in;
        cli_input_init(&in, it->name, it->is_stdin);
        code = batch_body(b, &in, out, out_rc);
        cli_input_release(&in);
    }
    fputs("}\n", out);
    return code;
}

static int write_failed(void)
{
    fprintf(stderr, "fmtdump: cannot write the output: %s\n", strerror(errno ? errno : EIO));
    return CLI_EXIT_IO;
}

/* -j 1: each line straight to stdout. */
static int batch_serial(const cli_batch *b, cli_names *names)
{
    batch_item *it = malloc(sizeof *it);
    if (!it) {
        fputs("fmtdump: out of memory\n", stderr);
        return CLI_EXIT_IO;
    }
    int code = CLI_EXIT_OK, got;
    while ((got = names_next(names, it)) > 0) {
        int out_rc = 0;
        int one = batch_line(b, it, stdout, &out_rc);
        if (out_rc != 0 || ferror(stdout)) {
            free(it);
            return write_failed();
        }
        if (one > code)
            code = one;
    }
    free(it);
    if (got < 0)
        code = CLI_EXIT_IO;
    return code;
}

/* -j N: a ring of slots filled in input order by the main thread, parsed by
 * the workers in that order, written out by the main thread in that order.
 * Each line is built in memory, so the output is the same as with -j 1. */
typedef struct batch_slot {
    batch_item item;
    char *text;
    size_t len;
    int code, out_rc;
    bool done;
} batch_slot;

typedef struct batch_pool {
    const cli_batch *b;
    batch_slot *slots;
    size_t nslots;
    size_t head, tail, next;   /* input numbers: next to write, to fill, to parse */
    bool closing;              /* no more inputs will be filled */
    pthread_mutex_t mu;
    pthread_cond_t work, done;
} batch_pool;

static void slot_run(const cli_batch *b, batch_slot *s)
{
    s->text = NULL;
    s->len = 0;
    s->out_rc = 0;
    FILE *mem = open_memstream(&s->text, &s->len);
    if (!mem) {
        s->out_rc = -1;
        s->code = CLI_EXIT_IO;
        return;
    }
    s->code = batch_line(b, &s->item, mem, &s->out_rc);
    if (ferror(mem))
        s->out_rc = -1;
    if (fclose(mem) != 0)
        s->out_rc = -1;
}

static void *batch_worker(void *arg)
{
    batch_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->next == p->tail && !p->closing)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->next == p->tail)
            break;
        batch_slot *s = &p->slots[p->next++ % p->nslots];
        pthread_mutex_unlock(&p->mu);
        slot_run(p->b, s);
        pthread_mutex_lock(&p->mu);
        s->done = true;
        pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Fill free slots, then write the oldest once parsed; the worst exit code. */
static int pool_drive(batch_pool *p, cli_names *names)
{
    int code = CLI_EXIT_OK;
    bool more = true;
    for (;;) {
        while (more && p->tail - p->head < p->nslots) {
            batch_slot *s = &p->slots[p->tail % p->nslots];
            int got = names_next(names, &s->item);
            if (got <= 0) {
                more = false;
                if (got < 0)
                    code = CLI_EXIT_IO;
                break;
            }
            s->done = false;
            pthread_mutex_lock(&p->mu);
            p->tail++;
            pthread_cond_signal(&p->work);
            pthread_mutex_unlock(&p->mu);
        }
        if (p->head == p->tail)
            return code;
        batch_slot *h = &p->slots[p->head % p->nslots];
        pthread_mutex_lock(&p->mu);
        while (!h->done)
            pthread_cond_wait(&p->done, &p->mu);
        pthread_mutex_unlock(&p->mu);
        bool bad = h->out_rc != 0 || (h->len && fwrite(h->text, 1, h->len, stdout) != h->len) || ferror(stdout);
        free(h->text);
        h->text = NULL;
        p->head++;
        if (bad)
            return -1;
        if (h->code > code)
            code = h->code;
    }
}

static int batch_parallel(const cli_batch *b, cli_names *names)
{
    batch_pool p;
    memset(&p, 0, sizeof p);
    p.b = b;
    p.nslots = 2 * (size_t)b->jobs;
    p.slots = calloc(p.nslots, sizeof *p.slots);
    pthread_t *th = calloc(b->jobs, sizeof *th);
    pthread_attr_t attr;
    bool attr_ok = pthread_attr_init(&attr) == 0;
    if (!p.slots || !th || !attr_ok || pthread_attr_setstacksize(&attr, BATCH_STACK) != 0) {
        if (attr_ok)
            pthread_attr_destroy(&attr);
        free(p.slots);
        free(th);
        fputs("fmtdump: out of memory\n", stderr);
        return CLI_EXIT_IO;
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.work, NULL);
    pthread_cond_init(&p.done, NULL);
    unsigned started = 0;
    while (started < b->jobs && pthread_create(&th[started], &attr, batch_worker, &p) == 0)
        started++;
    pthread_attr_destroy(&attr);
    int code;
    if (!started) {
        fputs("fmtdump: cannot start a thread\n", stderr);
        code = CLI_EXIT_IO;
    } else {
        code = pool_drive(&p, names);
    }
    /* After an output error the inputs already handed out are still parsed, not written. */
    pthread_mutex_lock(&p.mu);
    p.closing = true;
    p.tail = p.next;
    pthread_cond_broadcast(&p.work);
    pthread_mutex_unlock(&p.mu);
    for (unsigned k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    for (size_t k = 0; k < p.nslots; k++)
        free(p.slots[k].text);
    pthread_cond_destroy(&p.done);
    pthread_cond_destroy(&p.work);
    pthread_mutex_destroy(&p.mu);
    free(p.slots);
    free(th);
    return code < 0 ? write_failed() : code;
}

int cli_batch_run(const cli_batch *b, cli_names *names)
{
    int code = b->jobs > 1 ? batch_parallel(b, names) : batch_serial(b, names);
    if (code == CLI_EXIT_IO && ferror(stdout))
        return code;
    if (fflush(stdout) != 0 || ferror(stdout))
        return write_failed();
    return code;
}
