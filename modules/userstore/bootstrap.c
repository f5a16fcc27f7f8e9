/* First start of a realm, as Carbon + API Manager do it: domains, the admin role and user, the hybrid roles
 * and the API Manager permission tree. Idempotent: every row is inserted only when absent, and the admin
 * password from user-mgt.xml is used only to create the user, never to overwrite it. */
#include <stdlib.h>
#include <string.h>
#include "us_int.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"

static const char *const domains[] = {"PRIMARY", "INTERNAL", "APPLICATION"};
static const char *const hybrid_roles[] = {"subscriber", "publisher", "creator"};

/* APIConstants$Permissions of carbon-apimgt 6.4.50 and the identity admin tree the portals check */
static const char *const tree[] = {
    "/permission",
    "/permission/admin",
    "/permission/admin/login",
    "/permission/admin/manage",
    "/permission/admin/manage/api",
    "/permission/admin/manage/api/create",
    "/permission/admin/manage/api/publish",
    "/permission/admin/manage/api/subscribe",
    "/permission/admin/manage/apim_admin",
    "/permission/admin/manage/manage_tiers",
    "/permission/admin/manage/workflowadmin",
    "/permission/admin/manage/identity",
    "/permission/admin/manage/identity/usermgt",
    "/permission/admin/manage/identity/usermgt/create",
    "/permission/admin/manage/identity/usermgt/delete",
    "/permission/admin/manage/identity/usermgt/list",
    "/permission/admin/manage/identity/usermgt/update",
    "/permission/admin/manage/identity/usermgt/view",
    "/permission/admin/manage/identity/rolemgt",
    "/permission/admin/manage/identity/rolemgt/create",
    "/permission/admin/manage/identity/rolemgt/delete",
    "/permission/admin/manage/identity/rolemgt/update",
    "/permission/admin/manage/identity/rolemgt/view",
    "/permission/admin/manage/identity/applicationmgt",
    "/permission/admin/manage/identity/applicationmgt/view",
};

static const struct {
    const char *role, *resource;
} grants[] = {
    {"Internal/subscriber", "/permission/admin/login"},
    {"Internal/subscriber", "/permission/admin/manage/api/subscribe"},
    {"Internal/creator", "/permission/admin/login"},
    {"Internal/creator", "/permission/admin/manage/api/create"},
    {"Internal/publisher", "/permission/admin/login"},
    {"Internal/publisher", "/permission/admin/manage/api/publish"},
};

static int ensure_domains(gh_db_conn_t *c, gh_err_t *err)
{
    int64_t id;
    size_t i;
    int rc;

    for (i = 0; i < GH_ARRAY_SIZE(domains); ++i) {
        if ((rc = gh_us_domain_id(c, domains[i], &id, err)) < 0)
            return GH_ERR;
        if (rc == 0 && gh_db_exec(c, "INSERT INTO UM_DOMAIN (UM_DOMAIN_NAME, UM_TENANT_ID) VALUES (?, ?)",
                                  GH_DB_ARGS(GH_DB_T(domains[i]), GH_DB_I(US_TENANT)), NULL, err) != GH_OK)
            return GH_ERR;
    }
    return GH_OK;
}

static int ensure_permissions(gh_db_conn_t *c, gh_err_t *err)
{
    int64_t id;
    size_t i;
    int rc;

    for (i = 0; i < GH_ARRAY_SIZE(tree); ++i) {
        rc = gh_db_query_int(c, "SELECT UM_ID FROM UM_PERMISSION WHERE UM_RESOURCE_ID=? AND UM_ACTION=? AND UM_TENANT_ID=?",
                             GH_DB_ARGS(GH_DB_T(tree[i]), GH_DB_T(US_ACTION_UI), GH_DB_I(US_TENANT)), &id, err);
        if (rc < 0)
            return GH_ERR;
        if (rc == 0 &&
            gh_db_exec(c, "INSERT INTO UM_PERMISSION (UM_RESOURCE_ID, UM_ACTION, UM_TENANT_ID) VALUES (?, ?, ?)",
                       GH_DB_ARGS(GH_DB_T(tree[i]), GH_DB_T(US_ACTION_UI), GH_DB_I(US_TENANT)), NULL, err) != GH_OK)
            return GH_ERR;
    }
    return GH_OK;
}

static int ensure_roles(gh_us_t *us, gh_db_conn_t *c, gh_err_t *err)
{
    char *name;
    size_t i;
    int created, rc;

    if (gh_us_role_ensure(us, c, us->s.admin_role, &created, err) != GH_OK ||
        gh_us_grant_c(us, c, us->s.admin_role, "/permission", US_ACTION_UI, err) != GH_OK)
        return GH_ERR;
    name = gh_asprintf(GH_US_INTERNAL_PREFIX "%s", us->s.everyone_role);
    rc = gh_us_role_ensure(us, c, name, &created, err);
    free(name);
    for (i = 0; rc == GH_OK && i < GH_ARRAY_SIZE(hybrid_roles); ++i) {
        name = gh_asprintf(GH_US_INTERNAL_PREFIX "%s", hybrid_roles[i]);
        rc = gh_us_role_ensure(us, c, name, &created, err);
        free(name);
    }
    for (i = 0; rc == GH_OK && i < GH_ARRAY_SIZE(grants); ++i)
        rc = gh_us_grant_c(us, c, grants[i].role, grants[i].resource, US_ACTION_UI, err);
    return rc;
}

static int ensure_admin(gh_us_t *us, gh_db_conn_t *c, int *created, gh_err_t *err)
{
    int64_t uid;
    int rc;

    *created = 0;
    if (!us->s.add_admin)
        return GH_OK;
    if ((rc = gh_us_find_user(us, c, us->s.admin_user, &uid, NULL, err)) < 0)
        return GH_ERR;
    /* the conf password only seeds the account: one changed through the API must survive a restart */
    if (rc == 0) {
        if (gh_us_insert_user(us, c, us->s.admin_user, us->s.admin_password, &uid, err) != GH_OK)
            return GH_ERR;
        *created = 1;
    }
    return gh_us_role_member(us, c, us->s.admin_role, us->s.admin_user, 1, err);
}

int gh_us_jdbc_bootstrap(gh_us_t *us, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int rc = GH_ERR, created = 0;

    if (gh_us_begin(us, &c, err) != GH_OK)
        return GH_ERR;
    if (ensure_domains(c, err) == GH_OK && ensure_permissions(c, err) == GH_OK && ensure_roles(us, c, err) == GH_OK &&
        ensure_admin(us, c, &created, err) == GH_OK)
        rc = GH_OK;
    rc = gh_us_finish(c, rc, err);
    if (rc == GH_OK && created)
        gh_log(GH_LOG_NOTICE, "userstore", "created admin user '%s' in role '%s'", us->s.admin_user,
               us->s.admin_role);
    return rc;
}
