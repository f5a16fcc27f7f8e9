/* JDBC user store: creating, re-keying and deleting users (UM_USER + UM_USER_ATTRIBUTE + role links). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "us_int.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"

int gh_us_check_name(const gh_us_t *us, const char *user, gh_err_t *err)
{
    const char *p;

    if (user == NULL || *user == '\0')
        return gh_err_set(err, GH_E_INPUT, "a user name is required");
    /* whatever UsernameJavaRegEx allows, a name never holds control characters: names reach logs and headers
     * (WSO2's AuthorizedUser) */
    for (p = user; *p != '\0'; ++p)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return gh_err_set(err, GH_E_INPUT, "a user name must not contain control characters");
    if (!gh_us_pattern_match(&us->s.user_re, user))
        return gh_err_set(err, GH_E_INPUT, "%s", us->s.user_re.msg);
    return GH_OK;
}

int gh_us_check_password(const gh_us_t *us, const char *password, gh_err_t *err)
{
    if (password == NULL || *password == '\0')
        return gh_err_set(err, GH_E_INPUT, "a password is required");
    if (!gh_us_pattern_match(&us->s.password_re, password))
        return gh_err_set(err, GH_E_INPUT, "%s", us->s.password_re.msg);
    return GH_OK;
}

int gh_us_store_password(gh_us_t *us, gh_db_conn_t *c, int64_t uid, const char *password, gh_err_t *err)
{
    char *hash = NULL, *salt = NULL;
    int rc;

    if (gh_us_pw_hash(&us->s.pw, password, &hash, &salt, err) != GH_OK)
        return GH_ERR;
    rc = gh_db_exec(c,
                    "UPDATE UM_USER SET UM_USER_PASSWORD=?, UM_SALT_VALUE=?, UM_CHANGED_TIME=? WHERE UM_ID=? AND "
                    "UM_TENANT_ID=?",
                    GH_DB_ARGS(GH_DB_T(hash), GH_DB_T(salt), GH_DB_TS(gh_us_now_ms()), GH_DB_I(uid),
                               GH_DB_I(US_TENANT)),
                    NULL, err);
    gh_free_secret(hash);
    free(salt);
    return rc;
}

int gh_us_insert_user(gh_us_t *us, gh_db_conn_t *c, const char *user, const char *password, int64_t *uid,
                      gh_err_t *err)
{
    char *hash = NULL, *salt = NULL, id[37], now[32];
    int64_t ms = gh_us_now_ms();
    int rc = GH_ERR;

    if ((rc = gh_us_find_user(us, c, user, uid, NULL, err)) != 0) {
        if (rc == 1)
            gh_err_set(err, GH_E_CONFLICT, "user '%s' already exists", user);
        return GH_ERR;
    }
    if (gh_us_pw_hash(&us->s.pw, password, &hash, &salt, err) != GH_OK)
        return GH_ERR;
    rc = gh_db_exec(c,
                    "INSERT INTO UM_USER (UM_USER_NAME, UM_USER_PASSWORD, UM_SALT_VALUE, UM_CHANGED_TIME, "
                    "UM_TENANT_ID) VALUES (?, ?, ?, ?, ?)",
                    GH_DB_ARGS(GH_DB_T(user), GH_DB_T(hash), GH_DB_T(salt), GH_DB_TS(ms), GH_DB_I(US_TENANT)),
                    NULL, err);
    gh_free_secret(hash);
    free(salt);
    if (rc != GH_OK) {
        if (err != NULL && err->code == GH_DB_E_UNIQUE)
            gh_err_set(err, GH_E_CONFLICT, "user '%s' already exists", user);
        return GH_ERR;
    }
    /* read the key back by name: portable where RETURNING is not (MariaDB) */
    if (gh_db_query_int(c, "SELECT UM_ID FROM UM_USER WHERE UM_USER_NAME=? AND UM_TENANT_ID=?",
                        GH_DB_ARGS(GH_DB_T(user), GH_DB_I(US_TENANT)), uid, err) != 1)
        return gh_err_set(err, GH_E_GENERIC, "user '%s' vanished right after its insert", user);
    gh_us_uuid(id);
    gh_us_iso_time(ms, now);
    if (gh_us_attr_set(c, *uid, "scimId", id, err) != GH_OK || gh_us_attr_set(c, *uid, "createdDate", now, err) != GH_OK ||
        gh_us_attr_set(c, *uid, "lastModifiedDate", now, err) != GH_OK)
        return GH_ERR;
    return GH_OK;
}

/* claims writable through the API: mapped, and not managed by the store itself */
static int check_claim(const gh_us_claim_t *cl, const char **attr, gh_err_t *err)
{
    if (cl->uri == NULL || (*attr = gh_us_claim_attr(cl->uri)) == NULL)
        return gh_err_set(err, GH_E_INPUT, "unknown claim '%s' (use a http://wso2.org/claims/ URI)",
                          cl->uri != NULL ? cl->uri : "(null)");
    if (strcmp(cl->uri, GH_US_CLAIM_USERID) == 0 || strcmp(cl->uri, GH_US_CLAIM_CREATED) == 0 ||
        strcmp(cl->uri, GH_US_CLAIM_MODIFIED) == 0 || strstr(cl->uri, "/identity/") != NULL)
        return gh_err_set(err, GH_E_INPUT, "claim '%s' is read-only", cl->uri);
    return GH_OK;
}

/* write claims for uid; shared by add_user and set_claims */
int gh_us_write_claims(gh_us_t *us, gh_db_conn_t *c, int64_t uid, const gh_us_claim_t *claims, size_t n,
                       gh_err_t *err)
{
    const char *attr = NULL;
    char now[32];
    size_t i;

    (void)us;
    if (gh_us_lock_user_row(c, uid, err) != GH_OK)
        return GH_ERR;
    for (i = 0; i < n; ++i) {
        if (check_claim(&claims[i], &attr, err) != GH_OK)
            return GH_ERR;
        if (gh_us_attr_set(c, uid, attr, claims[i].value != NULL && *claims[i].value ? claims[i].value : NULL,
                           err) != GH_OK)
            return GH_ERR;
    }
    gh_us_iso_time(gh_us_now_ms(), now);
    return gh_us_attr_set(c, uid, "lastModifiedDate", now, err);
}

int gh_us_jdbc_add_user(gh_us_t *us, const char *user, const char *password, const gh_us_claim_t *claims,
                        size_t n_claims, const char *const *roles, size_t n_roles, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int64_t uid = 0;
    int rc = GH_ERR;
    size_t i;

    if (gh_us_check_name(us, user, err) != GH_OK || gh_us_check_password(us, password, err) != GH_OK)
        return GH_ERR;
    if (gh_us_begin(us, &c, err) != GH_OK)
        return GH_ERR;
    if (gh_us_insert_user(us, c, user, password, &uid, err) != GH_OK ||
        gh_us_write_claims(us, c, uid, claims, n_claims, err) != GH_OK)
        goto out;
    for (i = 0; i < n_roles; ++i)
        if (gh_us_role_member(us, c, roles[i], user, 1, err) != GH_OK)
            goto out;
    rc = GH_OK;
out:
    rc = gh_us_finish(c, rc, err);
    if (rc == GH_OK)
        gh_log(GH_LOG_NOTICE, "userstore", "user '%s' created", user);
    return rc;
}

int gh_us_jdbc_update_password(gh_us_t *us, const char *user, const char *password, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int64_t uid = 0;
    int rc = GH_ERR;

    if (gh_us_check_password(us, password, err) != GH_OK || gh_us_begin(us, &c, err) != GH_OK)
        return GH_ERR;
    if (gh_us_need_user(us, c, user, &uid, NULL, err) == GH_OK && gh_us_store_password(us, c, uid, password, err) == GH_OK)
        rc = GH_OK;
    rc = gh_us_finish(c, rc, err);
    if (rc == GH_OK)
        gh_log(GH_LOG_NOTICE, "userstore", "password of user '%s' changed", user);
    return rc;
}

int gh_us_jdbc_delete_user(gh_us_t *us, const char *user, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int64_t uid = 0;
    char *name = NULL;
    int rc = GH_ERR;

    if (us->s.admin_user != NULL && strcasecmp(user, us->s.admin_user) == 0)
        return gh_err_set(err, GH_E_FORBIDDEN, "the admin user '%s' (user-mgt.xml AdminUser) cannot be deleted", user);
    if (gh_us_begin(us, &c, err) != GH_OK)
        return GH_ERR;
    if (gh_us_need_user(us, c, user, &uid, &name, err) != GH_OK)
        goto out;
    if ((rc = gh_us_last_admin(us, c, uid, 0, err)) != 0) {
        if (rc == 1)
            gh_err_set(err, GH_E_CONFLICT, "user '%s' is the last member of the role '%s' and cannot be deleted", name,
                       us->s.admin_role);
        rc = GH_ERR;
        goto out;
    }
    if (gh_db_exec(c, "DELETE FROM UM_USER_ROLE WHERE UM_USER_ID=? AND UM_TENANT_ID=?",
                   GH_DB_ARGS(GH_DB_I(uid), GH_DB_I(US_TENANT)), NULL, err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM UM_HYBRID_USER_ROLE WHERE UM_USER_NAME=? AND UM_TENANT_ID=?",
                   GH_DB_ARGS(GH_DB_T(name), GH_DB_I(US_TENANT)), NULL, err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM UM_USER_PERMISSION WHERE UM_USER_NAME=? AND UM_TENANT_ID=?",
                   GH_DB_ARGS(GH_DB_T(name), GH_DB_I(US_TENANT)), NULL, err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM UM_USER_ATTRIBUTE WHERE UM_USER_ID=? AND UM_TENANT_ID=?",
                   GH_DB_ARGS(GH_DB_I(uid), GH_DB_I(US_TENANT)), NULL, err) != GH_OK ||
        gh_db_exec(c, "DELETE FROM UM_USER WHERE UM_ID=? AND UM_TENANT_ID=?",
                   GH_DB_ARGS(GH_DB_I(uid), GH_DB_I(US_TENANT)), NULL, err) != GH_OK)
        goto out;
    rc = GH_OK;
out:
    rc = gh_us_finish(c, rc, err);
    if (rc == GH_OK)
        gh_log(GH_LOG_NOTICE, "userstore", "user '%s' deleted", name);
    free(name);
    return rc;
}
