/* Private to the "ws-client" (kv_remote.c, kv_http.c): the key managers of APIKeyValidator/ServerURL, the
 * client's state, and the blocking HTTP(S) exchange with kept-alive connections that validate() runs on a job
 * worker. */
#ifndef GH_KV_REMOTE_H
#define GH_KV_REMOTE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <openssl/ssl.h>
#include "gatehouse/conf.h"
#include "gatehouse/err.h"

#define KVR_MAX_INFLIGHT 32   /* calls on the wire at once, all loops together */
#define KVR_TIMEOUT_MS 5000   /* connect, each read/write, and the wait for a slot */
#define KVR_DOWN_MS 2000      /* a failed key manager is skipped this long (unless every one is down) */
#define KVR_IDLE_MS 5000      /* kept-alive connections older than this are closed, not reused */
#define KVR_RESP_MAX (256 * 1024)
#define KVR_SERVICE "APIKeyValidationService/validateKey"

typedef struct st_target_t {
    char *host, *port, *path; /* path: /services/APIKeyValidationService/validateKey */
    char *base;               /* scheme://host:port, where the gateway forwards /token and friends */
    int tls;
    _Atomic int64_t down_until_ms;
    _Atomic int64_t last_ok_ms, last_fail_ms; /* for /health: did the last call reach it? */
} target_t;

typedef struct st_conn_t {
    struct st_conn_t *next;
    int fd;
    SSL *ssl;
    size_t target;
    int64_t last_used_ms;
} conn_t;

typedef struct st_kvr_t {
    target_t *t;
    size_t n;
    atomic_uint rr;
    char *authz; /* Authorization header value */
    SSL_CTX *ssl;
    int timeout_ms;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int inflight;
    conn_t *idle;
    int health; /* the "key-managers" /health component */
} kvr_t;

typedef struct st_resp_t {
    int status;
    int keep_alive;
    char *buf; /* heap; body at buf + body_off */
    size_t body_off, body_len;
} resp_t;

int64_t kvr_mono_ms(void);
/* Record a call's outcome for target ti: a failure skips it for KVR_DOWN_MS and shows in /health. */
void kvr_mark(kvr_t *k, size_t ti, int ok);
void kvr_conn_close(conn_t *c);
/* One call to target ti on a kept-alive connection (or a new one; a stale one is retried once on a new one):
 * 1 answered (resp filled: free resp->buf), 0 failed (err says why, GH_E_UNAVAILABLE). *sent (may be NULL) says
 * whether the key manager may have received the request: a call that was not sent is safe to try elsewhere. */
int kvr_call(kvr_t *k, size_t ti, const char *req, size_t reqlen, resp_t *resp, int *sent, gh_err_t *err);
/* A raw HTTP answer's header named name (case-insensitive), or NULL; *len its length. */
const char *kvr_resp_header(const resp_t *resp, const char *name, size_t *len);
/* The client context: verifies the key manager against security/client-truststore.pem, this node's own
 * certificate, carbon.xml's and the system CAs (GH_KEY_VALIDATOR_INSECURE_TLS=1: no verification). */
SSL_CTX *kvr_trust(const gh_conf_t *conf);
/* The ws-client of this gateway, or NULL when it validates otherwise (a key manager in this process). */
struct st_gh_gw_t;
kvr_t *gw_kv_remote(const struct st_gh_gw_t *gw);

#endif
