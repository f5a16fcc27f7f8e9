/* /token, /revoke, /userinfo and /authorize on the gateway listeners go to the key manager, as API Manager's
 * gateway proxies them (_WSO2AMTokenAPI_ and friends): straight to its handlers when it runs in this process,
 * else to a key manager of APIKeyValidator/ServerURL (round-robin over those key validation has not found down). */
#include <stdio.h>
#include <string.h>
#include "gatehouse/mem.h"
#include "gw_int.h"

static const struct {
    const char *from, *to;
} map[] = {{"/token", "/oauth2/token"},
           {"/revoke", "/oauth2/revoke"},
           {"/userinfo", "/oauth2/userinfo"},
           {"/authorize", "/oauth2/authorize"}};

static void on_dispose(void *p)
{
    gw_req_t *r = p;

    gw_snapshot_unref(r->snap);
}

int gw_on_forward(h2o_handler_t *self, h2o_req_t *req)
{
    gh_gw_t *gw = ((gh_route_t *)self)->data;
    const h2o_iovec_t *p = &req->path_normalized;
    h2o_iovec_t path = {NULL, 0};
    const char *km;
    size_t i;

    for (i = 0; i < GH_ARRAY_SIZE(map); ++i) {
        size_t l = strlen(map[i].from);
        if (p->len >= l && memcmp(p->base, map[i].from, l) == 0 && (p->len == l || p->base[l] == '/')) {
            path = h2o_concat(&req->pool, h2o_iovec_init(map[i].to, strlen(map[i].to)),
                              h2o_iovec_init(p->base + l, p->len - l));
            break;
        }
    }
    if (path.base == NULL)
        return -1;
    if (req->query_at != SIZE_MAX)
        path = h2o_concat(&req->pool, path, h2o_iovec_init(req->path.base + req->query_at, req->path.len - req->query_at));
    if (gw->km_local) {
        /* the management host's handlers, in this process: no socket, no second TLS hop */
        h2o_reprocess_request(req, req->method, req->scheme, h2o_iovec_init(H2O_STRLIT("management")), path, NULL, 1);
        return 0;
    }
    /* API calls (not the browser's /authorize, which needs h2o's proxy for cookies and redirects) fail over */
    if (!h2o_memis(path.base, strlen("/oauth2/authorize"), H2O_STRLIT("/oauth2/authorize")) &&
        gw_forward_remote(gw, req, path) == GH_OK)
        return 0;
    if ((km = gw_kv_remote_base(gw)) == NULL)
        km = gw->km_url;
    if (km == NULL) {
        gw_req_t r = {.req = req, .gw = gw};
        gw_fault(&r, 503, 101503, "Runtime Error", "No key manager is configured (APIKeyValidator/ServerURL)");
        return 0;
    } else {
        gw_req_t *r = h2o_mem_alloc_shared(&req->pool, sizeof(*r), on_dispose);
        memset(r, 0, sizeof(*r));
        r->req = req;
        r->gw = gw;
        gw_proxy_to(r, km, path, 60000);
    }
    return 0;
}
