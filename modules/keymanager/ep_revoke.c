/* POST /oauth2/revoke (RFC 7009 with WSO2's response headers RevokedAccessToken / RevokedRefreshToken /
 * AuthorizedUser, which API Manager's gateways use to drop their caches). Unknown tokens answer 200 too. */
#include <string.h>
#include "gatehouse/events.h"
#include "gatehouse/http.h"
#include "gatehouse/log.h"
#include "km_int.h"

static void run(gh_km_job_t *j, gh_db_conn_t *c)
{
    const char *token = gh_form_get(&j->form, "token"), *hint = gh_form_get(&j->form, "token_type_hint");
    int refresh_first = hint != NULL && strcmp(hint, "refresh_token") == 0, as_refresh = refresh_first, rc;
    char h[GH_KM_HASH_HEX];
    gh_err_t err = {0};
    gh_km_app_t app;
    gh_km_tok_t tok;

    if (gh_km_client_check(j, c, &app) != 1)
        return;
    j->status = 200;
    j->ctype = "text/html";
    gh_km_sha256_hex(token, strlen(token), h);
    if ((rc = gh_km_tok_find(j->km, c, h, as_refresh, &tok, &err)) == 0) {
        as_refresh = !as_refresh;
        rc = gh_km_tok_find(j->km, c, h, as_refresh, &tok, &err);
    }
    if (rc < 0) {
        gh_log(GH_LOG_ERR, "keymanager", "token look-up failed: %s", err.msg);
        return (void)gh_km_job_fail(j, 500, "server_error", "token look-up failed");
    }
    if (rc == 0 || strcmp(tok.state, "ACTIVE") != 0)
        return; /* RFC 7009 §2.2: an invalid token is not an error */
    if (tok.app_id != app.id)
        return (void)gh_km_job_fail(j, 400, "unauthorized_client", "the token was not issued to this client");
    gh_km_cache_del(&j->km->tokens, tok.at_hash);
    if (gh_km_tok_set_state(j->km, c, tok.token_id, "REVOKED", &err) < 0) {
        gh_log(GH_LOG_ERR, "keymanager", "revocation failed: %s", err.msg);
        return (void)gh_km_job_fail(j, 500, "server_error", "revocation failed");
    }
    gh_km_cache_del(&j->km->tokens, tok.at_hash); /* again: an introspection may have re-cached it meanwhile */
    /* gh_km_tok_set_state published GH_EV_TOKEN_REVOKED: gateways here and elsewhere drop the token */
    gh_km_job_header(j, as_refresh ? "RevokedRefreshToken" : "RevokedAccessToken", token);
    gh_km_job_header(j, "AuthorizedUser", tok.user);
}

int gh_km_on_revoke(h2o_handler_t *self, h2o_req_t *req)
{
    gh_km_t *km = ((gh_route_t *)self)->data;
    gh_km_job_t *j;
    const char *token;

    if ((j = gh_km_job_post_form(km, req, run)) == NULL)
        return 0;
    if (j->status != 0)
        goto answer;
    if ((token = gh_form_get(&j->form, "token")) == NULL || token[0] == '\0') {
        gh_km_job_fail(j, 400, "invalid_request", "token is required");
        goto answer;
    }
    j->allow_public = 1; /* RFC 7009 §2.1: a public client revokes its own tokens with its client_id */
    if (j->cid == NULL) {
        gh_km_job_fail(j, 401, "invalid_client", "client authentication is required");
        goto answer;
    }
    gh_km_job_submit(j, req);
    return 0;
answer:
    gh_km_job_answer(j, req);
    return 0;
}
