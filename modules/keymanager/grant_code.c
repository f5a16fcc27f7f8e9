/* The authorization_code grant with PKCE (RFC 7636). A code is redeemed once; a replay revokes the tokens
 * issued from it (RFC 6749 §4.1.2). */
#include <stdio.h>
#include <string.h>
#include "gatehouse/events.h"
#include "gatehouse/log.h"
#include "km_int.h"

static void on_replay(gh_km_job_t *j, gh_db_conn_t *c, const gh_km_app_t *app, const gh_km_code_t *code)
{
    gh_err_t err = {0};

    gh_log(GH_LOG_WARN, "keymanager", "authorization code replay for client %s: issued tokens revoked", app->client_id);
    if (code->token_id[0] != '\0' && gh_km_tok_set_state(j->km, c, code->token_id, "REVOKED", &err) < 0)
        gh_log(GH_LOG_ERR, "keymanager", "revoking a replayed code's token failed: %s", err.msg);
    /* gh_km_tok_set_state and gh_km_tok_revoke_family publish GH_EV_TOKEN_REVOKED for each token they end, so
     * gateways here and elsewhere drop their cached validations */
    if (gh_km_tok_revoke_family(j->km, c, app->id, code->user, &err) != GH_OK)
        gh_log(GH_LOG_ERR, "keymanager", "revoking a token family failed: %s", err.msg);
    gh_km_job_fail(j, 400, "invalid_grant", "the authorization code was already used");
}

void gh_km_grant_code(gh_km_job_t *j, gh_db_conn_t *c, const gh_km_app_t *app)
{
    const char *raw = gh_form_get(&j->form, "code"), *redirect = gh_form_get(&j->form, "redirect_uri");
    const char *verifier = gh_form_get(&j->form, "code_verifier");
    gh_km_code_t code;
    gh_km_tok_t tok;
    gh_err_t err = {0};
    int rc;

    if (raw == NULL || raw[0] == '\0')
        return (void)gh_km_job_fail(j, 400, "invalid_request", "code is required");
    if ((rc = gh_km_code_find(j->km, c, raw, app->id, &code, &err)) < 0)
        return (void)gh_km_job_fail(j, 500, "server_error", "code look-up failed");
    if (rc == 0)
        return (void)gh_km_job_fail(j, 400, "invalid_grant", "invalid authorization code");
    if (strcmp(code.state, "ACTIVE") != 0)
        return on_replay(j, c, app, &code);
    if (code.exp_ms <= gh_km_now_ms())
        return (void)gh_km_job_fail(j, 400, "invalid_grant", "the authorization code has expired");
    /* RFC 6749 §4.1.3: required and identical when the authorization request named one */
    if (code.callback[0] != '\0' && redirect == NULL)
        return (void)gh_km_job_fail(j, 400, "invalid_request",
                                    "redirect_uri is required: the authorization request included one");
    if (redirect != NULL && (code.callback[0] != '\0' ? strcmp(redirect, code.callback) != 0
                                                       : !gh_km_callback_ok(app->callback, redirect)))
        return (void)gh_km_job_fail(j, 400, "invalid_grant", "redirect_uri does not match the authorization request");
    if (code.challenge[0] != '\0' && !gh_km_pkce_verify(code.method, code.challenge, verifier))
        return (void)gh_km_job_fail(j, 400, "invalid_grant", "PKCE verification failed");
    if (code.challenge[0] == '\0' && verifier != NULL)
        return (void)gh_km_job_fail(j, 400, "invalid_grant", "code_verifier sent for a code issued without PKCE");
    memset(&tok, 0, sizeof(tok));
    gh_km_uuid(tok.token_id);
    if ((rc = gh_km_code_consume(j->km, c, code.code_id, tok.token_id, &err)) < 0)
        return (void)gh_km_job_fail(j, 500, "server_error", "code update failed");
    if (rc == 0)
        return on_replay(j, c, app, &code);
    snprintf(tok.user, sizeof(tok.user), "%s", code.user);
    snprintf(tok.user_type, sizeof(tok.user_type), "APPLICATION_USER");
    snprintf(tok.grant_type, sizeof(tok.grant_type), "authorization_code");
    snprintf(tok.scope, sizeof(tok.scope), "%s", code.scope);
    gh_km_issue(j, c, app, &tok, 1, code.nonce);
}
