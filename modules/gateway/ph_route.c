/* Route phase: the API by context (the versioned path, or the context alone for the default version), its
 * lifecycle (a Blocked API answers 503 / 700700), its transports, and the most specific matching resource. */
#include <stdio.h>
#include <string.h>
#include "gw_int.h"

int gw_ph_route(gw_req_t *r)
{
    h2o_req_t *req = r->req;
    const char *path = req->path_normalized.base;
    size_t len = req->path_normalized.len;
    int https = req->scheme == &H2O_URL_SCHEME_HTTPS, path_matched;

    r->snap = gw_current(r->gw);
    if (r->snap == NULL || (r->api = gw_route_find(r->snap, path, len, &r->rest, &r->is_default)) == NULL) {
        gw_fault(r, 404, 404, "Not Found", "The requested resource is not available.");
        return GW_DONE;
    }
    if (strcmp(r->api->status, "BLOCKED") == 0) {
        gw_fault(r, 503, 700700, "API blocked",
                 "This API has been blocked temporarily. Please try again later or contact the system administrators.");
        return GW_DONE;
    }
    if ((https && !r->api->https) || (!https && !r->api->http)) {
        char d[128];
        snprintf(d, sizeof(d), "Unsupported Transport [ %s ]. The requested resource is not available.",
                 https ? "https" : "http");
        gw_fault(r, 403, 403, "Forbidden", d);
        return GW_DONE;
    }
    r->res = gw_resource_find(r->api, req->method.base, req->method.len, path + r->rest, len - r->rest,
                              &path_matched);
    if (r->res == NULL && !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("OPTIONS"))) {
        gw_fault_auth(r, GH_KV_NO_MATCHING_RESOURCE);
        return GW_DONE;
    }
    return GW_NEXT;
}
