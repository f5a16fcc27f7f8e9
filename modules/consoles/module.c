/* The consoles module: which consoles this process serves (by role), their public OAuth clients (registered or
 * updated at every start, with redirect URIs on this server's own management origins), their CSP and
 * config.json, and the routes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "consoles_int.h"
#include "gatehouse/consoles.h"
#include "gatehouse/keymanager.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/registry.h"

#define SCOPE_PUBLISHER                                                                                            \
    "openid apim:api_view apim:api_create apim:api_publish apim:tier_view apim:subscription_view "                \
    "apim:subscription_block"
#define SCOPE_STORE "openid apim:subscribe"
#define SCOPE_ADMIN "openid apim:tier_view apim:tier_manage apim:bl_view apim:bl_manage"
/* SCIM wants WSO2 IS's scope of each operation on a bearer token (docs/scim.md), whatever the user's permissions */
#define SCOPE_CARBON                                                                                               \
    "openid internal_user_mgt_list internal_user_mgt_view internal_user_mgt_create internal_user_mgt_update "     \
    "internal_user_mgt_delete internal_group_mgt_view internal_group_mgt_create internal_group_mgt_update "       \
    "internal_group_mgt_delete"

static gh_console_site_t sites[] = {
    {.path = "/publisher", .dir = "publisher", .client_id = "gatehouse_publisher", .scope = SCOPE_PUBLISHER,
     .role = GH_ROLE_PUBLISHER},
    {.path = "/store", .dir = "store", .client_id = "gatehouse_devportal", .scope = SCOPE_STORE,
     .role = GH_ROLE_DEVPORTAL},
    {.path = "/devportal", .dir = "store", .client_id = "gatehouse_devportal", .scope = SCOPE_STORE,
     .role = GH_ROLE_DEVPORTAL},
    {.path = "/admin", .dir = "admin", .client_id = "gatehouse_admin", .scope = SCOPE_ADMIN, .role = GH_ROLE_ADMIN},
    {.path = "/carbon", .dir = "carbon", .client_id = "gatehouse_carbon", .scope = SCOPE_CARBON, .role = GH_ROLE_ADMIN},
};

static gh_console_um_t um;

/* HostName and MgtHostName (when it differs): the names the management listeners answer to */
static size_t hosts(const gh_conf_t *conf, const char *out[2])
{
    size_t n = 0;

    out[n++] = conf->carbon.host_name != NULL ? conf->carbon.host_name : "localhost";
    if (conf->carbon.mgt_host_name != NULL && strcmp(conf->carbon.mgt_host_name, out[0]) != 0)
        out[n++] = conf->carbon.mgt_host_name;
    return n;
}

/* "regexp=(https://h:9443/store/|http://h:9763/store/|...)": every site sharing the client, on both listeners */
static char *callbacks(gh_server_t *srv, const char *client_id)
{
    const char *h[2];
    size_t nh = hosts(gh_server_conf(srv), h), i, k;
    int ps = gh_server_port(srv, GH_LST_MGT_HTTPS), p = gh_server_port(srv, GH_LST_MGT_HTTP);
    char *s = gh_strdup("regexp=("), *t;
    int first = 1;

    for (i = 0; i < GH_ARRAY_SIZE(sites); ++i) {
        if (strcmp(sites[i].client_id, client_id) != 0)
            continue;
        for (k = 0; k < nh; ++k) {
            t = gh_asprintf("%s%shttps://%s:%d%s/|http://%s:%d%s/", s, first ? "" : "|", h[k], ps, sites[i].path, h[k],
                            p, sites[i].path);
            free(s);
            s = t;
            first = 0;
        }
    }
    t = gh_asprintf("%s)", s);
    free(s);
    return t;
}

static void build_site(gh_server_t *srv, gh_console_site_t *site)
{
    const char *h[2];
    size_t nh = hosts(gh_server_conf(srv), h), k;
    int gs = gh_server_port(srv, GH_LST_GW_HTTPS), gp = gh_server_port(srv, GH_LST_GW_HTTP);
    char *connect = gh_strdup("'self'"), *t;
    json_t *cfg;

    /* the DevPortal's "try it" pane calls the gateway from the browser */
    if (strcmp(site->dir, "store") == 0)
        for (k = 0; k < nh; ++k) {
            t = gh_asprintf("%s https://%s:%d http://%s:%d", connect, h[k], gs, h[k], gp);
            free(connect);
            connect = t;
        }
    site->csp = gh_asprintf("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                            "connect-src %s; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
                            connect);
    free(connect);
    cfg = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:i,s:i}}", "console", site->dir, "path", site->path, "clientId",
                    site->client_id, "scope", site->scope, "gateway", "host", h[0], "httpsPort", gs, "httpPort", gp);
    site->config = json_dumps(cfg, JSON_COMPACT);
    json_decref(cfg);
}

static void register_client(gh_server_t *srv, gh_km_t *km, const gh_console_site_t *site)
{
    char *cb = callbacks(srv, site->client_id), *name = gh_asprintf("Gatehouse console %s", site->client_id + 10);
    gh_err_t err = {0};

    /* a database that is down at start-up must not keep the server down: sign-in fails until the next start */
    if (gh_km_public_client_ensure(km, site->client_id, name, cb, &err) != GH_OK)
        gh_log(GH_LOG_ERR, "consoles", "cannot register the OAuth client %s: %s", site->client_id, err.msg);
    free(cb);
    free(name);
}

static int on_setup(gh_server_t *srv, gh_err_t *err)
{
    unsigned roles = gh_server_roles(srv);
    gh_km_t *km = gh_server_km(srv);
    size_t i, k;
    int done;

    um.us = gh_server_userstore(srv);
    um.km = km;
    if (km == NULL)
        gh_log(GH_LOG_WARN, "consoles", "no key manager in this process: the consoles cannot sign anyone in");
    for (i = 0; i < GH_ARRAY_SIZE(sites); ++i) {
        if (!(roles & sites[i].role))
            continue;
        build_site(srv, &sites[i]);
        for (k = 0, done = 0; k < i; ++k)
            done |= sites[k].config != NULL && strcmp(sites[k].client_id, sites[i].client_id) == 0;
        if (km != NULL && !done)
            register_client(srv, km, &sites[i]);
        if (gh_server_route_methods(srv, GH_ON_MGT, sites[i].path, "GET", gh_console_on_site, &sites[i], err) != GH_OK)
            return GH_ERR;
    }
    if ((roles & GH_ROLE_ADMIN) && um.us != NULL &&
        gh_server_route_methods(srv, GH_ON_MGT, "/carbon/api", "GET PUT POST", gh_console_on_usermgt, &um, err) !=
            GH_OK)
        return GH_ERR;
    return GH_OK;
}

static void on_dispose(gh_server_t *srv)
{
    size_t i;

    (void)srv;
    for (i = 0; i < GH_ARRAY_SIZE(sites); ++i) {
        free(sites[i].csp);
        free(sites[i].config);
        sites[i].csp = sites[i].config = NULL;
    }
}

static const gh_module_t consoles_module = {.name = "consoles",
                                            .roles = GH_ROLE_PUBLISHER | GH_ROLE_DEVPORTAL | GH_ROLE_ADMIN,
                                            .setup = on_setup,
                                            .dispose = on_dispose};

void gh_consoles_register_module(void)
{
    static const gh_plugin_t p = {.family = GH_FAMILY_MODULE, .name = "consoles", .ops = &consoles_module};

    gh_registry_add(&p, NULL);
}
