/* First start on an empty database: the server runs the same set-up as `gatehouse --setup` on every pool it
 * opened, before any route serves a request. A datasource that is down is reported and left for /health:
 * the process still starts, and `gatehouse --setup` (or the next start) creates the tables later. */
#include "gatehouse/log.h"
#include "gatehouse/registry.h"
#include "gatehouse/schema.h"
#include "gatehouse/server.h"

static int on_setup(gh_server_t *srv, gh_err_t *err)
{
    const gh_conf_datasource_t *ds;
    const char *components[8];
    gh_db_pool_t *pool;
    size_t i;

    for (i = 0; (pool = gh_server_pool_at(srv, i, &ds)) != NULL; ++i) {
        if (gh_schema_components_for(gh_server_conf(srv), ds, components, 8) == 0)
            continue;
        if (gh_schema_setup(pool, components, err) == GH_OK)
            continue;
        if (err->code != GH_DB_E_CONN_LOST && err->code != GH_DB_E_TIMEOUT)
            return GH_ERR;
        gh_log(GH_LOG_ERR, "schema", "datasource %s is unreachable, tables not checked: %s", ds->name, err->msg);
        gh_err_clear(err);
    }
    return GH_OK;
}

static const gh_module_t schema_module = {.name = "schema", .roles = GH_ROLE_ALL, .setup = on_setup};

void gh_schema_register_module(void)
{
    static const gh_plugin_t p = {.family = GH_FAMILY_MODULE, .name = "schema", .ops = &schema_module};

    gh_registry_add(&p, NULL);
}
