/* Admin v0.14 blocking conditions (/throttling/blacklist), stored as WSO2 does in AM_BLOCK_CONDITIONS: TYPE, VALUE,
 * ENABLED 'TRUE', DOMAIN the tenant domain, UUID the conditionId. Only the administration lives here: the gateway
 * reloads the conditions on the GH_EV_POLICY_CHANGED event published after each change and enforces them
 * (modules/gateway/ph_block.c, docs/gateway.md). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/mem.h"
#include "portals_int.h"

#define BL_DOMAIN "carbon.super" /* the one tenant, as WSO2 names it */
#define BL_VALUE_MAX 512         /* AM_BLOCK_CONDITIONS.VALUE */

static const char *const types[] = {"API", "APPLICATION", "IP", "USER", NULL};

static json_t *row_json(gh_db_stmt_t *s)
{
    return json_pack("{s:s?,s:s?,s:s?}", "conditionId", gh_db_col_text(s, 0, NULL), "conditionType",
                     gh_db_col_text(s, 1, NULL), "conditionValue", gh_db_col_text(s, 2, NULL));
}

/* one condition by UUID, or NULL answered (404 or a database error) */
static json_t *load(gh_portal_job_t *j, gh_db_conn_t *c, const char *id)
{
    gh_db_stmt_t *s;
    gh_err_t err = {0};
    json_t *o = NULL;
    int rc;

    if (gh_db_prepare(c, "SELECT UUID, TYPE, VALUE FROM AM_BLOCK_CONDITIONS WHERE DOMAIN = ? AND UUID = ?", &s,
                      &err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(BL_DOMAIN), GH_DB_T(id)), &err) != GH_OK)
        return gh_portal_fail_db(j, "reading the blocking condition", &err), NULL;
    if ((rc = gh_db_next(s, &err)) == 1)
        o = row_json(s);
    gh_db_reset(s);
    if (rc < 0)
        return gh_portal_fail_db(j, "reading the blocking condition", &err), NULL;
    if (o == NULL)
        gh_portal_fail(j, 404, "conditionId", "no blocking condition %s", id);
    return o;
}

static void run_list(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_db_stmt_t *s;
    gh_err_t err = {0};
    json_t *list;
    int rc;

    if (gh_db_prepare(c, "SELECT UUID, TYPE, VALUE FROM AM_BLOCK_CONDITIONS WHERE DOMAIN = ? ORDER BY CONDITION_ID",
                      &s, &err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(BL_DOMAIN)), &err) != GH_OK)
        return (void)gh_portal_fail_db(j, "listing blocking conditions", &err);
    list = json_array();
    while ((rc = gh_db_next(s, &err)) == 1)
        json_array_append_new(list, row_json(s));
    gh_db_reset(s);
    if (rc < 0) {
        json_decref(list);
        return (void)gh_portal_fail_db(j, "listing blocking conditions", &err);
    }
    j->status = 200;
    j->out = json_pack("{s:I,s:o}", "count", (json_int_t)json_array_size(list), "list", list);
}

static void run_get(gh_portal_job_t *j, gh_db_conn_t *c)
{
    json_t *o = load(j, c, j->seg[2]); /* NULL: j->out already holds the error */

    if (o != NULL) {
        j->status = 200;
        j->out = o;
    }
}

/* the body's type and value, checked as WSO2 checks them (an IP must be an address, an application owner:name) */
static int parse(gh_portal_job_t *j, json_t *in, const char **type, const char **value)
{
    json_t *t = json_object_get(in, "conditionType"), *v = json_object_get(in, "conditionValue");
    unsigned char addr[16];
    const char *colon;
    size_t i;

    if (!json_is_string(t))
        return gh_portal_fail(j, 400, "conditionType", "conditionType is required: API, APPLICATION, IP or USER");
    for (i = 0; types[i] != NULL && strcmp(types[i], json_string_value(t)) != 0; ++i)
        ;
    if (types[i] == NULL)
        return gh_portal_fail(j, 400, "conditionType", "conditionType must be API, APPLICATION, IP or USER");
    if (!json_is_string(v) || json_string_length(v) == 0)
        return gh_portal_fail(j, 400, "conditionValue", "conditionValue is required");
    if (json_string_length(v) > BL_VALUE_MAX || strlen(json_string_value(v)) != json_string_length(v))
        return gh_portal_fail(j, 400, "conditionValue", "conditionValue must be at most %d characters",
                              BL_VALUE_MAX);
    *type = types[i];
    *value = json_string_value(v);
    if (strcmp(*type, "IP") == 0 && inet_pton(AF_INET, *value, addr) != 1 && inet_pton(AF_INET6, *value, addr) != 1)
        return gh_portal_fail(j, 400, "conditionValue", "conditionValue must be an IPv4 or IPv6 address");
    if (strcmp(*type, "APPLICATION") == 0 &&
        ((colon = strchr(*value, ':')) == NULL || colon == *value || colon[1] == '\0'))
        return gh_portal_fail(j, 400, "conditionValue", "an APPLICATION condition's value is owner:name");
    if (strcmp(*type, "API") == 0 && (*value)[0] != '/')
        return gh_portal_fail(j, 400, "conditionValue", "an API condition's value is its context, e.g. /pizza/1.0.0");
    return GH_OK;
}

static void run_create(gh_portal_job_t *j, gh_db_conn_t *c)
{
    const char *type = NULL, *value = NULL;
    gh_err_t err = {0};
    int64_t dups = 0;
    char uuid[40];
    json_t *in;

    if ((in = gh_portal_json_body(j)) == NULL)
        return;
    if (parse(j, in, &type, &value) != GH_OK)
        goto out;
    gh_portal_uuid(uuid);
    /* WSO2 has no unique key on (TYPE, VALUE): the check and the insert share one transaction */
    if (gh_db_begin(c, &err) != GH_OK) {
        gh_portal_fail_db(j, "creating the blocking condition", &err);
        goto out;
    }
    if (gh_db_query_int(c, "SELECT COUNT(*) FROM AM_BLOCK_CONDITIONS WHERE DOMAIN = ? AND TYPE = ? AND VALUE = ?",
                        GH_DB_ARGS(GH_DB_T(BL_DOMAIN), GH_DB_T(type), GH_DB_T(value)), &dups, &err) != 1) {
        gh_portal_fail_db(j, "checking for the blocking condition", &err);
        goto out;
    }
    if (dups > 0) {
        gh_portal_fail(j, 409, "conditionValue", "%s %s is already blocked", type, value);
        goto out;
    }
    if (gh_db_exec(c,
                   "INSERT INTO AM_BLOCK_CONDITIONS (TYPE, VALUE, ENABLED, DOMAIN, UUID) VALUES (?, ?, 'TRUE', ?, ?)",
                   GH_DB_ARGS(GH_DB_T(type), GH_DB_T(value), GH_DB_T(BL_DOMAIN), GH_DB_T(uuid)), NULL,
                   &err) != GH_OK ||
        gh_db_commit(c, &err) != GH_OK) {
        gh_portal_fail_db(j, "creating the blocking condition", &err);
        goto out;
    }
    gh_portal_event(GH_EV_POLICY_CHANGED, 0, 0, 0, NULL, NULL, "BLOCK_CONDITION");
    j->status = 201;
    j->out = json_pack("{s:s,s:s,s:s}", "conditionId", uuid, "conditionType", type, "conditionValue", value);
    j->location = gh_asprintf("/throttling/blacklist/%s", uuid);
out:
    json_decref(in);
}

static void run_delete(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_err_t err = {0};
    int64_t changes = 0;

    if (gh_db_exec(c, "DELETE FROM AM_BLOCK_CONDITIONS WHERE DOMAIN = ? AND UUID = ?",
                   GH_DB_ARGS(GH_DB_T(BL_DOMAIN), GH_DB_T(j->seg[2])), &changes, &err) != GH_OK)
        return (void)gh_portal_fail_db(j, "deleting the blocking condition", &err);
    if (changes == 0)
        return (void)gh_portal_fail(j, 404, "conditionId", "no blocking condition %s", j->seg[2]);
    gh_portal_event(GH_EV_POLICY_CHANGED, 0, 0, 0, NULL, NULL, "BLOCK_CONDITION");
    j->status = 200; /* WSO2 answers 200 with no body */
}

#define J GH_PORTAL_OP_JSON
const gh_portal_op_t gh_portal_admin_bl_ops[] = {
    {"GET", "/throttling/blacklist", "apim:bl_view", 0, run_list},
    {"POST", "/throttling/blacklist", "apim:bl_manage", J, run_create},
    {"GET", "/throttling/blacklist/*", "apim:bl_view", 0, run_get},
    {"DELETE", "/throttling/blacklist/*", "apim:bl_manage", 0, run_delete},
    {NULL, NULL, NULL, 0, NULL},
};
