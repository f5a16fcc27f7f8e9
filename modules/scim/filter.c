/* A recursive-descent parser for SCIM filters:
 *   filter  := or ; or := and ("or" and)* ; and := unary ("and" unary)*
 *   unary   := "not" "(" filter ")" | "(" filter ")" | attrPath "[" filter "]" | attrPath op [value]
 * A value path `emails[type eq "work" and value co "@x"]` matches when one element satisfies the whole inner
 * filter. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "filter.h"
#include "gatehouse/mem.h"

typedef struct st_parser_t {
    const char *s, *p;
    gh_err_t *err;
    int depth;
} parser_t;

static const char *const op_names[] = {"eq", "ne", "co", "sw", "ew", "pr", "gt", "ge", "lt", "le"};

const char *gh_scim_op_name(gh_scim_op_t op)
{
    return op_names[op];
}

static gh_scim_filter_t *parse_or(parser_t *ps);

static void skip_ws(parser_t *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t')
        ps->p++;
}

static gh_scim_filter_t *fail(parser_t *ps, const char *what)
{
    if (ps->err != NULL && ps->err->code == GH_E_NONE)
        gh_err_set(ps->err, GH_E_INPUT, "invalid filter at position %d: %s", (int)(ps->p - ps->s) + 1, what);
    return NULL;
}

/* a keyword followed by a non-name character */
static int take_word(parser_t *ps, const char *w)
{
    size_t n = strlen(w);

    skip_ws(ps);
    if (strncasecmp(ps->p, w, n) == 0 && !isalnum((unsigned char)ps->p[n]) && ps->p[n] != '_' && ps->p[n] != '.') {
        ps->p += n;
        return 1;
    }
    return 0;
}

static gh_scim_filter_t *node(gh_scim_node_kind_t kind, gh_scim_filter_t *l, gh_scim_filter_t *r)
{
    gh_scim_filter_t *f = gh_calloc(1, sizeof(*f));

    f->kind = kind;
    f->l = l;
    f->r = r;
    return f;
}

static char *parse_attr(parser_t *ps)
{
    const char *start, *colon;

    skip_ws(ps);
    start = ps->p;
    while (isalnum((unsigned char)*ps->p) || *ps->p == '.' || *ps->p == '_' || *ps->p == '-' || *ps->p == ':' ||
           *ps->p == '$')
        ps->p++;
    if (ps->p == start || !isalpha((unsigned char)*start))
        return NULL;
    /* urn:ietf:params:scim:schemas:core:2.0:User:userName -> userName (the last ':' segment) */
    colon = memrchr(start, ':', (size_t)(ps->p - start));
    if (colon != NULL)
        start = colon + 1;
    return start < ps->p ? gh_strndup(start, (size_t)(ps->p - start)) : NULL;
}

static json_t *parse_value(parser_t *ps)
{
    json_error_t je;
    json_t *v;
    const char *start;

    skip_ws(ps);
    start = ps->p;
    if (*ps->p == '"') {
        for (ps->p++; *ps->p != '"'; ps->p++) {
            if (*ps->p == '\0')
                return NULL;
            if (*ps->p == '\\' && ps->p[1] != '\0')
                ps->p++;
        }
        ps->p++;
    } else {
        while (*ps->p != '\0' && *ps->p != ' ' && *ps->p != ')' && *ps->p != ']')
            ps->p++;
    }
    if (ps->p == start)
        return NULL;
    v = json_loadb(start, (size_t)(ps->p - start), JSON_DECODE_ANY, &je);
    if (v != NULL && (json_is_object(v) || json_is_array(v))) {
        json_decref(v);
        return NULL;
    }
    return v;
}

static gh_scim_filter_t *parse_cmp(parser_t *ps)
{
    gh_scim_filter_t *f;
    char *attr;
    size_t i;

    if ((attr = parse_attr(ps)) == NULL)
        return fail(ps, "expected an attribute name");
    for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); ++i)
        if (take_word(ps, op_names[i]))
            break;
    if (i == sizeof(op_names) / sizeof(op_names[0])) {
        free(attr);
        return fail(ps, "expected an operator (eq, ne, co, sw, ew, pr, gt, ge, lt, le)");
    }
    f = node(GH_SCIM_CMP, NULL, NULL);
    f->attr = attr;
    f->op = (gh_scim_op_t)i;
    if (f->op != GH_SCIM_PR && (f->value = parse_value(ps)) == NULL) {
        gh_scim_filter_free(f);
        return fail(ps, "expected a value (a quoted string, number, true, false or null)");
    }
    return f;
}

/* inside attr[...], comparisons are relative to attr: re-parse with a prefix */
static gh_scim_filter_t *parse_unary(parser_t *ps);

static gh_scim_filter_t *parse_group(parser_t *ps)
{
    gh_scim_filter_t *f;

    if (++ps->depth > 32)
        return fail(ps, "filter nested too deeply");
    f = parse_or(ps);
    ps->depth--;
    skip_ws(ps);
    if (f == NULL)
        return NULL;
    if (*ps->p != ')') {
        gh_scim_filter_free(f);
        return fail(ps, "expected ')'");
    }
    ps->p++;
    return f;
}

static gh_scim_filter_t *parse_unary(parser_t *ps)
{
    gh_scim_filter_t *f;
    const char *save;
    char *attr;

    if (take_word(ps, "not")) {
        skip_ws(ps);
        if (*ps->p != '(')
            return fail(ps, "expected '(' after not");
        ps->p++;
        return (f = parse_group(ps)) == NULL ? NULL : node(GH_SCIM_NOT, f, NULL);
    }
    skip_ws(ps);
    if (*ps->p == '(') {
        ps->p++;
        return parse_group(ps);
    }
    /* look ahead for attr[ ... ] */
    save = ps->p;
    if ((attr = parse_attr(ps)) != NULL) {
        skip_ws(ps);
        if (*ps->p == '[') {
            ps->p++;
            if (++ps->depth > 32) {
                free(attr);
                return fail(ps, "filter nested too deeply");
            }
            f = parse_or(ps);
            ps->depth--;
            skip_ws(ps);
            if (f != NULL && *ps->p != ']') {
                gh_scim_filter_free(f);
                f = fail(ps, "expected ']'");
            }
            if (f == NULL) {
                free(attr);
                return NULL;
            }
            ps->p++;
            f = node(GH_SCIM_VALUEPATH, f, NULL);
            f->attr = attr;
            return f;
        }
        free(attr);
    }
    ps->p = save;
    return parse_cmp(ps);
}

static gh_scim_filter_t *parse_and(parser_t *ps)
{
    gh_scim_filter_t *l = parse_unary(ps), *r;

    while (l != NULL && take_word(ps, "and")) {
        if ((r = parse_unary(ps)) == NULL) {
            gh_scim_filter_free(l);
            return NULL;
        }
        l = node(GH_SCIM_AND, l, r);
    }
    return l;
}

static gh_scim_filter_t *parse_or(parser_t *ps)
{
    gh_scim_filter_t *l = parse_and(ps), *r;

    while (l != NULL && take_word(ps, "or")) {
        if ((r = parse_and(ps)) == NULL) {
            gh_scim_filter_free(l);
            return NULL;
        }
        l = node(GH_SCIM_OR, l, r);
    }
    return l;
}

gh_scim_filter_t *gh_scim_filter_parse(const char *text, gh_err_t *err)
{
    parser_t ps = {.s = text, .p = text, .err = err};
    gh_scim_filter_t *f;

    gh_err_clear(err);
    if (strlen(text) > 4096) {
        gh_err_set(err, GH_E_INPUT, "invalid filter: longer than 4096 characters");
        return NULL;
    }
    if ((f = parse_or(&ps)) == NULL) {
        if (err != NULL && err->code == GH_E_NONE)
            fail(&ps, "syntax error");
        return NULL;
    }
    skip_ws(&ps);
    if (*ps.p != '\0') {
        gh_scim_filter_free(f);
        return fail(&ps, "unexpected text after the filter");
    }
    return f;
}

void gh_scim_filter_free(gh_scim_filter_t *f)
{
    if (f == NULL)
        return;
    gh_scim_filter_free(f->l);
    gh_scim_filter_free(f->r);
    free(f->attr);
    json_decref(f->value);
    free(f);
}
