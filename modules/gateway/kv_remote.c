/* The "ws-client" key-validation client (KeyValidatorClientType WSClient): a gateway without a key manager in
 * its process asks the key managers of APIKeyValidator/ServerURL (a comma-separated list) over HTTPS or HTTP,
 * POST {ServerURL}APIKeyValidationService/validateKey with a JSON body (modules/keymanager/ep_keyval.c) and HTTP
 * Basic APIKeyValidator/Username:Password.
 *
 * validate() runs on a job worker (validate.c bounds how many per loop), so it may block: each call takes a
 * kept-alive connection from a small pool (or opens one; kv_http.c), with a connect and I/O timeout. At most
 * KVR_MAX_INFLIGHT calls are on the wire at once; more wait for a slot up to the timeout. Key managers are used
 * round-robin; one that cannot be reached, times out or answers 5xx is skipped for KVR_DOWN_MS and the call goes
 * to the next; when every one failed the error is GH_E_UNAVAILABLE, which the gateway answers with its "key
 * manager unreachable" fault (docs/deployment.md) while tokens it validated before keep working from its cache.
 *
 * TLS: OpenSSL verifies the key manager's certificate and host name against the trust store
 * <conf>/security/client-truststore.pem (PEM; how to export the generated certificate into it is in
 * docs/deployment.md), this node's own certificate and the system CAs. GH_KEY_VALIDATOR_INSECURE_TLS=1 turns
 * verification off, for development only (logged at start). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "gatehouse/form.h"
#include "gatehouse/health.h"
#include "gatehouse/keymanager.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/registry.h"
#include "gw_int.h"
#include "kv_remote.h"

static int parse_url(const char *u, size_t len, target_t *t, gh_err_t *err)
{
    char *s = gh_strndup(u, len), *p, *h, *e, *path;
    int rc = GH_ERR;

    for (p = s; *p == ' ' || *p == '\t' || *p == '\n'; ++p)
        ;
    for (e = p + strlen(p); e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'); --e)
        e[-1] = '\0';
    if (strncasecmp(p, "https://", 8) == 0) {
        t->tls = 1, h = p + 8;
    } else if (strncasecmp(p, "http://", 7) == 0) {
        t->tls = 0, h = p + 7;
    } else {
        gh_err_set(err, GH_E_CONFIG, "api-manager.xml APIKeyValidator/ServerURL '%s': not an http(s) URL", p);
        goto out;
    }
    path = strchr(h, '/');
    t->path = gh_asprintf("%s%s" KVR_SERVICE, path != NULL ? path : "/services/",
                          path != NULL && path[strlen(path) - 1] != '/' ? "/" : "");
    if (path != NULL)
        *path = '\0';
    if (h[0] == '[') { /* [v6]:port */
        char *rb = strchr(h, ']');
        if (rb == NULL) {
            gh_err_set(err, GH_E_CONFIG, "APIKeyValidator/ServerURL '%s': bad IPv6 address", p);
            goto out;
        }
        *rb = '\0';
        t->host = gh_strdup(h + 1);
        t->port = gh_strdup(rb[1] == ':' ? rb + 2 : (t->tls ? "443" : "80"));
    } else if ((e = strrchr(h, ':')) != NULL) {
        *e = '\0';
        t->host = gh_strdup(h);
        t->port = gh_strdup(e + 1);
    } else {
        t->host = gh_strdup(h);
        t->port = gh_strdup(t->tls ? "443" : "80");
    }
    if (t->host[0] == '\0' || atoi(t->port) <= 0) {
        gh_err_set(err, GH_E_CONFIG, "APIKeyValidator/ServerURL '%s': host or port missing", p);
        goto out;
    }
    t->base = gh_asprintf("%s://%s%s%s:%s", t->tls ? "https" : "http", strchr(t->host, ':') ? "[" : "", t->host,
                          strchr(t->host, ':') ? "]" : "", t->port);
    rc = GH_OK;
out:
    free(s);
    return rc;
}

static char *request_text(kvr_t *k, const target_t *t, const gh_keyval_req_t *rq, size_t *len)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:b}", "accessToken", rq->token, "context", rq->context, "version",
                          rq->version ? rq->version : "", "requiredAuthenticationLevel",
                          rq->auth_level ? rq->auth_level : "Any", "generateJWT", rq->with_jwt);
    char *body, *out;

    if (rq->required_scope != NULL)
        json_object_set_new(o, "requiredScope", json_string(rq->required_scope));
    if (rq->client_domain != NULL)
        json_object_set_new(o, "clientDomain", json_string(rq->client_domain));
    body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    out = gh_asprintf("POST %s HTTP/1.1\r\nHost: %s:%s\r\nAuthorization: %s\r\nContent-Type: application/json\r\n"
                      "Accept: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                      t->path, t->host, t->port, k->authz, strlen(body), body);
    OPENSSL_cleanse(body, strlen(body)); /* it holds the token */
    free(body);
    *len = strlen(out);
    return out;
}

static int slot_take(kvr_t *k, gh_err_t *err)
{
    struct timespec ts;
    int rc = 0;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += k->timeout_ms / 1000;
    ts.tv_nsec += (long)(k->timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&k->mu);
    while (k->inflight >= KVR_MAX_INFLIGHT && rc == 0)
        rc = pthread_cond_timedwait(&k->cv, &k->mu, &ts);
    if (k->inflight < KVR_MAX_INFLIGHT)
        k->inflight++, rc = 0;
    pthread_mutex_unlock(&k->mu);
    if (rc != 0)
        return gh_err_set(err, GH_E_UNAVAILABLE, "too many key validations in flight to the key manager");
    return GH_OK;
}

static void slot_give(kvr_t *k)
{
    pthread_mutex_lock(&k->mu);
    k->inflight--;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

static int validate(void *cls, const gh_keyval_req_t *rq, gh_keyval_info_t *out, gh_err_t *err)
{
    kvr_t *k = cls;
    size_t start = atomic_fetch_add(&k->rr, 1) % k->n, pass, i;
    int64_t now = kvr_mono_ms();
    int rc = GH_ERR, tried = 0;
    resp_t resp = {0};

    memset(out, 0, sizeof(*out));
    if (slot_take(k, err) != GH_OK)
        return GH_ERR;
    /* round-robin over the key managers that are up; those marked down only when every one is */
    for (pass = 0; pass < 2 && rc != GH_OK; ++pass) {
        for (i = 0; i < k->n; ++i) {
            size_t ti = (start + i) % k->n;
            int down = atomic_load(&k->t[ti].down_until_ms) > now;
            char *req;
            size_t len;
            int ok;

            if (down != (pass == 1))
                continue;
            tried++;
            req = request_text(k, &k->t[ti], rq, &len);
            ok = kvr_call(k, ti, req, len, &resp, NULL, err);
            OPENSSL_cleanse(req, len);
            free(req);
            if (ok && resp.status == 200) {
                rc = gh_keyval_info_decode(resp.buf + resp.body_off, resp.body_len, out, err);
                if (rc != GH_OK)
                    err->code = GH_E_UNAVAILABLE;
            } else if (ok && (resp.status == 401 || resp.status == 403)) {
                gh_err_set(err, GH_E_AUTH,
                           "key manager %s:%s refused the gateway's credentials (HTTP %d): check APIKeyValidator/"
                           "Username and Password, and that the user holds /permission/admin/manage",
                           k->t[ti].host, k->t[ti].port, resp.status);
            } else if (ok) {
                gh_err_set(err, GH_E_UNAVAILABLE, "key manager %s:%s answered HTTP %d", k->t[ti].host, k->t[ti].port,
                           resp.status);
            }
            free(resp.buf);
            resp.buf = NULL;
            if (rc == GH_OK) {
                kvr_mark(k, ti, 1);
                break;
            }
            if (err->code == GH_E_AUTH)
                goto out;
            kvr_mark(k, ti, 0);
        }
        if (rc == GH_OK || tried == (int)k->n)
            break;
    }
out:
    slot_give(k);
    return rc;
}

void kvr_mark(kvr_t *k, size_t ti, int ok)
{
    int64_t now = kvr_mono_ms();

    atomic_store(&k->t[ti].down_until_ms, ok ? 0 : now + KVR_DOWN_MS);
    atomic_store(ok ? &k->t[ti].last_ok_ms : &k->t[ti].last_fail_ms, now);
}

/* DEGRADED, not DOWN, when key managers fail: the gateway still serves every token it validated, and a 503 here
 * would make a load balancer drop every gateway at once. */
static gh_health_state_t on_health(void *data, char *detail, size_t size)
{
    kvr_t *k = data;
    size_t i, bad = 0, off = 0;

    detail[0] = '\0';
    for (i = 0; i < k->n; ++i)
        if (atomic_load(&k->t[i].last_fail_ms) > atomic_load(&k->t[i].last_ok_ms)) {
            int w = snprintf(detail + off, off < size ? size - off : 0, "%s%s:%s", bad++ ? ", " : "",
                             k->t[i].host, k->t[i].port);
            if (w > 0)
                off += (size_t)w;
        }
    if (bad == 0) {
        snprintf(detail, size, "%zu key manager(s), the last call to each answered (or none yet)", k->n);
        return GH_HEALTH_UP;
    }
    if (off < size)
        snprintf(detail + off, size - off, ": the last call failed%s", bad == k->n ? " (all of them)" : "");
    return GH_HEALTH_DEGRADED;
}

static void destroy(void *cls)
{
    kvr_t *k = cls;
    size_t i;

    if (k == NULL)
        return;
    gh_health_unregister(k->health); /* checks run under the registry lock: none runs on k after this */
    while (k->idle != NULL) {
        conn_t *c = k->idle;
        k->idle = c->next;
        kvr_conn_close(c);
    }
    for (i = 0; i < k->n; ++i) {
        free(k->t[i].host);
        free(k->t[i].port);
        free(k->t[i].path);
        free(k->t[i].base);
    }
    free(k->t);
    if (k->ssl != NULL)
        SSL_CTX_free(k->ssl);
    if (k->authz != NULL)
        gh_free_secret(k->authz);
    pthread_mutex_destroy(&k->mu);
    pthread_cond_destroy(&k->cv);
    free(k);
}

static char *basic_header(const char *user, const char *password)
{
    /* RFC 7617, as WSO2's WSClient sends it (and as the key manager decodes it once the gw branch is merged:
     * user:password as is, then Base64) */
    char *raw = gh_asprintf("%s:%s", user, password);
    size_t n = strlen(raw);
    unsigned char *b64 = gh_malloc(4 * ((n + 2) / 3) + 1);
    char *out;

    EVP_EncodeBlock(b64, (const unsigned char *)raw, (int)n);
    out = gh_asprintf("Basic %s", b64);
    gh_free_secret((char *)b64);
    gh_free_secret(raw);
    return out;
}

static void *create(void *srv, gh_err_t *err)
{
    const gh_conf_t *conf = gh_server_conf(srv);
    const gh_conf_apim_t *a = &conf->apim;
    const char *url = a->key_validator_url, *p, *e;
    kvr_t *k;

    if (url == NULL || url[0] == '\0') {
        gh_err_set(err, GH_E_CONFIG,
                   "api-manager.xml: this gateway runs no key manager, so APIKeyValidator/ServerURL must name one "
                   "(e.g. https://km.example.com:9444/services/)");
        return NULL;
    }
    k = gh_calloc(1, sizeof(*k));
    pthread_mutex_init(&k->mu, NULL);
    pthread_cond_init(&k->cv, NULL);
    k->timeout_ms = KVR_TIMEOUT_MS;
    for (p = url; p != NULL && *p != '\0'; p = e != NULL ? e + 1 : NULL) {
        e = strchr(p, ',');
        if ((e != NULL ? (size_t)(e - p) : strlen(p)) == 0)
            continue;
        k->t = gh_realloc(k->t, (k->n + 1) * sizeof(*k->t));
        memset(&k->t[k->n], 0, sizeof(k->t[k->n]));
        if (parse_url(p, e != NULL ? (size_t)(e - p) : strlen(p), &k->t[k->n++], err) != GH_OK)
            goto fail;
    }
    if (k->n == 0) {
        gh_err_set(err, GH_E_CONFIG, "api-manager.xml APIKeyValidator/ServerURL names no key manager");
        goto fail;
    }
    k->authz = basic_header(a->key_validator_user ? a->key_validator_user : "",
                            a->key_validator_password ? a->key_validator_password : "");
    k->ssl = kvr_trust(conf);
    for (size_t i = 0; i < k->n; ++i)
        gh_log(GH_LOG_INFO, "gateway", "key validation: %s://%s:%s%s", k->t[i].tls ? "https" : "http", k->t[i].host,
               k->t[i].port, k->t[i].path);
    k->health = gh_health_register("key-managers", on_health, k);
    return k;
fail:
    destroy(k);
    return NULL;
}

static const gh_keyval_client_t ws = {.name = "ws-client", .create = create, .validate = validate, .destroy = destroy};

void gw_register_kv_remote(void)
{
    static const char *const classes[] = {"WSClient", NULL};
    static const gh_plugin_t p = {GH_FAMILY_KEY_VALIDATION, "ws-client", classes, &ws};

    if (gh_registry_find(GH_FAMILY_KEY_VALIDATION, "ws-client", NULL) == NULL)
        gh_registry_add(&p, NULL);
}

kvr_t *gw_kv_remote(const gh_gw_t *gw)
{
    return gw->kv == &ws ? gw->kv_cls : NULL;
}

const char *gw_kv_remote_base(const gh_gw_t *gw)
{
    kvr_t *k = gw->kv_cls;
    int64_t now = kvr_mono_ms();
    size_t start, i;

    if (gw->kv != &ws || k == NULL)
        return NULL;
    /* round-robin over the key managers validation has not found down; the first when all are */
    start = atomic_fetch_add(&k->rr, 1) % k->n;
    for (i = 0; i < k->n; ++i)
        if (atomic_load(&k->t[(start + i) % k->n].down_until_ms) <= now)
            return k->t[(start + i) % k->n].base;
    return k->t[0].base;
}

const gh_plugin_t *gw_kv_select(gh_server_t *srv, gh_err_t *err)
{
    const char *type = gh_server_conf(srv)->apim.key_validator_client_type;

    /* the key-manager role in this process answers directly, whatever the client type says (all-in-one); a key
     * manager run only for the portals of this process does not: the gateway asks APIKeyValidator/ServerURL */
    if ((gh_server_roles(srv) & GH_ROLE_KM) && gh_server_km(srv) != NULL)
        return gh_registry_find(GH_FAMILY_KEY_VALIDATION, "in-process", err);
    if (type == NULL || type[0] == '\0')
        type = "WSClient";
    if (strcmp(type, "ThriftClient") == 0) {
        gh_err_set(err, GH_E_CONFIG,
                   "api-manager.xml: KeyValidatorClientType ThriftClient is not supported; write "
                   "<KeyValidatorClientType>WSClient</KeyValidatorClientType> (the key manager's validation service "
                   "over HTTPS at APIKeyValidator/ServerURL), and EnableThriftServer false");
        return NULL;
    }
    return gh_registry_find(GH_FAMILY_KEY_VALIDATION, type, err);
}
