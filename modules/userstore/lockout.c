/* Account lock-out, kept as WSO2's identity claims in UM_USER_ATTRIBUTE (accountLock, failedLoginAttempts,
 * unlockTime in epoch ms, 0 = until an admin unlocks), so WSO2 tools read the same state. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "us_int.h"
#include "gatehouse/log.h"

static int64_t parse_i64(const char *s)
{
    char *end;
    long long v;

    if (s == NULL)
        return 0;
    errno = 0;
    v = strtoll(s, &end, 10);
    return errno == 0 && end != s ? (int64_t)v : 0;
}

/* the attribute as an integer (0 when absent or garbage) or GH_ERR via *rc */
static int64_t attr_i64(gh_db_conn_t *c, int64_t uid, const char *attr, int *rc, gh_err_t *err)
{
    char *v = NULL;
    int64_t n;

    if ((*rc = gh_us_attr_get(c, uid, attr, &v, err)) < 0)
        return 0;
    n = parse_i64(v);
    free(v);
    return n;
}

static int clear(gh_db_conn_t *c, int64_t uid, gh_err_t *err)
{
    if (gh_us_attr_set(c, uid, "accountLock", "false", err) != GH_OK ||
        gh_us_attr_set(c, uid, "failedLoginAttempts", "0", err) != GH_OK ||
        gh_us_attr_set(c, uid, "unlockTime", NULL, err) != GH_OK)
        return GH_ERR;
    return GH_OK;
}

int gh_us_lock_state(gh_us_t *us, gh_db_conn_t *c, int64_t uid, gh_err_t *err)
{
    char *lock = NULL;
    int rc, locked;
    int64_t unlock;

    (void)us;
    if ((rc = gh_us_attr_get(c, uid, "accountLock", &lock, err)) < 0)
        return GH_ERR;
    locked = rc == 1 && strcmp(lock, "true") == 0;
    free(lock);
    if (!locked)
        return 0;
    unlock = attr_i64(c, uid, "unlockTime", &rc, err);
    if (rc < 0)
        return GH_ERR;
    if (unlock == 0 || gh_us_now_ms() < unlock)
        return 1;
    /* the lock has run out: forget it, as WSO2's account-lock handler does at the next login */
    return clear(c, uid, err) == GH_OK ? 0 : GH_ERR;
}

int gh_us_lock_fail(gh_us_t *us, gh_db_conn_t *c, int64_t uid, const char *user, int *now_locked, gh_err_t *err)
{
    char buf[32];
    int64_t n;
    int rc;

    *now_locked = 0;
    if (us->s.max_failed <= 0)
        return GH_OK;
    n = attr_i64(c, uid, "failedLoginAttempts", &rc, err) + 1;
    if (rc < 0)
        return GH_ERR;
    snprintf(buf, sizeof(buf), "%" PRId64, n);
    if (gh_us_attr_set(c, uid, "failedLoginAttempts", buf, err) != GH_OK)
        return GH_ERR;
    if (n < us->s.max_failed)
        return GH_OK;
    /* locking the last usable administrator would leave nobody to unlock anyone: its failures still count and
     * are still throttled per address, but it stays open (docs/security.md) */
    if ((rc = gh_us_last_admin(us, c, uid, 1, err)) != 0) {
        if (rc == 1)
            gh_log(GH_LOG_WARN, "userstore", "user '%s' not locked after %" PRId64 " failed logins: it is the last "
                   "unlocked member of the admin role", user, n);
        return rc == 1 ? GH_OK : GH_ERR;
    }
    snprintf(buf, sizeof(buf), "%" PRId64,
             us->s.lock_minutes > 0 ? gh_us_now_ms() + (int64_t)us->s.lock_minutes * 60000 : (int64_t)0);
    if (gh_us_attr_set(c, uid, "accountLock", "true", err) != GH_OK ||
        gh_us_attr_set(c, uid, "unlockTime", buf, err) != GH_OK)
        return GH_ERR;
    *now_locked = 1;
    if (us->s.lock_minutes > 0)
        gh_log(GH_LOG_WARN, "userstore", "user '%s' locked for %d minutes after %" PRId64 " failed logins", user,
               us->s.lock_minutes, n);
    else
        gh_log(GH_LOG_WARN, "userstore", "user '%s' locked until an administrator unlocks it, after %" PRId64
               " failed logins", user, n);
    return GH_OK;
}

int gh_us_lock_reset(gh_us_t *us, gh_db_conn_t *c, int64_t uid, gh_err_t *err)
{
    int rc;
    int64_t n;

    (void)us;
    n = attr_i64(c, uid, "failedLoginAttempts", &rc, err);
    if (rc < 0)
        return GH_ERR;
    return n != 0 ? clear(c, uid, err) : GH_OK; /* no write on the common path */
}

int gh_us_jdbc_unlock_user(gh_us_t *us, const char *user, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int64_t uid = 0;
    int rc = GH_ERR;

    if (gh_us_begin(us, &c, err) != GH_OK)
        return GH_ERR;
    if (gh_us_need_user(us, c, user, &uid, NULL, err) == GH_OK && clear(c, uid, err) == GH_OK)
        rc = GH_OK;
    rc = gh_us_finish(c, rc, err);
    if (rc == GH_OK)
        gh_log(GH_LOG_NOTICE, "userstore", "user '%s' unlocked", user);
    return rc;
}

int gh_us_last_admin(gh_us_t *us, gh_db_conn_t *c, int64_t uid, int unlocked_only, gh_err_t *err)
{
    const char *bare;
    int64_t mine = 0, others = 0;
    int hybrid = gh_us_role_split(us->s.admin_role, &bare);

    if (hybrid) {
        /* a hybrid admin role: members are by name */
        if (gh_db_query_int(c,
                            "SELECT COUNT(*) FROM UM_HYBRID_USER_ROLE hu, UM_HYBRID_ROLE h, UM_USER u WHERE "
                            "h.UM_ROLE_NAME=? AND h.UM_TENANT_ID=? AND hu.UM_ROLE_ID=h.UM_ID AND hu.UM_TENANT_ID=? "
                            "AND u.UM_ID=? AND u.UM_USER_NAME=hu.UM_USER_NAME",
                            GH_DB_ARGS(GH_DB_T(bare), GH_DB_I(US_TENANT), GH_DB_I(US_TENANT), GH_DB_I(uid)), &mine,
                            err) < 0)
            return GH_ERR;
        if (mine == 0)
            return 0;
        if (gh_db_query_int(c,
                            unlocked_only
                                ? "SELECT COUNT(*) FROM UM_HYBRID_USER_ROLE hu, UM_HYBRID_ROLE h, UM_USER u WHERE "
                                  "h.UM_ROLE_NAME=? AND h.UM_TENANT_ID=? AND hu.UM_ROLE_ID=h.UM_ID AND "
                                  "hu.UM_TENANT_ID=? AND u.UM_USER_NAME=hu.UM_USER_NAME AND u.UM_ID<>? AND NOT EXISTS "
                                  "(SELECT 1 FROM UM_USER_ATTRIBUTE a WHERE a.UM_USER_ID=u.UM_ID AND "
                                  "a.UM_ATTR_NAME='accountLock' AND a.UM_ATTR_VALUE='true')"
                                : "SELECT COUNT(*) FROM UM_HYBRID_USER_ROLE hu, UM_HYBRID_ROLE h, UM_USER u WHERE "
                                  "h.UM_ROLE_NAME=? AND h.UM_TENANT_ID=? AND hu.UM_ROLE_ID=h.UM_ID AND "
                                  "hu.UM_TENANT_ID=? AND u.UM_USER_NAME=hu.UM_USER_NAME AND u.UM_ID<>?",
                            GH_DB_ARGS(GH_DB_T(bare), GH_DB_I(US_TENANT), GH_DB_I(US_TENANT), GH_DB_I(uid)), &others,
                            err) < 0)
            return GH_ERR;
        return others == 0;
    }
    if (gh_db_query_int(c,
                        "SELECT COUNT(*) FROM UM_USER_ROLE ur, UM_ROLE r WHERE r.UM_ROLE_NAME=? AND r.UM_TENANT_ID=? "
                        "AND ur.UM_ROLE_ID=r.UM_ID AND ur.UM_TENANT_ID=? AND ur.UM_USER_ID=?",
                        GH_DB_ARGS(GH_DB_T(bare), GH_DB_I(US_TENANT), GH_DB_I(US_TENANT), GH_DB_I(uid)), &mine,
                        err) < 0)
        return GH_ERR;
    if (mine == 0)
        return 0;
    if (gh_db_query_int(c,
                        unlocked_only
                            ? "SELECT COUNT(*) FROM UM_USER_ROLE ur, UM_ROLE r WHERE r.UM_ROLE_NAME=? AND "
                              "r.UM_TENANT_ID=? AND ur.UM_ROLE_ID=r.UM_ID AND ur.UM_TENANT_ID=? AND ur.UM_USER_ID<>? "
                              "AND NOT EXISTS (SELECT 1 FROM UM_USER_ATTRIBUTE a WHERE a.UM_USER_ID=ur.UM_USER_ID AND "
                              "a.UM_ATTR_NAME='accountLock' AND a.UM_ATTR_VALUE='true')"
                            : "SELECT COUNT(*) FROM UM_USER_ROLE ur, UM_ROLE r WHERE r.UM_ROLE_NAME=? AND "
                              "r.UM_TENANT_ID=? AND ur.UM_ROLE_ID=r.UM_ID AND ur.UM_TENANT_ID=? AND ur.UM_USER_ID<>?",
                        GH_DB_ARGS(GH_DB_T(bare), GH_DB_I(US_TENANT), GH_DB_I(US_TENANT), GH_DB_I(uid)), &others,
                        err) < 0)
        return GH_ERR;
    return others == 0;
}
