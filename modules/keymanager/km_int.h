/* Private to modules/keymanager: the key manager's state, caches, storage and the job that answers requests.
 * Storage functions block on SQL: call them only from a job's work() (worker thread). */
#ifndef GH_KM_INT_H
#define GH_KM_INT_H

#include <pthread.h>
#include <stdint.h>
#include "gatehouse/caller.h"
#include "gatehouse/db.h"
#include "gatehouse/err.h"
#include "gatehouse/job.h"
#include "gatehouse/keyval.h"
#include "gatehouse/server.h"
#include "gatehouse/userstore.h"
#include "km_app.h"
#include "km_keys.h"
#include "km_util.h"

#define GH_KM_TENANT GH_US_TENANT_SUPER
#define GH_KM_CACHE_TTL_MS 10000 /* how long another process's revocation may go unseen by this one */

/* --- cache.c: a bounded, time-limited map from a string key to a fixed-size value (copied in and out) --- */
typedef struct st_gh_km_cache_entry_t gh_km_cache_entry_t;
typedef struct st_gh_km_cache_t {
    pthread_mutex_t mu;
    gh_km_cache_entry_t **buckets;
    size_t nbuckets, n, max, vsize;
    uint64_t gen; /* moves on with every del and clear */
} gh_km_cache_t;

void gh_km_cache_init(gh_km_cache_t *c, size_t vsize, size_t max);
void gh_km_cache_dispose(gh_km_cache_t *c);
void gh_km_cache_put(gh_km_cache_t *c, const char *key, const void *value, int64_t expires_ms);
/* The generation: read it before the database read that fills an entry, and put with gh_km_cache_put_if, so an
 * entry deleted meanwhile (a revocation event while the row was read) is not put back stale. */
uint64_t gh_km_cache_gen(gh_km_cache_t *c);
void gh_km_cache_put_if(gh_km_cache_t *c, uint64_t gen, const char *key, const void *value, int64_t expires_ms);
/* 1 and *out filled when key is present and not expired at now_ms, else 0 */
int gh_km_cache_get(gh_km_cache_t *c, const char *key, void *out, int64_t now_ms);
void gh_km_cache_del(gh_km_cache_t *c, const char *key);
/* Drop every entry (another process changed what they describe). */
void gh_km_cache_clear(gh_km_cache_t *c);
/* Drop expired entries (purge thread). */
void gh_km_cache_sweep(gh_km_cache_t *c, int64_t now_ms);

/* A token row as the endpoints need it. */
typedef struct st_gh_km_tok_t {
    char token_id[GH_KM_UUID_LEN];
    char client_id[256];
    int64_t app_id;
    char user[256];
    char user_type[24];  /* APPLICATION | APPLICATION_USER */
    char grant_type[64];
    char scope[1024];    /* space separated, sorted */
    char state[16];      /* ACTIVE | INACTIVE | REVOKED | EXPIRED */
    int64_t iat_ms, exp_ms;       /* access token; exp_ms < 0: never expires */
    int64_t rt_iat_ms, rt_exp_ms; /* refresh token */
    char at_hash[GH_KM_HASH_HEX]; /* ACCESS_TOKEN_HASH: the token cache key */
} gh_km_tok_t;

/* A trusted issuer of jwt-bearer assertions (conf/security/trusted-issuers/NAME.json). */
typedef struct st_gh_km_issuer_t {
    char *iss;
    EVP_PKEY *key;
} gh_km_issuer_t;

typedef struct st_gh_km_t {
    gh_server_t *srv;
    const gh_conf_t *conf;
    gh_db_pool_t *pool;
    gh_us_t *us;
    int plain_tokens;  /* PlainTextPersistenceProcessor: ACCESS_TOKEN/REFRESH_TOKEN hold the raw value */
    int plain_secrets; /* EnableClientSecretHash false AND PlainText processor */
    int apim_tables;   /* api-manager.xml's datasource is this one: AM_APPLICATION.TOKEN_TYPE is readable */
    unsigned char secret[32]; /* HMAC key for client secrets: <conf>/security/gatehouse-secret.key */
    gh_km_keyring_t keys;
    gh_km_cache_t tokens;  /* SHA-256 hex of an access token -> gh_km_tok_t */
    gh_km_cache_t apps;    /* client id -> gh_km_app_t */
    gh_km_cache_t nonces;  /* SHA-256 hex of an authorization code -> char[256] OIDC nonce (this process only) */
    gh_km_cache_t callers; /* HMAC of a client's credentials -> unsigned (km->clients_gen when authorised) */
    volatile unsigned clients_gen; /* bumped when a client changes or goes: cached callers are then re-checked */
    char *iss[2];          /* issuer per listener: [0] https, [1] http */
    char *base[2];         /* scheme://host:port per listener */
    gh_km_issuer_t *issuers;
    size_t n_issuers;
    pthread_t purge_tid;
    pthread_mutex_t purge_mu;
    pthread_cond_t purge_cv;
    int purge_running;
    int events_handle; /* km_events.c */
} gh_km_t;

/* secret.c: read or create (0600) the server secret file. */
int gh_km_secret_load(const char *path, unsigned char out[32], gh_err_t *err);
/* What CONSUMER_SECRET holds for a secret under km's storage mode (out >= 160). */
void gh_km_secret_store_form(const gh_km_t *km, const char *secret, char *out, size_t size);
/* 1 when secret matches the stored form. */
int gh_km_secret_matches(const gh_km_t *km, const char *stored, const char *secret);

/* store_app.c */
int gh_km_app_get(gh_km_t *km, gh_db_conn_t *c, const char *client_id, gh_km_app_t *out, gh_err_t *err); /* 1/0/-1 */
int gh_km_app_insert(gh_km_t *km, gh_db_conn_t *c, gh_km_app_t *app, gh_err_t *err);
int gh_km_app_update(gh_km_t *km, gh_db_conn_t *c, const gh_km_app_t *app, gh_err_t *err);
int gh_km_app_delete(gh_km_t *km, gh_db_conn_t *c, const char *client_id, gh_err_t *err);

/* store_token.c. The token hashes are SHA-256 hex. */
int gh_km_tok_insert(gh_km_t *km, gh_db_conn_t *c, const gh_km_tok_t *t, const char *at, const char *rt, gh_err_t *err);
/* by access-token hash (by_refresh 0) or refresh-token hash (1): 1 found, 0 absent, -1 error */
int gh_km_tok_find(gh_km_t *km, gh_db_conn_t *c, const char *hash, int by_refresh, gh_km_tok_t *out, gh_err_t *err);
/* Move a token row to state (REVOKED, INACTIVE, EXPIRED) with a fresh TOKEN_STATE_ID; 1 changed, 0 not. */
int gh_km_tok_set_state(gh_km_t *km, gh_db_conn_t *c, const char *token_id, const char *state, gh_err_t *err);
/* Revoke every active user token of (app, user): the "family" revoked on refresh-token or code replay. */
int gh_km_tok_revoke_family(gh_km_t *km, gh_db_conn_t *c, int64_t app_id, const char *user, gh_err_t *err);
/* Active (state ACTIVE, not expired) from the cache or the database: 1 active (out filled), 0 not, -1 error. */
int gh_km_tok_active(gh_km_t *km, gh_db_conn_t *c, const char *at, gh_km_tok_t *out, gh_err_t *err);
/* Delete expired/revoked/inactive rows in one batch of at most `limit`; returns how many, or -1. */
int gh_km_tok_purge(gh_km_t *km, gh_db_conn_t *c, int limit, gh_err_t *err);

/* store_code.c */
typedef struct st_gh_km_code_t {
    char code_id[GH_KM_UUID_LEN];
    int64_t app_id;
    char callback[1024];
    char scope[1024];
    char user[256];
    char state[16];
    char token_id[GH_KM_UUID_LEN];
    char challenge[256];
    char method[16];
    char nonce[256];
    int64_t iat_ms, exp_ms;
} gh_km_code_t;
int gh_km_code_insert(gh_km_t *km, gh_db_conn_t *c, const gh_km_code_t *code, const char *raw, gh_err_t *err);
int gh_km_code_find(gh_km_t *km, gh_db_conn_t *c, const char *raw, int64_t app_id, gh_km_code_t *out, gh_err_t *err);
/* Mark used (INACTIVE) and link the token; 1 when this call consumed it, 0 when it was already used. */
int gh_km_code_consume(gh_km_t *km, gh_db_conn_t *c, const char *code_id, const char *token_id, gh_err_t *err);

/* store_scope.c */
/* WSO2 tenant-conf.json's REST API scopes and their roles, inserted when missing. */
int gh_km_scopes_seed(gh_km_t *km, gh_db_conn_t *c, gh_err_t *err);
/* Keep only the scopes user may have (bound role held, or unbound); "openid" is always kept. */
int gh_km_scopes_filter(gh_km_t *km, gh_db_conn_t *c, const char *user, gh_km_scopes_t *sc, gh_err_t *err);

/* km_events.c: drop cached tokens and clients when any process (cluster relay) revokes or changes them */
int gh_km_events_start(gh_km_t *km);
void gh_km_events_stop(gh_km_t *km);
/* ep_keyval.c: POST /services/APIKeyValidationService/validateKey */
int gh_km_on_keyval(h2o_handler_t *self, h2o_req_t *req);

/* purge.c */
void gh_km_purge_start(gh_km_t *km);
void gh_km_purge_stop(gh_km_t *km);

/* --- jobs: one struct for every endpoint; work() fills the result, the shared done() sends it --- */
typedef struct st_gh_km_job_t gh_km_job_t;
struct st_gh_km_job_t {
    gh_job_t super;
    gh_km_t *km;
    void (*run)(gh_km_job_t *j, gh_db_conn_t *c); /* called by work() with a borrowed connection */
    int listener;    /* 0 https, 1 http */
    char peer[64];   /* the client's address (login throttling) */
    gh_form_t form;
    char *cid, *csecret; /* client credentials presented */
    int allow_public;    /* the endpoint accepts a public client (client_id alone, no secret) */
    char *arg;           /* endpoint specific (bearer token, client id in the path, caller user) */
    char *arg2;
    json_t *in;          /* JSON request body */
    char method[8];
    /* result */
    int status;
    const char *error;   /* OAuth error code; NULL on success */
    char desc[256];
    int www_auth;        /* 1: WWW-Authenticate Basic, 2: Bearer error=invalid_token */
    json_t *out;         /* JSON response */
    char *text;          /* or a text response */
    const char *ctype;
    char *location;      /* or a redirect */
    char *set_cookie;
    char *hname[4], *hval[4]; /* extra response headers */
    int nh;
};

/* Allocate a job for req (heap). */
gh_km_job_t *gh_km_job_new(gh_km_t *km, h2o_req_t *req, void (*run)(gh_km_job_t *, gh_db_conn_t *));
/* Submit it: work() borrows a connection from km->pool and calls run(). */
void gh_km_job_submit(gh_km_job_t *j, h2o_req_t *req);
/* The start of the form-and-client-credentials endpoints (token, revoke, introspect): NULL when the method was
 * refused (already answered); otherwise a job, whose error is already set (status != 0) when the form or the
 * client credentials were malformed. */
gh_km_job_t *gh_km_job_post_form(gh_km_t *km, h2o_req_t *req, void (*run)(gh_km_job_t *, gh_db_conn_t *));
/* Record an OAuth error result. Returns GH_ERR. */
int gh_km_job_fail(gh_km_job_t *j, int status, const char *error, const char *fmt, ...) GH_PRINTF(4, 5);
void gh_km_job_header(gh_km_job_t *j, const char *name, const char *value);
/* Answer directly (loop thread) with the job's result and free it. */
void gh_km_job_answer(gh_km_job_t *j, h2o_req_t *req);
/* Send the job's result on req (the job stays). */
void gh_km_job_send(gh_km_job_t *j, h2o_req_t *req);
void gh_km_job_free(gh_km_job_t *j);

/* client_auth.c: take client credentials from Basic or the form (not both). 0 ok (maybe none), -1 invalid
 * request (j has the error). */
int gh_km_client_creds(gh_km_job_t *j, h2o_req_t *req);
/* Worker: authenticate the presented client; 1 ok (*app filled), 0 failed (j has a 401 invalid_client), -1.
 * A client_id without a secret passes only when j->allow_public is set and the client is public. */
int gh_km_client_check(gh_km_job_t *j, gh_db_conn_t *c, gh_km_app_t *app);
/* Worker: HTTP Basic of a user (RFC 7617: never form-decoded; throttled per j->peer) with permission `perm`
 * ('|' separates alternatives): 1 ok (*out filled: user, is_admin), 0 refused (j has the error), -1 error. */
int gh_km_user_caller(gh_km_job_t *j, const char *authz, const char *perm, gh_caller_t *out);
/* gh_km_user_caller that copies only the user name into out. */
int gh_km_user_check(gh_km_job_t *j, const char *authz, const char *perm, char *out, size_t size);
/* Loop: form body of req parsed into j->form; 0 ok, -1 with j's error set. */
int gh_km_parse_form(gh_km_job_t *j, h2o_req_t *req);
/* 0 https, 1 http listener */
int gh_km_listener_of(h2o_req_t *req);

/* issue.c (worker): mint access (+refresh when with_refresh, + ID token when openid) for app/user and put
 * the token response JSON in j->out. tok carries user, user_type, grant_type and scope (filtered). */
int gh_km_issue(gh_km_job_t *j, gh_db_conn_t *c, const gh_km_app_t *app, gh_km_tok_t *tok, int with_refresh,
                const char *nonce);
/* An ID token for user (heap) or NULL. */
char *gh_km_id_token(gh_km_t *km, int listener, const gh_km_app_t *app, const char *user, const char *at,
                     const char *nonce, int64_t now_ms);

/* grants */
void gh_km_grant_client_credentials(gh_km_job_t *j, gh_db_conn_t *c, const gh_km_app_t *app);
void gh_km_grant_password(gh_km_job_t *j, gh_db_conn_t *c, const gh_km_app_t *app);
void gh_km_grant_refresh(gh_km_job_t *j, gh_db_conn_t *c, const gh_km_app_t *app);
void gh_km_grant_code(gh_km_job_t *j, gh_db_conn_t *c, const gh_km_app_t *app);
void gh_km_grant_jwt_bearer(gh_km_job_t *j, gh_db_conn_t *c, const gh_km_app_t *app);
/* Load conf/security/trusted-issuers/ *.json ({"issuer": "...", "certificate_file": "x.pem"}); a missing folder
 * is no error. */
int gh_km_issuers_load(gh_km_t *km, const char *dir, gh_err_t *err);
void gh_km_issuers_dispose(gh_km_t *km);

/* backend_jwt.c (worker): the backend JWT for an authorised validation, into info->jwt. */
int gh_km_backend_jwt(gh_km_t *km, const gh_keyval_req_t *rq, gh_keyval_info_t *info, gh_err_t *err);

/* endpoints (route handlers); data is the gh_km_t */
int gh_km_on_token(h2o_handler_t *self, h2o_req_t *req);
int gh_km_on_revoke(h2o_handler_t *self, h2o_req_t *req);
int gh_km_on_introspect(h2o_handler_t *self, h2o_req_t *req);
int gh_km_on_jwks(h2o_handler_t *self, h2o_req_t *req);
int gh_km_on_discovery(h2o_handler_t *self, h2o_req_t *req);
int gh_km_on_dcr(h2o_handler_t *self, h2o_req_t *req);
int gh_km_on_apim_dcr(h2o_handler_t *self, h2o_req_t *req);
int gh_km_on_authorize(h2o_handler_t *self, h2o_req_t *req);
int gh_km_on_userinfo(h2o_handler_t *self, h2o_req_t *req);

#endif
