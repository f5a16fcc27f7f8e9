/* Tiers (the v0.14 Publisher and Store view of throttling policies): api -> subscription policies, application
 * -> application policies, resource -> API / resource policies. */
#include <stdio.h>
#include <string.h>
#include "gatehouse/mem.h"
#include "portals_int.h"

static const char *sql_of(const char *level)
{
    if (strcmp(level, "api") == 0)
        return "SELECT NAME, DESCRIPTION, QUOTA, UNIT_TIME, TIME_UNIT, BILLING_PLAN, STOP_ON_QUOTA_REACH FROM "
               "AM_POLICY_SUBSCRIPTION WHERE TENANT_ID = ?";
    if (strcmp(level, "application") == 0)
        return "SELECT NAME, DESCRIPTION, QUOTA, UNIT_TIME, TIME_UNIT, 'FREE', 1 FROM AM_POLICY_APPLICATION WHERE "
               "TENANT_ID = ?";
    if (strcmp(level, "resource") == 0)
        return "SELECT NAME, DESCRIPTION, DEFAULT_QUOTA, DEFAULT_UNIT_TIME, DEFAULT_TIME_UNIT, 'FREE', 1 FROM "
               "AM_API_THROTTLE_POLICY WHERE TENANT_ID = ?";
    return NULL;
}

static json_t *tier(gh_db_stmt_t *s, const char *level)
{
    const char *unit = gh_db_col_text(s, 4, NULL);
    int64_t per = gh_db_col_int(s, 3);

    /* unitTime in milliseconds, as v0.14 reports it */
    if (unit != NULL)
        per *= strcmp(unit, "sec") == 0 ? 1000 : strcmp(unit, "min") == 0 ? 60000 : strcmp(unit, "hour") == 0 ? 3600000 : 86400000;
    return json_pack("{s:s?,s:s?,s:s,s:{},s:I,s:I,s:s,s:b,s:n}", "name", gh_db_col_text(s, 0, NULL), "description",
                     gh_db_col_text(s, 1, NULL), "tierLevel", level, "attributes", "requestCount",
                     (json_int_t)gh_db_col_int(s, 2), "unitTime", (json_int_t)per, "tierPlan",
                     gh_db_col_text(s, 5, NULL) ? gh_db_col_text(s, 5, NULL) : "FREE", "stopOnQuotaReach",
                     gh_db_col_int(s, 6) != 0, "TierPermissions");
}

static void run(gh_portal_job_t *j, gh_db_conn_t *c, const char *name)
{
    const char *level = j->seg[1], *sql = sql_of(level);
    gh_portal_ferr_t fe;
    gh_db_stmt_t *s;
    gh_err_t err = {0};
    int64_t offset, limit, i = 0;
    json_t *list;
    int rc;
    char *full;
    gh_db_value_t args[2] = {GH_DB_I(GH_PORTAL_TENANT), name != NULL ? GH_DB_T(name) : GH_DB_NUL};

    if (sql == NULL)
        return (void)gh_portal_fail(j, 400, "tierLevel", "tierLevel must be api, application or resource");
    if (gh_portal_paging(gh_portal_q(j, "offset"), gh_portal_q(j, "limit"), &offset, &limit, &fe) != GH_OK)
        return (void)gh_portal_fail_ferr(j, &fe);
    full = name != NULL ? gh_asprintf("%s AND NAME = ?", sql) : gh_asprintf("%s ORDER BY NAME", sql);
    list = json_array();
    if (gh_db_prepare(c, full, &s, &err) != GH_OK ||
        gh_db_execute(s, args, name != NULL ? 2 : 1, &err) != GH_OK) {
        free(full);
        json_decref(list);
        return (void)gh_portal_fail_db(j, "reading tiers", &err);
    }
    free(full);
    while ((rc = gh_db_next(s, &err)) == 1) {
        if (i >= offset && (int64_t)json_array_size(list) < limit)
            json_array_append_new(list, tier(s, level));
        i++;
    }
    gh_db_reset(s);
    if (rc < 0) {
        json_decref(list);
        return (void)gh_portal_fail_db(j, "reading tiers", &err);
    }
    if (name != NULL) {
        if (json_array_size(list) == 0) {
            json_decref(list);
            return (void)gh_portal_fail(j, 404, "tierName", "no %s tier %s", level, name);
        }
        j->out = json_incref(json_array_get(list, 0));
        json_decref(list);
    } else {
        char *base = gh_asprintf("%s/tiers/%s", j->base, level);
        j->out = gh_portal_list_body(list, i, offset, limit, base, "");
        free(base);
    }
    j->status = 200;
}

void gh_portal_ep_tiers(gh_portal_job_t *j, gh_db_conn_t *c)
{
    run(j, c, NULL);
}

void gh_portal_ep_tier(gh_portal_job_t *j, gh_db_conn_t *c)
{
    run(j, c, j->seg[2]);
}
