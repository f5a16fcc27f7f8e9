/* The server runtime: roles chosen by --profile, the four WSO2 listeners, one event loop per thread, and the
 * route table modules fill before the loops start. Only files that speak HTTP include this header. */
#ifndef GH_SERVER_H
#define GH_SERVER_H

#include <h2o.h>
#include "gatehouse/conf.h"
#include "gatehouse/err.h"

/* Roles (--profile). WSO2 2.x profile names are accepted as aliases (api-key-manager, api-publisher, api-store,
 * gateway-worker). */
enum {
    GH_ROLE_GATEWAY = 1u << 0,
    GH_ROLE_KM = 1u << 1,
    GH_ROLE_PUBLISHER = 1u << 2,
    GH_ROLE_DEVPORTAL = 1u << 3,
    GH_ROLE_ADMIN = 1u << 4,
    GH_ROLE_ALL = (1u << 5) - 1,
};

/* Listener kinds. Management listeners carry the key manager, portals and admin; gateway listeners carry API
 * traffic. */
typedef enum { GH_LST_MGT_HTTPS = 0, GH_LST_MGT_HTTP, GH_LST_GW_HTTPS, GH_LST_GW_HTTP, GH_LST_COUNT } gh_listener_kind_t;
#define GH_ON_MGT ((1u << GH_LST_MGT_HTTPS) | (1u << GH_LST_MGT_HTTP))
#define GH_ON_GW ((1u << GH_LST_GW_HTTPS) | (1u << GH_LST_GW_HTTP))
#define GH_ON_ALL (GH_ON_MGT | GH_ON_GW)

/* Parse "all", "gateway", "key-manager,publisher", ... into GH_ROLE_* bits. */
int gh_roles_parse(const char *s, unsigned *out, gh_err_t *err);
/* "gateway,key-manager,..." into buf */
void gh_roles_format(unsigned roles, char *buf, size_t size);

typedef struct st_gh_server_opts_t {
    const char *conf_dir;
    unsigned roles;        /* GH_ROLE_* */
    int workers;           /* event-loop threads; 0 = number of CPUs */
    int job_workers;       /* threads for blocking work (database); 0 = default 16 */
    const char *bind_host; /* default "0.0.0.0" */
    int drain_timeout_ms;  /* graceful drain on SIGTERM; default 10000 */
    int health_interval_ms; /* datasource check period; default 2000 */
} gh_server_opts_t;

typedef struct st_gh_server_t gh_server_t;

/* The datasource pools this process uses (one per referenced datasource). */
typedef struct st_gh_db_pool_t gh_db_pool_t;
/* Find the pool of a datasource by JNDI name or name; NULL when the conf does not use it. Borrowed. */
gh_db_pool_t *gh_server_pool(gh_server_t *srv, const char *jndi_or_name);
/* Iterate the pools: the i-th pool (and its datasource in *ds), or NULL past the end. */
gh_db_pool_t *gh_server_pool_at(gh_server_t *srv, size_t i, const gh_conf_datasource_t **ds);
const gh_conf_t *gh_server_conf(const gh_server_t *srv);
unsigned gh_server_roles(const gh_server_t *srv);
/* The effective port of a listener (default + offset). */
int gh_server_port(const gh_server_t *srv, gh_listener_kind_t kind);

/* Shared services between modules, typed: a module provides its service in setup(); modules set up later
 * reach it through the accessor (NULL when this process runs no such module). Borrowed; the object lives until
 * the module's dispose(). */
typedef struct st_gh_us_t gh_us_t;
typedef struct st_gh_km_t gh_km_t;
typedef struct st_gh_gw_t gh_gw_t;
void gh_server_set_userstore(gh_server_t *srv, gh_us_t *us);
gh_us_t *gh_server_userstore(gh_server_t *srv);
void gh_server_set_km(gh_server_t *srv, gh_km_t *km);
gh_km_t *gh_server_km(gh_server_t *srv);
void gh_server_set_gateway(gh_server_t *srv, gh_gw_t *gw);
gh_gw_t *gh_server_gateway(gh_server_t *srv);

/* Run fn on the h2o path configuration of `path` on each listener kind in mask, after every module's routes
 * are registered (to add h2o filters or loggers there). Call during setup. */
typedef void (*gh_pathconf_fn)(h2o_pathconf_t *pathconf, void *data);
int gh_server_on_pathconf(gh_server_t *srv, unsigned mask, const char *path, gh_pathconf_fn fn, void *data,
                          gh_err_t *err);

/* A route handler. Return 0 when the request was answered (or will be, asynchronously), -1 to pass it on. */
typedef int (*gh_route_fn)(h2o_handler_t *self, h2o_req_t *req);

/* Register a handler for a path prefix on the listeners in mask (GH_ON_*). Call before gh_server_run().
 * `data` is reachable from the handler as ((gh_route_t *)self)->data. */
typedef struct st_gh_route_t {
    h2o_handler_t super;
    gh_server_t *srv;
    void *data;
} gh_route_t;
int gh_server_route(gh_server_t *srv, unsigned mask, const char *path, gh_route_fn fn, void *data, gh_err_t *err);

/* A module that serves HTTP: setup() registers its routes. Registered in the plugin registry under
 * GH_FAMILY_MODULE; gh_server_create() calls setup() of every module whose roles intersect the profile. */
typedef struct st_gh_module_t {
    const char *name;
    unsigned roles;
    int (*setup)(gh_server_t *srv, gh_err_t *err);
    void (*dispose)(gh_server_t *srv);
} gh_module_t;

/* Build the server: TLS contexts (generating a self-signed pair on first start when none is configured),
 * datasource pools, schema set-up on first start, modules' routes. conf is borrowed and must outlive srv. */
int gh_server_create(const gh_conf_t *conf, const gh_server_opts_t *opts, gh_server_t **out, gh_err_t *err);
/* Bind the listeners, start the threads, and block until SIGTERM/SIGINT has drained in-flight requests.
 * Returns GH_OK on a clean stop. */
int gh_server_run(gh_server_t *srv, gh_err_t *err);
void gh_server_destroy(gh_server_t *srv);

#endif
