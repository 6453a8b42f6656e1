/* spec.c - lookups over a loaded description: slots, scoped type and enum names, enum labels. */
#include "spec.h"

#include <stdlib.h>
#include <string.h>

int fd_type_slot(const fd_type *t, const char *name)
{
    for (uint32_t i = 0; i < t->nslots; i++)
        if (t->slot_names[i] == name)
            return (int)i;
    return -1;
}

const fd_attr *fd_type_slot_attr(const fd_type *t, uint32_t slot)
{
    if (slot < t->nparams)
        return NULL;
    slot -= t->nparams;
    if (slot < t->nseq)
        return &t->seq[slot];
    slot -= t->nseq;
    return slot < t->ninst ? &t->inst[slot] : NULL;
}

/* Names below are interned, so they compare by pointer. */
static fd_type *child_type(const fd_type *t, const char *name)
{
    for (uint32_t i = 0; i < t->ntypes; i++)
        if (t->types[i]->name == name)
            return t->types[i];
    return NULL;
}

static fd_enum *type_enum(const fd_type *t, const char *name)
{
    for (uint32_t i = 0; i < t->nenums; i++)
        if (t->enums[i]->name == name)
            return t->enums[i];
    return NULL;
}

/* Interned copies of a path's components; false when one is no known name
 * (then nothing can match) or the path is longer than any nesting. */
#define SPEC_MAX_PATH 80

static bool canon_path(const fd_spec *spec, const char *const *path, uint32_t n,
                       const char **out)
{
    if (n == 0 || n > SPEC_MAX_PATH)
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!path[i] || !(out[i] = fd_intern_find(&spec->names, path[i], strlen(path[i]))))
            return false;
    return true;
}

/* Follow path[0..n) down through nested types from t. */
static fd_type *descend(fd_type *t, const char *const *path, uint32_t n)
{
    for (uint32_t i = 0; t && i < n; i++)
        t = child_type(t, path[i]);
    return t;
}

/* A candidate for a type path is accepted when it exists and, if an enum
 * name is given, declares that enum. */
static bool accept(const fd_type *t, const char *enum_name)
{
    return t && (!enum_name || type_enum(t, enum_name));
}

static fd_type *find_scoped(const fd_spec *spec, const fd_type *scope, const char *const *path,
                            uint32_t n, bool abs_path, const char *enum_name)
{
    fd_type *t;
    if (!abs_path) {
        for (const fd_type *s = scope; s; s = s->outer) {
            t = child_type(s, path[0]);
            if (t && accept(t = descend(t, path + 1, n - 1), enum_name))
                return t;
        }
        if (scope && scope->module) {
            fd_type *root = scope->module->root;
            if (root && root->name == path[0] &&
                accept(t = descend(root, path + 1, n - 1), enum_name))
                return t;
        }
    }
    for (const fd_module *m = spec->modules; m; m = m->next)
        if (m->root && m->id == path[0] &&
            accept(t = descend(m->root, path + 1, n - 1), enum_name))
            return t;
    if (abs_path && scope && scope->module && accept(t = descend(scope->module->root, path, n),
                                                     enum_name))
        return t;
    return NULL;
}

fd_type *fd_spec_find_type(const fd_spec *spec, const fd_type *scope,
                           const char *const *path, uint32_t npath, bool abs_path)
{
    const char *p[SPEC_MAX_PATH];
    if (!spec || !path || !canon_path(spec, path, npath, p))
        return NULL;
    return find_scoped(spec, scope, p, npath, abs_path, NULL);
}

fd_enum *fd_spec_find_enum(const fd_spec *spec, const fd_type *scope,
                           const char *const *path, uint32_t npath, bool abs_path)
{
    const char *p[SPEC_MAX_PATH];
    if (!spec || !path || !canon_path(spec, path, npath, p))
        return NULL;
    const char *name = p[npath - 1];
    if (npath == 1) {
        for (const fd_type *s = scope; s; s = s->outer) {
            fd_enum *e = type_enum(s, name);
            if (e)
                return e;
        }
        if (abs_path && scope && scope->module && scope->module->root)
            return type_enum(scope->module->root, name);
        return NULL;
    }
    fd_type *t = find_scoped(spec, scope, p, npath - 1, abs_path, name);
    return t ? type_enum(t, name) : NULL;
}

const char *fd_enum_label(const fd_enum *e, uint64_t value)
{
    uint32_t lo = 0, hi = e->nitems;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (e->items[mid].value < value)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < e->nitems && e->items[lo].value == value ? e->items[lo].label : NULL;
}

bool fd_enum_value(const fd_enum *e, const char *label, uint64_t *value)
{
    for (uint32_t i = 0; i < e->nitems; i++)
        if (e->items[i].label == label || strcmp(e->items[i].label, label) == 0) {
            *value = e->items[i].value;
            return true;
        }
    return false;
}

void fd_spec_free(fd_spec *spec)
{
    if (!spec)
        return;
    fd_intern_free(&spec->names);
    fd_arena_free(&spec->arena);
    free(spec);
}

const char *fd_spec_id(const fd_spec *spec)
{
    return spec && spec->main ? spec->main->id : NULL;
}

const uint8_t *fd_spec_magic(const fd_spec *spec, size_t i, size_t *len)
{
    const fd_magic *m = spec && i < spec->nmagics ? &spec->magics[i] : NULL;
    if (len)
        *len = m ? m->len : 0;
    return m ? m->bytes : NULL;
}
