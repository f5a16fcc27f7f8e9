/* Swagger 2.0 / OpenAPI 3.x definitions with WSO2's extensions: operations become resources (verb, URI template,
 * x-auth-type, x-throttling-tier, x-scope), x-wso2-security.apim.x-wso2-scopes become API scopes; and back. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "gatehouse/mem.h"
#include "portal_model.h"

static const char *const verbs[] = {"get", "put", "post", "delete", "patch", "head", "options"};

static int verb_index(const char *k)
{
    size_t i;

    for (i = 0; i < GH_ARRAY_SIZE(verbs); ++i)
        if (strcmp(k, verbs[i]) == 0)
            return (int)i;
    return -1;
}

static json_t *load_doc(const char *text, size_t len, gh_portal_ferr_t *fe)
{
    json_error_t je;
    json_t *doc;
    char msg[256];
    size_t i = 0;

    while (i < len && isspace((unsigned char)text[i]))
        i++;
    if (i == len)
        return gh_portal_ferr(fe, "apiDefinition", "the API definition is empty"), NULL;
    if (text[i] == '{') {
        if ((doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
            return gh_portal_ferr(fe, "apiDefinition", "malformed JSON in the API definition at line %d column %d: %s",
                                  je.line, je.column, je.text),
                   NULL;
        return doc;
    }
    if ((doc = gh_portal_yaml_to_json(text, len, msg, sizeof(msg))) == NULL)
        return gh_portal_ferr(fe, "apiDefinition", "the API definition is neither JSON nor YAML: %s", msg), NULL;
    return doc;
}

static int parse_scopes(json_t *doc, gh_portal_api_t *a, gh_portal_ferr_t *fe)
{
    json_t *arr = json_object_get(json_object_get(json_object_get(doc, "x-wso2-security"), "apim"), "x-wso2-scopes");
    json_t *s;
    size_t i;

    if (arr == NULL || json_is_null(arr))
        return GH_OK;
    if (!json_is_array(arr) || json_array_size(arr) > GH_PORTAL_MAX_SCOPES)
        return gh_portal_ferr(fe, "apiDefinition", "x-wso2-scopes must be an array of at most %d scopes",
                              GH_PORTAL_MAX_SCOPES);
    a->scopes = gh_calloc(json_array_size(arr) + 1, sizeof(*a->scopes));
    json_array_foreach(arr, i, s) {
        json_t *k = json_object_get(s, "key"), *n = json_object_get(s, "name"), *d = json_object_get(s, "description"),
               *r = json_object_get(s, "roles");
        gh_portal_scope_t *sc = &a->scopes[a->nscopes];
        const char *kv;
        size_t m;
        if (!json_is_string(k) || json_string_length(k) == 0 || json_string_length(k) > 200)
            return gh_portal_ferr(fe, "apiDefinition", "every x-wso2-scopes entry needs a key");
        kv = json_string_value(k);
        if (strpbrk(kv, " \t\"\\") != NULL)
            return gh_portal_ferr(fe, "apiDefinition", "scope key '%s' contains a space or quote", kv);
        for (m = 0; m < a->nscopes; ++m)
            if (strcmp(a->scopes[m].key, kv) == 0)
                return gh_portal_ferr(fe, "apiDefinition", "scope key '%s' appears twice", kv);
        if (r != NULL && !json_is_null(r) && !json_is_string(r))
            return gh_portal_ferr(fe, "apiDefinition", "roles of scope '%s' must be a comma-separated string", kv);
        sc->key = gh_strdup(kv);
        sc->name = gh_strdup(json_is_string(n) ? json_string_value(n) : kv);
        sc->description = gh_strdup(json_is_string(d) ? json_string_value(d) : "");
        sc->roles = gh_strdup(json_is_string(r) ? json_string_value(r) : "");
        a->nscopes++;
    }
    return GH_OK;
}

static int has_scope(const gh_portal_api_t *a, const char *key)
{
    size_t i;

    for (i = 0; i < a->nscopes; ++i)
        if (strcmp(a->scopes[i].key, key) == 0)
            return 1;
    return 0;
}

static int target_ok(const char *t)
{
    const char *p;
    int depth = 0;

    if (t[0] != '/' || strlen(t) > 500)
        return 0;
    for (p = t; *p; ++p) {
        if ((unsigned char)*p <= ' ' || strchr("?#\\\"<>|^`", *p) != NULL)
            return 0;
        if (*p == '{' && depth++ > 0)
            return 0;
        if (*p == '}' && depth-- == 0)
            return 0;
    }
    return depth == 0;
}

static int parse_op(json_t *op, const char *path, const char *verb, gh_portal_api_t *a, gh_portal_ferr_t *fe)
{
    json_t *at = json_object_get(op, "x-auth-type"), *tt = json_object_get(op, "x-throttling-tier"),
           *sc = json_object_get(op, "x-scope");
    gh_portal_res_t *r;
    const char *scheme = "Any";
    size_t i;

    if (!json_is_object(op))
        return gh_portal_ferr(fe, "apiDefinition", "%s %s must be an object", verb, path);
    if (at != NULL && !json_is_null(at)) {
        if (!json_is_string(at) || (scheme = gh_portal_auth_scheme(json_string_value(at))) == NULL)
            return gh_portal_ferr(fe, "apiDefinition",
                                  "x-auth-type of %s %s must be 'Application & Application User', 'Application', "
                                  "'Application User' or 'None'",
                                  verb, path);
    }
    if (tt != NULL && !json_is_null(tt) && (!json_is_string(tt) || json_string_length(tt) == 0 ||
                                            json_string_length(tt) > 200))
        return gh_portal_ferr(fe, "apiDefinition", "x-throttling-tier of %s %s must be a policy name", verb, path);
    if (sc != NULL && !json_is_null(sc)) {
        if (!json_is_string(sc) || !has_scope(a, json_string_value(sc)))
            return gh_portal_ferr(fe, "apiDefinition", "x-scope of %s %s names no scope of x-wso2-scopes", verb, path);
    }
    if (a->nres == GH_PORTAL_MAX_RES)
        return gh_portal_ferr(fe, "apiDefinition", "more than %d resources", GH_PORTAL_MAX_RES);
    r = &a->res[a->nres++];
    for (i = 0; verb[i] && i + 1 < sizeof(r->verb); ++i)
        r->verb[i] = (char)toupper((unsigned char)verb[i]);
    r->verb[i] = '\0';
    r->target = gh_strdup(path);
    snprintf(r->auth_scheme, sizeof(r->auth_scheme), "%s", scheme);
    r->throttling = gh_strdup(json_is_string(tt) ? json_string_value(tt) : "Unlimited");
    r->scope = json_is_string(sc) ? gh_strdup(json_string_value(sc)) : NULL;
    return GH_OK;
}

static void clear_parsed(gh_portal_api_t *a)
{
    gh_portal_api_t tmp = {0};

    tmp.res = a->res;
    tmp.nres = a->nres;
    tmp.scopes = a->scopes;
    tmp.nscopes = a->nscopes;
    gh_portal_api_dispose(&tmp);
    a->res = NULL;
    a->scopes = NULL;
    a->nres = a->nscopes = 0;
}

int gh_portal_swagger_parse(const char *text, size_t len, gh_portal_api_t *a, gh_portal_ferr_t *fe)
{
    json_t *doc, *paths, *ops, *op, *v;
    const char *path, *k;
    int rc = GH_ERR;

    clear_parsed(a);
    if ((doc = load_doc(text, len, fe)) == NULL)
        return GH_ERR;
    if (!json_is_object(doc)) {
        gh_portal_ferr(fe, "apiDefinition", "the API definition must be an object");
        goto out;
    }
    v = json_object_get(doc, "swagger");
    if (!(json_is_string(v) && strcmp(json_string_value(v), "2.0") == 0)) {
        v = json_object_get(doc, "openapi");
        if (!json_is_string(v) || strncmp(json_string_value(v), "3.", 2) != 0) {
            gh_portal_ferr(fe, "apiDefinition", "the API definition must be Swagger 2.0 (\"swagger\": \"2.0\") or "
                                                "OpenAPI 3 (\"openapi\": \"3.0.x\")");
            goto out;
        }
    }
    paths = json_object_get(doc, "paths");
    if (paths != NULL && !json_is_object(paths)) {
        gh_portal_ferr(fe, "apiDefinition", "paths must be an object");
        goto out;
    }
    if (parse_scopes(doc, a, fe) != GH_OK)
        goto out;
    a->res = gh_calloc(GH_PORTAL_MAX_RES, sizeof(*a->res));
    json_object_foreach(paths, path, ops) {
        if (!target_ok(path)) {
            gh_portal_ferr(fe, "apiDefinition", "path '%.200s' must start with '/' and be a URI template", path);
            goto out;
        }
        if (!json_is_object(ops)) {
            gh_portal_ferr(fe, "apiDefinition", "path '%.200s' must be an object", path);
            goto out;
        }
        json_object_foreach(ops, k, op) {
            if (verb_index(k) < 0)
                continue; /* parameters, summary, x-... */
            if (parse_op(op, path, k, a, fe) != GH_OK)
                goto out;
        }
    }
    free(a->definition);
    a->definition = json_dumps(doc, JSON_COMPACT);
    rc = GH_OK;
out:
    if (rc != GH_OK)
        clear_parsed(a);
    json_decref(doc);
    return rc;
}

static char *lower(const char *s, char *buf, size_t size)
{
    size_t i;

    for (i = 0; s[i] && i + 1 < size; ++i)
        buf[i] = (char)tolower((unsigned char)s[i]);
    buf[i] = '\0';
    return buf;
}

json_t *gh_portal_swagger_produce(const gh_portal_api_t *a)
{
    json_t *doc = a->definition != NULL ? json_loads(a->definition, 0, NULL) : NULL, *old, *paths, *info;
    size_t i;

    if (!json_is_object(doc)) {
        json_decref(doc);
        doc = json_pack("{s:s}", "swagger", "2.0");
    }
    info = json_object_get(doc, "info");
    if (!json_is_object(info)) {
        info = json_object();
        json_object_set_new(doc, "info", info);
    }
    json_object_set_new(info, "title", json_string(a->name ? a->name : ""));
    json_object_set_new(info, "version", json_string(a->version ? a->version : ""));
    if (a->description != NULL)
        json_object_set_new(info, "description", json_string(a->description));
    old = json_incref(json_object_get(doc, "paths"));
    paths = json_object();
    for (i = 0; i < a->nres; ++i) {
        const gh_portal_res_t *r = &a->res[i];
        char verb[8];
        json_t *p = json_object_get(paths, r->target), *op;
        lower(r->verb, verb, sizeof(verb));
        if (p == NULL) {
            p = json_object();
            json_object_set_new(paths, r->target, p);
        }
        op = json_object_get(json_object_get(old, r->target), verb);
        op = json_is_object(op) ? json_deep_copy(op) : json_pack("{s:{s:{s:s}}}", "responses", "200", "description", "");
        json_object_set_new(op, "x-auth-type", json_string(gh_portal_auth_type(r->auth_scheme)));
        json_object_set_new(op, "x-throttling-tier", json_string(r->throttling ? r->throttling : "Unlimited"));
        if (r->scope != NULL)
            json_object_set_new(op, "x-scope", json_string(r->scope));
        else
            json_object_del(op, "x-scope");
        json_object_set_new(p, verb, op);
    }
    json_decref(old);
    json_object_set_new(doc, "paths", paths);
    if (a->nscopes > 0) {
        json_t *arr = json_array();
        for (i = 0; i < a->nscopes; ++i)
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s}", "name", a->scopes[i].name, "description",
                                                 a->scopes[i].description, "key", a->scopes[i].key, "roles",
                                                 a->scopes[i].roles));
        json_object_set_new(doc, "x-wso2-security", json_pack("{s:{s:o}}", "apim", "x-wso2-scopes", arr));
    } else {
        json_object_del(doc, "x-wso2-security");
    }
    return doc;
}
