/* JDBC user store: password authentication with constant cost for unknown users, lock-out and re-hashing. */
#include <stdlib.h>
#include <string.h>
#include "us_int.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"

#define SQL_AUTH_CI                                                                                            \
    "SELECT UM_ID, UM_USER_NAME, UM_USER_PASSWORD, UM_SALT_VALUE FROM UM_USER WHERE LOWER(UM_USER_NAME)=LOWER(?) " \
    "AND UM_TENANT_ID=? ORDER BY UM_ID"
#define SQL_AUTH_CS                                                                                            \
    "SELECT UM_ID, UM_USER_NAME, UM_USER_PASSWORD, UM_SALT_VALUE FROM UM_USER WHERE UM_USER_NAME=? AND "        \
    "UM_TENANT_ID=?"

typedef struct {
    int64_t uid;
    char *name, *hash, *salt;
} row_t;

static void row_dispose(row_t *r)
{
    free(r->name);
    gh_free_secret(r->hash);
    free(r->salt);
}

static int load(gh_us_t *us, gh_db_conn_t *c, const char *user, row_t *r, gh_err_t *err)
{
    gh_db_stmt_t *st;
    int rc;

    if (gh_db_prepare(c, us->s.case_insensitive ? SQL_AUTH_CI : SQL_AUTH_CS, &st, err) != GH_OK ||
        gh_db_execute(st, GH_DB_ARGS(GH_DB_T(user), GH_DB_I(US_TENANT)), err) != GH_OK)
        return GH_ERR;
    if ((rc = gh_db_next(st, err)) == 1) {
        r->uid = gh_db_col_int(st, 0);
        r->name = gh_strdup(gh_db_col_text(st, 1, NULL));
        r->hash = gh_strdup(gh_db_col_text(st, 2, NULL));
        r->salt = gh_strdup(gh_db_col_text(st, 3, NULL));
    }
    gh_db_reset(st);
    return rc;
}

/* record the outcome (counter, lock, new hash) in one transaction */
static int record(gh_us_t *us, gh_db_conn_t *c, const row_t *r, int ok, int rehash, const char *password,
                  int *now_locked, gh_err_t *err)
{
    int rc = GH_ERR;

    if (gh_db_begin(c, err) != GH_OK)
        return GH_ERR;
    /* parallel attempts on one account count one after the other: a burst of wrong passwords cannot slip past
     * MaxFailedLoginAttempts */
    if (gh_us_lock_user_row(c, r->uid, err) != GH_OK) {
        (void)gh_db_rollback(c, NULL);
        return GH_ERR;
    }
    if (ok)
        rc = gh_us_lock_reset(us, c, r->uid, err) == GH_OK &&
                     (!rehash || gh_us_store_password(us, c, r->uid, password, err) == GH_OK)
                 ? GH_OK
                 : GH_ERR;
    else
        rc = gh_us_lock_fail(us, c, r->uid, r->name, now_locked, err);
    if (rc == GH_OK)
        return gh_db_commit(c, err);
    (void)gh_db_rollback(c, NULL);
    return GH_ERR;
}

gh_us_auth_t gh_us_jdbc_authenticate(gh_us_t *us, const char *user, const char *password, gh_err_t *err)
{
    return gh_us_jdbc_authenticate_ex(us, user, password, 1, err);
}

gh_us_auth_t gh_us_jdbc_authenticate_ex(gh_us_t *us, const char *user, const char *password, int count_failure,
                                        gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    row_t r = {0};
    gh_us_auth_t res = GH_US_AUTH_ERROR;
    int found, locked, ok, rehash = 0, now_locked = 0;

    if (user == NULL || password == NULL || !gh_us_pattern_match(&us->s.user_re, user)) {
        gh_us_pw_dummy(&us->s.pw, password != NULL ? password : "");
        gh_log(GH_LOG_NOTICE, "userstore", "login failed: user name refused by UsernameJavaRegEx");
        gh_err_set(err, GH_E_AUTH, "invalid user name or password");
        return GH_US_AUTH_BAD_CREDENTIALS;
    }
    if (gh_db_borrow(us->pool, &c, err) != GH_OK)
        return GH_US_AUTH_ERROR;
    if ((found = load(us, c, user, &r, err)) < 0)
        goto out;
    if (found == 0 || r.hash == NULL) {
        gh_us_pw_dummy(&us->s.pw, password);
        gh_log(GH_LOG_NOTICE, "userstore", "login failed for '%s': no such user", user);
        gh_err_set(err, GH_E_AUTH, "invalid user name or password");
        res = GH_US_AUTH_BAD_CREDENTIALS;
        goto out;
    }
    if ((locked = gh_us_lock_state(us, c, r.uid, err)) < 0)
        goto out;
    /* verify even when locked, so a locked account costs what an open one does; a password verified recently
     * against this very stored hash skips the KDF (authcache.c) */
    if (gh_us_authcache_hit(us->authcache, user, password, r.hash, r.salt))
        ok = 1;
    else if ((ok = gh_us_pw_verify(&us->s.pw, password, r.hash, r.salt, &rehash, err)) < 0)
        goto out;
    else if (ok && !rehash)
        gh_us_authcache_put(us->authcache, user, password, r.hash, r.salt);
    if (locked) {
        gh_log(GH_LOG_NOTICE, "userstore", "login refused for '%s': account locked", r.name);
        gh_err_set(err, GH_E_LOCKED, "account '%s' is locked; try again later or ask an administrator", user);
        res = GH_US_AUTH_LOCKED;
        goto out;
    }
    if ((ok || count_failure) && record(us, c, &r, ok, rehash, password, &now_locked, err) != GH_OK)
        goto out;
    if (ok) {
        gh_log(GH_LOG_NOTICE, "userstore", "login succeeded for '%s'%s", r.name,
               rehash ? " (password hash upgraded)" : "");
        res = GH_US_AUTH_OK;
    } else {
        gh_log(GH_LOG_NOTICE, "userstore", "login failed for '%s': wrong password%s", r.name,
               now_locked ? "; account now locked" : "");
        gh_err_set(err, GH_E_AUTH, "invalid user name or password");
        res = GH_US_AUTH_BAD_CREDENTIALS;
    }
out:
    row_dispose(&r);
    gh_db_return(c);
    return res;
}
