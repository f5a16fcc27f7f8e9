/* The in-process change-event bus (include/gatehouse/events.h). A read-write lock lets publishers on many job
 * workers deliver at once; unsubscribe takes the write lock, so it waits for deliveries in flight. */
#include "gatehouse/events.h"
#include "gatehouse/gh.h"
#include <pthread.h>
#include <stdatomic.h>

#define MAX_SUBS 64

static struct {
    gh_event_fn fn;
    void *data;
} subs[MAX_SUBS];
static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static _Atomic uint64_t counts[GH_EV_KIND_MAX];

int gh_events_subscribe(gh_event_fn fn, void *data)
{
    int handle = GH_ERR;
    pthread_rwlock_wrlock(&lock);
    for (int i = 0; i < MAX_SUBS; i++) {
        if (subs[i].fn == NULL) {
            subs[i].fn = fn;
            subs[i].data = data;
            handle = i + 1;
            break;
        }
    }
    pthread_rwlock_unlock(&lock);
    return handle;
}

void gh_events_unsubscribe(int handle)
{
    if (handle < 1 || handle > MAX_SUBS)
        return;
    pthread_rwlock_wrlock(&lock);
    subs[handle - 1].fn = NULL;
    subs[handle - 1].data = NULL;
    pthread_rwlock_unlock(&lock);
}

void gh_events_publish(const gh_event_t *ev)
{
    if (ev == NULL || ev->kind <= 0 || ev->kind >= GH_EV_KIND_MAX)
        return;
    atomic_fetch_add(&counts[ev->kind], 1);
    pthread_rwlock_rdlock(&lock);
    for (int i = 0; i < MAX_SUBS; i++)
        if (subs[i].fn != NULL)
            subs[i].fn(ev, subs[i].data);
    pthread_rwlock_unlock(&lock);
}

uint64_t gh_events_count(gh_event_kind_t kind)
{
    if (kind <= 0 || kind >= GH_EV_KIND_MAX)
        return 0;
    return atomic_load(&counts[kind]);
}
