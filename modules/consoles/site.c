/* The consoles' files: GET only, served from the embedded table with a strict Content-Security-Policy, strong
 * ETags (304 on If-None-Match) and revalidation on every load, so a new binary's pages are picked up at once. */
#include <stdlib.h>
#include <string.h>
#include "consoles_int.h"
#include "gatehouse/http.h"
#include "gatehouse/mem.h"

const gh_console_asset_t *gh_console_asset(const char *path, size_t len)
{
    size_t i;

    for (i = 0; i < gh_console_assets_count; ++i)
        if (strlen(gh_console_assets[i].path) == len && memcmp(gh_console_assets[i].path, path, len) == 0)
            return &gh_console_assets[i];
    return NULL;
}

void gh_console_security_headers(h2o_req_t *req, const char *csp)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("content-security-policy"), 0, NULL, csp,
                          strlen(csp));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-frame-options"), 0, NULL, H2O_STRLIT("DENY"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-content-type-options"), 0, NULL,
                          H2O_STRLIT("nosniff"));
    /* the authorization code arrives in the query string: never let it leave in a Referer */
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("referrer-policy"), 0, NULL,
                          H2O_STRLIT("no-referrer"));
}

/* 1 when the If-None-Match list names etag (or is "*") */
static int etag_matches(h2o_req_t *req, const char *etag)
{
    const h2o_iovec_t *inm = gh_http_header(req, "if-none-match");
    size_t el = strlen(etag), i;

    if (inm == NULL)
        return 0;
    if (inm->len == 1 && inm->base[0] == '*')
        return 1;
    for (i = 0; i + el <= inm->len; ++i)
        if (memcmp(inm->base + i, etag, el) == 0)
            return 1; /* also W/"x": If-None-Match compares weakly (RFC 9110 §13.1.2) */
    return 0;
}

static void send_static(h2o_req_t *req, int status, const gh_console_asset_t *a)
{
    static h2o_generator_t generator = {NULL, NULL};
    h2o_iovec_t body = h2o_iovec_init(a->data, a->len);

    req->res.status = status;
    req->res.reason = status == 304 ? "Not Modified" : "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ETAG, NULL, a->etag, strlen(a->etag));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-cache"));
    if (status == 304) {
        gh_http_send(req, 304, NULL, "", 0);
        return;
    }
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, a->ctype, strlen(a->ctype));
    req->res.content_length = a->len;
    h2o_start_response(req, &generator);
    /* the bytes are static: h2o may send them without a copy */
    h2o_send(req, &body, 1, H2O_SEND_STATE_FINAL);
}

int gh_console_on_site(h2o_handler_t *self, h2o_req_t *req)
{
    gh_console_site_t *site = ((gh_route_t *)self)->data;
    size_t plen = strlen(site->path), rlen;
    const char *rest;
    const gh_console_asset_t *a;
    char *name;

    rest = req->path_normalized.base + plen;
    rlen = req->path_normalized.len - plen;
    gh_console_security_headers(req, site->csp);
    /* GET only: libh2o 2.2.5 would send a HEAD response's body */
    if (!gh_http_method_is(req, "GET")) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, H2O_STRLIT("GET"));
        gh_http_send_fault(req, 405, 900906, "Method not allowed", "the consoles' pages are read with GET");
        return 0;
    }
    if (rlen == 0) {
        char *to = gh_asprintf("%s/", site->path);
        h2o_iovec_t v = h2o_strdup(&req->pool, to, SIZE_MAX);
        free(to);
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_LOCATION, NULL, v.base, v.len);
        gh_http_send(req, 301, NULL, "", 0);
        return 0;
    }
    if (rest[0] != '/') { /* "/storefront" is not the store's */
        gh_http_send_fault(req, 404, 900906, "No matching resource found", "no such page");
        return 0;
    }
    rest++;
    rlen--;
    if (rlen == 11 && memcmp(rest, "config.json", 11) == 0) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
        gh_http_send(req, 200, "application/json", site->config, strlen(site->config));
        return 0;
    }
    if (rlen == 0)
        name = gh_asprintf("%s/index.html", site->dir);
    else if (rlen > 7 && memcmp(rest, "common/", 7) == 0)
        name = gh_strndup(rest, rlen);
    else
        name = gh_asprintf("%s/%.*s", site->dir, (int)rlen, rest);
    a = gh_console_asset(name, strlen(name));
    free(name);
    if (a == NULL) {
        gh_http_send_fault(req, 404, 900906, "No matching resource found", "no such page in this console");
        return 0;
    }
    send_static(req, etag_matches(req, a->etag) ? 304 : 200, a);
    return 0;
}
