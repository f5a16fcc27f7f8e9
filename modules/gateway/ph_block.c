/* Blocking phases (WSO2's ThrottleHandler asks isRequestBlocked): the Admin API's blocking conditions, from the
 * request's snapshot. IP and API conditions need nothing but the route, so they refuse a call before its token
 * costs a validation; APPLICATION and USER conditions need the key manager's answer and run after authorisation.
 * A blocked call gets 403 / 900805 "Message blocked". */
#include <string.h>
#include <sys/socket.h>
#include "gatehouse/log.h"
#include "gw_int.h"

#define XFF_MAX 16                  /* X-Forwarded-For headers read (each may list several hops) */

static int refuse(gw_req_t *r, gw_block_type_t t)
{
    gh_log(GH_LOG_DEBUG, "gateway.block", "call to %s refused: %s condition", r->api->context,
           gw_block_type_name(t));
    gw_fault(r, 403, 900805, "Message blocked", "You have been blocked from accessing the resource");
    return GW_DONE;
}

/* the TCP peer, or the address trusted proxies forwarded for (ThrottlingConfigurations/BlockCondition/
 * TrustedProxies); NULL when the connection has no IP peer */
static const char *client_ip(gw_req_t *r, char *out, size_t size)
{
    h2o_req_t *req = r->req;
    const gh_gw_t *gw = r->gw;
    struct sockaddr_storage ss;
    h2o_iovec_t xff[XFF_MAX];
    char peer[64];
    size_t n = 0;
    ssize_t at = -1;

    memset(&ss, 0, sizeof(ss));
    if (req->conn->callbacks->get_peername == NULL ||
        req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss) == 0 ||
        gw_block_sockaddr_canon((struct sockaddr *)&ss, peer, sizeof(peer)) != 0)
        return NULL;
    if (gw->n_trusted_proxies > 0 && gw_cidr_match(gw->trusted_proxies, gw->n_trusted_proxies, peer))
        while (n < XFF_MAX && (at = h2o_find_header(&req->headers, H2O_TOKEN_X_FORWARDED_FOR, at)) != -1)
            xff[n++] = req->headers.entries[at].value;
    return gw_block_client_ip(gw->trusted_proxies, gw->n_trusted_proxies, peer, xff, n, out, size) == 0 ? out : NULL;
}

int gw_ph_block_early(gw_req_t *r)
{
    const gw_block_t *b = &r->snap->block;
    char ip[64];
    gw_block_type_t t;

    if (!r->gw->conf->apim.block_conditions || (b->ip.n == 0 && b->api.n == 0))
        return GW_NEXT;
    t = gw_block_early(b, r->api->context, r->api->base_context, b->ip.n > 0 ? client_ip(r, ip, sizeof(ip)) : NULL);
    return t == GW_BLOCK_NONE ? GW_NEXT : refuse(r, t);
}

int gw_ph_block_late(gw_req_t *r)
{
    const gw_block_t *b = &r->snap->block;
    const gh_keyval_info_t *in;
    gw_block_type_t t;

    if (r->anonymous || r->entry == NULL || !r->gw->conf->apim.block_conditions || (b->app.n == 0 && b->user.n == 0))
        return GW_NEXT;
    in = &r->entry->info;
    t = gw_block_late(b, in->subscriber, in->application_name, in->end_user,
                      in->end_user_tenant_domain[0] ? in->end_user_tenant_domain : GW_TENANT_DOMAIN);
    return t == GW_BLOCK_NONE ? GW_NEXT : refuse(r, t);
}
