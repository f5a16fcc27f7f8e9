/* The in-memory throttle counters (gh_gw_counters_t "memory"): fixed windows in a sharded hash table, each
 * counter dropped once its window has passed. One process only; a cluster-wide store plugs in through the
 * same struct. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/mem.h"
#include "gw_int.h"

#define SHARDS 16
#define BUCKETS 1024

typedef struct st_ctr_t {
    struct st_ctr_t *next;
    int64_t window_start, window_ms, value;
    char key[];
} ctr_t;

typedef struct st_shard_t {
    pthread_mutex_t mu;
    ctr_t *b[BUCKETS];
    size_t n;
} shard_t;

typedef struct st_mem_t {
    shard_t s[SHARDS];
} mem_t;

static size_t hash(const char *k)
{
    size_t h = 1469598103934665603ULL;

    for (; *k != '\0'; ++k)
        h = (h ^ (unsigned char)*k) * 1099511628211ULL;
    return h;
}

static void *create(void)
{
    mem_t *m = gh_calloc(1, sizeof(*m));
    int i;

    for (i = 0; i < SHARDS; ++i)
        pthread_mutex_init(&m->s[i].mu, NULL);
    return m;
}

static void destroy(void *cls)
{
    mem_t *m = cls;
    int i, k;

    for (i = 0; i < SHARDS; ++i) {
        for (k = 0; k < BUCKETS; ++k) {
            ctr_t *c = m->s[i].b[k], *n;
            for (; c != NULL; c = n) {
                n = c->next;
                free(c);
            }
        }
        pthread_mutex_destroy(&m->s[i].mu);
    }
    free(m);
}

/* drop the counters of a bucket whose window is over (keeps memory bounded by live keys) */
static void sweep(shard_t *s, size_t bucket, int64_t now)
{
    ctr_t **pp = &s->b[bucket];

    while (*pp != NULL) {
        ctr_t *c = *pp;
        if (c->window_start + c->window_ms <= now) {
            *pp = c->next;
            free(c);
            s->n--;
        } else {
            pp = &c->next;
        }
    }
}

static int64_t add(void *cls, const char *key, int64_t window_ms, int64_t now, int64_t amount, int64_t *reset)
{
    mem_t *m = cls;
    size_t h = hash(key);
    shard_t *s = &m->s[h % SHARDS];
    size_t bucket = (h / SHARDS) % BUCKETS;
    int64_t start = now - now % window_ms, v;
    ctr_t *c;

    pthread_mutex_lock(&s->mu);
    sweep(s, bucket, now);
    for (c = s->b[bucket]; c != NULL; c = c->next)
        if (c->window_ms == window_ms && strcmp(c->key, key) == 0)
            break;
    if (c == NULL && amount > 0) {
        size_t kl = strlen(key);
        c = gh_calloc(1, sizeof(*c) + kl + 1);
        memcpy(c->key, key, kl);
        c->window_ms = window_ms;
        c->window_start = start;
        c->next = s->b[bucket];
        s->b[bucket] = c;
        s->n++;
    }
    if (c != NULL && c->window_start != start) {
        c->window_start = start;
        c->value = 0;
    }
    if (c != NULL)
        c->value += amount;
    v = c != NULL ? c->value : 0;
    pthread_mutex_unlock(&s->mu);
    *reset = start + window_ms;
    return v;
}

static int64_t hit(void *cls, const char *key, int64_t window_ms, int64_t now, int64_t amount, int64_t *reset)
{
    return add(cls, key, window_ms, now, amount, reset);
}

static int64_t peek(void *cls, const char *key, int64_t window_ms, int64_t now, int64_t *reset)
{
    return add(cls, key, window_ms, now, 0, reset);
}

static const gh_gw_counters_t memory_counters = {
    .name = "memory", .create = create, .hit = hit, .peek = peek, .destroy = destroy};

const gh_gw_counters_t *gw_counters_memory(void)
{
    return &memory_counters;
}
