/* IDN_OAUTH2_SCOPE + IDN_OAUTH2_SCOPE_BINDING: scopes bound to roles (API Manager's ScopesIssuer). A requested
 * scope is granted when the user holds one of its roles; a scope without bindings passes through. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "km_int.h"

/* tenant-conf.json RESTAPIScopes of API Manager 2.6 */
static const struct {
    const char *name;
    const char *roles[4];
} seed[] = {
    {"apim:api_view", {"admin", "Internal/publisher", "Internal/creator", NULL}},
    {"apim:api_create", {"admin", "Internal/creator", NULL}},
    {"apim:api_publish", {"admin", "Internal/publisher", NULL}},
    {"apim:tier_view", {"admin", "Internal/publisher", "Internal/creator", NULL}},
    {"apim:tier_manage", {"admin", NULL}},
    {"apim:bl_view", {"admin", NULL}},
    {"apim:bl_manage", {"admin", NULL}},
    {"apim:subscription_view", {"admin", "Internal/creator", NULL}},
    {"apim:subscription_block", {"admin", "Internal/publisher", NULL}},
    {"apim:subscribe", {"admin", "Internal/subscriber", NULL}},
    {"apim:mediation_policy_view", {"admin", NULL}},
    {"apim:mediation_policy_create", {"admin", NULL}},
    {"apim:api_workflow", {"admin", NULL}},
    {"apim:app_owner_change", {"admin", NULL}},
    {"apim:app_import_export", {"admin", NULL}},
    {"apim:label_manage", {"admin", NULL}},
    {"apim:label_read", {"admin", NULL}},
};

static int seed_one(gh_db_conn_t *c, size_t k, gh_err_t *err)
{
    int64_t id = 0;
    size_t i;
    int rc;

    rc = gh_db_query_int(c, "SELECT SCOPE_ID FROM IDN_OAUTH2_SCOPE WHERE NAME = ? AND TENANT_ID = ?",
                         GH_DB_ARGS(GH_DB_T(seed[k].name), GH_DB_I(GH_KM_TENANT)), &id, err);
    if (rc != 0)
        return rc == 1 ? GH_OK : GH_ERR; /* present: an administrator's later changes are kept */
    if (gh_db_exec(c, "INSERT INTO IDN_OAUTH2_SCOPE (NAME, DISPLAY_NAME, DESCRIPTION, TENANT_ID) VALUES (?, ?, ?, ?)",
                   GH_DB_ARGS(GH_DB_T(seed[k].name), GH_DB_T(seed[k].name), GH_DB_T("API Manager REST API scope"),
                              GH_DB_I(GH_KM_TENANT)),
                   NULL, err) != GH_OK ||
        gh_db_query_int(c, "SELECT SCOPE_ID FROM IDN_OAUTH2_SCOPE WHERE NAME = ? AND TENANT_ID = ?",
                        GH_DB_ARGS(GH_DB_T(seed[k].name), GH_DB_I(GH_KM_TENANT)), &id, err) != 1)
        return GH_ERR;
    for (i = 0; seed[k].roles[i] != NULL; ++i)
        if (gh_db_exec(c, "INSERT INTO IDN_OAUTH2_SCOPE_BINDING (SCOPE_ID, SCOPE_BINDING) VALUES (?, ?)",
                       GH_DB_ARGS(GH_DB_I(id), GH_DB_T(seed[k].roles[i])), NULL, err) != GH_OK)
            return GH_ERR;
    return GH_OK;
}

int gh_km_scopes_seed(gh_km_t *km, gh_db_conn_t *c, gh_err_t *err)
{
    size_t k;

    (void)km;
    if (gh_db_begin(c, err) != GH_OK)
        return GH_ERR;
    for (k = 0; k < GH_ARRAY_SIZE(seed); ++k)
        if (seed_one(c, k, err) != GH_OK) {
            gh_db_rollback(c, NULL);
            return GH_ERR;
        }
    return gh_db_commit(c, err);
}

/* 1 bound (roles appended to *bound), 0 unbound, -1 error */
static int bindings(gh_db_conn_t *c, const char *scope, gh_us_strlist_t *bound, gh_err_t *err)
{
    gh_db_stmt_t *s;
    int rc, any = 0;

    if (gh_db_prepare(c,
                      "SELECT b.SCOPE_BINDING FROM IDN_OAUTH2_SCOPE s JOIN IDN_OAUTH2_SCOPE_BINDING b ON b.SCOPE_ID = "
                      "s.SCOPE_ID WHERE s.NAME = ? AND s.TENANT_ID = ?",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(scope), GH_DB_I(GH_KM_TENANT)), err) != GH_OK)
        return -1;
    while ((rc = gh_db_next(s, err)) == 1) {
        const char *r = gh_db_col_text(s, 0, NULL);
        any = 1;
        if (r != NULL)
            gh_us_strlist_push(bound, r);
    }
    gh_db_reset(s);
    return rc < 0 ? -1 : any;
}

static int holds_any(const gh_us_strlist_t *have, const gh_us_strlist_t *want)
{
    size_t i, k;

    for (i = 0; i < want->n; ++i)
        for (k = 0; k < have->n; ++k)
            if (strcasecmp(want->items[i], have->items[k]) == 0)
                return 1;
    return 0;
}

int gh_km_scopes_filter(gh_km_t *km, gh_db_conn_t *c, const char *user, gh_km_scopes_t *sc, gh_err_t *err)
{
    gh_us_strlist_t roles = {0};
    int have_roles = 0, rc = GH_OK;
    size_t i = 0;

    while (i < sc->n) {
        gh_us_strlist_t bound = {0};
        int b;
        if (strcmp(sc->items[i], "openid") == 0 || strncmp(sc->items[i], "device_", 7) == 0) {
            i++;
            continue;
        }
        if ((b = bindings(c, sc->items[i], &bound, err)) < 0) {
            rc = GH_ERR;
            gh_us_strlist_dispose(&bound);
            break;
        }
        if (b == 1 && !have_roles) {
            if (km->us == NULL || gh_us_user_roles(km->us, user, &roles, err) != GH_OK) {
                /* an unknown user (deleted owner) holds no role */
                gh_us_strlist_dispose(&roles);
                gh_err_clear(err);
            }
            have_roles = 1;
        }
        if (b == 1 && !holds_any(&roles, &bound))
            gh_km_scopes_remove(sc, i);
        else
            i++;
        gh_us_strlist_dispose(&bound);
    }
    gh_us_strlist_dispose(&roles);
    return rc;
}
