/* eval.c - evaluates expression ASTs with Kaitai's semantics against a parsed object. */
#include "interp.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

typedef __int128 i128;

/* ev() recurses once per AST level; helpers kept out of line keep its frame
 * small, so deep expressions fit the document's stack allowance. */
#define NOINLINE __attribute__((noinline))

typedef struct fd_ev {
    fd_doc *doc;
    const fd_ctx *ctx;
} fd_ev;

static fd_value ev(const fd_ev *E, const fd_expr *e);

static fd_value ev_err(const fd_ev *E, fd_errkind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static fd_value ev_err(const fd_ev *E, fd_errkind kind, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fd_v_err(fd_interp_error(E->doc, kind, NULL, -1, E->ctx->self, NULL, -1, NULL, "%s", msg));
}

static const char *kind_name(fd_value v)
{
    static const char *const names[] = { "null", "bool", "int", "float", "str", "bytes", "enum",
                                         "array", "struct", "stream", "type", "error" };
    return v.kind < sizeof names / sizeof *names ? names[v.kind] : "?";
}

static fd_value type_err(const fd_ev *E, const char *what, fd_value a)
{
    if (a.kind == FD_NULL)
        return ev_err(E, FD_ERR_NULL, "%s of a null value", what);
    return ev_err(E, FD_ERR_TYPE, "%s is not defined for %s", what, kind_name(a));
}

/* An operator applied to the wrong kind: the message names its symbol. */
static fd_value op_err(const fd_ev *E, int op, fd_value a)
{
    assert(op >= 0 && op < FD_OP_COUNT_);
    char what[24];
    snprintf(what, sizeof what, "`%s`", fd_op_symbols[op]);
    return type_err(E, what, a);
}

/* ---- work budget --------------------------------------------------------- */

/* Evaluation is charged to the document's work budget: one unit per node,
 * one per array element a method walks, one per FD_WORK_BYTES_PER_UNIT
 * bytes it scans, decodes or copies.  Deterministic, like the rest of it. */
static fd_value budget_err(const fd_ev *E)
{
    return ev_err(E, FD_ERR_LIMIT, "evaluation exceeds the work budget (%llu units for a %llu-byte input)",
                  (unsigned long long)E->doc->work_limit, (unsigned long long)E->doc->size);
}

static bool spend_bytes(const fd_ev *E, uint64_t n)
{
    return fd_work_spend(E->doc, n / FD_WORK_BYTES_PER_UNIT + 1);
}

/* ---- integers ------------------------------------------------------------ */

static bool is_int(fd_value v) { return v.kind == FD_INT || v.kind == FD_ENUM; }
static bool is_num(fd_value v) { return v.kind == FD_INT || v.kind == FD_FLOAT; }

static i128 as_i128(fd_value v)
{
    return (v.flags & FD_VF_UNSIGNED) ? (i128)v.v.u : (i128)v.v.i;
}

static double as_double(fd_value v)
{
    if (v.kind == FD_FLOAT)
        return v.v.f;
    return (v.flags & FD_VF_UNSIGNED) ? (double)v.v.u : (double)v.v.i;
}

/* Integers are exact 64-bit values, signed or unsigned: a result outside
 * [INT64_MIN, UINT64_MAX] is an OverflowError rather than a silent wrap. */
static fd_value from_i128(const fd_ev *E, i128 r)
{
    if (r >= (i128)INT64_MIN && r <= (i128)INT64_MAX)
        return fd_v_int((int64_t)r);
    if (r > 0 && r <= (i128)UINT64_MAX)
        return fd_v_uint((uint64_t)r);
    return ev_err(E, FD_ERR_OVERFLOW, "integer result does not fit in 64 bits");
}

/* Bit patterns of the operands: bitwise results keep 64 bits. */
static fd_value from_bits(uint64_t r, bool any_unsigned)
{
    if (any_unsigned && (r >> 63))
        return fd_v_uint(r);
    return fd_v_int((int64_t)r);
}

/* ---- values -------------------------------------------------------------- */

bool fd_value_truthy(fd_value v, bool *ok)
{
    *ok = true;
    switch (v.kind) {
    case FD_BOOL:
        return v.v.i != 0;
    default:
        /* Kaitai is typed: conditions must be booleans. */
        *ok = false;
        return false;
    }
}

static int cmp_mem(const uint8_t *a, uint64_t an, const uint8_t *b, uint64_t bn)
{
    uint64_t n = an < bn ? an : bn;
    int c = n ? memcmp(a, b, (size_t)n) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return an < bn ? -1 : an > bn ? 1 : 0;
}

/* Bytes against an array of small ints (a list literal that was not folded to bytes). */
static int cmp_bytes_arr(const uint8_t *p, uint64_t n, fd_arr *arr, bool *ok)
{
    for (uint64_t i = 0; i < n && i < arr->n; i++) {
        fd_value x = fd_arr_at(arr, i);
        if (!is_int(x)) {
            *ok = false;
            return -2;
        }
        i128 y = as_i128(x);
        if (p[i] != y)
            return p[i] < y ? -1 : 1;
    }
    return n < arr->n ? -1 : n > arr->n ? 1 : 0;
}

int fd_value_cmp(fd_value a, fd_value b)
{
    if (is_int(a) && is_int(b)) {
        i128 x = as_i128(a), y = as_i128(b);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if ((is_num(a) || a.kind == FD_ENUM) && (is_num(b) || b.kind == FD_ENUM)) {
        double x = as_double(a), y = as_double(b);
        if (x != x || y != y)
            return -2;
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (a.kind == FD_BOOL && b.kind == FD_BOOL)
        return (a.v.i != 0) - (b.v.i != 0);
    if (a.kind == FD_STR && b.kind == FD_STR)
        return cmp_mem(a.v.p, a.x.len, b.v.p, b.x.len);
    if (a.kind == FD_BYTES && b.kind == FD_BYTES)
        return cmp_mem(a.v.p, a.x.len, b.v.p, b.x.len);
    bool ok = true;
    if (a.kind == FD_BYTES && b.kind == FD_ARRAY) {
        int c = cmp_bytes_arr(a.v.p, a.x.len, fd_v_as_arr(b), &ok);
        return ok ? c : -2;
    }
    if (a.kind == FD_ARRAY && b.kind == FD_BYTES) {
        int c = cmp_bytes_arr(b.v.p, b.x.len, fd_v_as_arr(a), &ok);
        return ok ? -c : -2;
    }
    if (a.kind == FD_ARRAY && b.kind == FD_ARRAY) {
        fd_arr *x = fd_v_as_arr(a), *y = fd_v_as_arr(b);
        for (uint64_t i = 0; i < x->n && i < y->n; i++) {
            int c = fd_value_cmp(fd_arr_at(x, i), fd_arr_at(y, i));
            if (c)
                return c;
        }
        return x->n < y->n ? -1 : x->n > y->n ? 1 : 0;
    }
    return -2;
}

bool fd_value_eq(fd_value a, fd_value b, bool *ok)
{
    *ok = true;
    if (a.kind == FD_NULL || b.kind == FD_NULL)
        return a.kind == b.kind;
    if (a.kind == FD_STRUCT && b.kind == FD_STRUCT)
        return a.v.p == b.v.p;
    if (a.kind == FD_FLOAT || b.kind == FD_FLOAT) {
        if (!(is_num(a) || a.kind == FD_ENUM) || !(is_num(b) || b.kind == FD_ENUM)) {
            *ok = false;
            return false;
        }
        return as_double(a) == as_double(b);
    }
    int c = fd_value_cmp(a, b);
    if (c == -2) {
        *ok = false;
        return false;
    }
    return c == 0;
}

/* ---- member lookup --------------------------------------------------------- */

/* One member access's last lookup, kept by the document (never by the
 * shared description): type seen, slot found there. */
struct fd_member_cache {
    const fd_type *type;
    int32_t slot;
};

static int member_slot(const fd_ev *E, const fd_expr *e, const fd_type *t)
{
    if (e->stype_obj == t)
        return e->sslot;
    fd_doc *doc = E->doc;
    uint32_t nsites = doc->spec->nsites;
    if (e->site && e->site <= nsites) {
        if (!doc->members) {
            doc->members = fd_arena_zalloc(&doc->arena, (size_t)nsites * sizeof *doc->members);
            doc->kept++;
        }
        if (doc->members) {
            struct fd_member_cache *mc = &doc->members[e->site - 1];
            if (mc->type != t) {
                mc->type = t;
                mc->slot = fd_type_slot(t, e->name);
            }
            return mc->slot;
        }
    }
    return fd_type_slot(t, e->name);
}

static fd_value obj_member(const fd_ev *E, fd_obj *o, const fd_expr *e, bool *found)
{
    int s = member_slot(E, e, o->type);
    assert(s < 0 || (uint32_t)s < o->type->nslots);
    *found = s >= 0;
    if (s < 0)
        return fd_v_null();
    return fd_obj_slot(o, (uint32_t)s, NULL);
}

static fd_value obj_sizeof(fd_obj *o)
{
    if (o->sized)
        return fd_v_int((int64_t)o->io->size);
    uint64_t end = o->end >= o->start ? o->end : o->io->pos;
    if (end < o->start)
        end = o->start;
    return fd_v_int((int64_t)(end - o->start));
}

/* ---- strings and bytes -------------------------------------------------------- */

static fd_value mk_str(const fd_ev *E, const char *p, size_t n)
{
    char *q = fd_arena_strndup(E->doc->cur, p, n);
    if (!q)
        return ev_err(E, FD_ERR_NOMEM, "out of memory");
    return fd_v_str(q, n);
}

static fd_value int_to_s(const fd_ev *E, fd_value v, int64_t radix)
{
    if (radix < 2 || radix > 36)
        return ev_err(E, FD_ERR_TYPE, "to_s radix %lld out of range", (long long)radix);
    char buf[80];
    size_t k = sizeof buf;
    buf[--k] = 0;
    bool neg = fd_v_neg(v);
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v.v.i : v.v.u;
    do {
        unsigned d = (unsigned)(u % (uint64_t)radix);
        buf[--k] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        u /= (uint64_t)radix;
    } while (u);
    if (neg)
        buf[--k] = '-';
    return mk_str(E, buf + k, sizeof buf - 1 - k);
}

static fd_value str_to_i(const fd_ev *E, fd_value s, int64_t radix)
{
    const char *p = s.v.p;
    uint64_t n = s.x.len, i = 0;
    if (radix < 2 || radix > 36)
        return ev_err(E, FD_ERR_CONVERSION, "to_i radix %lld out of range", (long long)radix);
    bool neg = false;
    if (i < n && (p[i] == '-' || p[i] == '+'))
        neg = p[i++] == '-';
    if (i >= n)
        return ev_err(E, FD_ERR_CONVERSION, "cannot convert \"%.*s\" to an integer", (int)(n < 40 ? n : 40), p);
    i128 acc = 0;
    for (; i < n; i++) {
        int c = (unsigned char)p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'z')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'Z')
            d = c - 'A' + 10;
        else
            d = 99;
        if (d >= radix)
            return ev_err(E, FD_ERR_CONVERSION, "cannot convert \"%.*s\" to an integer", (int)(n < 40 ? n : 40), p);
        acc = acc * radix + d;
        if (acc > (i128)UINT64_MAX)
            return ev_err(E, FD_ERR_CONVERSION, "integer \"%.*s\" does not fit in 64 bits", (int)(n < 40 ? n : 40), p);
    }
    if (neg && acc > -(i128)INT64_MIN)
        return ev_err(E, FD_ERR_CONVERSION, "integer \"%.*s\" does not fit in 64 bits", (int)(n < 40 ? n : 40), p);
    return from_i128(E, neg ? -acc : acc);
}

static fd_value str_reverse(const fd_ev *E, fd_value s)
{
    const char *p = s.v.p;
    size_t n = (size_t)s.x.len;
    if (spend_bytes(E, n))
        return budget_err(E);
    char *q = fd_arena_alloc(E->doc->cur, n + 1);
    if (!q)
        return ev_err(E, FD_ERR_NOMEM, "out of memory");
    /* Reverse code points, not bytes: copy each UTF-8 sequence whole. */
    size_t i = 0;
    while (i < n) {
        size_t len = 1;
        while (i + len < n && ((unsigned char)p[i + len] & 0xC0) == 0x80)
            len++;
        memcpy(q + n - i - len, p + i, len);
        i += len;
    }
    q[n] = 0;
    return fd_v_str(q, n);
}

static fd_value str_substring(const fd_ev *E, fd_value s, int64_t from, int64_t to)
{
    if (spend_bytes(E, s.x.len))
        return budget_err(E);
    size_t cps = fd_utf8_length(s.v.p, (size_t)s.x.len);
    if (from < 0)
        from = 0;
    if (to > (int64_t)cps)
        to = (int64_t)cps;
    if (to < from)
        to = from;
    size_t a = fd_utf8_offset(s.v.p, (size_t)s.x.len, (size_t)from);
    size_t b = fd_utf8_offset(s.v.p, (size_t)s.x.len, (size_t)to);
    return fd_v_str((const char *)s.v.p + a, b - a);
}

static fd_value concat(const fd_ev *E, const void *a, size_t an, const void *b, size_t bn, bool str)
{
    if (spend_bytes(E, (uint64_t)an + bn))
        return budget_err(E);
    uint8_t *q = fd_arena_alloc(E->doc->cur, an + bn + 1);
    if (!q)
        return ev_err(E, FD_ERR_NOMEM, "out of memory");
    if (an)
        memcpy(q, a, an);
    if (bn)
        memcpy(q + an, b, bn);
    q[an + bn] = 0;
    return str ? fd_v_str((const char *)q, an + bn) : fd_v_bytes(q, an + bn);
}

/* Text form of a value for f-strings. */
static fd_value to_text(const fd_ev *E, fd_value v)
{
    if (v.kind == FD_STR)
        return v;
    if (v.kind == FD_INT || v.kind == FD_ENUM)
        return int_to_s(E, v, 10);
    if (v.kind == FD_BOOL)
        return fd_v_str(v.v.i ? "true" : "false", v.v.i ? 4 : 5);
    if (v.kind == FD_FLOAT) {
        /* The shortest text that reads back as the same double, as Python's
         * repr (the reference runtime) writes it: 0.1, 1.0, -0.0. */
        char buf[40];
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, v.v.f);
            if (strtod(buf, NULL) == v.v.f)
                break;
        }
        if (isfinite(v.v.f) && !strpbrk(buf, ".e"))
            strcat(buf, ".0");
        return mk_str(E, buf, strlen(buf));
    }
    return type_err(E, "string interpolation", v);
}

/* ---- collections ------------------------------------------------------------- */

static uint64_t coll_len(fd_value v)
{
    return v.kind == FD_ARRAY ? fd_v_as_arr(v)->n : v.x.len;
}

static fd_value coll_item(fd_value v, uint64_t i)
{
    if (v.kind == FD_ARRAY)
        return fd_arr_at(fd_v_as_arr(v), i);
    return fd_v_uint(((const uint8_t *)v.v.p)[i]);
}

static fd_value coll_minmax(const fd_ev *E, fd_value v, bool want_max)
{
    uint64_t n = coll_len(v);
    if (n == 0)
        return ev_err(E, FD_ERR_INDEX, "%s of an empty %s", want_max ? "max" : "min", kind_name(v));
    /* Arrays cost one unit per item, byte arrays one per FD_WORK_BYTES_PER_UNIT. */
    if (v.kind == FD_ARRAY ? fd_work_spend(E->doc, n) : spend_bytes(E, n))
        return budget_err(E);
    fd_value best = coll_item(v, 0);
    for (uint64_t i = 1; i < n && !fd_v_is_err(best); i++) {
        fd_value x = coll_item(v, i);
        if (fd_v_is_err(x))
            return x;
        int c = fd_value_cmp(x, best);
        if (c == -2)
            return ev_err(E, FD_ERR_TYPE, "cannot compare array items");
        if (want_max ? c > 0 : c < 0)
            best = x;
    }
    return best;
}

/* ---- builtins ----------------------------------------------------------------- */

static NOINLINE fd_value builtin_attr(const fd_ev *E, const fd_expr *e, fd_value a)
{
    switch (e->builtin) {
    case FD_BI_SIZE:
    case FD_BI_LENGTH:
        if (a.kind == FD_ARRAY || a.kind == FD_BYTES)
            return fd_v_int((int64_t)coll_len(a));
        if (a.kind == FD_STR && e->builtin == FD_BI_LENGTH && spend_bytes(E, a.x.len))
            return budget_err(E);
        if (a.kind == FD_STR)
            return fd_v_int((int64_t)(e->builtin == FD_BI_LENGTH ? fd_utf8_length(a.v.p, (size_t)a.x.len) : a.x.len));
        if (a.kind == FD_STREAM && e->builtin == FD_BI_SIZE)
            return fd_v_int((int64_t)((const fd_stream *)a.v.p)->size);
        break;
    case FD_BI_FIRST:
    case FD_BI_LAST:
        if (a.kind == FD_ARRAY || a.kind == FD_BYTES) {
            uint64_t n = coll_len(a);
            if (!n)
                return ev_err(E, FD_ERR_INDEX, "%s of an empty %s", e->name, kind_name(a));
            return coll_item(a, e->builtin == FD_BI_FIRST ? 0 : n - 1);
        }
        break;
    case FD_BI_MIN:
    case FD_BI_MAX:
        if (a.kind == FD_ARRAY || a.kind == FD_BYTES)
            return coll_minmax(E, a, e->builtin == FD_BI_MAX);
        break;
    case FD_BI_REVERSE:
        if (a.kind == FD_STR)
            return str_reverse(E, a);
        break;
    case FD_BI_TO_I:
        if (a.kind == FD_INT)
            return a;
        if (a.kind == FD_ENUM) {
            a.kind = FD_INT;
            a.x.aux = NULL;
            return a;
        }
        if (a.kind == FD_BOOL)
            return fd_v_int(a.v.i != 0);
        if (a.kind == FD_FLOAT) {
            double t = trunc(a.v.f);
            if (!(t >= -9223372036854775808.0 && t < 18446744073709551616.0))
                return ev_err(E, FD_ERR_OVERFLOW, "float %g does not fit in an integer", a.v.f);
            return t < 0 ? fd_v_int((int64_t)t) : from_i128(E, (i128)t);
        }
        if (a.kind == FD_STR)
            return str_to_i(E, a, 10);
        break;
    case FD_BI_TO_S:
        if (a.kind == FD_INT)
            return int_to_s(E, a, 10);
        break;
    case FD_BI_POS:
        if (a.kind == FD_STREAM)
            return fd_v_int((int64_t)((const fd_stream *)a.v.p)->pos);
        break;
    case FD_BI_EOF:
        if (a.kind == FD_STREAM)
            return fd_v_bool(fd_stream_eof((const fd_stream *)a.v.p));
        break;
    case FD_BI_IO:
        if (a.kind == FD_STRUCT)
            return fd_v_stream(fd_v_as_obj(a)->io);
        break;
    case FD_BI_PARENT:
        if (a.kind == FD_STRUCT)
            return fd_v_as_obj(a)->parent ? fd_v_obj(fd_v_as_obj(a)->parent) : fd_v_null();
        break;
    case FD_BI_ROOT:
        if (a.kind == FD_STRUCT)
            return fd_v_as_obj(a)->root ? fd_v_obj(fd_v_as_obj(a)->root) : fd_v_null();
        break;
    case FD_BI_SIZEOF:
        if (a.kind == FD_STRUCT)
            return obj_sizeof(fd_v_as_obj(a));
        break;
    case FD_BI_IS_LE:
        if (a.kind == FD_STRUCT)
            return fd_v_bool(fd_v_as_obj(a)->is_le);
        break;
    default:
        break;
    }
    if (a.kind == FD_NULL)
        return ev_err(E, FD_ERR_NULL, "cannot get .%s of a null value", e->name);
    return ev_err(E, FD_ERR_NAME, "no member or method .%s on %s", e->name, kind_name(a));
}

static fd_value arg_int(const fd_ev *E, const fd_expr *e, uint32_t i, int64_t *out)
{
    if (i >= e->nargs)
        return ev_err(E, FD_ERR_TYPE, ".%s: missing argument %u", e->name, i + 1);
    fd_value v = ev(E, e->args[i]);
    if (fd_v_is_err(v))
        return v;
    if (!is_int(v))
        return ev_err(E, FD_ERR_TYPE, ".%s: argument %u must be an integer", e->name, i + 1);
    *out = v.v.i;
    return fd_v_null();
}

/* Codec of an encoding name held in a string value (which need not end in
 * NUL when it is a substring view); -1 when unknown. */
static int codec_of(fd_value name)
{
    char buf[64];
    if (name.x.len >= sizeof buf)
        return -1;
    memcpy(buf, name.v.p, (size_t)name.x.len);
    buf[name.x.len] = 0;
    return fd_codec_lookup(buf);
}

static NOINLINE fd_value builtin_call(const fd_ev *E, const fd_expr *e, fd_value a)
{
    int64_t x = 0, y = 0;
    fd_value r;
    switch (e->builtin) {
    case FD_BI_TO_I:
        if (a.kind == FD_STR) {
            if (fd_v_is_err(r = arg_int(E, e, 0, &x)))
                return r;
            return str_to_i(E, a, x);
        }
        break;
    case FD_BI_TO_S:
        if (a.kind == FD_INT) {
            if (fd_v_is_err(r = arg_int(E, e, 0, &x)))
                return r;
            return int_to_s(E, a, x);
        }
        if (a.kind == FD_BYTES) {
            if (e->nargs < 1)
                return ev_err(E, FD_ERR_TYPE, ".to_s needs an encoding");
            fd_value enc = ev(E, e->args[0]);
            if (fd_v_is_err(enc))
                return enc;
            if (enc.kind != FD_STR)
                return ev_err(E, FD_ERR_TYPE, ".to_s: the encoding must be a string");
            int id = codec_of(enc);
            if (id < 0)
                return ev_err(E, FD_ERR_ENCODING, "unknown encoding: %.*s", (int)enc.x.len, (const char *)enc.v.p);
            const char *txt;
            size_t tn;
            if (spend_bytes(E, a.x.len))
                return budget_err(E);
            if (fd_codec_decode(E->doc->cur, id, a.v.p, (size_t)a.x.len, &txt, &tn) != FD_COK)
                return ev_err(E, FD_ERR_ENCODING, "cannot decode %s text", fd_codec_name(id));
            return fd_v_str(txt, tn);
        }
        break;
    case FD_BI_TO_B:
        if (a.kind == FD_STR && e->nargs >= 1) {
            fd_value enc = ev(E, e->args[0]);
            if (fd_v_is_err(enc))
                return enc;
            int id = enc.kind == FD_STR ? codec_of(enc) : -1;
            if (id < 0)
                return ev_err(E, FD_ERR_ENCODING, "unknown encoding");
            const uint8_t *out;
            size_t on;
            if (spend_bytes(E, a.x.len))
                return budget_err(E);
            if (fd_codec_encode(E->doc->cur, id, a.v.p, (size_t)a.x.len, &out, &on) != FD_COK)
                return ev_err(E, FD_ERR_ENCODING, "cannot encode text as %s", fd_codec_name(id));
            return fd_v_bytes(out, on);
        }
        break;
    case FD_BI_SUBSTRING:
        if (a.kind == FD_STR) {
            if (fd_v_is_err(r = arg_int(E, e, 0, &x)) || fd_v_is_err(r = arg_int(E, e, 1, &y)))
                return r;
            return str_substring(E, a, x, y);
        }
        break;
    case FD_BI_INDEX_OF:
        if (a.kind == FD_BYTES) {
            if (fd_v_is_err(r = arg_int(E, e, 0, &x)))
                return r;
            if (spend_bytes(E, a.x.len))
                return budget_err(E);
            const uint8_t *p = a.v.p;
            for (uint64_t i = 0; i < a.x.len; i++)
                if (p[i] == x)
                    return fd_v_int((int64_t)i);
            return fd_v_int(-1);
        }
        break;
    default:
        break;
    }
    if (a.kind == FD_NULL)
        return ev_err(E, FD_ERR_NULL, "cannot call .%s on a null value", e->name);
    return ev_err(E, FD_ERR_NAME, "no method .%s(...) on %s", e->name, kind_name(a));
}

/* `field._sizeof` of a non-struct field: its byte size, known from its
 * type as ksc computes it at compile time. */
static NOINLINE fd_value field_sizeof(const fd_ev *E, const fd_expr *fe, fd_value v)
{
    if (v.kind == FD_BYTES)
        return fd_v_int((int64_t)v.x.len);
    fd_obj *owner = NULL;
    if (fe->op == FD_OP_NAME) {
        owner = E->ctx->self;
    } else if (fe->op == FD_OP_ATTR) {
        fd_value o = ev(E, fe->a);
        if (fd_v_is_err(o))
            return o;
        owner = o.kind == FD_STRUCT ? fd_v_as_obj(o) : NULL;
    }
    if (owner) {
        int slot = fd_type_slot(owner->type, fe->name);
        const fd_attr *at = slot >= 0 ? fd_type_slot_attr(owner->type, (uint32_t)slot) : NULL;
        if (at && at->contents)
            return fd_v_int(at->ncontents);
        if (at && at->size && at->repeat == FD_REP_NONE) {
            fd_ctx c = { .self = owner, .index = -1 };
            return fd_eval_expr(E->doc, &c, at->size);
        }
        if (at && (at->type.prim == FD_P_UINT || at->type.prim == FD_P_SINT || at->type.prim == FD_P_FLOAT))
            return fd_v_int(at->type.width);
        if (at && (at->type.prim == FD_P_BITS || at->type.prim == FD_P_BOOL))
            return fd_v_int((at->type.width + 7) / 8);
    }
    return ev_err(E, FD_ERR_TYPE, "_sizeof is not known for this %s", kind_name(v));
}

/* ---- types: casts and sizeof ----------------------------------------------------- */

/* Bound at load time; an expression that was not bound looks it up (and
 * keeps nothing: the node is shared). */
static const fd_type *find_type(const fd_ev *E, const fd_expr *e)
{
    if (e->rtype)
        return e->rtype;
    const fd_type *scope = E->ctx->self ? E->ctx->self->type : E->doc->spec->main->root;
    return fd_spec_find_type(E->doc->spec, scope, e->path, e->npath, e->abs_path);
}

/* Bit width of a primitive type name (u4 -> 32, b3 -> 3), 0 if not one. */
static int prim_bits(const char *name)
{
    if (!name)
        return 0;
    char c = name[0];
    const char *p = name + 1;
    if (c == 'b') {
        int n = 0;
        while (*p >= '0' && *p <= '9' && n <= 64) /* past 64 it is no width: stop before overflow */
            n = n * 10 + (*p++ - '0');
        return (n > 0 && n <= 64 && (*p == 0 || !strcmp(p, "le") || !strcmp(p, "be"))) ? n : 0;
    }
    if (c != 'u' && c != 's' && c != 'f')
        return 0;
    int w = *p - '0';
    if (!((c == 'f' && (w == 4 || w == 8)) || (c != 'f' && (w == 1 || w == 2 || w == 4 || w == 8))))
        return 0;
    p++;
    if (*p && strcmp(p, "le") && strcmp(p, "be"))
        return 0;
    return w * 8;
}

static NOINLINE fd_value ev_sizeof(const fd_ev *E, const fd_expr *e, bool bits)
{
    if (e->npath == 1) {
        int b = prim_bits(e->path[0]);
        if (b)
            return fd_v_int(bits ? b : (b + 7) / 8);
    }
    const fd_type *t = find_type(E, e);
    if (!t)
        return ev_err(E, FD_ERR_NAME, "unknown type in sizeof");
    if (t->fixed_size < 0)
        return ev_err(E, FD_ERR_TYPE, "type %s has no fixed size", t->name);
    return fd_v_int(bits ? t->fixed_size * 8 : t->fixed_size);
}

static NOINLINE fd_value ev_cast(const fd_ev *E, const fd_expr *e, fd_value a)
{
    if (e->npath == 1 && !strcmp(e->path[0], "bytes") && a.kind == FD_ARRAY) {
        /* An array of small ints becomes a byte array. */
        fd_arr *arr = fd_v_as_arr(a);
        uint8_t *p = fd_arena_alloc(E->doc->cur, (size_t)arr->n + 1);
        if (!p)
            return ev_err(E, FD_ERR_NOMEM, "out of memory");
        for (uint64_t i = 0; i < arr->n; i++) {
            fd_value x = fd_arr_at(arr, i);
            if (!is_int(x) || fd_v_neg(x) || x.v.u > 255)
                return ev_err(E, FD_ERR_CAST, "array item %llu is not a byte", (unsigned long long)i);
            p[i] = (uint8_t)x.v.u;
        }
        return fd_v_bytes(p, arr->n);
    }
    if (e->npath == 1) {
        const char *n = e->path[0];
        if (!strcmp(n, "bytes") || !strcmp(n, "str") || prim_bits(n) || !strcmp(n, "bool") ||
            !strcmp(n, "struct") || !strcmp(n, "any"))
            return a;
    }
    if (a.kind == FD_NULL)
        return a;
    if (a.kind != FD_STRUCT)
        return ev_err(E, FD_ERR_CAST, "cannot cast %s to a user type", kind_name(a));
    const fd_type *t = find_type(E, e);
    if (!t)
        return ev_err(E, FD_ERR_NAME, "unknown type in .as<>");
    if (fd_v_as_obj(a)->type != t)
        return ev_err(E, FD_ERR_CAST, "cannot cast %s to %s", fd_v_as_obj(a)->type->name, t->name);
    return a;
}

/* ---- operators --------------------------------------------------------------------- */

static NOINLINE fd_value arith(const fd_ev *E, const fd_expr *e, fd_value a, fd_value b)
{
    int op = e->op;
    if (op == FD_OP_ADD) {
        if (a.kind == FD_STR && b.kind == FD_STR)
            return concat(E, a.v.p, (size_t)a.x.len, b.v.p, (size_t)b.x.len, true);
        if (a.kind == FD_BYTES && b.kind == FD_BYTES)
            return concat(E, a.v.p, (size_t)a.x.len, b.v.p, (size_t)b.x.len, false);
        if (a.kind == FD_ARRAY && b.kind == FD_ARRAY) {
            fd_arr *x = fd_v_as_arr(a), *y = fd_v_as_arr(b);
            if (fd_work_spend(E->doc, x->n + y->n))
                return budget_err(E);
            fd_arr *z = fd_arena_zalloc(E->doc->cur, sizeof *z);
            fd_value *items = fd_arena_alloc(E->doc->cur, (size_t)(x->n + y->n + 1) * sizeof *items);
            if (!z || !items)
                return ev_err(E, FD_ERR_NOMEM, "out of memory");
            for (uint64_t i = 0; i < x->n + y->n; i++) {
                items[i] = i < x->n ? fd_arr_at(x, i) : fd_arr_at(y, i - x->n);
                if (fd_v_is_err(items[i]))
                    return items[i];
            }
            z->n = x->n + y->n;
            z->items = items;
            return fd_v_array(z);
        }
    }
    if (a.kind == FD_FLOAT || b.kind == FD_FLOAT) {
        if (!is_num(a) && a.kind != FD_ENUM)
            return op_err(E, op, a);
        if (!is_num(b) && b.kind != FD_ENUM)
            return op_err(E, op, b);
        double x = as_double(a), y = as_double(b);
        switch (op) {
        case FD_OP_ADD: return fd_v_float(x + y);
        case FD_OP_SUB: return fd_v_float(x - y);
        case FD_OP_MUL: return fd_v_float(x * y);
        case FD_OP_DIV:
            if (y == 0)
                return ev_err(E, FD_ERR_DIV_ZERO, "float division by zero");
            return fd_v_float(x / y);
        case FD_OP_MOD:
            if (y == 0)
                return ev_err(E, FD_ERR_DIV_ZERO, "float modulo by zero");
            {
                double r = fmod(x, y);
                if (r != 0 && ((r < 0) != (y < 0)))
                    r += y;
                return fd_v_float(r);
            }
        default:
            return op_err(E, op, a);
        }
    }
    if (!is_int(a))
        return op_err(E, op, a);
    if (!is_int(b))
        return op_err(E, op, b);
    i128 x = as_i128(a), y = as_i128(b);
    bool anyu = ((a.flags | b.flags) & FD_VF_UNSIGNED) != 0;
    switch (op) {
    case FD_OP_ADD: return from_i128(E, x + y);
    case FD_OP_SUB: return from_i128(E, x - y);
    case FD_OP_MUL: {
        i128 r;
        if (__builtin_mul_overflow(x, y, &r))
            return ev_err(E, FD_ERR_OVERFLOW, "integer result does not fit in 64 bits");
        return from_i128(E, r);
    }
    case FD_OP_DIV: {
        if (y == 0)
            return ev_err(E, FD_ERR_DIV_ZERO, "integer division by zero");
        i128 q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0)))
            q -= 1; /* Kaitai's `/` rounds toward negative infinity */
        return from_i128(E, q);
    }
    case FD_OP_MOD: {
        if (y == 0)
            return ev_err(E, FD_ERR_DIV_ZERO, "integer modulo by zero");
        i128 r = x % y;
        if (r != 0 && ((r < 0) != (y < 0)))
            r += y;
        return from_i128(E, r);
    }
    case FD_OP_SHL:
    case FD_OP_SHR: {
        if (y < 0)
            return ev_err(E, FD_ERR_OVERFLOW, "negative shift count");
        if (op == FD_OP_SHR) {
            if (y >= 64)
                return fd_v_int(x < 0 ? -1 : 0);
            return from_i128(E, x >> (int)y);
        }
        if (y >= 64)
            return x == 0 ? fd_v_int(0) : ev_err(E, FD_ERR_OVERFLOW, "shift left by %lld overflows", (long long)y);
        /* x < 2^64 and y < 64, so x * 2^y fits in 128 bits; results beyond
         * 64 bits wrap as in compiled Kaitai parsers. */
        i128 r = x * ((i128)1 << (int)y);
        if (r >= (i128)INT64_MIN && r <= (i128)INT64_MAX)
            return fd_v_int((int64_t)r);
        if (r > 0 && r <= (i128)UINT64_MAX)
            return fd_v_uint((uint64_t)r);
        return from_bits((uint64_t)r, anyu);
    }
    case FD_OP_BAND: return from_bits((uint64_t)x & (uint64_t)y, anyu);
    case FD_OP_BOR: return from_bits((uint64_t)x | (uint64_t)y, anyu);
    case FD_OP_BXOR: return from_bits((uint64_t)x ^ (uint64_t)y, anyu);
    default:
        return op_err(E, op, a);
    }
}

static NOINLINE fd_value compare(const fd_ev *E, const fd_expr *e, fd_value a, fd_value b)
{
    bool ok;
    if (e->op == FD_OP_EQ || e->op == FD_OP_NE) {
        bool eq = fd_value_eq(a, b, &ok);
        if (!ok)
            return ev_err(E, FD_ERR_TYPE, "cannot compare %s with %s", kind_name(a), kind_name(b));
        return fd_v_bool(e->op == FD_OP_EQ ? eq : !eq);
    }
    if ((a.kind == FD_FLOAT && isnan(a.v.f)) || (b.kind == FD_FLOAT && isnan(b.v.f))) {
        if ((is_num(a) || a.kind == FD_ENUM) && (is_num(b) || b.kind == FD_ENUM))
            return fd_v_bool(false); /* IEEE 754: NaN is unordered */
    }
    int c = fd_value_cmp(a, b);
    if (c == -2)
        return ev_err(E, FD_ERR_TYPE, "cannot order %s and %s", kind_name(a), kind_name(b));
    switch (e->op) {
    case FD_OP_LT: return fd_v_bool(c < 0);
    case FD_OP_LE: return fd_v_bool(c <= 0);
    case FD_OP_GT: return fd_v_bool(c > 0);
    default: return fd_v_bool(c >= 0);
    }
}

/* Operand e of boolean operator op (`not`, `and`, `or`, `?:`), which must be a bool. */
static NOINLINE fd_value ev_bool(const fd_ev *E, int op, const fd_expr *e, bool *out)
{
    fd_value v = ev(E, e);
    if (fd_v_is_err(v))
        return v;
    bool ok;
    *out = fd_value_truthy(v, &ok);
    if (!ok)
        return op_err(E, op, v);
    return fd_v_null();
}

static NOINLINE fd_value ev_list(const fd_ev *E, const fd_expr *e)
{
    if (e->bytes_list && e->sval)
        return fd_v_bytes((const uint8_t *)e->sval, e->slen);   /* built at bind time */
    if (e->bytes_list) {
        uint8_t *p = fd_arena_alloc(E->doc->cur, e->nargs + 1);
        if (!p)
            return ev_err(E, FD_ERR_NOMEM, "out of memory");
        for (uint32_t i = 0; i < e->nargs; i++)
            p[i] = (uint8_t)e->args[i]->lit.ival;
        return fd_v_bytes(p, e->nargs);
    }
    fd_arr *arr = fd_arena_zalloc(E->doc->cur, sizeof *arr);
    fd_value *items = fd_arena_alloc(E->doc->cur, (e->nargs + 1) * sizeof *items);
    if (!arr || !items)
        return ev_err(E, FD_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < e->nargs; i++) {
        items[i] = ev(E, e->args[i]);
        if (fd_v_is_err(items[i]))
            return items[i];
    }
    arr->n = e->nargs;
    arr->items = items;
    return fd_v_array(arr);
}

static NOINLINE fd_value ev_enumlit(const fd_ev *E, const fd_expr *e)
{
    const fd_enum *en = e->renum;
    uint64_t val = e->renum_val;
    if (!en) {
        /* Not bound: look it up, keeping nothing on the shared node. */
        const fd_type *scope = E->ctx->self ? E->ctx->self->type : E->doc->spec->main->root;
        en = fd_spec_find_enum(E->doc->spec, scope, e->path, e->npath, e->abs_path);
        if (!en || !fd_enum_value(en, e->name, &val))
            return ev_err(E, FD_ERR_NAME, "unknown enum value %s", e->name);
    }
    fd_value iv = fd_v_int((int64_t)val);
    /* Only a key above INT64_MAX needs its sign: was it written as a u64? */
    for (uint32_t i = 0; (val >> 63) && i < en->nitems; i++)
        if (en->items[i].value == val && !en->items[i].neg)
            iv = fd_v_uint(val);
    return fd_v_enum(iv, en);
}

static NOINLINE fd_value ev_subscr(const fd_ev *E, const fd_expr *e)
{
    fd_value a = ev(E, e->a);
    if (fd_v_is_err(a))
        return a;
    fd_value i = ev(E, e->b);
    if (fd_v_is_err(i))
        return i;
    if (!is_int(i))
        return ev_err(E, FD_ERR_TYPE, "index must be an integer");
    if (a.kind != FD_ARRAY && a.kind != FD_BYTES)
        return type_err(E, "indexing", a);
    uint64_t n = coll_len(a);
    if (fd_v_neg(i) || i.v.u >= n)
        return ev_err(E, FD_ERR_INDEX, "index %lld out of range 0..%llu", (long long)i.v.i,
                      (unsigned long long)n);
    return coll_item(a, i.v.u);
}

static NOINLINE fd_value ev_fstr(const fd_ev *E, const fd_expr *e)
{
    fd_value acc = fd_v_str("", 0);
    for (uint32_t i = 0; i < e->nargs; i++) {
        fd_value piece = ev(E, e->args[i]);
        if (fd_v_is_err(piece))
            return piece;
        piece = to_text(E, piece);
        if (fd_v_is_err(piece))
            return piece;
        acc = concat(E, acc.v.p, (size_t)acc.x.len, piece.v.p, (size_t)piece.x.len, true);
        if (fd_v_is_err(acc))
            return acc;
    }
    return acc;
}

_Static_assert(FD_OP_GE - FD_OP_EQ == 5, "the comparisons are contiguous in the opcode table");

/* Two operands of a binary arithmetic, bitwise or comparison node. */
static NOINLINE fd_value binop(const fd_ev *E, const fd_expr *e, fd_value a, fd_value b)
{
    if (e->op >= FD_OP_EQ && e->op <= FD_OP_GE)
        return compare(E, e, a, b);
    if (a.kind == FD_BOOL && b.kind == FD_BOOL &&
        (e->op == FD_OP_BAND || e->op == FD_OP_BOR || e->op == FD_OP_BXOR)) {
        bool x = a.v.i != 0, y = b.v.i != 0;
        return fd_v_bool(e->op == FD_OP_BAND ? (x && y) : e->op == FD_OP_BOR ? (x || y) : (x != y));
    }
    return arith(E, e, a, b);
}

/* A left-associative chain: its links bottom-up, the first one's left
 * operand the leftmost term.  Iterating keeps the C stack flat however long
 * the chain; each link is charged as the node it is. */
static NOINLINE fd_value ev_chain(const fd_ev *E, const fd_expr *e)
{
    const fd_expr *const *links = (const fd_expr *const *)e->args;
    uint32_t n = e->nargs;
    assert(n >= 2 && links[n - 1] == e);
    if (e->op == FD_OP_AND || e->op == FD_OP_OR) {
        bool x;
        fd_value r = ev_bool(E, e->op, links[0]->a, &x);
        for (uint32_t k = 0; !fd_v_is_err(r) && k < n; k++) {
            assert(links[k]->op == e->op && (k == 0 || links[k]->a == links[k - 1]));
            if (e->op == FD_OP_AND ? !x : x)
                break;
            if (k && fd_work_spend(E->doc, 1))
                return budget_err(E);
            r = ev_bool(E, e->op, links[k]->b, &x);
        }
        return fd_v_is_err(r) ? r : fd_v_bool(x);
    }
    fd_value acc = ev(E, links[0]->a);
    for (uint32_t k = 0; !fd_v_is_err(acc) && k < n; k++) {
        assert(k == 0 || links[k]->a == links[k - 1]);
        if (k && fd_work_spend(E->doc, 1))
            return budget_err(E);
        fd_value b = ev(E, links[k]->b);
        if (fd_v_is_err(b))
            return b;
        acc = binop(E, links[k], acc, b);
    }
    return acc;
}

static fd_value ev(const fd_ev *E, const fd_expr *e)
{
    const fd_ctx *c = E->ctx;
    fd_obj *self = c->self;
    fd_value a, b;
    assert(e && e->op < FD_OP_COUNT_);
    if (fd_stack_exhausted(E->doc))
        return ev_err(E, FD_ERR_LIMIT, "expression nesting exhausts the stack allowance");
    if (fd_work_spend(E->doc, 1))
        return budget_err(E);
    switch ((fd_op)e->op) {
    case FD_OP_INT:
        return e->uflag ? fd_v_uint(e->lit.uval) : fd_v_int(e->lit.ival);
    case FD_OP_FLOAT:
        return fd_v_float(e->lit.fval);
    case FD_OP_STR:
        return fd_v_str(e->sval, e->slen);
    case FD_OP_BOOL:
        return fd_v_bool(e->lit.ival != 0);
    case FD_OP_LIST:
        return ev_list(E, e);
    case FD_OP_NAME: {
        if (!self)
            return ev_err(E, FD_ERR_NAME, "unknown name %s", e->name);
        bool found;
        a = obj_member(E, self, e, &found);
        if (!found)
            return ev_err(E, FD_ERR_NAME, "unknown name %s in type %s", e->name, self->type->name);
        return a;
    }
    case FD_OP_ROOT:
        return self && self->root ? fd_v_obj(self->root) : fd_v_null();
    case FD_OP_PARENT:
        return self && self->parent ? fd_v_obj(self->parent) : fd_v_null();
    case FD_OP_IO:
        return self ? fd_v_stream(self->io) : fd_v_null();
    case FD_OP_INDEX_V:
        if (c->index < 0)
            return ev_err(E, FD_ERR_NAME, "_index used outside a repeat");
        return fd_v_int(c->index);
    case FD_OP_CUR:
        if (!c->has_cur)
            return ev_err(E, FD_ERR_NAME, "_ used outside repeat-until or valid");
        return c->cur;
    case FD_OP_ON:
        if (!c->has_on)
            return ev_err(E, FD_ERR_NAME, "_on used outside a switch");
        return c->on;
    case FD_OP_SIZEOF_V:
        return self ? obj_sizeof(self) : fd_v_null();
    case FD_OP_ENUMLIT:
        return ev_enumlit(E, e);
    case FD_OP_ATTR:
        a = ev(E, e->a);
        if (fd_v_is_err(a))
            return a;
        if (e->builtin == FD_BI_SIZEOF && a.kind != FD_STRUCT)
            return field_sizeof(E, e->a, a);
        if (a.kind == FD_STRUCT) {
            bool found;
            b = obj_member(E, fd_v_as_obj(a), e, &found);
            if (found)
                return b;
        }
        return builtin_attr(E, e, a);
    case FD_OP_CALL:
        a = ev(E, e->a);
        if (fd_v_is_err(a))
            return a;
        return builtin_call(E, e, a);
    case FD_OP_SUBSCR:
        return ev_subscr(E, e);
    case FD_OP_CAST:
        a = ev(E, e->a);
        if (fd_v_is_err(a))
            return a;
        return ev_cast(E, e, a);
    case FD_OP_SIZEOF:
        return ev_sizeof(E, e, false);
    case FD_OP_BITSIZEOF:
        return ev_sizeof(E, e, true);
    case FD_OP_NEG:
    case FD_OP_POS:
    case FD_OP_BNOT:
        a = ev(E, e->a);
        if (fd_v_is_err(a))
            return a;
        if (a.kind == FD_FLOAT && e->op != FD_OP_BNOT)
            return fd_v_float(e->op == FD_OP_NEG ? -a.v.f : a.v.f);
        if (!is_int(a))
            return op_err(E, e->op, a);
        if (e->op == FD_OP_POS)
            return a;
        /* ~x is -x-1; only a u8 above INT64_MAX needs its 64-bit complement. */
        if (e->op == FD_OP_BNOT)
            return fd_v_neg(a) || a.v.u <= (uint64_t)INT64_MAX ? fd_v_int(~a.v.i) : fd_v_uint(~a.v.u);
        return from_i128(E, -as_i128(a));
    case FD_OP_NOT: {
        bool x;
        a = ev_bool(E, e->op, e->a, &x);
        if (fd_v_is_err(a))
            return a;
        return fd_v_bool(!x);
    }
    case FD_OP_ADD: case FD_OP_SUB: case FD_OP_MUL: case FD_OP_DIV: case FD_OP_MOD:
    case FD_OP_SHL: case FD_OP_SHR: case FD_OP_BAND: case FD_OP_BOR: case FD_OP_BXOR:
    case FD_OP_EQ: case FD_OP_NE: case FD_OP_LT: case FD_OP_LE: case FD_OP_GT: case FD_OP_GE:
        if (e->chain)
            return ev_chain(E, e);
        a = ev(E, e->a);
        if (fd_v_is_err(a))
            return a;
        b = ev(E, e->b);
        if (fd_v_is_err(b))
            return b;
        return binop(E, e, a, b);
    case FD_OP_AND:
    case FD_OP_OR: {
        if (e->chain)
            return ev_chain(E, e);
        bool x;
        a = ev_bool(E, e->op, e->a, &x);
        if (fd_v_is_err(a))
            return a;
        if (e->op == FD_OP_AND ? !x : x)
            return fd_v_bool(x);
        a = ev_bool(E, e->op, e->b, &x);
        if (fd_v_is_err(a))
            return a;
        return fd_v_bool(x);
    }
    case FD_OP_COND: {
        bool x;
        a = ev_bool(E, e->op, e->a, &x);
        if (fd_v_is_err(a))
            return a;
        b = ev(E, x ? e->b : e->c);
        /* ksc types `c ? int : float` as a float whichever branch is taken;
         * the binder found which branches are floats. */
        if (b.kind == FD_INT && (e->cond_float & (x ? 2 : 1)))
            return fd_v_float(as_double(b));
        return b;
    }
    case FD_OP_FSTR:
        return ev_fstr(E, e);
    default:
        return ev_err(E, FD_ERR_TYPE, "unsupported operator `%s`", fd_op_symbols[e->op]);
    }
}

fd_value fd_eval_expr(fd_doc *doc, const fd_ctx *ctx, const fd_expr *e)
{
    fd_ev E = { doc, ctx };
    if (!e)
        return fd_v_null();
    if (doc->depth >= FD_MAX_DEPTH)
        return ev_err(&E, FD_ERR_LIMIT, "nesting deeper than %d levels", FD_MAX_DEPTH);
    doc->depth++;
    /* A member of `this` whose slot binding fixed, the usual size, position
     * or count, goes straight to the slot after ev's own checks (when one
     * fails, ev reports it). */
    fd_obj *self = ctx->self;
    fd_value v;
    if (e->op == FD_OP_NAME && self && e->stype_obj == self->type && e->sslot >= 0 &&
        !fd_stack_exhausted(doc) && !fd_work_spend(doc, 1))
        v = fd_obj_slot(self, (uint32_t)e->sslot, NULL);
    else
        v = ev(&E, e);
    doc->depth--;
    return v;
}

/* ---- binding: what can be known before the first evaluation -------------------- */

static bool is_arith_op(int op)
{
    return op == FD_OP_ADD || op == FD_OP_SUB || op == FD_OP_MUL || op == FD_OP_DIV || op == FD_OP_MOD;
}

/* Whether an expression is statically a float, as ksc would type it: float
 * literals, float members of `this`, and arithmetic or ternaries over them. */
static bool expr_is_float(const fd_type *self, const fd_expr *e, int depth)
{
    for (int guard = 0; e && guard < 64 && depth < 16; guard++) {
        switch (e->op) {
        case FD_OP_FLOAT:
            return true;
        case FD_OP_NAME: {
            /* A member of `this`: a float field or param, or a value instance
             * whose own expression is a float. */
            int slot = self ? fd_type_slot(self, e->name) : -1;
            if (slot < 0)
                return false;
            if ((uint32_t)slot < self->nparams)
                return self->params[slot].type.prim == FD_P_FLOAT;
            const fd_attr *at = fd_type_slot_attr(self, (uint32_t)slot);
            if (!at)
                return false;
            if (at->value)
                return expr_is_float(self, at->value, depth + 1);
            return at->type.prim == FD_P_FLOAT;
        }
        case FD_OP_NEG:
        case FD_OP_POS:
            e = e->a;
            continue;
        case FD_OP_ADD: case FD_OP_SUB: case FD_OP_MUL: case FD_OP_DIV: case FD_OP_MOD:
            if (e->chain) {
                /* Down the left spine while it stays arithmetic: no recursion per link. */
                const fd_expr *const *links = (const fd_expr *const *)e->args;
                for (uint32_t k = e->nargs; k-- > 0;) {
                    if (!is_arith_op(links[k]->op))
                        return false;
                    if (expr_is_float(self, links[k]->b, depth))
                        return true;
                }
                e = links[0]->a;
                continue;
            }
            if (expr_is_float(self, e->a, depth))
                return true;
            e = e->b;
            continue;
        case FD_OP_COND:
            if (expr_is_float(self, e->b, depth))
                return true;
            e = e->c;
            continue;
        default:
            return false;
        }
    }
    return false;
}

/* The type of the member `name` of owner when the description fixes it: a
 * user type (element type when want_elem, for a repeated member); else NULL. */
static const fd_type *member_type(const fd_type *owner, const char *name, bool want_elem)
{
    int slot = owner && name ? fd_type_slot(owner, name) : -1;
    if (slot < 0)
        return NULL;
    if ((uint32_t)slot < owner->nparams) {
        const fd_typeref *tr = &owner->params[slot].type;
        return tr->prim == FD_P_USER && tr->is_array == want_elem ? tr->user : NULL;
    }
    const fd_attr *at = fd_type_slot_attr(owner, (uint32_t)slot);
    if (!at || at->value || at->type.prim != FD_P_USER || (at->repeat != FD_REP_NONE) != want_elem)
        return NULL;
    return at->type.user;
}

/* The user type e's value has whenever it is a struct, when the description
 * fixes it (a member, or an element of a member, of a known type); NULL when
 * it depends on the data.  Only a guess to check: the evaluator compares it
 * with the object's real type before using a slot found from it. */
static const fd_type *static_obj_type(const fd_bind *b, const fd_type *scope, const fd_expr *e, int depth)
{
    if (!e || depth > 64)
        return NULL;
    switch (e->op) {
    case FD_OP_ROOT:
        return b->spec && b->spec->main ? b->spec->main->root : NULL;   /* the document's root */
    case FD_OP_NAME:
        return member_type(scope, e->name, false);
    case FD_OP_ATTR:
        return member_type(static_obj_type(b, scope, e->a, depth + 1), e->name, false);
    case FD_OP_SUBSCR:
        if (e->a && e->a->op == FD_OP_NAME)
            return member_type(scope, e->a->name, true);
        if (e->a && e->a->op == FD_OP_ATTR)
            return member_type(static_obj_type(b, scope, e->a->a, depth + 1), e->a->name, true);
        return NULL;
    default:
        return NULL;
    }
}

/* The node's own static parts; its children are bound by the caller. */
static int bind_node(fd_bind *b, const fd_type *scope, fd_expr *e)
{
    switch (e->op) {
    case FD_OP_NAME:
        e->stype_obj = scope;
        e->sslot = scope && e->name ? fd_type_slot(scope, e->name) : -1;
        break;
    case FD_OP_ATTR: {
        const fd_type *t = static_obj_type(b, scope, e->a, 0);
        if (t) {
            e->stype_obj = t;
            e->sslot = fd_type_slot(t, e->name);
        } else if (b->nsites && *b->nsites < UINT32_MAX) {
            e->site = ++*b->nsites;   /* the object's type depends on the data */
        }
        break;
    }
    case FD_OP_ENUMLIT:
        if (!e->npath || e->renum)
            break;
        b->named++;
        {
            const fd_enum *en = fd_spec_find_enum(b->spec, scope, e->path, e->npath, e->abs_path);
            uint64_t v;
            bool ok = en && e->name && (b->label ? b->label(b->label_ctx, en, e->name, &v)
                                                 : fd_enum_value(en, e->name, &v));
            if (ok) {
                e->renum = en;
                e->renum_val = v;
            }
        }
        break;
    case FD_OP_CAST:
    case FD_OP_SIZEOF:
    case FD_OP_BITSIZEOF:
        if (!e->npath || e->rtype)
            break;
        b->named++;
        /* A primitive name finds no type; the evaluator checks those first. */
        e->rtype = fd_spec_find_type(b->spec, scope, e->path, e->npath, e->abs_path);
        break;
    case FD_OP_LIST:
        if (e->bytes_list && !e->sval) {
            uint8_t *p = fd_arena_alloc(b->arena, (size_t)e->nargs + 1);
            if (!p)
                return -1;
            for (uint32_t i = 0; i < e->nargs; i++)
                p[i] = (uint8_t)e->args[i]->lit.ival;
            p[e->nargs] = 0;
            e->sval = (const char *)p;
            e->slen = e->nargs;
        }
        break;
    case FD_OP_COND:
        e->cond_float = (uint8_t)((expr_is_float(scope, e->b, 0) ? 1 : 0) |
                                  (expr_is_float(scope, e->c, 0) ? 2 : 0));
        break;
    default:
        break;
    }
    return 0;
}

/* The binder is the one writer of a node, before the expression is shared:
 * here, and only here, the const children are completed. */
static int bind_rec(fd_bind *b, const fd_type *scope, fd_expr *e, unsigned depth)
{
    if (!e)
        return 0;
    assert(depth <= 4096);
    if (e->chain) {
        fd_expr **links = e->args;
        assert(e->nargs >= 2 && links[e->nargs - 1] == e);
        if (bind_rec(b, scope, (fd_expr *)links[0]->a, depth + 1) != 0)
            return -1;
        for (uint32_t k = 0; k < e->nargs; k++)
            if (bind_node(b, scope, links[k]) != 0 || bind_rec(b, scope, (fd_expr *)links[k]->b, depth + 1) != 0)
                return -1;
        return 0;
    }
    if (bind_node(b, scope, e) != 0)
        return -1;
    if (bind_rec(b, scope, (fd_expr *)e->a, depth + 1) != 0 || bind_rec(b, scope, (fd_expr *)e->b, depth + 1) != 0 ||
        bind_rec(b, scope, (fd_expr *)e->c, depth + 1) != 0)
        return -1;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (bind_rec(b, scope, e->args[i], depth + 1) != 0)
            return -1;
    return 0;
}

int fd_expr_bind(fd_bind *b, const fd_type *scope, fd_expr *e)
{
    return bind_rec(b, scope, e, 0);
}
