/* Responses with the standard error bodies: OAuth2 (RFC 6749 §5.2), SCIM (RFC 7644 §3.12), WSO2 fault JSON. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "gatehouse/gh.h"
#include "gatehouse/form.h"
#include "gatehouse/http.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/rest.h"
#include "gatehouse/uri.h"


void gh_http_send(h2o_req_t *req, int status, const char *ctype, const char *body, size_t len)
{
    static h2o_generator_t generator = {NULL, NULL};
    h2o_iovec_t buf = h2o_strdup(&req->pool, body, len);

    req->res.status = status;
    req->res.reason = gh_http_reason(status);
    req->res.content_length = len;
    if (ctype != NULL)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ctype, strlen(ctype));
    h2o_start_response(req, &generator);
    h2o_send(req, &buf, 1, H2O_SEND_STATE_FINAL);
}

void gh_http_send_json(h2o_req_t *req, int status, json_t *json)
{
    char *s = json_dumps(json, JSON_COMPACT);

    if (s == NULL) {
        gh_http_send(req, 500, "application/json", "{}", 2);
        return;
    }
    gh_http_send(req, status, "application/json", s, strlen(s));
    free(s);
}

void gh_http_send_oauth_error(h2o_req_t *req, int status, const char *error, const char *description)
{
    json_t *j = json_pack("{s:s}", "error", error);

    if (description != NULL)
        json_object_set_new(j, "error_description", json_string(description));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    gh_http_send_json(req, status, j);
    json_decref(j);
}

void gh_http_send_scim_error(h2o_req_t *req, int status, const char *scim_type, const char *detail)
{
    char st[8];
    json_t *j;
    char *s;

    snprintf(st, sizeof(st), "%d", status);
    j = json_pack("{s:[s],s:s,s:s}", "schemas", "urn:ietf:params:scim:api:messages:2.0:Error", "status", st,
                  "detail", detail ? detail : gh_http_reason(status));
    if (scim_type != NULL)
        json_object_set_new(j, "scimType", json_string(scim_type));
    s = json_dumps(j, JSON_COMPACT);
    gh_http_send(req, status, "application/scim+json", s, strlen(s));
    free(s);
    json_decref(j);
}

void gh_http_send_fault(h2o_req_t *req, int status, int code, const char *message, const char *description)
{
    json_t *j = json_pack("{s:{s:i,s:s,s:s,s:s}}", "fault", "code", code, "type", "Status report", "message", message,
                          "description", description ? description : message);

    gh_http_send_json(req, status, j);
    json_decref(j);
}

int gh_http_method_is(h2o_req_t *req, const char *method)
{
    return h2o_memis(req->method.base, req->method.len, method, strlen(method));
}

const h2o_iovec_t *gh_http_header(h2o_req_t *req, const char *name)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, strlen(name), -1);

    return i < 0 ? NULL : &req->headers.entries[i].value;
}

char *gh_http_body(h2o_req_t *req, size_t max, size_t *len)
{
    char *s;

    if (req->entity.len > max)
        return NULL;
    s = h2o_mem_alloc_pool(&req->pool, req->entity.len + 1);
    if (req->entity.len)
        memcpy(s, req->entity.base, req->entity.len);
    s[req->entity.len] = '\0';
    if (len != NULL)
        *len = req->entity.len;
    return s;
}

char *gh_http_query_param(h2o_req_t *req, const char *name)
{
    gh_form_t f;
    const char *v;
    char *out = NULL;

    if (req->query_at == SIZE_MAX)
        return NULL;
    if (gh_form_parse(&f, req->path.base + req->query_at + 1, req->path.len - req->query_at - 1) == GH_OK &&
        (v = gh_form_get(&f, name)) != NULL)
        out = h2o_strdup(&req->pool, v, SIZE_MAX).base;
    gh_form_dispose(&f);
    return out;
}

int gh_http_basic_auth(h2o_req_t *req, int urldecode, char **user, char **password)
{
    const h2o_iovec_t *h = gh_http_header(req, "authorization");
    char *u, *p;
    int rc;

    if (h == NULL || (rc = gh_basic_parse(h->base, h->len, urldecode, &u, &p)) != 1)
        return h == NULL ? 0 : rc;
    *user = h2o_strdup(&req->pool, u, SIZE_MAX).base;
    *password = h2o_strdup(&req->pool, p, SIZE_MAX).base;
    free(u);
    gh_free_secret(p);
    return 1;
}

int gh_http_add_header(h2o_req_t *req, const char *name, const char *value)
{
    size_t nl = strlen(name), vl = strlen(value);
    h2o_iovec_t n, v;

    if (nl == 0 || !gh_uri_header_value_ok(name, nl) || strpbrk(name, " \t:") != NULL ||
        !gh_uri_header_value_ok(value, vl)) {
        gh_log(GH_LOG_WARN, "http", "refused a response header %s holding control characters", name);
        return GH_ERR;
    }
    n = h2o_strdup(&req->pool, name, nl);
    v = h2o_strdup(&req->pool, value, vl);
    h2o_strtolower(n.base, n.len);
    h2o_add_header_by_str(&req->pool, &req->res.headers, n.base, n.len, 0, NULL, v.base, v.len);
    return GH_OK;
}

static int json_media_type(const h2o_iovec_t *ct)
{
    size_t n;

    if (ct == NULL)
        return 0;
    /* the media type without parameters */
    for (n = 0; n < ct->len && ct->base[n] != ';' && ct->base[n] != ' '; ++n)
        ;
    if (n == 16 && strncasecmp(ct->base, "application/json", 16) == 0)
        return 1;
    return n > 17 && strncasecmp(ct->base, "application/", 12) == 0 && strncasecmp(ct->base + n - 5, "+json", 5) == 0;
}

int gh_http_json_write_check(h2o_req_t *req, const char **why)
{
    const h2o_iovec_t *origin;

    if (gh_http_method_is(req, "GET") || gh_http_method_is(req, "HEAD") || gh_http_method_is(req, "OPTIONS"))
        return 0;
    if ((origin = gh_http_header(req, "origin")) != NULL &&
        !gh_uri_same_origin(origin->base, origin->len, req->scheme->name.base, req->authority.base, req->authority.len)) {
        *why = "cross-origin requests are refused: the Origin header names another site";
        return 403;
    }
    if ((req->entity.len > 0 || gh_http_method_is(req, "POST") || gh_http_method_is(req, "PUT") ||
         gh_http_method_is(req, "PATCH")) &&
        !json_media_type(gh_http_header(req, "content-type"))) {
        *why = "the body must be JSON: send Content-Type application/json or application/scim+json";
        return 415;
    }
    return 0;
}

void gh_http_peer(h2o_req_t *req, char *buf, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len;

    buf[0] = '\0';
    if (req->conn == NULL || req->conn->callbacks->get_peername == NULL ||
        (len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss)) == 0)
        return;
    if (ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, buf, (socklen_t)size);
    else if (ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, buf, (socklen_t)size);
}
