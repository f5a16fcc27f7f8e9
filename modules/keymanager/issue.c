/* Minting tokens: the access token (and refresh token) row, the cache entry that makes introspection fast, the
 * RFC 6749 §5.1 response and, for the openid scope, the ID token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "gatehouse/conf.h"
#include "gatehouse/log.h"
#include "km_int.h"

char *gh_km_id_token(gh_km_t *km, int listener, const gh_km_app_t *app, const char *user, const char *at,
                     const char *nonce, int64_t now_ms)
{
    int64_t life = app->id_token_s > 0 ? app->id_token_s : km->conf->identity.id_token_expiration_s;
    char at_hash[48];
    json_t *c;
    char *payload, *jwt;

    c = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I}", "iss", km->iss[listener], "sub", user, "aud", app->client_id, "azp",
                  app->client_id, "iat", (json_int_t)(now_ms / 1000), "exp", (json_int_t)(now_ms / 1000 + life),
                  "auth_time", (json_int_t)(now_ms / 1000));
    if (at != NULL) {
        gh_km_sha256_b64url(at, strlen(at), 16, at_hash); /* OIDC core §3.1.3.6: left half of SHA-256 */
        json_object_set_new(c, "at_hash", json_string(at_hash));
    }
    if (nonce != NULL && nonce[0] != '\0')
        json_object_set_new(c, "nonce", json_string(nonce));
    payload = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    jwt = gh_km_jwt_sign(&km->keys, payload, "JWT");
    free(payload);
    return jwt;
}

/* An RFC 9068 access token: the jti is the row's TOKEN_ID, the signature makes it unguessable. Heap string. */
static char *jwt_access_token(gh_km_job_t *j, const gh_km_app_t *app, const gh_km_tok_t *tok)
{
    json_t *c = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I}", "iss", j->km->iss[j->listener], "sub", tok->user,
                          "aud", app->client_id, "client_id", app->client_id, "azp", app->client_id, "jti",
                          tok->token_id, "iat", (json_int_t)(tok->iat_ms / 1000), "nbf",
                          (json_int_t)(tok->iat_ms / 1000), "exp", (json_int_t)(tok->exp_ms / 1000));
    char *payload, *jwt;

    json_object_set_new(c, "scope", json_string(tok->scope));
    payload = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    jwt = gh_km_jwt_sign(&j->km->keys, payload, "at+jwt");
    free(payload);
    return jwt;
}

int gh_km_issue(gh_km_job_t *j, gh_db_conn_t *c, const gh_km_app_t *app, gh_km_tok_t *tok, int with_refresh,
                const char *nonce)
{
    gh_km_t *km = j->km;
    const gh_conf_identity_t *id = &km->conf->identity;
    int is_app = strcmp(tok->user_type, "APPLICATION") == 0;
    int64_t life = is_app ? app->app_token_s : app->user_token_s, rlife = app->refresh_token_s;
    char opaque[GH_KM_TOKEN_LEN], rt[GH_KM_TOKEN_LEN], *at = opaque, *jwt = NULL;
    gh_err_t err = {0};
    gh_km_scopes_t sc;

    if (life <= 0)
        life = is_app ? id->app_token_validity_s : id->user_token_validity_s;
    if (rlife <= 0)
        rlife = id->refresh_token_validity_s;
    if (tok->token_id[0] == '\0')
        gh_km_uuid(tok->token_id);
    gh_km_token(opaque);
    gh_km_token(rt);
    snprintf(tok->client_id, sizeof(tok->client_id), "%s", app->client_id);
    snprintf(tok->state, sizeof(tok->state), "ACTIVE");
    tok->app_id = app->id;
    tok->iat_ms = gh_km_now_ms();
    tok->exp_ms = tok->iat_ms + life * 1000;
    tok->rt_iat_ms = tok->iat_ms;
    tok->rt_exp_ms = tok->iat_ms + rlife * 1000;
    if (app->jwt) {
        if ((jwt = jwt_access_token(j, app, tok)) == NULL)
            return gh_km_job_fail(j, 500, "server_error", "the access token could not be signed");
        at = jwt;
    }
    if (gh_km_tok_insert(km, c, tok, at, with_refresh ? rt : NULL, &err) != GH_OK) {
        gh_log(GH_LOG_ERR, "keymanager", "storing a token failed: %s", err.msg);
        free(jwt);
        return gh_km_job_fail(j, 500, "server_error", "the token could not be stored");
    }
    gh_km_sha256_hex(at, strlen(at), tok->at_hash);
    /* the first introspection of a fresh token is then answered from memory */
    gh_km_cache_put(&km->tokens, tok->at_hash, tok,
                    tok->exp_ms < tok->iat_ms + GH_KM_CACHE_TTL_MS ? tok->exp_ms : tok->iat_ms + GH_KM_CACHE_TTL_MS);
    j->out = json_pack("{s:s,s:s,s:s,s:I}", "access_token", at, "scope", tok->scope, "token_type", "Bearer",
                       "expires_in", (json_int_t)life);
    if (with_refresh)
        json_object_set_new(j->out, "refresh_token", json_string(rt));
    if (!is_app && gh_km_scopes_parse(&sc, tok->scope) == GH_OK) {
        if (gh_km_scopes_has(&sc, "openid")) {
            char *idt = gh_km_id_token(km, j->listener, app, tok->user, at, nonce, tok->iat_ms);
            if (idt == NULL) {
                gh_km_scopes_dispose(&sc);
                json_decref(j->out);
                j->out = NULL;
                free(jwt);
                return gh_km_job_fail(j, 500, "server_error", "the ID token could not be signed");
            }
            json_object_set_new(j->out, "id_token", json_string(idt));
            free(idt);
        }
        gh_km_scopes_dispose(&sc);
    }
    OPENSSL_cleanse(opaque, sizeof(opaque));
    OPENSSL_cleanse(rt, sizeof(rt));
    free(jwt);
    j->status = 200;
    return GH_OK;
}
