/* Change events: what a gateway (and, in split deployments, another process) must learn about when the portals
 * or the key manager change something. One small in-process bus, free of HTTP and SQL: publishers call
 * gh_events_publish() after their transaction commits; subscribers (the gateway's caches, later the cluster
 * relay) get each event synchronously on the publishing thread, so they must be thread-safe and quick (bump a
 * generation, drop a cache entry, post to a loop): never block, never call back into the bus. */
#ifndef GH_EVENTS_H
#define GH_EVENTS_H

#include <stdint.h>

typedef enum {
    GH_EV_API_CHANGED = 1,      /* created, updated, lifecycle (published, blocked, retired...), deleted */
    GH_EV_SUBSCRIPTION_CHANGED, /* created, status changed (blocked, unblocked...), removed */
    GH_EV_APPLICATION_CHANGED,  /* tier changed, deleted */
    GH_EV_KEYS_CHANGED,         /* keys generated, regenerated, secret regenerated, key mapping removed */
    GH_EV_TOKEN_REVOKED,        /* one access token (token_hash) or all of a client's (consumer_key) */
    GH_EV_POLICY_CHANGED,       /* a throttling policy created, updated or deleted */
    GH_EV_KIND_MAX
} gh_event_kind_t;

/* Identifies what changed; fields that do not apply are 0 / NULL. Strings are borrowed for the call only. */
typedef struct st_gh_event_t {
    gh_event_kind_t kind;
    int64_t api_id;           /* AM_API.API_ID */
    int64_t application_id;   /* AM_APPLICATION.APPLICATION_ID */
    int64_t subscription_id;  /* AM_SUBSCRIPTION.SUBSCRIPTION_ID */
    const char *api_uuid;     /* GH_API.UUID */
    const char *consumer_key; /* OAuth client id (keys changed, all tokens of a client revoked) */
    const char *token_hash;   /* the stored hash of a revoked access token (never the token itself) */
    const char *name;         /* policy name, or a new status (PUBLISHED, BLOCKED...) for information */
    unsigned flags;           /* GH_EV_F_* */
    int64_t at_ms;            /* when it was written (epoch ms): set by the cluster relay; 0 for local events */
} gh_event_t;

/* The event came from another process through the cluster relay (modules/cluster): relays must not send it on. */
#define GH_EV_F_REMOTE 1u
/* Everything of this kind may have changed (a node that could not prove it saw every event, e.g. after a long
 * database outage): drop every cached entry of the kind. The ids and strings are then 0 / NULL. */
#define GH_EV_F_ALL 2u

typedef void (*gh_event_fn)(const gh_event_t *ev, void *data);

/* Subscribe fn to every event (filter by kind inside). Returns a handle > 0 for gh_events_unsubscribe(), or
 * GH_ERR when the table is full (64 subscribers). Thread-safe. */
int gh_events_subscribe(gh_event_fn fn, void *data);
/* Remove a subscription; after it returns, fn is not running and will not be called again. */
void gh_events_unsubscribe(int handle);
/* Deliver ev to every subscriber, in subscription order, on this thread. Thread-safe. */
void gh_events_publish(const gh_event_t *ev);
/* Events published since start, per kind (for /metrics and tests). */
uint64_t gh_events_count(gh_event_kind_t kind);

#endif
