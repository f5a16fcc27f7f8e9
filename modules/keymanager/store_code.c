/* IDN_OAUTH2_AUTHORIZATION_CODE: codes are single-use; the row keeps the token issued from it so that a
 * replayed code can revoke what it produced. */
#include <stdio.h>
#include <string.h>
#include "km_int.h"

static void col(gh_db_stmt_t *s, size_t i, char *dst, size_t size)
{
    const char *v = gh_db_col_text(s, i, NULL);

    snprintf(dst, size, "%s", v != NULL ? v : "");
}

int gh_km_code_insert(gh_km_t *km, gh_db_conn_t *c, const gh_km_code_t *code, const char *raw, gh_err_t *err)
{
    char h[GH_KM_HASH_HEX];

    gh_km_sha256_hex(raw, strlen(raw), h);
    if (code->nonce[0] != '\0')
        gh_km_cache_put(&km->nonces, h, code->nonce, code->exp_ms);
    return gh_db_exec(c,
                      "INSERT INTO IDN_OAUTH2_AUTHORIZATION_CODE (CODE_ID, AUTHORIZATION_CODE, CONSUMER_KEY_ID, "
                      "CALLBACK_URL, SCOPE, AUTHZ_USER, TENANT_ID, USER_DOMAIN, TIME_CREATED, VALIDITY_PERIOD, STATE, "
                      "SUBJECT_IDENTIFIER, PKCE_CODE_CHALLENGE, PKCE_CODE_CHALLENGE_METHOD, AUTHORIZATION_CODE_HASH) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, 'PRIMARY', ?, ?, 'ACTIVE', ?, ?, ?, ?)",
                      GH_DB_ARGS(GH_DB_T(code->code_id), GH_DB_T(km->plain_tokens ? raw : h), GH_DB_I(code->app_id),
                                 GH_DB_T(code->callback), GH_DB_T(code->scope), GH_DB_T(code->user),
                                 GH_DB_I(GH_KM_TENANT), GH_DB_TS(code->iat_ms), GH_DB_I(code->exp_ms - code->iat_ms),
                                 GH_DB_T(code->user), code->challenge[0] ? GH_DB_T(code->challenge) : GH_DB_NUL,
                                 code->method[0] ? GH_DB_T(code->method) : GH_DB_NUL, GH_DB_T(h)),
                      NULL, err);
}

int gh_km_code_find(gh_km_t *km, gh_db_conn_t *c, const char *raw, int64_t app_id, gh_km_code_t *out, gh_err_t *err)
{
    char h[GH_KM_HASH_HEX];
    gh_db_stmt_t *s;
    int rc;

    gh_km_sha256_hex(raw, strlen(raw), h);
    if (gh_db_prepare(c,
                      "SELECT CODE_ID, CALLBACK_URL, SCOPE, AUTHZ_USER, STATE, TOKEN_ID, PKCE_CODE_CHALLENGE, "
                      "PKCE_CODE_CHALLENGE_METHOD, TIME_CREATED, VALIDITY_PERIOD FROM IDN_OAUTH2_AUTHORIZATION_CODE "
                      "WHERE AUTHORIZATION_CODE_HASH = ? AND CONSUMER_KEY_ID = ?",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(h), GH_DB_I(app_id)), err) != GH_OK)
        return -1;
    if ((rc = gh_db_next(s, err)) == 1) {
        memset(out, 0, sizeof(*out));
        out->app_id = app_id;
        col(s, 0, out->code_id, sizeof(out->code_id));
        col(s, 1, out->callback, sizeof(out->callback));
        col(s, 2, out->scope, sizeof(out->scope));
        col(s, 3, out->user, sizeof(out->user));
        col(s, 4, out->state, sizeof(out->state));
        col(s, 5, out->token_id, sizeof(out->token_id));
        col(s, 6, out->challenge, sizeof(out->challenge));
        col(s, 7, out->method, sizeof(out->method));
        out->iat_ms = gh_db_col_time(s, 8);
        out->exp_ms = out->iat_ms + gh_db_col_int(s, 9);
        gh_km_cache_get(&km->nonces, h, out->nonce, gh_km_now_ms());
    }
    gh_db_reset(s);
    return rc < 0 ? -1 : rc;
}

int gh_km_code_consume(gh_km_t *km, gh_db_conn_t *c, const char *code_id, const char *token_id, gh_err_t *err)
{
    int64_t n = 0;

    (void)km;
    /* the state guard makes two concurrent redemptions race safely: only one update wins */
    if (gh_db_exec(c,
                   "UPDATE IDN_OAUTH2_AUTHORIZATION_CODE SET STATE = 'INACTIVE', TOKEN_ID = ? WHERE CODE_ID = ? AND "
                   "STATE = 'ACTIVE'",
                   GH_DB_ARGS(GH_DB_T(token_id), GH_DB_T(code_id)), &n, err) != GH_OK)
        return -1;
    return n > 0 ? 1 : 0;
}
