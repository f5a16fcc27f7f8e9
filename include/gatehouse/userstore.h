/* The user store: users, roles, permissions, claims and passwords behind one handle (WSO2's UserRealm:
 * UserStoreManager + AuthorizationManager + a super-tenant-only TenantManager).
 *
 * An implementation is a gh_us_ops_t registered under GH_FAMILY_USERSTORE; "jdbc" (class
 * org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager) keeps WSO2's UM_* tables. Every call blocks on SQL:
 * never call it on an event-loop thread. Users and roles live in the super tenant (-1234).
 *
 * Names: primary roles are plain ("admin"); hybrid roles carry the "Internal/" prefix ("Internal/subscriber").
 * Every user implicitly holds "Internal/everyone". Claims are WSO2 claim URIs (http://wso2.org/claims/...). */
#ifndef GH_USERSTORE_H
#define GH_USERSTORE_H

#include <stddef.h>
#include <stdint.h>
#include "gatehouse/err.h"

typedef struct st_gh_conf_user_mgt_t gh_conf_user_mgt_t;
typedef struct st_gh_db_pool_t gh_db_pool_t;
typedef struct st_gh_us_t gh_us_t;

#define GH_US_TENANT_SUPER (-1234)
#define GH_US_INTERNAL_PREFIX "Internal/"
#define GH_US_CLAIM_DIALECT "http://wso2.org/claims/"
#define GH_US_CLAIM_USERID "http://wso2.org/claims/userid"     /* the stable SCIM id (attribute scimId) */
#define GH_US_CLAIM_USERNAME "http://wso2.org/claims/username" /* synthesised from the user name */
#define GH_US_CLAIM_ROLE "http://wso2.org/claims/role"         /* synthesised from the role list */
#define GH_US_CLAIM_CREATED "http://wso2.org/claims/created"
#define GH_US_CLAIM_MODIFIED "http://wso2.org/claims/modified"

/* Outcome of gh_us_authenticate. */
typedef enum {
    GH_US_AUTH_ERROR = -1,          /* store unreachable or broken: err says why */
    GH_US_AUTH_OK = 0,
    GH_US_AUTH_BAD_CREDENTIALS = 1, /* unknown user or wrong password (indistinguishable on purpose) */
    GH_US_AUTH_LOCKED = 2,          /* too many failures; see AccountLockDuration */
} gh_us_auth_t;

/* A claim passed in (borrowed). */
typedef struct st_gh_us_claim_t {
    const char *uri;
    const char *value;
} gh_us_claim_t;

/* A list of owned strings; gh_us_strlist_dispose frees it. */
typedef struct st_gh_us_strlist_t {
    char **items;
    size_t n, cap;
} gh_us_strlist_t;

void gh_us_strlist_push(gh_us_strlist_t *l, const char *s); /* appends a copy */
int gh_us_strlist_contains(const gh_us_strlist_t *l, const char *s); /* exact match: 1 / 0 */
void gh_us_strlist_dispose(gh_us_strlist_t *l);                        /* NULL-safe; leaves l empty */

/* A user as read back (all owned; gh_us_user_dispose frees). */
typedef struct st_gh_us_user_t {
    char *name;      /* as stored (case preserved) */
    char *id;        /* the scimId UUID; NULL for a user created by WSO2 without SCIM */
    char *created;   /* ISO-8601 UTC, e.g. 2026-01-02T03:04:05.678Z; may be NULL */
    char *modified;  /* ditto */
    int locked;      /* 1 when the account is locked right now */
    gh_us_strlist_t claim_uris;   /* parallel to claim_values; includes username and role */
    gh_us_strlist_t claim_values;
    gh_us_strlist_t roles;        /* primary, then Internal/..., always Internal/everyone */
} gh_us_user_t;

void gh_us_user_dispose(gh_us_user_t *u); /* NULL-safe */
/* value of claim uri in u, or NULL (borrowed) */
const char *gh_us_user_claim(const gh_us_user_t *u, const char *uri);

typedef enum { GH_US_OP_EQ = 0, GH_US_OP_CO, GH_US_OP_SW } gh_us_op_t;

/* A user search (SCIM filters map onto it). All comparisons are case-insensitive. */
typedef struct st_gh_us_query_t {
    const char *claim_uri; /* NULL or GH_US_CLAIM_USERNAME: match the user name; else a stored claim */
    gh_us_op_t op;
    const char *value;     /* NULL: every user */
    size_t offset;         /* 0-based rows to skip */
    size_t limit;          /* 0: no limit */
} gh_us_query_t;

/* What an implementation provides. Append-only: new members go at the end, `version` says how many exist.
 * Every member is required unless marked optional. Strings are borrowed for the call. Return GH_OK / GH_ERR
 * unless stated, and fill err with GH_E_NOTFOUND, GH_E_CONFLICT, GH_E_INPUT (pattern violated, with the
 * configured ViolationErrorMsg) or a GH_DB_E_* code. */
typedef struct st_gh_us_ops_t {
    unsigned version; /* 1 */
    /* optional: one-time set-up of the store's fixed rows (gh_us_bootstrap) */
    int (*bootstrap)(gh_us_t *us, gh_err_t *err);
    gh_us_auth_t (*authenticate)(gh_us_t *us, const char *user, const char *password, gh_err_t *err);
    int (*add_user)(gh_us_t *us, const char *user, const char *password, const gh_us_claim_t *claims,
                    size_t n_claims, const char *const *roles, size_t n_roles, gh_err_t *err);
    int (*update_password)(gh_us_t *us, const char *user, const char *password, gh_err_t *err);
    int (*delete_user)(gh_us_t *us, const char *user, gh_err_t *err);
    /* 1 found (fills *out), 0 absent, GH_ERR; by_id: `key` is the scimId instead of the name */
    int (*get_user)(gh_us_t *us, const char *key, int by_id, gh_us_user_t *out, gh_err_t *err);
    int (*search_users)(gh_us_t *us, const gh_us_query_t *q, gh_us_strlist_t *names, size_t *total,
                        gh_err_t *err);
    int (*user_exists)(gh_us_t *us, const char *user, gh_err_t *err); /* 1 / 0 / GH_ERR */
    int (*add_role)(gh_us_t *us, const char *role, gh_err_t *err);
    int (*delete_role)(gh_us_t *us, const char *role, gh_err_t *err);
    int (*rename_role)(gh_us_t *us, const char *role, const char *new_name, gh_err_t *err);
    int (*update_role_users)(gh_us_t *us, const char *role, const char *const *add, size_t n_add,
                             const char *const *del, size_t n_del, gh_err_t *err);
    int (*list_roles)(gh_us_t *us, const char *pattern, gh_us_strlist_t *out, gh_err_t *err);
    int (*user_roles)(gh_us_t *us, const char *user, gh_us_strlist_t *out, gh_err_t *err);
    int (*role_users)(gh_us_t *us, const char *role, gh_us_strlist_t *out, gh_err_t *err);
    int (*authorize)(gh_us_t *us, const char *user, const char *resource, const char *action, gh_err_t *err);
    int (*grant)(gh_us_t *us, const char *role, const char *resource, const char *action, gh_err_t *err);
    int (*revoke)(gh_us_t *us, const char *role, const char *resource, const char *action, gh_err_t *err);
    int (*get_claims)(gh_us_t *us, const char *user, gh_us_strlist_t *uris, gh_us_strlist_t *values,
                      gh_err_t *err);
    int (*set_claims)(gh_us_t *us, const char *user, const gh_us_claim_t *claims, size_t n, gh_err_t *err);
    int (*unlock_user)(gh_us_t *us, const char *user, gh_err_t *err);
} gh_us_ops_t;

/* Register "jdbc" (user store), its authorization manager and tenant manager classes. Idempotent. */
void gh_us_register_builtin(void);

/* Create the user store configured by um (borrowed: must outlive the handle) over pool (borrowed; the caller
 * resolves it from the realm dataSource or um->own_ds). Reads the UserStoreManager properties (patterns,
 * PasswordDigest, PasswordHashMethod, PasswordHashIterations, MaxFailedLoginAttempts, AccountLockDuration,
 * CaseInsensitiveUsername). Fails with GH_E_CONFIG on an unknown class or a bad property. */
gh_us_t *gh_us_create(const gh_conf_user_mgt_t *um, gh_db_pool_t *pool, gh_err_t *err);
void gh_us_destroy(gh_us_t *us); /* NULL-safe */

/* Idempotent, one transaction: domains, admin role with /permission, the admin user (only if absent: a
 * password changed later through the API is never overwritten), hybrid roles everyone/subscriber/publisher/
 * creator and the API Manager permission tree. */
int gh_us_bootstrap(gh_us_t *us, gh_err_t *err);

/* Check a password. Unknown users cost the same as wrong passwords. Counts failures and locks the account
 * after MaxFailedLoginAttempts; a success resets the count and upgrades an old-scheme hash. */
gh_us_auth_t gh_us_authenticate(gh_us_t *us, const char *user, const char *password, gh_err_t *err);
/* Create a user with claims and roles in one transaction; assigns the scimId and created/modified claims. */
int gh_us_add_user(gh_us_t *us, const char *user, const char *password, const gh_us_claim_t *claims,
                   size_t n_claims, const char *const *roles, size_t n_roles, gh_err_t *err);
int gh_us_update_password(gh_us_t *us, const char *user, const char *password, gh_err_t *err);
int gh_us_delete_user(gh_us_t *us, const char *user, gh_err_t *err);
/* 1 found (out filled; dispose it), 0 absent, GH_ERR */
int gh_us_get_user(gh_us_t *us, const char *name, gh_us_user_t *out, gh_err_t *err);
int gh_us_get_user_by_id(gh_us_t *us, const char *id, gh_us_user_t *out, gh_err_t *err);
/* Matching user names in name order, the page [offset, offset+limit) into names (appended), *total (may be
 * NULL) the count of every match. */
int gh_us_search_users(gh_us_t *us, const gh_us_query_t *q, gh_us_strlist_t *names, size_t *total,
                       gh_err_t *err);
int gh_us_user_exists(gh_us_t *us, const char *user, gh_err_t *err); /* 1 / 0 / GH_ERR */

/* Roles. "Internal/x" names a hybrid role, anything else a primary role. */
int gh_us_add_role(gh_us_t *us, const char *role, gh_err_t *err);
int gh_us_delete_role(gh_us_t *us, const char *role, gh_err_t *err);
int gh_us_rename_role(gh_us_t *us, const char *role, const char *new_name, gh_err_t *err);
/* Add and remove members in one transaction; adding a member twice or removing a non-member is not an error. */
int gh_us_update_role_users(gh_us_t *us, const char *role, const char *const *add, size_t n_add,
                            const char *const *del, size_t n_del, gh_err_t *err);
/* pattern: WSO2 style, '*' matches anything; NULL = "*". Appends to out. */
int gh_us_list_roles(gh_us_t *us, const char *pattern, gh_us_strlist_t *out, gh_err_t *err);
int gh_us_user_roles(gh_us_t *us, const char *user, gh_us_strlist_t *out, gh_err_t *err);
int gh_us_role_users(gh_us_t *us, const char *role, gh_us_strlist_t *out, gh_err_t *err);

/* Permissions: 1 allowed, 0 denied, GH_ERR. A grant on a path covers every path below it. */
int gh_us_authorize(gh_us_t *us, const char *user, const char *resource, const char *action, gh_err_t *err);
int gh_us_grant(gh_us_t *us, const char *role, const char *resource, const char *action, gh_err_t *err);
int gh_us_revoke(gh_us_t *us, const char *role, const char *resource, const char *action, gh_err_t *err);

/* Claims of the "default" profile, appended to uris/values (parallel lists). */
int gh_us_get_claims(gh_us_t *us, const char *user, gh_us_strlist_t *uris, gh_us_strlist_t *values,
                     gh_err_t *err);
/* Insert or update claims in one transaction. An empty value deletes the claim. Read-only claims (userid,
 * username, role, created, modified, identity/...) are refused. Updates the modified claim. */
int gh_us_set_claims(gh_us_t *us, const char *user, const gh_us_claim_t *claims, size_t n, gh_err_t *err);
int gh_us_unlock_user(gh_us_t *us, const char *user, gh_err_t *err);

/* Map a claim URI to its UM_USER_ATTRIBUTE name ("http://wso2.org/claims/emailaddress" -> "mail") and back.
 * NULL when unknown. Static strings. */
const char *gh_us_claim_attr(const char *uri);
const char *gh_us_attr_claim(const char *attr);

/* Register the "userstore" server module: creates the store over the realm pool at start-up, bootstraps it,
 * and provides it to later modules through gh_server_userstore(). */
void gh_us_register_module(void);

/* `gatehouse user ...`: argv[0] is "user". Exit codes: 0 ok, 1 error, 2 usage. */
int gh_us_cli_main(gh_us_t *us, int argc, char **argv);

#endif
