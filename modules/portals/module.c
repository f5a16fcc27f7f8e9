/* The portals' server module: the Publisher, DevPortal (Store) and Admin v0.14 REST APIs on the management
 * listeners, each registered only when the profile runs its role. They use api-manager.xml's datasource, the
 * user store (HTTP Basic, roles) and, when this process runs it, the key manager (bearer tokens, keys). */
#include <stdlib.h>
#include "gatehouse/conf.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/portals.h"
#include "gatehouse/registry.h"
#include "portals_int.h"

static gh_portal_t *instance;
static int cache_sub;

static const gh_portal_op_t *const publisher_tables[] = {gh_portal_publisher_ops, NULL};
static const gh_portal_op_t *const store_tables[] = {gh_portal_store_ops, NULL};
static const gh_portal_op_t *const admin_tables[] = {gh_portal_admin_ops, gh_portal_admin_bl_ops, NULL};

static gh_portal_route_t routes[] = {
    {NULL, "/api/am/publisher/v0.14", publisher_tables},
    {NULL, "/api/am/store/v0.14", store_tables},
    {NULL, "/api/am/admin/v0.14", admin_tables},
};
static const unsigned route_roles[] = {GH_ROLE_PUBLISHER, GH_ROLE_DEVPORTAL, GH_ROLE_ADMIN};

static int on_setup(gh_server_t *srv, gh_err_t *err)
{
    const gh_conf_t *conf = gh_server_conf(srv);
    unsigned roles = gh_server_roles(srv);
    gh_portal_t *p;
    size_t i;

    if (conf->apim.datasource == NULL || gh_server_pool(srv, conf->apim.datasource) == NULL)
        return gh_err_set(err, GH_E_CONFIG, "api-manager.xml: the datasource %s is not open",
                          conf->apim.datasource ? conf->apim.datasource : "(none)");
    p = gh_calloc(1, sizeof(*p));
    p->srv = srv;
    p->pool = gh_server_pool(srv, conf->apim.datasource);
    p->us = gh_server_userstore(srv);
    p->km = gh_server_km(srv);
    instance = p;
    cache_sub = gh_portal_list_cache_start();
    if (p->km == NULL)
        gh_log(GH_LOG_WARN, "portals", "no key manager in this process: bearer tokens and key generation are "
                                       "unavailable (HTTP Basic works)");
    for (i = 0; i < GH_ARRAY_SIZE(routes); ++i) {
        if (!(roles & route_roles[i]))
            continue;
        routes[i].p = p;
        if (gh_server_route_methods(srv, GH_ON_MGT, routes[i].base, "GET POST PUT DELETE", gh_portal_on_request,
                                    &routes[i], err) != GH_OK)
            return GH_ERR;
    }
    return GH_OK;
}

static void on_dispose(gh_server_t *srv)
{
    (void)srv;
    gh_portal_list_cache_stop(cache_sub);
    cache_sub = 0;
    free(instance);
    instance = NULL;
}

static const gh_module_t portals_module = {.name = "portals",
                                           .roles = GH_ROLE_PUBLISHER | GH_ROLE_DEVPORTAL | GH_ROLE_ADMIN,
                                           .setup = on_setup,
                                           .dispose = on_dispose};

void gh_portal_register_module(void)
{
    static const gh_plugin_t plugin = {.family = GH_FAMILY_MODULE, .name = "portals", .ops = &portals_module};

    gh_registry_add(&plugin, NULL);
}
