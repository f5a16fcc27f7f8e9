/* GET /metrics on the management listeners: Prometheus text for callers with HTTP Basic credentials of a user
 * holding /permission/admin/monitor (the administrator does). The credentials are checked on a job worker
 * (the user store blocks on SQL); the text is rendered from memory. */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "gatehouse/http.h"
#include "gatehouse/job.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/userstore.h"
#include "gw_int.h"

#define METRICS_PERMISSION "/permission/admin/monitor"

typedef struct st_mjob_t {
    gh_job_t super;
    gh_us_t *us;
    char *user, *password;
    int status; /* 200, 401, 403, 503 */
} mjob_t;

static void on_work(gh_job_t *job)
{
    mjob_t *j = (mjob_t *)job;
    gh_err_t err = {0};
    int rc;

    switch (gh_us_authenticate(j->us, j->user, j->password, &err)) {
    case GH_US_AUTH_OK: break;
    case GH_US_AUTH_ERROR:
        gh_log(GH_LOG_ERR, "gateway", "metrics: user store: %s", err.msg);
        j->status = 503;
        return;
    default: j->status = 401; return;
    }
    if ((rc = gh_us_authorize(j->us, j->user, METRICS_PERMISSION, "ui.execute", &err)) < 0) {
        j->status = 503;
        return;
    }
    j->status = rc == 1 ? 200 : 403;
}

static void on_answer(gh_job_t *job, h2o_req_t *req)
{
    mjob_t *j = (mjob_t *)job;
    char *text;

    switch (j->status) {
    case 200:
        text = gw_metrics_render();
        gh_http_send(req, 200, "text/plain; version=0.0.4", text, strlen(text));
        free(text);
        break;
    case 401:
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                       H2O_STRLIT("Basic realm=\"Gatehouse\""));
        gh_http_send_fault(req, 401, 900901, "Invalid Credentials", "Valid HTTP Basic credentials are required");
        break;
    case 403:
        gh_http_send_fault(req, 403, 900910, "Forbidden", "The user may not read the metrics");
        break;
    default: gh_http_send_fault(req, 503, 900900, "Unavailable", "The user store is unavailable"); break;
    }
}

static void on_dispose(gh_job_t *job)
{
    mjob_t *j = (mjob_t *)job;

    free(j->user);
    if (j->password != NULL) {
        OPENSSL_cleanse(j->password, strlen(j->password));
        free(j->password);
    }
    free(j);
}

int gw_on_metrics(h2o_handler_t *self, h2o_req_t *req)
{
    gh_gw_t *gw = ((gh_route_t *)self)->data;
    gh_us_t *us = gh_server_userstore(gw->srv);
    char *user = NULL, *password = NULL;
    mjob_t *j;

    if (!gh_http_method_is(req, "GET")) {
        gh_http_send_fault(req, 405, 405, "Method Not Allowed", "use GET");
        return 0;
    }
    if (us == NULL || gh_http_basic_auth(req, 0, &user, &password) != 1) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                       H2O_STRLIT("Basic realm=\"Gatehouse\""));
        gh_http_send_fault(req, 401, 900902, "Missing Credentials", "HTTP Basic credentials are required");
        return 0;
    }
    j = gh_calloc(1, sizeof(*j));
    j->super.work = on_work;
    j->super.answer = on_answer;
    j->super.dispose = on_dispose;
    j->us = us;
    j->user = gh_strdup(user);
    j->password = gh_strdup(password);
    OPENSSL_cleanse(password, strlen(password));
    gh_job_submit(&j->super, req);
    return 0;
}
