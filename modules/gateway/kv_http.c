/* The ws-client's HTTP(S) exchange (kv_remote.h): blocking sockets with connect and I/O timeouts, OpenSSL with
 * certificate and host-name verification, responses parsed by libh2o's picohttpparser, and a pool of
 * kept-alive connections per key manager (closed after KVR_IDLE_MS idle, or when the peer closed them). Runs on
 * job workers only. */
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
#include "kv_remote.h"

/* picohttpparser, which libh2o carries and exports without installing its header */
struct phr_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};
int phr_parse_response(const char *buf, size_t len, int *minor_version, int *status, const char **msg, size_t *msg_len,
                       struct phr_header *headers, size_t *num_headers, size_t last_len);

int64_t kvr_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void kvr_conn_close(conn_t *c)
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
    kvr_conn_close(c);
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
    int64_t now = kvr_mono_ms();

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
        kvr_conn_close(stale);
        stale = n;
    }
    if (c != NULL && wait_fd(c->fd, POLLIN, 0) != 0) {
        kvr_conn_close(c);
        c = NULL;
    }
    return c;
}

static void give_back(kvr_t *k, conn_t *c)
{
    c->last_used_ms = kvr_mono_ms();
    pthread_mutex_lock(&k->mu);
    c->next = k->idle;
    k->idle = c;
    pthread_mutex_unlock(&k->mu);
}

/* One call to target ti: 1 answered (resp filled), 0 failed (err set). */
int kvr_call(kvr_t *k, size_t ti, const char *req, size_t reqlen, resp_t *resp, int *sent, gh_err_t *err)
{
    conn_t *c;
    int attempt, rc;

    if (sent != NULL)
        *sent = 0;
    for (attempt = 0; attempt < 2; ++attempt) {
        int reused = (c = attempt == 0 ? take_idle(k, ti) : NULL) != NULL;
        if (c == NULL && (c = conn_open(k, ti, err)) == NULL)
            return 0;
        /* on a fresh connection the key manager may have acted on the request, whatever happens next; on a
         * reused one a write or a read of nothing means the peer had closed it first */
        if (sent != NULL && !reused)
            *sent = 1;
        rc = exchange(c, req, reqlen, resp, &k->t[ti], err);
        if (sent != NULL && rc == -2)
            *sent = 1;
        if (rc == 0) {
            if (resp->keep_alive)
                give_back(k, c);
            else
                kvr_conn_close(c);
            return 1;
        }
        kvr_conn_close(c);
        if (!(rc == -1 && reused))
            return 0; /* a fresh connection that failed is the key manager's failure, not a stale socket */
    }
    return 0;
}

const char *kvr_resp_header(const resp_t *resp, const char *name, size_t *len)
{
    struct phr_header h[32];
    const char *msg;
    size_t msg_len, nh = GH_ARRAY_SIZE(h), i, nl = strlen(name);
    int minor, status;

    if (phr_parse_response(resp->buf, resp->body_off, &minor, &status, &msg, &msg_len, h, &nh, 0) <= 0)
        return NULL;
    for (i = 0; i < nh; ++i)
        if (h[i].name_len == nl && strncasecmp(h[i].name, name, nl) == 0) {
            *len = h[i].value_len;
            return h[i].value;
        }
    return NULL;
}

SSL_CTX *kvr_trust(const gh_conf_t *conf)
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

