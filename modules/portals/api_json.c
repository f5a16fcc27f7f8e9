/* The v0.14 API object (APIDetailed / APIInfo) to and from gh_portal_api_t, with WSO2's validation: required
 * fields, context syntax, enums (visibility, transports, endpoint types), endpointConfig as a JSON string. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "gatehouse/mem.h"
#include "portal_model.h"

int gh_portal_ferr(gh_portal_ferr_t *fe, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (fe == NULL)
        return GH_ERR;
    snprintf(fe->field, sizeof(fe->field), "%s", field);
    va_start(ap, fmt);
    vsnprintf(fe->msg, sizeof(fe->msg), fmt, ap);
    va_end(ap);
    return GH_ERR;
}

void gh_portal_api_dispose(gh_portal_api_t *a)
{
    size_t i;
    char **s[] = {&a->name,      &a->context,       &a->version,        &a->provider,    &a->description,
                  &a->status,    &a->visibility,    &a->visible_roles,  &a->tags,        &a->transports,
                  &a->tiers,     &a->api_tier,      &a->endpoint_config, &a->production_url, &a->sandbox_url,
                  &a->cors,      &a->definition};

    if (a == NULL)
        return;
    for (i = 0; i < GH_ARRAY_SIZE(s); ++i) {
        free(*s[i]);
        *s[i] = NULL;
    }
    for (i = 0; i < a->nres; ++i) {
        free(a->res[i].target);
        free(a->res[i].throttling);
        free(a->res[i].scope);
    }
    free(a->res);
    for (i = 0; i < a->nscopes; ++i) {
        free(a->scopes[i].key);
        free(a->scopes[i].name);
        free(a->scopes[i].description);
        free(a->scopes[i].roles);
    }
    free(a->scopes);
    a->res = NULL;
    a->scopes = NULL;
    a->nres = a->nscopes = 0;
}

static const struct {
    const char *type, *scheme;
} auth_map[] = {
    {"Application & Application User", "Any"},
    {"Application", "Application"},
    {"Application User", "Application_User"},
    {"None", "None"},
};

const char *gh_portal_auth_scheme(const char *t)
{
    size_t i;

    if (t == NULL)
        return NULL;
    for (i = 0; i < GH_ARRAY_SIZE(auth_map); ++i)
        if (strcasecmp(t, auth_map[i].type) == 0 || strcasecmp(t, auth_map[i].scheme) == 0)
            return auth_map[i].scheme;
    return NULL;
}

const char *gh_portal_auth_type(const char *scheme)
{
    size_t i;

    for (i = 0; scheme != NULL && i < GH_ARRAY_SIZE(auth_map); ++i)
        if (strcmp(scheme, auth_map[i].scheme) == 0)
            return auth_map[i].type;
    return auth_map[0].type;
}

int gh_portal_context_ok(const char *ctx)
{
    const char *p;

    if (ctx == NULL || ctx[0] != '/' || ctx[1] == '\0' || strlen(ctx) > 200)
        return 0;
    for (p = ctx; *p; ++p)
        if ((unsigned char)*p <= ' ' || strchr("?#%\\\"<>|^`", *p) != NULL || (p[0] == '/' && p[1] == '/'))
            return 0;
    return ctx[strlen(ctx) - 1] != '/';
}

json_t *gh_portal_csv_to_json(const char *csv)
{
    json_t *a = json_array();
    const char *p = csv, *e;

    while (p != NULL && *p) {
        while (*p == ' ' || *p == ',')
            p++;
        e = strchr(p, ',');
        if (e == NULL)
            e = p + strlen(p);
        {
            const char *t = e;
            while (t > p && t[-1] == ' ')
                t--;
            if (t > p)
                json_array_append_new(a, json_stringn(p, (size_t)(t - p)));
        }
        p = *e ? e + 1 : NULL;
    }
    return a;
}

char *gh_portal_json_to_csv(const json_t *arr)
{
    size_t i, n = 0, o = 0;
    json_t *v;
    char *out;

    if (!json_is_array(arr))
        return NULL;
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v))
            return NULL;
        n += json_string_length(v) + 1;
    }
    out = gh_malloc(n + 1);
    out[0] = '\0';
    json_array_foreach(arr, i, v) {
        const char *s = json_string_value(v);
        if (strchr(s, ',') != NULL || s[0] == '\0') {
            free(out);
            return NULL;
        }
        o += (size_t)snprintf(out + o, n + 1 - o, "%s%s", o ? "," : "", s);
    }
    return out;
}

/* an optional string member: GH_OK (copied or left NULL) / GH_ERR when present with another type */
static int opt_str(const json_t *in, const char *k, char **dst, size_t max, gh_portal_ferr_t *fe)
{
    json_t *v = json_object_get(in, k);

    if (v == NULL || json_is_null(v))
        return GH_OK;
    if (!json_is_string(v))
        return gh_portal_ferr(fe, k, "%s must be a string", k);
    if (json_string_length(v) > max)
        return gh_portal_ferr(fe, k, "%s is longer than %zu characters", k, max);
    free(*dst);
    *dst = gh_strdup(json_string_value(v));
    return GH_OK;
}

static int req_str(const json_t *in, const char *k, char **dst, size_t max, gh_portal_ferr_t *fe)
{
    if (opt_str(in, k, dst, max, fe) != GH_OK)
        return GH_ERR;
    if (*dst == NULL || (*dst)[0] == '\0')
        return gh_portal_ferr(fe, k, "%s is required", k);
    return GH_OK;
}

static int opt_list(const json_t *in, const char *k, char **dst, gh_portal_ferr_t *fe)
{
    json_t *v = json_object_get(in, k);
    char *csv;

    if (v == NULL || json_is_null(v))
        return GH_OK;
    if ((csv = gh_portal_json_to_csv(v)) == NULL)
        return gh_portal_ferr(fe, k, "%s must be an array of non-empty strings without commas", k);
    if (strlen(csv) > 1000) {
        free(csv);
        return gh_portal_ferr(fe, k, "%s is too long", k);
    }
    free(*dst);
    *dst = csv;
    return GH_OK;
}

static int url_ok(const char *u)
{
    return (strncasecmp(u, "http://", 7) == 0 && u[7] != '\0') || (strncasecmp(u, "https://", 8) == 0 && u[8] != '\0');
}

static int endpoint_url(json_t *ep, const char *which, char **dst, gh_portal_ferr_t *fe)
{
    json_t *e = json_object_get(ep, which), *u;

    if (e == NULL || json_is_null(e))
        return GH_OK;
    if (json_is_array(e)) /* load_balance / failover: the first one is the primary */
        e = json_array_get(e, 0);
    if (!json_is_object(e) || !json_is_string(u = json_object_get(e, "url")))
        return gh_portal_ferr(fe, "endpointConfig", "%s must be an object with a url", which);
    if (strlen(json_string_value(u)) > 2000 || !url_ok(json_string_value(u)) ||
        strpbrk(json_string_value(u), " \t\r\n") != NULL)
        return gh_portal_ferr(fe, "endpointConfig", "%s url must be an http:// or https:// URL", which);
    free(*dst);
    *dst = gh_strdup(json_string_value(u));
    return GH_OK;
}

static int endpoint_config(const json_t *in, gh_portal_api_t *a, gh_portal_ferr_t *fe)
{
    json_t *v = json_object_get(in, "endpointConfig"), *ep, *t;
    json_error_t je;
    int rc = GH_ERR;

    if (v == NULL || json_is_null(v))
        return GH_OK;
    if (json_is_string(v))
        ep = json_loads(json_string_value(v), JSON_REJECT_DUPLICATES, &je);
    else if (json_is_object(v))
        ep = json_incref(v); /* accepted too: a console may send the object itself */
    else
        return gh_portal_ferr(fe, "endpointConfig", "endpointConfig must be a JSON string");
    if (!json_is_object(ep)) {
        json_decref(ep);
        return gh_portal_ferr(fe, "endpointConfig", "endpointConfig is not a JSON object");
    }
    t = json_object_get(ep, "endpoint_type");
    if (t != NULL && (!json_is_string(t) || (strcmp(json_string_value(t), "http") != 0 &&
                                              strcmp(json_string_value(t), "address") != 0 &&
                                              strcmp(json_string_value(t), "load_balance") != 0 &&
                                              strcmp(json_string_value(t), "failover") != 0))) {
        gh_portal_ferr(fe, "endpointConfig", "endpoint_type must be http, address, load_balance or failover");
        goto out;
    }
    if (endpoint_url(ep, "production_endpoints", &a->production_url, fe) != GH_OK ||
        endpoint_url(ep, "sandbox_endpoints", &a->sandbox_url, fe) != GH_OK)
        goto out;
    if (a->production_url == NULL && a->sandbox_url == NULL) {
        gh_portal_ferr(fe, "endpointConfig", "endpointConfig needs production_endpoints or sandbox_endpoints");
        goto out;
    }
    free(a->endpoint_config);
    a->endpoint_config = json_dumps(ep, JSON_COMPACT);
    rc = GH_OK;
out:
    json_decref(ep);
    return rc;
}

static int check_enum(const char *v, const char *const *allowed, const char *field, gh_portal_ferr_t *fe)
{
    size_t i;

    for (i = 0; allowed[i] != NULL; ++i)
        if (strcmp(v, allowed[i]) == 0)
            return GH_OK;
    return gh_portal_ferr(fe, field, "%s: '%s' is not one of the allowed values", field, v);
}

static int transports(const json_t *in, gh_portal_api_t *a, gh_portal_ferr_t *fe)
{
    static const char *const ok[] = {"http", "https", NULL};
    json_t *v = json_object_get(in, "transport"), *x;
    size_t i;

    if (v == NULL || json_is_null(v))
        return GH_OK;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return gh_portal_ferr(fe, "transport", "transport must be a non-empty array of http / https");
    json_array_foreach(v, i, x) {
        if (!json_is_string(x) || check_enum(json_string_value(x), ok, "transport", fe) != GH_OK)
            return gh_portal_ferr(fe, "transport", "transport must contain only http and https");
    }
    return opt_list(in, "transport", &a->transports, fe);
}

static int cors(const json_t *in, gh_portal_api_t *a, gh_portal_ferr_t *fe)
{
    json_t *v = json_object_get(in, "corsConfiguration");

    if (v == NULL || json_is_null(v))
        return GH_OK;
    if (!json_is_object(v))
        return gh_portal_ferr(fe, "corsConfiguration", "corsConfiguration must be an object");
    free(a->cors);
    a->cors = json_dumps(v, JSON_COMPACT);
    return GH_OK;
}

int gh_portal_api_from_json(const json_t *in, gh_portal_api_t *a, gh_portal_ferr_t *fe)
{
    static const char *const vis[] = {"PUBLIC", "PRIVATE", "RESTRICTED", "CONTROLLED", NULL};
    json_t *v;

    if (!json_is_object(in))
        return gh_portal_ferr(fe, "body", "the body must be a JSON object");
    if (req_str(in, "name", &a->name, 60, fe) != GH_OK || req_str(in, "context", &a->context, 200, fe) != GH_OK ||
        req_str(in, "version", &a->version, 30, fe) != GH_OK || opt_str(in, "provider", &a->provider, 200, fe) != GH_OK ||
        opt_str(in, "description", &a->description, 2000, fe) != GH_OK ||
        opt_str(in, "visibility", &a->visibility, 20, fe) != GH_OK ||
        opt_str(in, "apiLevelPolicy", &a->api_tier, 200, fe) != GH_OK || opt_list(in, "tags", &a->tags, fe) != GH_OK ||
        opt_list(in, "tiers", &a->tiers, fe) != GH_OK || opt_list(in, "visibleRoles", &a->visible_roles, fe) != GH_OK ||
        transports(in, a, fe) != GH_OK || endpoint_config(in, a, fe) != GH_OK || cors(in, a, fe) != GH_OK)
        return GH_ERR;
    if (strpbrk(a->name, "~!@#;:%^*()+={}|\\<>\"',&/$[]") != NULL)
        return gh_portal_ferr(fe, "name", "name contains an illegal character");
    if (strpbrk(a->version, " ~!@#;:%^*()+={}|\\<>\"',&/$[]") != NULL)
        return gh_portal_ferr(fe, "version", "version contains an illegal character");
    if (!gh_portal_context_ok(a->context))
        return gh_portal_ferr(fe, "context", "context must start with '/' and be a plain path, e.g. /pizzashack");
    {
        /* "/pizza/{version}" is WSO2's context template: keep the part before it */
        char *t = strstr(a->context, "/{version}");
        if (t != NULL)
            *t = '\0';
        if (a->context[0] == '\0' || !gh_portal_context_ok(a->context))
            return gh_portal_ferr(fe, "context", "context must start with '/' and be a plain path");
    }
    if (a->visibility != NULL && check_enum(a->visibility, vis, "visibility", fe) != GH_OK)
        return GH_ERR;
    if (a->visibility != NULL && strcmp(a->visibility, "RESTRICTED") == 0 &&
        (a->visible_roles == NULL || a->visible_roles[0] == '\0'))
        return gh_portal_ferr(fe, "visibleRoles", "visibleRoles is required when visibility is RESTRICTED");
    v = json_object_get(in, "isDefaultVersion");
    if (v != NULL && !json_is_null(v)) {
        if (!json_is_boolean(v))
            return gh_portal_ferr(fe, "isDefaultVersion", "isDefaultVersion must be a boolean");
        a->is_default = json_is_true(v);
    }
    v = json_object_get(in, "apiDefinition");
    if (v != NULL && !json_is_null(v)) {
        char *text;
        int rc;
        if (json_is_string(v))
            text = gh_strdup(json_string_value(v));
        else if (json_is_object(v))
            text = json_dumps(v, JSON_COMPACT);
        else
            return gh_portal_ferr(fe, "apiDefinition", "apiDefinition must be a Swagger document as a string");
        rc = gh_portal_swagger_parse(text, strlen(text), a, fe);
        free(text);
        if (rc != GH_OK)
            return GH_ERR;
    }
    return GH_OK;
}

static void set_str(json_t *o, const char *k, const char *v)
{
    json_object_set_new(o, k, v != NULL ? json_string(v) : json_null());
}

json_t *gh_portal_api_to_json(const gh_portal_api_t *a, int detailed)
{
    json_t *o = json_object();
    char ctx[512];

    set_str(o, "id", a->uuid);
    set_str(o, "name", a->name);
    set_str(o, "description", a->description);
    if (detailed)
        set_str(o, "context", a->context);
    else {
        snprintf(ctx, sizeof(ctx), "%s/%s", a->context ? a->context : "", a->version ? a->version : "");
        set_str(o, "context", ctx);
    }
    set_str(o, "version", a->version);
    set_str(o, "provider", a->provider);
    set_str(o, "status", a->status);
    json_object_set_new(o, "thumbnailUri", json_null());
    if (!detailed)
        return o;
    {
        json_t *def = gh_portal_swagger_produce(a);
        char *s = json_dumps(def, JSON_COMPACT);
        set_str(o, "apiDefinition", s);
        free(s);
        json_decref(def);
    }
    json_object_set_new(o, "wsdlUri", json_null());
    set_str(o, "responseCaching", "Disabled");
    json_object_set_new(o, "cacheTimeout", json_integer(300));
    json_object_set_new(o, "destinationStatsEnabled", json_null());
    json_object_set_new(o, "isDefaultVersion", json_boolean(a->is_default));
    set_str(o, "type", "HTTP");
    json_object_set_new(o, "transport", gh_portal_csv_to_json(a->transports ? a->transports : "http,https"));
    json_object_set_new(o, "tags", gh_portal_csv_to_json(a->tags));
    json_object_set_new(o, "tiers", gh_portal_csv_to_json(a->tiers ? a->tiers : "Unlimited"));
    set_str(o, "apiLevelPolicy", a->api_tier);
    json_object_set_new(o, "maxTps", json_null());
    set_str(o, "visibility", a->visibility ? a->visibility : "PUBLIC");
    json_object_set_new(o, "visibleRoles", gh_portal_csv_to_json(a->visible_roles));
    json_object_set_new(o, "visibleTenants", json_array());
    set_str(o, "endpointConfig", a->endpoint_config);
    json_object_set_new(o, "endpointSecurity", json_null());
    set_str(o, "gatewayEnvironments", "Production and Sandbox");
    json_object_set_new(o, "labels", json_array());
    json_object_set_new(o, "sequences", json_array());
    set_str(o, "subscriptionAvailability", "current_tenant");
    json_object_set_new(o, "subscriptionAvailableTenants", json_array());
    json_object_set_new(o, "additionalProperties", json_object());
    set_str(o, "accessControl", "NONE");
    json_object_set_new(o, "accessControlRoles", json_array());
    json_object_set_new(o, "businessInformation", json_object());
    if (a->cors != NULL) {
        json_t *c = json_loads(a->cors, 0, NULL);
        json_object_set_new(o, "corsConfiguration", c != NULL ? c : json_null());
    } else {
        json_object_set_new(o, "corsConfiguration",
                            json_pack("{s:b,s:[s],s:b,s:[],s:[]}", "corsConfigurationEnabled", 0,
                                      "accessControlAllowOrigins", "*", "accessControlAllowCredentials", 0,
                                      "accessControlAllowHeaders", "accessControlAllowMethods"));
    }
    return o;
}
