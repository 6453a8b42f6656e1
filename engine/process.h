/* process.h - `process:` transforms (zlib, xor, rol, ror) and the registry of custom ones. */
#ifndef FD_PROCESS_H
#define FD_PROCESS_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "fmtdump.h"

typedef enum { FD_PROC_NONE = 0, FD_PROC_ZLIB, FD_PROC_XOR, FD_PROC_ROL, FD_PROC_ROR, FD_PROC_CUSTOM } fd_proc_kind;

/* Map a process name to its kind (custom for anything not built in). */
fd_proc_kind fd_process_kind(const char *name);

/* Apply a transform.  args are the evaluated arguments: xor takes an INT
 * (one byte) or BYTES key; rol/ror an INT amount; custom ones get all.
 * `limit` caps the output size (zlib bombs).  Output lives in the arena.
 * Returns 0, or non-zero with a message in msg. */
int fd_process_apply(fd_arena *a, fd_proc_kind kind, const char *name,
                     const fd_value *args, size_t nargs,
                     const uint8_t *in, size_t n, uint64_t limit,
                     const uint8_t **out, size_t *outn, char *msg, size_t msgcap);

#endif
