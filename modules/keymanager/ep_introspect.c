/* POST /oauth2/introspect (RFC 7662). Callers authenticate as an OAuth client or as a user holding
 * /permission/admin/manage/identity/applicationmgt/view (WSO2's valve). Fast path on the loop thread: a
 * caller seen recently and a token in the cache are answered without a job or a database read. */
#include <stdio.h>
#include <string.h>
#include "gatehouse/http.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "km_int.h"

#define INTROSPECT_PERM "/permission/admin/manage/identity/applicationmgt/view"

static void answer_tok(gh_km_job_t *j, int active, const gh_km_tok_t *tok)
{
    char user[300];

    j->status = 200;
    if (!active) {
        j->out = json_pack("{s:b}", "active", 0);
        return;
    }
    snprintf(user, sizeof(user), "%s@carbon.super", tok->user);
    j->out = json_pack("{s:b,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s}", "active", 1, "token_type", "Bearer", "client_id",
                       tok->client_id, "username", user, "sub", tok->user, "scope", tok->scope, "exp",
                       (json_int_t)(tok->exp_ms / 1000), "iat", (json_int_t)(tok->iat_ms / 1000), "nbf",
                       (json_int_t)(tok->iat_ms / 1000), "iss", j->km->iss[j->listener]);
}

/* The cache key of a caller: its credentials, hashed (the cache never holds a secret). */
static void caller_key(gh_km_job_t *j, char out[GH_KM_HASH_HEX])
{
    char buf[1024];

    snprintf(buf, sizeof(buf), "%s\n%s\n%s", j->cid ? j->cid : "", j->csecret ? j->csecret : "", j->arg2 ? j->arg2 : "");
    gh_km_hmac_hex(j->km->secret, sizeof(j->km->secret), buf, strlen(buf), out);
}

/* 1 when the cached caller of key is still valid: it was a client when clients_gen had today's value */
static int cached_caller(gh_km_t *km, const char *key)
{
    unsigned gen = 0;

    return gh_km_cache_get(&km->callers, key, &gen, gh_km_now_ms()) &&
           gen == __atomic_load_n(&km->clients_gen, __ATOMIC_SEQ_CST);
}

static int check_caller(gh_km_job_t *j, gh_db_conn_t *c)
{
    char key[GH_KM_HASH_HEX];
    gh_caller_t user;
    gh_err_t err = {0};
    gh_km_app_t app;
    unsigned gen = __atomic_load_n(&j->km->clients_gen, __ATOMIC_SEQ_CST);
    int rc;

    caller_key(j, key);
    if (cached_caller(j->km, key))
        return 1;
    if (j->cid == NULL || j->csecret == NULL)
        return gh_km_job_fail(j, 401, "invalid_client", "authenticate as a client or as a user with permission"), 0;
    /* a client whose secret matches is that client; otherwise the Basic credentials are a user's, decoded as RFC
     * 7617 says (not form-decoded), so a client id equal to a user name never shadows the user */
    if ((rc = gh_km_app_get(j->km, c, j->cid, &app, &err)) < 0)
        return gh_km_job_fail(j, 500, "server_error", "client look-up failed"), -1;
    if (rc == 1 && gh_km_secret_matches(j->km, app.secret, j->csecret) && strcmp(app.state, "ACTIVE") == 0) {
        /* only clients are remembered: a user's roles and lock state are read at every call */
        gh_km_cache_put(&j->km->callers, key, &gen, gh_km_now_ms() + GH_KM_CACHE_TTL_MS);
        return 1;
    }
    if (j->arg2 == NULL)
        return gh_km_job_fail(j, 401, "invalid_client", "client authentication failed"), 0;
    return gh_km_user_caller(j, j->arg2, INTROSPECT_PERM, &user);
}

static void run(gh_km_job_t *j, gh_db_conn_t *c)
{
    gh_err_t err = {0};
    gh_km_tok_t tok;
    int rc;

    if (check_caller(j, c) != 1)
        return;
    if ((rc = gh_km_tok_active(j->km, c, j->arg, &tok, &err)) < 0) {
        gh_log(GH_LOG_ERR, "keymanager", "token look-up failed: %s", err.msg);
        return (void)gh_km_job_fail(j, 500, "server_error", "token look-up failed");
    }
    answer_tok(j, rc == 1, &tok);
}

int gh_km_on_introspect(h2o_handler_t *self, h2o_req_t *req)
{
    gh_km_t *km = ((gh_route_t *)self)->data;
    const h2o_iovec_t *authz = gh_http_header(req, "authorization");
    char key[GH_KM_HASH_HEX];
    gh_km_job_t *j;
    gh_km_tok_t tok;
    const char *token;
    int rc;

    if ((j = gh_km_job_post_form(km, req, run)) == NULL)
        return 0;
    if (j->status != 0)
        goto answer;
    if ((token = gh_form_get(&j->form, "token")) == NULL || token[0] == '\0') {
        gh_km_job_fail(j, 400, "invalid_request", "Invalid input: token is required");
        goto answer;
    }
    j->arg = gh_strdup(token);
    if (authz != NULL)
        j->arg2 = gh_strndup(authz->base, authz->len);
    caller_key(j, key);
    if (cached_caller(km, key) && (rc = gh_km_tok_active(km, NULL, token, &tok, NULL)) >= 0) {
        answer_tok(j, rc == 1, &tok);
        goto answer;
    }
    gh_km_job_submit(j, req);
    return 0;
answer:
    gh_km_job_answer(j, req);
    return 0;
}
