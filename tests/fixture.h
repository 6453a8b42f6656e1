/* fixture.h - a description and an input opened from memory, for the engine's CMocka tests. */
#ifndef FD_TEST_FIXTURE_H
#define FD_TEST_FIXTURE_H

#include <string.h>

#include "fmtdump.h"

typedef struct fixture {
    fd_spec *spec;
    fd_doc *doc;
    fd_value root;
} fixture;

/* Load ksy as `name`, open data with it and parse the root; a bad spec fails the test. */
static inline void fx_open(fixture *fx, const char *name, const char *ksy, const void *data, size_t n)
{
    fd_error err;
    fx->spec = fd_spec_load_mem(name, ksy, strlen(ksy), NULL, &err);
    if (!fx->spec)
        fail_msg("load: %d:%d %s", err.line, err.col, err.message);
    fx->doc = fd_doc_open_mem(fx->spec, data, n, NULL, &err);
    assert_non_null(fx->doc);
    fx->root = fd_doc_root(fx->doc);
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
