/* Log phase: one access-log line per call (API, version, resource, application, consumer key, status,
 * backend and total latency; never the token) and the metrics, when the request's memory is released. */
#include <stdio.h>
#include <string.h>
#include "gatehouse/log.h"
#include "gw_int.h"

void gw_ph_log(gw_req_t *r)
{
    h2o_req_t *req = r->req;
    const gh_keyval_info_t *in = r->entry != NULL ? &r->entry->info : NULL;
    int64_t total = gw_now_us() - r->t_start_us;
    int status = req->res.status;
    char api[300];

    if (r->api != NULL)
        snprintf(api, sizeof(api), "%s:%s", r->api->name ? r->api->name : "", r->api->version ? r->api->version : "");
    else
        snprintf(api, sizeof(api), "-");
    gw_metrics_request(api, status, r->fault);
    gw_metrics_latency(2, total);
    if (r->proxied && r->t_backend_us > 0)
        gw_metrics_latency(1, r->t_backend_us);
    if (r->proxied)
        gw_throttle_account(r, (int64_t)req->bytes_sent);
    gh_log(GH_LOG_INFO, "gateway.access",
           "api=%s context=%s resource=%s%s%s method=%.*s app=%s consumer_key=%s status=%d fault=%d backend_ms=%.3f "
           "total_ms=%.3f",
           api, r->api != NULL ? r->api->context : "-", r->res != NULL ? r->res->verb : "",
           r->res != NULL ? ":" : "-", r->res != NULL ? r->res->pattern : "", (int)req->method.len, req->method.base,
           in != NULL && in->application_name[0] ? in->application_name : "-",
           in != NULL && in->consumer_key[0] ? in->consumer_key : "-", status, r->fault,
           r->proxied ? (double)r->t_backend_us / 1000.0 : 0.0, (double)total / 1000.0);
}
