/* A short-lived cache of API list and search answers (the Store's front page is read far more often than APIs
 * change). An entry lives GH_PORTAL_LIST_TTL_MS at most and dies at once when this process publishes or receives
 * an API change event (a generation counter bumped by the event bus), so a publish, block or visibility change
 * here is seen by the next request; another process's changes within the TTL. Entries hold the serialised body
 * (no shared jansson objects between threads). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/mem.h"
#include "portals_int.h"

#define SLOTS 512

static struct {
    pthread_mutex_t mu;
    struct {
        char *key;
        char *body;
        uint64_t gen;
        int64_t until_ms;
        int refreshing; /* one request is recomputing an expired entry; the others get the old answer meanwhile */
    } e[SLOTS];
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};
static atomic_uint_fast64_t generation = 1;

static size_t slot_of(const char *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */

    for (; *key; ++key)
        h = (h ^ (unsigned char)*key) * 1099511628211ull;
    return (size_t)(h % SLOTS);
}

char *gh_portal_list_cache_get(const char *key, int claim)
{
    size_t i = slot_of(key);
    uint64_t gen = atomic_load(&generation);
    int64_t now = gh_portal_now_ms();
    char *out = NULL;

    pthread_mutex_lock(&cache.mu);
    if (cache.e[i].key != NULL && cache.e[i].gen == gen && strcmp(cache.e[i].key, key) == 0) {
        /* expired but unchanged here: the first caller recomputes, the others keep the old answer for at most
         * GH_PORTAL_LIST_TTL_MS more, so the database sees one query per expiry instead of one per request */
        if (cache.e[i].until_ms > now)
            out = gh_strdup(cache.e[i].body);
        else if (!cache.e[i].refreshing) {
            if (claim)
                cache.e[i].refreshing = 1; /* this caller recomputes; it gets NULL */
        }
        else if (cache.e[i].until_ms + GH_PORTAL_LIST_TTL_MS > now)
            out = gh_strdup(cache.e[i].body);
    }
    pthread_mutex_unlock(&cache.mu);
    return out;
}

void gh_portal_list_cache_put(const char *key, const char *body, uint64_t gen)
{
    size_t i = slot_of(key);
    char *k = gh_strdup(key), *b = gh_strdup(body), *ok, *ob;

    pthread_mutex_lock(&cache.mu);
    ok = cache.e[i].key;
    ob = cache.e[i].body;
    cache.e[i].key = k;
    cache.e[i].body = b;
    cache.e[i].gen = gen;
    cache.e[i].until_ms = gh_portal_now_ms() + GH_PORTAL_LIST_TTL_MS;
    cache.e[i].refreshing = 0;
    pthread_mutex_unlock(&cache.mu);
    free(ok);
    free(ob);
}

uint64_t gh_portal_list_cache_generation(void)
{
    return atomic_load(&generation);
}

static void on_event(const gh_event_t *ev, void *data)
{
    (void)data;
    if (ev->kind == GH_EV_API_CHANGED)
        atomic_fetch_add(&generation, 1);
}

int gh_portal_list_cache_start(void)
{
    return gh_events_subscribe(on_event, NULL);
}

void gh_portal_list_cache_stop(int handle)
{
    size_t i;

    if (handle > 0)
        gh_events_unsubscribe(handle);
    pthread_mutex_lock(&cache.mu);
    for (i = 0; i < SLOTS; ++i) {
        free(cache.e[i].key);
        free(cache.e[i].body);
        cache.e[i].key = cache.e[i].body = NULL;
    }
    pthread_mutex_unlock(&cache.mu);
}

char *gh_portal_list_key(const char *base, const char *who, const char *offset, const char *limit, const char *query)
{
    return gh_asprintf("%s|%s|%s|%s|%s", base, who, offset != NULL ? offset : "0", limit != NULL ? limit : "25",
                       query != NULL ? query : "");
}
