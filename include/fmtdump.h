/* fmtdump.h - public API: load a Kaitai Struct (.ksy) description at run time and parse data with it. */
#ifndef FMTDUMP_H
#define FMTDUMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared here is the shared library's interface; the engine is
 * built with -fvisibility=hidden, so its internal fd_* functions are not. */
#if defined(__GNUC__) && __GNUC__ >= 4
#pragma GCC visibility push(default)
#endif

/*
 * Version.  The numbers below are the only place it is written (the Makefile
 * reads them for the soname and fmtdump.pc).  FMTDUMP_VERSION_NUM is
 * MAJOR * 0x10000 + MINOR * 0x100 + PATCH, so 0.1.0 is 0x000100 and versions
 * compare as integers.  FMTDUMP_VERSION_NUM is the header a program was
 * compiled with; fd_version_num() is the library it runs with.  A program
 * relying on a feature of version X checks fd_version_num() >= X at run time.
 * The soname changes with MAJOR only.
 */
#define FMTDUMP_VERSION_MAJOR 0
#define FMTDUMP_VERSION_MINOR 2
#define FMTDUMP_VERSION_PATCH 0
#define FMTDUMP_VERSION_NUM \
    ((FMTDUMP_VERSION_MAJOR << 16) | (FMTDUMP_VERSION_MINOR << 8) | FMTDUMP_VERSION_PATCH)
#define FMTDUMP_STR_(x) #x
#define FMTDUMP_STR(x) FMTDUMP_STR_(x)
#define FMTDUMP_VERSION FMTDUMP_STR(FMTDUMP_VERSION_MAJOR) "." \
    FMTDUMP_STR(FMTDUMP_VERSION_MINOR) "." FMTDUMP_STR(FMTDUMP_VERSION_PATCH)

/* The running library's version: FMTDUMP_VERSION and FMTDUMP_VERSION_NUM as it was built. */
const char *fd_version(void);
int fd_version_num(void);

/*
 * Options structs (fd_load_opts, fd_open_opts, fd_emit_opts) grow at the end
 * as versions add fields, without breaking programs built with an older
 * header.  Their first field, `size`, says how much of the struct the caller
 * knows: start from FD_LOAD_OPTS_INIT, FD_OPEN_OPTS_INIT or FD_EMIT_OPTS_INIT
 * (size = sizeof the struct in the caller's header), then set fields:
 *
 *     fd_open_opts oo = FD_OPEN_OPTS_INIT;
 *     oo.max_work = 1000000;
 *
 * The library reads only the fields that lie within `size`; the others take
 * their defaults, as does every field when the pointer is NULL.  Fields beyond
 * what the library knows (a newer header) are ignored: check fd_version_num()
 * when a newer field matters.  A size of 0 (a zeroed struct) stands for the
 * 0.1 layout: the fields declared while the version was 0.1.x.  Every
 * field's zero value is its default.  (The _INIT macros are designated
 * initializers; before C++20, zero the struct and set size by hand.)
 */
#define FD_LOAD_OPTS_INIT { .size = sizeof(fd_load_opts) }
#define FD_OPEN_OPTS_INIT { .size = sizeof(fd_open_opts) }
#define FD_EMIT_OPTS_INIT { .size = sizeof(fd_emit_opts) }

/*
 * Threads: a loaded spec is read-only and may be shared by any number of
 * threads; a document, and the values taken from it, belongs to one thread at
 * a time.  Close every document before freeing its spec.  fd_doc_open_mem
 * borrows its buffer, which must stay unchanged until fd_doc_close.
 */

/*
 * Ownership, stated once: a description (fd_spec) owns everything loaded from
 * the .ksy; a document (fd_doc) owns its input mapping and an arena holding
 * every value parsed from it.  An fd_value is a small struct passed by value;
 * the strings, byte views, arrays and structs it points to live until the
 * document is closed.  Nothing returned by this API is freed by the caller
 * except through fd_spec_free / fd_doc_close.  Errors are values: functions
 * that can fail return NULL / an FD_ERROR value and fill an fd_error.
 */

/* Error kinds.  The names printed by fd_errkind_name are Kaitai's. */
typedef enum fd_errkind {
    FD_ERR_NONE = 0,
    FD_ERR_IO,                 /* cannot open / map a file */
    FD_ERR_DESCRIPTION,        /* the .ksy is invalid */
    FD_ERR_EOS,                /* EndOfStreamError */
    FD_ERR_NOT_EQUAL,          /* ValidationNotEqualError (contents, valid eq) */
    FD_ERR_LESS_THAN,          /* ValidationLessThanError */
    FD_ERR_GREATER_THAN,       /* ValidationGreaterThanError */
    FD_ERR_NOT_ANY_OF,         /* ValidationNotAnyOfError */
    FD_ERR_NOT_IN_ENUM,        /* ValidationNotInEnumError */
    FD_ERR_VALID_EXPR,         /* ValidationExprError */
    FD_ERR_UNDECIDED_ENDIAN,   /* UndecidedEndiannessError */
    FD_ERR_CONVERSION,         /* ConversionError (str.to_i on garbage) */
    FD_ERR_ENCODING,           /* UnknownEncodingError or undecodable text */
    FD_ERR_PROCESS,            /* ProcessError: zlib failure, unknown processor */
    FD_ERR_TYPE,               /* TypeError: operator or method on the wrong kind */
    FD_ERR_NULL,               /* NullError: use of an absent value */
    FD_ERR_INDEX,              /* IndexError: array index out of range */
    FD_ERR_DIV_ZERO,           /* ZeroDivisionError */
    FD_ERR_OVERFLOW,           /* OverflowError: integer result beyond 64 bits */
    FD_ERR_CAST,               /* CastError: .as<T> on a value of another type */
    FD_ERR_NAME,               /* NameError: unknown member or method */
    FD_ERR_LIMIT,              /* LimitError: a resource guard tripped (depth, size, loop) */
    FD_ERR_NOMEM,              /* MemoryError */
    FD_ERR_COUNT_
} fd_errkind;

/* An error: what, where in the data, where in the description. */
typedef struct fd_error {
    fd_errkind kind;
    int64_t offset;            /* absolute byte offset in the input, -1 if none */
    char message[256];
    char path[256];            /* node path, e.g. /streams/3/data/threads/1 */
    char file[256];            /* .ksy file of the rule that failed, "" if none */
    int line, col;             /* 1-based location in that file, 0 if none */
} fd_error;

const char *fd_errkind_name(fd_errkind kind);
/* "FILE:LINE:COL: Kind: message at offset 0x.. (path)" into buf. */
void fd_error_format(const fd_error *err, char *buf, size_t cap);

/* Kinds of values. */
typedef enum fd_kind {
    FD_NULL = 0,   /* absent: `if` false, no switch match, imported _parent */
    FD_BOOL,
    FD_INT,        /* 64-bit; FD_VF_UNSIGNED tells u64 from s64 */
    FD_FLOAT,
    FD_STR,        /* UTF-8, not NUL-terminated: use fd_value_str */
    FD_BYTES,      /* view into the input, or into the arena when processed */
    FD_ENUM,       /* integer tagged with its enum */
    FD_ARRAY,
    FD_STRUCT,     /* an object of a user type */
    FD_STREAM,     /* an _io */
    FD_TYPE,       /* internal: a type reference (as<T>) */
    FD_ERROR       /* an error value: fd_value_error gives it */
} fd_kind;

#define FD_VF_UNSIGNED 0x01

/* One value, passed by value.  The fields are private: use the accessors. */
typedef struct fd_value {
    uint8_t kind;
    uint8_t flags;
    union { int64_t i; uint64_t u; double f; const void *p; } v;
    union { uint64_t len; const void *aux; } x;
} fd_value;

/* Loading descriptions. */
typedef struct fd_spec fd_spec;

typedef struct fd_load_opts {
    size_t size;                     /* sizeof(fd_load_opts), or 0: see "Options structs" */
    const char *const *import_dirs;  /* search path for absolute imports and opaque types */
    size_t nimport_dirs;
    /* The parse cache: a directory (created when missing) where each loaded
     * .ksy file's parsed YAML is kept with a copy of the file, and taken
     * instead of parsing the file again while its bytes are unchanged (and
     * the entry is the user's own, writable by no one else).  All
     * checks, the build and name resolution still run on every load.  Entries
     * are written best effort (an unwritable directory only makes loads
     * parse).  NULL: no cache.  Since 0.2.0. */
    const char *cache_dir;
} fd_load_opts;

fd_spec *fd_spec_load_file(const char *path, const fd_load_opts *opts, fd_error *err);
fd_spec *fd_spec_load_mem(const char *name, const char *text, size_t len,
                          const fd_load_opts *opts, fd_error *err);
void fd_spec_free(fd_spec *spec);
const char *fd_spec_id(const fd_spec *spec);
/* Fixed bytes the root type can start with, for format detection: the i-th
 * alternative (0-based), NULL past the last.  They come from the leading seq
 * attributes that have `contents`, or a fixed `size` with `valid` eq / any-of
 * byte-array literals of that size (each choice yields an alternative). */
const uint8_t *fd_spec_magic(const fd_spec *spec, size_t i, size_t *len);

/* Custom `process: name(args)` routines.  out must be malloc'd; the engine frees it.
 * Return 0 on success, non-zero (and optionally a message) on failure.
 * A spec looks its routines up once, when it is loaded: register (or remove)
 * a routine before loading the specs that name it.  Registering is safe from
 * any thread; fn may be called from every thread that parses. */
typedef int (*fd_process_fn)(void *user, const uint8_t *in, size_t n,
                             const fd_value *args, size_t nargs,
                             uint8_t **out, size_t *outn, char *msg, size_t msgcap);
int fd_process_register(const char *name, fd_process_fn fn, void *user);

/* Documents: an input parsed with a description. */
typedef struct fd_doc fd_doc;

typedef struct fd_open_opts {
    size_t size;           /* sizeof(fd_open_opts), or 0: see "Options structs" */
    uint64_t max_memory;   /* arena cap in bytes; 0 = derived from the input size */
    uint64_t max_stack;    /* C stack the parse may use below its first call; 0 = 2 MiB
                              (lower it when calling from a thread with a small stack) */
    uint64_t max_work;     /* work units (elements, evaluation steps, decoded bytes);
                              0 = derived from the input size.  The parse draws on it;
                              a writer run, fd_doc_coverage and a query each get back
                              what they spent when they end, so that a document written
                              or queried many times never runs dry */
} fd_open_opts;

fd_doc *fd_doc_open_file(const fd_spec *spec, const char *path, const fd_open_opts *opts, fd_error *err);
fd_doc *fd_doc_open_mem(const fd_spec *spec, const void *buf, size_t len, const fd_open_opts *opts, fd_error *err);
void fd_doc_close(fd_doc *doc);
/* The root object; its seq is parsed on first call.  A failed parse still
 * returns the partial root; fd_doc_error then tells what failed. */
fd_value fd_doc_root(fd_doc *doc);
bool fd_doc_error(fd_doc *doc, fd_error *err);
const uint8_t *fd_doc_data(const fd_doc *doc, size_t *len);

/* Generic value accessors. */
fd_kind fd_value_kind(fd_value v);
bool fd_value_is_unsigned(fd_value v);
int64_t fd_value_int(fd_value v);        /* INT, ENUM, BOOL */
uint64_t fd_value_uint(fd_value v);
double fd_value_float(fd_value v);
bool fd_value_bool(fd_value v);
const char *fd_value_str(fd_value v, size_t *len);          /* STR */
const uint8_t *fd_value_bytes(fd_value v, size_t *len);     /* BYTES */
const char *fd_value_enum_name(fd_value v);                 /* ENUM label, NULL if unnamed */
const char *fd_value_enum_type(fd_value v);                 /* ENUM's enum name */
/* For an FD_ERROR value. */
bool fd_value_error(fd_value v, fd_error *err);

/* Arrays.  An array of a struct type of fixed size that reads without checks
 * (numbers, and structs of them) is read element by element when asked for:
 * fd_array_get reads an element once and keeps it, as every other value is
 * kept.  The writers and fd_doc_coverage read each element of such an array
 * and let it go once written, so a huge array costs them the memory of one
 * element. */
size_t fd_array_len(fd_value arr);
fd_value fd_array_get(fd_value arr, size_t i);

/* Structs: fields are params, then seq, then instances, in .ksy order.
 * Getting an instance evaluates it (lazily, once).  A failing field is an
 * FD_ERROR value; its siblings are unaffected. */
size_t fd_struct_nfields(fd_value obj);
const char *fd_struct_field_name(fd_value obj, size_t i);
bool fd_struct_field_is_instance(fd_value obj, size_t i);
bool fd_struct_field_is_param(fd_value obj, size_t i);
/* A seq field that was not reached because an earlier one failed. */
bool fd_struct_field_reached(fd_value obj, size_t i);
fd_value fd_struct_field(fd_value obj, size_t i);
fd_value fd_struct_get(fd_value obj, const char *name);   /* FD_NULL when no such field */
const char *fd_struct_type_name(fd_value obj);
/* The type's `to-string` expression evaluated on obj: a string, FD_NULL when
 * the type has none, or an FD_ERROR. */
fd_value fd_struct_to_string(fd_value obj);
/* The error that stopped this object's own seq (not a child's), if any. */
bool fd_struct_error(fd_value obj, fd_error *err);
/* Absolute offset in the input of the object's first byte (-1 if not in the file);
 * fd_struct_span gives its extent. */
int64_t fd_struct_offset(fd_value obj);
/* Documentation of a field, NULL if none. */
const char *fd_struct_field_doc(fd_value obj, size_t i);
/* Display hint for an integer field: true when its name suggests an address/offset/size. */
bool fd_struct_field_hex(fd_value obj, size_t i);

/* Spans. */
/* Where a node's bytes are: [start, end) of the stream it was read from.  io_data and io_size
 * are that stream's bytes (the file, a slice of it, or processed bytes held by the document);
 * io_origin is the absolute file offset of io_data[0], or -1 when the stream holds processed
 * bytes (after `process:`); the file range is then [io_origin + start, io_origin + end). */
typedef struct fd_span {
    const uint8_t *io_data;
    uint64_t io_size;
    int64_t io_origin;
    uint64_t start, end;
} fd_span;
/* false when there are no bytes to show: params, value instances, seq fields not reached,
 * fields whose `if` was false, instances not evaluated yet (spans never force evaluation). */
bool fd_struct_span(fd_value obj, fd_span *out);
bool fd_struct_field_span(fd_value obj, size_t i, fd_span *out);
bool fd_array_elem_span(fd_value arr, size_t i, fd_span *out);
/* The deepest node covering absolute file offset `offset`: its value, its span and its node
 * path (e.g. "/streams/1/data/modules/0/module_name", same syntax as error paths) into path.
 * FD_NULL when no node covers the byte.  With instances false only the parsed tree is searched
 * (lazy instances stay lazy); with true, parse instances (pos/io ones) are evaluated too.
 * Value instances are never followed (they alias other nodes). */
fd_value fd_doc_node_at(fd_doc *doc, uint64_t offset, bool instances, char *path, size_t pathcap, fd_span *span);

/* Coverage (engine/coverage.c): the bytes of the input that no leaf claims.
 * A leaf is a value read from the input (integer, float, boolean, enum,
 * string, byte array); a struct parsed from `process`ed bytes counts as one
 * leaf over its raw bytes.  The walk has the writers' guards (nesting depth,
 * fd_node_budget, loops cut) and keeps the claimed ranges sorted and merged,
 * so its memory grows with the number of disjoint ranges, not with the input. */
typedef struct fd_range {
    uint64_t start, end;       /* [start, end): absolute offsets in the input */
} fd_range;

typedef struct fd_coverage {
    uint64_t size;             /* the input's size */
    uint64_t covered;          /* bytes claimed by at least one leaf */
    const fd_range *gaps;      /* the unclaimed ranges in order; they live until fd_doc_close */
    size_t ngaps;
    bool complete;             /* false when a guard cut the walk: some gaps may be claimed
                                  by nodes it did not reach */
    uint64_t errors;           /* failed nodes met (their unread bytes are gaps), counted as the
                                  writers count `_error`s */
    fd_error first;            /* the first of them (kind FD_ERR_NONE when errors == 0) */
} fd_coverage;

/* Parse (if not yet), walk the tree (evaluating instances when instances is
 * true) and fill *out.  false with a MemoryError in err when out of memory. */
bool fd_doc_coverage(fd_doc *doc, bool instances, fd_coverage *out, fd_error *err);

/* Expressions: parse and evaluate EXPR with ctx as `this` (normally the root). */
fd_value fd_eval(fd_doc *doc, fd_value ctx, const char *expr, fd_error *err);
/* Only check EXPR's syntax: false (and a DescriptionError in err) when it does not parse. */
bool fd_expr_check(const char *expr, fd_error *err);

/* fd_eval compiles, evaluates and frees: the document keeps only the value.
 * Evaluation draws on the document's work budget (fd_open_opts.max_work):
 * one unit per node evaluated, one per array item a method walks, one per
 * 64 bytes scanned, decoded or decompressed; once spent, LimitError.  The
 * allowance is per call: the units one evaluation spends are given back when
 * it returns, so many queries on one document do not add up.
 *
 * Compile once, evaluate many times.  A compiled expression is read-only and
 * may be used by many threads (each on its own document).  Names are resolved
 * against the root type; a ctx of another type looks its members up when
 * evaluated.  NULL and a DescriptionError on a syntax error, or on a member
 * name or enum literal the root type does not know. */
typedef struct fd_compiled fd_compiled;
fd_compiled *fd_expr_compile(const fd_spec *spec, const char *expr, fd_error *err);
/* Evaluate on a document of the same spec, with the budget above.  A string
 * or byte-array literal in the result points into the compiled expression:
 * valid until fd_expr_free. */
fd_value fd_expr_eval(fd_doc *doc, const fd_compiled *e, fd_value ctx, fd_error *err);
void fd_expr_free(fd_compiled *e);

/* Writers (engine/emit_*.c).  The tree under v is walked with the accessors
 * above; instances are evaluated, each failure isolated into an `_error`. */
typedef enum fd_out_format { FD_OUT_TEXT = 0, FD_OUT_JSON, FD_OUT_YAML, FD_OUT_HTML } fd_out_format;

/* Where a writer's bytes go: n bytes at buf (n > 0); return 0, or non-zero
 * to refuse them (the run then writes nothing more and returns -1). */
typedef int (*fd_sink_fn)(void *user, const char *buf, size_t n);

/* What a writer run saw, filled when fd_emit_opts.stats is set. */
typedef struct fd_emit_stats {
    uint64_t errors;       /* `_error`s written: error values, structs' own errors (one that
                              repeats its failing child's is counted once), LimitError markers */
    uint64_t bytes;        /* bytes handed to the sink */
    bool truncated;        /* the output budget or the node budget cut the tree */
    fd_error first;        /* the first error counted (kind FD_ERR_NONE when errors == 0) */
} fd_emit_stats;

/* Default output budget: FD_EMIT_BASE_OUTPUT + FD_EMIT_OUTPUT_PER_BYTE x input size. */
#define FD_EMIT_BASE_OUTPUT (16u << 20)
#define FD_EMIT_OUTPUT_PER_BYTE 64u
/* Default window of file bytes an HTML page embeds for its hex view. */
#define FD_EMIT_HTML_WINDOW (1u << 20)

typedef struct fd_emit_opts {
    size_t size;           /* sizeof(fd_emit_opts), or 0: see "Options structs" */
    fd_out_format format;
    uint64_t max_bytes;    /* text: byte arrays shown up to this many bytes (0 = 32) */
    bool compact;          /* json: no indentation */
    bool spans;            /* json: `_span` and `_spans` keys (see emit_json.c); html always has them */
    uint64_t max_output;   /* output budget in bytes; 0 = the default above.  The tree is cut
                              before the output would pass it: a LimitError `_error` takes the
                              place of the value that did not fit, open levels are closed (the
                              output stays valid JSON/YAML/HTML) and stats.truncated is set */
    uint64_t html_window;  /* html: file bytes embedded for the hex view, from offset 0;
                              0 = FD_EMIT_HTML_WINDOW */
    fd_emit_stats *stats;  /* filled when not NULL */
} fd_emit_opts;

/* How many structs and arrays a walk of the tree under v may visit: derived
 * from the input size, so that value instances sharing subtrees (a DAG whose
 * expansion is exponential) cannot turn a small file into a huge output. */
uint64_t fd_node_budget(fd_value v);

/* Write the tree under v to sink; returns 0, or -1 when the sink refused bytes
 * or memory ran out.  A cut tree (budget) is not a failure: see stats. */
int fd_emit_sink(fd_sink_fn sink, void *user, fd_value v, const fd_emit_opts *opts);
/* The same to a FILE *, flushed at the end.  When out has a descriptor
 * (fileno), chunks of 32 KiB and more go to it directly after a flush of
 * out, rather than through its buffer. */
int fd_emit(FILE *out, fd_value v, const fd_emit_opts *opts);
/* JSON form of one value (the -e envelope uses it). */
int fd_emit_json_value(FILE *out, fd_value v, bool compact);
/* JSON object {"kind","message","offset","path","file","line","col"} for an error. */
int fd_emit_json_error(FILE *out, const fd_error *err);
/* A JSON string literal for s[0..n): escaped, invalid UTF-8 as U+FFFD. */
int fd_emit_json_text(FILE *out, const char *s, size_t n);

#if defined(__GNUC__) && __GNUC__ >= 4
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif
