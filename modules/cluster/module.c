/* The "cluster" server module: every process, whatever its roles, relays change events through the API Manager
 * database (api-manager.xml <DataSourceName>), so split deployments behave as one system. */
#include <stdlib.h>
#include "gatehouse/cluster.h"
#include "gatehouse/conf.h"
#include "gatehouse/registry.h"
#include "gatehouse/server.h"

static gh_relay_t *relay;

static int on_setup(gh_server_t *srv, gh_err_t *err)
{
    const gh_conf_t *conf = gh_server_conf(srv);
    const char *ds = conf->apim.datasource ? conf->apim.datasource : "jdbc/WSO2AM_DB";
    gh_db_pool_t *pool = gh_server_pool(srv, ds);
    gh_relay_opts_t opts = {0};
    const char *poll = getenv("GH_CLUSTER_POLL_MS"); /* tests and latency-sensitive sites */

    if (pool == NULL)
        return gh_err_set(err, GH_E_CONFIG, "api-manager.xml DataSourceName %s: no such datasource in this process",
                          ds);
    if (poll != NULL)
        opts.poll_ms = atoi(poll);
    return gh_relay_start(pool, &opts, &relay, err);
}

static void on_dispose(gh_server_t *srv)
{
    (void)srv;
    gh_relay_stop(relay);
    relay = NULL;
}

static const gh_module_t cluster_module = {
    .name = "cluster", .roles = GH_ROLE_ALL, .setup = on_setup, .dispose = on_dispose};

void gh_cluster_register_module(void)
{
    static const gh_plugin_t p = {.family = GH_FAMILY_MODULE, .name = "cluster", .ops = &cluster_module};

    gh_registry_add(&p, NULL);
}
