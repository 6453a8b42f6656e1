/* spec.h - the compiled form of a .ksy description: types, attributes, enums, expressions. */
#ifndef FD_SPEC_H
#define FD_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include "arena.h"
#include "intern.h"
#include "expr.h"
#include "process.h"

/* Where a rule came from in the description, for FILE:LINE:COL messages. */
typedef struct fd_srcloc {
    const char *file;      /* interned path of the .ksy */
    uint32_t line, col;    /* 1-based; 0 when unknown */
} fd_srcloc;

typedef struct fd_type fd_type;
typedef struct fd_enum fd_enum;
typedef struct fd_module fd_module;

/* Primitive kinds of a type reference. */
typedef enum fd_prim {
    FD_P_BYTES = 0,   /* no type: raw bytes (size / size-eos / terminator / contents) */
    FD_P_UINT,        /* uN: width 1,2,4,8 */
    FD_P_SINT,        /* sN */
    FD_P_FLOAT,       /* fN: width 4,8 */
    FD_P_BITS,        /* bN: width = N bits (1..64) */
    FD_P_BOOL,        /* b1 without enum */
    FD_P_STR,         /* str */
    FD_P_STRZ,        /* strz: str with terminator NUL of the encoding's unit */
    FD_P_USER,        /* user type */
    FD_P_SWITCH,      /* switch-on */
    /* param-only types */
    FD_P_ANY,         /* any / struct / io / user[] ... : no check */
} fd_prim;

typedef enum fd_endian { FD_END_INHERIT = 0, FD_END_LE, FD_END_BE } fd_endian;

typedef struct fd_switch fd_switch;

typedef struct fd_typeref {
    uint8_t prim;          /* fd_prim */
    uint8_t width;         /* bytes for ints/floats, bits for BITS/BOOL */
    uint8_t endian;        /* fd_endian: explicit suffix, or INHERIT (type's endianness) */
    uint8_t bit_le;        /* BITS: 1 = little-endian bit order (resolved at load time) */
    bool is_array;         /* params only: `type: u1[]` */
    int encoding;          /* STR/STRZ: codec id (resolved; meta default applied) */
    const char *enc_name;  /* STR/STRZ: encoding as written, for UnknownEncodingError at run time */
    fd_type *user;         /* USER: resolved target */
    fd_expr **args;        /* USER: type arguments */
    uint32_t nargs;
    fd_switch *sw;         /* SWITCH */
    const char *text;      /* as written, for messages */
    bool opaque;           /* USER from ks-opaque-types resolved as NAME.ksy */
} fd_typeref;

struct fd_switch {
    fd_expr *on;
    uint32_t ncases;
    fd_expr **keys;        /* case expressions; NULL for `_` */
    fd_typeref *types;     /* types[i] for keys[i] */
    int default_case;      /* index of `_`, -1 if none */
};

typedef enum fd_repeat { FD_REP_NONE = 0, FD_REP_EXPR, FD_REP_EOS, FD_REP_UNTIL } fd_repeat;

typedef enum fd_valid_kind {
    FD_VALID_NONE = 0, FD_VALID_EQ, FD_VALID_RANGE, FD_VALID_ANY_OF, FD_VALID_IN_ENUM, FD_VALID_EXPR
} fd_valid_kind;

typedef struct fd_valid {
    uint8_t kind;          /* fd_valid_kind */
    fd_expr *eq;           /* EQ */
    fd_expr *min, *max;    /* RANGE: either may be NULL */
    fd_expr **any_of;      /* ANY_OF */
    uint32_t nany;
    fd_expr *expr;         /* EXPR, `_` is the value */
    fd_srcloc loc;
} fd_valid;

/* A seq attribute, a parse instance or a value instance. */
typedef struct fd_attr {
    const char *id;        /* interned; `_unnamedN` for anonymous seq items */
    fd_srcloc loc;
    const char *doc;
    fd_typeref type;
    fd_expr *size;         /* NULL when absent */
    bool size_eos;
    int terminator;        /* -1 when absent (strz sets it via the type) */
    bool include, consume, eos_error;
    int pad_right;         /* -1 when absent */
    const uint8_t *contents;   /* fixed bytes, NULL when absent */
    uint32_t ncontents;
    fd_enum *enm;          /* `enum:` resolved */
    fd_proc_kind proc;     /* process */
    const char *proc_name;
    fd_proc_ref proc_ref;  /* FD_PROC_CUSTOM: the routine registered when the spec was loaded */
    fd_expr **proc_args;
    uint32_t nproc_args;
    uint8_t repeat;        /* fd_repeat */
    fd_expr *repeat_expr;  /* EXPR count or UNTIL condition */
    fd_expr *if_expr;
    fd_valid valid;
    fd_expr *parent;       /* `parent:` override; see parent_none */
    bool parent_none;      /* `parent: false` */
    /* instances only */
    bool is_instance;
    fd_expr *pos, *io, *value;   /* value != NULL: a value instance */
    bool hex_hint;         /* name suggests an address/offset/size: print in hex */
} fd_attr;

typedef struct fd_param {
    const char *id;        /* interned */
    fd_typeref type;       /* prim FD_P_ANY when untyped/struct/io */
    fd_enum *enm;
    fd_srcloc loc;
    const char *doc;
} fd_param;

typedef struct fd_enum_item {
    uint64_t value;        /* two's complement for negative keys */
    bool neg;              /* key was negative */
    const char *label;     /* interned */
    const char *doc;
} fd_enum_item;

struct fd_enum {
    const char *name;      /* interned short name */
    const char *qname;     /* qualified, e.g. windows_minidump::stream_types */
    fd_type *owner;
    fd_enum_item *items;   /* sorted by value for binary search */
    uint32_t nitems;
};

/* Calculated endianness: `meta: endian: {switch-on, cases}`. */
typedef struct fd_endian_switch {
    fd_expr *on;
    uint32_t ncases;
    fd_expr **keys;        /* NULL for `_` */
    uint8_t *endians;      /* FD_END_LE / FD_END_BE */
    fd_srcloc loc;
} fd_endian_switch;

/*
 * A type.  Its members form one slot space: params first, then seq
 * attributes, then instances; an object stores one value per slot, so a
 * member reference resolves to a slot index once and is cached.
 */
struct fd_type {
    const char *name;      /* interned short name; the module id for a top-level type */
    const char *qname;     /* e.g. windows_minidump::thread_list */
    fd_srcloc loc;
    const char *doc;
    fd_type *outer;        /* enclosing type, NULL at top level */
    fd_module *module;     /* the .ksy it belongs to */
    fd_param *params;  uint32_t nparams;
    fd_attr *seq;      uint32_t nseq;
    fd_attr *inst;     uint32_t ninst;
    fd_type **types;   uint32_t ntypes;     /* nested types */
    fd_enum **enums;   uint32_t nenums;
    uint8_t endian;        /* FD_END_LE/BE when fixed here or inherited; INHERIT = from the instantiating parent */
    fd_endian_switch *endian_sw;   /* calculated endianness, NULL when fixed */
    uint8_t bit_le;        /* default bit-endian for bN (1 = le) */
    int encoding;          /* default codec id, -1 when none */
    fd_expr *to_string;
    const char **slot_names;   /* nparams + nseq + ninst interned names, in slot order */
    uint32_t nslots;
    int64_t fixed_size;    /* byte size if statically known (sizeof<T>), -1 otherwise */
};

/* One loaded .ksy file. */
struct fd_module {
    const char *path;      /* interned path as opened */
    const char *id;        /* meta/id */
    fd_type *root;         /* the top-level type */
    fd_module **imports;   uint32_t nimports;
    bool opaque_types;     /* ks-opaque-types */
    fd_module *next;       /* all modules of a spec, in load order */
};

/* One sequence of fixed bytes the root type can start with, for detection. */
typedef struct fd_magic {
    const uint8_t *bytes;
    uint32_t len;
} fd_magic;

/* The whole description: the main module plus everything it imports. */
struct fd_spec {
    fd_arena arena;
    fd_names names;
    fd_module *main;
    fd_module *modules;    /* list of every module */
    char **import_dirs;    /* copied search path */
    size_t nimport_dirs;
    fd_magic *magics;      /* alternative leading bytes of the root type, for detection */
    uint32_t nmagics;
    uint32_t nsites;       /* member accesses numbered by fd_expr_bind (a document caches their lookups) */
};

/* Lookups used by the interpreter and evaluator. */
/* Slot index of interned name in t, or -1. */
int fd_type_slot(const fd_type *t, const char *name);
/* The attribute for a slot (NULL for param slots). */
const fd_attr *fd_type_slot_attr(const fd_type *t, uint32_t slot);
/* Name resolution shared by the loader and the evaluator (for -e expressions):
 * a path `a::b::c` is looked up from scope outward, then among module ids. */
fd_type *fd_spec_find_type(const fd_spec *spec, const fd_type *scope,
                           const char *const *path, uint32_t npath, bool abs_path);
fd_enum *fd_spec_find_enum(const fd_spec *spec, const fd_type *scope,
                           const char *const *path, uint32_t npath, bool abs_path);
/* Label for a value, or NULL. */
const char *fd_enum_label(const fd_enum *e, uint64_t value);
/* Value of a label; false when absent. */
bool fd_enum_value(const fd_enum *e, const char *label, uint64_t *value);

#endif
