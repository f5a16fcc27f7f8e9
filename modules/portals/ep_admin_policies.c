/* Admin v0.14 throttling policies: application (AM_POLICY_APPLICATION), subscription (AM_POLICY_SUBSCRIPTION) and
 * advanced (AM_API_THROTTLE_POLICY), with WSO2's defaults seeded by apimgt-0002. The Publisher and Store validate
 * tiers against these tables. A policy still in use cannot be deleted (409). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "portals_int.h"

typedef struct {
    const char *kind, *table, *q, *qt, *qu, *ut, *tu; /* column names differ in AM_API_THROTTLE_POLICY */
    const char *in_use;                                 /* SQL counting users of NAME */
} kind_t;

static const kind_t kinds[] = {
    {"application", "AM_POLICY_APPLICATION", "QUOTA", "QUOTA_TYPE", "QUOTA_UNIT", "UNIT_TIME", "TIME_UNIT",
     "SELECT COUNT(*) FROM AM_APPLICATION WHERE APPLICATION_TIER = ?"},
    {"subscription", "AM_POLICY_SUBSCRIPTION", "QUOTA", "QUOTA_TYPE", "QUOTA_UNIT", "UNIT_TIME", "TIME_UNIT",
     "SELECT COUNT(*) FROM AM_SUBSCRIPTION WHERE TIER_ID = ?"},
    {"advanced", "AM_API_THROTTLE_POLICY", "DEFAULT_QUOTA", "DEFAULT_QUOTA_TYPE", "DEFAULT_QUOTA_UNIT",
     "DEFAULT_UNIT_TIME", "DEFAULT_TIME_UNIT", "SELECT COUNT(*) FROM AM_API_URL_MAPPING WHERE THROTTLING_TIER = ?"},
};

static const kind_t *kind_of(gh_portal_job_t *j)
{
    size_t i;

    for (i = 0; i < GH_ARRAY_SIZE(kinds); ++i)
        if (strcmp(j->seg[2], kinds[i].kind) == 0)
            return &kinds[i];
    gh_portal_fail(j, 404, "policyLevel", "no policy level %s: use application, subscription or advanced", j->seg[2]);
    return NULL;
}

static char *select_sql(const kind_t *k, const char *where)
{
    int sub = strcmp(k->kind, "subscription") == 0;

    return gh_asprintf("SELECT UUID, NAME, DISPLAY_NAME, DESCRIPTION, IS_DEPLOYED, %s, %s, %s, %s, %s, %s, %s, %s, %s "
                       "FROM %s WHERE TENANT_ID = ? %s ORDER BY NAME",
                       k->q, k->qt, k->qu, k->ut, k->tu, sub ? "RATE_LIMIT_COUNT" : "0",
                       sub ? "RATE_LIMIT_TIME_UNIT" : "NULL", sub ? "STOP_ON_QUOTA_REACH" : "0",
                       sub ? "BILLING_PLAN" : "NULL", k->table, where);
}

static json_t *row_json(const kind_t *k, gh_db_stmt_t *s)
{
    const char *qt = gh_db_col_text(s, 6, NULL);
    int bw = qt != NULL && strcmp(qt, "bandwidthVolume") == 0;
    json_t *limit, *o;

    limit = bw ? json_pack("{s:s,s:s?,s:I,s:I,s:s?}", "type", "BandwidthLimit", "timeUnit", gh_db_col_text(s, 9, NULL),
                           "unitTime", (json_int_t)gh_db_col_int(s, 8), "dataAmount", (json_int_t)gh_db_col_int(s, 5),
                           "dataUnit", gh_db_col_text(s, 7, NULL))
               : json_pack("{s:s,s:s?,s:I,s:I}", "type", "RequestCountLimit", "timeUnit", gh_db_col_text(s, 9, NULL),
                           "unitTime", (json_int_t)gh_db_col_int(s, 8), "requestCount",
                           (json_int_t)gh_db_col_int(s, 5));
    o = json_pack("{s:s?,s:s?,s:s?,s:s?,s:b,s:o}", "policyId", gh_db_col_text(s, 0, NULL), "policyName",
                  gh_db_col_text(s, 1, NULL), "displayName", gh_db_col_text(s, 2, NULL), "description",
                  gh_db_col_text(s, 3, NULL), "isDeployed", gh_db_col_int(s, 4) != 0, "defaultLimit", limit);
    if (strcmp(k->kind, "subscription") == 0) {
        json_object_set_new(o, "rateLimitCount", json_integer((json_int_t)gh_db_col_int(s, 10)));
        json_object_set_new(o, "rateLimitTimeUnit", gh_db_col_text(s, 11, NULL) ? json_string(gh_db_col_text(s, 11, NULL))
                                                                                : json_null());
        json_object_set_new(o, "stopOnQuotaReach", json_boolean(gh_db_col_int(s, 12) != 0));
        json_object_set_new(o, "billingPlan", json_string(gh_db_col_text(s, 13, NULL) ? gh_db_col_text(s, 13, NULL)
                                                                                      : "FREE"));
        json_object_set_new(o, "customAttributes", json_array());
    } else if (strcmp(k->kind, "advanced") == 0) {
        json_object_set_new(o, "conditionalGroups", json_array());
    }
    return o;
}

/* one policy by UUID: the JSON and its name, or NULL answered 404 */
static json_t *load(gh_portal_job_t *j, gh_db_conn_t *c, const kind_t *k, const char *id, char *name, size_t nsize)
{
    char *sql = select_sql(k, "AND UUID = ?");
    gh_db_stmt_t *s;
    gh_err_t err = {0};
    json_t *o = NULL;
    int rc;

    rc = gh_db_prepare(c, sql, &s, &err);
    free(sql);
    if (rc != GH_OK || gh_db_execute(s, GH_DB_ARGS(GH_DB_I(GH_PORTAL_TENANT), GH_DB_T(id)), &err) != GH_OK)
        return gh_portal_fail_db(j, "reading the policy", &err), NULL;
    if ((rc = gh_db_next(s, &err)) == 1) {
        o = row_json(k, s);
        snprintf(name, nsize, "%s", gh_db_col_text(s, 1, NULL) ? gh_db_col_text(s, 1, NULL) : "");
    }
    gh_db_reset(s);
    if (rc < 0)
        return gh_portal_fail_db(j, "reading the policy", &err), NULL;
    if (o == NULL)
        gh_portal_fail(j, 404, "policyId", "no %s policy %s", k->kind, id);
    return o;
}

static void run_list(gh_portal_job_t *j, gh_db_conn_t *c)
{
    const kind_t *k = kind_of(j);
    gh_db_stmt_t *s;
    gh_err_t err = {0};
    json_t *list;
    char *sql;
    int rc;

    if (k == NULL)
        return;
    sql = select_sql(k, "");
    list = json_array();
    rc = gh_db_prepare(c, sql, &s, &err);
    free(sql);
    if (rc != GH_OK || gh_db_execute(s, GH_DB_ARGS(GH_DB_I(GH_PORTAL_TENANT)), &err) != GH_OK) {
        json_decref(list);
        return (void)gh_portal_fail_db(j, "listing policies", &err);
    }
    while ((rc = gh_db_next(s, &err)) == 1)
        json_array_append_new(list, row_json(k, s));
    gh_db_reset(s);
    j->status = 200;
    j->out = json_pack("{s:I,s:o}", "count", (json_int_t)json_array_size(list), "list", list);
}

static void run_get(gh_portal_job_t *j, gh_db_conn_t *c)
{
    const kind_t *k = kind_of(j);
    char name[600];
    json_t *o;

    /* NULL: j->out already holds the error body, which must not be overwritten */
    if (k != NULL && (o = load(j, c, k, j->seg[3], name, sizeof(name))) != NULL) {
        j->status = 200;
        j->out = o;
    }
}

typedef struct {
    const char *name, *display, *description, *qtype, *qunit, *tunit, *rl_unit, *plan;
    int64_t quota, unit_time, rl_count;
    int stop;
} body_t;

static int str_field(gh_portal_job_t *j, json_t *o, const char *k, const char **out, size_t max, int required)
{
    json_t *v = json_object_get(o, k);

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return required ? gh_portal_fail(j, 400, k, "%s is required", k) : GH_OK;
    if (!json_is_string(v) || json_string_length(v) > max || (required && json_string_length(v) == 0))
        return gh_portal_fail(j, 400, k, "%s must be a string of at most %zu characters", k, max);
    *out = json_string_value(v);
    return GH_OK;
}

static int int_field(gh_portal_job_t *j, json_t *o, const char *k, int64_t *out, int64_t min, int required)
{
    json_t *v = json_object_get(o, k);

    if (v == NULL || json_is_null(v))
        return required ? gh_portal_fail(j, 400, k, "%s is required", k) : GH_OK;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > 2147483647)
        return gh_portal_fail(j, 400, k, "%s must be an integer from %lld", k, (long long)min);
    *out = (int64_t)json_integer_value(v);
    return GH_OK;
}

static int parse(gh_portal_job_t *j, const kind_t *k, json_t *in, body_t *b)
{
    static const char *const units[] = {"sec", "min", "hour", "day", "ms", "s", "days", "month", "year", NULL};
    json_t *lim = json_object_get(in, "defaultLimit"), *st;
    const char *type;
    size_t i;

    memset(b, 0, sizeof(*b));
    if (str_field(j, in, "policyName", &b->name, 200, 1) != GH_OK ||
        str_field(j, in, "displayName", &b->display, 200, 0) != GH_OK ||
        str_field(j, in, "description", &b->description, 1000, 0) != GH_OK)
        return GH_ERR;
    if (strpbrk(b->name, " ,<>\"'&\\/") != NULL)
        return gh_portal_fail(j, 400, "policyName", "policyName must not contain spaces, commas or markup");
    if (!json_is_object(lim))
        return gh_portal_fail(j, 400, "defaultLimit", "defaultLimit is required");
    if (str_field(j, lim, "type", &type, 40, 1) != GH_OK || str_field(j, lim, "timeUnit", &b->tunit, 20, 1) != GH_OK ||
        int_field(j, lim, "unitTime", &b->unit_time, 1, 1) != GH_OK)
        return GH_ERR;
    for (i = 0; units[i] != NULL && strcmp(units[i], b->tunit) != 0; ++i)
        ;
    if (units[i] == NULL)
        return gh_portal_fail(j, 400, "timeUnit", "timeUnit must be sec, min, hour or day");
    if (strcmp(type, "RequestCountLimit") == 0) {
        b->qtype = "requestCount";
        if (int_field(j, lim, "requestCount", &b->quota, 0, 1) != GH_OK)
            return GH_ERR;
    } else if (strcmp(type, "BandwidthLimit") == 0) {
        b->qtype = "bandwidthVolume";
        if (int_field(j, lim, "dataAmount", &b->quota, 0, 1) != GH_OK ||
            str_field(j, lim, "dataUnit", &b->qunit, 10, 1) != GH_OK)
            return GH_ERR;
    } else {
        return gh_portal_fail(j, 400, "type", "defaultLimit.type must be RequestCountLimit or BandwidthLimit");
    }
    if (strcmp(k->kind, "subscription") == 0) {
        if (int_field(j, in, "rateLimitCount", &b->rl_count, 0, 0) != GH_OK ||
            str_field(j, in, "rateLimitTimeUnit", &b->rl_unit, 20, 0) != GH_OK ||
            str_field(j, in, "billingPlan", &b->plan, 20, 0) != GH_OK)
            return GH_ERR;
        st = json_object_get(in, "stopOnQuotaReach");
        if (st != NULL && !json_is_null(st) && !json_is_boolean(st))
            return gh_portal_fail(j, 400, "stopOnQuotaReach", "stopOnQuotaReach must be a boolean");
        b->stop = json_is_true(st);
        if (b->plan == NULL)
            b->plan = "FREE";
    }
    if (b->display == NULL)
        b->display = b->name;
    return GH_OK;
}

static int write_policy(gh_db_conn_t *c, const kind_t *k, const body_t *b, const char *uuid, int insert, gh_err_t *err)
{
    char *sql;
    int rc;

    if (strcmp(k->kind, "subscription") == 0) {
        sql = insert ? gh_strdup("INSERT INTO AM_POLICY_SUBSCRIPTION (NAME, DISPLAY_NAME, DESCRIPTION, QUOTA_TYPE, QUOTA, "
                                 "QUOTA_UNIT, UNIT_TIME, TIME_UNIT, RATE_LIMIT_COUNT, RATE_LIMIT_TIME_UNIT, "
                                 "STOP_ON_QUOTA_REACH, BILLING_PLAN, IS_DEPLOYED, TENANT_ID, UUID) VALUES (?, ?, ?, ?, "
                                 "?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?)")
                     : gh_strdup("UPDATE AM_POLICY_SUBSCRIPTION SET NAME = ?, DISPLAY_NAME = ?, DESCRIPTION = ?, "
                                 "QUOTA_TYPE = ?, QUOTA = ?, QUOTA_UNIT = ?, UNIT_TIME = ?, TIME_UNIT = ?, "
                                 "RATE_LIMIT_COUNT = ?, RATE_LIMIT_TIME_UNIT = ?, STOP_ON_QUOTA_REACH = ?, "
                                 "BILLING_PLAN = ? WHERE TENANT_ID = ? AND UUID = ?");
        rc = gh_db_exec(c, sql,
                        GH_DB_ARGS(GH_DB_T(b->name), GH_DB_T(b->display), GH_DB_T(b->description), GH_DB_T(b->qtype),
                                   GH_DB_I(b->quota), GH_DB_T(b->qunit), GH_DB_I(b->unit_time), GH_DB_T(b->tunit),
                                   GH_DB_I(b->rl_count), GH_DB_T(b->rl_unit), GH_DB_I(b->stop), GH_DB_T(b->plan),
                                   GH_DB_I(GH_PORTAL_TENANT), GH_DB_T(uuid)),
                        NULL, err);
    } else {
        int adv = strcmp(k->kind, "advanced") == 0;
        sql = insert ? gh_asprintf("INSERT INTO %s (NAME, DISPLAY_NAME, DESCRIPTION, %s, %s, %s, %s, %s, %s"
                                   "IS_DEPLOYED, TENANT_ID, UUID) VALUES (?, ?, ?, ?, ?, ?, ?, ?, %sTRUE, ?, ?)",
                                   k->table, k->qt, k->q, k->qu, k->ut, k->tu, adv ? "APPLICABLE_LEVEL, " : "",
                                   adv ? "'apiLevel', " : "")
                     : gh_asprintf("UPDATE %s SET NAME = ?, DISPLAY_NAME = ?, DESCRIPTION = ?, %s = ?, %s = ?, %s = ?, "
                                   "%s = ?, %s = ? WHERE TENANT_ID = ? AND UUID = ?",
                                   k->table, k->qt, k->q, k->qu, k->ut, k->tu);
        rc = gh_db_exec(c, sql,
                        GH_DB_ARGS(GH_DB_T(b->name), GH_DB_T(b->display), GH_DB_T(b->description), GH_DB_T(b->qtype),
                                   GH_DB_I(b->quota), GH_DB_T(b->qunit), GH_DB_I(b->unit_time), GH_DB_T(b->tunit),
                                   GH_DB_I(GH_PORTAL_TENANT), GH_DB_T(uuid)),
                        NULL, err);
    }
    free(sql);
    return rc;
}

static void run_create(gh_portal_job_t *j, gh_db_conn_t *c)
{
    const kind_t *k = kind_of(j);
    char uuid[40], name[600];
    gh_err_t err = {0};
    json_t *in;
    body_t b;

    if (k == NULL || (in = gh_portal_json_body(j)) == NULL)
        return;
    if (parse(j, k, in, &b) != GH_OK)
        goto out;
    gh_portal_uuid(uuid);
    if (write_policy(c, k, &b, uuid, 1, &err) != GH_OK) {
        if (err.code == GH_DB_E_UNIQUE)
            gh_portal_fail(j, 409, "policyName", "a %s policy named %s already exists", k->kind, b.name);
        else
            gh_portal_fail_db(j, "creating the policy", &err);
        goto out;
    }
    gh_portal_event(GH_EV_POLICY_CHANGED, 0, 0, 0, NULL, NULL, b.name);
    if ((j->out = load(j, c, k, uuid, name, sizeof(name))) != NULL) {
        j->status = 201;
        j->location = gh_asprintf("/throttling/policies/%s/%s", k->kind, uuid);
    }
out:
    json_decref(in);
}

static void run_update(gh_portal_job_t *j, gh_db_conn_t *c)
{
    const kind_t *k = kind_of(j);
    char old[600], name[600];
    gh_err_t err = {0};
    json_t *in = NULL, *cur;
    body_t b;

    if (k == NULL || (cur = load(j, c, k, j->seg[3], old, sizeof(old))) == NULL)
        return;
    json_decref(cur);
    if ((in = gh_portal_json_body(j)) == NULL || parse(j, k, in, &b) != GH_OK)
        goto out;
    if (strcmp(old, b.name) != 0) {
        gh_portal_fail(j, 400, "policyName", "policyName cannot be changed (it is %s)", old);
        goto out;
    }
    if (write_policy(c, k, &b, j->seg[3], 0, &err) != GH_OK) {
        gh_portal_fail_db(j, "updating the policy", &err);
        goto out;
    }
    gh_portal_event(GH_EV_POLICY_CHANGED, 0, 0, 0, NULL, NULL, b.name);
    if ((j->out = load(j, c, k, j->seg[3], name, sizeof(name))) != NULL)
        j->status = 200;
out:
    json_decref(in);
}

static void run_delete(gh_portal_job_t *j, gh_db_conn_t *c)
{
    const kind_t *k = kind_of(j);
    char name[600], *sql;
    gh_err_t err = {0};
    int64_t users = 0;
    json_t *cur;

    if (k == NULL || (cur = load(j, c, k, j->seg[3], name, sizeof(name))) == NULL)
        return;
    json_decref(cur);
    if (gh_db_query_int(c, k->in_use, GH_DB_ARGS(GH_DB_T(name)), &users, &err) != 1)
        return (void)gh_portal_fail_db(j, "checking the policy's use", &err);
    if (users == 0 && strcmp(k->kind, "subscription") == 0) {
        char pat[700];
        snprintf(pat, sizeof(pat), "%%%s%%", name);
        /* an API offering it: a candidate by LIKE, confirmed exactly below would need parsing; refuse on doubt */
        if (gh_db_query_int(c, "SELECT COUNT(*) FROM GH_API WHERE TIERS LIKE ?", GH_DB_ARGS(GH_DB_T(pat)), &users,
                            &err) != 1)
            return (void)gh_portal_fail_db(j, "checking the policy's use", &err);
    }
    if (users > 0)
        return (void)gh_portal_fail(j, 409, "policyId", "policy %s is in use (%lld); change those first", name,
                                    (long long)users);
    sql = gh_asprintf("DELETE FROM %s WHERE TENANT_ID = ? AND UUID = ?", k->table);
    if (gh_db_exec(c, sql, GH_DB_ARGS(GH_DB_I(GH_PORTAL_TENANT), GH_DB_T(j->seg[3])), NULL, &err) != GH_OK) {
        free(sql);
        return (void)gh_portal_fail_db(j, "deleting the policy", &err);
    }
    free(sql);
    gh_portal_event(GH_EV_POLICY_CHANGED, 0, 0, 0, NULL, NULL, name);
    j->status = 200;
}

#define J GH_PORTAL_OP_JSON
const gh_portal_op_t gh_portal_admin_ops[] = {
    {"GET", "/throttling/policies/*", "apim:tier_view", 0, run_list},
    {"POST", "/throttling/policies/*", "apim:tier_manage", J, run_create},
    {"GET", "/throttling/policies/*/*", "apim:tier_view", 0, run_get},
    {"PUT", "/throttling/policies/*/*", "apim:tier_manage", J, run_update},
    {"DELETE", "/throttling/policies/*/*", "apim:tier_manage", 0, run_delete},
    {NULL, NULL, NULL, 0, NULL},
};
