/* The API gateway (role `gateway`): every deployed API at {context}/{version}/... on the gateway listeners,
 * checked against the key manager, throttled, and proxied with a backend JWT. See docs/gateway.md. */
#ifndef GH_GATEWAY_H
#define GH_GATEWAY_H

#include <stdint.h>
#include "gatehouse/err.h"

/* Throttle counters (a struct of function pointers, so a cluster-wide store can replace the in-memory one).
 * hit() adds `amount` to the counter `key` in the fixed window of window_ms containing now_ms and returns the
 * new total; *reset_ms gets the window's end. Thread-safe; never blocks on I/O in the in-memory version. */
typedef struct st_gh_gw_counters_t {
    const char *name;
    void *(*create)(void);
    int64_t (*hit)(void *cls, const char *key, int64_t window_ms, int64_t now_ms, int64_t amount, int64_t *reset_ms);
    /* the current total without adding (bandwidth checks before the response is known) */
    int64_t (*peek)(void *cls, const char *key, int64_t window_ms, int64_t now_ms, int64_t *reset_ms);
    void (*destroy)(void *cls);
} gh_gw_counters_t;

#define GH_FAMILY_GW_COUNTERS "gateway-counters"

/* Register the "gateway" module (GH_ROLE_GATEWAY), the in-process key-validation client and the in-memory
 * counters. Idempotent. */
void gh_gw_register_builtin(void);

#endif
