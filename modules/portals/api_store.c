/* APIs in WSO2's tables: AM_API (identity, context as /{context}/{version} and the {version} template), GH_API
 * (what WSO2 keeps in its registry artifact), AM_API_URL_MAPPING (resources), IDN_OAUTH2_SCOPE + _BINDING +
 * AM_API_SCOPES + IDN_OAUTH2_RESOURCE_SCOPE (API scopes), AM_API_LC_EVENT (lifecycle history),
 * AM_API_DEFAULT_VERSION. Multi-row writes run inside the caller's transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/mem.h"
#include "portals_int.h"

#define API_COLS                                                                                                   \
    "a.API_ID, g.UUID, a.API_NAME, a.CONTEXT_TEMPLATE, a.API_VERSION, a.API_PROVIDER, g.DESCRIPTION, g.STATUS, "   \
    "g.VISIBILITY, g.VISIBLE_ROLES, g.TAGS, g.TRANSPORTS, g.TIERS, a.API_TIER, g.ENDPOINT_CONFIG, g.PRODUCTION_URL, " \
    "g.SANDBOX_URL, g.CORS_CONFIG, g.API_DEFINITION, g.IS_DEFAULT_VERSION, g.REVISION, a.CREATED_TIME, a.UPDATED_TIME"

static char *dup_col(gh_db_stmt_t *s, size_t i)
{
    const char *v = gh_db_col_text(s, i, NULL);

    return v != NULL ? gh_strdup(v) : NULL;
}

static gh_db_value_t tn(const char *s)
{
    return s != NULL ? GH_DB_T(s) : GH_DB_NUL;
}

static int load_resources(gh_db_conn_t *c, gh_portal_api_t *a, gh_err_t *err)
{
    gh_db_stmt_t *s;
    char prefix[600];
    int rc;

    a->res = gh_calloc(GH_PORTAL_MAX_RES, sizeof(*a->res));
    if (gh_db_prepare(c,
                      "SELECT HTTP_METHOD, AUTH_SCHEME, URL_PATTERN, THROTTLING_TIER FROM AM_API_URL_MAPPING WHERE "
                      "API_ID = ? ORDER BY URL_MAPPING_ID",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_I(a->id)), err) != GH_OK)
        return GH_ERR;
    while ((rc = gh_db_next(s, err)) == 1 && a->nres < GH_PORTAL_MAX_RES) {
        gh_portal_res_t *r = &a->res[a->nres++];
        const char *v = gh_db_col_text(s, 0, NULL), *sch = gh_db_col_text(s, 1, NULL);
        snprintf(r->verb, sizeof(r->verb), "%s", v ? v : "GET");
        snprintf(r->auth_scheme, sizeof(r->auth_scheme), "%s", sch ? sch : "Any");
        r->target = dup_col(s, 2);
        if (r->target == NULL)
            r->target = gh_strdup("/*");
        r->throttling = dup_col(s, 3);
    }
    gh_db_reset(s);
    if (rc < 0)
        return GH_ERR;
    /* scopes of the API, then which resource carries which */
    if (gh_db_prepare(c,
                      "SELECT s.SCOPE_ID, s.NAME, s.DISPLAY_NAME, s.DESCRIPTION FROM AM_API_SCOPES x JOIN "
                      "IDN_OAUTH2_SCOPE s ON s.SCOPE_ID = x.SCOPE_ID WHERE x.API_ID = ? ORDER BY s.SCOPE_ID",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_I(a->id)), err) != GH_OK)
        return GH_ERR;
    {
        int64_t ids[GH_PORTAL_MAX_SCOPES];
        size_t i;
        a->scopes = gh_calloc(GH_PORTAL_MAX_SCOPES, sizeof(*a->scopes));
        while ((rc = gh_db_next(s, err)) == 1 && a->nscopes < GH_PORTAL_MAX_SCOPES) {
            gh_portal_scope_t *sc = &a->scopes[a->nscopes];
            ids[a->nscopes++] = gh_db_col_int(s, 0);
            sc->key = dup_col(s, 1);
            sc->name = dup_col(s, 2);
            sc->description = dup_col(s, 3);
            if (sc->key == NULL)
                sc->key = gh_strdup("");
            if (sc->name == NULL)
                sc->name = gh_strdup(sc->key);
            if (sc->description == NULL)
                sc->description = gh_strdup("");
        }
        gh_db_reset(s);
        if (rc < 0)
            return GH_ERR;
        for (i = 0; i < a->nscopes; ++i) {
            size_t o = 0;
            char roles[1024] = "";
            if (gh_db_prepare(c, "SELECT SCOPE_BINDING FROM IDN_OAUTH2_SCOPE_BINDING WHERE SCOPE_ID = ?", &s, err) !=
                    GH_OK ||
                gh_db_execute(s, GH_DB_ARGS(GH_DB_I(ids[i])), err) != GH_OK)
                return GH_ERR;
            while ((rc = gh_db_next(s, err)) == 1) {
                const char *b = gh_db_col_text(s, 0, NULL);
                if (b != NULL && o + strlen(b) + 2 < sizeof(roles))
                    o += (size_t)snprintf(roles + o, sizeof(roles) - o, "%s%s", o ? "," : "", b);
            }
            gh_db_reset(s);
            if (rc < 0)
                return GH_ERR;
            a->scopes[i].roles = gh_strdup(roles);
        }
    }
    snprintf(prefix, sizeof(prefix), "%s/%s", a->context, a->version);
    if (gh_db_prepare(c,
                      "SELECT r.RESOURCE_PATH, s.NAME FROM AM_API_SCOPES x JOIN IDN_OAUTH2_SCOPE s ON s.SCOPE_ID = "
                      "x.SCOPE_ID JOIN IDN_OAUTH2_RESOURCE_SCOPE r ON r.SCOPE_ID = s.SCOPE_ID WHERE x.API_ID = ?",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_I(a->id)), err) != GH_OK)
        return GH_ERR;
    while ((rc = gh_db_next(s, err)) == 1) {
        const char *path = gh_db_col_text(s, 0, NULL), *name = gh_db_col_text(s, 1, NULL);
        size_t i;
        for (i = 0; path != NULL && name != NULL && i < a->nres; ++i) {
            char want[1200];
            snprintf(want, sizeof(want), "%s%s:%s", prefix, a->res[i].target, a->res[i].verb);
            if (strcmp(want, path) == 0 && a->res[i].scope == NULL)
                a->res[i].scope = gh_strdup(name);
        }
    }
    gh_db_reset(s);
    return rc < 0 ? GH_ERR : GH_OK;
}

int gh_portal_api_load(gh_db_conn_t *c, const char *uuid, int full, gh_portal_api_t *a, gh_err_t *err)
{
    gh_db_stmt_t *s;
    int rc;

    memset(a, 0, sizeof(*a));
    if (gh_db_prepare(c, "SELECT " API_COLS " FROM AM_API a JOIN GH_API g ON g.API_ID = a.API_ID WHERE g.UUID = ?", &s,
                      err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(uuid)), err) != GH_OK)
        return -1;
    if ((rc = gh_db_next(s, err)) == 1) {
        char *t;
        a->id = gh_db_col_int(s, 0);
        snprintf(a->uuid, sizeof(a->uuid), "%s", gh_db_col_text(s, 1, NULL));
        a->name = dup_col(s, 2);
        a->context = dup_col(s, 3);
        if (a->context == NULL)
            a->context = gh_strdup("/");
        if ((t = strstr(a->context, "/{version}")) != NULL)
            *t = '\0';
        a->version = dup_col(s, 4);
        a->provider = dup_col(s, 5);
        a->description = dup_col(s, 6);
        a->status = dup_col(s, 7);
        a->visibility = dup_col(s, 8);
        a->visible_roles = dup_col(s, 9);
        a->tags = dup_col(s, 10);
        a->transports = dup_col(s, 11);
        a->tiers = dup_col(s, 12);
        a->api_tier = dup_col(s, 13);
        a->endpoint_config = dup_col(s, 14);
        a->production_url = dup_col(s, 15);
        a->sandbox_url = dup_col(s, 16);
        a->cors = dup_col(s, 17);
        a->definition = dup_col(s, 18);
        a->is_default = gh_db_col_int(s, 19) != 0;
        a->revision = gh_db_col_int(s, 20);
        a->created_ms = gh_db_col_time(s, 21);
        a->updated_ms = gh_db_col_time(s, 22);
    }
    gh_db_reset(s);
    if (rc == 1 && full && load_resources(c, a, err) != GH_OK)
        rc = -1;
    if (rc != 1)
        gh_portal_api_dispose(a);
    return rc < 0 ? -1 : rc;
}

int gh_portal_api_context_taken(gh_db_conn_t *c, const char *context, const char *version, int64_t except_id,
                                gh_err_t *err)
{
    char full[600];
    int64_t id;

    snprintf(full, sizeof(full), "%s/%s", context, version);
    return gh_db_query_int(c, "SELECT API_ID FROM AM_API WHERE CONTEXT = ? AND API_ID <> ?",
                           GH_DB_ARGS(GH_DB_T(full), GH_DB_I(except_id)), &id, err);
}

static int delete_scopes(gh_db_conn_t *c, int64_t api_id, gh_err_t *err)
{
    int64_t ids[GH_PORTAL_MAX_SCOPES * 2];
    size_t n = 0, i;
    gh_db_stmt_t *s;
    int rc;

    if (gh_db_prepare(c, "SELECT SCOPE_ID FROM AM_API_SCOPES WHERE API_ID = ?", &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_I(api_id)), err) != GH_OK)
        return GH_ERR;
    while ((rc = gh_db_next(s, err)) == 1 && n < GH_ARRAY_SIZE(ids))
        ids[n++] = gh_db_col_int(s, 0);
    gh_db_reset(s);
    if (rc < 0)
        return GH_ERR;
    if (gh_db_exec(c, "DELETE FROM AM_API_SCOPES WHERE API_ID = ?", GH_DB_ARGS(GH_DB_I(api_id)), NULL, err) != GH_OK)
        return GH_ERR;
    for (i = 0; i < n; ++i)
        if (gh_db_exec(c, "DELETE FROM IDN_OAUTH2_RESOURCE_SCOPE WHERE SCOPE_ID = ?", GH_DB_ARGS(GH_DB_I(ids[i])), NULL,
                       err) != GH_OK ||
            gh_db_exec(c, "DELETE FROM IDN_OAUTH2_SCOPE_BINDING WHERE SCOPE_ID = ?", GH_DB_ARGS(GH_DB_I(ids[i])), NULL,
                       err) != GH_OK ||
            gh_db_exec(c, "DELETE FROM IDN_OAUTH2_SCOPE WHERE SCOPE_ID = ?", GH_DB_ARGS(GH_DB_I(ids[i])), NULL, err) !=
                GH_OK)
            return GH_ERR;
    return GH_OK;
}

static int insert_scope(gh_db_conn_t *c, const gh_portal_api_t *a, const gh_portal_scope_t *sc, int64_t *id,
                        gh_err_t *err)
{
    const char *p = sc->roles, *e;
    int rc;

    rc = gh_db_query_int(c, "SELECT SCOPE_ID FROM IDN_OAUTH2_SCOPE WHERE NAME = ? AND TENANT_ID = ?",
                         GH_DB_ARGS(GH_DB_T(sc->key), GH_DB_I(GH_PORTAL_TENANT)), id, err);
    if (rc < 0)
        return GH_ERR;
    if (rc == 1)
        return gh_err_set(err, GH_E_CONFLICT, "scope '%s' is already defined (by another API or the REST APIs)", sc->key);
    if (gh_db_exec(c, "INSERT INTO IDN_OAUTH2_SCOPE (NAME, DISPLAY_NAME, DESCRIPTION, TENANT_ID) VALUES (?, ?, ?, ?)",
                   GH_DB_ARGS(GH_DB_T(sc->key), GH_DB_T(sc->name), GH_DB_T(sc->description),
                              GH_DB_I(GH_PORTAL_TENANT)),
                   NULL, err) != GH_OK ||
        gh_db_query_int(c, "SELECT SCOPE_ID FROM IDN_OAUTH2_SCOPE WHERE NAME = ? AND TENANT_ID = ?",
                        GH_DB_ARGS(GH_DB_T(sc->key), GH_DB_I(GH_PORTAL_TENANT)), id, err) != 1)
        return GH_ERR;
    while (p != NULL && *p) {
        char role[256];
        size_t len;
        while (*p == ' ' || *p == ',')
            p++;
        e = strchr(p, ',');
        len = e != NULL ? (size_t)(e - p) : strlen(p);
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (len > 0 && len < sizeof(role)) {
            memcpy(role, p, len);
            role[len] = '\0';
            if (gh_db_exec(c, "INSERT INTO IDN_OAUTH2_SCOPE_BINDING (SCOPE_ID, SCOPE_BINDING) VALUES (?, ?)",
                           GH_DB_ARGS(GH_DB_I(*id), GH_DB_T(role)), NULL, err) != GH_OK)
                return GH_ERR;
        }
        p = e != NULL ? e + 1 : NULL;
    }
    return gh_db_exec(c, "INSERT INTO AM_API_SCOPES (API_ID, SCOPE_ID) VALUES (?, ?)",
                      GH_DB_ARGS(GH_DB_I(a->id), GH_DB_I(*id)), NULL, err);
}

int gh_portal_api_write_resources(gh_db_conn_t *c, const gh_portal_api_t *a, gh_err_t *err)
{
    int64_t ids[GH_PORTAL_MAX_SCOPES];
    size_t i, k;

    if (delete_scopes(c, a->id, err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM AM_API_URL_MAPPING WHERE API_ID = ?", GH_DB_ARGS(GH_DB_I(a->id)), NULL, err) != GH_OK)
        return GH_ERR;
    for (i = 0; i < a->nscopes; ++i)
        if (insert_scope(c, a, &a->scopes[i], &ids[i], err) != GH_OK)
            return GH_ERR;
    for (i = 0; i < a->nres; ++i) {
        const gh_portal_res_t *r = &a->res[i];
        if (gh_db_exec(c,
                       "INSERT INTO AM_API_URL_MAPPING (API_ID, HTTP_METHOD, AUTH_SCHEME, URL_PATTERN, THROTTLING_TIER) "
                       "VALUES (?, ?, ?, ?, ?)",
                       GH_DB_ARGS(GH_DB_I(a->id), GH_DB_T(r->verb), GH_DB_T(r->auth_scheme), GH_DB_T(r->target),
                                  tn(r->throttling)),
                       NULL, err) != GH_OK)
            return GH_ERR;
        for (k = 0; r->scope != NULL && k < a->nscopes; ++k) {
            char path[1200];
            if (strcmp(a->scopes[k].key, r->scope) != 0)
                continue;
            snprintf(path, sizeof(path), "%s/%s%s:%s", a->context, a->version, r->target, r->verb);
            if (strlen(path) > 255)
                return gh_err_set(err, GH_E_INPUT, "resource path %s is longer than 255 characters", path);
            if (gh_db_exec(c, "INSERT INTO IDN_OAUTH2_RESOURCE_SCOPE (RESOURCE_PATH, SCOPE_ID, TENANT_ID) VALUES (?, ?, ?)",
                           GH_DB_ARGS(GH_DB_T(path), GH_DB_I(ids[k]), GH_DB_I(GH_PORTAL_TENANT)), NULL, err) != GH_OK)
                return GH_ERR;
        }
    }
    return GH_OK;
}

/* AM_API_DEFAULT_VERSION and the flag on the other versions: one default version per name and provider */
static int write_default(gh_db_conn_t *c, const gh_portal_api_t *a, gh_err_t *err)
{
    int published = a->status != NULL && strcmp(a->status, "PUBLISHED") == 0;

    if (!a->is_default)
        return gh_db_exec(c,
                          "DELETE FROM AM_API_DEFAULT_VERSION WHERE API_NAME = ? AND API_PROVIDER = ? AND "
                          "DEFAULT_API_VERSION = ?",
                          GH_DB_ARGS(GH_DB_T(a->name), GH_DB_T(a->provider), GH_DB_T(a->version)), NULL, err);
    if (gh_db_exec(c,
                   "UPDATE GH_API SET IS_DEFAULT_VERSION = 0 WHERE API_ID <> ? AND API_ID IN (SELECT API_ID FROM AM_API "
                   "WHERE API_NAME = ? AND API_PROVIDER = ?)",
                   GH_DB_ARGS(GH_DB_I(a->id), GH_DB_T(a->name), GH_DB_T(a->provider)), NULL, err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM AM_API_DEFAULT_VERSION WHERE API_NAME = ? AND API_PROVIDER = ?",
                   GH_DB_ARGS(GH_DB_T(a->name), GH_DB_T(a->provider)), NULL, err) != GH_OK)
        return GH_ERR;
    return gh_db_exec(c,
                      "INSERT INTO AM_API_DEFAULT_VERSION (API_NAME, API_PROVIDER, DEFAULT_API_VERSION, "
                      "PUBLISHED_DEFAULT_API_VERSION) VALUES (?, ?, ?, ?)",
                      GH_DB_ARGS(GH_DB_T(a->name), GH_DB_T(a->provider), GH_DB_T(a->version),
                                 published ? GH_DB_T(a->version) : GH_DB_NUL),
                      NULL, err);
}

int gh_portal_api_insert(gh_db_conn_t *c, gh_portal_api_t *a, const char *user, gh_err_t *err)
{
    char ctx[600], tmpl[600];
    int64_t now = gh_portal_now_ms();

    snprintf(ctx, sizeof(ctx), "%s/%s", a->context, a->version);
    snprintf(tmpl, sizeof(tmpl), "%s/{version}", a->context);
    gh_portal_uuid(a->uuid);
    a->revision = 1;
    a->created_ms = a->updated_ms = now;
    if (gh_db_exec(c,
                   "INSERT INTO AM_API (API_PROVIDER, API_NAME, API_VERSION, CONTEXT, CONTEXT_TEMPLATE, API_TIER, "
                   "CREATED_BY, CREATED_TIME, UPDATED_BY, UPDATED_TIME) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   GH_DB_ARGS(GH_DB_T(a->provider), GH_DB_T(a->name), GH_DB_T(a->version), GH_DB_T(ctx), GH_DB_T(tmpl),
                              tn(a->api_tier), GH_DB_T(user), GH_DB_TS(now), GH_DB_T(user), GH_DB_TS(now)),
                   NULL, err) != GH_OK ||
        gh_db_query_int(c, "SELECT API_ID FROM AM_API WHERE API_PROVIDER = ? AND API_NAME = ? AND API_VERSION = ?",
                        GH_DB_ARGS(GH_DB_T(a->provider), GH_DB_T(a->name), GH_DB_T(a->version)), &a->id, err) != 1)
        return GH_ERR;
    if (gh_db_exec(c,
                   "INSERT INTO GH_API (API_ID, UUID, STATUS, DESCRIPTION, VISIBILITY, VISIBLE_ROLES, TAGS, TRANSPORTS, "
                   "TIERS, IS_DEFAULT_VERSION, PRODUCTION_URL, SANDBOX_URL, ENDPOINT_CONFIG, CORS_CONFIG, "
                   "API_DEFINITION, REVISION) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                   GH_DB_ARGS(GH_DB_I(a->id), GH_DB_T(a->uuid), GH_DB_T(a->status), tn(a->description),
                              GH_DB_T(a->visibility), tn(a->visible_roles), tn(a->tags), GH_DB_T(a->transports),
                              GH_DB_T(a->tiers), GH_DB_I(a->is_default), tn(a->production_url), tn(a->sandbox_url),
                              tn(a->endpoint_config), tn(a->cors), tn(a->definition)),
                   NULL, err) != GH_OK)
        return GH_ERR;
    if (gh_db_exec(c,
                   "INSERT INTO AM_API_LC_EVENT (API_ID, PREVIOUS_STATE, NEW_STATE, USER_ID, TENANT_ID, EVENT_DATE) "
                   "VALUES (?, NULL, ?, ?, ?, ?)",
                   GH_DB_ARGS(GH_DB_I(a->id), GH_DB_T(a->status), GH_DB_T(user), GH_DB_I(GH_PORTAL_TENANT),
                              GH_DB_TS(now)),
                   NULL, err) != GH_OK)
        return GH_ERR;
    return gh_portal_api_write_resources(c, a, err) == GH_OK ? write_default(c, a, err) : GH_ERR;
}

int gh_portal_api_update(gh_db_conn_t *c, gh_portal_api_t *a, const char *user, gh_err_t *err)
{
    int64_t now = gh_portal_now_ms(), n = 0;

    if (gh_db_exec(c,
                   "UPDATE GH_API SET DESCRIPTION = ?, VISIBILITY = ?, VISIBLE_ROLES = ?, TAGS = ?, TRANSPORTS = ?, "
                   "TIERS = ?, IS_DEFAULT_VERSION = ?, PRODUCTION_URL = ?, SANDBOX_URL = ?, ENDPOINT_CONFIG = ?, "
                   "CORS_CONFIG = ?, API_DEFINITION = ?, REVISION = REVISION + 1 WHERE API_ID = ? AND REVISION = ?",
                   GH_DB_ARGS(tn(a->description), GH_DB_T(a->visibility), tn(a->visible_roles), tn(a->tags),
                              GH_DB_T(a->transports), GH_DB_T(a->tiers), GH_DB_I(a->is_default), tn(a->production_url),
                              tn(a->sandbox_url), tn(a->endpoint_config), tn(a->cors), tn(a->definition),
                              GH_DB_I(a->id), GH_DB_I(a->revision)),
                   &n, err) != GH_OK)
        return GH_ERR;
    if (n == 0)
        return gh_err_set(err, GH_E_CONFLICT, "the API changed meanwhile");
    a->revision++;
    a->updated_ms = now;
    if (gh_db_exec(c, "UPDATE AM_API SET API_TIER = ?, UPDATED_BY = ?, UPDATED_TIME = ? WHERE API_ID = ?",
                   GH_DB_ARGS(tn(a->api_tier), GH_DB_T(user), GH_DB_TS(now), GH_DB_I(a->id)), NULL, err) != GH_OK)
        return GH_ERR;
    return gh_portal_api_write_resources(c, a, err) == GH_OK ? write_default(c, a, err) : GH_ERR;
}

int gh_portal_api_delete(gh_db_conn_t *c, const gh_portal_api_t *a, gh_err_t *err)
{
    if (delete_scopes(c, a->id, err) != GH_OK)
        return GH_ERR;
    if (gh_db_exec(c, "DELETE FROM AM_API_URL_MAPPING WHERE API_ID = ?", GH_DB_ARGS(GH_DB_I(a->id)), NULL, err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM AM_API_LC_EVENT WHERE API_ID = ?", GH_DB_ARGS(GH_DB_I(a->id)), NULL, err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM AM_API_RATINGS WHERE API_ID = ?", GH_DB_ARGS(GH_DB_I(a->id)), NULL, err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM AM_API_COMMENTS WHERE API_ID = ?", GH_DB_ARGS(GH_DB_I(a->id)), NULL, err) != GH_OK ||
        gh_db_exec(c,
                   "DELETE FROM AM_API_DEFAULT_VERSION WHERE API_NAME = ? AND API_PROVIDER = ? AND DEFAULT_API_VERSION = ?",
                   GH_DB_ARGS(GH_DB_T(a->name), GH_DB_T(a->provider), GH_DB_T(a->version)), NULL, err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM GH_API WHERE API_ID = ?", GH_DB_ARGS(GH_DB_I(a->id)), NULL, err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM AM_API WHERE API_ID = ?", GH_DB_ARGS(GH_DB_I(a->id)), NULL, err) != GH_OK)
        return GH_ERR;
    return GH_OK;
}

int gh_portal_api_set_status(gh_db_conn_t *c, gh_portal_api_t *a, const char *status, const char *user, gh_err_t *err)
{
    int64_t n = 0, now = gh_portal_now_ms();
    char uid[51];

    /* the guard on the old status and revision makes two concurrent transitions serialise: one wins */
    if (gh_db_exec(c, "UPDATE GH_API SET STATUS = ?, REVISION = REVISION + 1 WHERE API_ID = ? AND STATUS = ? AND REVISION = ?",
                   GH_DB_ARGS(GH_DB_T(status), GH_DB_I(a->id), GH_DB_T(a->status), GH_DB_I(a->revision)), &n,
                   err) != GH_OK)
        return GH_ERR;
    if (n == 0)
        return gh_err_set(err, GH_E_CONFLICT, "the API changed meanwhile");
    snprintf(uid, sizeof(uid), "%s", user); /* USER_ID is VARCHAR(50) */
    if (gh_db_exec(c,
                   "INSERT INTO AM_API_LC_EVENT (API_ID, PREVIOUS_STATE, NEW_STATE, USER_ID, TENANT_ID, EVENT_DATE) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   GH_DB_ARGS(GH_DB_I(a->id), GH_DB_T(a->status), GH_DB_T(status), GH_DB_T(uid),
                              GH_DB_I(GH_PORTAL_TENANT), GH_DB_TS(now)),
                   NULL, err) != GH_OK ||
        gh_db_exec(c, "UPDATE AM_API SET UPDATED_BY = ?, UPDATED_TIME = ? WHERE API_ID = ?",
                   GH_DB_ARGS(GH_DB_T(user), GH_DB_TS(now), GH_DB_I(a->id)), NULL, err) != GH_OK)
        return GH_ERR;
    free(a->status);
    a->status = gh_strdup(status);
    a->revision++;
    return a->is_default ? write_default(c, a, err) : GH_OK;
}

int gh_portal_api_visible(const gh_portal_job_t *j, const gh_portal_api_t *a)
{
    const char *v = a->visibility ? a->visibility : "PUBLIC";

    if (j->caller.is_admin || strcmp(v, "PUBLIC") == 0)
        return 1;
    if (j->caller.kind == GH_CALLER_NONE)
        return 0;
    if (strcmp(v, "RESTRICTED") == 0)
        return a->visible_roles != NULL && gh_portal_roles_meet(j->roles, a->visible_roles);
    return 1; /* PRIVATE (and CONTROLLED): every signed-in user of the tenant */
}

/* %term% for LIKE with '!' as the escape character (the same clause on the three databases) */
static char *like(const char *v, int prefix, int suffix)
{
    size_t n = strlen(v), o = 0, i;
    char *out = gh_malloc(2 * n + 3);

    if (prefix)
        out[o++] = '%';
    for (i = 0; i < n; ++i) {
        char ch = v[i];
        if (ch == '%' || ch == '_' || ch == '!')
            out[o++] = '!';
        out[o++] = (char)((ch >= 'A' && ch <= 'Z') ? ch + 32 : ch);
    }
    if (suffix)
        out[o++] = '%';
    out[o] = '\0';
    return out;
}

#define MAX_ARGS 64

typedef struct {
    char sql[4096];
    size_t len;
    gh_db_value_t args[MAX_ARGS];
    char *owned[MAX_ARGS];
    size_t n, nowned;
} qb_t;

static void qb_add(qb_t *q, const char *s)
{
    q->len += (size_t)snprintf(q->sql + q->len, sizeof(q->sql) - q->len, "%s", s);
}

static void qb_like(qb_t *q, const char *col, const char *v, int prefix, int suffix)
{
    char *l;

    if (v == NULL || v[0] == '\0' || q->n >= MAX_ARGS - 4)
        return;
    l = like(v, prefix, suffix);
    q->owned[q->nowned++] = l;
    q->args[q->n++] = GH_DB_T(l);
    q->len += (size_t)snprintf(q->sql + q->len, sizeof(q->sql) - q->len, " AND LOWER(%s) LIKE ? ESCAPE '!'", col);
}

/* count: only GH_API is needed when no AM_API column is searched (10x cheaper than the join on 10,000 APIs).
 * SQLite's CROSS JOIN keeps AM_API first, so the page is read in IDX_GH_API_NAME order and the scan stops after
 * offset + limit rows instead of sorting every match (its planner otherwise starts from the STATUS index). */
static void where(qb_t *q, const gh_portal_search_t *s, int count, int sqlite)
{
    const gh_portal_query_t *f = s->q;
    int need_a = !count || f->name[0] || f->context[0] || f->version[0] || f->provider[0];

    if (!need_a)
        qb_add(q, " FROM GH_API g WHERE 1 = 1");
    else if (sqlite)
        qb_add(q, " FROM AM_API a CROSS JOIN GH_API g ON g.API_ID = a.API_ID WHERE 1 = 1");
    else
        qb_add(q, " FROM AM_API a JOIN GH_API g ON g.API_ID = a.API_ID WHERE 1 = 1");
    qb_like(q, "a.API_NAME", f->name, 1, 1);
    qb_like(q, "a.CONTEXT", f->context, 1, 1);
    qb_like(q, "a.API_VERSION", f->version, 1, 1);
    qb_like(q, "a.API_PROVIDER", f->provider, 1, 1);
    qb_like(q, "g.DESCRIPTION", f->description, 1, 1);
    qb_like(q, "g.TAGS", f->tag, 1, 1);
    if (f->status[0]) {
        qb_add(q, " AND g.STATUS = ?");
        q->args[q->n++] = GH_DB_T(f->status);
    }
    if (!s->store)
        return;
    qb_add(q, " AND g.STATUS IN ('PUBLISHED', 'PROTOTYPED')");
    if (s->admin)
        return;
    qb_add(q, " AND (g.VISIBILITY = 'PUBLIC'");
    if (!s->anonymous) {
        const char *p = s->roles;
        qb_add(q, " OR g.VISIBILITY = 'PRIVATE' OR g.VISIBILITY = 'CONTROLLED'");
        /* RESTRICTED: one of the caller's roles is in VISIBLE_ROLES (a comma list) */
        while (p != NULL && *p && q->n < MAX_ARGS - 8) {
            const char *e = strchr(p, ',');
            size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
            char role[256];
            static const int forms[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
            int k;
            if (len > 0 && len < sizeof(role)) {
                memcpy(role, p, len);
                role[len] = '\0';
                for (k = 0; k < 4; ++k) {
                    char *core = like(role, 0, 0);
                    char *l = gh_asprintf("%s%s%s", forms[k][0] ? "%," : "", core, forms[k][1] ? ",%" : "");
                    free(core);
                    q->owned[q->nowned++] = l;
                    q->args[q->n++] = GH_DB_T(l);
                    qb_add(q, " OR (g.VISIBILITY = 'RESTRICTED' AND LOWER(g.VISIBLE_ROLES) LIKE ? ESCAPE '!')");
                }
            }
            p = e != NULL ? e + 1 : NULL;
        }
    }
    qb_add(q, ")");
}

int gh_portal_api_search(gh_db_conn_t *c, const gh_portal_search_t *s, json_t *list, int64_t *total, gh_err_t *err)
{
    qb_t q;
    gh_db_stmt_t *st;
    size_t i, base;
    int rc = GH_ERR, r, sqlite = strcmp(gh_db_dialect(c), "sqlite") == 0;

    memset(&q, 0, sizeof(q));
    qb_add(&q, "SELECT COUNT(*)");
    where(&q, s, 1, sqlite);
    if (gh_db_query_int(c, q.sql, q.args, q.n, total, err) != 1)
        goto out;
    if (*total <= s->offset) {
        rc = GH_OK;
        goto out;
    }
    base = q.n;
    q.len = 0;
    for (i = 0; i < q.nowned; ++i)
        free(q.owned[i]);
    q.nowned = 0;
    q.n = 0;
    qb_add(&q, "SELECT g.UUID, a.API_NAME, g.DESCRIPTION, a.CONTEXT, a.API_VERSION, a.API_PROVIDER, g.STATUS");
    where(&q, s, 0, sqlite);
    (void)base;
    qb_add(&q, " ORDER BY a.API_NAME, a.API_VERSION, a.API_ID LIMIT ? OFFSET ?");
    q.args[q.n++] = GH_DB_I(s->limit);
    q.args[q.n++] = GH_DB_I(s->offset);
    if (gh_db_prepare(c, q.sql, &st, err) != GH_OK || gh_db_execute(st, q.args, q.n, err) != GH_OK)
        goto out;
    while ((r = gh_db_next(st, err)) == 1) {
        const char *f[7];
        for (i = 0; i < 7; ++i)
            f[i] = gh_db_col_text(st, i, NULL);
        json_array_append_new(list, json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:n}", "id", f[0], "name", f[1],
                                              "description", f[2], "context", f[3], "version", f[4], "provider", f[5],
                                              "status", f[6], "thumbnailUri"));
    }
    gh_db_reset(st);
    rc = r < 0 ? GH_ERR : GH_OK;
out:
    for (i = 0; i < q.nowned; ++i)
        free(q.owned[i]);
    return rc;
}
