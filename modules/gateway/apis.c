/* The gateway's view of the API tables: every Published, Deprecated, Prototyped or Blocked API (AM_API +
 * GH_API), its resources (AM_API_URL_MAPPING) with their scopes (IDN_OAUTH2_RESOURCE_SCOPE) and the throttling
 * policies. Loaded whole on a worker and swapped in as one immutable, reference-counted snapshot, so a request
 * sees one consistent table and loops never wait on SQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gw_int.h"

#define LIVE "('PUBLISHED','DEPRECATED','PROTOTYPED','BLOCKED')"

static char *dup_col(gh_db_stmt_t *s, size_t i)
{
    const char *v = gh_db_col_text(s, i, NULL);

    return v != NULL && v[0] != '\0' ? gh_strdup(v) : NULL;
}

gw_snapshot_t *gw_snapshot_ref(gw_snapshot_t *s)
{
    if (s != NULL)
        atomic_fetch_add(&s->refs, 1);
    return s;
}

static void free_api(gw_api_t *a)
{
    size_t i;

    for (i = 0; i < a->n_res; ++i) {
        free(a->res[i].verb);
        free(a->res[i].pattern);
        free(a->res[i].auth);
        free(a->res[i].tier);
        free(a->res[i].scope);
    }
    free(a->res);
    free(a->name);
    free(a->provider);
    free(a->version);
    free(a->context);
    free(a->base_context);
    free(a->status);
    free(a->api_tier);
    free(a->url[0]);
    free(a->url[1]);
    free(a->cors.origins);
    free(a->cors.methods);
    free(a->cors.headers);
}

void gw_snapshot_unref(gw_snapshot_t *s)
{
    size_t i;

    if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    for (i = 0; i < s->n_apis; ++i)
        free_api(&s->apis[i]);
    for (i = 0; i < s->n_pols; ++i)
        free(s->pols[i].name);
    free(s->apis);
    free(s->pols);
    gw_block_free(&s->block);
    free(s);
}

const gw_policy_t *gw_policy_find(const gw_snapshot_t *s, gw_pol_level_t level, const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < s->n_pols; ++i)
        if (s->pols[i].level == level && strcmp(s->pols[i].name, name) == 0)
            return &s->pols[i];
    return NULL;
}

/* The endpoint URL and timeout WSO2 keeps in endpointConfig ({"production_endpoints":{"url":...,"config":
 * {"actionDuration":...}}}) when the plain columns are empty. */
static void endpoint_config(gw_api_t *a, const char *json)
{
    static const char *const keys[2] = {"production_endpoints", "sandbox_endpoints"};
    json_t *root = json != NULL ? json_loads(json, 0, NULL) : NULL;
    int k;

    for (k = 0; root != NULL && k < 2; ++k) {
        json_t *ep = json_object_get(root, keys[k]), *cfg;
        const char *url = json_string_value(json_object_get(ep, "url"));
        if (a->url[k] == NULL && url != NULL && url[0] != '\0')
            a->url[k] = gh_strdup(url);
        if ((cfg = json_object_get(ep, "config")) != NULL && k == 0) {
            json_t *d = json_object_get(cfg, "actionDuration");
            long long ms = json_is_integer(d) ? json_integer_value(d) : json_is_string(d) ? strtoll(json_string_value(d), NULL, 10) : 0;
            if (ms > 0 && ms < 3600000)
                a->timeout_ms = (int)ms;
        }
    }
    json_decref(root);
}

static char *join_list(json_t *arr)
{
    size_t i, n = 0, at = 0;
    char *out;
    json_t *v;

    if (!json_is_array(arr))
        return NULL;
    json_array_foreach(arr, i, v) n += json_is_string(v) ? strlen(json_string_value(v)) + 1 : 0;
    out = gh_calloc(1, n + 1);
    json_array_foreach(arr, i, v) if (json_is_string(v)) {
        size_t l = strlen(json_string_value(v));
        if (at > 0)
            out[at++] = ',';
        memcpy(out + at, json_string_value(v), l);
        at += l;
    }
    return out;
}

/* The API's own CORS (the Publisher's corsConfiguration JSON). */
static void cors_config(gw_api_t *a, const char *json)
{
    json_t *root = json != NULL ? json_loads(json, 0, NULL) : NULL;

    if (root != NULL && json_is_true(json_object_get(root, "corsConfigurationEnabled"))) {
        a->cors.enabled = 1;
        a->cors.origins = join_list(json_object_get(root, "accessControlAllowOrigins"));
        a->cors.methods = join_list(json_object_get(root, "accessControlAllowMethods"));
        a->cors.headers = join_list(json_object_get(root, "accessControlAllowHeaders"));
        a->cors.credentials = json_is_true(json_object_get(root, "accessControlAllowCredentials"));
    } else if (root != NULL) {
        a->cors.enabled = -1; /* configured off: the global configuration does not apply either */
    }
    json_decref(root);
}

static void fill_api(gw_api_t *a, gh_db_stmt_t *s)
{
    const char *tr, *v;
    char *slash;

    memset(a, 0, sizeof(*a));
    a->id = gh_db_col_int(s, 0);
    a->name = dup_col(s, 1);
    a->provider = dup_col(s, 2);
    a->version = dup_col(s, 3);
    a->context = dup_col(s, 4);
    a->api_tier = dup_col(s, 5);
    a->status = dup_col(s, 6);
    tr = gh_db_col_text(s, 7, NULL);
    a->https = tr == NULL || strstr(tr, "https") != NULL;
    a->http = tr == NULL || strstr(tr, "http,") != NULL || strcmp(tr, "http") == 0 ||
              (strlen(tr) >= 5 && strcmp(tr + strlen(tr) - 5, ",http") == 0);
    a->is_default = gh_db_col_int(s, 8) != 0;
    a->url[0] = dup_col(s, 9);
    a->url[1] = dup_col(s, 10);
    a->timeout_ms = 60000;
    endpoint_config(a, gh_db_col_text(s, 11, NULL));
    cors_config(a, gh_db_col_text(s, 12, NULL));
    if (a->context == NULL)
        a->context = gh_strdup("/");
    /* the default version answers at the context without its version (AM_API.CONTEXT ends in /{version}) */
    a->base_context = gh_strdup(a->context);
    v = a->version;
    if (v != NULL && (slash = strrchr(a->base_context, '/')) != NULL && strcmp(slash + 1, v) == 0 &&
        slash != a->base_context)
        *slash = '\0';
}

static gw_api_t *api_by_id(gw_snapshot_t *s, int64_t id)
{
    size_t i;

    for (i = 0; i < s->n_apis; ++i)
        if (s->apis[i].id == id)
            return &s->apis[i];
    return NULL;
}

static int load_apis(gh_db_conn_t *c, gw_snapshot_t *snap, gh_err_t *err)
{
    gh_db_stmt_t *s;
    int rc;

    if (gh_db_prepare(c,
                      "SELECT A.API_ID, A.API_NAME, A.API_PROVIDER, A.API_VERSION, A.CONTEXT, A.API_TIER, G.STATUS, "
                      "G.TRANSPORTS, G.IS_DEFAULT_VERSION, G.PRODUCTION_URL, G.SANDBOX_URL, G.ENDPOINT_CONFIG, "
                      "G.CORS_CONFIG FROM AM_API A JOIN GH_API G ON G.API_ID = A.API_ID WHERE G.STATUS IN " LIVE
                      " ORDER BY A.API_ID",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_NOARGS, err) != GH_OK)
        return GH_ERR;
    while ((rc = gh_db_next(s, err)) == 1) {
        snap->apis = gh_realloc(snap->apis, (snap->n_apis + 1) * sizeof(*snap->apis));
        fill_api(&snap->apis[snap->n_apis++], s);
    }
    gh_db_reset(s);
    return rc < 0 ? GH_ERR : GH_OK;
}

static int load_resources(gh_db_conn_t *c, gw_snapshot_t *snap, gh_err_t *err)
{
    gh_db_stmt_t *s;
    gw_api_t *a;
    int rc;

    if (gh_db_prepare(c,
                      "SELECT U.API_ID, U.HTTP_METHOD, U.AUTH_SCHEME, U.URL_PATTERN, U.THROTTLING_TIER FROM "
                      "AM_API_URL_MAPPING U JOIN GH_API G ON G.API_ID = U.API_ID WHERE G.STATUS IN " LIVE
                      " ORDER BY U.URL_MAPPING_ID",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_NOARGS, err) != GH_OK)
        return GH_ERR;
    while ((rc = gh_db_next(s, err)) == 1) {
        gw_resource_t *r;
        if ((a = api_by_id(snap, gh_db_col_int(s, 0))) == NULL)
            continue;
        a->res = gh_realloc(a->res, (a->n_res + 1) * sizeof(*a->res));
        r = &a->res[a->n_res++];
        memset(r, 0, sizeof(*r));
        r->verb = dup_col(s, 1);
        r->auth = dup_col(s, 2);
        r->pattern = dup_col(s, 3);
        r->tier = dup_col(s, 4);
        if (r->verb == NULL)
            r->verb = gh_strdup("GET");
        if (r->pattern == NULL)
            r->pattern = gh_strdup("/*");
        if (r->auth == NULL)
            r->auth = gh_strdup("Any");
    }
    gh_db_reset(s);
    return rc < 0 ? GH_ERR : GH_OK;
}

/* RESOURCE_PATH is {context}{urlPattern}:{VERB} (AM_API.CONTEXT already holds the version). */
static void attach_scope(gw_snapshot_t *snap, const char *path, const char *scope)
{
    size_t i, k;

    for (i = 0; i < snap->n_apis; ++i) {
        gw_api_t *a = &snap->apis[i];
        size_t cl = strlen(a->context);
        if (strncmp(path, a->context, cl) != 0)
            continue;
        for (k = 0; k < a->n_res; ++k) {
            gw_resource_t *r = &a->res[k];
            size_t pl = strlen(r->pattern);
            if (strncmp(path + cl, r->pattern, pl) == 0 && path[cl + pl] == ':' &&
                strcmp(path + cl + pl + 1, r->verb) == 0 && r->scope == NULL)
                r->scope = gh_strdup(scope);
        }
    }
}

static void load_scopes(gh_db_conn_t *c, gw_snapshot_t *snap)
{
    gh_db_stmt_t *s;
    gh_err_t err = {0};

    /* the scope tables live in the identity datasource: when that is another database there is nothing here */
    if (gh_db_prepare(c,
                      "SELECT R.RESOURCE_PATH, S.NAME FROM IDN_OAUTH2_RESOURCE_SCOPE R JOIN IDN_OAUTH2_SCOPE S ON "
                      "S.SCOPE_ID = R.SCOPE_ID",
                      &s, &err) != GH_OK ||
        gh_db_execute(s, GH_DB_NOARGS, &err) != GH_OK)
        return;
    while (gh_db_next(s, &err) == 1) {
        const char *p = gh_db_col_text(s, 0, NULL), *n = gh_db_col_text(s, 1, NULL);
        if (p != NULL && n != NULL)
            attach_scope(snap, p, n);
    }
    gh_db_reset(s);
}

static int64_t window_ms(int64_t unit_time, const char *unit)
{
    int64_t m = 60000;

    if (unit == NULL)
        m = 60000;
    else if (strncmp(unit, "sec", 3) == 0 || strcmp(unit, "s") == 0)
        m = 1000;
    else if (strncmp(unit, "min", 3) == 0)
        m = 60000;
    else if (strncmp(unit, "hour", 4) == 0 || strcmp(unit, "h") == 0)
        m = 3600000;
    else if (strncmp(unit, "day", 3) == 0)
        m = 86400000;
    else if (strncmp(unit, "month", 5) == 0)
        m = 30LL * 86400000;
    else if (strncmp(unit, "year", 4) == 0)
        m = 365LL * 86400000;
    return (unit_time > 0 ? unit_time : 1) * m;
}

/* bandwidth quotas are in QUOTA_UNIT (KB, MB, GB) */
static int64_t bytes(int64_t quota, const char *unit)
{
    if (unit == NULL)
        return quota;
    if (strcasecmp(unit, "KB") == 0)
        return quota * 1024;
    if (strcasecmp(unit, "MB") == 0)
        return quota * 1024 * 1024;
    if (strcasecmp(unit, "GB") == 0)
        return quota * 1024 * 1024 * 1024;
    return quota;
}

static int load_policies(gh_db_conn_t *c, gw_snapshot_t *snap, gh_err_t *err)
{
    static const struct {
        gw_pol_level_t level;
        const char *sql;
    } q[] = {
        {GW_POL_SUB, "SELECT NAME, QUOTA_TYPE, QUOTA, QUOTA_UNIT, UNIT_TIME, TIME_UNIT, CASE WHEN STOP_ON_QUOTA_REACH THEN 1 ELSE 0 END FROM "
                     "AM_POLICY_SUBSCRIPTION WHERE TENANT_ID = -1234"},
        {GW_POL_APP, "SELECT NAME, QUOTA_TYPE, QUOTA, QUOTA_UNIT, UNIT_TIME, TIME_UNIT, 1 FROM AM_POLICY_APPLICATION "
                     "WHERE TENANT_ID = -1234"},
        {GW_POL_API, "SELECT NAME, DEFAULT_QUOTA_TYPE, DEFAULT_QUOTA, DEFAULT_QUOTA_UNIT, DEFAULT_UNIT_TIME, "
                     "DEFAULT_TIME_UNIT, 1 FROM AM_API_THROTTLE_POLICY WHERE TENANT_ID = -1234"},
    };
    gh_db_stmt_t *s;
    size_t i;
    int rc;

    for (i = 0; i < GH_ARRAY_SIZE(q); ++i) {
        if (gh_db_prepare(c, q[i].sql, &s, err) != GH_OK || gh_db_execute(s, GH_DB_NOARGS, err) != GH_OK)
            return GH_ERR;
        while ((rc = gh_db_next(s, err)) == 1) {
            gw_policy_t *p;
            const char *type = gh_db_col_text(s, 1, NULL);
            snap->pols = gh_realloc(snap->pols, (snap->n_pols + 1) * sizeof(*snap->pols));
            p = &snap->pols[snap->n_pols++];
            p->name = gh_strdup(gh_db_col_text(s, 0, NULL) ? gh_db_col_text(s, 0, NULL) : "");
            p->level = q[i].level;
            p->bandwidth = type != NULL && strcasecmp(type, "bandwidthVolume") == 0;
            p->quota = gh_db_col_int(s, 2);
            if (p->bandwidth)
                p->quota = bytes(p->quota, gh_db_col_text(s, 3, NULL));
            p->window_ms = window_ms(gh_db_col_int(s, 4), gh_db_col_text(s, 5, NULL));
            p->stop_on_quota = gh_db_col_int(s, 6) != 0;
        }
        gh_db_reset(s);
        if (rc < 0)
            return GH_ERR;
    }
    return GH_OK;
}

/* The tenant's enabled blocking conditions (the Admin API's blacklist). A failure fails the reload: the gateway
 * keeps the previous snapshot and its conditions rather than letting blocked callers through. */
static int load_blocks(gh_db_conn_t *c, gw_snapshot_t *snap, gh_err_t *err)
{
    gh_db_stmt_t *s;
    int rc;

    if (gh_db_prepare(c,
                      "SELECT TYPE, VALUE, DOMAIN FROM AM_BLOCK_CONDITIONS WHERE DOMAIN = ? AND UPPER(ENABLED) = 'TRUE'",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(GW_TENANT_DOMAIN)), err) != GH_OK)
        return GH_ERR;
    while ((rc = gh_db_next(s, err)) == 1) {
        const char *type = gh_db_col_text(s, 0, NULL), *value = gh_db_col_text(s, 1, NULL);
        if (gw_block_add(&snap->block, type, value, gh_db_col_text(s, 2, NULL)) != 0)
            gh_log(GH_LOG_DEBUG, "gateway", "blocking condition %s %s: not enforced (type or value not understood)",
                   type != NULL ? type : "-", value != NULL ? value : "-");
    }
    gh_db_reset(s);
    return rc < 0 ? GH_ERR : GH_OK;
}

gw_snapshot_t *gw_snapshot_load(gh_db_conn_t *c, gh_err_t *err)
{
    gw_snapshot_t *snap = gh_calloc(1, sizeof(*snap));
    size_t i;

    atomic_init(&snap->refs, 1);
    if (load_apis(c, snap, err) != GH_OK || load_resources(c, snap, err) != GH_OK ||
        load_policies(c, snap, err) != GH_OK || load_blocks(c, snap, err) != GH_OK) {
        gw_snapshot_unref(snap);
        return NULL;
    }
    load_scopes(c, snap);
    for (i = 0; i < snap->n_apis; ++i)
        gw_resources_sort(snap->apis[i].res, snap->apis[i].n_res);
    return snap;
}
