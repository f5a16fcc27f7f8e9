/* Private to modules/scim: SCIM 2.0 (RFC 7643/7644) over the user store. */
#ifndef GH_SCIM_INT_H
#define GH_SCIM_INT_H

#include <jansson.h>
#include "gatehouse/caller.h"
#include "gatehouse/job.h"
#include "gatehouse/server.h"
#include "gatehouse/userstore.h"
#include "filter.h"

#define SCIM_USER_SCHEMA "urn:ietf:params:scim:schemas:core:2.0:User"
#define SCIM_ENTERPRISE_SCHEMA "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define SCIM_GROUP_SCHEMA "urn:ietf:params:scim:schemas:core:2.0:Group"
#define SCIM_LIST_SCHEMA "urn:ietf:params:scim:api:messages:2.0:ListResponse"
#define SCIM_PATCH_SCHEMA "urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define SCIM_MAX_BODY (1024 * 1024)
#define SCIM_MAX_COUNT 200
#define SCIM_FILTER_SCAN_MAX 10000 /* users examined in memory for filters the store cannot answer */
#define SCIM_PERMISSION "/permission/admin/manage/identity/usermgt"

typedef struct st_gh_km_t gh_km_t;

typedef struct st_scim_ctx_t {
    gh_us_t *us;
    gh_km_t *km; /* NULL when this process runs no key manager: bearer tokens are then refused */
} scim_ctx_t;

/* One request's work, copied out of the request on the loop thread. */
typedef struct st_scim_job_t {
    gh_job_t super;
    gh_us_t *us;
    int (*handler)(struct st_scim_job_t *j); /* runs on a worker; fills status/resp or error */
    char *method;  /* "GET", "POST", ... */
    char *id;      /* path id after /Users/ or /Groups/, or NULL */
    char *body;    /* request body or NULL */
    char *filter, *start_index, *count;
    char *auth_user, *auth_password; /* from Basic; wiped after use */
    char *bearer;                    /* from Bearer; wiped after use */
    gh_km_t *km;
    int me;                          /* /scim2/Me: act on the authenticated user */
    char peer[64];                   /* the client's address: failed logins are throttled per address */
    gh_caller_t caller;              /* filled by scim_authorize */
    /* results */
    int status;
    json_t *resp;
    const char *scim_type;
    char detail[512];
    const char *location; /* when created */
} scim_job_t;

/* auth.c: authenticate j's Basic credentials or bearer token and fill j->caller; 1 ok, 0 refused (status/detail
 * set). needs_admin requires the user-management permission; a bearer token must also carry `scope`. */
int scim_authorize(scim_job_t *j, int needs_admin, const char *scope);
/* 1 when the caller may change user / role (it holds every permission the target has), else 0 with a 403. */
int scim_may_manage_user(scim_job_t *j, const char *user);
int scim_may_manage_role(scim_job_t *j, const char *role);

/* resource.c: a user as SCIM JSON (new reference), and the claims a SCIM body sets. */
json_t *scim_user_json(const gh_us_user_t *u);
/* Collect claims from a SCIM user body into uris/values (all mapped claims: absent ones get "" when
 * replace_all). Returns 0, or -1 with a message in detail for a bad value type. */
int scim_user_claims(json_t *body, int replace_all, gh_us_strlist_t *uris, gh_us_strlist_t *values, char *detail,
                     size_t size);
/* base64url(role name): a group id that is stable for a name and safe in a URL */
char *scim_group_id(const char *role);
char *scim_group_role(const char *id); /* NULL when not a valid id */
/* parse startIndex/count with SCIM's rules (1-based, clamps) */
void scim_paging(const char *start_index, const char *count, size_t *offset, size_t *limit);

/* users.c / groups.c: worker-side handlers */
int scim_users(scim_job_t *j);
int scim_groups(scim_job_t *j);

/* helpers shared by the handlers */
int scim_fail(scim_job_t *j, int status, const char *scim_type, const char *fmt, ...) GH_PRINTF(4, 5);
int scim_fail_err(scim_job_t *j, const gh_err_t *err);
json_t *scim_parse_body(scim_job_t *j); /* NULL (and status 400 set) on bad JSON */

#endif
