/* version.c - the running library's version, and caller options read by their declared size. */
#include "version.h"

#include <string.h>

const char *fd_version(void)
{
    return FMTDUMP_VERSION;
}

int fd_version_num(void)
{
    return FMTDUMP_VERSION_NUM;
}

/* Copies the n bytes of *src the caller declared (v01 when n is 0) into dst,
 * zeroed to this library's full size. */
static void opts_copy(void *dst, size_t full, const void *src, size_t n, size_t v01)
{
    memset(dst, 0, full);
    if (!src)
        return;
    if (n == 0)
        n = v01;
    memcpy(dst, src, n < full ? n : full);
}

fd_load_opts fd_load_opts_read(const fd_load_opts *opts)
{
    fd_load_opts o;
    opts_copy(&o, sizeof o, opts, opts ? opts->size : 0, FD_LOAD_OPTS_V01);
    o.size = sizeof o;
    return o;
}

fd_open_opts fd_open_opts_read(const fd_open_opts *opts)
{
    fd_open_opts o;
    opts_copy(&o, sizeof o, opts, opts ? opts->size : 0, FD_OPEN_OPTS_V01);
    o.size = sizeof o;
    return o;
}

fd_emit_opts fd_emit_opts_read(const fd_emit_opts *opts)
{
    fd_emit_opts o;
    opts_copy(&o, sizeof o, opts, opts ? opts->size : 0, FD_EMIT_OPTS_V01);
    o.size = sizeof o;
    return o;
}
