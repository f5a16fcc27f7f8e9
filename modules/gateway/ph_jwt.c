/* Backend JWT phase: whatever the client sent under the JWT header (and, unless configured otherwise, its
 * Authorization header) never reaches the backend; the key manager's JWT for this token and API (cached with
 * the validation) goes in its place. */
#include <string.h>
#include "gw_int.h"

static void delete_all(h2o_headers_t *headers, const char *name, size_t len)
{
    ssize_t at;

    while ((at = h2o_find_header_by_str(headers, name, len, -1)) != -1)
        h2o_delete_header(headers, at);
}

int gw_ph_jwt(gw_req_t *r)
{
    h2o_req_t *req = r->req;
    const gh_gw_t *gw = r->gw;
    ssize_t at;

    delete_all(&req->headers, gw->jwt_header_lc, strlen(gw->jwt_header_lc));
    if (gw->remove_auth_header)
        while ((at = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1)) != -1)
            h2o_delete_header(&req->headers, at);
    if (r->entry != NULL && r->entry->info.jwt != NULL)
        h2o_add_header_by_str(&req->pool, &req->headers, gw->jwt_header, strlen(gw->jwt_header), 0, NULL,
                              r->entry->info.jwt, strlen(r->entry->info.jwt));
    return GW_NEXT;
}
