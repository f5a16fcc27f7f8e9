/* WSO2's gateway faults: {"fault":{"code","message","description"}} in JSON, or the ams:/amt:/am: fault XML
 * when the client asks for XML; 401s carry WWW-Authenticate, throttled calls Retry-After; every fault sets
 * content_length (libh2o 2.2.5 closes the connection otherwise) and the CORS headers. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "gatehouse/http.h"
#include "gatehouse/mem.h"
#include "gw_int.h"

static int wants_xml(h2o_req_t *req)
{
    const h2o_iovec_t *a = gh_http_header(req, "accept");

    return a != NULL && (h2o_strstr(a->base, a->len, H2O_STRLIT("application/xml")) != SIZE_MAX ||
                         h2o_strstr(a->base, a->len, H2O_STRLIT("text/xml")) != SIZE_MAX) &&
           h2o_strstr(a->base, a->len, H2O_STRLIT("json")) == SIZE_MAX;
}

static h2o_iovec_t xml_escape(h2o_mem_pool_t *pool, const char *s)
{
    size_t n = 0, i;
    char *out, *p;

    for (i = 0; s[i] != '\0'; ++i)
        n += s[i] == '&' ? 5 : (s[i] == '<' || s[i] == '>') ? 4 : s[i] == '"' ? 6 : 1;
    out = p = h2o_mem_alloc_pool(pool, n + 1);
    for (i = 0; s[i] != '\0'; ++i) {
        const char *e = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;" : s[i] == '>' ? "&gt;" : s[i] == '"' ? "&quot;" : NULL;
        if (e != NULL) {
            memcpy(p, e, strlen(e));
            p += strlen(e);
        } else {
            *p++ = s[i];
        }
    }
    *p = '\0';
    return h2o_iovec_init(out, n);
}

/* namespace per family: security (9009xx), throttling (9008xx), the rest am */
static void send_xml(h2o_req_t *req, int status, int code, const char *msg, const char *desc, const char *next)
{
    int sec = code >= 900900 && code < 901000, thr = code >= 900800 && code < 900900;
    const char *pfx = sec ? "ams" : thr ? "amt" : "am";
    const char *ns = sec ? "http://wso2.org/apimanager/security"
                     : thr ? "http://wso2.org/apimanager/throttling"
                           : "http://wso2.org/apimanager";
    char *body = gh_asprintf("<%s:fault xmlns:%s=\"%s\"><%s:code>%d</%s:code>%s<%s:message>%s</%s:message>"
                             "<%s:description>%s</%s:description>%s%s%s</%s:fault>",
                             pfx, pfx, ns, pfx, code, pfx, !sec && !thr ? "<am:type>Status report</am:type>" : "",
                             pfx, xml_escape(&req->pool, msg).base, pfx, pfx, xml_escape(&req->pool, desc).base, pfx,
                             next ? "<amt:nextAccessTime>" : "", next ? next : "", next ? "</amt:nextAccessTime>" : "",
                             pfx);

    gh_http_send(req, status, "application/xml", body, strlen(body));
    free(body);
}

static void send_json(h2o_req_t *req, int status, int code, const char *msg, const char *desc, const char *next)
{
    json_t *f = json_pack("{s:i,s:s,s:s}", "code", code, "message", msg, "description", desc);
    json_t *o = json_pack("{s:o}", "fault", f);

    if (next != NULL)
        json_object_set_new(f, "nextAccessTime", json_string(next));
    gh_http_send_json(req, status, o);
    json_decref(o);
}

static void fault_ex(gw_req_t *r, int status, int code, const char *msg, const char *desc, const char *next)
{
    h2o_req_t *req = r->req;

    r->fault = code;
    gw_cors_headers(r);
    if (wants_xml(req))
        send_xml(req, status, code, msg, desc, next);
    else
        send_json(req, status, code, msg, desc, next);
}

void gw_fault(gw_req_t *r, int status, int code, const char *message, const char *description)
{
    h2o_req_t *req = r->req;

    if (status == 401) {
        char *v = gh_asprintf("OAuth2 realm=\"WSO2 API Manager\", error=\"invalid_token\", error_description=\"%s\"",
                              code == GH_KV_MISSING_CREDENTIALS ? "The access token is missing"
                                                                : "The access token expired or is invalid");
        h2o_iovec_t pv = h2o_strdup(&req->pool, code == GH_KV_MISSING_CREDENTIALS ? "OAuth2 realm=\"WSO2 API Manager\"" : v,
                                    SIZE_MAX);
        free(v);
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL, pv.base, pv.len);
    }
    fault_ex(r, status, code, message, description, NULL);
}

void gw_fault_auth(gw_req_t *r, int code)
{
    static const struct {
        int code;
        const char *suffix;
    } sfx[] = {{900901, "Make sure you have given the correct access token"},
               {900902, "Make sure your API invocation call has a header: \"Authorization: Bearer ACCESS_TOKEN\""},
               {900903, "Renew the access token and try again"},
               {900904, "Generate a new access token and try again"},
               {900906, "Check the API documentation and add a proper REST resource path to the invocation URL"}};
    const char *msg = gh_keyval_message(code), *suffix = NULL;
    char desc[768];
    size_t i;
    int status;

    if (code == GH_KV_GENERAL_ERROR && r->entry != NULL && r->entry->km_unreachable) {
        /* not the client's fault and not "invalid credentials": retry later (docs/deployment.md) */
        snprintf(desc, sizeof(desc),
                 "Access failure for API: %s, version: %s status: (%d) - The key manager is unreachable: the access "
                 "token could not be validated. Try again later",
                 r->api->context, r->api->version ? r->api->version : "", code);
        h2o_add_header(&r->req->pool, &r->req->res.headers, H2O_TOKEN_RETRY_AFTER, NULL, H2O_STRLIT("5"));
        gw_fault(r, 503, code, "Key Manager Unreachable", desc);
        return;
    }
    for (i = 0; i < GH_ARRAY_SIZE(sfx); ++i)
        if (sfx[i].code == code)
            suffix = sfx[i].suffix;
    /* 900900 is the server's fault; forbidden for no resource, no subscription or a blocked one, a missing
     * scope; 401 for everything about the token itself */
    status = code == GH_KV_GENERAL_ERROR ? 500
             : (code == GH_KV_NO_MATCHING_RESOURCE || code == GH_KV_RESOURCE_FORBIDDEN || code == GH_KV_INVALID_SCOPE ||
                code == GH_KV_API_BLOCKED || code == GH_KV_SUBSCRIPTION_INACTIVE)
                 ? 403
                 : 401;
    snprintf(desc, sizeof(desc), "Access failure for API: %s, version: %s status: (%d) - %s%s%s", r->api->context,
             r->api->version ? r->api->version : "", code, msg, suffix ? ". " : "", suffix ? suffix : "");
    gw_fault(r, status, code, msg, desc);
}

void gw_fault_throttle(gw_req_t *r, int code, int64_t retry_after_s)
{
    h2o_req_t *req = r->req;
    char next[64], ra[24];
    struct tm tm;
    time_t t = (time_t)(gh_gw_now_ms() / 1000 + retry_after_s);
    h2o_iovec_t v;

    if (retry_after_s < 1)
        retry_after_s = 1;
    gmtime_r(&t, &tm);
    strftime(next, sizeof(next), "%Y-%b-%d %H:%M:%S+0000 UTC", &tm);
    snprintf(ra, sizeof(ra), "%lld", (long long)retry_after_s);
    v = h2o_strdup(&req->pool, ra, SIZE_MAX);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_RETRY_AFTER, NULL, v.base, v.len);
    fault_ex(r, 429, code, "Message throttled out", "You have exceeded your quota", next);
}

static int listed(const char *list, const char *v, size_t vlen)
{
    const char *p = list;

    while (p != NULL && *p != '\0') {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        while (l > 0 && *p == ' ')
            ++p, --l;
        if ((l == 1 && *p == '*') || (l == vlen && strncasecmp(p, v, l) == 0))
            return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

void gw_cors_headers(gw_req_t *r)
{
    h2o_req_t *req = r->req;
    const gw_cors_t *c = r->api != NULL && r->api->cors.enabled != 0 ? &r->api->cors : &r->gw->cors;
    const h2o_iovec_t *origin = gh_http_header(req, "origin");
    h2o_mem_pool_t *p = &req->pool;

    if (c->enabled != 1 || origin == NULL || !listed(c->origins, origin->base, origin->len))
        return;
    h2o_add_header_by_str(p, &req->res.headers, H2O_STRLIT("access-control-allow-origin"), 0, NULL,
                          listed(c->origins, "*", 1) && !c->credentials ? "*" : origin->base,
                          listed(c->origins, "*", 1) && !c->credentials ? 1 : origin->len);
    if (c->methods != NULL)
        h2o_add_header_by_str(p, &req->res.headers, H2O_STRLIT("access-control-allow-methods"), 0, NULL, c->methods,
                              strlen(c->methods));
    if (c->headers != NULL)
        h2o_add_header_by_str(p, &req->res.headers, H2O_STRLIT("access-control-allow-headers"), 0, NULL, c->headers,
                              strlen(c->headers));
    if (c->credentials)
        h2o_add_header_by_str(p, &req->res.headers, H2O_STRLIT("access-control-allow-credentials"), 0, NULL,
                              H2O_STRLIT("true"));
    h2o_add_header(p, &req->res.headers, H2O_TOKEN_VARY, NULL, H2O_STRLIT("Origin"));
}
