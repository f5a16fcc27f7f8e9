/* Private to modules/portals: the module's state, the request job every endpoint runs in, the operation tables
 * and the storage helpers. Storage and endpoint run() functions block on SQL: they run only on job workers. */
#ifndef GH_PORTALS_INT_H
#define GH_PORTALS_INT_H

#include <stdint.h>
#include "gatehouse/caller.h"
#include "gatehouse/db.h"
#include "gatehouse/events.h"
#include "gatehouse/form.h"
#include "gatehouse/job.h"
#include "gatehouse/keymanager.h"
#include "gatehouse/server.h"
#include "gatehouse/userstore.h"
#include "portal_model.h"

#define GH_PORTAL_TENANT (-1234)
#define GH_PORTAL_MAX_BODY (5u * 1024 * 1024) /* larger bodies get 413 before any work */

typedef struct st_gh_portal_t {
    gh_server_t *srv;
    gh_db_pool_t *pool; /* api-manager.xml's datasource (AM_*, GH_API, and WSO2's IDN_OAUTH2_SCOPE beside them) */
    gh_us_t *us;        /* NULL: HTTP Basic is refused */
    gh_km_t *km;        /* NULL: bearer tokens and key generation are unavailable in this process */
} gh_portal_t;

typedef struct st_gh_portal_job_t gh_portal_job_t;
typedef void (*gh_portal_run_fn)(gh_portal_job_t *j, gh_db_conn_t *c);

/* flags of an operation */
#define GH_PORTAL_OP_ANON 1u      /* callers without credentials are served (Store listings) */
#define GH_PORTAL_OP_JSON 2u      /* state-changing: a body must be JSON (415 otherwise) */
#define GH_PORTAL_OP_MULTIPART 4u /* multipart/form-data accepted too (swagger PUT) */

/* One REST operation: method + path pattern ("/apis/ * /swagger" without the spaces: '*' is one segment). */
typedef struct st_gh_portal_op_t {
    const char *method;
    const char *pattern;
    const char *scope; /* the v0.14 x-scope; NULL: none */
    unsigned flags;
    gh_portal_run_fn run;
} gh_portal_op_t;

/* The request job: built on the loop (inputs copied), run on a worker, answered on the loop. */
struct st_gh_portal_job_t {
    gh_job_t super;
    gh_portal_t *p;
    const gh_portal_op_t *op;
    char method[8];
    char *seg[8]; /* decoded path segments after the base path */
    int nseg;
    gh_form_t query;
    char *body; /* NUL-terminated copy, NULL when empty */
    size_t body_len;
    char *ctype;      /* Content-Type, or NULL */
    char *authz;      /* Authorization header (wiped on free) */
    char *if_match;   /* If-Match, or NULL */
    char *base;       /* "/api/am/store/v0.14" */
    gh_caller_t caller;
    char roles[1024]; /* the caller's roles, comma separated, lower-case (visibility checks) */
    /* result */
    int status;
    json_t *out;
    char *text; /* or a text body with ctype_out */
    const char *ctype_out;
    char *location; /* relative to base ("/apis/ID") */
    char *etag;
    int www_auth;
};

/* job.c */
/* Record a v0.14 error; returns GH_ERR. code is WSO2's numeric code (900xxx) or the HTTP status. */
int gh_portal_fail(gh_portal_job_t *j, int status, const char *field, const char *fmt, ...) GH_PRINTF(4, 5);
int gh_portal_fail_ferr(gh_portal_job_t *j, const gh_portal_ferr_t *fe);
/* A database / store error: logged, answered 500 / 503 without the driver's text. */
int gh_portal_fail_db(gh_portal_job_t *j, const char *what, const gh_err_t *err);
/* The JSON body as an object: NULL with a 400 answer when missing or malformed. Borrowed by the caller (new ref). */
json_t *gh_portal_json_body(gh_portal_job_t *j);
const char *gh_portal_q(gh_portal_job_t *j, const char *name);
/* If-Match against the revision-based ETag ("\"<rev>\""): 1 ok (absent or equal), 0 answered 412. */
int gh_portal_if_match(gh_portal_job_t *j, int64_t revision);
void gh_portal_set_etag(gh_portal_job_t *j, int64_t revision);
/* Route handler (data: gh_portal_route_t). */
typedef struct st_gh_portal_route_t {
    gh_portal_t *p;
    const char *base;
    const gh_portal_op_t *const *tables; /* NULL-terminated list of NULL-method-terminated tables */
} gh_portal_route_t;
int gh_portal_on_request(h2o_handler_t *self, h2o_req_t *req);

/* auth.c (worker): fill j->caller from Authorization (Basic through the user store, Bearer through the key
 * manager) and j->roles. 1 authenticated, 0 no credentials, -1 refused (j answered 401 / 503). */
int gh_portal_authenticate(gh_portal_job_t *j, gh_db_conn_t *c);
/* 1 when the comma-separated role list (lower-case) of the caller meets the comma-separated roles. */
int gh_portal_roles_meet(const char *caller_roles, const char *roles);

/* api_store.c */
/* Load an API by UUID (res + scopes too when full): 1 / 0 / -1. */
int gh_portal_api_load(gh_db_conn_t *c, const char *uuid, int full, gh_portal_api_t *a, gh_err_t *err);
int gh_portal_api_insert(gh_db_conn_t *c, gh_portal_api_t *a, const char *user, gh_err_t *err);
/* Update everything but status; bumps REVISION. */
int gh_portal_api_update(gh_db_conn_t *c, gh_portal_api_t *a, const char *user, gh_err_t *err);
int gh_portal_api_delete(gh_db_conn_t *c, const gh_portal_api_t *a, gh_err_t *err);
int gh_portal_api_set_status(gh_db_conn_t *c, gh_portal_api_t *a, const char *status, const char *user, gh_err_t *err);
/* Replace resources and scopes of a (inside the caller's transaction). */
int gh_portal_api_write_resources(gh_db_conn_t *c, const gh_portal_api_t *a, gh_err_t *err);
/* 1 when another API has context/version, 0, -1. */
int gh_portal_api_context_taken(gh_db_conn_t *c, const char *context, const char *version, int64_t except_id,
                                gh_err_t *err);
/* Search: append APIInfo JSON objects to list, *total every match. store: only visible, published APIs. */
typedef struct st_gh_portal_search_t {
    const gh_portal_query_t *q;
    int store;
    int anonymous;
    int admin;
    const char *roles; /* caller roles, lower-case comma list */
    int64_t offset, limit;
} gh_portal_search_t;
int gh_portal_api_search(gh_db_conn_t *c, const gh_portal_search_t *s, json_t *list, int64_t *total, gh_err_t *err);
/* The visibility rule for one API (store reads). */
int gh_portal_api_visible(const gh_portal_job_t *j, const gh_portal_api_t *a);

/* policy_store.c: 1 when the policy exists at level ("subscription", "application", "api"), 0, -1. */
int gh_portal_policy_exists(gh_db_conn_t *c, const char *level, const char *name, gh_err_t *err);

/* app_store.c: AM_APPLICATION (+ AM_SUBSCRIBER) */
typedef struct st_gh_portal_app_t {
    int64_t id, subscriber_id;
    char uuid[40];
    char name[101], tier[51], callback[513], description[513], status[51], group_id[101], owner[256], token_type[11];
    int64_t updated_ms;
} gh_portal_app_t;
int gh_portal_app_load(gh_db_conn_t *c, const char *uuid, gh_portal_app_t *a, gh_err_t *err); /* 1/0/-1 */
int gh_portal_app_by_id(gh_db_conn_t *c, int64_t id, gh_portal_app_t *a, gh_err_t *err);     /* 1/0/-1 */
json_t *gh_portal_app_to_json(const gh_portal_app_t *a);
/* Ensure AM_SUBSCRIBER has user; *id its SUBSCRIBER_ID. */
int gh_portal_subscriber_id(gh_db_conn_t *c, const char *user, int64_t *id, gh_err_t *err);

/* sub_store.c */
typedef struct st_gh_portal_sub_t {
    int64_t id, api_id, app_id;
    char uuid[40], api_uuid[40], app_uuid[40], tier[51], status[51], app_owner[256], api_provider[256];
} gh_portal_sub_t;
int gh_portal_sub_load(gh_db_conn_t *c, const char *uuid, gh_portal_sub_t *s, gh_err_t *err); /* 1/0/-1 */
json_t *gh_portal_sub_to_json(const gh_portal_sub_t *s);
/* Change SUB_STATUS (one row); publishes GH_EV_SUBSCRIPTION_CHANGED after the commit. */
int gh_portal_sub_set_status(gh_portal_job_t *j, gh_db_conn_t *c, const char *uuid, const char *status);

/* The operation tables. */
extern const gh_portal_op_t gh_portal_publisher_ops[];
extern const gh_portal_op_t gh_portal_store_ops[];
extern const gh_portal_op_t gh_portal_admin_ops[];
extern const gh_portal_op_t gh_portal_admin_bl_ops[]; /* blocking conditions */

/* endpoints used by more than one table */
void gh_portal_ep_pub_subs(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_pub_sub(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_block(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_unblock(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_store_subs(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_store_sub_create(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_store_sub_get(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_store_sub_delete(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_store_apps(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_store_app_create(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_store_app_get(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_store_app_update(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_store_app_delete(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_generate_keys(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_keys_get(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_keys_put(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_regenerate_secret(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_publisher_list(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_publisher_app(gh_portal_job_t *j, gh_db_conn_t *c);
/* the application uuid owned by the caller: 1, or 0 answered (400 / 403 / 404) */
int gh_portal_app_own(gh_portal_job_t *j, gh_db_conn_t *c, const char *uuid, gh_portal_app_t *a);
void gh_portal_ep_tiers(gh_portal_job_t *j, gh_db_conn_t *c);
void gh_portal_ep_tier(gh_portal_job_t *j, gh_db_conn_t *c);

/* The API's definition as the answer (GET/PUT swagger, Publisher and Store). */
void gh_portal_send_swagger(gh_portal_job_t *j, const gh_portal_api_t *a);

/* list_cache.c: API list / search answers by key (base, caller class, query), for GH_PORTAL_LIST_TTL_MS or until
 * an API change event. get: a heap copy of the body or NULL. put: gen is gh_portal_list_cache_generation() read
 * before the query ran, so an answer computed across a change is never served. */
#define GH_PORTAL_LIST_TTL_MS 2000
/* claim: when the entry has expired and nobody is recomputing it, become the one that does (get NULL); without
 * claim (the loop, which cannot compute) such an entry is just a miss. */
char *gh_portal_list_cache_get(const char *key, int claim);
void gh_portal_list_cache_put(const char *key, const char *body, uint64_t gen);
uint64_t gh_portal_list_cache_generation(void);
/* The cache key of a list answer: who is "" (Publisher), "*anon", "*admin" or the caller's roles. Heap. */
char *gh_portal_list_key(const char *base, const char *who, const char *offset, const char *limit, const char *query);
int gh_portal_list_cache_start(void); /* subscribe to API change events; returns the handle */
void gh_portal_list_cache_stop(int handle);

/* Publish one event (after a commit). */
void gh_portal_event(gh_event_kind_t kind, int64_t api_id, int64_t app_id, int64_t sub_id, const char *api_uuid,
                     const char *consumer_key, const char *name);
int64_t gh_portal_now_ms(void);
void gh_portal_uuid(char out[40]);

#endif
