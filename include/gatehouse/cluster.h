/* The cluster's event relay: the change events one process publishes (include/gatehouse/events.h) reach every
 * other process that shares the API Manager database within a second, with no message broker. Each process
 * appends its own events to GH_EVENT and reads the others' in EVENT_ID order from its own thread; received
 * events are published on the local bus with GH_EV_F_REMOTE. See docs/deployment.md. */
#ifndef GH_CLUSTER_H
#define GH_CLUSTER_H

#include <stdint.h>
#include "gatehouse/err.h"

typedef struct st_gh_db_pool_t gh_db_pool_t;
typedef struct st_gh_relay_t gh_relay_t;

typedef struct st_gh_relay_opts_t {
    const char *node_id; /* this process's name in GH_EVENT.ORIGIN; NULL = host:pid:random */
    int poll_ms;         /* how often others' events are read; 0 = 200 (1000 while PostgreSQL notifications work) */
    int retention_s;     /* how long rows are kept; 0 = 600 */
    int behind_ms;       /* /health says BEHIND when the last good read is older than this; 0 = 3000 */
} gh_relay_opts_t;

typedef struct st_gh_relay_status_t {
    int connected;         /* the last read or write succeeded */
    int caught_up;         /* read everything up to the newest row at least once since the last failure */
    int64_t last_ok_ms;    /* epoch ms of the last successful read */
    uint64_t sent;         /* local events written */
    uint64_t received;     /* others' events published locally */
    uint64_t resyncs;      /* times a gap forced a "everything may have changed" event */
    int listening;         /* PostgreSQL: LISTEN is in place, so others' events are read as they commit */
    char last_error[600];
} gh_relay_status_t;

/* Start relaying through pool (borrowed; must outlive the relay): subscribes to the local bus, reads the newest
 * EVENT_ID (events older than this process need no replay: it loads its state fresh), starts the relay thread.
 * Returns GH_OK, or GH_ERR with err (database unreachable at start is not an error: the relay retries). */
int gh_relay_start(gh_db_pool_t *pool, const gh_relay_opts_t *opts, gh_relay_t **out, gh_err_t *err);
/* Flush local events still queued (best effort, bounded), stop the thread, unsubscribe, free. NULL-safe. */
void gh_relay_stop(gh_relay_t *r);
void gh_relay_status(gh_relay_t *r, gh_relay_status_t *out);

/* Register the "cluster" server module: a relay on api-manager.xml's DataSourceName in every process. */
void gh_cluster_register_module(void);

#endif
