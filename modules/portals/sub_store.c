/* Subscriptions in AM_SUBSCRIPTION: an application's use of an API under a subscription policy, with WSO2's
 * statuses (UNBLOCKED, BLOCKED, PROD_ONLY_BLOCKED, ON_HOLD). */
#include <stdio.h>
#include <string.h>
#include "gatehouse/log.h"
#include "portals_int.h"

static void col(gh_db_stmt_t *s, size_t i, char *dst, size_t size)
{
    const char *v = gh_db_col_text(s, i, NULL);

    snprintf(dst, size, "%s", v != NULL ? v : "");
}

int gh_portal_sub_load(gh_db_conn_t *c, const char *uuid, gh_portal_sub_t *out, gh_err_t *err)
{
    gh_db_stmt_t *s;
    int rc;

    if (gh_db_prepare(c,
                      "SELECT x.SUBSCRIPTION_ID, x.API_ID, x.APPLICATION_ID, x.UUID, g.UUID, a.UUID, x.TIER_ID, "
                      "x.SUB_STATUS, u.USER_ID, p.API_PROVIDER FROM AM_SUBSCRIPTION x JOIN GH_API g ON g.API_ID = "
                      "x.API_ID JOIN AM_API p ON p.API_ID = x.API_ID JOIN AM_APPLICATION a ON a.APPLICATION_ID = "
                      "x.APPLICATION_ID JOIN AM_SUBSCRIBER u ON u.SUBSCRIBER_ID = a.SUBSCRIBER_ID WHERE x.UUID = ?",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(uuid)), err) != GH_OK)
        return -1;
    if ((rc = gh_db_next(s, err)) == 1) {
        memset(out, 0, sizeof(*out));
        out->id = gh_db_col_int(s, 0);
        out->api_id = gh_db_col_int(s, 1);
        out->app_id = gh_db_col_int(s, 2);
        col(s, 3, out->uuid, sizeof(out->uuid));
        col(s, 4, out->api_uuid, sizeof(out->api_uuid));
        col(s, 5, out->app_uuid, sizeof(out->app_uuid));
        col(s, 6, out->tier, sizeof(out->tier));
        col(s, 7, out->status, sizeof(out->status));
        col(s, 8, out->app_owner, sizeof(out->app_owner));
        col(s, 9, out->api_provider, sizeof(out->api_provider));
    }
    gh_db_reset(s);
    return rc < 0 ? -1 : rc;
}

json_t *gh_portal_sub_to_json(const gh_portal_sub_t *s)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s}", "subscriptionId", s->uuid, "applicationId", s->app_uuid, "apiIdentifier",
                     s->api_uuid, "tier", s->tier, "status", s->status);
}

int gh_portal_sub_set_status(gh_portal_job_t *j, gh_db_conn_t *c, const char *uuid, const char *status)
{
    gh_portal_sub_t s;
    gh_err_t err = {0};
    int64_t n = 0;
    int rc;

    if (uuid == NULL || uuid[0] == '\0')
        return gh_portal_fail(j, 400, "subscriptionId", "subscriptionId is required");
    if ((rc = gh_portal_sub_load(c, uuid, &s, &err)) < 0)
        return gh_portal_fail_db(j, "reading the subscription", &err);
    if (rc == 0)
        return gh_portal_fail(j, 404, "subscriptionId", "no subscription %s", uuid);
    if (gh_db_exec(c, "UPDATE AM_SUBSCRIPTION SET SUB_STATUS = ?, UPDATED_BY = ?, UPDATED_TIME = ? WHERE SUBSCRIPTION_ID = ?",
                   GH_DB_ARGS(GH_DB_T(status), GH_DB_T(j->caller.user), GH_DB_TS(gh_portal_now_ms()), GH_DB_I(s.id)),
                   &n, &err) != GH_OK)
        return gh_portal_fail_db(j, "changing the subscription", &err);
    snprintf(s.status, sizeof(s.status), "%s", status);
    gh_portal_event(GH_EV_SUBSCRIPTION_CHANGED, s.api_id, s.app_id, s.id, s.api_uuid, NULL, status);
    gh_log(GH_LOG_INFO, "portals", "subscription %s is now %s (by %s)", s.uuid, status, j->caller.user);
    j->status = 200;
    j->out = gh_portal_sub_to_json(&s);
    return GH_OK;
}
