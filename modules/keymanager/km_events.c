/* The key manager's caches follow the cluster: a token revoked by another key manager (or by this one), a
 * client's keys or secret regenerated, an application changed, reach this process as change events
 * (include/gatehouse/events.h; from other processes through the cluster relay, modules/cluster), and the
 * cached copies go at once. Without this a revoked token stayed "active" here for up to GH_KM_CACHE_TTL_MS, in
 * introspection and in the validations this key manager answers for gateways. Runs on the publisher's thread:
 * only cache deletions, no I/O. */
#include "gatehouse/events.h"
#include "gatehouse/log.h"
#include "km_int.h"

static void on_event(const gh_event_t *ev, void *data)
{
    gh_km_t *km = data;
    int all = (ev->flags & GH_EV_F_ALL) != 0;

    switch (ev->kind) {
    case GH_EV_TOKEN_REVOKED:
        /* one token by its hash; every token of a client (consumer_key) or of everyone: drop them all */
        if (!all && ev->token_hash != NULL && ev->consumer_key == NULL)
            gh_km_cache_del(&km->tokens, ev->token_hash);
        else
            gh_km_cache_clear(&km->tokens);
        break;
    case GH_EV_KEYS_CHANGED:
    case GH_EV_APPLICATION_CHANGED:
        /* a regenerated secret or a removed key mapping: the client record and the tokens issued to it */
        if (!all && ev->consumer_key != NULL)
            gh_km_cache_del(&km->apps, ev->consumer_key);
        else
            gh_km_cache_clear(&km->apps);
        gh_km_cache_clear(&km->tokens);
        break;
    default:
        break;
    }
}

int gh_km_events_start(gh_km_t *km)
{
    if ((km->events_handle = gh_events_subscribe(on_event, km)) <= 0) {
        gh_log(GH_LOG_ERR, "keymanager", "cannot subscribe to change events: other processes' revocations will be "
                                         "seen only when cached entries expire");
        km->events_handle = 0;
        return GH_ERR;
    }
    return GH_OK;
}

void gh_km_events_stop(gh_km_t *km)
{
    if (km->events_handle > 0)
        gh_events_unsubscribe(km->events_handle);
    km->events_handle = 0;
}
