/* IDN_OAUTH2_ACCESS_TOKEN and IDN_OAUTH2_ACCESS_TOKEN_SCOPE. Rows are found by ACCESS_TOKEN_HASH or
 * REFRESH_TOKEN_HASH (SHA-256 hex); ACCESS_TOKEN/REFRESH_TOKEN hold the hash too unless the PlainText processor
 * is configured. A token is active while its state is ACTIVE and TIME_CREATED + VALIDITY_PERIOD is ahead. */
#include <stdio.h>
#include <string.h>
#include "gatehouse/conf.h"
#include "gatehouse/events.h"
#include "km_int.h"

static void col(gh_db_stmt_t *s, size_t i, char *dst, size_t size)
{
    const char *v = gh_db_col_text(s, i, NULL);

    snprintf(dst, size, "%s", v != NULL ? v : "");
}

int gh_km_tok_insert(gh_km_t *km, gh_db_conn_t *c, const gh_km_tok_t *t, const char *at, const char *rt, gh_err_t *err)
{
    char ath[GH_KM_HASH_HEX], rth[GH_KM_HASH_HEX], scope_hash[33];
    gh_km_scopes_t sc;
    size_t i;
    int rc = GH_ERR;

    gh_km_sha256_hex(at, strlen(at), ath);
    if (rt != NULL)
        gh_km_sha256_hex(rt, strlen(rt), rth);
    gh_km_md5_hex(t->scope, strlen(t->scope), scope_hash);
    if (gh_km_scopes_parse(&sc, t->scope) != GH_OK)
        return gh_err_set(err, GH_E_INPUT, "bad scope");
    if (gh_db_begin(c, err) != GH_OK)
        goto out;
    if (gh_db_exec(c,
                   "INSERT INTO IDN_OAUTH2_ACCESS_TOKEN (TOKEN_ID, ACCESS_TOKEN, REFRESH_TOKEN, CONSUMER_KEY_ID, AUTHZ_USER, "
                   "TENANT_ID, USER_DOMAIN, USER_TYPE, GRANT_TYPE, TIME_CREATED, REFRESH_TOKEN_TIME_CREATED, "
                   "VALIDITY_PERIOD, REFRESH_TOKEN_VALIDITY_PERIOD, TOKEN_SCOPE_HASH, TOKEN_STATE, TOKEN_STATE_ID, "
                   "SUBJECT_IDENTIFIER, ACCESS_TOKEN_HASH, REFRESH_TOKEN_HASH) "
                   "VALUES (?, ?, ?, ?, ?, ?, 'PRIMARY', ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', 'NONE', ?, ?, ?)",
                   GH_DB_ARGS(GH_DB_T(t->token_id), GH_DB_T(km->plain_tokens ? at : ath),
                              rt == NULL ? GH_DB_NUL : GH_DB_T(km->plain_tokens ? rt : rth), GH_DB_I(t->app_id),
                              GH_DB_T(t->user), GH_DB_I(GH_KM_TENANT), GH_DB_T(t->user_type), GH_DB_T(t->grant_type),
                              GH_DB_TS(t->iat_ms), GH_DB_TS(t->rt_iat_ms), GH_DB_I(t->exp_ms - t->iat_ms),
                              GH_DB_I(rt == NULL ? 0 : t->rt_exp_ms - t->rt_iat_ms), GH_DB_T(scope_hash),
                              GH_DB_T(t->user), GH_DB_T(ath), rt == NULL ? GH_DB_NUL : GH_DB_T(rth)),
                   NULL, err) != GH_OK)
        goto out;
    for (i = 0; i < sc.n; ++i)
        if (gh_db_exec(c, "INSERT INTO IDN_OAUTH2_ACCESS_TOKEN_SCOPE (TOKEN_ID, TOKEN_SCOPE, TENANT_ID) VALUES (?, ?, ?)",
                       GH_DB_ARGS(GH_DB_T(t->token_id), GH_DB_T(sc.items[i]), GH_DB_I(GH_KM_TENANT)), NULL,
                       err) != GH_OK)
            goto out;
    rc = gh_db_commit(c, err);
out:
    if (rc != GH_OK)
        gh_db_rollback(c, NULL);
    gh_km_scopes_dispose(&sc);
    return rc;
}

static int read_scopes(gh_db_conn_t *c, gh_km_tok_t *out, gh_err_t *err)
{
    gh_db_stmt_t *s;
    size_t o = 0;
    int rc;

    out->scope[0] = '\0';
    if (gh_db_prepare(c, "SELECT TOKEN_SCOPE FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE WHERE TOKEN_ID = ? ORDER BY TOKEN_SCOPE",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(out->token_id)), err) != GH_OK)
        return GH_ERR;
    while ((rc = gh_db_next(s, err)) == 1) {
        const char *v = gh_db_col_text(s, 0, NULL);
        if (v != NULL && o + strlen(v) + 2 < sizeof(out->scope))
            o += (size_t)snprintf(out->scope + o, sizeof(out->scope) - o, "%s%s", o ? " " : "", v);
    }
    gh_db_reset(s);
    return rc < 0 ? GH_ERR : GH_OK;
}

int gh_km_tok_find(gh_km_t *km, gh_db_conn_t *c, const char *hash, int by_refresh, gh_km_tok_t *out, gh_err_t *err)
{
    gh_db_stmt_t *s;
    int rc;

    (void)km;
    if (gh_db_prepare(c,
                      by_refresh ? "SELECT t.TOKEN_ID, a.CONSUMER_KEY, t.CONSUMER_KEY_ID, t.AUTHZ_USER, t.USER_TYPE, "
                                   "t.GRANT_TYPE, t.TOKEN_STATE, t.TIME_CREATED, t.VALIDITY_PERIOD, "
                                   "t.REFRESH_TOKEN_TIME_CREATED, t.REFRESH_TOKEN_VALIDITY_PERIOD, t.ACCESS_TOKEN_HASH FROM "
                                   "IDN_OAUTH2_ACCESS_TOKEN t JOIN IDN_OAUTH_CONSUMER_APPS a ON a.ID = t.CONSUMER_KEY_ID "
                                   "WHERE t.REFRESH_TOKEN_HASH = ?"
                                 : "SELECT t.TOKEN_ID, a.CONSUMER_KEY, t.CONSUMER_KEY_ID, t.AUTHZ_USER, t.USER_TYPE, "
                                   "t.GRANT_TYPE, t.TOKEN_STATE, t.TIME_CREATED, t.VALIDITY_PERIOD, "
                                   "t.REFRESH_TOKEN_TIME_CREATED, t.REFRESH_TOKEN_VALIDITY_PERIOD, t.ACCESS_TOKEN_HASH FROM "
                                   "IDN_OAUTH2_ACCESS_TOKEN t JOIN IDN_OAUTH_CONSUMER_APPS a ON a.ID = t.CONSUMER_KEY_ID "
                                   "WHERE t.ACCESS_TOKEN_HASH = ?",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(hash)), err) != GH_OK)
        return -1;
    if ((rc = gh_db_next(s, err)) == 1) {
        memset(out, 0, sizeof(*out));
        col(s, 0, out->token_id, sizeof(out->token_id));
        col(s, 1, out->client_id, sizeof(out->client_id));
        out->app_id = gh_db_col_int(s, 2);
        col(s, 3, out->user, sizeof(out->user));
        col(s, 4, out->user_type, sizeof(out->user_type));
        col(s, 5, out->grant_type, sizeof(out->grant_type));
        col(s, 6, out->state, sizeof(out->state));
        out->iat_ms = gh_db_col_time(s, 7);
        out->exp_ms = out->iat_ms + gh_db_col_int(s, 8);
        out->rt_iat_ms = gh_db_col_time(s, 9);
        out->rt_exp_ms = out->rt_iat_ms + gh_db_col_int(s, 10);
        col(s, 11, out->at_hash, sizeof(out->at_hash));
    }
    gh_db_reset(s);
    if (rc == 1 && read_scopes(c, out, err) != GH_OK)
        return -1;
    return rc < 0 ? -1 : rc;
}

int gh_km_tok_set_state(gh_km_t *km, gh_db_conn_t *c, const char *token_id, const char *state, gh_err_t *err)
{
    char sid[GH_KM_UUID_LEN];
    int64_t n = 0;

    char h[GH_KM_HASH_HEX] = "";
    gh_db_stmt_t *s;
    int rc;

    /* the cached copy goes too, before and after the update, so that this process never answers "active" later */
    if (gh_db_prepare(c, "SELECT ACCESS_TOKEN_HASH FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID = ?", &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(token_id)), err) != GH_OK)
        return -1;
    if ((rc = gh_db_next(s, err)) == 1)
        col(s, 0, h, sizeof(h));
    gh_db_reset(s);
    if (rc < 0)
        return -1;
    if (h[0])
        gh_km_cache_del(&km->tokens, h);
    gh_km_uuid(sid);
    if (gh_db_exec(c,
                   "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = ?, TOKEN_STATE_ID = ? WHERE TOKEN_ID = ? AND "
                   "TOKEN_STATE = 'ACTIVE'",
                   GH_DB_ARGS(GH_DB_T(state), GH_DB_T(sid), GH_DB_T(token_id)), &n, err) != GH_OK)
        return -1;
    if (h[0])
        gh_km_cache_del(&km->tokens, h);
    /* gateways and the other key managers drop their copies too (this process's gateways at once, others
     * through the cluster relay) */
    if (n > 0 && h[0])
        gh_events_publish(&(gh_event_t){.kind = GH_EV_TOKEN_REVOKED, .token_hash = h});
    return n > 0 ? 1 : 0;
}

int gh_km_tok_revoke_family(gh_km_t *km, gh_db_conn_t *c, int64_t app_id, const char *user, gh_err_t *err)
{
    char sid[GH_KM_UUID_LEN];
    gh_db_stmt_t *s;
    int rc;

    /* evict the family's cached access tokens first: a replay must take effect at once in this process */
    if (gh_db_prepare(c,
                      "SELECT ACCESS_TOKEN_HASH FROM IDN_OAUTH2_ACCESS_TOKEN WHERE CONSUMER_KEY_ID = ? AND AUTHZ_USER = ? "
                      "AND USER_TYPE = 'APPLICATION_USER' AND TOKEN_STATE = 'ACTIVE'",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_I(app_id), GH_DB_T(user)), err) != GH_OK)
        return GH_ERR;
    gh_us_strlist_t hashes = {0};

    while ((rc = gh_db_next(s, err)) == 1) {
        const char *h = gh_db_col_text(s, 0, NULL);
        if (h != NULL) {
            gh_km_cache_del(&km->tokens, h);
            gh_us_strlist_push(&hashes, h);
        }
    }
    gh_db_reset(s);
    if (rc < 0)
        goto out;
    /* one state id for the whole family keeps CON_APP_KEY unique: TOKEN_ID is part of it */
    gh_km_uuid(sid);
    rc = gh_db_exec(c,
                    "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'REVOKED', TOKEN_STATE_ID = ? WHERE "
                    "CONSUMER_KEY_ID = ? AND AUTHZ_USER = ? AND USER_TYPE = 'APPLICATION_USER' AND TOKEN_STATE = 'ACTIVE'",
                    GH_DB_ARGS(GH_DB_T(sid), GH_DB_I(app_id), GH_DB_T(user)), NULL, err);
    for (size_t i = 0; rc == GH_OK && i < hashes.n; ++i)
        gh_events_publish(&(gh_event_t){.kind = GH_EV_TOKEN_REVOKED, .token_hash = hashes.items[i]});
out:
    gh_us_strlist_dispose(&hashes);
    return rc < 0 ? GH_ERR : rc;
}

int gh_km_tok_active(gh_km_t *km, gh_db_conn_t *c, const char *at, gh_km_tok_t *out, gh_err_t *err)
{
    char h[GH_KM_HASH_HEX];
    int64_t now = gh_km_now_ms();
    int rc;

    uint64_t gen;

    gh_km_sha256_hex(at, strlen(at), h);
    if (gh_km_cache_get(&km->tokens, h, out, now))
        return out->exp_ms > now ? 1 : 0;
    if (c == NULL)
        return -2; /* not cached: the caller needs a job */
    gen = gh_km_cache_gen(&km->tokens);
    if ((rc = gh_km_tok_find(km, c, h, 0, out, err)) != 1)
        return rc;
    if (strcmp(out->state, "ACTIVE") != 0 || out->exp_ms <= now)
        return 0;
    /* not if a revocation event came while the row was read: it may have read the row from before it */
    gh_km_cache_put_if(&km->tokens, gen, h, out,
                       out->exp_ms < now + GH_KM_CACHE_TTL_MS ? out->exp_ms : now + GH_KM_CACHE_TTL_MS);
    return 1;
}

int gh_km_tok_purge(gh_km_t *km, gh_db_conn_t *c, int limit, gh_err_t *err)
{
    const gh_conf_identity_t *id = &km->conf->identity;
    int64_t longest = id->refresh_token_validity_s;
    char ids[100][GH_KM_UUID_LEN];
    gh_db_stmt_t *s;
    int n = 0, i, rc;

    if (id->user_token_validity_s > longest)
        longest = id->user_token_validity_s;
    if (id->app_token_validity_s > longest)
        longest = id->app_token_validity_s;
    if (limit > 100)
        limit = 100;
    /* INACTIVE rows (rotated refresh tokens) stay until they are old: replaying one must still be recognised.
     * No dialect-neutral date arithmetic: rows older than the longest lifetime are certainly expired */
    if (gh_db_prepare(c,
                      "SELECT TOKEN_ID FROM IDN_OAUTH2_ACCESS_TOKEN WHERE (TOKEN_STATE <> 'ACTIVE' AND TOKEN_STATE <> "
                      "'INACTIVE') OR TIME_CREATED < ?",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_TS(gh_km_now_ms() - longest * 1000 - 60000)), err) != GH_OK)
        return -1;
    while (n < limit && (rc = gh_db_next(s, err)) == 1)
        col(s, 0, ids[n++], GH_KM_UUID_LEN);
    gh_db_reset(s);
    if (n == 0)
        return 0;
    if (gh_db_begin(c, err) != GH_OK)
        return -1;
    for (i = 0; i < n; ++i) {
        if (gh_db_exec(c, "DELETE FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE WHERE TOKEN_ID = ?", GH_DB_ARGS(GH_DB_T(ids[i])), NULL,
                       err) != GH_OK ||
            gh_db_exec(c, "DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID = ?", GH_DB_ARGS(GH_DB_T(ids[i])), NULL,
                       err) != GH_OK) {
            gh_db_rollback(c, NULL);
            return -1;
        }
    }
    return gh_db_commit(c, err) == GH_OK ? n : -1;
}
