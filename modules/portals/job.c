/* The request path of every portal endpoint: the loop matches the operation, checks media type and size, copies
 * the inputs into a job; a worker authenticates the caller, checks the operation's scope and runs it; the loop
 * answers with the v0.14 body (include/gatehouse/job.h: no SQL on the loop). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <openssl/rand.h>
#include "gatehouse/http.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "portals_int.h"


int64_t gh_portal_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void gh_portal_uuid(char out[40])
{
    unsigned char b[16];

    if (RAND_bytes(b, sizeof(b)) != 1)
        abort(); /* identifiers must not be guessable */
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
             b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

void gh_portal_event(gh_event_kind_t kind, int64_t api_id, int64_t app_id, int64_t sub_id, const char *api_uuid,
                     const char *consumer_key, const char *name)
{
    gh_event_t ev = {.kind = kind,
                     .api_id = api_id,
                     .application_id = app_id,
                     .subscription_id = sub_id,
                     .api_uuid = api_uuid,
                     .consumer_key = consumer_key,
                     .name = name};

    gh_events_publish(&ev);
}

static json_t *error_json(int status, const char *field, const char *desc)
{
    return gh_http_rest_error(status, gh_http_reason(status), desc, field, desc);
}

int gh_portal_fail(gh_portal_job_t *j, int status, const char *field, const char *fmt, ...)
{
    char desc[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    json_decref(j->out);
    j->status = status;
    j->out = error_json(status, field, desc);
    return GH_ERR;
}

int gh_portal_fail_ferr(gh_portal_job_t *j, const gh_portal_ferr_t *fe)
{
    return gh_portal_fail(j, 400, fe->field, "%s", fe->msg);
}

int gh_portal_fail_db(gh_portal_job_t *j, const char *what, const gh_err_t *err)
{
    gh_log(GH_LOG_ERR, "portals", "%s failed: %s", what, err->msg);
    if (err->code == GH_DB_E_CONN_LOST || err->code == GH_DB_E_TIMEOUT)
        return gh_portal_fail(j, 503, NULL, "the database is unavailable; try again");
    return gh_portal_fail(j, 500, NULL, "%s failed", what);
}

json_t *gh_portal_json_body(gh_portal_job_t *j)
{
    json_error_t je;
    json_t *b;

    if (j->body == NULL)
        return gh_portal_fail(j, 400, "body", "a JSON body is required"), NULL;
    if ((b = json_loadb(j->body, j->body_len, JSON_REJECT_DUPLICATES, &je)) == NULL)
        return gh_portal_fail(j, 400, "body", "malformed JSON at line %d column %d: %s", je.line, je.column, je.text),
               NULL;
    if (!json_is_object(b)) {
        json_decref(b);
        return gh_portal_fail(j, 400, "body", "the body must be a JSON object"), NULL;
    }
    return b;
}

const char *gh_portal_q(gh_portal_job_t *j, const char *name)
{
    return gh_form_get(&j->query, name);
}

void gh_portal_set_etag(gh_portal_job_t *j, int64_t revision)
{
    free(j->etag);
    j->etag = gh_asprintf("\"%lld\"", (long long)revision);
}

int gh_portal_if_match(gh_portal_job_t *j, int64_t revision)
{
    char tag[32];

    if (j->if_match == NULL || strcmp(j->if_match, "*") == 0)
        return 1;
    snprintf(tag, sizeof(tag), "\"%lld\"", (long long)revision);
    if (strcmp(j->if_match, tag) == 0 || strstr(j->if_match, tag) != NULL)
        return 1;
    gh_portal_fail(j, 412, "If-Match", "the resource changed since ETag %s; read it again", j->if_match);
    return 0;
}

static void answer(h2o_req_t *req, int status, const char *field, const char *desc);

static void free_job(gh_portal_job_t *j)
{
    int i;

    for (i = 0; i < j->nseg; ++i)
        free(j->seg[i]);
    gh_form_dispose(&j->query);
    gh_free_secret(j->body);
    free(j->ctype);
    gh_free_secret(j->authz);
    free(j->if_match);
    free(j->base);
    json_decref(j->out);
    free(j->text);
    free(j->location);
    free(j->etag);
    free(j);
}

static void on_work(gh_job_t *job)
{
    gh_portal_job_t *j = (gh_portal_job_t *)job;
    gh_db_conn_t *c = NULL;
    gh_err_t err = {0};
    int rc;

    if (gh_db_borrow(j->p->pool, &c, &err) != GH_OK) {
        gh_portal_fail_db(j, "borrowing a database connection", &err);
        return;
    }
    if ((rc = gh_portal_authenticate(j, c)) < 0)
        goto out;
    if (rc == 0 && !(j->op->flags & GH_PORTAL_OP_ANON)) {
        j->status = 401;
        j->www_auth = 1;
        j->out = gh_http_rest_error(900902, "Missing Credentials",
                                      "Make sure your API invocation call has a header: \"Authorization: Bearer "
                                      "ACCESS_TOKEN\" or \"Authorization: Basic ...\"",
                                      NULL, NULL);
        goto out;
    }
    if (rc == 1 && j->op->scope != NULL && !gh_caller_has_scope(&j->caller, j->op->scope)) {
        j->status = 403;
        j->out = gh_http_rest_error(900910, "The access token does not allow you to access the requested resource",
                                      "the operation needs the scope the token lacks", "scope", j->op->scope);
        goto out;
    }
    j->op->run(j, c);
out:
    gh_db_rollback(c, NULL); /* harmless when the run committed; undoes a run that returned mid-transaction */
    gh_db_return(c);
}

static void on_done(gh_job_t *job)
{
    gh_portal_job_t *j = (gh_portal_job_t *)job;
    h2o_req_t *req = job->req;

    if (req == NULL) {
        free_job(j);
        return;
    }
    if (j->www_auth)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                       H2O_STRLIT("Bearer realm=\"Gatehouse\", Basic realm=\"Gatehouse\""));
    /* ETag and Location carry stored values: through the one checked setter, like every module's */
    if (j->etag != NULL && gh_http_add_header(req, "etag", j->etag) != GH_OK) {
        answer(req, 500, NULL, "the response would carry an invalid header");
        free_job(j);
        return;
    }
    if (j->location != NULL) {
        char *loc = gh_asprintf("%s%s", j->base, j->location);
        int bad = gh_http_add_header(req, "location", loc) != GH_OK;
        free(loc);
        if (bad) {
            answer(req, 500, NULL, "the response would carry an invalid header");
            free_job(j);
            return;
        }
    }
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    if (j->text != NULL)
        gh_http_send(req, j->status ? j->status : 200, j->ctype_out, j->text, strlen(j->text));
    else if (j->out != NULL)
        gh_http_send_json(req, j->status ? j->status : 200, j->out);
    else
        gh_http_send(req, j->status ? j->status : 200, NULL, "", 0);
    free_job(j);
}

static void answer(h2o_req_t *req, int status, const char *field, const char *desc)
{
    json_t *e = error_json(status, field, desc);

    gh_http_send_json(req, status, e);
    json_decref(e);
}

/* CORS for browser consoles on another origin. Credentials are never cookies (Bearer or Basic sent explicitly), so
 * any origin may read the answers; the token itself is what authorises. */
static void cors(h2o_req_t *req)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("access-control-allow-origin"), 0, NULL,
                          H2O_STRLIT("*"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("access-control-expose-headers"), 0, NULL,
                          H2O_STRLIT("Location, ETag"));
}

/* An anonymous Store listing straight from the list cache, on the loop (no credentials to check, no SQL):
 * 1 answered, 0 not cached. */
static int answer_cached(h2o_req_t *req, const char *base)
{
    gh_form_t f = {0};
    char *key, *body;

    if (req->query_at != SIZE_MAX &&
        gh_form_parse(&f, req->path.base + req->query_at + 1, req->path.len - req->query_at - 1) != GH_OK) {
        gh_form_dispose(&f);
        return 0;
    }
    key = gh_portal_list_key(base, "*anon", gh_form_get(&f, "offset"), gh_form_get(&f, "limit"), gh_form_get(&f, "query"));
    body = gh_portal_list_cache_get(key, 0);
    free(key);
    gh_form_dispose(&f);
    if (body == NULL)
        return 0;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    gh_http_send(req, 200, "application/json", body, strlen(body));
    free(body);
    return 1;
}

/* 1 matched, 0 the path matched with another method (*other set), -1 no */
static int match(const gh_portal_op_t *op, char **seg, int nseg)
{
    const char *p = op->pattern;
    int i = 0;

    if (strcmp(p, "/") == 0)
        return nseg == 0 ? 1 : -1;
    while (*p == '/') {
        const char *e = strchr(p + 1, '/');
        size_t len = e != NULL ? (size_t)(e - p - 1) : strlen(p + 1);
        if (i >= nseg)
            return -1;
        if (!(len == 1 && p[1] == '*') && (strlen(seg[i]) != len || strncmp(seg[i], p + 1, len) != 0))
            return -1;
        i++;
        p += len + 1;
    }
    return i == nseg ? 1 : -1;
}

static int media_ok(const h2o_iovec_t *ct, unsigned flags)
{
    if (ct == NULL)
        return 0;
    if (ct->len >= 16 && strncasecmp(ct->base, "application/json", 16) == 0)
        return 1;
    if ((flags & GH_PORTAL_OP_MULTIPART) && ct->len >= 19 && strncasecmp(ct->base, "multipart/form-data", 19) == 0)
        return 1;
    /* application/xyz+json */
    return memmem(ct->base, ct->len, "+json", 5) != NULL;
}

int gh_portal_on_request(h2o_handler_t *self, h2o_req_t *req)
{
    gh_portal_route_t *r = ((gh_route_t *)self)->data;
    size_t blen = strlen(r->base), plen = req->path_normalized.len, i;
    const char *path = req->path_normalized.base;
    const gh_portal_op_t *op = NULL;
    char *seg[8];
    int nseg = 0, path_known = 0, k;
    gh_portal_job_t *j;
    const h2o_iovec_t *h;

    if (plen < blen || memcmp(path, r->base, blen) != 0 || (plen > blen && path[blen] != '/'))
        return -1;
    if (gh_http_header(req, "origin") != NULL)
        cors(req);
    if (gh_http_method_is(req, "OPTIONS")) {
        /* a browser's preflight: the consoles may be served from another origin */
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("access-control-allow-methods"), 0, NULL,
                              H2O_STRLIT("GET, POST, PUT, DELETE, OPTIONS"));
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("access-control-allow-headers"), 0, NULL,
                              H2O_STRLIT("Authorization, Content-Type, If-Match, Accept"));
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("access-control-max-age"), 0, NULL,
                              H2O_STRLIT("600"));
        gh_http_send(req, 204, NULL, "", 0);
        return 0;
    }
    /* split and decode the segments after the base path */
    for (i = blen; i < plen;) {
        size_t s = i + 1, e = s;
        while (e < plen && path[e] != '/')
            e++;
        if (e > s) {
            if (nseg == (int)GH_ARRAY_SIZE(seg)) {
                for (k = 0; k < nseg; ++k)
                    free(seg[k]);
                answer(req, 404, NULL, "no such resource");
                return 0;
            }
            seg[nseg] = gh_strndup(path + s, e - s);
            if (gh_urldecode(seg[nseg]) != GH_OK) {
                for (k = 0; k <= nseg; ++k)
                    free(seg[k]);
                answer(req, 400, "path", "malformed percent-encoding in the path");
                return 0;
            }
            nseg++;
        }
        i = e;
    }
    for (k = 0; r->tables[k] != NULL && op == NULL; ++k) {
        const gh_portal_op_t *t;
        for (t = r->tables[k]; t->method != NULL; ++t) {
            if (match(t, seg, nseg) != 1)
                continue;
            path_known = 1;
            if (gh_http_method_is(req, t->method)) {
                op = t;
                break;
            }
        }
    }
    if (op == NULL) {
        for (k = 0; k < nseg; ++k)
            free(seg[k]);
        if (path_known)
            answer(req, 405, NULL, "this method is not supported on this resource");
        else
            answer(req, 404, NULL, "no such resource");
        return 0;
    }
    if (req->entity.len > GH_PORTAL_MAX_BODY) {
        for (k = 0; k < nseg; ++k)
            free(seg[k]);
        answer(req, 413, "body", "the request body is larger than 5 MiB");
        return 0;
    }
    h = gh_http_header(req, "content-type");
    if ((op->flags & GH_PORTAL_OP_JSON) && req->entity.len > 0 && !media_ok(h, op->flags)) {
        for (k = 0; k < nseg; ++k)
            free(seg[k]);
        answer(req, 415, "Content-Type",
               (op->flags & GH_PORTAL_OP_MULTIPART) ? "send application/json or multipart/form-data"
                                                    : "send the body as application/json");
        return 0;
    }
    if (op->run == gh_portal_ep_publisher_list && strstr(r->base, "/store/") != NULL &&
        gh_http_header(req, "authorization") == NULL && answer_cached(req, r->base)) {
        for (k = 0; k < nseg; ++k)
            free(seg[k]);
        return 0;
    }
    j = gh_calloc(1, sizeof(*j));
    j->p = r->p;
    j->op = op;
    memcpy(j->seg, seg, sizeof(seg[0]) * (size_t)nseg);
    j->nseg = nseg;
    snprintf(j->method, sizeof(j->method), "%.*s", (int)req->method.len, req->method.base);
    j->base = gh_strdup(r->base);
    if (h != NULL)
        j->ctype = gh_strndup(h->base, h->len);
    if ((h = gh_http_header(req, "authorization")) != NULL)
        j->authz = gh_strndup(h->base, h->len);
    if ((h = gh_http_header(req, "if-match")) != NULL)
        j->if_match = gh_strndup(h->base, h->len);
    if (req->entity.len > 0) {
        j->body = gh_strndup(req->entity.base, req->entity.len);
        j->body_len = req->entity.len;
    }
    if (req->query_at != SIZE_MAX &&
        gh_form_parse(&j->query, req->path.base + req->query_at + 1, req->path.len - req->query_at - 1) != GH_OK) {
        answer(req, 400, "query", "malformed query string");
        free_job(j);
        return 0;
    }
    j->super.work = on_work;
    j->super.done = on_done;
    gh_job_submit(&j->super, req);
    return 0;
}
