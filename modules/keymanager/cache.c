/* A small thread-safe map with expiry: introspection and client look-ups answer from memory. Bounded: when
 * full, expired entries go first and then everything (a cache miss only costs a database read). */
#include <stdlib.h>
#include <string.h>
#include "gatehouse/mem.h"
#include "km_int.h"

struct st_gh_km_cache_entry_t {
    gh_km_cache_entry_t *next;
    int64_t expires_ms;
    char key[257];
    unsigned char value[]; /* vsize bytes */
};

static size_t hash_of(const char *s)
{
    size_t h = 1469598103934665603ULL;

    for (; *s; ++s)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

void gh_km_cache_init(gh_km_cache_t *c, size_t vsize, size_t max)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
    c->nbuckets = 4096;
    c->buckets = gh_calloc(c->nbuckets, sizeof(*c->buckets));
    c->vsize = vsize;
    c->max = max;
}

static void clear_locked(gh_km_cache_t *c, int64_t now_ms, int all)
{
    size_t i;

    for (i = 0; i < c->nbuckets; ++i) {
        gh_km_cache_entry_t **pp = &c->buckets[i];
        while (*pp != NULL) {
            gh_km_cache_entry_t *e = *pp;
            if (all || e->expires_ms <= now_ms) {
                *pp = e->next;
                free(e);
                c->n--;
            } else {
                pp = &e->next;
            }
        }
    }
}

void gh_km_cache_dispose(gh_km_cache_t *c)
{
    if (c->buckets == NULL)
        return;
    clear_locked(c, 0, 1);
    free(c->buckets);
    pthread_mutex_destroy(&c->mu);
    memset(c, 0, sizeof(*c));
}

static gh_km_cache_entry_t **find_locked(gh_km_cache_t *c, const char *key)
{
    gh_km_cache_entry_t **pp = &c->buckets[hash_of(key) % c->nbuckets];

    while (*pp != NULL && strcmp((*pp)->key, key) != 0)
        pp = &(*pp)->next;
    return pp;
}

static void put(gh_km_cache_t *c, const uint64_t *gen, const char *key, const void *value, int64_t expires_ms)
{
    gh_km_cache_entry_t **pp, *e;

    if (strlen(key) >= sizeof(e->key))
        return;
    pthread_mutex_lock(&c->mu);
    if (gen != NULL && *gen != c->gen) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    pp = find_locked(c, key);
    if ((e = *pp) == NULL) {
        if (c->n >= c->max) {
            clear_locked(c, expires_ms - GH_KM_CACHE_TTL_MS, 0);
            if (c->n >= c->max)
                clear_locked(c, 0, 1);
            pp = find_locked(c, key);
        }
        e = gh_calloc(1, sizeof(*e) + c->vsize);
        memcpy(e->key, key, strlen(key) + 1); /* length checked above */
        e->next = NULL;
        *pp = e;
        c->n++;
    }
    memcpy(e->value, value, c->vsize);
    e->expires_ms = expires_ms;
    pthread_mutex_unlock(&c->mu);
}

int gh_km_cache_get(gh_km_cache_t *c, const char *key, void *out, int64_t now_ms)
{
    gh_km_cache_entry_t *e;
    int found = 0;

    pthread_mutex_lock(&c->mu);
    e = *find_locked(c, key);
    if (e != NULL && e->expires_ms > now_ms) {
        memcpy(out, e->value, c->vsize);
        found = 1;
    }
    pthread_mutex_unlock(&c->mu);
    return found;
}

void gh_km_cache_put(gh_km_cache_t *c, const char *key, const void *value, int64_t expires_ms)
{
    put(c, NULL, key, value, expires_ms);
}

void gh_km_cache_put_if(gh_km_cache_t *c, uint64_t gen, const char *key, const void *value, int64_t expires_ms)
{
    put(c, &gen, key, value, expires_ms);
}

uint64_t gh_km_cache_gen(gh_km_cache_t *c)
{
    uint64_t g;

    pthread_mutex_lock(&c->mu);
    g = c->gen;
    pthread_mutex_unlock(&c->mu);
    return g;
}

void gh_km_cache_del(gh_km_cache_t *c, const char *key)
{
    gh_km_cache_entry_t **pp, *e;

    pthread_mutex_lock(&c->mu);
    c->gen++;
    pp = find_locked(c, key);
    if ((e = *pp) != NULL) {
        *pp = e->next;
        free(e);
        c->n--;
    }
    pthread_mutex_unlock(&c->mu);
}

void gh_km_cache_sweep(gh_km_cache_t *c, int64_t now_ms)
{
    pthread_mutex_lock(&c->mu);
    clear_locked(c, now_ms, 0);
    pthread_mutex_unlock(&c->mu);
}

void gh_km_cache_clear(gh_km_cache_t *c)
{
    pthread_mutex_lock(&c->mu);
    c->gen++;
    if (c->buckets != NULL)
        clear_locked(c, 0, 1);
    pthread_mutex_unlock(&c->mu);
}
