/* Assembles the server from the conf and the profile: ports, TLS, pools, routes of the enabled modules. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core_int.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/registry.h"

static h2o_pathconf_t *find_or_add_path(h2o_hostconf_t *host, const char *path);

static const int default_ports[GH_LST_COUNT] = {GH_PORT_MGT_HTTPS, GH_PORT_MGT_HTTP, GH_PORT_GW_HTTPS,
                                                GH_PORT_GW_HTTP};

const gh_conf_t *gh_server_conf(const gh_server_t *srv)
{
    return srv->conf;
}

unsigned gh_server_roles(const gh_server_t *srv)
{
    return srv->opts.roles;
}

int gh_server_port(const gh_server_t *srv, gh_listener_kind_t kind)
{
    return srv->ports[kind];
}

void gh_server_set_userstore(gh_server_t *srv, gh_us_t *us)
{
    srv->us = us;
}

gh_us_t *gh_server_userstore(gh_server_t *srv)
{
    return srv->us;
}

void gh_server_set_km(gh_server_t *srv, gh_km_t *km)
{
    srv->km = km;
}

gh_km_t *gh_server_km(gh_server_t *srv)
{
    return srv->km;
}

void gh_server_set_gateway(gh_server_t *srv, gh_gw_t *gw)
{
    srv->gw = gw;
}

gh_gw_t *gh_server_gateway(gh_server_t *srv)
{
    return srv->gw;
}

int gh_server_on_pathconf(gh_server_t *srv, unsigned mask, const char *path, gh_pathconf_fn fn, void *data,
                          gh_err_t *err)
{
    struct st_gh_pathconf_hook_t *h;

    if (srv->n_hooks == GH_ARRAY_SIZE(srv->hooks))
        return gh_err_set(err, GH_E_INPUT, "too many path configuration hooks");
    h = &srv->hooks[srv->n_hooks++];
    h->mask = mask;
    h->path = gh_strdup(path);
    h->fn = fn;
    h->data = data;
    return GH_OK;
}

static void run_pathconf_hooks(gh_server_t *srv)
{
    size_t i, k;

    for (i = 0; i < srv->n_hooks; ++i) {
        h2o_hostconf_t *hosts[2] = {(srv->hooks[i].mask & GH_ON_MGT) ? srv->mgt_host : NULL,
                                    (srv->hooks[i].mask & GH_ON_GW) ? srv->gw_host : NULL};
        for (k = 0; k < 2; ++k)
            if (hosts[k] != NULL)
                srv->hooks[i].fn(find_or_add_path(hosts[k], srv->hooks[i].path), srv->hooks[i].data);
    }
}

static h2o_pathconf_t *find_or_add_path(h2o_hostconf_t *host, const char *path)
{
    size_t i;

    for (i = 0; i != host->paths.size; ++i)
        if (h2o_memis(host->paths.entries[i].path.base, host->paths.entries[i].path.len, path, strlen(path)))
            return &host->paths.entries[i];
    return h2o_config_register_path(host, path, 0);
}

int gh_server_route(gh_server_t *srv, unsigned mask, const char *path, gh_route_fn fn, void *data, gh_err_t *err)
{
    if (path[0] != '/')
        return gh_err_set(err, GH_E_INPUT, "route path '%s' must start with '/'", path);
    srv->routes = gh_realloc(srv->routes, (srv->n_routes + 1) * sizeof(*srv->routes));
    srv->routes[srv->n_routes].mask = mask;
    srv->routes[srv->n_routes].path = gh_strdup(path);
    srv->routes[srv->n_routes].fn = fn;
    srv->routes[srv->n_routes].data = data;
    srv->n_routes++;
    return GH_OK;
}

/* stable: handlers of one path keep the order their modules registered them in */
static void sort_by_path_length(struct st_gh_route_spec_t *r, size_t n)
{
    size_t i, j;

    for (i = 1; i < n; ++i) {
        struct st_gh_route_spec_t t = r[i];
        for (j = i; j > 0 && strlen(r[j - 1].path) < strlen(t.path); --j)
            r[j] = r[j - 1];
        r[j] = t;
    }
}

/* libh2o 2.2.5 tries path prefixes in registration order, so the longest paths go in first: "/" catches only
 * what nothing else matched, whatever order the modules registered in. */
static void commit_routes(gh_server_t *srv)
{
    size_t i, k;

    sort_by_path_length(srv->routes, srv->n_routes);
    for (i = 0; i < srv->n_routes; ++i) {
        h2o_hostconf_t *hosts[2] = {(srv->routes[i].mask & GH_ON_MGT) ? srv->mgt_host : NULL,
                                    (srv->routes[i].mask & GH_ON_GW) ? srv->gw_host : NULL};
        for (k = 0; k < 2; ++k) {
            gh_route_t *r;
            if (hosts[k] == NULL)
                continue;
            r = (gh_route_t *)h2o_create_handler(find_or_add_path(hosts[k], srv->routes[i].path), sizeof(*r));
            r->super.on_req = srv->routes[i].fn;
            r->srv = srv;
            r->data = srv->routes[i].data;
        }
    }
}

static int setup_modules(gh_server_t *srv, gh_err_t *err)
{
    const gh_plugin_t *p;
    size_t i;

    for (i = 0; (p = gh_registry_at(GH_FAMILY_MODULE, i)) != NULL; ++i) {
        const gh_module_t *m = p->ops;
        if ((m->roles & srv->opts.roles) == 0 || m->setup == NULL)
            continue;
        if (m->setup(srv, err) != GH_OK)
            return GH_ERR;
        gh_log(GH_LOG_DEBUG, "server", "module %s ready", m->name);
    }
    return GH_OK;
}

static void dispose_modules(gh_server_t *srv)
{
    const gh_plugin_t *p;
    size_t i;

    for (i = 0; (p = gh_registry_at(GH_FAMILY_MODULE, i)) != NULL; ++i) {
        const gh_module_t *m = p->ops;
        if ((m->roles & srv->opts.roles) != 0 && m->dispose != NULL)
            m->dispose(srv);
    }
}

static int bind_early(gh_server_t *srv, gh_err_t *err)
{
    int k;

    for (k = 0; k < GH_LST_COUNT; ++k) {
        if (!(srv->listeners & (1u << k)))
            continue;
        /* binding here, before threads start, turns "port in use" into a start-up error with exit 1 */
        if ((srv->fds[k] = gh_listener_bind(srv->opts.bind_host, srv->ports[k], err)) < 0)
            return GH_ERR;
    }
    return GH_OK;
}

int gh_server_create(const gh_conf_t *conf, const gh_server_opts_t *opts, gh_server_t **out, gh_err_t *err)
{
    gh_server_t *srv = gh_calloc(1, sizeof(*srv));
    sigset_t set;
    long ncpu;
    int k;

    gh_loops_block_signals(&set);
    srv->conf = conf;
    srv->opts = *opts;
    if (srv->opts.roles == 0)
        srv->opts.roles = GH_ROLE_ALL;
    if (srv->opts.workers <= 0)
        srv->opts.workers = (ncpu = sysconf(_SC_NPROCESSORS_ONLN)) > 0 ? (int)ncpu : 1;
    if (srv->opts.job_workers <= 0)
        srv->opts.job_workers = 16;
    if (srv->opts.bind_host == NULL)
        srv->opts.bind_host = "0.0.0.0";
    if (srv->opts.drain_timeout_ms <= 0)
        srv->opts.drain_timeout_ms = 10000;
    if (srv->opts.health_interval_ms <= 0)
        srv->opts.health_interval_ms = 2000;
    srv->n_loops = srv->opts.workers;
    pthread_mutex_init(&srv->health.mu, NULL);
    pthread_cond_init(&srv->health.cv, NULL);
    pthread_mutex_init(&srv->ready_mu, NULL);
    pthread_cond_init(&srv->ready_cv, NULL);
    for (k = 0; k < GH_LST_COUNT; ++k) {
        srv->ports[k] = default_ports[k] + conf->carbon.port_offset;
        srv->fds[k] = -1;
    }
    if (srv->opts.roles & (GH_ROLE_KM | GH_ROLE_PUBLISHER | GH_ROLE_DEVPORTAL | GH_ROLE_ADMIN))
        srv->listeners |= GH_ON_MGT;
    if (srv->opts.roles & GH_ROLE_GATEWAY)
        srv->listeners |= GH_ON_GW;

    h2o_config_init(&srv->globalconf);
    srv->globalconf.server_name = h2o_iovec_init(H2O_STRLIT("Gatehouse"));
    /* bodies are read whole before handlers run: cap them (OAuth forms and REST payloads are small) */
    srv->globalconf.max_request_entity_size = 8 * 1024 * 1024;
    srv->mgt_host = h2o_config_register_host(&srv->globalconf, h2o_iovec_init(H2O_STRLIT("management")), 65535);
    srv->gw_host = h2o_config_register_host(&srv->globalconf, h2o_iovec_init(H2O_STRLIT("gateway")), 65535);
    srv->hosts_mgt[0] = srv->mgt_host;
    srv->hosts_gw[0] = srv->gw_host;
    *out = srv;

    if ((srv->ssl_ctx = gh_tls_server_ctx(conf, err)) == NULL)
        return GH_ERR;
    if (gh_pools_open(srv, err) != GH_OK)
        return GH_ERR;
    if (gh_health_setup(srv, err) != GH_OK || setup_modules(srv, err) != GH_OK)
        return GH_ERR;
    commit_routes(srv);
    run_pathconf_hooks(srv);
    return bind_early(srv, err);
}

int gh_server_run(gh_server_t *srv, gh_err_t *err)
{
    char roles[128];
    int rc;

    gh_roles_format(srv->opts.roles, roles, sizeof(roles));
    gh_jobs_start(srv->opts.job_workers);
    gh_health_start(srv, err);
    gh_log(GH_LOG_NOTICE, "server", "roles %s, port offset %d", roles, srv->conf->carbon.port_offset);
    if (srv->listeners & GH_ON_MGT)
        gh_log(GH_LOG_NOTICE, "server", "management: https://%s:%d/ http://%s:%d/", srv->opts.bind_host,
               srv->ports[GH_LST_MGT_HTTPS], srv->opts.bind_host, srv->ports[GH_LST_MGT_HTTP]);
    if (srv->listeners & GH_ON_GW)
        gh_log(GH_LOG_NOTICE, "server", "gateway: https://%s:%d/ http://%s:%d/", srv->opts.bind_host,
               srv->ports[GH_LST_GW_HTTPS], srv->opts.bind_host, srv->ports[GH_LST_GW_HTTP]);
    rc = gh_loops_run(srv, err);
    gh_health_stop(srv);
    gh_jobs_stop();
    return rc;
}

void gh_server_destroy(gh_server_t *srv)
{
    int k;

    if (srv == NULL)
        return;
    dispose_modules(srv);
    for (k = 0; k < GH_LST_COUNT; ++k)
        if (srv->fds[k] >= 0)
            close(srv->fds[k]);
    gh_pools_close(srv);
    h2o_config_dispose(&srv->globalconf);
    for (k = 0; k < (int)srv->n_routes; ++k)
        free(srv->routes[k].path);
    for (k = 0; k < (int)srv->n_hooks; ++k)
        free(srv->hooks[k].path);
    free(srv->routes);
    if (srv->ssl_ctx != NULL)
        SSL_CTX_free(srv->ssl_ctx);
    pthread_mutex_destroy(&srv->health.mu);
    pthread_cond_destroy(&srv->health.cv);
    pthread_mutex_destroy(&srv->ready_mu);
    pthread_cond_destroy(&srv->ready_cv);
    free(srv);
}
