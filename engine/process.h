/* process.h - `process:` transforms (zlib, xor, rol, ror) and the registry of custom ones. */
#ifndef FD_PROCESS_H
#define FD_PROCESS_H

#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "fmtdump.h"

/* Work accounting for byte-sized jobs (decompressing, decoding, scanning,
 * copying): one unit of the document's work budget per this many bytes. */
#define FD_WORK_BYTES_PER_UNIT 64

typedef enum { FD_PROC_NONE = 0, FD_PROC_ZLIB, FD_PROC_XOR, FD_PROC_ROL, FD_PROC_ROR, FD_PROC_CUSTOM } fd_proc_kind;

/* A custom routine as registered: looked up once, when a spec is loaded. */
typedef struct fd_proc_ref {
    fd_process_fn fn;      /* NULL: no such routine was registered */
    void *user;
} fd_proc_ref;

typedef struct fd_doc fd_doc;

/* Map a process name to its kind (custom for anything not built in). */
fd_proc_kind fd_process_kind(const char *name);
/* The registered routine called name (fn NULL when none).  Takes the
 * registry lock: call it at load time, never per element. */
fd_proc_ref fd_process_lookup(const char *name);

/* Apply a transform for doc.  args are the evaluated arguments: xor takes an
 * INT (one byte) or BYTES key; rol/ror an INT amount; custom ones get all.
 * Output lives in doc's arena and is counted against what the arena may
 * still hold BEFORE it is allocated; `limit` caps its size too (zlib bombs;
 * 0 lets only empty output through).  Bytes produced are charged to the
 * work budget, one unit per FD_WORK_BYTES_PER_UNIT.  Returns 0, or the kind
 * of error (FD_ERR_PROCESS, FD_ERR_LIMIT when the work budget is spent,
 * FD_ERR_NOMEM) with a message in msg. */
int fd_process_apply(fd_doc *doc, fd_proc_kind kind, const char *name, const fd_proc_ref *custom,
                     const fd_value *args, size_t nargs,
                     const uint8_t *in, size_t n, uint64_t limit,
                     const uint8_t **out, size_t *outn, char *msg, size_t msgcap);

#endif
