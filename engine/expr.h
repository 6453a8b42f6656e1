/* expr.h - Kaitai expression language: the opcode table, the AST and the parser. */
#ifndef FD_EXPR_H
#define FD_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "intern.h"

/*
 * The instruction set is this one table: an opcode per line with the symbol
 * messages print for it, its binding strength (0 for atoms and postfix forms;
 * higher binds tighter, as the parser climbs it) and its meaning.  Operands
 * are the node's a, b, c children or its args list.
 */
#define FD_EXPR_OPS(X) \
    X(INT,      "integer",   0, "integer literal: ival (uflag when above INT64_MAX)") \
    X(FLOAT,    "float",     0, "float literal: fval") \
    X(STR,      "string",    0, "string literal: sval/slen, already unescaped, UTF-8") \
    X(BOOL,     "bool",      0, "boolean literal: ival 0/1") \
    X(LIST,     "[]",        0, "array literal [args...]; a byte array (sval/slen) when every item is an int 0..255") \
    X(NAME,     "name",      0, "member of `this` (seq, instance or param): name") \
    X(ROOT,     "_root",     0, "_root") \
    X(PARENT,   "_parent",   0, "_parent") \
    X(IO,       "_io",       0, "_io") \
    X(INDEX_V,  "_index",    0, "_index: current repeat index") \
    X(CUR,      "_",         0, "_ : element just parsed (repeat-until) or value checked (valid expr)") \
    X(ON,       "_on",       0, "_on: the switch value") \
    X(SIZEOF_V, "_sizeof",   0, "_sizeof of `this`") \
    X(ENUMLIT,  "::",        0, "enum literal path::enum::label: path[npath] components, label = name") \
    X(ATTR,     ".",         0, "a.name: member, or builtin method without args (builtin id)") \
    X(CALL,     ".()",       0, "a.name(args...): builtin method with args") \
    X(SUBSCR,   "[]",        0, "a[b]") \
    X(CAST,     ".as<>",     0, "a.as<tname>: type path in path[npath]") \
    X(SIZEOF,   "sizeof<>",  0, "sizeof<tname>") \
    X(BITSIZEOF,"bitsizeof<>", 0, "bitsizeof<tname>") \
    X(NEG,      "-",        12, "-a") \
    X(POS,      "+",        12, "+a") \
    X(BNOT,     "~",        12, "~a") \
    X(NOT,      "not",       4, "not a") \
    X(ADD,      "+",        10, "a + b: ints, floats, string or array concatenation") \
    X(SUB,      "-",        10, "a - b") \
    X(MUL,      "*",        11, "a * b") \
    X(DIV,      "/",        11, "a / b: floor division on ints") \
    X(MOD,      "%",        11, "a % b: floor modulo on ints") \
    X(SHL,      "<<",        9, "a << b") \
    X(SHR,      ">>",        9, "a >> b") \
    X(BAND,     "&",         8, "a & b") \
    X(BOR,      "|",         6, "a | b") \
    X(BXOR,     "^",         7, "a ^ b") \
    X(EQ,       "==",        5, "a == b") \
    X(NE,       "!=",        5, "a != b") \
    X(LT,       "<",         5, "a < b") \
    X(LE,       "<=",        5, "a <= b") \
    X(GT,       ">",         5, "a > b") \
    X(GE,       ">=",        5, "a >= b") \
    X(AND,      "and",       3, "a and b (short-circuit)") \
    X(OR,       "or",        2, "a or b (short-circuit)") \
    X(COND,     "?:",        1, "a ? b : c") \
    X(FSTR,     "f\"\"",     0, "f-string: args are the pieces, STR literals and expressions")

typedef enum fd_op {
#define FD_OP_ENUM_(name, sym, prec, doc) FD_OP_##name,
    FD_EXPR_OPS(FD_OP_ENUM_)
#undef FD_OP_ENUM_
    FD_OP_COUNT_
} fd_op;

/* Opcode names for the debug dump ("ADD"), symbols for messages ("+"), binding strengths. */
extern const char *const fd_op_names[FD_OP_COUNT_];
extern const char *const fd_op_symbols[FD_OP_COUNT_];
extern const uint8_t fd_op_prec[FD_OP_COUNT_];

/* Builtin member/method names, recognised by the parser so evaluation never
 * compares strings.  A name that is also a real member resolves as the member. */
#define FD_BUILTINS(X) \
    X(SIZE, "size") X(LENGTH, "length") X(FIRST, "first") X(LAST, "last") \
    X(MIN, "min") X(MAX, "max") X(REVERSE, "reverse") X(SUBSTRING, "substring") \
    X(TO_I, "to_i") X(TO_S, "to_s") X(TO_B, "to_b") X(INDEX_OF, "index_of") \
    X(POS, "pos") X(EOF, "eof") X(IO, "_io") X(PARENT, "_parent") X(ROOT, "_root") \
    X(SIZEOF, "_sizeof") X(IS_LE, "_is_le")

typedef enum fd_builtin {
    FD_BI_NONE = 0,
#define FD_BI_ENUM_(name, str) FD_BI_##name,
    FD_BUILTINS(FD_BI_ENUM_)
#undef FD_BI_ENUM_
    FD_BI_COUNT_
} fd_builtin;

/*
 * A node.  The parser builds it and fd_expr_bind completes it once, before
 * the expression is shared; from then on nothing writes to it (children are
 * reached through const pointers and the evaluator only sees const nodes),
 * so one description serves any number of threads.
 */
typedef struct fd_expr fd_expr;
struct fd_expr {
    uint8_t op;            /* fd_op */
    uint8_t builtin;       /* fd_builtin for ATTR/CALL, else 0 */
    uint8_t uflag;         /* INT literal is unsigned (> INT64_MAX) */
    uint8_t bytes_list;    /* LIST whose items are all int literals 0..255 */
    uint8_t cond_float;    /* COND: bit 0 when b, bit 1 when c is statically a float, as ksc
                              types it (bound), so `c ? int : float` is a float either way */
    uint8_t chain;         /* binary op heading a left-associative chain: args lists its
                              nodes bottom-up, so evaluation iterates instead of recursing */
    uint32_t pos;          /* byte offset of this node in the source text */
    const fd_expr *a, *b, *c;
    fd_expr **args;        /* LIST items, CALL arguments, FSTR pieces, chain nodes */
    uint32_t nargs;
    uint32_t npath;
    const char *name;      /* interned: NAME, ATTR/CALL member, ENUMLIT label */
    const char *const *path;   /* interned components: ENUMLIT path, CAST/SIZEOF type path */
    bool abs_path;         /* path started with `::` */
    union { int64_t ival; uint64_t uval; double fval; } lit;
    const char *sval;      /* STR bytes (arena, NUL-terminated); bytes of a bytes_list LIST (bound) */
    size_t slen;
    /* Filled at bind time (NULL / -1 when unresolved or dynamic): */
    const void *rtype;     /* CAST/SIZEOF/BITSIZEOF: const struct fd_type* */
    const void *renum;     /* ENUMLIT: const struct fd_enum* */
    uint64_t renum_val;    /* ENUMLIT: value of the label */
    const void *stype_obj; /* NAME/ATTR: the type the object is expected to have (`this`, or
                              the member type the description fixes), NULL if unknown */
    int32_t sslot;         /* NAME/ATTR: slot of name in stype_obj */
    uint32_t site;         /* ATTR without a static type: 1-based index of this member access
                              in the document's lookup cache; 0 = look the member up each time */
};

typedef struct fd_expr_err {
    uint32_t pos;          /* byte offset in the text */
    char msg[160];
} fd_expr_err;

/* Parse text[0..n) into an AST allocated in `a`; names interned in `in`.
 * Returns NULL and fills err on a syntax error.  Never reads outside text. */
fd_expr *fd_expr_parse(fd_arena *a, fd_names *in, const char *text, size_t n, fd_expr_err *err);
/* The same, but a name already in `base` is taken from it and any other is
 * interned in `in`: base is only read (a shared description's table). */
fd_expr *fd_expr_parse_in(fd_arena *a, const fd_names *base, fd_names *in, const char *text, size_t n,
                          fd_expr_err *err);

struct fd_spec;
struct fd_type;
struct fd_enum;

/* What fd_expr_bind needs besides the expression (engine/eval.c implements
 * it next to the evaluator it prepares for). */
typedef struct fd_bind {
    fd_arena *arena;               /* literal byte arrays are built here */
    const struct fd_spec *spec;
    uint32_t *nsites;              /* numbers member accesses for the document cache; NULL = none */
    /* Value of an enum label; NULL = fd_enum_value.  The loader passes a hash lookup. */
    bool (*label)(void *ctx, const struct fd_enum *e, const char *label, uint64_t *value);
    void *label_ctx;
    size_t named;                  /* enum literals and type paths seen so far (a load-time guard) */
} fd_bind;

/* Complete a parsed expression that runs with `scope` as `this`: resolve type
 * paths, enum literals and member slots, build literal byte arrays, infer
 * static kinds and number member accesses.  Runs once, before the expression
 * is shared.  Returns -1 when the arena is out of memory. */
int fd_expr_bind(fd_bind *b, const struct fd_type *scope, fd_expr *e);

/* Parse a type reference `name`, `a::b`, `name(args)` as used by `type:`: path, args. */
int fd_expr_parse_typeref(fd_arena *a, fd_names *in, const char *text, size_t n,
                          const char ***path, uint32_t *npath, bool *abs_path,
                          fd_expr ***args, uint32_t *nargs, fd_expr_err *err);
/* Debug form of an AST, for tests: e.g. "(ADD 1 (MUL 2 3))". */
size_t fd_expr_dump(const fd_expr *e, char *buf, size_t cap);

#endif
