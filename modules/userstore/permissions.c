/* JDBC authorization manager: role permissions in UM_PERMISSION / UM_ROLE_PERMISSION with WSO2's tree
 * semantics: a grant on /permission/admin covers every resource below it. The most specific entry that
 * concerns one of the user's roles decides; an explicit deny (UM_IS_ALLOWED=0) below a grant wins. */
#include <stdlib.h>
#include <string.h>
#include "us_int.h"
#include "gatehouse/mem.h"

#define MAX_DEPTH 32

/* role name + domain of the role as UM_ROLE_PERMISSION stores it */
static const char *role_domain(const char *role, const char **bare)
{
    return gh_us_role_split(role, bare) ? "INTERNAL" : "PRIMARY";
}

static int permission_id(gh_db_conn_t *c, const char *resource, const char *action, int create, int64_t *id,
                         gh_err_t *err)
{
    int rc = gh_db_query_int(c,
                             "SELECT UM_ID FROM UM_PERMISSION WHERE UM_RESOURCE_ID=? AND UM_ACTION=? AND UM_TENANT_ID=?",
                             GH_DB_ARGS(GH_DB_T(resource), GH_DB_T(action), GH_DB_I(US_TENANT)), id, err);

    if (rc != 0 || !create)
        return rc;
    if (gh_db_exec(c, "INSERT INTO UM_PERMISSION (UM_RESOURCE_ID, UM_ACTION, UM_TENANT_ID) VALUES (?, ?, ?)",
                   GH_DB_ARGS(GH_DB_T(resource), GH_DB_T(action), GH_DB_I(US_TENANT)), NULL, err) != GH_OK)
        return GH_ERR;
    return permission_id(c, resource, action, 0, id, err);
}

int gh_us_grant_c(gh_us_t *us, gh_db_conn_t *c, const char *role, const char *resource, const char *action,
                  gh_err_t *err)
{
    const char *bare, *dname = role_domain(role, &bare);
    int64_t pid = 0, dom = 0, n = 0;

    (void)us;
    if (permission_id(c, resource, action, 1, &pid, err) != 1)
        return GH_ERR;
    if (gh_us_domain_id(c, dname, &dom, err) != 1)
        return gh_err_set(err, GH_E_CONFIG, "the user store is not initialised (no %s domain): run the bootstrap",
                          dname);
    if (gh_db_query_int(c,
                        "SELECT COUNT(*) FROM UM_ROLE_PERMISSION WHERE UM_PERMISSION_ID=? AND UM_ROLE_NAME=? AND "
                        "UM_DOMAIN_ID=? AND UM_TENANT_ID=?",
                        GH_DB_ARGS(GH_DB_I(pid), GH_DB_T(bare), GH_DB_I(dom), GH_DB_I(US_TENANT)), &n, err) < 0)
        return GH_ERR;
    if (n > 0)
        return gh_db_exec(c,
                          "UPDATE UM_ROLE_PERMISSION SET UM_IS_ALLOWED=1 WHERE UM_PERMISSION_ID=? AND UM_ROLE_NAME=? "
                          "AND UM_DOMAIN_ID=? AND UM_TENANT_ID=?",
                          GH_DB_ARGS(GH_DB_I(pid), GH_DB_T(bare), GH_DB_I(dom), GH_DB_I(US_TENANT)), NULL, err);
    return gh_db_exec(c,
                      "INSERT INTO UM_ROLE_PERMISSION (UM_PERMISSION_ID, UM_ROLE_NAME, UM_IS_ALLOWED, UM_TENANT_ID, "
                      "UM_DOMAIN_ID) VALUES (?, ?, 1, ?, ?)",
                      GH_DB_ARGS(GH_DB_I(pid), GH_DB_T(bare), GH_DB_I(US_TENANT), GH_DB_I(dom)), NULL, err);
}

static int check_resource(const char *resource, const char *action, gh_err_t *err)
{
    if (resource == NULL || resource[0] != '/' || strlen(resource) > 255)
        return gh_err_set(err, GH_E_INPUT, "a permission resource is a path starting with '/', e.g. /permission/admin/login");
    if (action == NULL || *action == '\0')
        return gh_err_set(err, GH_E_INPUT, "a permission action is required (WSO2 uses ui.execute)");
    return GH_OK;
}

int gh_us_jdbc_grant(gh_us_t *us, const char *role, const char *resource, const char *action, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;

    if (check_resource(resource, action, err) != GH_OK || gh_us_begin(us, &c, err) != GH_OK)
        return GH_ERR;
    return gh_us_finish(c, gh_us_grant_c(us, c, role, resource, action, err), err);
}

int gh_us_jdbc_revoke(gh_us_t *us, const char *role, const char *resource, const char *action, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    const char *bare, *dname = role_domain(role, &bare);
    int64_t pid = 0, dom = 0;
    int rc;

    if (check_resource(resource, action, err) != GH_OK || gh_us_begin(us, &c, err) != GH_OK)
        return GH_ERR;
    if ((rc = permission_id(c, resource, action, 0, &pid, err)) == 1 && (rc = gh_us_domain_id(c, dname, &dom, err)) == 1)
        rc = gh_db_exec(c,
                        "DELETE FROM UM_ROLE_PERMISSION WHERE UM_PERMISSION_ID=? AND UM_ROLE_NAME=? AND UM_DOMAIN_ID=? "
                        "AND UM_TENANT_ID=?",
                        GH_DB_ARGS(GH_DB_I(pid), GH_DB_T(bare), GH_DB_I(dom), GH_DB_I(US_TENANT)), NULL, err);
    return gh_us_finish(c, rc < 0 ? GH_ERR : GH_OK, err);
}

/* the decision at one node: 1 allow, 0 deny, -2 no entry for the user's roles, GH_ERR */
static int decide_node(gh_db_conn_t *c, const char *node, const char *action, const gh_us_strlist_t *roles,
                       gh_err_t *err)
{
    gh_db_stmt_t *st;
    const char *name, *dom;
    char *full;
    int rc, verdict = -2, mine;

    if (gh_db_prepare(c,
                      "SELECT rp.UM_ROLE_NAME, d.UM_DOMAIN_NAME, rp.UM_IS_ALLOWED FROM UM_PERMISSION p, "
                      "UM_ROLE_PERMISSION rp, UM_DOMAIN d WHERE p.UM_RESOURCE_ID=? AND p.UM_ACTION=? AND "
                      "p.UM_TENANT_ID=? AND rp.UM_PERMISSION_ID=p.UM_ID AND rp.UM_TENANT_ID=? AND "
                      "d.UM_DOMAIN_ID=rp.UM_DOMAIN_ID AND d.UM_TENANT_ID=rp.UM_TENANT_ID",
                      &st, err) != GH_OK ||
        gh_db_execute(st, GH_DB_ARGS(GH_DB_T(node), GH_DB_T(action), GH_DB_I(US_TENANT), GH_DB_I(US_TENANT)),
                      err) != GH_OK)
        return GH_ERR;
    while ((rc = gh_db_next(st, err)) == 1) {
        name = gh_db_col_text(st, 0, NULL);
        dom = gh_db_col_text(st, 1, NULL);
        if (name == NULL || dom == NULL)
            continue;
        full = strcmp(dom, "INTERNAL") == 0 ? gh_asprintf(GH_US_INTERNAL_PREFIX "%s", name) : gh_strdup(name);
        mine = gh_us_strlist_contains(roles, full);
        free(full);
        if (!mine)
            continue;
        if (gh_db_col_int(st, 2) == 0)
            verdict = 0;
        else if (verdict != 0)
            verdict = 1;
    }
    gh_db_reset(st);
    return rc < 0 ? GH_ERR : verdict;
}

int gh_us_jdbc_authorize(gh_us_t *us, const char *user, const char *resource, const char *action, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    gh_us_strlist_t roles = {0};
    char *node = NULL, *slash;
    int64_t uid = 0;
    int rc = GH_ERR, depth = 0;

    if (check_resource(resource, action, err) != GH_OK || gh_db_borrow(us->pool, &c, err) != GH_OK)
        return GH_ERR;
    /* unknown users are simply not authorized */
    if ((rc = gh_us_find_user(us, c, user, &uid, NULL, err)) != 1 ||
        (rc = gh_us_roles_of(us, c, user, &roles, err)) != GH_OK)
        goto out;
    node = gh_strdup(resource);
    while (strlen(node) > 1 && node[strlen(node) - 1] == '/')
        node[strlen(node) - 1] = '\0';
    /* walk from the resource up to the root; the deepest node with an entry for one of the roles decides */
    for (rc = 0; depth++ < MAX_DEPTH;) {
        int v = decide_node(c, node, action, &roles, err);
        if (v != -2) {
            rc = v;
            break;
        }
        if ((slash = strrchr(node, '/')) == NULL || slash == node)
            break;
        *slash = '\0';
    }
out:
    free(node);
    gh_us_strlist_dispose(&roles);
    gh_db_return(c);
    return rc;
}

int gh_us_jdbc_role_permissions(gh_us_t *us, const char *role, gh_us_strlist_t *resources, gh_us_strlist_t *actions,
                                gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    gh_db_stmt_t *st;
    const char *bare, *dname = role_domain(role, &bare);
    int rc;

    (void)us;
    if (gh_db_borrow(us->pool, &c, err) != GH_OK)
        return GH_ERR;
    if (gh_db_prepare(c,
                      "SELECT p.UM_RESOURCE_ID, p.UM_ACTION FROM UM_ROLE_PERMISSION rp, UM_PERMISSION p, UM_DOMAIN d "
                      "WHERE rp.UM_ROLE_NAME=? AND rp.UM_TENANT_ID=? AND rp.UM_IS_ALLOWED=1 AND d.UM_DOMAIN_ID="
                      "rp.UM_DOMAIN_ID AND d.UM_TENANT_ID=rp.UM_TENANT_ID AND d.UM_DOMAIN_NAME=? AND "
                      "p.UM_ID=rp.UM_PERMISSION_ID ORDER BY p.UM_RESOURCE_ID",
                      &st, err) != GH_OK ||
        gh_db_execute(st, GH_DB_ARGS(GH_DB_T(bare), GH_DB_I(US_TENANT), GH_DB_T(dname)), err) != GH_OK) {
        gh_db_return(c);
        return GH_ERR;
    }
    while ((rc = gh_db_next(st, err)) == 1) {
        const char *r = gh_db_col_text(st, 0, NULL), *a = gh_db_col_text(st, 1, NULL);
        if (r == NULL || a == NULL)
            continue;
        gh_us_strlist_push(resources, r);
        gh_us_strlist_push(actions, a);
    }
    gh_db_reset(st);
    gh_db_return(c);
    return rc < 0 ? GH_ERR : GH_OK;
}
