/* report.c - finding the errors in a parsed tree and reporting them on one located line. */
#include "report.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The same guards as the writers: the scan visits what they printed. */
#define SCAN_MAX_DEPTH 512

typedef struct scan_anc {
    const char *type;
    int64_t offset;
} scan_anc;

typedef struct scan {
    size_t count;
    fd_error first, last;
    uint64_t nodes, max_nodes;
    size_t depth;
    scan_anc anc[SCAN_MAX_DEPTH];
} scan;

static bool same_error(const fd_error *a, const fd_error *b)
{
    return a->kind == b->kind && a->offset == b->offset && strcmp(a->message, b->message) == 0 &&
           strcmp(a->path, b->path) == 0;
}

/* A parent's own error repeats the failing child's: count it once. */
static void scan_note(scan *s, const fd_error *e)
{
    if (s->count && same_error(&s->last, e))
        return;
    if (!s->count)
        s->first = *e;
    s->last = *e;
    s->count++;
}

static void scan_value(scan *s, fd_value v);

/* A struct of the same type at the same offset as an ancestor is a loop (in
 * the data, or `value: _root`): the writers cut it there, so does the scan. */
static bool scan_push(scan *s, fd_value v)
{
    if (!s->max_nodes && fd_value_kind(v) == FD_STRUCT)
        s->max_nodes = fd_node_budget(v);
    if (s->depth >= SCAN_MAX_DEPTH || (s->max_nodes && s->nodes >= s->max_nodes))
        return false;
    scan_anc me = {NULL, -1};
    if (fd_value_kind(v) == FD_STRUCT) {
        me.type = fd_struct_type_name(v);
        me.offset = fd_struct_offset(v);
        for (size_t k = 0; k < s->depth; k++)
            if (me.offset >= 0 && s->anc[k].type == me.type && s->anc[k].offset == me.offset)
                return false;
    }
    s->anc[s->depth++] = me;
    s->nodes++;
    return true;
}

static void scan_fields(scan *s, fd_value obj, bool instances)
{
    size_t n = fd_struct_nfields(obj);
    for (size_t i = 0; i < n; i++) {
        if (fd_struct_field_is_param(obj, i) || fd_struct_field_is_instance(obj, i) != instances)
            continue;
        if (!instances && !fd_struct_field_reached(obj, i))
            continue;
        scan_value(s, fd_struct_field(obj, i));
    }
}

static void scan_value(scan *s, fd_value v)
{
    fd_kind k = fd_value_kind(v);
    if (k == FD_ERROR) {
        fd_error err;
        memset(&err, 0, sizeof err);
        if (fd_value_error(v, &err))
            scan_note(s, &err);
        return;
    }
    if ((k != FD_STRUCT && k != FD_ARRAY) || !scan_push(s, v))
        return;
    if (k == FD_ARRAY) {
        size_t n = fd_array_len(v);
        for (size_t i = 0; i < n; i++)
            scan_value(s, fd_array_get(v, i));
    } else {
        fd_error err;
        scan_fields(s, v, false);
        if (fd_struct_error(v, &err))
            scan_note(s, &err);
        scan_fields(s, v, true);
    }
    s->depth--;
}

size_t cli_scan_errors(fd_value v, fd_error *first)
{
    scan *s = calloc(1, sizeof *s);
    if (!s)
        return 0;
    scan_value(s, v);
    size_t count = s->count;
    if (count && first)
        *first = s->first;
    free(s);
    return count;
}

void cli_report_data_error(const char *input, const fd_error *err, size_t more)
{
    fprintf(stderr, "fmtdump: %s: %s: %s", input, fd_errkind_name(err->kind), err->message);
    if (err->offset >= 0)
        fprintf(stderr, " at offset 0x%llx", (unsigned long long)err->offset);
    if (err->path[0])
        fprintf(stderr, " (%s)", err->path);
    if (err->file[0])
        fprintf(stderr, " [ksy %s:%d:%d]", err->file, err->line, err->col);
    if (more)
        fprintf(stderr, "; %zu more error%s in the tree", more, more == 1 ? "" : "s");
    fputc('\n', stderr);
}

void cli_report_expr_error(const char *input, const char *expr, const fd_error *err)
{
    fprintf(stderr, "fmtdump: %s: -e '%s': %s: %s", input, expr, fd_errkind_name(err->kind), err->message);
    if (err->offset >= 0)
        fprintf(stderr, " at offset 0x%llx", (unsigned long long)err->offset);
    if (err->path[0])
        fprintf(stderr, " (%s)", err->path);
    fputc('\n', stderr);
}
