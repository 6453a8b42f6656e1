/* ksy_load.h - internals shared by the .ksy loader's stages: YAML tree, build pass, resolution pass. */
#ifndef FD_KSY_LOAD_H
#define FD_KSY_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fmtdump.h"
#include "spec.h"

/* YAML is first read into this small tree so the builder can look keys up
 * in any order and every node keeps its source position. */
enum { FD_KSY_SCALAR = 1, FD_KSY_SEQ, FD_KSY_MAP };
enum { FD_KSY_PLAIN = 0, FD_KSY_SQUOTED, FD_KSY_DQUOTED, FD_KSY_BLOCK };

typedef struct fd_ksy_node fd_ksy_node;
struct fd_ksy_node {
    uint8_t kind;
    uint8_t style;          /* scalars only */
    uint32_t line, col;     /* 1-based */
    const char *s;          /* scalar text, NUL-terminated */
    size_t len;
    fd_ksy_node **kids;     /* SEQ: items; MAP: key, value, key, value... */
    uint32_t nkids;
};

/* Parse one YAML document from text into nodes in `a`.  Returns the root,
 * or NULL with err filled (a NULL root for an empty document is an error). */
fd_ksy_node *fd_ksy_yaml_parse(fd_arena *a, const char *file, const char *text, size_t len,
                               fd_error *err);

/* A type or enum reference waiting for the resolution pass. */
typedef struct fd_ksy_ref {
    fd_typeref *tr;         /* type reference to fill, or NULL */
    fd_enum **enm;          /* enum pointer to fill, or NULL */
    fd_type *scope;         /* type the reference appears in */
    const char **path;
    uint32_t npath;
    bool abs_path;
    bool is_param;          /* param types may be untyped containers */
    fd_srcloc loc;
} fd_ksy_ref;

typedef struct fd_ksy_file {
    char *key;              /* real path (or the name for in-memory text) */
    fd_module *mod;
} fd_ksy_file;

/* State of one fd_spec_load_* call. */
typedef struct fd_ksy_loader {
    fd_spec *spec;
    fd_error *err;
    bool failed;
    fd_ksy_file *files;
    size_t nfiles, capfiles;
    fd_ksy_ref *refs;
    size_t nrefs, caprefs;
    int depth;              /* import nesting */
    fd_module *tail;        /* last module in spec->modules */
} fd_ksy_loader;

/* Limits that keep hostile descriptions cheap. */
#define FD_KSY_MAX_FILE     (16u << 20)
#define FD_KSY_MAX_YAML_DEPTH 256
#define FD_KSY_MAX_TYPE_DEPTH 64
#define FD_KSY_MAX_MODULES  256
#define FD_KSY_MAX_IMPORT_DEPTH 32

/* Record a description error at file:line:col; the first error wins. */
void fd_ksy_fail(fd_ksy_loader *L, const char *file, uint32_t line, uint32_t col,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void fd_ksy_fail_kind(fd_ksy_loader *L, fd_errkind kind, const char *file, uint32_t line,
                      uint32_t col, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Load a .ksy file as a module (once per real path); loc is where it was named. */
fd_module *fd_ksy_load_path(fd_ksy_loader *L, const char *path, const fd_srcloc *loc);
/* Resolution pass: refs, expression names, fixed sizes, magic. 0 or -1. */
int fd_ksy_resolve(fd_ksy_loader *L);

#endif
