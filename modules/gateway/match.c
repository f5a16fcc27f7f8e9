/* Which API and which resource serve a request path, as WSO2's Synapse dispatchers decide: the API by its
 * context (/{context}/{version}, or /{context} for the default version), then the most specific resource
 * whose URI template ({param} segments, a trailing wildcard segment) and verb match. Pure functions, unit-tested. */
#include <string.h>
#include "gw_int.h"

static int boundary(const char *path, size_t len, size_t at)
{
    return at == len || path[at] == '/' || path[at] == '?';
}

int gw_template_match(const char *pat, const char *path, size_t len)
{
    size_t i = 0, j = 0, pl = strlen(pat);

    if (len == 0) {
        path = "/";
        len = 1;
    }
    while (i < pl) {
        if (pat[i] == '*' && i + 1 == pl && i > 0 && pat[i - 1] == '/')
            return 1; /* trailing "/ *": anything below, including nothing */
        if (pat[i] == '/' && i + 2 == pl && pat[i + 1] == '*') {
            if (j == len || path[j] == '/')
                return 1;
            return 0;
        }
        if (pat[i] == '{') {
            const char *close = strchr(pat + i, '}');
            size_t start = j;
            if (close == NULL)
                return 0;
            while (j < len && path[j] != '/')
                ++j;
            if (j == start)
                return 0;
            i = (size_t)(close - pat) + 1;
            continue;
        }
        if (j >= len || pat[i] != path[j])
            return 0;
        ++i;
        ++j;
    }
    /* a trailing slash on the request is tolerated */
    return j == len || (j + 1 == len && path[j] == '/');
}

static int is_live(const gw_api_t *a)
{
    return a->status != NULL;
}

const gw_api_t *gw_route_find(const gw_snapshot_t *s, const char *path, size_t len, size_t *rest, int *is_default)
{
    const gw_api_t *best = NULL;
    size_t best_len = 0, i;
    int best_default = 0;

    for (i = 0; i < s->n_apis; ++i) {
        const gw_api_t *a = &s->apis[i];
        size_t cl = strlen(a->context), bl = strlen(a->base_context);
        if (!is_live(a))
            continue;
        if (cl <= len && memcmp(path, a->context, cl) == 0 && boundary(path, len, cl) &&
            (cl > best_len || (cl == best_len && best_default))) {
            best = a;
            best_len = cl;
            best_default = 0;
        }
        if (a->is_default && bl < cl && bl <= len && memcmp(path, a->base_context, bl) == 0 &&
            boundary(path, len, bl) && bl > best_len) {
            best = a;
            best_len = bl;
            best_default = 1;
        }
    }
    if (best != NULL) {
        *rest = best_len;
        *is_default = best_default;
    }
    return best;
}

const gw_resource_t *gw_resource_find(const gw_api_t *api, const char *verb, size_t vlen, const char *path,
                                      size_t len, int *path_matched)
{
    size_t i;

    *path_matched = 0;
    for (i = 0; i < api->n_res; ++i) {
        const gw_resource_t *r = &api->res[i];
        if (!gw_template_match(r->pattern, path, len))
            continue;
        *path_matched = 1;
        if (strlen(r->verb) == vlen && strncasecmp(r->verb, verb, vlen) == 0)
            return r;
    }
    return NULL;
}

/* literal characters, parameters and a wildcard: more literal first, then fewer parameters, wildcards last */
static void weigh(const char *p, int *lit, int *params, int *wild)
{
    *lit = *params = *wild = 0;
    for (; *p != '\0'; ++p) {
        if (*p == '{') {
            ++*params;
            while (*p != '\0' && *p != '}')
                ++p;
            if (*p == '\0')
                break;
        } else if (*p == '*') {
            *wild = 1;
        } else {
            ++*lit;
        }
    }
}

static int more_specific(const gw_resource_t *a, const gw_resource_t *b)
{
    int la, pa, wa, lb, pb, wb;

    weigh(a->pattern, &la, &pa, &wa);
    weigh(b->pattern, &lb, &pb, &wb);
    if (wa != wb)
        return wa < wb;
    if (la != lb)
        return la > lb;
    return pa < pb;
}

void gw_resources_sort(gw_resource_t *res, size_t n)
{
    size_t i, j;

    for (i = 1; i < n; ++i) { /* stable insertion sort: equal templates keep their table order */
        gw_resource_t t = res[i];
        for (j = i; j > 0 && more_specific(&t, &res[j - 1]); --j)
            res[j] = res[j - 1];
        res[j] = t;
    }
}
