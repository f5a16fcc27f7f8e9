/* Evaluating a parsed SCIM filter against a resource's JSON. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "filter.h"
#include "gatehouse/mem.h"

/* case-insensitive object lookup (SCIM attribute names are case-insensitive) */
static json_t *get_ci(json_t *obj, const char *name, size_t len)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v)
        if (strlen(key) == len && strncasecmp(key, name, len) == 0)
            return v;
    return NULL;
}

static int str_match(gh_scim_op_t op, const char *have, const char *want)
{
    size_t hl = strlen(have), wl = strlen(want);

    switch (op) {
    case GH_SCIM_EQ: return strcasecmp(have, want) == 0;
    case GH_SCIM_NE: return strcasecmp(have, want) != 0;
    case GH_SCIM_CO: return strcasestr(have, want) != NULL;
    case GH_SCIM_SW: return hl >= wl && strncasecmp(have, want, wl) == 0;
    case GH_SCIM_EW: return hl >= wl && strcasecmp(have + hl - wl, want) == 0;
    case GH_SCIM_GT: return strcasecmp(have, want) > 0;
    case GH_SCIM_GE: return strcasecmp(have, want) >= 0;
    case GH_SCIM_LT: return strcasecmp(have, want) < 0;
    case GH_SCIM_LE: return strcasecmp(have, want) <= 0;
    default: return 0;
    }
}

static int leaf_match(const gh_scim_filter_t *f, json_t *v)
{
    if (json_is_object(v)) /* "emails eq x" means the primary sub-attribute, value */
        v = json_object_get(v, "value");
    if (v == NULL || json_is_null(v))
        return 0;
    if (f->op == GH_SCIM_PR)
        return !(json_is_string(v) && json_string_length(v) == 0);
    if (json_is_string(v) && json_is_string(f->value))
        return str_match(f->op, json_string_value(v), json_string_value(f->value));
    if (json_is_number(v) && json_is_number(f->value)) {
        double a = json_number_value(v), b = json_number_value(f->value);
        switch (f->op) {
        case GH_SCIM_EQ: return a == b;
        case GH_SCIM_NE: return a != b;
        case GH_SCIM_GT: return a > b;
        case GH_SCIM_GE: return a >= b;
        case GH_SCIM_LT: return a < b;
        case GH_SCIM_LE: return a <= b;
        default: return 0;
        }
    }
    if (json_is_boolean(v) && json_is_boolean(f->value)) {
        if (f->op == GH_SCIM_EQ)
            return json_is_true(v) == json_is_true(f->value);
        if (f->op == GH_SCIM_NE)
            return json_is_true(v) != json_is_true(f->value);
    }
    return 0;
}

/* walk path segments; multi-valued attributes match when any element matches */
static int path_match(const gh_scim_filter_t *f, json_t *node, const char *path)
{
    const char *dot = strchr(path, '.');
    size_t len = dot ? (size_t)(dot - path) : strlen(path);
    json_t *v, *el;
    size_t i;

    if (!json_is_object(node) || (v = get_ci(node, path, len)) == NULL)
        return 0;
    if (json_is_array(v)) {
        json_array_foreach(v, i, el)
            if (dot ? path_match(f, el, dot + 1) : leaf_match(f, el))
                return 1;
        return 0;
    }
    return dot ? path_match(f, v, dot + 1) : leaf_match(f, v);
}

/* attr[filter]: one element (or the single complex value) must satisfy the whole inner filter */
static int valuepath_match(const gh_scim_filter_t *f, json_t *resource)
{
    json_t *v, *el;
    size_t i;

    if (!json_is_object(resource) || (v = get_ci(resource, f->attr, strlen(f->attr))) == NULL)
        return 0;
    if (json_is_array(v)) {
        json_array_foreach(v, i, el)
            if (gh_scim_filter_match(f->l, el))
                return 1;
        return 0;
    }
    return gh_scim_filter_match(f->l, v);
}

int gh_scim_filter_match(const gh_scim_filter_t *f, json_t *resource)
{
    switch (f->kind) {
    case GH_SCIM_VALUEPATH: return valuepath_match(f, resource);
    case GH_SCIM_AND: return gh_scim_filter_match(f->l, resource) && gh_scim_filter_match(f->r, resource);
    case GH_SCIM_OR: return gh_scim_filter_match(f->l, resource) || gh_scim_filter_match(f->r, resource);
    case GH_SCIM_NOT: return !gh_scim_filter_match(f->l, resource);
    case GH_SCIM_CMP:
        if (f->op == GH_SCIM_NE) {
            /* ne: true unless some value equals (an absent attribute is "not equal") */
            gh_scim_filter_t eq = *f;
            eq.op = GH_SCIM_EQ;
            return !path_match(&eq, resource, f->attr);
        }
        return path_match(f, resource, f->attr);
    }
    return 0;
}
