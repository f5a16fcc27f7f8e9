/* OAuth clients for API Manager applications, as the Store's key endpoints need them (include/gatehouse/
 * keymanager.h): create / read / update / delete a client, regenerate its secret, issue the first application
 * token and revoke every token of a client. Validation goes through the DCR parser, so a client made here obeys
 * the same grant-type and redirect-URI rules as one registered over DCR. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "gatehouse/keymanager.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "km_int.h"

#define DEFAULT_GRANTS "client_credentials password refresh_token"

int gh_km_token_info(gh_km_t *km, const char *token, gh_km_token_info_t *out, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    gh_km_tok_t tok;
    int rc;

    if ((rc = gh_km_tok_active(km, NULL, token, &tok, err)) == -2) {
        if (gh_db_borrow(km->pool, &c, err) != GH_OK)
            return GH_ERR;
        rc = gh_km_tok_active(km, c, token, &tok, err);
        gh_db_return(c);
    }
    if (rc < 0)
        return GH_ERR;
    if (rc == 1) {
        memset(out, 0, sizeof(*out));
        snprintf(out->user, sizeof(out->user), "%s", tok.user);
        snprintf(out->client_id, sizeof(out->client_id), "%s", tok.client_id);
        snprintf(out->scope, sizeof(out->scope), "%s", tok.scope);
        snprintf(out->user_type, sizeof(out->user_type), "%s", tok.user_type);
    }
    return rc;
}

static void to_client(const gh_km_t *km, const gh_km_app_t *app, const char *secret, gh_km_client_t *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->client_id, sizeof(out->client_id), "%s", app->client_id);
    snprintf(out->client_secret, sizeof(out->client_secret), "%s",
             secret != NULL ? secret : km->plain_secrets ? app->secret : "");
    snprintf(out->owner, sizeof(out->owner), "%s", app->owner);
    snprintf(out->name, sizeof(out->name), "%s", app->name);
    snprintf(out->callback, sizeof(out->callback), "%s", app->callback);
    snprintf(out->grant_types, sizeof(out->grant_types), "%s", app->grant_types);
    out->app_token_s = app->app_token_s;
}

/* Validate name / grants / callback with the RFC 7591 parser; fills d. */
static int validate(const char *name, const char *grants, const char *callback, gh_km_dcr_t *d, gh_err_t *err)
{
    json_t *body = json_pack("{s:s,s:[],s:[]}", "client_name", name, "grant_types", "redirect_uris");
    json_t *ga = json_object_get(body, "grant_types");
    const char *p = grants, *e;
    int rc;

    while (p != NULL && *p) {
        e = strchr(p, ' ');
        if (e == NULL)
            e = p + strlen(p);
        if (e > p)
            json_array_append_new(ga, json_stringn(p, (size_t)(e - p)));
        p = *e ? e + 1 : NULL;
    }
    if (callback != NULL && callback[0])
        json_array_append_new(json_object_get(body, "redirect_uris"), json_string(callback));
    rc = gh_km_dcr_parse_rfc7591(body, d, err);
    json_decref(body);
    return rc;
}

static int set_validity(gh_db_conn_t *c, int64_t id, int64_t app_token_s, gh_err_t *err)
{
    return gh_db_exec(c, "UPDATE IDN_OAUTH_CONSUMER_APPS SET APP_ACCESS_TOKEN_EXPIRE_TIME = ? WHERE ID = ?",
                      GH_DB_ARGS(GH_DB_I(app_token_s), GH_DB_I(id)), NULL, err);
}

int gh_km_client_create(gh_km_t *km, const gh_km_client_spec_t *spec, gh_km_client_t *out, gh_err_t *err)
{
    char id[GH_KM_TOKEN_LEN], sec[GH_KM_TOKEN_LEN];
    gh_db_conn_t *c = NULL;
    gh_km_dcr_t d;
    gh_km_app_t app;
    int rc = GH_ERR;

    if (validate(spec->name, spec->grant_types != NULL ? spec->grant_types : DEFAULT_GRANTS, spec->callback, &d,
                 err) != GH_OK)
        return GH_ERR;
    memset(&app, 0, sizeof(app));
    gh_km_client_id(id);
    gh_km_token(sec);
    snprintf(app.client_id, sizeof(app.client_id), "%s", id);
    gh_km_secret_store_form(km, sec, app.secret, sizeof(app.secret));
    snprintf(app.owner, sizeof(app.owner), "%s", spec->owner);
    snprintf(app.name, sizeof(app.name), "%s", d.name);
    snprintf(app.callback, sizeof(app.callback), "%s", d.callback);
    snprintf(app.grant_types, sizeof(app.grant_types), "%s", d.grant_types);
    if (gh_db_borrow(km->pool, &c, err) != GH_OK)
        goto out;
    if (gh_km_app_insert(km, c, &app, err) != GH_OK)
        goto out;
    if (spec->app_token_s > 0) {
        if (set_validity(c, app.id, spec->app_token_s, err) != GH_OK)
            goto out;
        app.app_token_s = spec->app_token_s;
    }
    to_client(km, &app, sec, out);
    rc = GH_OK;
out:
    gh_db_return(c);
    OPENSSL_cleanse(sec, sizeof(sec));
    return rc;
}

int gh_km_client_get(gh_km_t *km, const char *client_id, gh_km_client_t *out, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    gh_km_app_t app;
    int rc;

    if (gh_db_borrow(km->pool, &c, err) != GH_OK)
        return GH_ERR;
    gh_km_cache_del(&km->apps, client_id); /* read the row as it is now */
    rc = gh_km_app_get(km, c, client_id, &app, err);
    gh_db_return(c);
    if (rc == 1)
        to_client(km, &app, NULL, out);
    return rc < 0 ? GH_ERR : rc;
}

int gh_km_client_update(gh_km_t *km, const char *client_id, const gh_km_client_spec_t *spec, gh_km_client_t *out,
                        gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    gh_km_app_t app;
    gh_km_dcr_t d;
    int rc = GH_ERR, found;

    if (gh_db_borrow(km->pool, &c, err) != GH_OK)
        return GH_ERR;
    gh_km_cache_del(&km->apps, client_id);
    if ((found = gh_km_app_get(km, c, client_id, &app, err)) != 1) {
        if (found == 0)
            gh_err_set(err, GH_E_NOTFOUND, "no OAuth client %s", client_id);
        goto out;
    }
    if (validate(app.name, spec->grant_types != NULL ? spec->grant_types : app.grant_types,
                 spec->callback != NULL ? spec->callback : app.callback, &d, err) != GH_OK)
        goto out;
    snprintf(app.callback, sizeof(app.callback), "%s", d.callback);
    snprintf(app.grant_types, sizeof(app.grant_types), "%s", d.grant_types);
    if (gh_km_app_update(km, c, &app, err) != GH_OK)
        goto out;
    if (spec->app_token_s > 0) {
        if (set_validity(c, app.id, spec->app_token_s, err) != GH_OK)
            goto out;
        app.app_token_s = spec->app_token_s;
    }
    gh_km_cache_del(&km->apps, client_id);
    to_client(km, &app, NULL, out);
    rc = GH_OK;
out:
    gh_db_return(c);
    return rc;
}

int gh_km_client_regenerate_secret(gh_km_t *km, const char *client_id, gh_km_client_t *out, gh_err_t *err)
{
    char sec[GH_KM_TOKEN_LEN];
    gh_db_conn_t *c = NULL;
    gh_km_app_t app;
    int rc = GH_ERR, found;

    if (gh_db_borrow(km->pool, &c, err) != GH_OK)
        return GH_ERR;
    gh_km_cache_del(&km->apps, client_id);
    if ((found = gh_km_app_get(km, c, client_id, &app, err)) != 1) {
        if (found == 0)
            gh_err_set(err, GH_E_NOTFOUND, "no OAuth client %s", client_id);
        goto out;
    }
    gh_km_token(sec);
    gh_km_secret_store_form(km, sec, app.secret, sizeof(app.secret));
    if (gh_km_app_update(km, c, &app, err) != GH_OK)
        goto out;
    to_client(km, &app, sec, out);
    rc = GH_OK;
out:
    gh_db_return(c);
    OPENSSL_cleanse(sec, sizeof(sec));
    return rc;
}

static int revoke_all(gh_km_t *km, gh_db_conn_t *c, int64_t app_id, int64_t *n, gh_err_t *err)
{
    char sid[GH_KM_UUID_LEN];
    gh_db_stmt_t *s;
    int rc;

    /* evict first: this process must never answer "active" for one of them afterwards */
    if (gh_db_prepare(c,
                      "SELECT ACCESS_TOKEN_HASH FROM IDN_OAUTH2_ACCESS_TOKEN WHERE CONSUMER_KEY_ID = ? AND TOKEN_STATE = "
                      "'ACTIVE'",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_I(app_id)), err) != GH_OK)
        return GH_ERR;
    while ((rc = gh_db_next(s, err)) == 1) {
        const char *h = gh_db_col_text(s, 0, NULL);
        if (h != NULL)
            gh_km_cache_del(&km->tokens, h);
    }
    gh_db_reset(s);
    if (rc < 0)
        return GH_ERR;
    gh_km_uuid(sid); /* one state id for all of them keeps CON_APP_KEY unique (TOKEN_ID is part of it) */
    return gh_db_exec(c,
                      "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'REVOKED', TOKEN_STATE_ID = ? WHERE "
                      "CONSUMER_KEY_ID = ? AND TOKEN_STATE = 'ACTIVE'",
                      GH_DB_ARGS(GH_DB_T(sid), GH_DB_I(app_id)), n, err);
}

int gh_km_client_revoke_tokens(gh_km_t *km, const char *client_id, int64_t *n, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int64_t id = 0;
    int rc = GH_ERR, found;

    if (n != NULL)
        *n = 0;
    if (gh_db_borrow(km->pool, &c, err) != GH_OK)
        return GH_ERR;
    found = gh_db_query_int(c, "SELECT ID FROM IDN_OAUTH_CONSUMER_APPS WHERE CONSUMER_KEY = ?",
                            GH_DB_ARGS(GH_DB_T(client_id)), &id, err);
    if (found == 0)
        gh_err_set(err, GH_E_NOTFOUND, "no OAuth client %s", client_id);
    else if (found == 1)
        rc = revoke_all(km, c, id, n, err);
    gh_db_return(c);
    return rc;
}

int gh_km_client_delete(gh_km_t *km, const char *client_id, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int rc;

    if (gh_km_client_revoke_tokens(km, client_id, NULL, err) != GH_OK)
        return GH_ERR;
    if (gh_db_borrow(km->pool, &c, err) != GH_OK)
        return GH_ERR;
    rc = gh_km_app_delete(km, c, client_id, err);
    gh_db_return(c);
    return rc;
}

int gh_km_client_token(gh_km_t *km, const char *client_id, const char *scope, char *token, size_t token_size,
                       char *scope_out, size_t scope_size, int64_t *expires_in, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    gh_km_job_t j;
    gh_km_app_t app;
    char *form = NULL;
    json_t *v;
    int rc = GH_ERR, found;

    memset(&j, 0, sizeof(j));
    j.km = km;
    j.listener = 0;
    if (gh_db_borrow(km->pool, &c, err) != GH_OK)
        return GH_ERR;
    gh_km_cache_del(&km->apps, client_id); /* the key mapping (token type) may have just been written */
    if ((found = gh_km_app_get(km, c, client_id, &app, err)) != 1) {
        if (found == 0)
            gh_err_set(err, GH_E_NOTFOUND, "no OAuth client %s", client_id);
        goto out;
    }
    /* the grant reads its scope from a form: build the one a client would send */
    {
        char *enc = gh_urlencode(scope != NULL ? scope : "am_application_scope default");
        form = gh_asprintf("scope=%s", enc);
        free(enc);
    }
    if (gh_form_parse(&j.form, form, strlen(form)) != GH_OK) {
        gh_err_set(err, GH_E_INPUT, "malformed scope");
        goto out;
    }
    gh_km_grant_client_credentials(&j, c, &app);
    if (j.error != NULL || j.out == NULL) {
        gh_err_set(err, j.status >= 500 ? GH_E_GENERIC : GH_E_INPUT, "%s", j.desc[0] ? j.desc : "no token issued");
        goto out;
    }
    snprintf(token, token_size, "%s", json_string_value(json_object_get(j.out, "access_token")));
    snprintf(scope_out, scope_size, "%s", json_string_value(json_object_get(j.out, "scope")));
    v = json_object_get(j.out, "expires_in");
    *expires_in = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
    rc = GH_OK;
out:
    gh_db_return(c);
    gh_form_dispose(&j.form);
    if (j.out != NULL) {
        /* the token string sits in the JSON: wipe it before freeing */
        v = json_object_get(j.out, "access_token");
        if (json_is_string(v))
            OPENSSL_cleanse((void *)json_string_value(v), strlen(json_string_value(v)));
        json_decref(j.out);
    }
    free(form);
    return rc;
}
