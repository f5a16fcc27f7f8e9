/* Applications in AM_APPLICATION with their owner in AM_SUBSCRIBER (one row per user, made on first use as the
 * Store does at first login). */
#include <stdio.h>
#include <string.h>
#include "portals_int.h"

#define APP_COLS                                                                                                   \
    "a.APPLICATION_ID, a.SUBSCRIBER_ID, a.UUID, a.NAME, a.APPLICATION_TIER, a.CALLBACK_URL, a.DESCRIPTION, "        \
    "a.APPLICATION_STATUS, a.GROUP_ID, s.USER_ID, a.TOKEN_TYPE, a.UPDATED_TIME"

static void col(gh_db_stmt_t *s, size_t i, char *dst, size_t size)
{
    const char *v = gh_db_col_text(s, i, NULL);

    snprintf(dst, size, "%s", v != NULL ? v : "");
}

static int load(gh_db_conn_t *c, const char *sql, gh_db_value_t arg, gh_portal_app_t *a, gh_err_t *err)
{
    gh_db_stmt_t *s;
    int rc;

    if (gh_db_prepare(c, sql, &s, err) != GH_OK || gh_db_execute(s, &arg, 1, err) != GH_OK)
        return -1;
    if ((rc = gh_db_next(s, err)) == 1) {
        memset(a, 0, sizeof(*a));
        a->id = gh_db_col_int(s, 0);
        a->subscriber_id = gh_db_col_int(s, 1);
        col(s, 2, a->uuid, sizeof(a->uuid));
        col(s, 3, a->name, sizeof(a->name));
        col(s, 4, a->tier, sizeof(a->tier));
        col(s, 5, a->callback, sizeof(a->callback));
        col(s, 6, a->description, sizeof(a->description));
        col(s, 7, a->status, sizeof(a->status));
        col(s, 8, a->group_id, sizeof(a->group_id));
        col(s, 9, a->owner, sizeof(a->owner));
        col(s, 10, a->token_type, sizeof(a->token_type));
        a->updated_ms = gh_db_col_time(s, 11);
    }
    gh_db_reset(s);
    return rc < 0 ? -1 : rc;
}

int gh_portal_app_load(gh_db_conn_t *c, const char *uuid, gh_portal_app_t *a, gh_err_t *err)
{
    return load(c,
                "SELECT " APP_COLS " FROM AM_APPLICATION a JOIN AM_SUBSCRIBER s ON s.SUBSCRIBER_ID = a.SUBSCRIBER_ID "
                "WHERE a.UUID = ?",
                GH_DB_T(uuid), a, err);
}

int gh_portal_app_by_id(gh_db_conn_t *c, int64_t id, gh_portal_app_t *a, gh_err_t *err)
{
    return load(c,
                "SELECT " APP_COLS " FROM AM_APPLICATION a JOIN AM_SUBSCRIBER s ON s.SUBSCRIBER_ID = a.SUBSCRIBER_ID "
                "WHERE a.APPLICATION_ID = ?",
                GH_DB_I(id), a, err);
}

json_t *gh_portal_app_to_json(const gh_portal_app_t *a)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[],s:{}}", "applicationId", a->uuid, "name", a->name,
                     "subscriber", a->owner, "throttlingTier", a->tier, "callbackUrl", a->callback, "description",
                     a->description, "tokenType", a->token_type[0] ? a->token_type : "OAUTH", "status",
                     a->status[0] ? a->status : "APPROVED", "groupId", a->group_id, "keys", "attributes");
}

int gh_portal_subscriber_id(gh_db_conn_t *c, const char *user, int64_t *id, gh_err_t *err)
{
    int64_t now = gh_portal_now_ms();
    int rc;

    if ((rc = gh_db_query_int(c, "SELECT SUBSCRIBER_ID FROM AM_SUBSCRIBER WHERE USER_ID = ? AND TENANT_ID = ?",
                              GH_DB_ARGS(GH_DB_T(user), GH_DB_I(GH_PORTAL_TENANT)), id, err)) != 0)
        return rc == 1 ? GH_OK : GH_ERR;
    if (gh_db_exec(c,
                   "INSERT INTO AM_SUBSCRIBER (USER_ID, TENANT_ID, DATE_SUBSCRIBED, CREATED_BY, CREATED_TIME) VALUES "
                   "(?, ?, ?, ?, ?)",
                   GH_DB_ARGS(GH_DB_T(user), GH_DB_I(GH_PORTAL_TENANT), GH_DB_TS(now), GH_DB_T(user), GH_DB_TS(now)),
                   NULL, err) != GH_OK) {
        if (err->code != GH_DB_E_UNIQUE || gh_db_in_transaction(c))
            return GH_ERR;
        gh_err_clear(err); /* a concurrent first request made it */
    }
    return gh_db_query_int(c, "SELECT SUBSCRIBER_ID FROM AM_SUBSCRIBER WHERE USER_ID = ? AND TENANT_ID = ?",
                           GH_DB_ARGS(GH_DB_T(user), GH_DB_I(GH_PORTAL_TENANT)), id, err) == 1 ? GH_OK : GH_ERR;
}

int gh_portal_policy_exists(gh_db_conn_t *c, const char *level, const char *name, gh_err_t *err)
{
    const char *sql = strcmp(level, "application") == 0
                          ? "SELECT POLICY_ID FROM AM_POLICY_APPLICATION WHERE NAME = ? AND TENANT_ID = ?"
                      : strcmp(level, "subscription") == 0
                          ? "SELECT POLICY_ID FROM AM_POLICY_SUBSCRIPTION WHERE NAME = ? AND TENANT_ID = ?"
                          : "SELECT POLICY_ID FROM AM_API_THROTTLE_POLICY WHERE NAME = ? AND TENANT_ID = ?";
    int64_t id;

    return gh_db_query_int(c, sql, GH_DB_ARGS(GH_DB_T(name), GH_DB_I(GH_PORTAL_TENANT)), &id, err);
}
