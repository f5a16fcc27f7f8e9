/* The user store handle: picks the implementation named by user-mgt.xml from the registry and forwards. */
#include <stdlib.h>
#include <string.h>
#include "us_int.h"
#include "gatehouse/conf.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/registry.h"

const gh_us_ops_t gh_us_jdbc_ops = {
    .version = 2,
    .bootstrap = gh_us_jdbc_bootstrap,
    .authenticate = gh_us_jdbc_authenticate,
    .add_user = gh_us_jdbc_add_user,
    .update_password = gh_us_jdbc_update_password,
    .delete_user = gh_us_jdbc_delete_user,
    .get_user = gh_us_jdbc_get_user,
    .search_users = gh_us_jdbc_search_users,
    .user_exists = gh_us_jdbc_user_exists,
    .add_role = gh_us_jdbc_add_role,
    .delete_role = gh_us_jdbc_delete_role,
    .rename_role = gh_us_jdbc_rename_role,
    .update_role_users = gh_us_jdbc_update_role_users,
    .list_roles = gh_us_jdbc_list_roles,
    .user_roles = gh_us_jdbc_user_roles,
    .role_users = gh_us_jdbc_role_users,
    .authorize = gh_us_jdbc_authorize,
    .grant = gh_us_jdbc_grant,
    .revoke = gh_us_jdbc_revoke,
    .get_claims = gh_us_jdbc_get_claims,
    .set_claims = gh_us_jdbc_set_claims,
    .unlock_user = gh_us_jdbc_unlock_user,
    .authenticate_ex = gh_us_jdbc_authenticate_ex,
    .role_permissions = gh_us_jdbc_role_permissions,
};

static const char *const jdbc_classes[] = {"org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager",
                                           "org.wso2.carbon.user.core.jdbc.UniqueIDJDBCUserStoreManager", NULL};
static const char *const authz_classes[] = {"org.wso2.carbon.user.core.authorization.JDBCAuthorizationManager", NULL};
static const char *const tenant_classes[] = {"org.wso2.carbon.user.core.tenant.JDBCTenantManager", NULL};

/* The authorization and tenant managers ride on the JDBC store's ops: they exist so the classes named in
 * user-mgt.xml resolve (and --check-config can say so); permissions are served by gh_us_authorize. */
static const gh_plugin_t plugins[] = {
    {GH_FAMILY_USERSTORE, "jdbc", jdbc_classes, &gh_us_jdbc_ops},
    {GH_FAMILY_AUTHZ_MANAGER, "jdbc", authz_classes, &gh_us_jdbc_ops},
    {GH_FAMILY_TENANT_MANAGER, "jdbc", tenant_classes, &gh_us_jdbc_ops},
};

void gh_us_register_builtin(void)
{
    size_t i;

    for (i = 0; i < GH_ARRAY_SIZE(plugins); ++i)
        if (gh_registry_find(plugins[i].family, plugins[i].name, NULL) == NULL)
            (void)gh_registry_add(&plugins[i], NULL);
}

gh_us_t *gh_us_create(const gh_conf_user_mgt_t *um, gh_db_pool_t *pool, gh_err_t *err)
{
    const gh_plugin_t *p;
    gh_us_t *us;
    const char *cls = um->usm_class != NULL ? um->usm_class : "jdbc";

    gh_us_register_builtin();
    if ((p = gh_registry_find(GH_FAMILY_USERSTORE, cls, err)) == NULL)
        return NULL;
    if (um->authz_class != NULL && gh_registry_find(GH_FAMILY_AUTHZ_MANAGER, um->authz_class, err) == NULL)
        return NULL;
    if (pool == NULL) {
        gh_err_set(err, GH_E_CONFIG, "user-mgt.xml: the user store has no datasource (set the realm property dataSource)");
        return NULL;
    }
    us = gh_calloc(1, sizeof(*us));
    us->ops = p->ops;
    us->pool = pool;
    if (gh_us_settings_init(&us->s, um, err) != GH_OK) {
        free(us);
        return NULL;
    }
    us->authcache = gh_us_authcache_new();
    us->throttle = gh_us_throttle_new();
    return us;
}

void gh_us_destroy(gh_us_t *us)
{
    if (us == NULL)
        return;
    gh_us_settings_dispose(&us->s);
    gh_us_authcache_free(us->authcache);
    gh_us_throttle_free(us->throttle);
    free(us);
}

int gh_us_bootstrap(gh_us_t *us, gh_err_t *err)
{
    return us->ops->bootstrap != NULL ? us->ops->bootstrap(us, err) : GH_OK;
}

gh_us_auth_t gh_us_authenticate(gh_us_t *us, const char *user, const char *password, gh_err_t *err)
{
    return us->ops->authenticate(us, user, password, err);
}

gh_us_auth_t gh_us_authenticate_from(gh_us_t *us, const char *user, const char *password, const char *peer,
                                     gh_err_t *err)
{
    const gh_us_settings_t *s = &us->s;
    gh_us_auth_t res;
    int soft;

    if (peer == NULL || *peer == '\0' || s->throttle_addr <= 0 || user == NULL)
        return gh_us_authenticate(us, user, password, err);
    if (gh_us_throttle_count(us->throttle, peer, NULL, s->throttle_window_min) >= s->throttle_addr) {
        gh_log(GH_LOG_WARN, "userstore", "login refused from %s: too many failed logins from this address", peer);
        gh_err_set(err, GH_E_AUTH, "too many failed logins from this address; try again later");
        return GH_US_AUTH_THROTTLED;
    }
    /* past its share of one user's failures, an address still may log in, but its wrong guesses no longer count
     * toward the account's lock-out: locking someone out takes more than one anonymous client */
    soft = s->throttle_addr_user > 0 &&
           gh_us_throttle_count(us->throttle, peer, user, s->throttle_window_min) >= s->throttle_addr_user;
    if (soft && us->ops->version >= 2 && us->ops->authenticate_ex != NULL)
        res = us->ops->authenticate_ex(us, user, password, 0, err);
    else if (soft)
        res = GH_US_AUTH_BAD_CREDENTIALS;
    else
        res = gh_us_authenticate(us, user, password, err);
    if (res == GH_US_AUTH_BAD_CREDENTIALS) {
        gh_us_throttle_fail(us->throttle, peer, NULL, s->throttle_window_min);
        gh_us_throttle_fail(us->throttle, peer, user, s->throttle_window_min);
        if (soft) {
            gh_log(GH_LOG_WARN, "userstore", "login failed for '%s' from %s: not counted toward the lock-out, too "
                   "many failures from this address", user, peer);
            gh_err_set(err, GH_E_AUTH, "too many failed logins for this user from this address; try again later");
            res = GH_US_AUTH_THROTTLED;
        }
    }
    return res;
}

int gh_us_role_covered(gh_us_t *us, const char *caller, const char *role, gh_err_t *err)
{
    gh_us_strlist_t res = {0}, act = {0};
    size_t i;
    int rc = 1;

    if (us->ops->version < 2 || us->ops->role_permissions == NULL)
        return gh_us_authorize(us, caller, "/permission", US_ACTION_UI, err); /* unknown: administrators only */
    if (us->ops->role_permissions(us, role, &res, &act, err) != GH_OK)
        rc = GH_ERR;
    for (i = 0; rc == 1 && i < res.n; ++i)
        rc = gh_us_authorize(us, caller, res.items[i], act.items[i], err);
    gh_us_strlist_dispose(&res);
    gh_us_strlist_dispose(&act);
    return rc;
}

int gh_us_user_covered(gh_us_t *us, const char *caller, const char *user, gh_err_t *err)
{
    gh_us_strlist_t roles = {0};
    size_t i;
    int rc;

    if ((rc = gh_us_user_roles(us, user, &roles, err)) != GH_OK) {
        gh_us_strlist_dispose(&roles);
        return err->code == GH_E_NOTFOUND ? 1 : GH_ERR;
    }
    for (i = 0, rc = 1; rc == 1 && i < roles.n; ++i)
        rc = gh_us_role_covered(us, caller, roles.items[i], err);
    gh_us_strlist_dispose(&roles);
    return rc;
}

int gh_us_add_user(gh_us_t *us, const char *user, const char *password, const gh_us_claim_t *claims,
                   size_t n_claims, const char *const *roles, size_t n_roles, gh_err_t *err)
{
    return us->ops->add_user(us, user, password, claims, n_claims, roles, n_roles, err);
}

int gh_us_update_password(gh_us_t *us, const char *user, const char *password, gh_err_t *err)
{
    return us->ops->update_password(us, user, password, err);
}

int gh_us_delete_user(gh_us_t *us, const char *user, gh_err_t *err)
{
    return us->ops->delete_user(us, user, err);
}

int gh_us_get_user(gh_us_t *us, const char *name, gh_us_user_t *out, gh_err_t *err)
{
    return us->ops->get_user(us, name, 0, out, err);
}

int gh_us_get_user_by_id(gh_us_t *us, const char *id, gh_us_user_t *out, gh_err_t *err)
{
    return us->ops->get_user(us, id, 1, out, err);
}

int gh_us_search_users(gh_us_t *us, const gh_us_query_t *q, gh_us_strlist_t *names, size_t *total,
                       gh_err_t *err)
{
    return us->ops->search_users(us, q, names, total, err);
}

int gh_us_user_exists(gh_us_t *us, const char *user, gh_err_t *err)
{
    return us->ops->user_exists(us, user, err);
}

int gh_us_add_role(gh_us_t *us, const char *role, gh_err_t *err)
{
    return us->ops->add_role(us, role, err);
}

int gh_us_delete_role(gh_us_t *us, const char *role, gh_err_t *err)
{
    return us->ops->delete_role(us, role, err);
}

int gh_us_rename_role(gh_us_t *us, const char *role, const char *new_name, gh_err_t *err)
{
    return us->ops->rename_role(us, role, new_name, err);
}

int gh_us_update_role_users(gh_us_t *us, const char *role, const char *const *add, size_t n_add,
                            const char *const *del, size_t n_del, gh_err_t *err)
{
    return us->ops->update_role_users(us, role, add, n_add, del, n_del, err);
}

int gh_us_list_roles(gh_us_t *us, const char *pattern, gh_us_strlist_t *out, gh_err_t *err)
{
    return us->ops->list_roles(us, pattern, out, err);
}

int gh_us_user_roles(gh_us_t *us, const char *user, gh_us_strlist_t *out, gh_err_t *err)
{
    return us->ops->user_roles(us, user, out, err);
}

int gh_us_role_users(gh_us_t *us, const char *role, gh_us_strlist_t *out, gh_err_t *err)
{
    return us->ops->role_users(us, role, out, err);
}

int gh_us_authorize(gh_us_t *us, const char *user, const char *resource, const char *action, gh_err_t *err)
{
    return us->ops->authorize(us, user, resource, action, err);
}

int gh_us_grant(gh_us_t *us, const char *role, const char *resource, const char *action, gh_err_t *err)
{
    return us->ops->grant(us, role, resource, action, err);
}

int gh_us_revoke(gh_us_t *us, const char *role, const char *resource, const char *action, gh_err_t *err)
{
    return us->ops->revoke(us, role, resource, action, err);
}

int gh_us_get_claims(gh_us_t *us, const char *user, gh_us_strlist_t *uris, gh_us_strlist_t *values,
                     gh_err_t *err)
{
    return us->ops->get_claims(us, user, uris, values, err);
}

int gh_us_set_claims(gh_us_t *us, const char *user, const gh_us_claim_t *claims, size_t n, gh_err_t *err)
{
    return us->ops->set_claims(us, user, claims, n, err);
}

int gh_us_unlock_user(gh_us_t *us, const char *user, gh_err_t *err)
{
    return us->ops->unlock_user(us, user, err);
}
