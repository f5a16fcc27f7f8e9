/* One pool per datasource the conf refers to (realm, identity, API manager, carbon registry). Datasources that
 * nothing refers to (WSO2's stats or broker databases in stock files) are not opened. */
#include <stdlib.h>
#include <string.h>
#include "core_int.h"
#include "gatehouse/db.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"

static void add_ds(gh_server_t *srv, const gh_conf_datasource_t *ds)
{
    size_t i;

    if (ds == NULL)
        return;
    for (i = 0; i < srv->n_pools; ++i)
        if (srv->pools[i].ds == ds)
            return;
    srv->pools = gh_realloc(srv->pools, (srv->n_pools + 1) * sizeof(*srv->pools));
    srv->pools[srv->n_pools].ds = ds;
    srv->pools[srv->n_pools].pool = NULL;
    srv->n_pools++;
}

int gh_pools_open(gh_server_t *srv, gh_err_t *err)
{
    const gh_conf_t *c = srv->conf;
    unsigned r = srv->opts.roles;
    size_t i;

    /* which stores each role reads: the gateway needs only the API manager database (API definitions and
     * subscriptions); the key manager also the realm and the OAuth tables; the portals the registry too */
    if (r & (GH_ROLE_KM | GH_ROLE_PUBLISHER | GH_ROLE_DEVPORTAL | GH_ROLE_ADMIN)) {
        add_ds(srv, c->user_mgt.own_ds != NULL ? c->user_mgt.own_ds
                                               : gh_conf_find_datasource(c, c->user_mgt.datasource));
        add_ds(srv, gh_conf_find_datasource(c, c->identity.datasource));
    }
    if (r & (GH_ROLE_PUBLISHER | GH_ROLE_DEVPORTAL | GH_ROLE_ADMIN)) {
        const gh_conf_datasource_t *reg = gh_conf_find_datasource(c, "jdbc/WSO2CarbonDB");
        add_ds(srv, reg != NULL ? reg : gh_conf_find_datasource(c, "WSO2_CARBON_DB"));
    }
    add_ds(srv, gh_conf_find_datasource(c, c->apim.datasource));
    for (i = 0; i < srv->n_pools; ++i) {
        if (gh_db_pool_create(srv->pools[i].ds, &srv->pools[i].pool, err) != GH_OK)
            return GH_ERR;
        gh_log(GH_LOG_INFO, "db", "datasource %s (%s) opened", srv->pools[i].ds->name,
               gh_db_pool_dialect(srv->pools[i].pool));
    }
    return GH_OK;
}

void gh_pools_close(gh_server_t *srv)
{
    size_t i;

    for (i = 0; i < srv->n_pools; ++i)
        gh_db_pool_destroy(srv->pools[i].pool);
    free(srv->pools);
    srv->pools = NULL;
    srv->n_pools = 0;
}

gh_db_pool_t *gh_server_pool(gh_server_t *srv, const char *jndi_or_name)
{
    size_t i;
    const gh_conf_datasource_t *ds;

    if (jndi_or_name == NULL)
        return NULL;
    for (i = 0; i < srv->n_pools; ++i) {
        ds = srv->pools[i].ds;
        if ((ds->jndi_name != NULL && strcmp(ds->jndi_name, jndi_or_name) == 0) || strcmp(ds->name, jndi_or_name) == 0)
            return srv->pools[i].pool;
    }
    return NULL;
}

gh_db_pool_t *gh_server_pool_at(gh_server_t *srv, size_t i, const gh_conf_datasource_t **ds)
{
    if (i >= srv->n_pools)
        return NULL;
    if (ds != NULL)
        *ds = srv->pools[i].ds;
    return srv->pools[i].pool;
}
