/* The health-component table of include/gatehouse/health.h. */
#include <pthread.h>
#include "gatehouse/gh.h"
#include "gatehouse/health.h"

#define MAX_COMPONENTS 16

static struct {
    const char *name;
    gh_health_fn fn;
    void *data;
} comps[MAX_COMPONENTS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

int gh_health_register(const char *name, gh_health_fn fn, void *data)
{
    int handle = GH_ERR;

    pthread_mutex_lock(&mu);
    for (int i = 0; i < MAX_COMPONENTS; i++)
        if (comps[i].fn == NULL) {
            comps[i].name = name;
            comps[i].fn = fn;
            comps[i].data = data;
            handle = i + 1;
            break;
        }
    pthread_mutex_unlock(&mu);
    return handle;
}

void gh_health_unregister(int handle)
{
    if (handle < 1 || handle > MAX_COMPONENTS)
        return;
    pthread_mutex_lock(&mu);
    comps[handle - 1].fn = NULL;
    comps[handle - 1].name = NULL;
    comps[handle - 1].data = NULL;
    pthread_mutex_unlock(&mu);
}

int gh_health_component(size_t i, const char **name, gh_health_state_t *state, char *detail, size_t detail_size)
{
    size_t seen = 0;
    int found = 0;

    if (detail_size > 0)
        detail[0] = '\0';
    /* the lock is held across the check so that unregister cannot free `data` under it */
    pthread_mutex_lock(&mu);
    for (int k = 0; k < MAX_COMPONENTS; k++) {
        if (comps[k].fn == NULL)
            continue;
        if (seen++ == i) {
            *name = comps[k].name;
            *state = comps[k].fn(comps[k].data, detail, detail_size);
            found = 1;
            break;
        }
    }
    pthread_mutex_unlock(&mu);
    return found;
}

const char *gh_health_state_name(gh_health_state_t s)
{
    return s == GH_HEALTH_UP ? "UP" : s == GH_HEALTH_BEHIND ? "BEHIND" : s == GH_HEALTH_DEGRADED ? "DEGRADED" : "DOWN";
}
