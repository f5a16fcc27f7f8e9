/* Proxy phase: the call goes to the API's production or sandbox endpoint (by key type) through libh2o's own
 * proxy, reached with h2o_reprocess_request() and per-request overrides: a socket pool per backend and loop
 * (connection reuse) and an HTTP client context per read timeout. A response filter on the gateway's path
 * turns libh2o's own 502s (backend unreachable or timed out) into WSO2's faults 101503 / 101504, adds CORS
 * headers and measures the backend latency. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "gatehouse/mem.h"
#include "gw_int.h"

#define GW_POOL_CAPACITY 1024
#define GW_KEEPALIVE_MS 10000

typedef struct st_backend_t {
    char *url;
    h2o_url_t parsed;
    h2o_socketpool_t pool;
} backend_t;

typedef struct st_client_t {
    uint64_t timeout_ms;
    h2o_timeout_t timeout;
    h2o_http1client_ctx_t ctx;
} client_t;

typedef struct st_loop_state_t {
    struct st_loop_state_t *next;
    backend_t *b;
    size_t nb;
    client_t *c[8];
    size_t nc;
} loop_state_t;

/* per loop (thread) state, also listed globally so gw_proxy_dispose() frees it once the loops are gone */
static __thread loop_state_t *LP;
static pthread_mutex_t all_mu = PTHREAD_MUTEX_INITIALIZER;
static loop_state_t *all;

#define L (*loop_state())

static loop_state_t *loop_state(void)
{
    if (LP == NULL) {
        LP = gh_calloc(1, sizeof(*LP));
        pthread_mutex_lock(&all_mu);
        LP->next = all;
        all = LP;
        pthread_mutex_unlock(&all_mu);
    }
    return LP;
}

void gw_proxy_dispose(void)
{
    loop_state_t *l, *n;
    size_t i;

    pthread_mutex_lock(&all_mu);
    for (l = all; l != NULL; l = n) {
        n = l->next;
        for (i = 0; i < l->nb; ++i) {
            h2o_socketpool_dispose(&l->b[i].pool);
            free(l->b[i].url);
        }
        free(l->b);
        for (i = 0; i < l->nc; ++i)
            free(l->c[i]);
        free(l);
    }
    all = NULL;
    pthread_mutex_unlock(&all_mu);
}

/* our overrides, so the response filter finds the request's gateway state */
typedef struct st_gw_overrides_t {
    h2o_req_overrides_t o;
    gw_req_t *r;
} gw_overrides_t;

int64_t gw_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static backend_t *backend(const char *url, h2o_context_t *ctx)
{
    size_t i;
    backend_t *b;

    for (i = 0; i < L.nb; ++i)
        if (strcmp(L.b[i].url, url) == 0)
            return &L.b[i];
    if (L.nb == 256)
        return NULL; /* bounded: more distinct backends than this per loop is a configuration problem */
    if (L.b == NULL)
        L.b = gh_calloc(256, sizeof(*L.b)); /* never moved: pools are referenced by in-flight requests */
    b = &L.b[L.nb];
    b->url = gh_strdup(url);
    if (h2o_url_parse(b->url, SIZE_MAX, &b->parsed) != 0) {
        free(b->url);
        return NULL;
    }
    h2o_socketpool_init_by_hostport(&b->pool, b->parsed.host, h2o_url_get_port(&b->parsed),
                                    b->parsed.scheme == &H2O_URL_SCHEME_HTTPS, GW_POOL_CAPACITY);
    h2o_socketpool_set_timeout(&b->pool, ctx->loop, GW_KEEPALIVE_MS);
    L.nb++;
    return b;
}

static h2o_http1client_ctx_t *client(gh_gw_t *gw, h2o_context_t *ctx, uint64_t timeout_ms)
{
    size_t i;
    client_t *c;

    for (i = 0; i < L.nc; ++i)
        if (L.c[i]->timeout_ms == timeout_ms)
            return &L.c[i]->ctx;
    if (L.nc == GH_ARRAY_SIZE(L.c))
        return &L.c[0]->ctx;
    c = gh_calloc(1, sizeof(*c));
    c->timeout_ms = timeout_ms;
    h2o_timeout_init(ctx->loop, &c->timeout, timeout_ms);
    c->ctx.loop = ctx->loop;
    c->ctx.getaddr_receiver = &ctx->receivers.hostinfo_getaddr;
    c->ctx.io_timeout = &c->timeout;
    c->ctx.ssl_ctx = gw->client_ssl;
    L.c[L.nc++] = c;
    return &c->ctx;
}

/* Forward req to url + tail (path after the API context, query included). */
int gw_proxy_to(gw_req_t *r, const char *url, h2o_iovec_t tail, int timeout_ms)
{
    h2o_req_t *req = r->req;
    backend_t *b = backend(url, req->conn->ctx);
    gw_overrides_t *ov;
    h2o_iovec_t path;
    size_t bl;

    if (b == NULL) {
        gw_fault(r, 500, 101500, "Runtime Error", "The API's endpoint URL is not valid");
        return GW_DONE;
    }
    ov = h2o_mem_alloc_pool(&req->pool, sizeof(*ov));
    memset(ov, 0, sizeof(*ov));
    ov->r = r;
    ov->o.socketpool = &b->pool;
    ov->o.client_ctx = client(r->gw, req->conn->ctx, (uint64_t)timeout_ms);
    ov->o.location_rewrite.match = &b->parsed;
    ov->o.location_rewrite.path_prefix = h2o_iovec_init(r->api ? r->api->context : "/", r->api ? strlen(r->api->context) : 1);
    /* backend path + the rest of the request path, without a doubled slash */
    bl = b->parsed.path.len;
    if (bl > 0 && b->parsed.path.base[bl - 1] == '/' && tail.len > 0 && tail.base[0] == '/')
        --bl;
    path = h2o_concat(&req->pool, h2o_iovec_init(b->parsed.path.base, bl), tail);
    if (path.len == 0 || path.base[0] != '/')
        path = h2o_concat(&req->pool, h2o_iovec_init(H2O_STRLIT("/")), path);
    r->proxied = 1;
    r->t_backend_start_us = gw_now_us();
    h2o_reprocess_request(req, req->method, b->parsed.scheme, b->parsed.authority, path, &ov->o, 0);
    return GW_DONE;
}

int gw_ph_proxy(gw_req_t *r)
{
    h2o_req_t *req = r->req;
    int sandbox = r->entry != NULL && strcmp(r->entry->info.type, "SANDBOX") == 0;
    const char *url = r->api->url[sandbox];
    h2o_iovec_t tail = h2o_iovec_init(req->path_normalized.base + r->rest, req->path_normalized.len - r->rest);

    if (url == NULL) {
        gw_fault(r, 403, GH_KV_INVALID_CREDENTIALS, "Invalid Credentials",
                 "Production key offered to the API with no production endpoint");
        return GW_DONE;
    }
    if (req->query_at != SIZE_MAX)
        tail = h2o_concat(&req->pool, tail, h2o_iovec_init(req->path.base + req->query_at, req->path.len - req->query_at));
    return gw_proxy_to(r, url, tail, r->api->timeout_ms);
}

/* --- the response filter --- */
typedef struct st_body_ostream_t {
    h2o_ostream_t super;
    h2o_iovec_t body;
} body_ostream_t;

static void body_do_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t n, h2o_send_state_t state)
{
    body_ostream_t *o = (body_ostream_t *)self;

    (void)bufs, (void)n;
    if (h2o_send_state_is_in_progress(state)) {
        h2o_ostream_send_next(self, req, NULL, 0, state);
        return;
    }
    h2o_ostream_send_next(self, req, &o->body, 1, state);
}

static int proxy_error(h2o_req_t *req, int *timeout)
{
    size_t i;

    *timeout = 0;
    if (req->res.status != 502 || req->res.reason == NULL || strcmp(req->res.reason, "Gateway Error") != 0)
        return 0;
    for (i = 0; i < req->error_logs.size; ++i)
        if (h2o_strstr(req->error_logs.entries[i].msg.base, req->error_logs.entries[i].msg.len,
                       H2O_STRLIT("timeout")) != SIZE_MAX)
            *timeout = 1;
    return 1;
}

static void on_setup_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    gw_req_t *r = NULL;
    int timeout;

    if (req->overrides != NULL && req->overrides->socketpool != NULL)
        r = ((gw_overrides_t *)req->overrides)->r;
    if (r != NULL && r->proxied) {
        r->t_backend_us = gw_now_us() - r->t_backend_start_us;
        gw_cors_headers(r);
        if (proxy_error(req, &timeout)) {
            body_ostream_t *o;
            char *s = gh_asprintf("{\"fault\":{\"code\":%d,\"message\":\"%s\",\"description\":\"%s\"}}",
                                  timeout ? 101504 : 101503, timeout ? "Connection timed out" : "Error connecting to the back end",
                                  timeout ? "The backend did not answer in time" : "The backend is not reachable");
            h2o_iovec_t body = h2o_strdup(&req->pool, s, SIZE_MAX);
            free(s);
            r->fault = timeout ? 101504 : 101503;
            req->res.status = timeout ? 504 : 503;
            req->res.reason = timeout ? "Gateway Timeout" : "Service Unavailable";
            req->res.content_length = body.len;
            req->res.headers = (h2o_headers_t){NULL};
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/json"));
            gw_cors_headers(r);
            o = (body_ostream_t *)h2o_add_ostream(req, sizeof(*o), slot);
            o->super.do_send = body_do_send;
            o->body = body;
            slot = &o->super.next;
        }
    }
    h2o_setup_next_ostream(req, slot);
    (void)self;
}

/* Runs on each loop's own thread as its gateway context goes, before h2o_evloop_destroy(): the keep-alive
 * pools' and the clients' timeouts are linked into the loop and must leave it first (h2o asserts it). Idempotent:
 * the filter may sit on more than one path. gw_proxy_dispose() frees what is left once the loops are gone. */
static void on_context_dispose(h2o_filter_t *self, h2o_context_t *ctx)
{
    loop_state_t *l = LP;
    size_t i;

    (void)self;
    if (l == NULL)
        return;
    for (i = 0; i < l->nb; ++i) {
        h2o_socketpool_dispose(&l->b[i].pool);
        free(l->b[i].url);
    }
    free(l->b);
    l->b = NULL;
    l->nb = 0;
    for (i = 0; i < l->nc; ++i) {
        h2o_timeout_dispose(ctx->loop, &l->c[i]->timeout);
        free(l->c[i]);
    }
    l->nc = 0;
}

void gw_proxy_filter_register(h2o_pathconf_t *pathconf, void *data)
{
    h2o_filter_t *f = h2o_create_filter(pathconf, sizeof(*f));

    (void)data;
    f->on_setup_ostream = on_setup_ostream;
    f->on_context_dispose = on_context_dispose;
}
