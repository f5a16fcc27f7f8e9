/* Public OAuth clients that the server itself owns (the web consoles): registered or brought up to date at
 * start-up, without a secret and with PKCE mandatory, so a browser page can run the authorization-code flow. */
#include <stdio.h>
#include <string.h>
#include "gatehouse/keymanager.h"
#include "gatehouse/log.h"
#include "km_int.h"

static int ensure(gh_km_t *km, gh_db_conn_t *c, const char *client_id, const char *name, const char *callback,
                  gh_err_t *err)
{
    gh_km_app_t app;
    int64_t n = 0;
    int rc;

    gh_km_cache_del(&km->apps, client_id);
    if ((rc = gh_km_app_get(km, c, client_id, &app, err)) < 0)
        return GH_ERR;
    if (rc == 1) {
        if (!gh_km_app_is_public(&app) && app.secret[0] != '\0')
            return gh_err_set(err, GH_E_CONFLICT, "client %s exists with a secret: it is not a console's client",
                              client_id);
        if (strcmp(app.callback, callback) == 0 && strcmp(app.grant_types, "authorization_code refresh_token") == 0 &&
            app.pkce_mandatory)
            return GH_OK;
        /* the ports or the host name changed since the last start */
        if (gh_db_exec(c,
                       "UPDATE IDN_OAUTH_CONSUMER_APPS SET APP_NAME = ?, CALLBACK_URL = ?, GRANT_TYPES = ?, "
                       "PKCE_MANDATORY = '1', CONSUMER_SECRET = NULL WHERE CONSUMER_KEY = ?",
                       GH_DB_ARGS(GH_DB_T(name), GH_DB_T(callback), GH_DB_T("authorization_code refresh_token"),
                                  GH_DB_T(client_id)),
                       &n, err) != GH_OK)
            return GH_ERR;
        gh_km_cache_del(&km->apps, client_id);
        gh_log(GH_LOG_NOTICE, "keymanager", "public client %s: redirect URIs now %s", client_id, callback);
        return GH_OK;
    }
    memset(&app, 0, sizeof(app));
    snprintf(app.client_id, sizeof(app.client_id), "%s", client_id);
    snprintf(app.owner, sizeof(app.owner), "%s",
             km->conf->user_mgt.admin_user != NULL ? km->conf->user_mgt.admin_user : "admin");
    snprintf(app.name, sizeof(app.name), "%s", name);
    snprintf(app.callback, sizeof(app.callback), "%s", callback);
    snprintf(app.grant_types, sizeof(app.grant_types), "authorization_code refresh_token");
    app.pkce_mandatory = 1;
    if (gh_km_app_insert(km, c, &app, err) != GH_OK)
        return GH_ERR;
    /* gh_km_app_insert stores "" for the secret; a public client has none at all */
    if (gh_db_exec(c, "UPDATE IDN_OAUTH_CONSUMER_APPS SET CONSUMER_SECRET = NULL WHERE CONSUMER_KEY = ?",
                   GH_DB_ARGS(GH_DB_T(client_id)), NULL, err) != GH_OK)
        return GH_ERR;
    gh_log(GH_LOG_NOTICE, "keymanager", "public client %s registered (%s)", client_id, callback);
    return GH_OK;
}

int gh_km_public_client_ensure(gh_km_t *km, const char *client_id, const char *name, const char *callback,
                               gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int rc = GH_ERR;

    if (strlen(callback) >= sizeof(((gh_km_app_t *)0)->callback))
        return gh_err_set(err, GH_E_INPUT, "the redirect URIs of %s are longer than 1024 bytes", client_id);
    if (gh_db_borrow(km->pool, &c, err) != GH_OK)
        goto out;
    if (gh_db_begin(c, err) != GH_OK)
        goto out;
    if (ensure(km, c, client_id, name, callback, err) != GH_OK) {
        gh_db_rollback(c, NULL);
        goto out;
    }
    rc = gh_db_commit(c, err);
out:
    gh_db_return(c);
    return rc;
}
