/* The job every endpoint uses: parse on the loop, run SQL on a worker, answer on the loop (include/gatehouse/
 * job.h). The result fields of gh_km_job_t say what to send; done() sends it or, when the client left, frees. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/http.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "km_int.h"

static void on_work(gh_job_t *job)
{
    gh_km_job_t *j = (gh_km_job_t *)job;
    gh_db_conn_t *c = NULL;
    gh_err_t err = {0};

    if (gh_db_borrow(j->km->pool, &c, &err) != GH_OK) {
        gh_log(GH_LOG_ERR, "keymanager", "database unavailable: %s", err.msg);
        gh_km_job_fail(j, 503, "temporarily_unavailable", "the key manager's database is unavailable");
        return;
    }
    j->run(j, c);
    gh_db_return(c);
}

void gh_km_job_free(gh_km_job_t *j)
{
    int i;

    gh_form_dispose(&j->form);
    free(j->cid);
    gh_free_secret(j->csecret);
    gh_free_secret(j->arg);
    gh_free_secret(j->arg2);
    json_decref(j->in);
    json_decref(j->out);
    gh_free_secret(j->text);
    free(j->location);
    free(j->set_cookie);
    for (i = 0; i < j->nh; ++i) {
        free(j->hname[i]);
        free(j->hval[i]);
    }
    free(j);
}

static void no_store(h2o_req_t *req)
{
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("pragma"), 0, NULL, H2O_STRLIT("no-cache"));
}

void gh_km_job_answer(gh_km_job_t *j, h2o_req_t *req)
{
    gh_km_job_send(j, req);
    gh_km_job_free(j);
}

void gh_km_job_send(gh_km_job_t *j, h2o_req_t *req)
{
    int i;

    for (i = 0; i < j->nh; ++i) {
        h2o_iovec_t n = h2o_strdup(&req->pool, j->hname[i], SIZE_MAX), v = h2o_strdup(&req->pool, j->hval[i], SIZE_MAX);
        h2o_add_header_by_str(&req->pool, &req->res.headers, n.base, n.len, 0, NULL, v.base, v.len);
    }
    if (j->set_cookie != NULL) {
        h2o_iovec_t v = h2o_strdup(&req->pool, j->set_cookie, SIZE_MAX);
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_SET_COOKIE, NULL, v.base, v.len);
    }
    if (j->error != NULL) {
        if (j->www_auth == 2)
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                           H2O_STRLIT("Bearer error=\"invalid_token\""));
        else if (j->www_auth)
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                           H2O_STRLIT("Basic realm=\"oauth2\""));
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("pragma"), 0, NULL, H2O_STRLIT("no-cache"));
        gh_http_send_oauth_error(req, j->status, j->error, j->desc[0] ? j->desc : NULL);
    } else if (j->location != NULL) {
        h2o_iovec_t v = h2o_strdup(&req->pool, j->location, SIZE_MAX);
        no_store(req);
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_LOCATION, NULL, v.base, v.len);
        gh_http_send(req, 302, NULL, "", 0);
    } else if (j->out != NULL) {
        no_store(req);
        gh_http_send_json(req, j->status ? j->status : 200, j->out);
    } else {
        no_store(req);
        gh_http_send(req, j->status ? j->status : 200, j->ctype, j->text ? j->text : "", j->text ? strlen(j->text) : 0);
    }
}

static void on_answer(gh_job_t *job, h2o_req_t *req)
{
    gh_km_job_send((gh_km_job_t *)job, req);
}

static void on_dispose(gh_job_t *job)
{
    gh_km_job_free((gh_km_job_t *)job);
}

gh_km_job_t *gh_km_job_new(gh_km_t *km, h2o_req_t *req, void (*run)(gh_km_job_t *, gh_db_conn_t *))
{
    gh_km_job_t *j = gh_calloc(1, sizeof(*j));

    j->km = km;
    j->run = run;
    j->super.work = on_work;
    j->super.answer = on_answer;
    j->super.dispose = on_dispose;
    j->listener = gh_km_listener_of(req);
    snprintf(j->method, sizeof(j->method), "%.*s", (int)req->method.len, req->method.base);
    return j;
}

gh_km_job_t *gh_km_job_post_form(gh_km_t *km, h2o_req_t *req, void (*run)(gh_km_job_t *, gh_db_conn_t *))
{
    gh_km_job_t *j;

    if (!gh_http_method_is(req, "POST")) {
        gh_http_send_oauth_error(req, 405, "invalid_request", "use POST");
        return NULL;
    }
    j = gh_km_job_new(km, req, run);
    if (gh_km_parse_form(j, req) == GH_OK)
        gh_km_client_creds(j, req);
    return j;
}

void gh_km_job_submit(gh_km_job_t *j, h2o_req_t *req)
{
    gh_job_submit(&j->super, req);
}

int gh_km_job_fail(gh_km_job_t *j, int status, const char *error, const char *fmt, ...)
{
    va_list ap;

    j->status = status;
    j->error = error;
    j->www_auth = status == 401;
    if (fmt != NULL) {
        va_start(ap, fmt);
        vsnprintf(j->desc, sizeof(j->desc), fmt, ap);
        va_end(ap);
    }
    return GH_ERR;
}

void gh_km_job_header(gh_km_job_t *j, const char *name, const char *value)
{
    if (j->nh == (int)GH_ARRAY_SIZE(j->hname))
        return;
    j->hname[j->nh] = gh_strdup(name);
    j->hval[j->nh++] = gh_strdup(value);
}

int gh_km_listener_of(h2o_req_t *req)
{
    return req->scheme == &H2O_URL_SCHEME_HTTPS ? 0 : 1;
}

int gh_km_parse_form(gh_km_job_t *j, h2o_req_t *req)
{
    const h2o_iovec_t *ct = gh_http_header(req, "content-type");

    if (req->entity.len > 64 * 1024)
        return gh_km_job_fail(j, 400, "invalid_request", "the request body is too large");
    if (req->entity.len > 0 &&
        (ct == NULL || ct->len < 33 || strncasecmp(ct->base, "application/x-www-form-urlencoded", 33) != 0))
        return gh_km_job_fail(j, 400, "invalid_request", "the body must be application/x-www-form-urlencoded");
    if (gh_form_parse(&j->form, req->entity.base != NULL ? req->entity.base : "", req->entity.len) != GH_OK)
        return gh_km_job_fail(j, 400, "invalid_request", "malformed form body");
    if (j->form.dup)
        return gh_km_job_fail(j, 400, "invalid_request", "a parameter was sent more than once");
    return GH_OK;
}
