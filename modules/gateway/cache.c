/* The gateway token cache (WSO2 gatewayKeyCache): validation results per token and API, shared by every
 * loop, each entry living until the earliest of TokenCacheExpiry and the token's own expiry. Revocation,
 * subscription, application and key events drop entries at once (module.c). Entries are reference counted so
 * a request keeps its result while the cache drops it.
 *
 * Dropping is not enough in a cluster: the validation that refills the entry may ask a key manager that has not
 * heard of the revocation yet (its own 10 s cache, its relay a poll behind) and hear "active" again, or may have
 * been in flight when the event came. So revocations are also remembered for a while (tombstones) and checked
 * against every fresh answer, and answers that began before a drop are not cached. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/mem.h"
#include "gw_int.h"

typedef struct st_slot_t {
    struct st_slot_t *next;
    gw_entry_t *e;
    char key[96];
} slot_t;

#define GW_REVOKED_TTL_MS 120000 /* outlives any key manager's token cache and relay delay */
#define GW_REVOKED_MAX 4096      /* revocations remembered at once; beyond it the oldest are forgotten */

typedef struct st_tomb_t {
    char token_hash[65];   /* or "" */
    char consumer_key[256]; /* or "" */
    int64_t at_ms;         /* consumer key: tokens issued before this */
    int64_t until_ms;
} tomb_t;

static struct {
    pthread_mutex_t mu;
    slot_t **b;
    size_t nb, n, max;
    uint64_t epoch;
} C = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Apart from the cache's lock: a scan of the tombstones (validate.c, on a job worker) must not hold up the loops'
 * cache look-ups. */
static struct {
    pthread_mutex_t mu;
    tomb_t tombs[GW_REVOKED_MAX]; /* a ring: next is the oldest once full */
    size_t next, n;
} T = {.mu = PTHREAD_MUTEX_INITIALIZER};

void gw_entry_unref(gw_entry_t *e)
{
    if (e != NULL && atomic_fetch_sub(&e->refs, 1) == 1) {
        gh_keyval_info_dispose(&e->info);
        free(e);
    }
}

static size_t hash(const char *k)
{
    size_t h = 1469598103934665603ULL;

    for (; *k != '\0'; ++k)
        h = (h ^ (unsigned char)*k) * 1099511628211ULL;
    return h;
}

void gw_cache_init(size_t max)
{
    pthread_mutex_lock(&C.mu);
    C.nb = 4096;
    C.b = gh_calloc(C.nb, sizeof(*C.b));
    C.max = max;
    C.n = 0;
    pthread_mutex_unlock(&C.mu);
}

static void drop_where(int (*pred)(const slot_t *, const void *, int64_t), const void *arg, int64_t now)
{
    size_t i;

    for (i = 0; i < C.nb; ++i) {
        slot_t **pp = &C.b[i];
        while (*pp != NULL) {
            slot_t *s = *pp;
            if (pred(s, arg, now)) {
                *pp = s->next;
                gw_entry_unref(s->e);
                free(s);
                C.n--;
            } else {
                pp = &s->next;
            }
        }
    }
}

static int pred_all(const slot_t *s, const void *arg, int64_t now)
{
    (void)s, (void)arg, (void)now;
    return 1;
}

static int pred_prefix(const slot_t *s, const void *arg, int64_t now)
{
    (void)now;
    return strncmp(s->key, arg, strlen(arg)) == 0;
}

typedef struct st_related_t {
    int64_t api_id;
    char application_id[24];
    const char *consumer_key;
} related_t;

/* Refusals go too: a new subscription or new keys may turn them into grants. */
static int pred_related(const slot_t *s, const void *arg, int64_t now)
{
    const related_t *m = arg;
    const gh_keyval_info_t *i = &s->e->info;
    const char *colon;

    (void)now;
    if (!i->authorized)
        return 1;
    if (m->consumer_key != NULL && strcmp(i->consumer_key, m->consumer_key) == 0)
        return 1;
    if (m->application_id[0] == '\0' || strcmp(i->application_id, m->application_id) != 0)
        return 0;
    return m->api_id == 0 || ((colon = strchr(s->key, ':')) != NULL && strtoll(colon + 1, NULL, 10) == m->api_id);
}

static int pred_api(const slot_t *s, const void *arg, int64_t now)
{
    const char *colon = strchr(s->key, ':');

    (void)now;
    return colon != NULL && strtoll(colon + 1, NULL, 10) == *(const int64_t *)arg;
}

static int pred_expired(const slot_t *s, const void *arg, int64_t now)
{
    (void)arg;
    return s->e->expires_ms <= now;
}

void gw_cache_dispose(void)
{
    pthread_mutex_lock(&C.mu);
    if (C.b != NULL)
        drop_where(pred_all, NULL, 0);
    free(C.b);
    C.b = NULL;
    C.nb = 0;
    pthread_mutex_unlock(&C.mu);
}

gw_entry_t *gw_cache_get(const char *key, int64_t now_ms)
{
    gw_entry_t *e = NULL;
    slot_t *s;

    pthread_mutex_lock(&C.mu);
    if (C.b != NULL)
        for (s = C.b[hash(key) % C.nb]; s != NULL; s = s->next)
            if (strcmp(s->key, key) == 0) {
                if (s->e->expires_ms > now_ms) {
                    e = s->e;
                    atomic_fetch_add(&e->refs, 1);
                }
                break;
            }
    pthread_mutex_unlock(&C.mu);
    return e;
}

void gw_cache_put(const char *key, gw_entry_t *e)
{
    slot_t *s, **pp;
    size_t h;

    pthread_mutex_lock(&C.mu);
    if (C.b == NULL) {
        pthread_mutex_unlock(&C.mu);
        return;
    }
    if (C.n >= C.max) {
        drop_where(pred_expired, NULL, e->expires_ms - 1); /* crude: what expires first goes */
        if (C.n >= C.max)
            drop_where(pred_all, NULL, 0);
    }
    h = hash(key) % C.nb;
    for (pp = &C.b[h]; *pp != NULL; pp = &(*pp)->next)
        if (strcmp((*pp)->key, key) == 0) {
            atomic_fetch_add(&e->refs, 1);
            gw_entry_unref((*pp)->e);
            (*pp)->e = e;
            pthread_mutex_unlock(&C.mu);
            return;
        }
    s = gh_calloc(1, sizeof(*s));
    memcpy(s->key, key, strnlen(key, sizeof(s->key) - 1));
    atomic_fetch_add(&e->refs, 1);
    s->e = e;
    s->next = C.b[h];
    C.b[h] = s;
    C.n++;
    pthread_mutex_unlock(&C.mu);
}

void gw_cache_drop(const char *prefix)
{
    pthread_mutex_lock(&C.mu);
    C.epoch++;
    if (C.b != NULL)
        drop_where(prefix != NULL ? pred_prefix : pred_all, prefix, 0);
    pthread_mutex_unlock(&C.mu);
}

void gw_cache_drop_related(int64_t api_id, int64_t application_id, const char *consumer_key)
{
    related_t m = {.api_id = api_id, .consumer_key = consumer_key};

    if (application_id > 0)
        snprintf(m.application_id, sizeof(m.application_id), "%lld", (long long)application_id);
    pthread_mutex_lock(&C.mu);
    C.epoch++;
    if (C.b != NULL)
        drop_where(pred_related, &m, 0);
    pthread_mutex_unlock(&C.mu);
}

void gw_cache_drop_api(int64_t api_id)
{
    pthread_mutex_lock(&C.mu);
    C.epoch++;
    if (C.b != NULL)
        drop_where(pred_api, &api_id, 0);
    pthread_mutex_unlock(&C.mu);
}

size_t gw_cache_size(void)
{
    size_t n;

    pthread_mutex_lock(&C.mu);
    n = C.n;
    pthread_mutex_unlock(&C.mu);
    return n;
}

uint64_t gw_cache_epoch(void)
{
    uint64_t e;

    pthread_mutex_lock(&C.mu);
    e = C.epoch;
    pthread_mutex_unlock(&C.mu);
    return e;
}

void gw_cache_revoke(const char *token_hash, const char *consumer_key, int64_t at_ms)
{
    int64_t now = gh_gw_now_ms();
    tomb_t *t;

    if ((token_hash == NULL || *token_hash == '\0') && (consumer_key == NULL || *consumer_key == '\0'))
        return;
    pthread_mutex_lock(&T.mu);
    t = &T.tombs[T.next];
    memset(t, 0, sizeof(*t));
    if (token_hash != NULL)
        snprintf(t->token_hash, sizeof(t->token_hash), "%s", token_hash);
    else
        snprintf(t->consumer_key, sizeof(t->consumer_key), "%s", consumer_key);
    t->at_ms = at_ms > 0 ? at_ms : now;
    t->until_ms = now + GW_REVOKED_TTL_MS;
    T.next = (T.next + 1) % GW_REVOKED_MAX;
    if (T.n < GW_REVOKED_MAX)
        T.n++;
    pthread_mutex_unlock(&T.mu);
}

int gw_cache_revoked(const char *token_hash, const char *consumer_key, int64_t issued_ms, int64_t now_ms)
{
    int hit = 0;

    pthread_mutex_lock(&T.mu);
    for (size_t i = 0; i < T.n && !hit; ++i) {
        const tomb_t *t = &T.tombs[i];
        if (t->until_ms <= now_ms)
            continue;
        if (t->token_hash[0] != '\0')
            hit = token_hash != NULL && strcmp(t->token_hash, token_hash) == 0;
        else
            hit = consumer_key != NULL && strcmp(t->consumer_key, consumer_key) == 0 && issued_ms < t->at_ms;
    }
    pthread_mutex_unlock(&T.mu);
    return hit;
}
