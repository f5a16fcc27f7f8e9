/* Validation of Dynamic Client Registration bodies: both WSO2 flavours map onto one gh_km_dcr_t. */
#include <stdio.h>
#include <string.h>
#include "gatehouse/gh.h"
#include "gatehouse/uri.h"
#include "km_app.h"

static const char *const known_grants[] = {"authorization_code", "password", "refresh_token", "client_credentials",
                                           "implicit", "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                           "urn:ietf:params:oauth:grant-type:saml2-bearer", "iwa:ntlm", NULL};

static int grant_known(const char *g)
{
    size_t i;

    for (i = 0; known_grants[i] != NULL; ++i)
        if (strcmp(known_grants[i], g) == 0)
            return 1;
    return 0;
}

static int add_grant(char *list, size_t size, const char *g, gh_err_t *err)
{
    size_t l = strlen(list);

    if (!grant_known(g))
        return gh_err_set(err, GH_E_INPUT, "unsupported grant type: %s", g);
    if (gh_km_grant_listed(list, g))
        return GH_OK;
    if (l + strlen(g) + 2 > size)
        return gh_err_set(err, GH_E_INPUT, "too many grant types");
    snprintf(list + l, size - l, "%s%s", l ? " " : "", g);
    return GH_OK;
}

static int redirect_error(gh_err_t *err, const char *msg, const char *detail)
{
    gh_err_set(err, GH_E_INPUT, "%s%s", msg, detail);
    if (err != NULL)
        err->native = 1; /* invalid_redirect_uri */
    return GH_ERR;
}

static int copy_str(char *dst, size_t size, const json_t *v, const char *what, gh_err_t *err)
{
    if (v == NULL || json_is_null(v))
        return GH_OK;
    if (!json_is_string(v))
        return gh_err_set(err, GH_E_INPUT, "%s must be a string", what);
    if (json_string_length(v) >= size || memchr(json_string_value(v), '\0', json_string_length(v)) != NULL)
        return gh_err_set(err, GH_E_INPUT, "%s is too long", what);
    snprintf(dst, size, "%s", json_string_value(v));
    return GH_OK;
}

static int parse_redirects(const json_t *uris, gh_km_dcr_t *out, gh_err_t *err)
{
    size_t i, n;
    char buf[1024] = "";

    if (uris == NULL || json_is_null(uris))
        return GH_OK;
    if (!json_is_array(uris))
        return gh_err_set(err, GH_E_INPUT, "redirect_uris must be an array of strings");
    n = json_array_size(uris);
    for (i = 0; i < n; ++i) {
        const json_t *u = json_array_get(uris, i);
        /* the URIs themselves are checked once, for clients that redirect, in check_needs */
        if (!json_is_string(u) || json_string_length(u) == 0 || strpbrk(json_string_value(u), "|)") != NULL) {
            char at[64];
            snprintf(at, sizeof(at), "redirect_uris[%zu] is not an absolute URI", i);
            return redirect_error(err, at, "");
        }
    }
    if (n == 1) {
        return copy_str(out->callback, sizeof(out->callback), json_array_get(uris, 0), "redirect_uris[0]", err);
    }
    if (n > 1) {
        /* WSO2 keeps several callbacks as one regexp=(a|b) value */
        size_t o = (size_t)snprintf(buf, sizeof(buf), "regexp=(");
        for (i = 0; i < n && o < sizeof(buf); ++i)
            o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? "|" : "", json_string_value(json_array_get(uris, i)));
        if (o + 2 > sizeof(buf))
            return gh_err_set(err, GH_E_INPUT, "redirect_uris are too long");
        snprintf(buf + o, sizeof(buf) - o, ")");
        snprintf(out->callback, sizeof(out->callback), "%s", buf);
    }
    return GH_OK;
}

int gh_km_grants_redirect(const char *grant_types)
{
    return gh_km_grant_listed(grant_types, "authorization_code") || gh_km_grant_listed(grant_types, "implicit");
}

int gh_km_callback_check(const char *grant_types, const char *callback, gh_err_t *err)
{
    const char *why = NULL;

    if (!gh_uri_header_value_ok(callback, strlen(callback)))
        return redirect_error(err, "the callback URL holds control characters", "");
    if (!gh_km_grants_redirect(grant_types))
        return GH_OK; /* kept as given (WSO2's "www.google.lk" placeholder) and never used as a redirect */
    if (callback[0] == '\0')
        return redirect_error(err, "a redirect URI is required for the authorization_code and implicit grants", "");
    if (!gh_uri_callback_ok(callback, &why))
        return redirect_error(err, "invalid redirect URI: ", why != NULL ? why : "malformed");
    return GH_OK;
}

static int check_needs(const gh_km_dcr_t *out, gh_err_t *err)
{
    if (out->name[0] == '\0')
        return gh_err_set(err, GH_E_INPUT, "client_name is required");
    if (strpbrk(out->name, "<>\"'&") != NULL || !gh_uri_header_value_ok(out->name, strlen(out->name)))
        return gh_err_set(err, GH_E_INPUT, "client_name must not contain < > \" ' & or control characters");
    return gh_km_callback_check(out->grant_types, out->callback, err);
}

int gh_km_dcr_parse_rfc7591(const json_t *body, gh_km_dcr_t *out, gh_err_t *err)
{
    const json_t *g;
    size_t i;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(body))
        return gh_err_set(err, GH_E_INPUT, "the body must be a JSON object");
    if (copy_str(out->name, sizeof(out->name), json_object_get(body, "client_name"), "client_name", err) != GH_OK ||
        copy_str(out->owner, sizeof(out->owner), json_object_get(body, "ext_param_owner"), "ext_param_owner", err) != GH_OK ||
        copy_str(out->client_id, sizeof(out->client_id), json_object_get(body, "ext_param_client_id"), "ext_param_client_id", err) != GH_OK ||
        copy_str(out->client_secret, sizeof(out->client_secret), json_object_get(body, "ext_param_client_secret"),
                 "ext_param_client_secret", err) != GH_OK)
        return GH_ERR;
    g = json_object_get(body, "grant_types");
    if (g == NULL || json_is_null(g)) {
        /* RFC 7591 §2: the default is authorization_code */
        snprintf(out->grant_types, sizeof(out->grant_types), "authorization_code");
    } else if (!json_is_array(g)) {
        return gh_err_set(err, GH_E_INPUT, "grant_types must be an array of strings");
    } else {
        for (i = 0; i < json_array_size(g); ++i) {
            const json_t *v = json_array_get(g, i);
            if (!json_is_string(v))
                return gh_err_set(err, GH_E_INPUT, "grant_types must be an array of strings");
            if (add_grant(out->grant_types, sizeof(out->grant_types), json_string_value(v), err) != GH_OK)
                return GH_ERR;
        }
    }
    if (parse_redirects(json_object_get(body, "redirect_uris"), out, err) != GH_OK)
        return GH_ERR;
    return check_needs(out, err);
}

int gh_km_dcr_parse_apim(const json_t *body, gh_km_dcr_t *out, gh_err_t *err)
{
    char name[256] = "", grants[512] = "", *save = NULL, *g;
    const json_t *saas;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(body))
        return gh_err_set(err, GH_E_INPUT, "the body must be a JSON object");
    if (copy_str(name, sizeof(name) - 1, json_object_get(body, "clientName"), "clientName", err) != GH_OK ||
        copy_str(out->owner, sizeof(out->owner), json_object_get(body, "owner"), "owner", err) != GH_OK ||
        copy_str(grants, sizeof(grants), json_object_get(body, "grantType"), "grantType", err) != GH_OK ||
        copy_str(out->callback, sizeof(out->callback), json_object_get(body, "callbackUrl"), "callbackUrl", err) != GH_OK)
        return GH_ERR;
    if (name[0] == '\0')
        return gh_err_set(err, GH_E_INPUT, "clientName is required");
    if (out->owner[0] == '\0')
        return gh_err_set(err, GH_E_INPUT, "owner is required");
    if (strlen(out->owner) + strlen(name) + 2 > sizeof(out->name))
        return gh_err_set(err, GH_E_INPUT, "clientName is too long");
    {
        size_t ol = strlen(out->owner);
        memcpy(out->name, out->owner, ol);
        out->name[ol] = '_';
        memcpy(out->name + ol + 1, name, strlen(name) + 1);
    }
    if (grants[0] == '\0')
        snprintf(grants, sizeof(grants), "password refresh_token");
    for (g = strtok_r(grants, " ,", &save); g != NULL; g = strtok_r(NULL, " ,", &save))
        if (add_grant(out->grant_types, sizeof(out->grant_types), g, err) != GH_OK)
            return GH_ERR;
    saas = json_object_get(body, "saasApp");
    out->saas = json_is_true(saas);
    return check_needs(out, err);
}

int gh_km_grant_listed(const char *list, const char *grant)
{
    size_t gl = strlen(grant);
    const char *p = list;

    while (p != NULL && *p) {
        while (*p == ' ')
            p++;
        if (strncmp(p, grant, gl) == 0 && (p[gl] == ' ' || p[gl] == '\0'))
            return 1;
        p = strchr(p, ' ');
    }
    return 0;
}

int gh_km_callback_ok(const char *registered, const char *uri)
{
    const char *p, *e;
    size_t ul = strlen(uri);

    if (registered == NULL || registered[0] == '\0' || uri == NULL)
        return 0;
    if (strncmp(registered, "regexp=(", 8) != 0)
        return strcmp(registered, uri) == 0;
    /* alternatives are compared exactly: a registered pattern is never evaluated as a regular expression */
    p = registered + 8;
    for (;;) {
        e = strpbrk(p, "|)");
        if (e == NULL)
            return 0;
        if ((size_t)(e - p) == ul && strncmp(p, uri, ul) == 0)
            return 1;
        if (*e == ')')
            return 0;
        p = e + 1;
    }
}
