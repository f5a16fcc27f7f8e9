/* Private to modules/gateway: the API table snapshot, the validation cache, the per-request state and the
 * phases of the pipeline (route -> authenticate -> authorise -> throttle -> backend JWT -> proxy -> log). */
#ifndef GH_GW_INT_H
#define GH_GW_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <h2o.h>
#include "gatehouse/db.h"
#include "gatehouse/gateway.h"
#include "gatehouse/keyval.h"
#include "gatehouse/server.h"

#define GW_MAX_LOOPS 64
#define GW_TENANT_DOMAIN "carbon.super" /* the one tenant the gateway serves */

/* --- apis.c: the snapshot of deployable APIs, loaded on a job thread and swapped in atomically --- */
typedef struct st_gw_resource_t {
    char *verb;    /* GET, POST... */
    char *pattern; /* URI template: "/menu", "/order/{id}", "/items/ *", "/ *" (without the space) */
    char *auth;    /* Any | Application | Application_User | None */
    char *tier;    /* resource-level throttling policy, may be NULL */
    char *scope;   /* the scope key required, or NULL */
} gw_resource_t;

typedef struct st_gw_cors_t {
    int enabled;
    char *origins; /* comma separated, "*" for any */
    char *methods;
    char *headers;
    int credentials;
} gw_cors_t;

typedef struct st_gw_api_t {
    int64_t id;
    char *name, *provider, *version;
    char *context;      /* AM_API.CONTEXT: /pizza/1.0.0 */
    char *base_context; /* context without the version: /pizza (the default version's path) */
    char *status;       /* PUBLISHED | DEPRECATED | PROTOTYPED | BLOCKED */
    char *api_tier;     /* AM_API.API_TIER (the API's maximum), may be NULL */
    int is_default;
    int http, https;    /* transports */
    char *url[2];       /* [0] production, [1] sandbox endpoint, or NULL */
    int timeout_ms;     /* backend read timeout (endpointConfig actionDuration), default 60000 */
    gw_cors_t cors;
    gw_resource_t *res; /* most specific first */
    size_t n_res;
} gw_api_t;

/* A throttling policy: request count or bandwidth per window. */
typedef enum { GW_POL_SUB = 0, GW_POL_APP, GW_POL_API } gw_pol_level_t;
typedef struct st_gw_policy_t {
    char *name;
    gw_pol_level_t level;
    int bandwidth;      /* 1: quota in bytes */
    int64_t quota;
    int64_t window_ms;
    int stop_on_quota;  /* subscription policies: 0 lets calls pass (billing only) */
} gw_policy_t;

/* --- block.c: blocking conditions (AM_BLOCK_CONDITIONS), matched in canonical form (pure) --- */
typedef struct st_gw_strset_t {
    char **slot; /* open addressing, cap a power of two, at most half full */
    size_t cap, n;
} gw_strset_t;

typedef struct st_gw_block_t {
    gw_strset_t api, app, user, ip;
} gw_block_t;

typedef enum { GW_BLOCK_NONE = 0, GW_BLOCK_API, GW_BLOCK_APPLICATION, GW_BLOCK_IP, GW_BLOCK_USER } gw_block_type_t;

/* Add one enabled condition (TYPE, VALUE, DOMAIN of AM_BLOCK_CONDITIONS). -1 when the type is not one the gateway
 * enforces or the value cannot match anything (an IP that is not an address, an application without owner:). */
int gw_block_add(gw_block_t *b, const char *type, const char *value, const char *domain);
void gw_block_free(gw_block_t *b);
size_t gw_block_count(const gw_block_t *b);
/* IP or API condition for a call from ip (canonical, gw_block_*_canon) to the API at context / base_context
 * (the context without its version); GW_BLOCK_NONE when none applies. */
gw_block_type_t gw_block_early(const gw_block_t *b, const char *context, const char *base_context, const char *ip);
/* APPLICATION (subscriber:app_name) or USER (end_user) condition, once the key manager named them. */
gw_block_type_t gw_block_late(const gw_block_t *b, const char *subscriber, const char *app_name,
                              const char *end_user, const char *domain);
const char *gw_block_type_name(gw_block_type_t t);
/* An address as text in the form the IP set holds (IPv4-mapped IPv6 as IPv4); 0, or -1 if it is not one. */
int gw_block_ip_canon(const char *text, char *out, size_t size);
int gw_block_sockaddr_canon(const struct sockaddr *sa, char *out, size_t size);
/* An address or a network ("10.0.0.0/8", "::1"); IPv4 held as IPv4-mapped IPv6. */
typedef struct st_gw_cidr_t {
    unsigned char addr[16];
    int bits;
} gw_cidr_t;
int gw_cidr_parse(const char *text, size_t len, gw_cidr_t *out);
/* A comma or space separated list; -1 (and nothing) when an entry is not an address or network. */
int gw_cidr_list_parse(const char *list, gw_cidr_t **out, size_t *n);
int gw_cidr_match(const gw_cidr_t *list, size_t n, const char *ip);
/* The client's address: peer (canonical), unless peer is a trusted proxy; then, walking the X-Forwarded-For values
 * xff (in header order) from the right, the first address that is not a trusted proxy. Without trusted proxies
 * the header is never read. out gets canonical text; 0, or -1 when peer does not fit. */
int gw_block_client_ip(const gw_cidr_t *trusted, size_t n_trusted, const char *peer, const h2o_iovec_t *xff,
                       size_t n_xff, char *out, size_t size);

typedef struct st_gw_snapshot_t {
    atomic_int refs;
    uint64_t generation;
    gw_api_t *apis;
    size_t n_apis;
    gw_policy_t *pols;
    size_t n_pols;
    gw_block_t block; /* the tenant's enabled blocking conditions */
} gw_snapshot_t;

/* Load from the AM tables (worker thread). NULL and err on failure. */
gw_snapshot_t *gw_snapshot_load(gh_db_conn_t *c, gh_err_t *err);
gw_snapshot_t *gw_snapshot_ref(gw_snapshot_t *s);
void gw_snapshot_unref(gw_snapshot_t *s);
/* Policy by level and name, or NULL. */
const gw_policy_t *gw_policy_find(const gw_snapshot_t *s, gw_pol_level_t level, const char *name);
/* Sort resources most specific first (WSO2 order); exposed for tests. */
void gw_resources_sort(gw_resource_t *res, size_t n);

/* --- match.c (pure) --- */
/* 1 when path (no query) matches the URI template pattern. */
int gw_template_match(const char *pattern, const char *path, size_t len);
/* The API serving path, or NULL; *rest gets the offset after the context, *is_default whether the default
 * version's path was used. */
const gw_api_t *gw_route_find(const gw_snapshot_t *s, const char *path, size_t len, size_t *rest, int *is_default);
/* The first (most specific) resource of api matching verb and the path after the context; *path_matched is
 * set when some resource matched the path under another verb. */
const gw_resource_t *gw_resource_find(const gw_api_t *api, const char *verb, size_t vlen, const char *path,
                                      size_t len, int *path_matched);

/* --- cache.c: validation results per token and API, shared by every loop --- */
typedef struct st_gw_entry_t {
    atomic_int refs;
    gh_keyval_info_t info;
    int64_t expires_ms; /* never past the token's expiry */
    int64_t token_exp_ms;
    int km_unreachable; /* validation failed because no key manager answered (never cached) */
} gw_entry_t;

void gw_entry_unref(gw_entry_t *e);
void gw_cache_init(size_t max);
void gw_cache_dispose(void);
/* A referenced entry or NULL. key = sha256 hex of the token + ":" + API id. */
gw_entry_t *gw_cache_get(const char *key, int64_t now_ms);
void gw_cache_put(const char *key, gw_entry_t *e);
/* Drop entries whose key starts with prefix (a token hash); NULL drops everything. Every drop moves the epoch on. */
void gw_cache_drop(const char *prefix);
/* Changes with every drop: a validation that began before a drop may carry what the drop was about, so its
 * answer is served to the requests that waited for it but not cached (validate.c). */
uint64_t gw_cache_epoch(void);
/* Drop what a subscription, application or keys change can affect: entries of application_id (> 0; of api_id
 * only when api_id > 0), entries of consumer_key (non-NULL), and every refusal. Moves the epoch on. */
void gw_cache_drop_related(int64_t api_id, int64_t application_id, const char *consumer_key);
/* Drop every entry of one API. Moves the epoch on. */
void gw_cache_drop_api(int64_t api_id);
/* Remember a revocation for GW_REVOKED_TTL_MS: one token (token_hash), or every token of consumer_key issued
 * before at_ms. A key manager that has not heard of it yet (another process, its own cache) may still call the
 * token active; the gateway does not believe it (gw_cache_revoked). */
void gw_cache_revoke(const char *token_hash, const char *consumer_key, int64_t at_ms);
int gw_cache_revoked(const char *token_hash, const char *consumer_key, int64_t issued_ms, int64_t now_ms);
size_t gw_cache_size(void);

/* --- throttle.c: counters behind an interface (gh_gw_counters_t in gateway.h) --- */
const gh_gw_counters_t *gw_counters_memory(void);
/* counters_cluster.c: "cluster" (shared through GH_THROTTLE_COUNTER) for a gateway without a key manager in its
 * process, or as GH_GW_COUNTERS=cluster|memory says; else the in-memory ones */
const gh_gw_counters_t *gw_counters_select(gh_server_t *srv, gh_db_pool_t *pool);

/* --- metrics.c --- */
void gw_metrics_request(const char *api, int status, int fault);
void gw_metrics_throttled(void);
void gw_metrics_cache(int hit);
void gw_metrics_latency(int which, int64_t us); /* 0 validation, 1 backend, 2 total */
char *gw_metrics_render(void);                  /* heap text */
int gw_on_metrics(h2o_handler_t *self, h2o_req_t *req); /* metrics_ep.c: GET /metrics (admin Basic) */

/* --- the gateway --- */
typedef struct st_gw_loop_t gw_loop_t;

struct st_gh_gw_t {
    gh_server_t *srv;
    const gh_conf_t *conf;
    gh_db_pool_t *pool; /* AM tables */
    const gh_keyval_client_t *kv;
    void *kv_cls;
    const gh_gw_counters_t *counters;
    void *counters_cls;
    pthread_mutex_t mu;
    gw_snapshot_t *snap; /* current; swapped under mu */
    atomic_int reload_wanted;
    atomic_int reloads;
    pthread_t reload_tid;
    pthread_mutex_t reload_mu;
    pthread_cond_t reload_cv;
    int reload_running;
    int reload_interval_ms;
    int events_handle;
    int max_inflight;    /* validations per loop at once */
    SSL_CTX *client_ssl; /* for HTTPS backends */
    int km_local;        /* the key manager runs in this process: /token... go to it directly */
    char *jwt_header;    /* JWTHeader as configured, and lower-cased (h2o lower-cases request headers) */
    char *jwt_header_lc;
    int remove_auth_header; /* OAuthConfigurations/RemoveOAuthHeadersFromOutMessage */
    gw_cors_t cors;         /* api-manager.xml CORSConfiguration */
    char *km_url;           /* scheme://host:port of a remote key manager, or NULL */
    gw_cidr_t *trusted_proxies; /* ThrottlingConfigurations/BlockCondition/TrustedProxies: whose X-Forwarded-For counts */
    size_t n_trusted_proxies;
};

gw_snapshot_t *gw_current(gh_gw_t *gw); /* referenced */
void gw_reload_now(gh_gw_t *gw);         /* wake the reload thread */

/* --- per-request state (req->pool) --- */
typedef struct st_gw_req_t {
    h2o_req_t *req;
    gh_gw_t *gw;
    gw_snapshot_t *snap;
    const gw_api_t *api;
    const gw_resource_t *res;
    size_t rest; /* offset of the path after the context */
    int is_default;
    gw_entry_t *entry; /* validation result, referenced */
    int anonymous;
    int fault;          /* WSO2 code sent, or 0 */
    int proxied;
    int64_t t_start_us, t_validate_us, t_backend_us, t_backend_start_us;
    char key[96];        /* cache key */
    const char *token;   /* borrowed from the request's Authorization header */
    size_t token_len;
    void *waiter;        /* validate.c: set while suspended */
} gw_req_t;

enum { GW_NEXT = 0, GW_DONE = 1, GW_SUSPENDED = 2 };
typedef int (*gw_phase_fn)(gw_req_t *r);

/* pipeline.c: run the phases from index `from`. */
void gw_pipeline_run(gw_req_t *r, int from);
int gw_phase_index_after_authn(void);

/* phases */
int gw_ph_route(gw_req_t *r);
int gw_ph_cors(gw_req_t *r);
int gw_ph_authn(gw_req_t *r);
int gw_ph_authz(gw_req_t *r);
int gw_ph_block_early(gw_req_t *r); /* ph_block.c: IP and API conditions, before authentication */
int gw_ph_block_late(gw_req_t *r);  /* APPLICATION and USER conditions, after key validation */
int gw_ph_throttle(gw_req_t *r);
int gw_ph_jwt(gw_req_t *r);
int gw_ph_proxy(gw_req_t *r);
void gw_throttle_account(gw_req_t *r, int64_t bytes);
int gw_on_request(h2o_handler_t *self, h2o_req_t *req);
void gw_ph_log(gw_req_t *r); /* at the request's end */

/* validate.c: suspend r until its token is validated (coalesced, bounded per loop). */
int gw_validate_suspend(gw_req_t *r);
/* The request is going away while suspended: its validation must not resume it. */
void gw_validate_forget(gw_req_t *r);
int64_t gh_gw_now_ms(void);

/* fault.c: WSO2 fault in JSON or XML (Accept), content length set, WWW-Authenticate on 401. */
void gw_fault(gw_req_t *r, int status, int code, const char *message, const char *description);
/* The authentication failure for a validation status (900901...): status and description as WSO2 words it. */
void gw_fault_auth(gw_req_t *r, int code);
void gw_fault_throttle(gw_req_t *r, int code, int64_t retry_after_s);
/* Add the API's (or the global) CORS response headers when the request carries an Origin. */
void gw_cors_headers(gw_req_t *r);

/* proxy.c */
void gw_proxy_dispose(void);
/* On a loop thread as it stops: its socket pools and client timers (libh2o asserts no timer outlives a loop). */
void gw_proxy_loop_dispose(h2o_loop_t *loop);
h2o_loop_t *gw_proxy_current_loop(void); /* the loop this thread's proxy state was made on, or NULL */
void gw_proxy_filter_register(h2o_pathconf_t *pathconf, void *data);
/* Forward r's request to url + tail with a read timeout; returns GW_DONE (the proxy answers). */
int gw_proxy_to(gw_req_t *r, const char *url, h2o_iovec_t tail, int timeout_ms);
int64_t gw_now_us(void);

/* forward.c: /token, /revoke, /userinfo, /authorize on the gateway listeners */
int gw_on_forward(h2o_handler_t *self, h2o_req_t *req);
/* forward_km.c: forward req to path on a remote key manager from a job, trying the next key manager while one
 * cannot be reached. GH_ERR (nothing sent) when this gateway has no remote key managers (ws-client). */
int gw_forward_remote(gh_gw_t *gw, h2o_req_t *req, h2o_iovec_t path);
void gw_register_kv_inproc(void);
/* kv_remote.c: the "ws-client" (KeyValidatorClientType WSClient) and the choice between it and in-process */
void gw_register_kv_remote(void);
typedef struct st_gh_plugin_t gh_plugin_t;
const gh_plugin_t *gw_kv_select(gh_server_t *srv, gh_err_t *err);
/* scheme://host:port of a key manager for forwarded /token... (round-robin over those not found down), or NULL
 * when the gateway does not use the ws-client */
const char *gw_kv_remote_base(const gh_gw_t *gw);

#endif
