/* Store v0.14 /applications: a user's applications (name, application policy, callback, description, token type,
 * group). A user sees and changes only their own (administrators any). Deleting one removes its subscriptions and
 * key mappings in one transaction, revokes every token of its OAuth clients and deletes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "portals_int.h"


/* the application of the path owned by the caller: 1, or 0 answered */
int gh_portal_app_own(gh_portal_job_t *j, gh_db_conn_t *c, const char *uuid, gh_portal_app_t *a)
{
    gh_err_t err = {0};
    int rc;

    if (uuid == NULL || uuid[0] == '\0')
        return gh_portal_fail(j, 400, "applicationId", "applicationId is required"), 0;
    if ((rc = gh_portal_app_load(c, uuid, a, &err)) < 0)
        return gh_portal_fail_db(j, "reading the application", &err), 0;
    if (rc == 0)
        return gh_portal_fail(j, 404, "applicationId", "no application %s", uuid), 0;
    if (!gh_caller_owns(&j->caller, a->owner))
        return gh_portal_fail(j, 403, "applicationId", "application %s belongs to another user", uuid), 0;
    return 1;
}

void gh_portal_ep_store_apps(gh_portal_job_t *j, gh_db_conn_t *c)
{
    const char *q = gh_portal_q(j, "query");
    gh_portal_ferr_t fe;
    int64_t offset, limit, total = 0;
    gh_db_stmt_t *s;
    gh_err_t err = {0};
    char pat[300];
    json_t *list;
    int rc;

    if (gh_portal_paging(gh_portal_q(j, "offset"), gh_portal_q(j, "limit"), &offset, &limit, &fe) != GH_OK)
        return (void)gh_portal_fail_ferr(j, &fe);
    if (q != NULL && strlen(q) > 100)
        return (void)gh_portal_fail(j, 400, "query", "query is longer than 100 characters");
    {
        /* a substring of the name; '!' escapes LIKE's wildcards */
        size_t o = 0, i;
        pat[o++] = '%';
        for (i = 0; q != NULL && q[i] && o < sizeof(pat) - 3; ++i) {
            if (q[i] == '%' || q[i] == '_' || q[i] == '!')
                pat[o++] = '!';
            pat[o++] = (q[i] >= 'A' && q[i] <= 'Z') ? (char)(q[i] + 32) : q[i];
        }
        pat[o++] = '%';
        pat[o] = '\0';
    }
    if (gh_db_query_int(c,
                        "SELECT COUNT(*) FROM AM_APPLICATION a JOIN AM_SUBSCRIBER s ON s.SUBSCRIBER_ID = a.SUBSCRIBER_ID "
                        "WHERE s.USER_ID = ? AND s.TENANT_ID = ? AND LOWER(a.NAME) LIKE ? ESCAPE '!'",
                        GH_DB_ARGS(GH_DB_T(j->caller.user), GH_DB_I(GH_PORTAL_TENANT), GH_DB_T(pat)), &total,
                        &err) != 1)
        return (void)gh_portal_fail_db(j, "counting applications", &err);
    list = json_array();
    if (gh_db_prepare(c,
                      "SELECT a.UUID, a.NAME, s.USER_ID, a.APPLICATION_TIER, a.DESCRIPTION, a.APPLICATION_STATUS, "
                      "a.GROUP_ID FROM AM_APPLICATION a JOIN AM_SUBSCRIBER s ON s.SUBSCRIBER_ID = a.SUBSCRIBER_ID "
                      "WHERE s.USER_ID = ? AND s.TENANT_ID = ? AND LOWER(a.NAME) LIKE ? ESCAPE '!' ORDER BY a.NAME "
                      "LIMIT ? OFFSET ?",
                      &s, &err) != GH_OK ||
        gh_db_execute(s,
                      GH_DB_ARGS(GH_DB_T(j->caller.user), GH_DB_I(GH_PORTAL_TENANT), GH_DB_T(pat), GH_DB_I(limit),
                                 GH_DB_I(offset)),
                      &err) != GH_OK) {
        json_decref(list);
        return (void)gh_portal_fail_db(j, "listing applications", &err);
    }
    while ((rc = gh_db_next(s, &err)) == 1)
        json_array_append_new(list, json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:{}}", "applicationId",
                                              gh_db_col_text(s, 0, NULL), "name", gh_db_col_text(s, 1, NULL),
                                              "subscriber", gh_db_col_text(s, 2, NULL), "throttlingTier",
                                              gh_db_col_text(s, 3, NULL), "description", gh_db_col_text(s, 4, NULL),
                                              "status", gh_db_col_text(s, 5, NULL), "groupId",
                                              gh_db_col_text(s, 6, NULL), "attributes"));
    gh_db_reset(s);
    {
        char *base = gh_asprintf("%s/applications", j->base);
        j->out = gh_portal_list_body(list, total, offset, limit, base, "");
        free(base);
    }
    j->status = 200;
}

/* read the writable fields of an Application body into a; required: name and throttlingTier */
static int fields(gh_portal_job_t *j, gh_db_conn_t *c, json_t *in, gh_portal_app_t *a)
{
    static const struct {
        const char *key;
        size_t off, size;
    } f[] = {
        {"name", offsetof(gh_portal_app_t, name), sizeof(a->name)},
        {"throttlingTier", offsetof(gh_portal_app_t, tier), sizeof(a->tier)},
        {"callbackUrl", offsetof(gh_portal_app_t, callback), sizeof(a->callback)},
        {"description", offsetof(gh_portal_app_t, description), sizeof(a->description)},
        {"groupId", offsetof(gh_portal_app_t, group_id), sizeof(a->group_id)},
        {"tokenType", offsetof(gh_portal_app_t, token_type), sizeof(a->token_type)},
    };
    gh_err_t err = {0};
    size_t i;
    int rc;

    for (i = 0; i < GH_ARRAY_SIZE(f); ++i) {
        json_t *v = json_object_get(in, f[i].key);
        if (v == NULL || json_is_null(v))
            continue;
        if (!json_is_string(v))
            return gh_portal_fail(j, 400, f[i].key, "%s must be a string", f[i].key);
        if (json_string_length(v) >= f[i].size)
            return gh_portal_fail(j, 400, f[i].key, "%s is longer than %zu characters", f[i].key, f[i].size - 1);
        snprintf((char *)a + f[i].off, f[i].size, "%s", json_string_value(v));
    }
    if (a->name[0] == '\0' || strspn(a->name, " ") == strlen(a->name))
        return gh_portal_fail(j, 400, "name", "name is required");
    if (strpbrk(a->name, "<>\"'&\\") != NULL)
        return gh_portal_fail(j, 400, "name", "name contains an illegal character");
    if (a->tier[0] == '\0')
        return gh_portal_fail(j, 400, "throttlingTier", "throttlingTier is required");
    if (a->token_type[0] == '\0')
        snprintf(a->token_type, sizeof(a->token_type), "OAUTH");
    if (strcmp(a->token_type, "OAUTH") != 0 && strcmp(a->token_type, "JWT") != 0)
        return gh_portal_fail(j, 400, "tokenType", "tokenType must be OAUTH or JWT");
    if (a->callback[0] && strncmp(a->callback, "http://", 7) != 0 && strncmp(a->callback, "https://", 8) != 0)
        return gh_portal_fail(j, 400, "callbackUrl", "callbackUrl must be an http:// or https:// URL");
    if ((rc = gh_portal_policy_exists(c, "application", a->tier, &err)) < 0)
        return gh_portal_fail_db(j, "reading policies", &err);
    if (rc == 0)
        return gh_portal_fail(j, 400, "throttlingTier", "unknown application policy '%s'", a->tier);
    return GH_OK;
}

void gh_portal_ep_store_app_create(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_app_t a;
    gh_err_t err = {0};
    int64_t now = gh_portal_now_ms();
    json_t *in;

    if ((in = gh_portal_json_body(j)) == NULL)
        return;
    memset(&a, 0, sizeof(a));
    if (fields(j, c, in, &a) != GH_OK)
        goto out;
    if (gh_portal_subscriber_id(c, j->caller.user, &a.subscriber_id, &err) != GH_OK) {
        gh_portal_fail_db(j, "creating the subscriber", &err);
        goto out;
    }
    gh_portal_uuid(a.uuid);
    if (gh_db_exec(c,
                   "INSERT INTO AM_APPLICATION (NAME, SUBSCRIBER_ID, APPLICATION_TIER, CALLBACK_URL, DESCRIPTION, "
                   "APPLICATION_STATUS, GROUP_ID, CREATED_BY, CREATED_TIME, UPDATED_BY, UPDATED_TIME, UUID, TOKEN_TYPE) "
                   "VALUES (?, ?, ?, ?, ?, 'APPROVED', ?, ?, ?, ?, ?, ?, ?)",
                   GH_DB_ARGS(GH_DB_T(a.name), GH_DB_I(a.subscriber_id), GH_DB_T(a.tier), GH_DB_T(a.callback),
                              GH_DB_T(a.description), GH_DB_T(a.group_id), GH_DB_T(j->caller.user), GH_DB_TS(now),
                              GH_DB_T(j->caller.user), GH_DB_TS(now), GH_DB_T(a.uuid), GH_DB_T(a.token_type)),
                   NULL, &err) != GH_OK) {
        if (err.code == GH_DB_E_UNIQUE)
            gh_portal_fail(j, 409, "name", "an application named %s already exists", a.name);
        else
            gh_portal_fail_db(j, "creating the application", &err);
        goto out;
    }
    if (gh_portal_app_load(c, a.uuid, &a, &err) != 1) {
        gh_portal_fail_db(j, "reading the application", &err);
        goto out;
    }
    gh_log(GH_LOG_INFO, "portals", "application %s (%s) created by %s", a.uuid, a.name, j->caller.user);
    j->status = 201;
    j->out = gh_portal_app_to_json(&a);
    j->location = gh_asprintf("/applications/%s", a.uuid);
    gh_portal_set_etag(j, a.updated_ms);
out:
    json_decref(in);
}

static json_t *keys_of(gh_db_conn_t *c, int64_t app_id)
{
    gh_db_stmt_t *s;
    gh_err_t err = {0};
    json_t *keys = json_array();

    if (gh_db_prepare(c, "SELECT CONSUMER_KEY, KEY_TYPE, STATE FROM AM_APPLICATION_KEY_MAPPING WHERE APPLICATION_ID = ?",
                      &s, &err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_I(app_id)), &err) != GH_OK)
        return keys;
    while (gh_db_next(s, &err) == 1)
        json_array_append_new(keys, json_pack("{s:s?,s:s?,s:s?}", "consumerKey", gh_db_col_text(s, 0, NULL), "keyType",
                                              gh_db_col_text(s, 1, NULL), "keyState", gh_db_col_text(s, 2, NULL)));
    gh_db_reset(s);
    return keys;
}

void gh_portal_ep_store_app_get(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_app_t a;

    if (!gh_portal_app_own(j, c, j->seg[1], &a))
        return;
    j->status = 200;
    j->out = gh_portal_app_to_json(&a);
    json_object_set_new(j->out, "keys", keys_of(c, a.id));
    gh_portal_set_etag(j, a.updated_ms);
}

void gh_portal_ep_store_app_update(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_app_t a, n;
    gh_err_t err = {0};
    int64_t now = gh_portal_now_ms();
    json_t *in = NULL;

    if (!gh_portal_app_own(j, c, j->seg[1], &a) || !gh_portal_if_match(j, a.updated_ms) ||
        (in = gh_portal_json_body(j)) == NULL)
        return;
    n = a;
    n.name[0] = n.tier[0] = '\0'; /* required again, as v0.14 PUT replaces the object */
    if (fields(j, c, in, &n) != GH_OK)
        goto out;
    if (gh_db_exec(c,
                   "UPDATE AM_APPLICATION SET NAME = ?, APPLICATION_TIER = ?, CALLBACK_URL = ?, DESCRIPTION = ?, "
                   "GROUP_ID = ?, TOKEN_TYPE = ?, UPDATED_BY = ?, UPDATED_TIME = ? WHERE APPLICATION_ID = ?",
                   GH_DB_ARGS(GH_DB_T(n.name), GH_DB_T(n.tier), GH_DB_T(n.callback), GH_DB_T(n.description),
                              GH_DB_T(n.group_id), GH_DB_T(n.token_type), GH_DB_T(j->caller.user), GH_DB_TS(now),
                              GH_DB_I(a.id)),
                   NULL, &err) != GH_OK) {
        if (err.code == GH_DB_E_UNIQUE)
            gh_portal_fail(j, 409, "name", "an application named %s already exists", n.name);
        else
            gh_portal_fail_db(j, "updating the application", &err);
        goto out;
    }
    if (strcmp(a.tier, n.tier) != 0 || strcmp(a.token_type, n.token_type) != 0)
        gh_portal_event(GH_EV_APPLICATION_CHANGED, 0, a.id, 0, NULL, NULL, n.tier);
    if (gh_portal_app_by_id(c, a.id, &n, &err) != 1) {
        gh_portal_fail_db(j, "reading the application", &err);
        goto out;
    }
    j->status = 200;
    j->out = gh_portal_app_to_json(&n);
    gh_portal_set_etag(j, n.updated_ms);
out:
    json_decref(in);
}

void gh_portal_ep_store_app_delete(gh_portal_job_t *j, gh_db_conn_t *c)
{
    static const char *const children[] = {
        "DELETE FROM AM_SUBSCRIPTION WHERE APPLICATION_ID = ?",
        "DELETE FROM AM_APPLICATION_KEY_MAPPING WHERE APPLICATION_ID = ?",
        "DELETE FROM AM_APPLICATION_REGISTRATION WHERE APP_ID = ?",
        "DELETE FROM AM_APPLICATION_ATTRIBUTES WHERE APPLICATION_ID = ?",
        "DELETE FROM AM_APPLICATION_GROUP_MAPPING WHERE APPLICATION_ID = ?",
        "DELETE FROM AM_APPLICATION WHERE APPLICATION_ID = ?",
    };
    char keys[2][256];
    int64_t subs[256], sub_api[256];
    size_t nkeys = 0, nsubs = 0, i;
    gh_portal_app_t a;
    gh_db_stmt_t *s;
    gh_err_t err = {0};

    if (!gh_portal_app_own(j, c, j->seg[1], &a) || !gh_portal_if_match(j, a.updated_ms))
        return;
    if (gh_db_begin(c, &err) != GH_OK)
        return (void)gh_portal_fail_db(j, "deleting the application", &err);
    /* what the events will name, read inside the transaction */
    if (gh_db_prepare(c, "SELECT CONSUMER_KEY FROM AM_APPLICATION_KEY_MAPPING WHERE APPLICATION_ID = ?", &s, &err) ==
            GH_OK &&
        gh_db_execute(s, GH_DB_ARGS(GH_DB_I(a.id)), &err) == GH_OK) {
        while (nkeys < 2 && gh_db_next(s, &err) == 1) {
            const char *k = gh_db_col_text(s, 0, NULL);
            if (k != NULL)
                snprintf(keys[nkeys++], sizeof(keys[0]), "%s", k);
        }
        gh_db_reset(s);
    }
    if (gh_db_prepare(c, "SELECT SUBSCRIPTION_ID, API_ID FROM AM_SUBSCRIPTION WHERE APPLICATION_ID = ?", &s, &err) ==
            GH_OK &&
        gh_db_execute(s, GH_DB_ARGS(GH_DB_I(a.id)), &err) == GH_OK) {
        while (nsubs < GH_ARRAY_SIZE(subs) && gh_db_next(s, &err) == 1) {
            subs[nsubs] = gh_db_col_int(s, 0);
            sub_api[nsubs++] = gh_db_col_int(s, 1);
        }
        gh_db_reset(s);
    }
    if (err.code != GH_E_NONE) {
        gh_db_rollback(c, NULL);
        return (void)gh_portal_fail_db(j, "deleting the application", &err);
    }
    for (i = 0; i < GH_ARRAY_SIZE(children); ++i)
        if (gh_db_exec(c, children[i], GH_DB_ARGS(GH_DB_I(a.id)), NULL, &err) != GH_OK) {
            gh_db_rollback(c, NULL);
            return (void)gh_portal_fail_db(j, "deleting the application", &err);
        }
    if (gh_db_commit(c, &err) != GH_OK) {
        gh_db_rollback(c, NULL);
        return (void)gh_portal_fail_db(j, "deleting the application", &err);
    }
    for (i = 0; i < nsubs; ++i)
        gh_portal_event(GH_EV_SUBSCRIPTION_CHANGED, sub_api[i], a.id, subs[i], NULL, NULL, "REMOVED");
    /* the OAuth clients go last: their tokens are revoked, then the clients deleted */
    for (i = 0; i < nkeys; ++i) {
        gh_err_t kerr = {0};
        if (j->p->km == NULL) {
            gh_log(GH_LOG_WARN, "portals", "no key manager here: client %s of deleted application %s stays", keys[i],
                   a.uuid);
            continue;
        }
        if (gh_km_client_delete(j->p->km, keys[i], &kerr) != GH_OK && kerr.code != GH_E_NOTFOUND)
            gh_log(GH_LOG_ERR, "portals", "deleting client %s of application %s failed: %s", keys[i], a.uuid, kerr.msg);
        gh_portal_event(GH_EV_TOKEN_REVOKED, 0, a.id, 0, NULL, keys[i], NULL);
        gh_portal_event(GH_EV_KEYS_CHANGED, 0, a.id, 0, NULL, keys[i], "REMOVED");
    }
    gh_portal_event(GH_EV_APPLICATION_CHANGED, 0, a.id, 0, NULL, NULL, "DELETED");
    gh_log(GH_LOG_INFO, "portals", "application %s deleted by %s (%zu subscriptions, %zu clients)", a.uuid,
           j->caller.user, nsubs, nkeys);
    j->status = 200;
}

/* Publisher GET /applications/{id}: an application that subscribes to one of the caller's APIs (administrators:
 * any), as a provider sees who uses its APIs. */
void gh_portal_ep_publisher_app(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_app_t a;
    gh_err_t err = {0};
    int64_t n = 0;
    int rc;

    if ((rc = gh_portal_app_load(c, j->seg[1], &a, &err)) < 0)
        return (void)gh_portal_fail_db(j, "reading the application", &err);
    if (rc == 0)
        return (void)gh_portal_fail(j, 404, "applicationId", "no application %s", j->seg[1]);
    if (!j->caller.is_admin &&
        (gh_db_query_int(c,
                         "SELECT COUNT(*) FROM AM_SUBSCRIPTION s JOIN AM_API p ON p.API_ID = s.API_ID WHERE "
                         "s.APPLICATION_ID = ? AND p.API_PROVIDER = ?",
                         GH_DB_ARGS(GH_DB_I(a.id), GH_DB_T(j->caller.user)), &n, &err) != 1 ||
         n == 0)) {
        if (err.code != GH_E_NONE)
            return (void)gh_portal_fail_db(j, "reading subscriptions", &err);
        return (void)gh_portal_fail(j, 403, "applicationId", "the application subscribes to none of your APIs");
    }
    j->status = 200;
    j->out = gh_portal_app_to_json(&a);
}
