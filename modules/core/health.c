/* GET /health on every listener. Datasources are checked by a monitor thread every few seconds, so the handler
 * answers from memory and never waits on a database on the event loop. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include "core_int.h"
#include "gatehouse/db.h"
#include "gatehouse/health.h"
#include "gatehouse/http.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"

static void check_all(gh_server_t *srv)
{
    gh_health_t *h = &srv->health;
    size_t i;

    for (i = 0; i < srv->n_pools; ++i) {
        gh_err_t err = {0};
        int ok = gh_db_pool_check(srv->pools[i].pool, &err) == GH_OK;
        pthread_mutex_lock(&h->mu);
        if (ok != h->up[i] || !h->checked) {
            if (ok)
                gh_log(GH_LOG_NOTICE, "health", "datasource %s is up", srv->pools[i].ds->name);
            else
                gh_log(GH_LOG_ERR, "health", "datasource %s is down: %s", srv->pools[i].ds->name, err.msg);
        }
        h->up[i] = ok;
        free(h->state[i]);
        h->state[i] = gh_strdup(ok ? "UP" : err.msg);
        pthread_mutex_unlock(&h->mu);
    }
    pthread_mutex_lock(&h->mu);
    h->checked = 1;
    pthread_mutex_unlock(&h->mu);
}

static void *monitor_main(void *arg)
{
    gh_server_t *srv = arg;
    gh_health_t *h = &srv->health;
    struct timespec ts;

    pthread_mutex_lock(&h->mu);
    while (h->running) {
        pthread_mutex_unlock(&h->mu);
        check_all(srv);
        pthread_mutex_lock(&h->mu);
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += h->interval_ms / 1000;
        ts.tv_nsec += (long)(h->interval_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        if (h->running)
            pthread_cond_timedwait(&h->cv, &h->mu, &ts);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

int gh_health_start(gh_server_t *srv, gh_err_t *err)
{
    gh_health_t *h = &srv->health;

    h->state = gh_calloc(srv->n_pools + 1, sizeof(*h->state));
    h->up = gh_calloc(srv->n_pools + 1, sizeof(*h->up));
    h->interval_ms = srv->opts.health_interval_ms;
    /* the first round runs before the listeners open, so /health is truthful from the first request */
    check_all(srv);
    h->running = 1;
    h2o_multithread_create_thread(&h->tid, NULL, monitor_main, srv);
    (void)err;
    return GH_OK;
}

void gh_health_stop(gh_server_t *srv)
{
    gh_health_t *h = &srv->health;
    size_t i;

    if (h->state == NULL)
        return;
    pthread_mutex_lock(&h->mu);
    h->running = 0;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->tid, NULL);
    for (i = 0; i < srv->n_pools; ++i)
        free(h->state[i]);
    free(h->state);
    free(h->up);
    h->state = NULL;
    h->up = NULL;
}

static int on_health(h2o_handler_t *self, h2o_req_t *req)
{
    gh_server_t *srv = ((gh_route_t *)self)->srv;
    gh_health_t *h = &srv->health;
    json_t *body, *roles, *dss, *comps;
    char buf[128], *save = NULL, *tok;
    int all_up = 1, degraded = 0;
    size_t i;

    if (!gh_http_method_is(req, "GET") && !gh_http_method_is(req, "HEAD"))
        return -1;
    if (req->path_normalized.len != 7) /* exactly /health */
        return -1;
    roles = json_array();
    gh_roles_format(srv->opts.roles, buf, sizeof(buf));
    for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
        json_array_append_new(roles, json_string(tok));
    dss = json_array();
    pthread_mutex_lock(&h->mu);
    for (i = 0; i < srv->n_pools; ++i) {
        json_t *d = json_pack("{s:s,s:s,s:s}", "name", srv->pools[i].ds->name, "dialect",
                              gh_db_pool_dialect(srv->pools[i].pool), "status", h->up[i] ? "UP" : "DOWN");
        if (srv->pools[i].ds->jndi_name != NULL)
            json_object_set_new(d, "jndi", json_string(srv->pools[i].ds->jndi_name));
        if (!h->up[i]) {
            json_object_set_new(d, "error", json_string(h->state[i] ? h->state[i] : "not checked yet"));
            all_up = 0;
        }
        json_array_append_new(dss, d);
    }
    pthread_mutex_unlock(&h->mu);
    comps = json_array();
    for (i = 0;; ++i) {
        const char *name;
        gh_health_state_t st;
        char detail[640];
        json_t *c;

        if (!gh_health_component(i, &name, &st, detail, sizeof(detail)))
            break;
        c = json_pack("{s:s,s:s}", "name", name, "status", gh_health_state_name(st));
        if (detail[0] != '\0')
            json_object_set_new(c, "detail", json_string(detail));
        json_array_append_new(comps, c);
        if (st == GH_HEALTH_DEGRADED)
            degraded = 1;
        else if (st != GH_HEALTH_UP)
            all_up = 0;
    }
    body = json_pack("{s:s,s:s,s:o,s:o,s:o}", "status", !all_up ? "DOWN" : degraded ? "DEGRADED" : "UP", "version",
                     GH_VERSION, "roles",
                     roles, "datasources", dss, "components", comps);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    gh_http_send_json(req, all_up ? 200 : 503, body);
    json_decref(body);
    return 0;
}

/* Anything no module claims: WSO2's "main sequence" answer, as JSON. */
static int on_not_found(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    gh_http_send_fault(req, 404, 404, "Not Found", "The requested resource is not available.");
    return 0;
}

int gh_health_setup(gh_server_t *srv, gh_err_t *err)
{
    /* h2o picks the longest matching prefix, so "/" only catches what nothing else matches */
    /* on gateway listeners the gateway module answers unknown paths with its own WSO2 fault */
    if (gh_server_route_methods(srv, (gh_server_roles(srv) & GH_ROLE_GATEWAY) ? GH_ON_MGT : GH_ON_ALL, "/", "GET",
                                on_not_found, NULL, err) != GH_OK)
        return GH_ERR;
    return gh_server_route_methods(srv, GH_ON_ALL, "/health", "GET", on_health, NULL, err);
}
