/* JDBC user store: reading role lists (all roles, a user's roles, a role's users). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "us_int.h"
#include "gatehouse/mem.h"

int gh_us_jdbc_list_roles(gh_us_t *us, const char *pattern, gh_us_strlist_t *out, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    const char *p = pattern != NULL && *pattern != '\0' ? pattern : "*", *bare;
    char *like = NULL, *hlike = NULL;
    int rc = GH_ERR, hybrid_only = gh_us_role_split(p, &bare);

    if (gh_db_borrow(us->pool, &c, err) != GH_OK)
        return GH_ERR;
    if (!hybrid_only) {
        like = gh_us_like("", p, "", 1);
        if (gh_us_collect(c,
                          "SELECT UM_ROLE_NAME FROM UM_ROLE WHERE UM_ROLE_NAME LIKE ? ESCAPE '!' AND UM_TENANT_ID=? "
                          "ORDER BY UM_ROLE_NAME",
                          GH_DB_ARGS(GH_DB_T(like), GH_DB_I(US_TENANT)), NULL, out, err) != GH_OK)
            goto out;
    }
    /* hybrid roles match "Internal/<pattern>", or any pattern that starts with a wildcard */
    if (hybrid_only || p[0] == '*') {
        hlike = gh_us_like("", hybrid_only ? bare : p, "", 1);
        if (gh_us_collect(c,
                          "SELECT UM_ROLE_NAME FROM UM_HYBRID_ROLE WHERE UM_ROLE_NAME LIKE ? ESCAPE '!' AND "
                          "UM_TENANT_ID=? ORDER BY UM_ROLE_NAME",
                          GH_DB_ARGS(GH_DB_T(hlike), GH_DB_I(US_TENANT)), GH_US_INTERNAL_PREFIX, out, err) != GH_OK)
            goto out;
    }
    rc = GH_OK;
out:
    free(like);
    free(hlike);
    gh_db_return(c);
    return rc;
}

int gh_us_jdbc_user_roles(gh_us_t *us, const char *user, gh_us_strlist_t *out, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int rc;

    if (gh_db_borrow(us->pool, &c, err) != GH_OK)
        return GH_ERR;
    rc = gh_us_roles_of(us, c, user, out, err);
    gh_db_return(c);
    return rc;
}

int gh_us_jdbc_role_users(gh_us_t *us, const char *role, gh_us_strlist_t *out, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    const char *bare;
    int hybrid = gh_us_role_split(role, &bare), rc = GH_ERR, found;
    int64_t rid = 0;

    if (gh_db_borrow(us->pool, &c, err) != GH_OK)
        return GH_ERR;
    if (hybrid && strcmp(bare, us->s.everyone_role) == 0) {
        rc = gh_us_collect(c, "SELECT UM_USER_NAME FROM UM_USER WHERE UM_TENANT_ID=? ORDER BY UM_USER_NAME",
                           GH_DB_ARGS(GH_DB_I(US_TENANT)), NULL, out, err);
        goto out;
    }
    found = gh_db_query_int(c,
                            hybrid ? "SELECT UM_ID FROM UM_HYBRID_ROLE WHERE UM_ROLE_NAME=? AND UM_TENANT_ID=?"
                                   : "SELECT UM_ID FROM UM_ROLE WHERE UM_ROLE_NAME=? AND UM_TENANT_ID=?",
                            GH_DB_ARGS(GH_DB_T(bare), GH_DB_I(US_TENANT)), &rid, err);
    if (found == 0)
        gh_err_set(err, GH_E_NOTFOUND, "role '%s' does not exist", role);
    if (found != 1)
        goto out;
    if (hybrid)
        rc = gh_us_collect(c,
                           "SELECT UM_USER_NAME FROM UM_HYBRID_USER_ROLE WHERE UM_ROLE_ID=? AND UM_TENANT_ID=? "
                           "ORDER BY UM_USER_NAME",
                           GH_DB_ARGS(GH_DB_I(rid), GH_DB_I(US_TENANT)), NULL, out, err);
    else
        rc = gh_us_collect(c,
                           "SELECT u.UM_USER_NAME FROM UM_USER_ROLE ur, UM_USER u WHERE ur.UM_ROLE_ID=? AND "
                           "ur.UM_TENANT_ID=? AND u.UM_ID=ur.UM_USER_ID AND u.UM_TENANT_ID=? ORDER BY u.UM_USER_NAME",
                           GH_DB_ARGS(GH_DB_I(rid), GH_DB_I(US_TENANT), GH_DB_I(US_TENANT)), NULL, out, err);
out:
    gh_db_return(c);
    return rc;
}
