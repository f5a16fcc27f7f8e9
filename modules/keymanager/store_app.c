/* IDN_OAUTH_CONSUMER_APPS: the OAuth clients. Reads go through a short-lived cache (DCR changes in this
 * process invalidate it at once; another process sees them within GH_KM_CACHE_TTL_MS). */
#include <stdio.h>
#include <string.h>
#include "km_int.h"

#define APP_COLS                                                                                                   \
    "ID, CONSUMER_KEY, CONSUMER_SECRET, USERNAME, APP_NAME, CALLBACK_URL, GRANT_TYPES, APP_STATE, PKCE_MANDATORY, " \
    "USER_ACCESS_TOKEN_EXPIRE_TIME, APP_ACCESS_TOKEN_EXPIRE_TIME, REFRESH_TOKEN_EXPIRE_TIME, ID_TOKEN_EXPIRE_TIME"

static void col(gh_db_stmt_t *s, size_t i, char *dst, size_t size)
{
    const char *v = gh_db_col_text(s, i, NULL);

    snprintf(dst, size, "%s", v != NULL ? v : "");
}

/* API Manager keeps the token type per application (AM_APPLICATION.TOKEN_TYPE, JWT or DEFAULT) and maps it to
 * the client through AM_APPLICATION_KEY_MAPPING, as APIMTokenIssuer reads it. Absent tables mean opaque tokens. */
static int token_type_jwt(gh_db_conn_t *c, const char *client_id)
{
    gh_db_stmt_t *s;
    gh_err_t err = {0};
    const char *v;
    int jwt = 0;

    if (gh_db_prepare(c,
                      "SELECT a.TOKEN_TYPE FROM AM_APPLICATION a JOIN AM_APPLICATION_KEY_MAPPING m ON "
                      "m.APPLICATION_ID = a.APPLICATION_ID WHERE m.CONSUMER_KEY = ?",
                      &s, &err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(client_id)), &err) != GH_OK)
        return 0;
    if (gh_db_next(s, &err) == 1 && (v = gh_db_col_text(s, 0, NULL)) != NULL)
        jwt = strcmp(v, "JWT") == 0;
    gh_db_reset(s);
    return jwt;
}

int gh_km_app_get(gh_km_t *km, gh_db_conn_t *c, const char *client_id, gh_km_app_t *out, gh_err_t *err)
{
    gh_db_stmt_t *s;
    char pkce[4];
    int rc;

    if (gh_km_cache_get(&km->apps, client_id, out, gh_km_now_ms()))
        return 1;
    if (gh_db_prepare(c, "SELECT " APP_COLS " FROM IDN_OAUTH_CONSUMER_APPS WHERE CONSUMER_KEY = ?", &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(client_id)), err) != GH_OK)
        return -1;
    if ((rc = gh_db_next(s, err)) == 1) {
        memset(out, 0, sizeof(*out));
        out->id = gh_db_col_int(s, 0);
        col(s, 1, out->client_id, sizeof(out->client_id));
        col(s, 2, out->secret, sizeof(out->secret));
        col(s, 3, out->owner, sizeof(out->owner));
        col(s, 4, out->name, sizeof(out->name));
        col(s, 5, out->callback, sizeof(out->callback));
        col(s, 6, out->grant_types, sizeof(out->grant_types));
        col(s, 7, out->state, sizeof(out->state));
        col(s, 8, pkce, sizeof(pkce));
        out->pkce_mandatory = pkce[0] == '1';
        out->user_token_s = gh_db_col_int(s, 9);
        out->app_token_s = gh_db_col_int(s, 10);
        out->refresh_token_s = gh_db_col_int(s, 11);
        out->id_token_s = gh_db_col_int(s, 12);
    }
    gh_db_reset(s);
    if (rc == 1 && km->apim_tables)
        out->jwt = token_type_jwt(c, client_id);
    if (rc == 1)
        gh_km_cache_put(&km->apps, client_id, out, gh_km_now_ms() + GH_KM_CACHE_TTL_MS);
    return rc < 0 ? -1 : rc;
}

int gh_km_app_insert(gh_km_t *km, gh_db_conn_t *c, gh_km_app_t *app, gh_err_t *err)
{
    const gh_conf_identity_t *id = &km->conf->identity;

    app->user_token_s = id->user_token_validity_s;
    app->app_token_s = id->app_token_validity_s;
    app->refresh_token_s = id->refresh_token_validity_s;
    app->id_token_s = id->id_token_expiration_s;
    snprintf(app->state, sizeof(app->state), "ACTIVE");
    if (gh_db_exec(c,
                   "INSERT INTO IDN_OAUTH_CONSUMER_APPS (CONSUMER_KEY, CONSUMER_SECRET, USERNAME, TENANT_ID, USER_DOMAIN, "
                   "APP_NAME, OAUTH_VERSION, CALLBACK_URL, GRANT_TYPES, PKCE_MANDATORY, PKCE_SUPPORT_PLAIN, APP_STATE, "
                   "USER_ACCESS_TOKEN_EXPIRE_TIME, APP_ACCESS_TOKEN_EXPIRE_TIME, REFRESH_TOKEN_EXPIRE_TIME, "
                   "ID_TOKEN_EXPIRE_TIME) VALUES (?, ?, ?, ?, 'PRIMARY', ?, 'OAuth-2.0', ?, ?, ?, '0', 'ACTIVE', ?, ?, ?, ?)",
                   GH_DB_ARGS(GH_DB_T(app->client_id), GH_DB_T(app->secret), GH_DB_T(app->owner), GH_DB_I(GH_KM_TENANT),
                              GH_DB_T(app->name), GH_DB_T(app->callback), GH_DB_T(app->grant_types),
                              GH_DB_T(app->pkce_mandatory ? "1" : "0"), GH_DB_I(app->user_token_s),
                              GH_DB_I(app->app_token_s), GH_DB_I(app->refresh_token_s), GH_DB_I(app->id_token_s)),
                   NULL, err) != GH_OK)
        return GH_ERR;
    return gh_db_query_int(c, "SELECT ID FROM IDN_OAUTH_CONSUMER_APPS WHERE CONSUMER_KEY = ?",
                           GH_DB_ARGS(GH_DB_T(app->client_id)), &app->id, err) == 1 ? GH_OK : GH_ERR;
}

int gh_km_app_update(gh_km_t *km, gh_db_conn_t *c, const gh_km_app_t *app, gh_err_t *err)
{
    int64_t n = 0;

    gh_km_cache_del(&km->apps, app->client_id);
    if (gh_db_exec(c,
                   "UPDATE IDN_OAUTH_CONSUMER_APPS SET APP_NAME = ?, CALLBACK_URL = ?, GRANT_TYPES = ?, CONSUMER_SECRET = ? "
                   "WHERE CONSUMER_KEY = ?",
                   GH_DB_ARGS(GH_DB_T(app->name), GH_DB_T(app->callback), GH_DB_T(app->grant_types),
                              GH_DB_T(app->secret), GH_DB_T(app->client_id)),
                   &n, err) != GH_OK)
        return GH_ERR;
    return n > 0 ? GH_OK : gh_err_set(err, GH_E_NOTFOUND, "no client %s", app->client_id);
}

int gh_km_app_delete(gh_km_t *km, gh_db_conn_t *c, const char *client_id, gh_err_t *err)
{
    int64_t n = 0, id = 0;

    gh_km_cache_del(&km->apps, client_id);
    if (gh_db_query_int(c, "SELECT ID FROM IDN_OAUTH_CONSUMER_APPS WHERE CONSUMER_KEY = ?",
                        GH_DB_ARGS(GH_DB_T(client_id)), &id, err) != 1)
        return err != NULL && err->code != GH_E_NONE ? GH_ERR
                                                     : gh_err_set(err, GH_E_NOTFOUND, "no client %s", client_id);
    /* explicit child deletes: SQLite only cascades with foreign_keys on */
    if (gh_db_begin(c, err) != GH_OK)
        return GH_ERR;
    if (gh_db_exec(c,
                   "DELETE FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE WHERE TOKEN_ID IN (SELECT TOKEN_ID FROM "
                   "IDN_OAUTH2_ACCESS_TOKEN WHERE CONSUMER_KEY_ID = ?)",
                   GH_DB_ARGS(GH_DB_I(id)), NULL, err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE CONSUMER_KEY_ID = ?", GH_DB_ARGS(GH_DB_I(id)), NULL,
                   err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM IDN_OAUTH2_AUTHORIZATION_CODE WHERE CONSUMER_KEY_ID = ?", GH_DB_ARGS(GH_DB_I(id)),
                   NULL, err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM IDN_OAUTH_CONSUMER_APPS WHERE ID = ?", GH_DB_ARGS(GH_DB_I(id)), &n, err) != GH_OK) {
        gh_db_rollback(c, NULL);
        return GH_ERR;
    }
    return gh_db_commit(c, err);
}
