/* ksy_keys.h - every .ksy key the loader accepts: where it may appear, what value it takes, what it means. */
#ifndef FD_KSY_KEYS_H
#define FD_KSY_KEYS_H

/* Places: the kinds of YAML maps whose keys are checked against the table.
 * Keys starting with `-` (Kaitai's extension namespace: -orig-id,
 * -webide-representation, -affected-by...) are accepted in every place. */
enum {
    FD_KP_TOP    = 1u << 0,   /* the top-level type spec */
    FD_KP_TYPE   = 1u << 1,   /* a nested type spec: types/NAME */
    FD_KP_META   = 1u << 2,   /* meta of the top level or of a nested type */
    FD_KP_SEQ    = 1u << 3,   /* an item of seq */
    FD_KP_INST   = 1u << 4,   /* a parse instance: instances/NAME without value */
    FD_KP_VINST  = 1u << 5,   /* a value instance: instances/NAME with value */
    FD_KP_PARAM  = 1u << 6,   /* an item of params */
    FD_KP_ENUMV  = 1u << 7,   /* a verbose enum item: enums/E/VALUE as a map */
    FD_KP_SWITCH = 1u << 8,   /* type: as a map */
    FD_KP_VALID  = 1u << 9,   /* valid: as a map */
    FD_KP_ENDSW  = 1u << 10,  /* meta/endian as a map */
    FD_KP_COUNT  = 11
};
/* Sets of places the table uses. */
#define FD_KP_TYPES    (FD_KP_TOP | FD_KP_TYPE)
#define FD_KP_ATTR     (FD_KP_SEQ | FD_KP_INST)
#define FD_KP_COND     (FD_KP_ATTR | FD_KP_VINST)
#define FD_KP_ENUMREF  (FD_KP_COND | FD_KP_PARAM)
#define FD_KP_LABELLED (FD_KP_PARAM | FD_KP_ENUMV)
#define FD_KP_NAMED    (FD_KP_SEQ | FD_KP_LABELLED)
#define FD_KP_DOCS     (FD_KP_TYPES | FD_KP_ENUMREF | FD_KP_ENUMV)
#define FD_KP_SWITCHES (FD_KP_SWITCH | FD_KP_ENDSW)

/* Value kinds.  A null value (`key:` or `~`) passes every kind: the builder
 * treats it as absent.  Kinds naming a place are maps checked in turn. */
#define FD_KSY_KINDS(X)                                                          \
    X(STR,       "a string")                                                     \
    X(IDENT,     "an identifier")                                                \
    X(BOOL,      "true or false")                                                \
    X(INT,       "an integer")                                                   \
    X(EXPR,      "an expression")                                                \
    X(STRS,      "a string or a list of strings")                                \
    X(LIST,      "a list of plain values")                                       \
    X(META,      "a map of meta keys")                                           \
    X(SEQ,       "a list of attributes")                                         \
    X(PARAMS,    "a list of parameters")                                         \
    X(TYPES,     "a map of type names to type specs")                            \
    X(INSTANCES, "a map of instance names to instance specs")                    \
    X(ENUMS,     "a map of enum names to enums")                                 \
    X(TYPEREF,   "a type name or a switch {switch-on, cases}")                   \
    X(ENDIAN,    "le, be or a switch {switch-on, cases}")                        \
    X(VALID,     "an expression or a map of eq/min/max/any-of/in-enum/expr")     \
    X(TCASES,    "a map of case values to types")                                \
    X(ECASES,    "a map of case values to le or be")                             \
    X(XREF,      "a map of catalogue names to ids")

/* Type classes of an attribute, for keys that only make sense with some
 * types (ksc's rule: `size` on a u4 or `encoding` on bytes is an error). */
enum {
    FD_KT_BYTES = 1u << 0,    /* no type, a user type or a switch */
    FD_KT_STR   = 1u << 1,    /* str, strz */
    FD_KT_INT   = 1u << 2,    /* u1..s8, bN */
    FD_KT_FLOAT = 1u << 3,    /* f4, f8 */
    FD_KT_SIZED = FD_KT_BYTES | FD_KT_STR,
    FD_KT_ANY   = FD_KT_SIZED | FD_KT_INT | FD_KT_FLOAT
};

/* X(name, places, required_in, kind, on, meaning): `on` is the type classes
 * (FD_KT_ without the prefix) an attribute key goes with; ANY elsewhere.
 * A name has several lines when its kind depends on the place. */
#define FD_KSY_KEYS(X)                                                                                              \
    /* type specs */                                                                                                \
    X("meta",                  FD_KP_TYPES,    FD_KP_TOP,      META,      ANY,   "defaults and compiler switches")  \
    X("doc",                   FD_KP_DOCS,     0,              STR,       ANY,   "documentation text")              \
    X("doc-ref",               FD_KP_DOCS,     0,              STRS,      ANY,   "documentation references")        \
    X("params",                FD_KP_TYPES,    0,              PARAMS,    ANY,   "parameters of the type")          \
    X("seq",                   FD_KP_TYPES,    0,              SEQ,       ANY,   "attributes read in order")        \
    X("instances",             FD_KP_TYPES,    0,              INSTANCES, ANY,   "lazy attributes by name")         \
    X("types",                 FD_KP_TYPES,    0,              TYPES,     ANY,   "nested types by name")            \
    X("enums",                 FD_KP_TYPES,    0,              ENUMS,     ANY,   "enums by name")                   \
    X("to-string",             FD_KP_TYPES,    0,              EXPR,      ANY,   "display string of an object")     \
    /* meta */                                                                                                      \
    X("id",                    FD_KP_META,     0,              IDENT,     ANY,   "module name of the file")         \
    X("title",                 FD_KP_META,     0,              STR,       ANY,   "human name of the format")        \
    X("application",           FD_KP_META,     0,              STRS,      ANY,   "programs using the format")       \
    X("file-extension",        FD_KP_META,     0,              STRS,      ANY,   "usual file extensions")           \
    X("xref",                  FD_KP_META,     0,              XREF,      ANY,   "ids in format catalogues")        \
    X("license",               FD_KP_META,     0,              STR,       ANY,   "SPDX licence of the .ksy")        \
    X("tags",                  FD_KP_META,     0,              LIST,      ANY,   "subject tags")                    \
    X("ks-version",            FD_KP_META,     0,              STR,       ANY,   "compiler version needed")         \
    X("ks-debug",              FD_KP_META,     0,              BOOL,      ANY,   "compiler switch: debug mode")     \
    X("ks-opaque-types",       FD_KP_META,     0,              BOOL,      ANY,   "unknown types are NAME.ksy")      \
    X("ks-zero-copy-substream",FD_KP_META,     0,              BOOL,      ANY,   "compiler switch: no copies")      \
    X("imports",               FD_KP_META,     0,              LIST,      ANY,   "other .ksy files to load")        \
    X("endian",                FD_KP_META,     0,              ENDIAN,    ANY,   "byte order of u2..f8")            \
    X("bit-endian",            FD_KP_META,     0,              STR,       ANY,   "bit order of bN: le or be")       \
    X("encoding",              FD_KP_META,     0,              STR,       ANY,   "encoding of str, strz")           \
    /* attributes, params, enum items */                                                                            \
    X("id",                    FD_KP_NAMED,    FD_KP_LABELLED, IDENT,     ANY,   "attribute, param or label name")  \
    X("id",                    FD_KP_INST,     0,              IDENT,     ANY,   "ignored, as by ksc")              \
    X("type",                  FD_KP_ATTR,     0,              TYPEREF,   ANY,   "primitive, user type, switch")    \
    X("type",                  FD_KP_PARAM,    0,              STR,       ANY,   "type of the param's value")       \
    X("size",                  FD_KP_ATTR,     0,              EXPR,      SIZED, "byte count (a substream)")        \
    X("size-eos",              FD_KP_ATTR,     0,              BOOL,      SIZED, "size: to the end of stream")      \
    X("terminator",            FD_KP_ATTR,     0,              INT,       ANY,   "byte ending the value")           \
    X("include",               FD_KP_ATTR,     0,              BOOL,      ANY,   "keep the terminator")             \
    X("consume",               FD_KP_ATTR,     0,              BOOL,      ANY,   "step past the terminator")        \
    X("eos-error",             FD_KP_ATTR,     0,              BOOL,      ANY,   "no terminator is an error")       \
    X("pad-right",             FD_KP_ATTR,     0,              INT,       SIZED, "padding byte stripped")           \
    X("encoding",              FD_KP_ATTR,     0,              STR,       STR,   "encoding of the string")          \
    X("contents",              FD_KP_ATTR,     0,              STRS,      BYTES, "fixed bytes (magic)")             \
    X("enum",                  FD_KP_ENUMREF,  0,              STR,       INT,   "enum of an integer value")        \
    X("process",               FD_KP_ATTR,     0,              STR,       BYTES, "zlib, xor(k), rol(n)...")         \
    X("repeat",                FD_KP_ATTR,     0,              STR,       ANY,   "expr, eos or until")              \
    X("repeat-expr",           FD_KP_ATTR,     0,              EXPR,      ANY,   "count of repeat: expr")           \
    X("repeat-until",          FD_KP_ATTR,     0,              EXPR,      ANY,   "last element of repeat: until")   \
    X("if",                    FD_KP_COND,     0,              EXPR,      ANY,   "present only when true")          \
    X("valid",                 FD_KP_ATTR,     0,              VALID,     ANY,   "constraint on the value")         \
    X("parent",                FD_KP_ATTR,     0,              EXPR,      BYTES, "_parent of the object, or false") \
    X("pos",                   FD_KP_INST,     0,              EXPR,      ANY,   "absolute offset to read at")      \
    X("io",                    FD_KP_INST,     0,              EXPR,      ANY,   "stream to read from")             \
    X("value",                 FD_KP_VINST,    0,              EXPR,      ANY,   "computed value")                  \
    /* switches */                                                                                                  \
    X("switch-on",             FD_KP_SWITCHES, FD_KP_SWITCHES, EXPR,      ANY,   "value matched to the cases")      \
    X("cases",                 FD_KP_SWITCH,   FD_KP_SWITCH,   TCASES,    ANY,   "type per value, _ = else")        \
    X("cases",                 FD_KP_ENDSW,    FD_KP_ENDSW,    ECASES,    ANY,   "le or be per value, _ = else")    \
    /* valid */                                                                                                     \
    X("eq",                    FD_KP_VALID,    0,              EXPR,      ANY,   "value must equal")                \
    X("min",                   FD_KP_VALID,    0,              EXPR,      ANY,   "value must be at least")          \
    X("max",                   FD_KP_VALID,    0,              EXPR,      ANY,   "value must be at most")           \
    X("any-of",                FD_KP_VALID,    0,              LIST,      ANY,   "value must be one of")            \
    X("in-enum",               FD_KP_VALID,    0,              BOOL,      ANY,   "value must have a label")         \
    X("expr",                  FD_KP_VALID,    0,              EXPR,      ANY,   "condition on _, the value")

#endif
