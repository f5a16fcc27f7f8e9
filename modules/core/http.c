/* Responses with the standard error bodies: OAuth2 (RFC 6749 §5.2), SCIM (RFC 7644 §3.12), WSO2 fault JSON. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include "gatehouse/http.h"

static const char *reason_of(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
    }
}

void gh_http_send(h2o_req_t *req, int status, const char *ctype, const char *body, size_t len)
{
    static h2o_generator_t generator = {NULL, NULL};
    h2o_iovec_t buf = h2o_strdup(&req->pool, body, len);

    req->res.status = status;
    req->res.reason = reason_of(status);
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
                  "detail", detail ? detail : reason_of(status));
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

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

char *gh_http_urldecode(const char *s, size_t len, int plus_is_space, h2o_mem_pool_t *pool)
{
    char *out = h2o_mem_alloc_pool(pool, len + 1), *o = out;
    size_t i;

    for (i = 0; i < len; ++i) {
        if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= len || (hi = hexval((unsigned char)s[i + 1])) < 0 || (lo = hexval((unsigned char)s[i + 2])) < 0)
                return NULL;
            *o = (char)(hi * 16 + lo);
            if (*o == '\0')
                return NULL; /* a NUL inside a value would cut it short further down */
            o++;
            i += 2;
        } else {
            *o++ = plus_is_space && s[i] == '+' ? ' ' : s[i];
        }
    }
    *o = '\0';
    return out;
}

char *gh_http_form_get(const char *form, size_t len, const char *name, h2o_mem_pool_t *pool, int *dup)
{
    size_t nlen = strlen(name), i = 0, end, eq;
    char *found = NULL;

    if (dup != NULL)
        *dup = 0;
    while (i < len) {
        for (end = i; end < len && form[end] != '&'; ++end)
            ;
        for (eq = i; eq < end && form[eq] != '='; ++eq)
            ;
        if (eq - i == nlen && memcmp(form + i, name, nlen) == 0) {
            if (found != NULL && dup != NULL)
                *dup = 1;
            if (found == NULL)
                found = gh_http_urldecode(form + eq + (eq < end), end - eq - (eq < end), 1, pool);
        }
        i = end + 1;
    }
    return found;
}

char *gh_http_query_param(h2o_req_t *req, const char *name)
{
    if (req->query_at == SIZE_MAX)
        return NULL;
    return gh_http_form_get(req->path.base + req->query_at + 1, req->path.len - req->query_at - 1, name, &req->pool,
                            NULL);
}

int gh_http_basic_auth(h2o_req_t *req, int urldecode, char **user, char **password)
{
    const h2o_iovec_t *h = gh_http_header(req, "authorization");
    unsigned char *dec;
    size_t n;
    int len;
    char *colon;

    if (h == NULL || h->len < 6 || strncasecmp(h->base, "Basic ", 6) != 0)
        return 0;
    n = h->len - 6;
    while (n > 0 && h->base[6 + n - 1] == ' ')
        n--;
    if (n == 0 || n % 4 != 0 || n > 4096)
        return -1;
    dec = h2o_mem_alloc_pool(&req->pool, n + 1);
    if ((len = EVP_DecodeBlock(dec, (const unsigned char *)h->base + 6, (int)n)) < 0)
        return -1;
    len -= (h->base[6 + n - 1] == '=') + (h->base[6 + n - 2] == '=');
    dec[len] = '\0';
    if (memchr(dec, '\0', (size_t)len) != NULL || (colon = strchr((char *)dec, ':')) == NULL)
        return -1;
    *colon = '\0';
    if (!urldecode) {
        *user = (char *)dec;
        *password = colon + 1;
        return 1;
    }
    *user = gh_http_urldecode((char *)dec, strlen((char *)dec), 1, &req->pool);
    *password = gh_http_urldecode(colon + 1, strlen(colon + 1), 1, &req->pool);
    return *user != NULL && *password != NULL ? 1 : -1;
}
