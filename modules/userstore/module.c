/* The user store as a server service: created over the realm's pool at start-up, bootstrapped (admin user and
 * roles on first start), and provided to the modules that serve HTTP (SCIM, key manager) as "userstore". */
#include "gatehouse/conf.h"
#include "gatehouse/log.h"
#include "gatehouse/registry.h"
#include "gatehouse/server.h"
#include "gatehouse/userstore.h"

static gh_us_t *instance;

static int on_setup(gh_server_t *srv, gh_err_t *err)
{
    const gh_conf_t *conf = gh_server_conf(srv);
    const gh_conf_user_mgt_t *um = &conf->user_mgt;
    gh_db_pool_t *pool;

    pool = gh_server_pool(srv, um->own_ds != NULL ? um->own_ds->name : um->datasource);
    if (pool == NULL)
        return gh_err_set(err, GH_E_CONFIG, "user-mgt.xml: the realm datasource %s is not open",
                          um->datasource ? um->datasource : "(none)");
    if ((instance = gh_us_create(um, pool, err)) == NULL)
        return GH_ERR;
    if (gh_us_bootstrap(instance, err) != GH_OK) {
        if (err->code != GH_DB_E_CONN_LOST && err->code != GH_DB_E_TIMEOUT)
            return GH_ERR;
        /* the database is down: start anyway (health says 503); `gatehouse --setup` or a restart bootstraps */
        gh_log(GH_LOG_ERR, "userstore", "bootstrap skipped, datasource unreachable: %s", err->msg);
        gh_err_clear(err);
    }
    gh_server_set_userstore(srv, instance);
    return GH_OK;
}

static void on_dispose(gh_server_t *srv)
{
    (void)srv;
    gh_us_destroy(instance);
    instance = NULL;
}

static const gh_module_t us_module = {.name = "userstore",
                                      .roles = GH_ROLE_KM | GH_ROLE_PUBLISHER | GH_ROLE_DEVPORTAL | GH_ROLE_ADMIN,
                                      .setup = on_setup,
                                      .dispose = on_dispose};

void gh_us_register_module(void)
{
    static const gh_plugin_t p = {.family = GH_FAMILY_MODULE, .name = "userstore", .ops = &us_module};

    gh_registry_add(&p, NULL);
}
