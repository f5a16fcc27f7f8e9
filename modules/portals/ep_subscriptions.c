/* Subscriptions: the Store's (an application's owner subscribes, lists, reads, removes) and the Publisher's
 * (list per API, read, block and unblock). One row per application and API: the unique index of apimgt-0004
 * makes a concurrent second subscription fail with 409 on every database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "portals_int.h"

#define SUB_SELECT                                                                                                 \
    "SELECT x.UUID, a.UUID, g.UUID, x.TIER_ID, x.SUB_STATUS FROM AM_SUBSCRIPTION x JOIN GH_API g ON g.API_ID = "    \
    "x.API_ID JOIN AM_APPLICATION a ON a.APPLICATION_ID = x.APPLICATION_ID JOIN AM_SUBSCRIBER u ON "               \
    "u.SUBSCRIBER_ID = a.SUBSCRIBER_ID "

/* the rows of sql (SUB_SELECT + where + order) paged into a list body */
static void list(gh_portal_job_t *j, gh_db_conn_t *c, const char *where, const gh_db_value_t *args, size_t n)
{
    gh_portal_ferr_t fe;
    int64_t offset, limit, total = 0;
    gh_db_value_t all[8];
    gh_db_stmt_t *s;
    gh_err_t err = {0};
    char *sql;
    json_t *arr;
    int rc;

    if (gh_portal_paging(gh_portal_q(j, "offset"), gh_portal_q(j, "limit"), &offset, &limit, &fe) != GH_OK)
        return (void)gh_portal_fail_ferr(j, &fe);
    sql = gh_asprintf("SELECT COUNT(*) FROM AM_SUBSCRIPTION x JOIN GH_API g ON g.API_ID = x.API_ID JOIN AM_APPLICATION "
                      "a ON a.APPLICATION_ID = x.APPLICATION_ID JOIN AM_SUBSCRIBER u ON u.SUBSCRIBER_ID = "
                      "a.SUBSCRIBER_ID %s",
                      where);
    rc = gh_db_query_int(c, sql, args, n, &total, &err);
    free(sql);
    if (rc != 1)
        return (void)gh_portal_fail_db(j, "counting subscriptions", &err);
    memcpy(all, args, n * sizeof(*args));
    all[n] = GH_DB_I(limit);
    all[n + 1] = GH_DB_I(offset);
    sql = gh_asprintf(SUB_SELECT "%s ORDER BY x.SUBSCRIPTION_ID LIMIT ? OFFSET ?", where);
    arr = json_array();
    if (gh_db_prepare(c, sql, &s, &err) != GH_OK || gh_db_execute(s, all, n + 2, &err) != GH_OK) {
        free(sql);
        json_decref(arr);
        return (void)gh_portal_fail_db(j, "listing subscriptions", &err);
    }
    free(sql);
    while ((rc = gh_db_next(s, &err)) == 1)
        json_array_append_new(arr, json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?}", "subscriptionId", gh_db_col_text(s, 0, NULL),
                                             "applicationId", gh_db_col_text(s, 1, NULL), "apiIdentifier",
                                             gh_db_col_text(s, 2, NULL), "tier", gh_db_col_text(s, 3, NULL), "status",
                                             gh_db_col_text(s, 4, NULL)));
    gh_db_reset(s);
    {
        char *base = gh_asprintf("%s/subscriptions", j->base);
        j->out = gh_portal_list_body(arr, total, offset, limit, base, "");
        free(base);
    }
    j->status = 200;
}

/* the subscription of the path, readable by the caller (owner of its application, or admin) */
static int load_own(gh_portal_job_t *j, gh_db_conn_t *c, gh_portal_sub_t *s)
{
    gh_err_t err = {0};
    int rc;

    if ((rc = gh_portal_sub_load(c, j->seg[1], s, &err)) < 0)
        return gh_portal_fail_db(j, "reading the subscription", &err), 0;
    if (rc == 0)
        return gh_portal_fail(j, 404, "subscriptionId", "no subscription %s", j->seg[1]), 0;
    if (!gh_caller_owns(&j->caller, s->app_owner))
        return gh_portal_fail(j, 403, "subscriptionId", "the subscription belongs to another user's application"), 0;
    return 1;
}

static void store_list(gh_portal_job_t *j, gh_db_conn_t *c)
{
    const char *app = gh_portal_q(j, "applicationId"), *api = gh_portal_q(j, "apiId");
    gh_portal_app_t a;
    gh_err_t err = {0};
    int rc;

    if (app != NULL) {
        if ((rc = gh_portal_app_load(c, app, &a, &err)) < 0)
            return (void)gh_portal_fail_db(j, "reading the application", &err);
        if (rc == 0)
            return (void)gh_portal_fail(j, 404, "applicationId", "no application %s", app);
        if (!gh_caller_owns(&j->caller, a.owner))
            return (void)gh_portal_fail(j, 403, "applicationId", "the application belongs to another user");
        if (api != NULL)
            return list(j, c, "WHERE x.APPLICATION_ID = ? AND g.UUID = ?",
                        GH_DB_ARGS(GH_DB_I(a.id), GH_DB_T(api)));
        return list(j, c, "WHERE x.APPLICATION_ID = ?", GH_DB_ARGS(GH_DB_I(a.id)));
    }
    if (api != NULL)
        return list(j, c, "WHERE g.UUID = ? AND u.USER_ID = ?", GH_DB_ARGS(GH_DB_T(api), GH_DB_T(j->caller.user)));
    gh_portal_fail(j, 400, "applicationId", "applicationId or apiId is required");
}

static void store_get(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_sub_t s;

    if (!load_own(j, c, &s))
        return;
    j->status = 200;
    j->out = gh_portal_sub_to_json(&s);
}

static void store_delete(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_sub_t s;
    gh_err_t err = {0};

    if (!load_own(j, c, &s))
        return;
    if (gh_db_exec(c, "DELETE FROM AM_SUBSCRIPTION WHERE SUBSCRIPTION_ID = ?", GH_DB_ARGS(GH_DB_I(s.id)), NULL, &err) !=
        GH_OK)
        return (void)gh_portal_fail_db(j, "removing the subscription", &err);
    gh_portal_event(GH_EV_SUBSCRIPTION_CHANGED, s.api_id, s.app_id, s.id, s.api_uuid, NULL, "REMOVED");
    j->status = 200;
}

static const char *str(json_t *in, const char *k)
{
    json_t *v = json_object_get(in, k);

    return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

static void store_create(gh_portal_job_t *j, gh_db_conn_t *c)
{
    const char *app_id, *api_id, *tier;
    gh_portal_app_t app;
    gh_portal_api_t api = {0};
    gh_portal_sub_t s;
    gh_err_t err = {0};
    json_t *in, *tiers = NULL, *v;
    size_t i;
    int rc, tier_ok = 0;

    if ((in = gh_portal_json_body(j)) == NULL)
        return;
    if ((app_id = str(in, "applicationId")) == NULL) {
        gh_portal_fail(j, 400, "applicationId", "applicationId is required");
        goto out;
    }
    if ((api_id = str(in, "apiIdentifier")) == NULL) {
        gh_portal_fail(j, 400, "apiIdentifier", "apiIdentifier is required");
        goto out;
    }
    if ((tier = str(in, "tier")) == NULL) {
        gh_portal_fail(j, 400, "tier", "tier is required");
        goto out;
    }
    if ((rc = gh_portal_app_load(c, app_id, &app, &err)) <= 0) {
        if (rc < 0)
            gh_portal_fail_db(j, "reading the application", &err);
        else
            gh_portal_fail(j, 404, "applicationId", "no application %s", app_id);
        goto out;
    }
    if (!gh_caller_owns(&j->caller, app.owner)) {
        gh_portal_fail(j, 403, "applicationId", "the application belongs to another user");
        goto out;
    }
    if ((rc = gh_portal_api_load(c, api_id, 0, &api, &err)) <= 0 || !gh_portal_api_visible(j, &api)) {
        if (rc < 0)
            gh_portal_fail_db(j, "reading the API", &err);
        else
            gh_portal_fail(j, 404, "apiIdentifier", "no API with id %s", api_id);
        goto out;
    }
    if (strcmp(api.status, "PUBLISHED") != 0) {
        gh_portal_fail(j, 400, "apiIdentifier", "API %s is %s: only PUBLISHED APIs accept subscriptions", api_id,
                       api.status);
        goto out;
    }
    tiers = gh_portal_csv_to_json(api.tiers);
    json_array_foreach(tiers, i, v) tier_ok |= strcmp(json_string_value(v), tier) == 0;
    if (!tier_ok) {
        gh_portal_fail(j, 400, "tier", "tier '%s' is not offered by this API (it offers %s)", tier, api.tiers);
        goto out;
    }
    if ((rc = gh_portal_policy_exists(c, "subscription", tier, &err)) <= 0) {
        if (rc < 0)
            gh_portal_fail_db(j, "reading policies", &err);
        else
            gh_portal_fail(j, 400, "tier", "unknown subscription policy '%s'", tier);
        goto out;
    }
    memset(&s, 0, sizeof(s));
    gh_portal_uuid(s.uuid);
    if (gh_db_exec(c,
                   "INSERT INTO AM_SUBSCRIPTION (TIER_ID, API_ID, APPLICATION_ID, SUB_STATUS, SUBS_CREATE_STATE, "
                   "CREATED_BY, CREATED_TIME, UPDATED_TIME, UUID) VALUES (?, ?, ?, 'UNBLOCKED', 'SUBSCRIBE', ?, ?, ?, ?)",
                   GH_DB_ARGS(GH_DB_T(tier), GH_DB_I(api.id), GH_DB_I(app.id), GH_DB_T(j->caller.user),
                              GH_DB_TS(gh_portal_now_ms()), GH_DB_TS(gh_portal_now_ms()), GH_DB_T(s.uuid)),
                   NULL, &err) != GH_OK) {
        if (err.code == GH_DB_E_UNIQUE)
            gh_portal_fail(j, 409, "apiIdentifier", "application %s is already subscribed to API %s", app.name, api_id);
        else
            gh_portal_fail_db(j, "subscribing", &err);
        goto out;
    }
    if ((rc = gh_portal_sub_load(c, s.uuid, &s, &err)) != 1) {
        gh_portal_fail_db(j, "reading the subscription", &err);
        goto out;
    }
    gh_portal_event(GH_EV_SUBSCRIPTION_CHANGED, s.api_id, s.app_id, s.id, s.api_uuid, NULL, "CREATED");
    gh_log(GH_LOG_INFO, "portals", "application %s subscribed to API %s (%s) by %s", app.uuid, api.uuid, tier,
           j->caller.user);
    j->status = 201;
    j->out = gh_portal_sub_to_json(&s);
    j->location = gh_asprintf("/subscriptions/%s", s.uuid);
out:
    json_decref(tiers);
    json_decref(in);
    gh_portal_api_dispose(&api);
}

/* --- Publisher --- */

void gh_portal_ep_pub_subs(gh_portal_job_t *j, gh_db_conn_t *c)
{
    const char *api = gh_portal_q(j, "apiId");

    if (api != NULL)
        return list(j, c, "WHERE g.UUID = ?", GH_DB_ARGS(GH_DB_T(api)));
    list(j, c, "WHERE 1 = ?", GH_DB_ARGS(GH_DB_I(1)));
}

void gh_portal_ep_pub_sub(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_sub_t s;
    gh_err_t err = {0};
    int rc;

    if ((rc = gh_portal_sub_load(c, j->seg[1], &s, &err)) < 0)
        return (void)gh_portal_fail_db(j, "reading the subscription", &err);
    if (rc == 0)
        return (void)gh_portal_fail(j, 404, "subscriptionId", "no subscription %s", j->seg[1]);
    j->status = 200;
    j->out = gh_portal_sub_to_json(&s);
}

void gh_portal_ep_block(gh_portal_job_t *j, gh_db_conn_t *c)
{
    const char *state = gh_portal_q(j, "blockState");

    if (state == NULL || (strcmp(state, "BLOCKED") != 0 && strcmp(state, "PROD_ONLY_BLOCKED") != 0))
        return (void)gh_portal_fail(j, 400, "blockState", "blockState must be BLOCKED or PROD_ONLY_BLOCKED");
    gh_portal_sub_set_status(j, c, gh_portal_q(j, "subscriptionId"), state);
}

void gh_portal_ep_unblock(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_sub_set_status(j, c, gh_portal_q(j, "subscriptionId"), "UNBLOCKED");
}

void gh_portal_ep_store_subs(gh_portal_job_t *j, gh_db_conn_t *c)
{
    store_list(j, c);
}
void gh_portal_ep_store_sub_create(gh_portal_job_t *j, gh_db_conn_t *c)
{
    store_create(j, c);
}
void gh_portal_ep_store_sub_get(gh_portal_job_t *j, gh_db_conn_t *c)
{
    store_get(j, c);
}
void gh_portal_ep_store_sub_delete(gh_portal_job_t *j, gh_db_conn_t *c)
{
    store_delete(j, c);
}
