/* The client_credentials, password and refresh_token grants (run on a worker inside the token job). */
#include <stdio.h>
#include <string.h>
#include "gatehouse/events.h"
#include "gatehouse/log.h"
#include "km_int.h"

/* Requested scopes narrowed to what user may hold; "default" when nothing remains (API Manager). */
static int grant_scopes(gh_km_job_t *j, gh_db_conn_t *c, const char *user, const char *requested, gh_km_tok_t *tok)
{
    gh_km_scopes_t sc;
    gh_err_t err = {0};

    if (gh_km_scopes_parse(&sc, requested) != GH_OK)
        return gh_km_job_fail(j, 400, "invalid_scope", "malformed scope parameter");
    if (gh_km_scopes_filter(j->km, c, user, &sc, &err) != GH_OK) {
        gh_km_scopes_dispose(&sc);
        gh_log(GH_LOG_ERR, "keymanager", "scope look-up failed: %s", err.msg);
        return gh_km_job_fail(j, 500, "server_error", "scope look-up failed");
    }
    if (sc.n == 0)
        snprintf(tok->scope, sizeof(tok->scope), "default");
    else if (gh_km_scopes_join(&sc, tok->scope, sizeof(tok->scope)) != GH_OK) {
        gh_km_scopes_dispose(&sc);
        return gh_km_job_fail(j, 400, "invalid_scope", "too many scopes");
    }
    gh_km_scopes_dispose(&sc);
    return GH_OK;
}

void gh_km_grant_client_credentials(gh_km_job_t *j, gh_db_conn_t *c, const gh_km_app_t *app)
{
    gh_km_tok_t tok;

    memset(&tok, 0, sizeof(tok));
    snprintf(tok.user, sizeof(tok.user), "%s", app->owner);
    snprintf(tok.user_type, sizeof(tok.user_type), "APPLICATION");
    snprintf(tok.grant_type, sizeof(tok.grant_type), "client_credentials");
    if (grant_scopes(j, c, app->owner, gh_form_get(&j->form, "scope"), &tok) != GH_OK)
        return;
    gh_km_issue(j, c, app, &tok, 0, NULL);
}

void gh_km_grant_password(gh_km_job_t *j, gh_db_conn_t *c, const gh_km_app_t *app)
{
    const char *user = gh_form_get(&j->form, "username"), *pw = gh_form_get(&j->form, "password");
    gh_err_t err = {0};
    gh_km_tok_t tok;

    if (user == NULL || pw == NULL || user[0] == '\0')
        return (void)gh_km_job_fail(j, 400, "invalid_request", "username and password are required");
    if (j->km->us == NULL)
        return (void)gh_km_job_fail(j, 503, "temporarily_unavailable", "no user store");
    switch (gh_us_authenticate(j->km->us, user, pw, &err)) {
    case GH_US_AUTH_OK:
        break;
    case GH_US_AUTH_BAD_CREDENTIALS:
        return (void)gh_km_job_fail(j, 400, "invalid_grant", "invalid user name or password");
    case GH_US_AUTH_LOCKED:
        return (void)gh_km_job_fail(j, 400, "invalid_grant", "the account is locked; try again later");
    default:
        gh_log(GH_LOG_ERR, "keymanager", "user store failed: %s", err.msg);
        return (void)gh_km_job_fail(j, 500, "server_error", "the user store failed");
    }
    memset(&tok, 0, sizeof(tok));
    snprintf(tok.user, sizeof(tok.user), "%s", user);
    snprintf(tok.user_type, sizeof(tok.user_type), "APPLICATION_USER");
    snprintf(tok.grant_type, sizeof(tok.grant_type), "password");
    if (grant_scopes(j, c, user, gh_form_get(&j->form, "scope"), &tok) != GH_OK)
        return;
    gh_km_issue(j, c, app, &tok, 1, NULL);
}

/* The narrower scope asked for on refresh must be within the original grant (RFC 6749 §6). */
static int narrow_scope(gh_km_job_t *j, const char *requested, gh_km_tok_t *tok)
{
    gh_km_scopes_t want, had;
    size_t i;
    int rc = GH_OK;

    if (requested == NULL)
        return GH_OK;
    if (gh_km_scopes_parse(&want, requested) != GH_OK)
        return gh_km_job_fail(j, 400, "invalid_scope", "malformed scope parameter");
    gh_km_scopes_parse(&had, tok->scope);
    for (i = 0; i < want.n; ++i)
        if (!gh_km_scopes_has(&had, want.items[i]))
            rc = gh_km_job_fail(j, 400, "invalid_scope", "scope %s was not granted originally", want.items[i]);
    if (rc == GH_OK && want.n > 0)
        gh_km_scopes_join(&want, tok->scope, sizeof(tok->scope));
    gh_km_scopes_dispose(&want);
    gh_km_scopes_dispose(&had);
    return rc;
}

void gh_km_grant_refresh(gh_km_job_t *j, gh_db_conn_t *c, const gh_km_app_t *app)
{
    const char *rt = gh_form_get(&j->form, "refresh_token");
    char h[GH_KM_HASH_HEX];
    gh_err_t err = {0};
    gh_km_tok_t old, tok;
    int rc;

    if (rt == NULL || rt[0] == '\0')
        return (void)gh_km_job_fail(j, 400, "invalid_request", "refresh_token is required");
    gh_km_sha256_hex(rt, strlen(rt), h);
    if ((rc = gh_km_tok_find(j->km, c, h, 1, &old, &err)) < 0)
        return (void)gh_km_job_fail(j, 500, "server_error", "token look-up failed");
    if (rc == 0 || old.app_id != app->id)
        return (void)gh_km_job_fail(j, 400, "invalid_grant", "invalid refresh token");
    if (strcmp(old.state, "INACTIVE") == 0) {
        /* a rotated refresh token came back: someone holds a copy, so end the whole family (RFC 9700 §4.14) */
        gh_log(GH_LOG_WARN, "keymanager", "refresh token reuse for client %s user %s: family revoked", app->client_id,
               old.user);
        if (gh_km_tok_revoke_family(j->km, c, app->id, old.user, &err) != GH_OK) /* publishes each revocation */
            gh_log(GH_LOG_ERR, "keymanager", "revoking a token family failed: %s", err.msg);
        return (void)gh_km_job_fail(j, 400, "invalid_grant", "the refresh token was already used");
    }
    if (strcmp(old.state, "ACTIVE") != 0 || old.rt_exp_ms <= gh_km_now_ms())
        return (void)gh_km_job_fail(j, 400, "invalid_grant", "the refresh token is expired or revoked");
    if (narrow_scope(j, gh_form_get(&j->form, "scope"), &old) != GH_OK)
        return;
    if ((rc = gh_km_tok_set_state(j->km, c, old.token_id, "INACTIVE", &err)) <= 0)
        return (void)gh_km_job_fail(j, rc < 0 ? 500 : 400, rc < 0 ? "server_error" : "invalid_grant",
                                    rc < 0 ? "token update failed" : "the refresh token was already used");
    gh_km_cache_del(&j->km->tokens, old.at_hash); /* gh_km_tok_set_state told the gateways (GH_EV_TOKEN_REVOKED) */
    memset(&tok, 0, sizeof(tok));
    snprintf(tok.user, sizeof(tok.user), "%s", old.user);
    snprintf(tok.user_type, sizeof(tok.user_type), "%s", old.user_type);
    snprintf(tok.grant_type, sizeof(tok.grant_type), "refresh_token");
    snprintf(tok.scope, sizeof(tok.scope), "%s", old.scope);
    gh_km_issue(j, c, app, &tok, 1, NULL);
}
