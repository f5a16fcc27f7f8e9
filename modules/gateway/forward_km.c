/* /token, /revoke and /userinfo forwarded to a remote key manager on a job worker, over the ws-client's kept-alive
 * connections (kv_http.c), so a key manager that cannot be reached is skipped and the call goes to the next one
 * of APIKeyValidator/ServerURL; h2o's proxy, still used for the browser's /authorize, cannot do that. A request
 * the key manager may have received is never sent again: a code or refresh token presented twice would count as
 * replayed and revoke what it had issued. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "gatehouse/http.h"
#include "gatehouse/job.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/uri.h"
#include "gw_int.h"
#include "kv_remote.h"

#define FWD_BODY_MAX (64 * 1024) /* token requests are forms of a few hundred bytes */

typedef struct st_fjob_t {
    gh_job_t super;
    gh_gw_t *gw;
    kvr_t *k;
    char *method, *path, *ctype, *authz, *accept, *body;
    size_t body_len;
    int rc;
    gh_err_t err;
    resp_t resp;
} fjob_t;

/* The answer's headers a client of these endpoints needs; the rest (server, date, connection) are the gateway's. */
static const char *const kept[] = {"cache-control", "pragma", "www-authenticate"}; /* + content-type */

static char *request_text(const fjob_t *j, const target_t *t, size_t *len)
{
    char *head = gh_asprintf("%s %s HTTP/1.1\r\nHost: %s:%s\r\n%s%s%s%s%s%s%s%s%sContent-Length: %zu\r\n\r\n",
                             j->method, j->path, t->host, t->port, j->ctype ? "Content-Type: " : "",
                             j->ctype ? j->ctype : "", j->ctype ? "\r\n" : "", j->authz ? "Authorization: " : "",
                             j->authz ? j->authz : "", j->authz ? "\r\n" : "", j->accept ? "Accept: " : "",
                             j->accept ? j->accept : "", j->accept ? "\r\n" : "", j->body_len);
    size_t hl = strlen(head);
    char *out = gh_malloc(hl + j->body_len + 1);

    memcpy(out, head, hl);
    if (j->body_len > 0)
        memcpy(out + hl, j->body, j->body_len);
    out[hl + j->body_len] = '\0';
    OPENSSL_cleanse(head, hl); /* Basic credentials */
    free(head);
    *len = hl + j->body_len;
    return out;
}

static void on_work(gh_job_t *job)
{
    fjob_t *j = (fjob_t *)job;
    kvr_t *k = j->k;
    size_t start = atomic_fetch_add(&k->rr, 1) % k->n, pass, i;
    int64_t now = kvr_mono_ms();

    j->rc = GH_ERR;
    gh_err_set(&j->err, GH_E_UNAVAILABLE, "no key manager could be reached");
    /* the key managers that are up first, those marked down only when every one of those failed */
    for (pass = 0; pass < 2; ++pass)
        for (i = 0; i < k->n; ++i) {
            size_t ti = (start + i) % k->n, len;
            int down = atomic_load(&k->t[ti].down_until_ms) > now, sent = 0, ok;
            char *req;

            if (down != (pass == 1))
                continue;
            req = request_text(j, &k->t[ti], &len);
            ok = kvr_call(k, ti, req, len, &j->resp, &sent, &j->err);
            OPENSSL_cleanse(req, len);
            free(req);
            if (ok) {
                j->rc = GH_OK;
                kvr_mark(k, ti, 1);
                return;
            }
            kvr_mark(k, ti, 0);
            if (sent)
                return; /* it may have acted on it: not again elsewhere */
        }
}

/* header name's value from the key manager's answer, copied into val, or NULL (absent, too long, or holding
 * control characters: nothing stored or received reaches a header unchecked) */
static const char *kept_value(const fjob_t *j, const char *name, char *val, size_t size)
{
    size_t vl;
    const char *v = kvr_resp_header(&j->resp, name, &vl);

    if (v == NULL || vl >= size || !gh_uri_header_value_ok(v, vl))
        return NULL;
    memcpy(val, v, vl);
    val[vl] = '\0';
    return val;
}

static void on_answer(gh_job_t *job, h2o_req_t *req)
{
    fjob_t *j = (fjob_t *)job;
    char val[1024], ctype[256];
    size_t i;

    if (j->rc != GH_OK) {
        gw_req_t r = {.req = req, .gw = j->gw};
        gh_log(GH_LOG_ERR, "gateway", "%s %s: %s", j->method, j->path, j->err.msg);
        gw_fault(&r, 503, 101503, "Error connecting to the back end", "No key manager could be reached");
        return;
    }
    for (i = 0; i < GH_ARRAY_SIZE(kept); ++i)
        if (kept_value(j, kept[i], val, sizeof(val)) != NULL)
            gh_http_add_header(req, kept[i], val);
    gh_http_send(req, j->resp.status, kept_value(j, "content-type", ctype, sizeof(ctype)),
                 j->resp.buf + j->resp.body_off, j->resp.body_len);
}

static char *secret_free(char *s)
{
    if (s != NULL)
        OPENSSL_cleanse(s, strlen(s));
    free(s);
    return NULL;
}

static void on_dispose(gh_job_t *job)
{
    fjob_t *j = (fjob_t *)job;

    free(j->method);
    free(j->path);
    free(j->ctype);
    secret_free(j->authz);
    free(j->accept);
    if (j->body != NULL)
        OPENSSL_cleanse(j->body, j->body_len); /* passwords, secrets, codes */
    free(j->body);
    if (j->resp.buf != NULL)
        OPENSSL_cleanse(j->resp.buf, j->resp.body_off + j->resp.body_len); /* issued tokens */
    free(j->resp.buf);
    free(j);
}

static char *header_copy(h2o_req_t *req, const char *name)
{
    const h2o_iovec_t *v = gh_http_header(req, name);

    return v != NULL ? gh_strndup(v->base, v->len) : NULL;
}

int gw_forward_remote(gh_gw_t *gw, h2o_req_t *req, h2o_iovec_t path)
{
    kvr_t *k = gw_kv_remote(gw);
    fjob_t *j;

    if (k == NULL)
        return GH_ERR;
    if (req->entity.len > FWD_BODY_MAX) {
        gh_http_send(req, 413, "text/plain", H2O_STRLIT("request body too large\n"));
        return GH_OK;
    }
    /* the request line and headers are written by hand below: nothing may end a line or a field early */
    for (size_t i = 0; i < path.len; ++i)
        if ((unsigned char)path.base[i] <= 0x20 || path.base[i] == 0x7f) {
            gh_http_send(req, 400, "text/plain", H2O_STRLIT("bad request path\n"));
            return GH_OK;
        }
    {
        static const char *const names[] = {"content-type", "authorization", "accept"};
        for (size_t i = 0; i < GH_ARRAY_SIZE(names); ++i) {
            const h2o_iovec_t *v = gh_http_header(req, names[i]);
            if (v != NULL && !gh_uri_header_value_ok(v->base, v->len)) {
                gh_http_send(req, 400, "text/plain", H2O_STRLIT("bad request header\n"));
                return GH_OK;
            }
        }
    }
    j = gh_calloc(1, sizeof(*j));
    j->super.work = on_work;
    j->super.answer = on_answer;
    j->super.dispose = on_dispose;
    j->gw = gw;
    j->k = k;
    j->method = gh_strndup(req->method.base, req->method.len);
    j->path = gh_strndup(path.base, path.len);
    j->ctype = header_copy(req, "content-type");
    j->authz = header_copy(req, "authorization");
    j->accept = header_copy(req, "accept");
    if (req->entity.base != NULL && req->entity.len > 0) {
        j->body = gh_malloc(req->entity.len);
        memcpy(j->body, req->entity.base, req->entity.len);
        j->body_len = req->entity.len;
    }
    gh_job_submit(&j->super, req);
    return GH_OK;
}
