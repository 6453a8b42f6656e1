/* version.h - reading a caller's options struct under the size convention of fmtdump.h. */
#ifndef FD_VERSION_H
#define FD_VERSION_H

#include <stddef.h>
#include "fmtdump.h"

/*
 * Each returns a full struct of this library's layout: the caller's fields that
 * lie within its `size` (a size of 0: the 0.1 layout), the rest zero, NULL
 * giving all zeros.  Library code reads options only through these.
 *
 * The 0.1 layouts are the structs as 0.1.x declares them.  A field added after
 * a release must start at or after that release's sizeof (not in its tail
 * padding, which an older caller may leave uninitialised); the struct's
 * FD_*_OPTS_V01 then becomes offsetof(struct, that first new field).
 */
#define FD_LOAD_OPTS_V01 offsetof(fd_load_opts, cache_dir)
#define FD_OPEN_OPTS_V01 sizeof(fd_open_opts)
#define FD_EMIT_OPTS_V01 sizeof(fd_emit_opts)

fd_load_opts fd_load_opts_read(const fd_load_opts *opts);
fd_open_opts fd_open_opts_read(const fd_open_opts *opts);
fd_emit_opts fd_emit_opts_read(const fd_emit_opts *opts);

#endif
