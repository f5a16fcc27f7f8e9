/* The gateway module (role `gateway`): the pipeline on "/" of the gateway listeners, the key manager's
 * token endpoints forwarded there, /metrics on the management listeners, and the API table: loaded at start,
 * reloaded by a background thread (never an event loop) when a change event says so, and every few seconds
 * to catch other processes' changes, then swapped in atomically. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/ssl.h>
#include "gatehouse/events.h"
#include "gatehouse/http.h"
#include "gatehouse/keymanager.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/registry.h"
#include "gatehouse/thread.h"
#include "gw_int.h"

#define GW_RELOAD_INTERVAL_MS 5000
#define GW_CACHE_MAX 100000

gw_snapshot_t *gw_current(gh_gw_t *gw)
{
    gw_snapshot_t *s;

    pthread_mutex_lock(&gw->mu);
    s = gw_snapshot_ref(gw->snap);
    pthread_mutex_unlock(&gw->mu);
    return s;
}

static int reload(gh_gw_t *gw)
{
    gh_db_conn_t *c = NULL;
    gh_err_t err = {0};
    gw_snapshot_t *s, *old;

    if (gh_db_borrow(gw->pool, &c, &err) != GH_OK) {
        gh_log(GH_LOG_WARN, "gateway", "API table reload: %s", err.msg);
        return GH_ERR;
    }
    s = gw_snapshot_load(c, &err);
    gh_db_return(c);
    if (s == NULL) {
        gh_log(GH_LOG_WARN, "gateway", "API table reload: %s", err.msg);
        return GH_ERR;
    }
    pthread_mutex_lock(&gw->mu);
    old = gw->snap;
    s->generation = old != NULL ? old->generation + 1 : 1;
    gw->snap = s;
    pthread_mutex_unlock(&gw->mu);
    gw_snapshot_unref(old);
    atomic_fetch_add(&gw->reloads, 1);
    return GH_OK;
}

static void *reload_main(void *arg)
{
    gh_gw_t *gw = arg;
    struct timespec ts;

    pthread_mutex_lock(&gw->reload_mu);
    while (gw->reload_running) {
        if (!atomic_exchange(&gw->reload_wanted, 0)) {
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += gw->reload_interval_ms / 1000;
            ts.tv_nsec += (long)(gw->reload_interval_ms % 1000) * 1000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&gw->reload_cv, &gw->reload_mu, &ts);
            atomic_store(&gw->reload_wanted, 0);
            if (!gw->reload_running)
                break;
        }
        pthread_mutex_unlock(&gw->reload_mu);
        reload(gw);
        pthread_mutex_lock(&gw->reload_mu);
    }
    pthread_mutex_unlock(&gw->reload_mu);
    return NULL;
}

void gw_reload_now(gh_gw_t *gw)
{
    pthread_mutex_lock(&gw->reload_mu);
    atomic_store(&gw->reload_wanted, 1);
    pthread_cond_signal(&gw->reload_cv);
    pthread_mutex_unlock(&gw->reload_mu);
}

/* Change events arrive on the publisher's thread: drop what they make stale, wake the reload thread. */
static void on_event(const gh_event_t *ev, void *data)
{
    gh_gw_t *gw = data;

    switch (ev->kind) {
    case GH_EV_API_CHANGED:
        gw_reload_now(gw);
        if (ev->api_id > 0 && !(ev->flags & GH_EV_F_ALL))
            gw_cache_drop_api(ev->api_id);
        else
            gw_cache_drop(NULL);
        break;
    case GH_EV_POLICY_CHANGED:
        gw_reload_now(gw);
        /* blocking conditions live in the snapshot, not in the cached validations: keep the cache, so an
         * administrator blocking address after address under attack does not send every caller back to the key
         * managers */
        if ((ev->flags & GH_EV_F_ALL) || ev->name == NULL || strcmp(ev->name, "BLOCK_CONDITION") != 0)
            gw_cache_drop(NULL);
        break;
    case GH_EV_TOKEN_REVOKED:
        if (!(ev->flags & GH_EV_F_ALL))
            gw_cache_revoke(ev->consumer_key == NULL ? ev->token_hash : NULL, ev->consumer_key, ev->at_ms);
        gw_cache_drop(ev->token_hash != NULL && ev->consumer_key == NULL ? ev->token_hash : NULL);
        break;
    case GH_EV_SUBSCRIPTION_CHANGED:
    case GH_EV_APPLICATION_CHANGED:
    case GH_EV_KEYS_CHANGED:
        /* only what the change touches: emptying the whole cache would send every caller back to the key
         * managers at once, for one application's change */
        if ((ev->flags & GH_EV_F_ALL) || (ev->application_id <= 0 && ev->consumer_key == NULL))
            gw_cache_drop(NULL);
        else
            gw_cache_drop_related(ev->kind == GH_EV_SUBSCRIPTION_CHANGED ? ev->api_id : 0, ev->application_id,
                                  ev->consumer_key);
        break;
    default:
        break;
    }
}

static SSL_CTX *client_ssl(const gh_conf_t *conf)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    char path[4096];
    struct stat st;

    SSL_CTX_set_default_verify_paths(ctx);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    /* backends signed by this server's own certificate, or by what the operator trusts for backends */
    snprintf(path, sizeof(path), "%s/security/gatehouse-cert.pem", conf->dir);
    if (stat(path, &st) == 0)
        SSL_CTX_load_verify_locations(ctx, path, NULL);
    if (conf->carbon.cert_file != NULL)
        SSL_CTX_load_verify_locations(ctx, conf->carbon.cert_file, NULL);
    snprintf(path, sizeof(path), "%s/security/client-truststore.pem", conf->dir);
    if (stat(path, &st) == 0)
        SSL_CTX_load_verify_locations(ctx, path, NULL);
    return ctx;
}

/* scheme://host:port of APIKeyValidator/ServerURL: where /token goes when no key manager runs here */
static char *km_base(const char *url)
{
    const char *p = url != NULL ? strstr(url, "://") : NULL, *e;

    if (p == NULL)
        return NULL;
    e = strchr(p + 3, '/');
    return e != NULL ? gh_strndup(url, (size_t)(e - url)) : gh_strdup(url);
}

static void setup_conf(gh_gw_t *gw, const gh_conf_t *conf)
{
    const gh_conf_apim_t *a = &conf->apim;
    size_t i;

    gw->jwt_header = gh_strdup(a->jwt_header != NULL ? a->jwt_header : "X-JWT-Assertion");
    gw->jwt_header_lc = gh_strdup(gw->jwt_header);
    for (i = 0; gw->jwt_header_lc[i] != '\0'; ++i)
        gw->jwt_header_lc[i] = (char)tolower((unsigned char)gw->jwt_header_lc[i]);
    gw->remove_auth_header = a->remove_oauth_headers;
    gw->cors.enabled = a->cors_enabled ? 1 : -1;
    gw->cors.origins = a->cors_origins ? gh_strdup(a->cors_origins) : NULL;
    gw->cors.methods = a->cors_methods ? gh_strdup(a->cors_methods) : NULL;
    gw->cors.headers = a->cors_headers ? gh_strdup(a->cors_headers) : NULL;
    gw->cors.credentials = a->cors_credentials;
    gw->km_url = km_base(a->key_validator_url);
    /* checked when the configuration was loaded: a bad entry cannot get here */
    if (a->trusted_proxies != NULL && gw_cidr_list_parse(a->trusted_proxies, &gw->trusted_proxies,
                                                         &gw->n_trusted_proxies) != 0)
        gh_log(GH_LOG_WARN, "gateway", "BlockCondition/TrustedProxies ignored: not a list of addresses");
    gw->reload_interval_ms = GW_RELOAD_INTERVAL_MS;
    gw->max_inflight = 8;
}

/* the verbs an API resource may declare (Publisher's resource verbs) */
#define GW_METHODS "GET POST PUT DELETE PATCH HEAD OPTIONS"

static int add_routes(gh_gw_t *gw, gh_server_t *srv, gh_err_t *err)
{
    /* the methods the key manager's handlers answer (forward.c) */
    static const struct {
        const char *path, *methods;
    } fwd[] = {{"/token", "POST"}, {"/revoke", "POST"}, {"/userinfo", "GET POST"}, {"/authorize", "GET POST"}};
    size_t i;

    if (gh_server_route_methods(srv, GH_ON_GW, "/", GW_METHODS, gw_on_request, gw, err) != GH_OK)
        return GH_ERR;
    for (i = 0; i < GH_ARRAY_SIZE(fwd); ++i)
        if (gh_server_route_methods(srv, GH_ON_GW, fwd[i].path, fwd[i].methods, gw_on_forward, gw, err) != GH_OK)
            return GH_ERR;
    if (gh_server_route_methods(srv, GH_ON_MGT, "/metrics", "GET", gw_on_metrics, gw, err) != GH_OK)
        return GH_ERR;
    return gh_server_on_pathconf(srv, GH_ON_GW, "/", gw_proxy_filter_register, gw, err);
}

static gh_gw_t *the_gw;

static int on_setup(gh_server_t *srv, gh_err_t *err)
{
    const gh_conf_t *conf = gh_server_conf(srv);
    const gh_plugin_t *kv;
    gh_gw_t *gw;

    if (conf->apim.datasource == NULL || gh_server_pool(srv, conf->apim.datasource) == NULL)
        return gh_err_set(err, GH_E_CONFIG, "api-manager.xml: the gateway needs DataSourceName (the API tables)");
    if ((kv = gw_kv_select(srv, err)) == NULL) /* in-process, or "ws-client" to remote key managers */
        return GH_ERR;
    gw = the_gw = gh_calloc(1, sizeof(*gw));
    gw->srv = srv;
    gw->conf = conf;
    gw->pool = gh_server_pool(srv, conf->apim.datasource);
    pthread_mutex_init(&gw->mu, NULL);
    pthread_mutex_init(&gw->reload_mu, NULL);
    pthread_cond_init(&gw->reload_cv, NULL);
    setup_conf(gw, conf);
    gw->kv = kv->ops;
    if ((gw->kv_cls = gw->kv->create(srv, err)) == NULL) /* e.g. a ws-client without a usable ServerURL */
        return GH_ERR;
    /* the key-manager role, not merely a key manager (portal roles run one for themselves) */
    gw->km_local = (gh_server_roles(srv) & GH_ROLE_KM) && gh_server_km(srv) != NULL;
    gw->counters = gw_counters_select(srv, gw->pool); /* memory, or shared with other gateways */
    gw->counters_cls = gw->counters->create();
    gw->client_ssl = client_ssl(conf);
    gw_cache_init(GW_CACHE_MAX);
    if (reload(gw) != GH_OK) /* the database may be down: the reload thread keeps trying */
        gh_log(GH_LOG_WARN, "gateway", "starting without APIs; retrying every %d ms", gw->reload_interval_ms);
    if (add_routes(gw, srv, err) != GH_OK)
        return GH_ERR;
    if ((gw->events_handle = gh_events_subscribe(on_event, gw)) <= 0)
        return gh_err_set(err, GH_E_GENERIC, "cannot subscribe to change events");
    gw->reload_running = 1;
    pthread_create(&gw->reload_tid, NULL, reload_main, gw);
    gh_server_set_gateway(srv, gw);
    gh_log(GH_LOG_INFO, "gateway", "%zu APIs deployed, backend JWT %s, %zu blocking conditions%s",
           gw->snap ? gw->snap->n_apis : 0, conf->apim.jwt_enabled ? "on" : "off",
           gw->snap ? gw_block_count(&gw->snap->block) : 0, conf->apim.block_conditions ? "" : " (not enforced)");
    return GH_OK;
}

static void on_dispose(gh_server_t *srv)
{
    gh_gw_t *gw = the_gw;

    (void)srv;
    if (gw == NULL)
        return;
    if (gw->events_handle > 0)
        gh_events_unsubscribe(gw->events_handle);
    if (gw->reload_running) {
        pthread_mutex_lock(&gw->reload_mu);
        gw->reload_running = 0;
        pthread_cond_signal(&gw->reload_cv);
        pthread_mutex_unlock(&gw->reload_mu);
        pthread_join(gw->reload_tid, NULL);
    }
    gw_cache_dispose();
    gw_snapshot_unref(gw->snap);
    if (gw->counters_cls != NULL)
        gw->counters->destroy(gw->counters_cls);
    if (gw->kv != NULL && gw->kv_cls != NULL && gw->kv->destroy != NULL)
        gw->kv->destroy(gw->kv_cls);
    if (gw->client_ssl != NULL)
        SSL_CTX_free(gw->client_ssl);
    gw_proxy_dispose();
    free(gw->jwt_header);
    free(gw->jwt_header_lc);
    free(gw->cors.origins);
    free(gw->cors.methods);
    free(gw->cors.headers);
    free(gw->km_url);
    free(gw->trusted_proxies);
    pthread_mutex_destroy(&gw->mu);
    pthread_mutex_destroy(&gw->reload_mu);
    pthread_cond_destroy(&gw->reload_cv);
    free(gw);
    the_gw = NULL;
}

static void on_loop_dispose(gh_server_t *srv)
{
    (void)srv;
    gw_proxy_loop_dispose(gw_proxy_current_loop());
}

static const gh_module_t gw_module = {.name = "gateway",
                                      .roles = GH_ROLE_GATEWAY,
                                      .setup = on_setup,
                                      .dispose = on_dispose,
                                      .loop_dispose = on_loop_dispose};

void gh_gw_register_builtin(void)
{
    static const gh_plugin_t p = {.family = GH_FAMILY_MODULE, .name = "gateway", .ops = &gw_module};

    gw_register_kv_inproc();
    gw_register_kv_remote();
    if (gh_registry_find(GH_FAMILY_MODULE, "gateway", NULL) == NULL)
        gh_registry_add(&p, NULL);
}
