/* Shared by modules/userstore/ sources only: the handle, its settings and the JDBC helpers. */
#ifndef GH_US_INT_H
#define GH_US_INT_H

#include <stdint.h>
#include "gatehouse/userstore.h"
#include "gatehouse/db.h"
#include "pattern.h"
#include "password.h"

#define US_TENANT GH_US_TENANT_SUPER
#define US_PROFILE "default"
#define US_ACTION_UI "ui.execute"

typedef struct st_gh_us_settings_t {
    int case_insensitive;        /* CaseInsensitiveUsername, default 1 */
    gh_us_pw_conf_t pw;          /* hashing */
    gh_us_pattern_t user_re, password_re, role_re;
    int max_failed;              /* MaxFailedLoginAttempts, default 5; 0 disables lock-out */
    int lock_minutes;            /* AccountLockDuration, default 15; 0 = until an admin unlocks */
    char separator[8];           /* MultiAttributeSeparator, default "," */
    const char *admin_user, *admin_password, *admin_role, *everyone_role;
    int add_admin;
    int throttle_addr;           /* LoginFailuresPerAddress, default 20; 0 disables per-address throttling */
    int throttle_addr_user;      /* LoginFailuresPerAddressAndUser, default MaxFailedLoginAttempts - 1 */
    int throttle_window_min;     /* LoginFailureWindow, default 15 */
} gh_us_settings_t;

typedef struct st_gh_us_authcache_t gh_us_authcache_t;
typedef struct st_gh_us_throttle_t gh_us_throttle_t;

struct st_gh_us_t {
    const gh_us_ops_t *ops;
    gh_db_pool_t *pool;
    gh_us_settings_t s;
    gh_us_authcache_t *authcache;
    gh_us_throttle_t *throttle;
};

/* authcache.c: passwords verified recently, so the slow KDF runs once per credential. Keyed by a keyed digest of
 * (user, password); the value is a digest of the stored hash it was verified against, so a changed password
 * (from any process) misses. */
gh_us_authcache_t *gh_us_authcache_new(void);
void gh_us_authcache_free(gh_us_authcache_t *c);
/* 1 when (user, password) was verified against exactly this stored hash/salt recently */
int gh_us_authcache_hit(gh_us_authcache_t *c, const char *user, const char *password, const char *hash,
                        const char *salt);
void gh_us_authcache_put(gh_us_authcache_t *c, const char *user, const char *password, const char *hash,
                         const char *salt);

/* throttle.c: failed logins per source address and per (address, user), in this process */
gh_us_throttle_t *gh_us_throttle_new(void);
void gh_us_throttle_free(gh_us_throttle_t *t);
/* the failures counted for key within the window */
int gh_us_throttle_count(gh_us_throttle_t *t, const char *addr, const char *user, int window_min);
void gh_us_throttle_fail(gh_us_throttle_t *t, const char *addr, const char *user, int window_min);

/* conf.c: read the properties of um into s (patterns compiled). GH_E_CONFIG on a bad value. */
int gh_us_settings_init(gh_us_settings_t *s, const gh_conf_user_mgt_t *um, gh_err_t *err);
void gh_us_settings_dispose(gh_us_settings_t *s);

/* jdbc_util.c: small SQL helpers; each runs on a borrowed connection inside the caller's transaction. */
const char *gh_us_sql_user_eq(const gh_us_t *us); /* "UM_USER_NAME=?" or "LOWER(UM_USER_NAME)=LOWER(?)" */
/* 1 found (*id set, *stored_name copied when not NULL), 0 absent, GH_ERR */
int gh_us_find_user(gh_us_t *us, gh_db_conn_t *c, const char *user, int64_t *id, char **stored_name,
                    gh_err_t *err);
/* like find_user but a miss is GH_ERR with GH_E_NOTFOUND and a message */
int gh_us_need_user(gh_us_t *us, gh_db_conn_t *c, const char *user, int64_t *id, char **stored_name,
                    gh_err_t *err);
/* the UM_DOMAIN id of name (PRIMARY / INTERNAL / APPLICATION): 1 / 0 / GH_ERR */
int gh_us_domain_id(gh_db_conn_t *c, const char *name, int64_t *out, gh_err_t *err);
/* attribute value of the default profile: 1 (owned *out) / 0 / GH_ERR */
int gh_us_attr_get(gh_db_conn_t *c, int64_t uid, const char *attr, char **out, gh_err_t *err);
/* insert or update; value NULL deletes */
int gh_us_attr_set(gh_db_conn_t *c, int64_t uid, const char *attr, const char *value, gh_err_t *err);
/* Inside a transaction: lock the user's UM_USER row, so that writers of one user's attributes (the lock-out
 * counter, claims) go one after the other: UM_USER_ATTRIBUTE has no unique key to stop a duplicate row. */
int gh_us_lock_user_row(gh_db_conn_t *c, int64_t uid, gh_err_t *err);
int gh_us_begin(gh_us_t *us, gh_db_conn_t **c, gh_err_t *err);      /* borrow + begin */
int gh_us_finish(gh_db_conn_t *c, int rc, gh_err_t *err);            /* commit when rc == GH_OK, else roll back; returns */
/* ISO-8601 UTC of epoch ms into buf[32] */
void gh_us_iso_time(int64_t ms, char buf[32]);
int64_t gh_us_now_ms(void);
/* a random v4 UUID into buf[37] */
void gh_us_uuid(char buf[37]);

/* run a query and append column 0 of every row (with prefix) to out, skipping duplicates */
int gh_us_collect(gh_db_conn_t *c, const char *sql, const gh_db_value_t *args, size_t n, const char *prefix,
                  gh_us_strlist_t *out, gh_err_t *err);
/* a LIKE pattern pre + escaped(s) + post, escape character '!'; star_wild: '*' in s becomes '%' */
char *gh_us_like(const char *pre, const char *s, const char *post, int star_wild);

/* roles.c internals shared with bootstrap.c and users.c */
/* split "Internal/x" -> hybrid (1) with bare name, else primary (0) */
int gh_us_role_split(const char *role, const char **bare);
int gh_us_role_ensure(gh_us_t *us, gh_db_conn_t *c, const char *role, int *created, gh_err_t *err);
/* add (1) or remove (0) user to role; role must exist */
int gh_us_role_member(gh_us_t *us, gh_db_conn_t *c, const char *role, const char *user, int add, gh_err_t *err);
int gh_us_roles_of(gh_us_t *us, gh_db_conn_t *c, const char *user, gh_us_strlist_t *out, gh_err_t *err);
/* permissions.c: insert the permission row and an allow for role if absent */
int gh_us_grant_c(gh_us_t *us, gh_db_conn_t *c, const char *role, const char *resource, const char *action,
                  gh_err_t *err);
/* users.c: write a new password hash for uid */
int gh_us_store_password(gh_us_t *us, gh_db_conn_t *c, int64_t uid, const char *password, gh_err_t *err);
int gh_us_insert_user(gh_us_t *us, gh_db_conn_t *c, const char *user, const char *password, int64_t *uid,
                      gh_err_t *err);
/* write claims (mapped, writable ones only) and bump lastModifiedDate */
int gh_us_write_claims(gh_us_t *us, gh_db_conn_t *c, int64_t uid, const gh_us_claim_t *claims, size_t n,
                       gh_err_t *err);
int gh_us_check_name(const gh_us_t *us, const char *user, gh_err_t *err);
int gh_us_check_password(const gh_us_t *us, const char *password, gh_err_t *err);

/* lockout.c */
/* 1 locked now, 0 not (an expired lock is cleared), GH_ERR */
int gh_us_lock_state(gh_us_t *us, gh_db_conn_t *c, int64_t uid, gh_err_t *err);
int gh_us_lock_fail(gh_us_t *us, gh_db_conn_t *c, int64_t uid, const char *user, int *now_locked, gh_err_t *err);
int gh_us_lock_reset(gh_us_t *us, gh_db_conn_t *c, int64_t uid, gh_err_t *err);
/* 1 when uid is a member of the admin role and no other member of it is unlocked: it must stay usable */
int gh_us_last_admin(gh_us_t *us, gh_db_conn_t *c, int64_t uid, int unlocked_only, gh_err_t *err);

/* the ops of each implementation */
extern const gh_us_ops_t gh_us_jdbc_ops;

/* individual jdbc ops, defined in the files that own them */
int gh_us_jdbc_bootstrap(gh_us_t *us, gh_err_t *err);
gh_us_auth_t gh_us_jdbc_authenticate(gh_us_t *us, const char *user, const char *password, gh_err_t *err);
gh_us_auth_t gh_us_jdbc_authenticate_ex(gh_us_t *us, const char *user, const char *password, int count_failure,
                                        gh_err_t *err);
int gh_us_jdbc_role_permissions(gh_us_t *us, const char *role, gh_us_strlist_t *resources, gh_us_strlist_t *actions,
                                gh_err_t *err);
int gh_us_jdbc_add_user(gh_us_t *us, const char *user, const char *password, const gh_us_claim_t *claims,
                        size_t n_claims, const char *const *roles, size_t n_roles, gh_err_t *err);
int gh_us_jdbc_update_password(gh_us_t *us, const char *user, const char *password, gh_err_t *err);
int gh_us_jdbc_delete_user(gh_us_t *us, const char *user, gh_err_t *err);
int gh_us_jdbc_get_user(gh_us_t *us, const char *key, int by_id, gh_us_user_t *out, gh_err_t *err);
int gh_us_jdbc_search_users(gh_us_t *us, const gh_us_query_t *q, gh_us_strlist_t *names, size_t *total,
                            gh_err_t *err);
int gh_us_jdbc_user_exists(gh_us_t *us, const char *user, gh_err_t *err);
int gh_us_jdbc_add_role(gh_us_t *us, const char *role, gh_err_t *err);
int gh_us_jdbc_delete_role(gh_us_t *us, const char *role, gh_err_t *err);
int gh_us_jdbc_rename_role(gh_us_t *us, const char *role, const char *new_name, gh_err_t *err);
int gh_us_jdbc_update_role_users(gh_us_t *us, const char *role, const char *const *add, size_t n_add,
                                 const char *const *del, size_t n_del, gh_err_t *err);
int gh_us_jdbc_list_roles(gh_us_t *us, const char *pattern, gh_us_strlist_t *out, gh_err_t *err);
int gh_us_jdbc_user_roles(gh_us_t *us, const char *user, gh_us_strlist_t *out, gh_err_t *err);
int gh_us_jdbc_role_users(gh_us_t *us, const char *role, gh_us_strlist_t *out, gh_err_t *err);
int gh_us_jdbc_authorize(gh_us_t *us, const char *user, const char *resource, const char *action, gh_err_t *err);
int gh_us_jdbc_grant(gh_us_t *us, const char *role, const char *resource, const char *action, gh_err_t *err);
int gh_us_jdbc_revoke(gh_us_t *us, const char *role, const char *resource, const char *action, gh_err_t *err);
int gh_us_jdbc_get_claims(gh_us_t *us, const char *user, gh_us_strlist_t *uris, gh_us_strlist_t *values,
                          gh_err_t *err);
int gh_us_jdbc_set_claims(gh_us_t *us, const char *user, const gh_us_claim_t *claims, size_t n, gh_err_t *err);
int gh_us_jdbc_unlock_user(gh_us_t *us, const char *user, gh_err_t *err);

#endif
