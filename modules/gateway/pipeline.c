/* The gateway's request path as a list of phases, like nginx's phase handlers: each answers (GW_DONE),
 * suspends the request for a job (GW_SUSPENDED: the job resumes it at the next phase), or passes on
 * (GW_NEXT). The log phase runs when the request's memory is released, after the response went out. */
#include <string.h>
#include "gatehouse/mem.h"
#include "gw_int.h"

static const gw_phase_fn phases[] = {gw_ph_route, gw_ph_block_early, gw_ph_cors,     gw_ph_authn, gw_ph_authz,
                                     gw_ph_block_late, gw_ph_throttle, gw_ph_jwt, gw_ph_proxy};

int gw_phase_index_after_authn(void)
{
    size_t i;

    for (i = 0; i < GH_ARRAY_SIZE(phases) && phases[i] != gw_ph_authz; ++i)
        ;
    return (int)i;
}

void gw_pipeline_run(gw_req_t *r, int from)
{
    size_t i;

    for (i = (size_t)from; i < GH_ARRAY_SIZE(phases); ++i)
        if (phases[i](r) != GW_NEXT)
            return;
}

static void on_dispose(void *p)
{
    gw_req_t *r = p;

    gw_validate_forget(r);
    gw_ph_log(r);
    gw_entry_unref(r->entry);
    gw_snapshot_unref(r->snap);
}

/* The handler on "/" of the gateway listeners: every API call starts here. */
int gw_on_request(h2o_handler_t *self, h2o_req_t *req)
{
    gh_gw_t *gw = ((gh_route_t *)self)->data;
    gw_req_t *r = h2o_mem_alloc_shared(&req->pool, sizeof(*r), on_dispose);

    memset(r, 0, sizeof(*r));
    r->req = req;
    r->gw = gw;
    r->t_start_us = gw_now_us();
    gw_pipeline_run(r, 0);
    return 0;
}
