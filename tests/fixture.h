/* fixture.h - a description and an input opened from memory, for the engine's CMocka tests. */
#ifndef FD_TEST_FIXTURE_H
#define FD_TEST_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "fmtdump.h"

typedef struct fixture {
    fd_spec *spec;
    fd_doc *doc;
    fd_value root;
} fixture;

/* Load ksy as `name`, open data with it (under opts' budgets, NULL for the
 * defaults) and parse the root; a bad spec fails the test. */
static inline void fx_open_with(fixture *fx, const char *name, const char *ksy, const void *data, size_t n,
                                const fd_open_opts *opts)
{
    fd_error err;
    fx->spec = fd_spec_load_mem(name, ksy, strlen(ksy), NULL, &err);
    if (!fx->spec)
        fail_msg("load: %d:%d %s", err.line, err.col, err.message);
    fx->doc = fd_doc_open_mem(fx->spec, data, n, opts, &err);
    assert_non_null(fx->doc);
    fx->root = fd_doc_root(fx->doc);
}

static inline void fx_open(fixture *fx, const char *name, const char *ksy, const void *data, size_t n)
{
    fx_open_with(fx, name, ksy, data, n, NULL);
}

/* A growing buffer behind an fd_sink_fn; refuses bytes past `refuse_after` (0: never). */
typedef struct fx_membuf {
    char *p;
    size_t n, cap;
    size_t calls;
    size_t refuse_after;
} fx_membuf;

static inline int fx_mem_sink(void *user, const char *buf, size_t n)
{
    fx_membuf *m = user;
    assert_true(n > 0);
    m->calls++;
    if (m->refuse_after && m->n + n > m->refuse_after)
        return -1;
    if (m->n + n + 1 > m->cap) {
        m->cap = 2 * (m->n + n + 1);
        m->p = realloc(m->p, m->cap);
        assert_non_null(m->p);
    }
    memcpy(m->p + m->n, buf, n);
    m->n += n;
    m->p[m->n] = 0;
    return 0;
}

static inline void fx_close(fixture *fx)
{
    fd_doc_close(fx->doc);
    fd_spec_free(fx->spec);
}

static inline fd_value fx_eval(fixture *fx, const char *expr)
{
    fd_error err;
    return fd_eval(fx->doc, fx->root, expr, &err);
}

#endif
