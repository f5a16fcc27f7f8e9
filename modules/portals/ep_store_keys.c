/* Store v0.14 keys: generate-keys makes the application's PRODUCTION or SANDBOX OAuth client in the key manager
 * (grant types, callback, token validity), maps it (AM_APPLICATION_KEY_MAPPING) and answers consumer key, secret
 * (shown once: the key manager keeps a keyed hash) and a first application token; keys/{keyType} reads and
 * updates the client; regenerate-consumersecret issues a new secret. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "portals_int.h"


static int key_type_ok(gh_portal_job_t *j, const char *t)
{
    if (t != NULL && (strcmp(t, "PRODUCTION") == 0 || strcmp(t, "SANDBOX") == 0))
        return 1;
    gh_portal_fail(j, 400, "keyType", "keyType must be PRODUCTION or SANDBOX");
    return 0;
}

static int need_km(gh_portal_job_t *j)
{
    if (j->p->km != NULL)
        return 1;
    gh_portal_fail(j, 503, NULL, "keys need the key-manager role in this process (--profile ...,key-manager)");
    return 0;
}

/* space-joined strings of a JSON array (grant types, scopes); NULL when absent; "" + 400 when malformed */
static int joined(gh_portal_job_t *j, json_t *in, const char *k, char *out, size_t size, int *present)
{
    json_t *v = json_object_get(in, k), *x;
    size_t i, o = 0;

    *present = 0;
    out[0] = '\0';
    if (v == NULL || json_is_null(v))
        return GH_OK;
    if (!json_is_array(v))
        return gh_portal_fail(j, 400, k, "%s must be an array of strings", k);
    json_array_foreach(v, i, x) {
        if (!json_is_string(x) || json_string_length(x) == 0 || strchr(json_string_value(x), ' ') != NULL)
            return gh_portal_fail(j, 400, k, "%s must be an array of strings without spaces", k);
        if (o + json_string_length(x) + 2 >= size)
            return gh_portal_fail(j, 400, k, "%s is too long", k);
        o += (size_t)snprintf(out + o, size - o, "%s%s", o ? " " : "", json_string_value(x));
    }
    *present = 1;
    return GH_OK;
}

static int grant_listed(const char *list, const char *g)
{
    size_t n = strlen(g);
    const char *p = list;

    while ((p = strstr(p, g)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
        p += n;
    }
    return 0;
}

static json_t *key_json(const gh_km_client_t *cl, const char *key_type, const char *state)
{
    json_t *grants = json_array();
    const char *p = cl->grant_types, *e;

    while (p != NULL && *p) {
        e = strchr(p, ' ');
        json_array_append_new(grants, e != NULL ? json_stringn(p, (size_t)(e - p)) : json_string(p));
        p = e != NULL ? e + 1 : NULL;
    }
    return json_pack("{s:s,s:s?,s:o,s:s,s:s,s:s,s:n,s:n}", "consumerKey", cl->client_id, "consumerSecret",
                     cl->client_secret[0] ? cl->client_secret : NULL, "supportedGrantTypes", grants, "callbackUrl",
                     cl->callback, "keyState", state ? state : "COMPLETED", "keyType", key_type, "groupId", "token");
}

static int validity_of(gh_portal_job_t *j, json_t *in, int64_t *out)
{
    json_t *v = json_object_get(in, "validityTime");

    *out = 3600;
    if (v == NULL || json_is_null(v))
        return GH_OK;
    if (json_is_integer(v))
        *out = (int64_t)json_integer_value(v);
    else if (!json_is_string(v) || gh_portal_parse_int(json_string_value(v), -1, 315360000, out) != GH_OK)
        return gh_portal_fail(j, 400, "validityTime", "validityTime must be a number of seconds");
    if (*out == 0 || *out < -1 || *out > 315360000)
        return gh_portal_fail(j, 400, "validityTime", "validityTime must be 1 to 315360000 seconds (or -1)");
    if (*out < 0)
        *out = 315360000; /* WSO2's "never expires" becomes ten years */
    return GH_OK;
}

void gh_portal_ep_generate_keys(gh_portal_job_t *j, gh_db_conn_t *c)
{
    char grants[512], scopes[1024], name[600], token[4096] = "", granted[2048] = "";
    const char *type, *cb;
    int have_grants, have_scopes, rc;
    gh_km_client_spec_t spec = {0};
    gh_km_client_t cl;
    gh_portal_app_t a;
    gh_err_t err = {0};
    int64_t validity, expires = 0, n;
    json_t *in = NULL, *out;

    if (!need_km(j) || !gh_portal_app_own(j, c, gh_portal_q(j, "applicationId"), &a) ||
        (in = gh_portal_json_body(j)) == NULL)
        goto done;
    type = json_string_value(json_object_get(in, "keyType"));
    cb = json_string_value(json_object_get(in, "callbackUrl"));
    if (!key_type_ok(j, type) || validity_of(j, in, &validity) != GH_OK ||
        joined(j, in, "supportedGrantTypes", grants, sizeof(grants), &have_grants) != GH_OK ||
        joined(j, in, "scopes", scopes, sizeof(scopes), &have_scopes) != GH_OK)
        goto done;
    if (json_object_get(in, "clientId") != NULL && !json_is_null(json_object_get(in, "clientId"))) {
        gh_portal_fail(j, 400, "clientId", "mapping an existing OAuth client is not supported; omit clientId");
        goto done;
    }
    if ((rc = gh_db_query_int(c, "SELECT COUNT(*) FROM AM_APPLICATION_KEY_MAPPING WHERE APPLICATION_ID = ? AND KEY_TYPE = ?",
                              GH_DB_ARGS(GH_DB_I(a.id), GH_DB_T(type)), &n, &err)) != 1) {
        gh_portal_fail_db(j, "reading key mappings", &err);
        goto done;
    }
    if (n > 0) {
        gh_portal_fail(j, 409, "keyType", "application %s already has %s keys", a.name, type);
        goto done;
    }
    snprintf(name, sizeof(name), "%s_%s_%s", a.owner, a.name, type);
    spec.name = name;
    spec.owner = a.owner;
    spec.callback = cb != NULL ? cb : a.callback;
    spec.grant_types = have_grants && grants[0] ? grants : NULL;
    spec.app_token_s = validity;
    if (gh_km_client_create(j->p->km, &spec, &cl, &err) != GH_OK) {
        if (err.code == GH_E_INPUT)
            gh_portal_fail(j, 400, strstr(err.msg, "redirect") || strstr(err.msg, "callback") ? "callbackUrl"
                                                                                                : "supportedGrantTypes",
                           "%s", err.msg);
        else
            gh_portal_fail_db(j, "creating the OAuth client", &err);
        goto done;
    }
    if (gh_db_exec(c,
                   "INSERT INTO AM_APPLICATION_KEY_MAPPING (APPLICATION_ID, CONSUMER_KEY, KEY_TYPE, STATE, CREATE_MODE) "
                   "VALUES (?, ?, ?, 'COMPLETED', 'CREATED')",
                   GH_DB_ARGS(GH_DB_I(a.id), GH_DB_T(cl.client_id), GH_DB_T(type)), NULL, &err) != GH_OK) {
        gh_err_t e2 = {0};
        /* a concurrent request mapped its own client first: ours goes */
        gh_km_client_delete(j->p->km, cl.client_id, &e2);
        if (err.code == GH_DB_E_UNIQUE)
            gh_portal_fail(j, 409, "keyType", "application %s already has %s keys", a.name, type);
        else
            gh_portal_fail_db(j, "mapping the keys", &err);
        goto done;
    }
    gh_portal_event(GH_EV_KEYS_CHANGED, 0, a.id, 0, NULL, cl.client_id, "GENERATED");
    gh_log(GH_LOG_INFO, "portals", "%s keys %s for application %s generated by %s", type, cl.client_id, a.uuid,
           j->caller.user);
    out = key_json(&cl, type, "COMPLETED");
    /* the first token is an application token: only for a client allowed the client_credentials grant */
    if (!grant_listed(cl.grant_types, "client_credentials")) {
        /* token stays null, as API Manager answers for such keys */
    } else if (gh_km_client_token(j->p->km, cl.client_id, have_scopes && scopes[0] ? scopes : NULL, token,
                                  sizeof(token), granted, sizeof(granted), &expires, &err) == GH_OK) {
        json_t *ts = gh_portal_csv_to_json(NULL);
        const char *p = granted, *e;
        while (p != NULL && *p) {
            e = strchr(p, ' ');
            json_array_append_new(ts, e != NULL ? json_stringn(p, (size_t)(e - p)) : json_string(p));
            p = e != NULL ? e + 1 : NULL;
        }
        json_object_set_new(out, "token", json_pack("{s:s,s:o,s:I}", "accessToken", token, "tokenScopes", ts,
                                                    "validityTime", (json_int_t)expires));
    } else {
        gh_log(GH_LOG_WARN, "portals", "no first token for %s: %s", cl.client_id, err.msg);
    }
    OPENSSL_cleanse(token, sizeof(token));
    OPENSSL_cleanse(cl.client_secret, sizeof(cl.client_secret));
    j->status = 200;
    j->out = out;
done:
    json_decref(in);
}

/* the client of (application of the path, keyType of the path): 1 with cl, or 0 answered */
static int mapped(gh_portal_job_t *j, gh_db_conn_t *c, gh_portal_app_t *a, gh_km_client_t *cl, char *state,
                  size_t ssize)
{
    gh_db_stmt_t *s;
    gh_err_t err = {0};
    char key[256] = "";
    int rc;

    if (!need_km(j) || !gh_portal_app_own(j, c, j->seg[1], a) || !key_type_ok(j, j->seg[3]))
        return 0;
    if (gh_db_prepare(c,
                      "SELECT CONSUMER_KEY, STATE FROM AM_APPLICATION_KEY_MAPPING WHERE APPLICATION_ID = ? AND KEY_TYPE = ?",
                      &s, &err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_I(a->id), GH_DB_T(j->seg[3])), &err) != GH_OK)
        return gh_portal_fail_db(j, "reading key mappings", &err), 0;
    if ((rc = gh_db_next(s, &err)) == 1) {
        snprintf(key, sizeof(key), "%s", gh_db_col_text(s, 0, NULL) ? gh_db_col_text(s, 0, NULL) : "");
        snprintf(state, ssize, "%s", gh_db_col_text(s, 1, NULL) ? gh_db_col_text(s, 1, NULL) : "COMPLETED");
    }
    gh_db_reset(s);
    if (rc < 0)
        return gh_portal_fail_db(j, "reading key mappings", &err), 0;
    if (rc == 0 || key[0] == '\0')
        return gh_portal_fail(j, 404, "keyType", "application %s has no %s keys", a->name, j->seg[3]), 0;
    if ((rc = gh_km_client_get(j->p->km, key, cl, &err)) < 0)
        return gh_portal_fail_db(j, "reading the OAuth client", &err), 0;
    if (rc == 0)
        return gh_portal_fail(j, 404, "keyType", "the OAuth client of the %s keys is gone", j->seg[3]), 0;
    return 1;
}

void gh_portal_ep_keys_get(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_app_t a;
    gh_km_client_t cl;
    char state[32];

    if (!mapped(j, c, &a, &cl, state, sizeof(state)))
        return;
    j->status = 200;
    j->out = key_json(&cl, j->seg[3], state);
}

void gh_portal_ep_keys_put(gh_portal_job_t *j, gh_db_conn_t *c)
{
    char grants[512], state[32];
    int have_grants;
    gh_km_client_spec_t spec = {0};
    gh_km_client_t cl, out;
    gh_portal_app_t a;
    gh_err_t err = {0};
    json_t *in = NULL, *cb;

    if (!mapped(j, c, &a, &cl, state, sizeof(state)) || (in = gh_portal_json_body(j)) == NULL)
        goto done;
    if (joined(j, in, "supportedGrantTypes", grants, sizeof(grants), &have_grants) != GH_OK)
        goto done;
    cb = json_object_get(in, "callbackUrl");
    if (cb != NULL && !json_is_null(cb) && !json_is_string(cb)) {
        gh_portal_fail(j, 400, "callbackUrl", "callbackUrl must be a string");
        goto done;
    }
    spec.grant_types = have_grants ? grants : NULL;
    spec.callback = json_is_string(cb) ? json_string_value(cb) : NULL;
    if (gh_km_client_update(j->p->km, cl.client_id, &spec, &out, &err) != GH_OK) {
        if (err.code == GH_E_INPUT)
            gh_portal_fail(j, 400, "supportedGrantTypes", "%s", err.msg);
        else
            gh_portal_fail_db(j, "updating the OAuth client", &err);
        goto done;
    }
    gh_portal_event(GH_EV_KEYS_CHANGED, 0, a.id, 0, NULL, out.client_id, "UPDATED");
    j->status = 200;
    j->out = key_json(&out, j->seg[3], state);
done:
    json_decref(in);
}

void gh_portal_ep_regenerate_secret(gh_portal_job_t *j, gh_db_conn_t *c)
{
    const char *key;
    gh_portal_app_t a;
    gh_km_client_t cl;
    gh_err_t err = {0};
    int64_t app_id = 0;
    json_t *in;
    int rc;

    if (!need_km(j) || (in = gh_portal_json_body(j)) == NULL)
        return;
    key = json_string_value(json_object_get(in, "consumerKey"));
    if (key == NULL || key[0] == '\0') {
        gh_portal_fail(j, 400, "consumerKey", "consumerKey is required");
        goto done;
    }
    if ((rc = gh_db_query_int(c, "SELECT APPLICATION_ID FROM AM_APPLICATION_KEY_MAPPING WHERE CONSUMER_KEY = ?",
                              GH_DB_ARGS(GH_DB_T(key)), &app_id, &err)) < 0) {
        gh_portal_fail_db(j, "reading key mappings", &err);
        goto done;
    }
    if (rc == 0 || gh_portal_app_by_id(c, app_id, &a, &err) != 1) {
        gh_portal_fail(j, 404, "consumerKey", "no application has consumer key %s", key);
        goto done;
    }
    if (!gh_caller_owns(&j->caller, a.owner)) {
        gh_portal_fail(j, 403, "consumerKey", "the consumer key belongs to another user's application");
        goto done;
    }
    if (gh_km_client_regenerate_secret(j->p->km, key, &cl, &err) != GH_OK) {
        gh_portal_fail_db(j, "regenerating the secret", &err);
        goto done;
    }
    /* WSO2 IS revokes the client's tokens with its old secret (updateAndRetrieveOauthSecretKey): a leaked secret
     * regenerated must not leave the tokens it obtained working */
    if (gh_km_client_revoke_tokens(j->p->km, key, NULL, &err) != GH_OK) {
        OPENSSL_cleanse(cl.client_secret, sizeof(cl.client_secret));
        gh_portal_fail_db(j, "revoking the tokens of the old secret", &err);
        goto done;
    }
    gh_portal_event(GH_EV_TOKEN_REVOKED, 0, a.id, 0, NULL, key, NULL);
    gh_portal_event(GH_EV_KEYS_CHANGED, 0, a.id, 0, NULL, key, "SECRET_REGENERATED");
    j->status = 200;
    j->out = json_pack("{s:s,s:s}", "consumerKey", cl.client_id, "consumerSecret", cl.client_secret);
    OPENSSL_cleanse(cl.client_secret, sizeof(cl.client_secret));
done:
    json_decref(in);
}
