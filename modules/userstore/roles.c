/* JDBC user store: primary roles (UM_ROLE, UM_USER_ROLE) and hybrid "Internal/" roles (UM_HYBRID_ROLE,
 * UM_HYBRID_USER_ROLE, stored without the prefix, members by user name in the PRIMARY domain). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "us_int.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"

#define PREFIX_LEN (sizeof(GH_US_INTERNAL_PREFIX) - 1)

int gh_us_role_split(const char *role, const char **bare)
{
    if (strncasecmp(role, GH_US_INTERNAL_PREFIX, PREFIX_LEN) == 0) {
        *bare = role + PREFIX_LEN;
        return 1;
    }
    *bare = role;
    return 0;
}

static int is_everyone(const gh_us_t *us, const char *role)
{
    const char *bare;

    return gh_us_role_split(role, &bare) && strcmp(bare, us->s.everyone_role) == 0;
}

/* 1 found (*id), 0 absent, GH_ERR */
static int role_id(gh_db_conn_t *c, const char *role, int64_t *id, gh_err_t *err)
{
    const char *bare;
    int hybrid = gh_us_role_split(role, &bare);

    return gh_db_query_int(c,
                           hybrid ? "SELECT UM_ID FROM UM_HYBRID_ROLE WHERE UM_ROLE_NAME=? AND UM_TENANT_ID=?"
                                  : "SELECT UM_ID FROM UM_ROLE WHERE UM_ROLE_NAME=? AND UM_TENANT_ID=?",
                           GH_DB_ARGS(GH_DB_T(bare), GH_DB_I(US_TENANT)), id, err);
}

static int need_role(gh_db_conn_t *c, const char *role, int64_t *id, gh_err_t *err)
{
    int rc = role_id(c, role, id, err);

    if (rc == 0)
        return gh_err_set(err, GH_E_NOTFOUND, "role '%s' does not exist", role);
    return rc == 1 ? GH_OK : GH_ERR;
}

static int check_role_name(const gh_us_t *us, const char *role, gh_err_t *err)
{
    const char *bare;

    if (role == NULL || *role == '\0')
        return gh_err_set(err, GH_E_INPUT, "a role name is required");
    gh_us_role_split(role, &bare);
    if (*bare == '\0' || strchr(bare, '/') != NULL)
        return gh_err_set(err, GH_E_INPUT, "role name '%s' is not valid", role);
    if (!gh_us_pattern_match(&us->s.role_re, bare))
        return gh_err_set(err, GH_E_INPUT, "%s", us->s.role_re.msg);
    return GH_OK;
}

int gh_us_role_ensure(gh_us_t *us, gh_db_conn_t *c, const char *role, int *created, gh_err_t *err)
{
    const char *bare;
    int64_t id;
    int rc, hybrid = gh_us_role_split(role, &bare);

    *created = 0;
    if ((rc = role_id(c, role, &id, err)) != 0)
        return rc == 1 ? GH_OK : GH_ERR;
    (void)us;
    if (gh_db_exec(c,
                   hybrid ? "INSERT INTO UM_HYBRID_ROLE (UM_ROLE_NAME, UM_TENANT_ID) VALUES (?, ?)"
                          : "INSERT INTO UM_ROLE (UM_ROLE_NAME, UM_TENANT_ID) VALUES (?, ?)",
                   GH_DB_ARGS(GH_DB_T(bare), GH_DB_I(US_TENANT)), NULL, err) != GH_OK)
        return GH_ERR;
    *created = 1;
    return GH_OK;
}

static int primary_member(gh_db_conn_t *c, int64_t rid, int64_t uid, int add, gh_err_t *err)
{
    int64_t n = 0;

    if (!add)
        return gh_db_exec(c, "DELETE FROM UM_USER_ROLE WHERE UM_USER_ID=? AND UM_ROLE_ID=? AND UM_TENANT_ID=?",
                          GH_DB_ARGS(GH_DB_I(uid), GH_DB_I(rid), GH_DB_I(US_TENANT)), NULL, err);
    if (gh_db_query_int(c, "SELECT COUNT(*) FROM UM_USER_ROLE WHERE UM_USER_ID=? AND UM_ROLE_ID=? AND UM_TENANT_ID=?",
                        GH_DB_ARGS(GH_DB_I(uid), GH_DB_I(rid), GH_DB_I(US_TENANT)), &n, err) < 0)
        return GH_ERR;
    if (n > 0)
        return GH_OK;
    return gh_db_exec(c, "INSERT INTO UM_USER_ROLE (UM_USER_ID, UM_ROLE_ID, UM_TENANT_ID) VALUES (?, ?, ?)",
                      GH_DB_ARGS(GH_DB_I(uid), GH_DB_I(rid), GH_DB_I(US_TENANT)), NULL, err);
}

static int hybrid_member(gh_db_conn_t *c, int64_t rid, const char *name, int add, gh_err_t *err)
{
    int64_t n = 0, dom = 0;

    if (!add)
        return gh_db_exec(c, "DELETE FROM UM_HYBRID_USER_ROLE WHERE UM_USER_NAME=? AND UM_ROLE_ID=? AND UM_TENANT_ID=?",
                          GH_DB_ARGS(GH_DB_T(name), GH_DB_I(rid), GH_DB_I(US_TENANT)), NULL, err);
    if (gh_db_query_int(c,
                        "SELECT COUNT(*) FROM UM_HYBRID_USER_ROLE WHERE UM_USER_NAME=? AND UM_ROLE_ID=? AND "
                        "UM_TENANT_ID=?",
                        GH_DB_ARGS(GH_DB_T(name), GH_DB_I(rid), GH_DB_I(US_TENANT)), &n, err) < 0)
        return GH_ERR;
    if (n > 0)
        return GH_OK;
    if (gh_us_domain_id(c, "PRIMARY", &dom, err) != 1)
        return gh_err_set(err, GH_E_CONFIG, "the user store is not initialised (no PRIMARY domain): run the bootstrap");
    return gh_db_exec(c,
                      "INSERT INTO UM_HYBRID_USER_ROLE (UM_USER_NAME, UM_ROLE_ID, UM_TENANT_ID, UM_DOMAIN_ID) "
                      "VALUES (?, ?, ?, ?)",
                      GH_DB_ARGS(GH_DB_T(name), GH_DB_I(rid), GH_DB_I(US_TENANT), GH_DB_I(dom)), NULL, err);
}

int gh_us_role_member(gh_us_t *us, gh_db_conn_t *c, const char *role, const char *user, int add, gh_err_t *err)
{
    const char *bare;
    int64_t rid = 0, uid = 0;
    char *name = NULL;
    int rc = GH_ERR;

    if (is_everyone(us, role))
        return GH_OK; /* implicit for every user */
    if (need_role(c, role, &rid, err) != GH_OK || gh_us_need_user(us, c, user, &uid, &name, err) != GH_OK)
        goto out;
    rc = gh_us_role_split(role, &bare) ? hybrid_member(c, rid, name, add, err)
                                       : primary_member(c, rid, uid, add, err);
out:
    free(name);
    return rc;
}

int gh_us_roles_of(gh_us_t *us, gh_db_conn_t *c, const char *user, gh_us_strlist_t *out, gh_err_t *err)
{
    int64_t uid = 0;
    char *name = NULL, *everyone;
    int rc = GH_ERR;

    if (gh_us_need_user(us, c, user, &uid, &name, err) != GH_OK)
        goto out;
    if (gh_us_collect(c,
                      "SELECT r.UM_ROLE_NAME FROM UM_USER_ROLE ur, UM_ROLE r WHERE ur.UM_USER_ID=? AND "
                      "r.UM_ID=ur.UM_ROLE_ID AND ur.UM_TENANT_ID=? AND r.UM_TENANT_ID=? ORDER BY r.UM_ROLE_NAME",
                      GH_DB_ARGS(GH_DB_I(uid), GH_DB_I(US_TENANT), GH_DB_I(US_TENANT)), NULL, out, err) != GH_OK ||
        gh_us_collect(c,
                      "SELECT h.UM_ROLE_NAME FROM UM_HYBRID_USER_ROLE hu, UM_HYBRID_ROLE h WHERE hu.UM_USER_NAME=? "
                      "AND hu.UM_ROLE_ID=h.UM_ID AND hu.UM_TENANT_ID=? AND h.UM_TENANT_ID=? ORDER BY h.UM_ROLE_NAME",
                      GH_DB_ARGS(GH_DB_T(name), GH_DB_I(US_TENANT), GH_DB_I(US_TENANT)), GH_US_INTERNAL_PREFIX, out,
                      err) != GH_OK)
        goto out;
    everyone = gh_asprintf(GH_US_INTERNAL_PREFIX "%s", us->s.everyone_role);
    if (!gh_us_strlist_contains(out, everyone))
        gh_us_strlist_push(out, everyone);
    free(everyone);
    rc = GH_OK;
out:
    free(name);
    return rc;
}

int gh_us_jdbc_add_role(gh_us_t *us, const char *role, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int created = 0, rc;

    if (check_role_name(us, role, err) != GH_OK || gh_us_begin(us, &c, err) != GH_OK)
        return GH_ERR;
    rc = gh_us_role_ensure(us, c, role, &created, err);
    if (rc == GH_OK && !created)
        rc = gh_err_set(err, GH_E_CONFLICT, "role '%s' already exists", role);
    rc = gh_us_finish(c, rc, err);
    if (rc == GH_OK)
        gh_log(GH_LOG_NOTICE, "userstore", "role '%s' created", role);
    return rc;
}

static int protected_role(const gh_us_t *us, const char *role, gh_err_t *err)
{
    if (strcmp(role, us->s.admin_role) == 0 || is_everyone(us, role))
        return gh_err_set(err, GH_E_FORBIDDEN, "role '%s' is built in (user-mgt.xml) and cannot be changed", role);
    return GH_OK;
}

int gh_us_jdbc_delete_role(gh_us_t *us, const char *role, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    const char *bare;
    int hybrid = gh_us_role_split(role, &bare), rc = GH_ERR;
    int64_t rid = 0, dom = 0;

    if (protected_role(us, role, err) != GH_OK || gh_us_begin(us, &c, err) != GH_OK)
        return GH_ERR;
    if (need_role(c, role, &rid, err) != GH_OK || gh_us_domain_id(c, hybrid ? "INTERNAL" : "PRIMARY", &dom, err) < 0)
        goto out;
    if (gh_db_exec(c,
                   hybrid ? "DELETE FROM UM_HYBRID_USER_ROLE WHERE UM_ROLE_ID=? AND UM_TENANT_ID=?"
                          : "DELETE FROM UM_USER_ROLE WHERE UM_ROLE_ID=? AND UM_TENANT_ID=?",
                   GH_DB_ARGS(GH_DB_I(rid), GH_DB_I(US_TENANT)), NULL, err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM UM_ROLE_PERMISSION WHERE UM_ROLE_NAME=? AND UM_DOMAIN_ID=? AND UM_TENANT_ID=?",
                   GH_DB_ARGS(GH_DB_T(bare), GH_DB_I(dom), GH_DB_I(US_TENANT)), NULL, err) != GH_OK ||
        gh_db_exec(c,
                   hybrid ? "DELETE FROM UM_HYBRID_ROLE WHERE UM_ID=? AND UM_TENANT_ID=?"
                          : "DELETE FROM UM_ROLE WHERE UM_ID=? AND UM_TENANT_ID=?",
                   GH_DB_ARGS(GH_DB_I(rid), GH_DB_I(US_TENANT)), NULL, err) != GH_OK)
        goto out;
    rc = GH_OK;
out:
    rc = gh_us_finish(c, rc, err);
    if (rc == GH_OK)
        gh_log(GH_LOG_NOTICE, "userstore", "role '%s' deleted", role);
    return rc;
}

int gh_us_jdbc_rename_role(gh_us_t *us, const char *role, const char *new_name, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    const char *bare, *nbare;
    int hybrid = gh_us_role_split(role, &bare), rc = GH_ERR;
    int64_t rid = 0, other = 0, dom = 0;

    if (protected_role(us, role, err) != GH_OK || check_role_name(us, new_name, err) != GH_OK)
        return GH_ERR;
    if (gh_us_role_split(new_name, &nbare) != hybrid)
        return gh_err_set(err, GH_E_INPUT, "cannot rename '%s' to '%s': a role stays primary or Internal/", role,
                          new_name);
    if (gh_us_begin(us, &c, err) != GH_OK)
        return GH_ERR;
    if (need_role(c, role, &rid, err) != GH_OK || (rc = role_id(c, new_name, &other, err)) < 0)
        goto fail;
    if (rc == 1) {
        gh_err_set(err, GH_E_CONFLICT, "role '%s' already exists", new_name);
        goto fail;
    }
    if (gh_us_domain_id(c, hybrid ? "INTERNAL" : "PRIMARY", &dom, err) < 0 ||
        gh_db_exec(c,
                   hybrid ? "UPDATE UM_HYBRID_ROLE SET UM_ROLE_NAME=? WHERE UM_ID=? AND UM_TENANT_ID=?"
                          : "UPDATE UM_ROLE SET UM_ROLE_NAME=? WHERE UM_ID=? AND UM_TENANT_ID=?",
                   GH_DB_ARGS(GH_DB_T(nbare), GH_DB_I(rid), GH_DB_I(US_TENANT)), NULL, err) != GH_OK ||
        gh_db_exec(c,
                   "UPDATE UM_ROLE_PERMISSION SET UM_ROLE_NAME=? WHERE UM_ROLE_NAME=? AND UM_DOMAIN_ID=? AND "
                   "UM_TENANT_ID=?",
                   GH_DB_ARGS(GH_DB_T(nbare), GH_DB_T(bare), GH_DB_I(dom), GH_DB_I(US_TENANT)), NULL, err) != GH_OK)
        goto fail;
    return gh_us_finish(c, GH_OK, err);
fail:
    return gh_us_finish(c, GH_ERR, err);
}

/* 1 when the admin role still has a member; else GH_ERR with GH_E_CONFLICT (the change is rolled back) */
static int admin_count(gh_us_t *us, gh_db_conn_t *c, gh_err_t *err)
{
    const char *bare;
    int64_t rid = 0, n = 0;

    if (need_role(c, us->s.admin_role, &rid, err) != GH_OK)
        return GH_ERR;
    if (gh_db_query_int(c,
                        gh_us_role_split(us->s.admin_role, &bare)
                            ? "SELECT COUNT(*) FROM UM_HYBRID_USER_ROLE WHERE UM_ROLE_ID=? AND UM_TENANT_ID=?"
                            : "SELECT COUNT(*) FROM UM_USER_ROLE WHERE UM_ROLE_ID=? AND UM_TENANT_ID=?",
                        GH_DB_ARGS(GH_DB_I(rid), GH_DB_I(US_TENANT)), &n, err) < 0)
        return GH_ERR;
    if (n == 0)
        return gh_err_set(err, GH_E_CONFLICT, "the role '%s' must keep at least one member: the last administrator "
                          "cannot be removed", us->s.admin_role);
    return 1;
}

int gh_us_jdbc_update_role_users(gh_us_t *us, const char *role, const char *const *add, size_t n_add,
                                 const char *const *del, size_t n_del, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    size_t i;
    int rc = GH_ERR;

    if (gh_us_begin(us, &c, err) != GH_OK)
        return GH_ERR;
    for (i = 0; i < n_add; ++i)
        if (gh_us_role_member(us, c, role, add[i], 1, err) != GH_OK)
            goto out;
    for (i = 0; i < n_del; ++i)
        if (gh_us_role_member(us, c, role, del[i], 0, err) != GH_OK)
            goto out;
    if (n_del > 0 && strcmp(role, us->s.admin_role) == 0 && admin_count(us, c, err) != 1)
        goto out;
    rc = GH_OK;
out:
    return gh_us_finish(c, rc, err);
}
