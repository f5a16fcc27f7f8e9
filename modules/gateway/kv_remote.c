/* The "ws-client" key-validation client (KeyValidatorClientType WSClient): a gateway without a key manager in
 * its process asks the key managers of APIKeyValidator/ServerURL (a comma-separated list) over HTTPS or HTTP,
 * POST {ServerURL}APIKeyValidationService/validateKey with a JSON body (modules/keymanager/ep_keyval.c) and HTTP
 * Basic APIKeyValidator/Username:Password.
 *
 * validate() runs on a job worker (validate.c bounds how many per loop), so it may block: each call takes a
 * kept-alive connection from a small pool (or opens one), with a connect and I/O timeout. At most
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
#include "gatehouse/keymanager.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/registry.h"
#include "gw_int.h"

#define KVR_MAX_INFLIGHT 32   /* calls on the wire at once, all loops together */
#define KVR_TIMEOUT_MS 5000   /* connect, each read/write, and the wait for a slot */
#define KVR_DOWN_MS 2000      /* a failed key manager is skipped this long (unless every one is down) */
#define KVR_IDLE_MS 5000      /* kept-alive connections older than this are closed, not reused */
#define KVR_RESP_MAX (256 * 1024)
#define KVR_SERVICE "APIKeyValidationService/validateKey"

/* picohttpparser, which libh2o carries and exports without installing its header */
struct phr_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};
int phr_parse_response(const char *buf, size_t len, int *minor_version, int *status, const char **msg, size_t *msg_len,
                       struct phr_header *headers, size_t *num_headers, size_t last_len);

typedef struct st_target_t {
    char *host, *port, *path; /* path: /services/APIKeyValidationService/validateKey */
    char *base;               /* scheme://host:port, where the gateway forwards /token and friends */
    int tls;
    _Atomic int64_t down_until_ms;
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
} kvr_t;

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_close(conn_t *c)
{
    if (c == NULL)
        return;
    if (c->ssl != NULL)
        SSL_free(c->ssl); /* no close_notify: the peer may be gone, and a blocking shutdown could hang */
    if (c->fd >= 0)
        close(c->fd);
    free(c);
}

/* "https://host:port/services/" -> target; 0 ok */
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

static void ssl_error(gh_err_t *err, const target_t *t, SSL *ssl, const char *what)
{
    char buf[256] = "";
    unsigned long e = ERR_get_error();
    long v = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;

    if (e != 0)
        ERR_error_string_n(e, buf, sizeof(buf));
    ERR_clear_error();
    if (v != X509_V_OK)
        gh_err_set(err, GH_E_UNAVAILABLE,
                   "key manager %s:%s: %s: certificate not trusted (%s); add its certificate to "
                   "security/client-truststore.pem",
                   t->host, t->port, what, X509_verify_cert_error_string(v));
    else
        gh_err_set(err, GH_E_UNAVAILABLE, "key manager %s:%s: %s failed%s%s", t->host, t->port, what, buf[0] ? ": " : "",
                   buf);
}

static int wait_fd(int fd, short ev, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = ev};
    int rc;

    while ((rc = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
        ;
    return rc;
}

static conn_t *conn_open(kvr_t *k, size_t ti, gh_err_t *err)
{
    target_t *t = &k->t[ti];
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL, *ai;
    struct timeval tv = {.tv_sec = k->timeout_ms / 1000, .tv_usec = (k->timeout_ms % 1000) * 1000};
    conn_t *c = gh_calloc(1, sizeof(*c));
    int rc, one = 1, soerr = 0;
    socklen_t sl = sizeof(soerr);
    unsigned char ip[16];

    c->fd = -1;
    c->target = ti;
    if ((rc = getaddrinfo(t->host, t->port, &hints, &res)) != 0) {
        gh_err_set(err, GH_E_UNAVAILABLE, "key manager %s:%s: %s", t->host, t->port, gai_strerror(rc));
        goto fail;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        if ((c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol)) < 0)
            continue;
        if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
            (errno == EINPROGRESS && wait_fd(c->fd, POLLOUT, k->timeout_ms) == 1 &&
             getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0))
            break;
        gh_err_set(err, GH_E_UNAVAILABLE, "key manager %s:%s: cannot connect: %s", t->host, t->port,
                   soerr != 0 ? strerror(soerr) : errno == EINPROGRESS ? "timed out" : strerror(errno));
        close(c->fd);
        c->fd = -1;
    }
    freeaddrinfo(res);
    if (c->fd < 0)
        goto fail;
    /* from here blocking I/O with timeouts: this is a job worker */
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) & ~O_NONBLOCK);
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (t->tls) {
        int is_ip = inet_pton(AF_INET, t->host, ip) == 1 || inet_pton(AF_INET6, t->host, ip) == 1;
        c->ssl = SSL_new(k->ssl);
        SSL_set_fd(c->ssl, c->fd);
        if (!is_ip)
            SSL_set_tlsext_host_name(c->ssl, t->host);
        /* the certificate must name the host we asked for (DNS or IP SAN) */
        if (is_ip)
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), t->host);
        else
            SSL_set1_host(c->ssl, t->host);
        if (SSL_connect(c->ssl) != 1) {
            ssl_error(err, t, c->ssl, "TLS handshake");
            goto fail;
        }
    }
    return c;
fail:
    conn_close(c);
    return NULL;
}

static int conn_write(conn_t *c, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = c->ssl != NULL ? SSL_write(c->ssl, p, (int)n) : send(c->fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) {
            if (c->ssl == NULL && w < 0 && errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static ssize_t conn_read(conn_t *c, char *p, size_t n)
{
    ssize_t r;

    do
        r = c->ssl != NULL ? SSL_read(c->ssl, p, (int)n) : recv(c->fd, p, n, 0);
    while (r < 0 && c->ssl == NULL && errno == EINTR);
    return r;
}

typedef struct st_resp_t {
    int status;
    int keep_alive;
    char *buf; /* heap; body at buf + body_off */
    size_t body_off, body_len;
} resp_t;

/* Send req and read the response. 0 ok; -1 nothing came back (a kept-alive connection the peer had closed:
 * retry on a new one); -2 failed after the answer started. */
static int exchange(conn_t *c, const char *req, size_t reqlen, resp_t *out, const target_t *t, gh_err_t *err)
{
    size_t cap = 8192, len = 0, i, nh, body_need = SIZE_MAX;
    char *buf = gh_malloc(cap);
    struct phr_header h[32];
    const char *msg;
    size_t msg_len;
    int minor, status = 0, hl = -2, chunked = 0, close_hdr = 0;
    ssize_t r;

    memset(out, 0, sizeof(*out));
    if (conn_write(c, req, reqlen) != 0) {
        gh_err_set(err, GH_E_UNAVAILABLE, "key manager %s:%s: sending the request failed", t->host, t->port);
        free(buf);
        return -1;
    }
    for (;;) {
        if (len == cap) {
            if (cap >= KVR_RESP_MAX) {
                gh_err_set(err, GH_E_UNAVAILABLE, "key manager %s:%s: answer too large", t->host, t->port);
                goto fail2;
            }
            buf = gh_realloc(buf, cap *= 2);
        }
        if ((r = conn_read(c, buf + len, cap - len)) <= 0) {
            if (hl > 0 && body_need == SIZE_MAX && r == 0)
                break; /* no Content-Length: the body ends at close */
            gh_err_set(err, GH_E_UNAVAILABLE, "key manager %s:%s: %s", t->host, t->port,
                       r == 0 ? "connection closed" : errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : "read failed");
            if (len == 0) {
                free(buf);
                return -1;
            }
            goto fail2;
        }
        len += (size_t)r;
        if (hl <= 0) {
            nh = GH_ARRAY_SIZE(h);
            hl = phr_parse_response(buf, len, &minor, &status, &msg, &msg_len, h, &nh, 0);
            if (hl == -1) {
                gh_err_set(err, GH_E_UNAVAILABLE, "key manager %s:%s: malformed HTTP answer", t->host, t->port);
                goto fail2;
            }
            if (hl == -2)
                continue;
            close_hdr = minor == 0;
            for (i = 0; i < nh; ++i) {
                if (h[i].name_len == 14 && strncasecmp(h[i].name, "content-length", 14) == 0)
                    body_need = (size_t)strtoull(h[i].value, NULL, 10);
                else if (h[i].name_len == 17 && strncasecmp(h[i].name, "transfer-encoding", 17) == 0)
                    chunked = 1;
                else if (h[i].name_len == 10 && strncasecmp(h[i].name, "connection", 10) == 0)
                    close_hdr = h[i].value_len == 5 && strncasecmp(h[i].value, "close", 5) == 0;
            }
            if (chunked) {
                gh_err_set(err, GH_E_UNAVAILABLE, "key manager %s:%s: chunked answers are not expected", t->host, t->port);
                goto fail2;
            }
            if (body_need != SIZE_MAX && body_need > KVR_RESP_MAX) {
                gh_err_set(err, GH_E_UNAVAILABLE, "key manager %s:%s: answer too large", t->host, t->port);
                goto fail2;
            }
        }
        if (body_need != SIZE_MAX && len - (size_t)hl >= body_need)
            break;
    }
    out->status = status;
    out->keep_alive = !close_hdr && body_need != SIZE_MAX && len - (size_t)hl == body_need;
    out->buf = buf;
    out->body_off = (size_t)hl;
    out->body_len = len - (size_t)hl;
    return 0;
fail2:
    free(buf);
    return -2;
}

/* A kept-alive connection to target ti, or NULL. Stale ones (old, or readable: the peer closed) are dropped. */
static conn_t *take_idle(kvr_t *k, size_t ti)
{
    conn_t **pp, *c = NULL, *stale = NULL;
    int64_t now = mono_ms();

    pthread_mutex_lock(&k->mu);
    for (pp = &k->idle; *pp != NULL;) {
        conn_t *x = *pp;
        if (now - x->last_used_ms > KVR_IDLE_MS) {
            *pp = x->next;
            x->next = stale;
            stale = x;
        } else if (c == NULL && x->target == ti) {
            *pp = x->next;
            c = x;
        } else {
            pp = &x->next;
        }
    }
    pthread_mutex_unlock(&k->mu);
    while (stale != NULL) {
        conn_t *n = stale->next;
        conn_close(stale);
        stale = n;
    }
    if (c != NULL && wait_fd(c->fd, POLLIN, 0) != 0) {
        conn_close(c);
        c = NULL;
    }
    return c;
}

static void give_back(kvr_t *k, conn_t *c)
{
    c->last_used_ms = mono_ms();
    pthread_mutex_lock(&k->mu);
    c->next = k->idle;
    k->idle = c;
    pthread_mutex_unlock(&k->mu);
}

/* One call to target ti: 1 answered (resp filled), 0 failed (err set). */
static int call_one(kvr_t *k, size_t ti, const char *req, size_t reqlen, resp_t *resp, gh_err_t *err)
{
    conn_t *c;
    int attempt, rc;

    for (attempt = 0; attempt < 2; ++attempt) {
        int reused = (c = attempt == 0 ? take_idle(k, ti) : NULL) != NULL;
        if (c == NULL && (c = conn_open(k, ti, err)) == NULL)
            return 0;
        rc = exchange(c, req, reqlen, resp, &k->t[ti], err);
        if (rc == 0) {
            if (resp->keep_alive)
                give_back(k, c);
            else
                conn_close(c);
            return 1;
        }
        conn_close(c);
        if (!(rc == -1 && reused))
            return 0; /* a fresh connection that failed is the key manager's failure, not a stale socket */
    }
    return 0;
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
    int64_t now = mono_ms();
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
            ok = call_one(k, ti, req, len, &resp, err);
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
                atomic_store(&k->t[ti].down_until_ms, 0);
                break;
            }
            if (err->code == GH_E_AUTH)
                goto out;
            atomic_store(&k->t[ti].down_until_ms, now + KVR_DOWN_MS);
        }
        if (rc == GH_OK || tried == (int)k->n)
            break;
    }
out:
    slot_give(k);
    return rc;
}

static SSL_CTX *trust(const gh_conf_t *conf)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    const char *insecure = getenv("GH_KEY_VALIDATOR_INSECURE_TLS");
    char path[4096];
    struct stat st;

    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (insecure != NULL && strcmp(insecure, "1") == 0) {
        gh_log(GH_LOG_WARN, "gateway",
               "GH_KEY_VALIDATOR_INSECURE_TLS=1: the key manager's certificate is NOT verified (development only)");
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
        return ctx;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_default_verify_paths(ctx);
    /* the operator's trust store, then this node's own certificate (nodes sharing one certificate) */
    snprintf(path, sizeof(path), "%s/security/client-truststore.pem", conf->dir);
    if (stat(path, &st) == 0 && SSL_CTX_load_verify_locations(ctx, path, NULL) != 1)
        gh_log(GH_LOG_WARN, "gateway", "%s: not a PEM certificate list", path);
    snprintf(path, sizeof(path), "%s/security/gatehouse-cert.pem", conf->dir);
    if (stat(path, &st) == 0)
        SSL_CTX_load_verify_locations(ctx, path, NULL);
    if (conf->carbon.cert_file != NULL)
        SSL_CTX_load_verify_locations(ctx, conf->carbon.cert_file, NULL);
    ERR_clear_error();
    return ctx;
}

static void destroy(void *cls)
{
    kvr_t *k = cls;
    size_t i;

    if (k == NULL)
        return;
    while (k->idle != NULL) {
        conn_t *c = k->idle;
        k->idle = c->next;
        conn_close(c);
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
    /* both parts percent-encoded, as the key manager's Basic parser decodes them (RFC 6749 §2.3.1 style) */
    char *u = gh_urlencode(user), *p = gh_urlencode(password), *raw = gh_asprintf("%s:%s", u, p);
    size_t n = strlen(raw);
    unsigned char *b64 = gh_malloc(4 * ((n + 2) / 3) + 1);
    char *out;

    EVP_EncodeBlock(b64, (const unsigned char *)raw, (int)n);
    out = gh_asprintf("Basic %s", b64);
    gh_free_secret((char *)b64);
    gh_free_secret(raw);
    gh_free_secret(p);
    free(u);
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
    k->ssl = trust(conf);
    for (size_t i = 0; i < k->n; ++i)
        gh_log(GH_LOG_INFO, "gateway", "key validation: %s://%s:%s%s", k->t[i].tls ? "https" : "http", k->t[i].host,
               k->t[i].port, k->t[i].path);
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

const char *gw_kv_remote_base(const gh_gw_t *gw)
{
    kvr_t *k = gw->kv_cls;
    int64_t now = mono_ms();
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

    /* a key manager in this process answers directly, whatever the client type says (all-in-one) */
    if (gh_server_km(srv) != NULL)
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
