/* Health components besides the datasources: a subsystem that can be behind or down (the cluster's event relay)
 * registers a check; GET /health lists each one and answers 503 while any is behind or down. DEGRADED is listed
 * and makes the overall status DEGRADED, still with 200: the process serves (a gateway whose key managers are
 * gone keeps serving the tokens it validated), so a load balancer must not take it out. No h2o: checks are called on
 * an event loop and must answer from memory, quickly, without blocking. */
#ifndef GH_HEALTH_H
#define GH_HEALTH_H

#include <stddef.h>

typedef enum { GH_HEALTH_UP = 0, GH_HEALTH_BEHIND, GH_HEALTH_DOWN, GH_HEALTH_DEGRADED } gh_health_state_t;

/* Fill detail (may be left empty) and return the state. Called on any loop thread. */
typedef gh_health_state_t (*gh_health_fn)(void *data, char *detail, size_t detail_size);

/* Add a component named `name` (a literal or storage outliving the server). Returns a handle > 0, or GH_ERR when
 * the table (16) is full. Thread-safe. */
int gh_health_register(const char *name, gh_health_fn fn, void *data);
void gh_health_unregister(int handle);
/* The i-th registered component: 1 with name/state/detail filled, 0 past the end. */
int gh_health_component(size_t i, const char **name, gh_health_state_t *state, char *detail, size_t detail_size);
/* "UP", "BEHIND", "DOWN", "DEGRADED" */
const char *gh_health_state_name(gh_health_state_t s);

#endif
