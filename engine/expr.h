/* expr.h - Kaitai expression language: the opcode table, the AST and the parser. */
#ifndef FD_EXPR_H
#define FD_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "intern.h"

/*
 * The instruction set is this one table: an opcode per line with its meaning.
 * Operands are the node's a, b, c children or its args list.
 */
#define FD_EXPR_OPS(X) \
    X(INT,      "integer literal: ival (uflag when above INT64_MAX)") \
    X(FLOAT,    "float literal: fval") \
    X(STR,      "string literal: sval/slen, already unescaped, UTF-8") \
    X(BOOL,     "boolean literal: ival 0/1") \
    X(LIST,     "array literal [args...]; a byte array when every item is an int literal 0..255") \
    X(NAME,     "member of `this` (seq, instance or param): name") \
    X(ROOT,     "_root") \
    X(PARENT,   "_parent") \
    X(IO,       "_io") \
    X(INDEX_V,  "_index: current repeat index") \
    X(CUR,      "_ : element just parsed (repeat-until) or value checked (valid expr)") \
    X(ON,       "_on: the switch value") \
    X(SIZEOF_V, "_sizeof of `this`") \
    X(ENUMLIT,  "enum literal path::enum::label: path[npath] components, label = name") \
    X(ATTR,     "a.name: member, or builtin method without args (builtin id)") \
    X(CALL,     "a.name(args...): builtin method with args") \
    X(SUBSCR,   "a[b]") \
    X(CAST,     "a.as<tname>: type path in path[npath]") \
    X(SIZEOF,   "sizeof<tname>") \
    X(BITSIZEOF,"bitsizeof<tname>") \
    X(NEG,      "-a") \
    X(POS,      "+a") \
    X(BNOT,     "~a") \
    X(NOT,      "not a") \
    X(ADD,      "a + b: ints, floats, string or array concatenation") \
    X(SUB,      "a - b") \
    X(MUL,      "a * b") \
    X(DIV,      "a / b: floor division on ints") \
    X(MOD,      "a % b: floor modulo on ints") \
    X(SHL,      "a << b") \
    X(SHR,      "a >> b") \
    X(BAND,     "a & b") \
    X(BOR,      "a | b") \
    X(BXOR,     "a ^ b") \
    X(EQ,       "a == b") \
    X(NE,       "a != b") \
    X(LT,       "a < b") \
    X(LE,       "a <= b") \
    X(GT,       "a > b") \
    X(GE,       "a >= b") \
    X(AND,      "a and b (short-circuit)") \
    X(OR,       "a or b (short-circuit)") \
    X(COND,     "a ? b : c") \
    X(FSTR,     "f-string: args are the pieces, STR literals and expressions")

typedef enum fd_op {
#define FD_OP_ENUM_(name, doc) FD_OP_##name,
    FD_EXPR_OPS(FD_OP_ENUM_)
#undef FD_OP_ENUM_
    FD_OP_COUNT_
} fd_op;

extern const char *const fd_op_names[FD_OP_COUNT_];

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

typedef struct fd_expr fd_expr;
struct fd_expr {
    uint8_t op;            /* fd_op */
    uint8_t builtin;       /* fd_builtin for ATTR/CALL, else 0 */
    uint8_t uflag;         /* INT literal is unsigned (> INT64_MAX) */
    uint8_t bytes_list;    /* LIST whose items are all int literals 0..255 */
    uint32_t pos;          /* byte offset of this node in the source text */
    fd_expr *a, *b, *c;
    fd_expr **args;        /* LIST items, CALL arguments, FSTR pieces */
    uint32_t nargs;
    uint32_t npath;
    const char *name;      /* interned: NAME, ATTR/CALL member, ENUMLIT label */
    const char **path;     /* interned components: ENUMLIT path, CAST/SIZEOF type path */
    bool abs_path;         /* path started with `::` */
    union { int64_t ival; uint64_t uval; double fval; } lit;
    const char *sval;      /* STR bytes (arena, NUL-terminated) */
    size_t slen;
    /* Filled by the loader's resolution pass (NULL when unresolved/dynamic): */
    const void *rtype;     /* CAST/SIZEOF/BITSIZEOF: const struct fd_type* or primitive typeref */
    const void *renum;     /* ENUMLIT: const struct fd_enum* */
    uint64_t renum_val;    /* ENUMLIT: value of the label */
    /* Inline cache for member lookup at run time (type -> slot). */
    const void *cache_type;
    int32_t cache_slot;
};

typedef struct fd_expr_err {
    uint32_t pos;          /* byte offset in the text */
    char msg[160];
} fd_expr_err;

/* Parse text[0..n) into an AST allocated in `a`; names interned in `in`.
 * Returns NULL and fills err on a syntax error.  Never reads outside text. */
fd_expr *fd_expr_parse(fd_arena *a, fd_names *in, const char *text, size_t n, fd_expr_err *err);
/* Parse a type reference `name`, `a::b`, `name(args)` as used by `type:`: path, args. */
int fd_expr_parse_typeref(fd_arena *a, fd_names *in, const char *text, size_t n,
                          const char ***path, uint32_t *npath, bool *abs_path,
                          fd_expr ***args, uint32_t *nargs, fd_expr_err *err);
/* Debug form of an AST, for tests: e.g. "(ADD 1 (MUL 2 3))". */
size_t fd_expr_dump(const fd_expr *e, char *buf, size_t cap);

#endif
