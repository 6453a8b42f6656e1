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

/* The parse cache (ksy_cache.c) in directory dir, an entry per key (a file's
 * real path).  get: the tree of `text` stored by an earlier put, its strings
 * in the arena, or NULL on a miss.  put: best effort, silent. */
fd_ksy_node *fd_ksy_cache_get(fd_arena *a, const char *dir, const char *key, const char *text,
                              size_t len);
void fd_ksy_cache_put(const char *dir, const char *key, const char *text, size_t len,
                      const fd_ksy_node *root);

/* Node helpers.  A null is an absent node or a plain `~`/`null`/empty scalar. */
bool fd_ksy_is_scalar(const fd_ksy_node *n);
bool fd_ksy_is_null(const fd_ksy_node *n);
/* Value of `key` in map m (NULL when absent); fd_ksy_val also hides nulls. */
const fd_ksy_node *fd_ksy_get(const fd_ksy_node *m, const char *key);
const fd_ksy_node *fd_ksy_val(const fd_ksy_node *m, const char *key);
/* YAML 1.1 boolean of a plain scalar: 1, 0, or -1 when not a boolean. */
int fd_ksy_bool(const fd_ksy_node *n);
/* YAML integer spellings (decimal, 0x, 0o, 0b, 0-octal, `_`) up to u64 magnitude. */
bool fd_ksy_int(const fd_ksy_node *n, uint64_t *mag, bool *neg);
/* Identifier [a-z_][a-z0-9_]*. */
bool fd_ksy_ident_ok(const char *s, size_t n);
/* Strip spaces and tabs on both sides of s[0..*n). */
void fd_ksy_trim(const char **s, size_t *n);

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
    const char *cache_dir;  /* fd_load_opts.cache_dir, NULL for none */
    size_t ntypes, nenums, nitems;   /* totals, checked against the limits below */
    fd_module *tail;        /* last module in spec->modules */
} fd_ksy_loader;

/* Limits that keep hostile descriptions cheap. */
#define FD_KSY_MAX_FILE     (16u << 20)
#define FD_KSY_MAX_YAML_DEPTH 256
#define FD_KSY_MAX_TYPE_DEPTH 64
#define FD_KSY_MAX_MODULES  256
#define FD_KSY_MAX_IMPORT_DEPTH 32
/* Name lookups are linear scans, so the counts they scan are capped
 * (the largest real formats use ~150 types and ~4000 items in one enum). */
#define FD_KSY_MAX_TYPES    4096
#define FD_KSY_MAX_ENUMS    4096
#define FD_KSY_MAX_ITEMS    (1u << 18)
#define FD_KSY_MAX_REFS     (1u << 17)

/* Record a description error at file:line:col; the first error wins. */
void fd_ksy_fail(fd_ksy_loader *L, const char *file, uint32_t line, uint32_t col,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void fd_ksy_fail_kind(fd_ksy_loader *L, fd_errkind kind, const char *file, uint32_t line,
                      uint32_t col, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Remember that `key` (a real path) is loaded as mod. 0 or -1. */
int fd_ksy_file_add(fd_ksy_loader *L, const char *key, fd_module *mod);
/* Build a module from .ksy text; `file` names it in messages. NULL on error. */
fd_module *fd_ksy_build(fd_ksy_loader *L, const char *file, const char *key, const char *text,
                        size_t len);
/* Load a .ksy file as a module (once per real path); loc is where it was named. */
fd_module *fd_ksy_load_path(fd_ksy_loader *L, const char *path, const fd_srcloc *loc);
/* Check the YAML tree against the key table (ksy_keys.h): unknown, misplaced,
 * missing and duplicate keys, wrong value kinds.  0 or -1. */
int fd_ksy_check(fd_ksy_loader *L, const char *file, const fd_ksy_node *root);
/* Resolution pass: refs, expression names, fixed sizes, magic. 0 or -1. */
int fd_ksy_resolve(fd_ksy_loader *L);

#endif
