/* CORS phase (WSO2 CORSRequestHandler): a preflight OPTIONS is answered here without a token, from the API's
 * own CORS configuration or else api-manager.xml's CORSConfiguration; other responses get the headers from
 * gw_cors_headers(). */
#include <string.h>
#include "gatehouse/http.h"
#include "gw_int.h"

int gw_ph_cors(gw_req_t *r)
{
    h2o_req_t *req = r->req;

    if (r->res != NULL) /* an OPTIONS resource of the API itself takes the call */
        return GW_NEXT;
    /* OPTIONS without a resource of its own: a preflight */
    gw_cors_headers(r);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, H2O_STRLIT("OPTIONS"));
    gh_http_send(req, 200, NULL, "", 0);
    return GW_DONE;
}
