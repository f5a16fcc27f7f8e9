/* Cluster-wide throttle counters (gh_gw_counters_t "cluster"): several gateway processes enforce one tier
 * together without a database round trip on the request path.
 *
 * hit() counts in this process's in-memory counters (counters.c) and answers "my count + what the other gateways
 * had counted at the last sync" for the same key and window. A sync thread, every CL_SYNC_MS, writes this
 * process's changed counts to GH_THROTTLE_COUNTER (one row per node, key and window: nodes never write the same
 * row) in one transaction, then reads the sum of every other node's rows of live windows. Windows are aligned on
 * the wall clock, so every node's window of a key starts at the same instant.
 *
 * Tolerance: a node learns of the others' calls at most ~2 sync intervals (plus the database's latency) late,
 * so a tier can be exceeded by what the other gateways let through in that time; for calls spread over the
 * window that is a fraction of the quota (docs/deployment.md). When the database is slow or down, each node
 * keeps enforcing with its own count plus the others' last known counts, and catches up when it answers. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/rand.h>
#include "gatehouse/db.h"
#include "gatehouse/keymanager.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gw_int.h"

#define CL_SYNC_MS 200
#define CL_BUCKETS 1024
#define CL_CLEANUP_MS 60000
#define CL_KEEP_MS 60000 /* rows are kept this long past their window's end */

typedef struct st_ent_t {
    struct st_ent_t *next;
    int64_t window_ms, window_start, value;
    char key[];
} ent_t;

typedef struct st_map_t {
    ent_t *b[CL_BUCKETS];
    size_t n;
} map_t;

typedef struct st_cl_t {
    const gh_gw_counters_t *mem_ops;
    void *mem;
    gh_db_pool_t *pool;
    char node[64];
    pthread_mutex_t mu; /* guards dirty, others, running */
    pthread_cond_t cv;
    map_t *dirty;  /* this node's counts changed since the last write: latest totals */
    map_t *others; /* the other nodes' sums at the last read */
    int running;
    pthread_t tid;
    int64_t last_cleanup_ms;
    int failing;
} cl_t;

static gh_db_pool_t *S_pool; /* set by gw_counters_select() for create() (the interface's create takes none) */

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t slot(const char *k, int64_t wms, int64_t start)
{
    size_t h = 1469598103934665603ULL ^ (size_t)wms ^ ((size_t)start << 7);

    for (; *k != '\0'; ++k)
        h = (h ^ (unsigned char)*k) * 1099511628211ULL;
    return h % CL_BUCKETS;
}

static ent_t **map_find(map_t *m, const char *key, int64_t wms, int64_t start)
{
    ent_t **pp = &m->b[slot(key, wms, start)];

    while (*pp != NULL && !((*pp)->window_ms == wms && (*pp)->window_start == start && strcmp((*pp)->key, key) == 0))
        pp = &(*pp)->next;
    return pp;
}

/* set (max when keep_max: a write that failed must not lower a newer count) */
static void map_set(map_t *m, const char *key, int64_t wms, int64_t start, int64_t v, int keep_max)
{
    ent_t **pp = map_find(m, key, wms, start);

    if (*pp == NULL) {
        size_t kl = strlen(key);
        ent_t *e = gh_calloc(1, sizeof(*e) + kl + 1);
        memcpy(e->key, key, kl);
        e->window_ms = wms;
        e->window_start = start;
        *pp = e;
        m->n++;
    }
    if (!keep_max || v > (*pp)->value)
        (*pp)->value = v;
}

static int64_t map_get(map_t *m, const char *key, int64_t wms, int64_t start)
{
    ent_t *e = *map_find(m, key, wms, start);

    return e != NULL ? e->value : 0;
}

static void map_free(map_t *m)
{
    size_t i;

    if (m == NULL)
        return;
    for (i = 0; i < CL_BUCKETS; ++i)
        while (m->b[i] != NULL) {
            ent_t *e = m->b[i];
            m->b[i] = e->next;
            free(e);
        }
    free(m);
}

static int64_t count(void *cls, const char *key, int64_t window_ms, int64_t now, int64_t amount, int64_t *reset)
{
    cl_t *c = cls;
    int64_t start = now - now % window_ms, mine, others;

    mine = amount > 0 ? c->mem_ops->hit(c->mem, key, window_ms, now, amount, reset)
                      : c->mem_ops->peek(c->mem, key, window_ms, now, reset);
    pthread_mutex_lock(&c->mu);
    if (amount > 0)
        map_set(c->dirty, key, window_ms, start, mine, 0);
    others = map_get(c->others, key, window_ms, start);
    pthread_mutex_unlock(&c->mu);
    return mine + others;
}

static int64_t hit(void *cls, const char *key, int64_t window_ms, int64_t now, int64_t amount, int64_t *reset)
{
    return count(cls, key, window_ms, now, amount, reset);
}

static int64_t peek(void *cls, const char *key, int64_t window_ms, int64_t now, int64_t *reset)
{
    return count(cls, key, window_ms, now, 0, reset);
}

static const char *upsert_sql(gh_db_conn_t *c)
{
    if (strcmp(gh_db_dialect(c), "mysql") == 0)
        return "INSERT INTO GH_THROTTLE_COUNTER (NODE, COUNTER_KEY, WINDOW_MS, WINDOW_START, WINDOW_END, COUNT_VALUE) "
               "VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE COUNT_VALUE = VALUES(COUNT_VALUE)";
    return "INSERT INTO GH_THROTTLE_COUNTER (NODE, COUNTER_KEY, WINDOW_MS, WINDOW_START, WINDOW_END, COUNT_VALUE) "
           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (NODE, COUNTER_KEY, WINDOW_MS, WINDOW_START) DO UPDATE SET "
           "COUNT_VALUE = EXCLUDED.COUNT_VALUE";
}

/* Write this node's changed counts (one transaction). On failure they go back, merged with newer ones. */
static int write_dirty(cl_t *c, gh_db_conn_t *conn, gh_err_t *err)
{
    map_t *batch;
    size_t i;
    ent_t *e;

    pthread_mutex_lock(&c->mu);
    batch = c->dirty;
    c->dirty = gh_calloc(1, sizeof(*c->dirty));
    pthread_mutex_unlock(&c->mu);
    if (batch->n == 0) {
        map_free(batch);
        return GH_OK;
    }
    if (gh_db_begin(conn, err) != GH_OK)
        goto fail;
    for (i = 0; i < CL_BUCKETS; ++i)
        for (e = batch->b[i]; e != NULL; e = e->next)
            if (gh_db_exec(conn, upsert_sql(conn),
                           GH_DB_ARGS(GH_DB_T(c->node), GH_DB_T(e->key), GH_DB_I(e->window_ms), GH_DB_I(e->window_start),
                                      GH_DB_I(e->window_start + e->window_ms), GH_DB_I(e->value)),
                           NULL, err) != GH_OK)
                goto fail;
    if (gh_db_commit(conn, err) != GH_OK)
        goto fail;
    map_free(batch);
    return GH_OK;
fail:
    gh_db_rollback(conn, NULL);
    pthread_mutex_lock(&c->mu);
    for (i = 0; i < CL_BUCKETS; ++i)
        for (e = batch->b[i]; e != NULL; e = e->next)
            map_set(c->dirty, e->key, e->window_ms, e->window_start, e->value, 1);
    pthread_mutex_unlock(&c->mu);
    map_free(batch);
    return GH_ERR;
}

/* The other nodes' sums for windows still running. */
static int read_others(cl_t *c, gh_db_conn_t *conn, int64_t now, gh_err_t *err)
{
    gh_db_stmt_t *s;
    map_t *m, *old;
    int rc;

    if (gh_db_prepare(conn,
                      "SELECT COUNTER_KEY, WINDOW_MS, WINDOW_START, SUM(COUNT_VALUE) FROM GH_THROTTLE_COUNTER "
                      "WHERE NODE <> ? AND WINDOW_END > ? GROUP BY COUNTER_KEY, WINDOW_MS, WINDOW_START",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(c->node), GH_DB_I(now)), err) != GH_OK)
        return GH_ERR;
    m = gh_calloc(1, sizeof(*m));
    while ((rc = gh_db_next(s, err)) == 1) {
        const char *k = gh_db_col_text(s, 0, NULL);
        if (k != NULL)
            map_set(m, k, gh_db_col_int(s, 1), gh_db_col_int(s, 2), gh_db_col_int(s, 3), 0);
    }
    gh_db_reset(s);
    if (rc < 0) {
        map_free(m);
        return GH_ERR;
    }
    pthread_mutex_lock(&c->mu);
    old = c->others;
    c->others = m;
    pthread_mutex_unlock(&c->mu);
    map_free(old);
    return GH_OK;
}

static void sync_once(cl_t *c)
{
    gh_db_conn_t *conn = NULL;
    gh_err_t err = {0};
    int64_t now = wall_ms();
    int ok;

    ok = gh_db_borrow(c->pool, &conn, &err) == GH_OK && write_dirty(c, conn, &err) == GH_OK &&
         read_others(c, conn, now, &err) == GH_OK;
    if (ok && now - c->last_cleanup_ms > CL_CLEANUP_MS) {
        c->last_cleanup_ms = now;
        if (gh_db_exec(conn, "DELETE FROM GH_THROTTLE_COUNTER WHERE WINDOW_END < ?",
                       GH_DB_ARGS(GH_DB_I(now - CL_KEEP_MS)), NULL, &err) != GH_OK)
            gh_log(GH_LOG_WARN, "gateway", "cluster throttling: deleting old counters failed: %s", err.msg);
    }
    gh_db_return(conn);
    if (!ok && !c->failing)
        gh_log(GH_LOG_ERR, "gateway", "cluster throttling: counters not shared (each gateway counts alone): %s",
               err.msg);
    else if (ok && c->failing)
        gh_log(GH_LOG_NOTICE, "gateway", "cluster throttling: counters shared again");
    c->failing = !ok;
}

static void *sync_main(void *arg)
{
    cl_t *c = arg;
    struct timespec ts;

    pthread_mutex_lock(&c->mu);
    while (c->running) {
        pthread_mutex_unlock(&c->mu);
        sync_once(c);
        pthread_mutex_lock(&c->mu);
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)CL_SYNC_MS * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        if (c->running)
            pthread_cond_timedwait(&c->cv, &c->mu, &ts);
    }
    pthread_mutex_unlock(&c->mu);
    sync_once(c); /* the last counts go out */
    return NULL;
}

static void *create(void)
{
    cl_t *c = gh_calloc(1, sizeof(*c));
    unsigned char rnd[4] = {0};
    char host[32] = "host";

    c->mem_ops = gw_counters_memory();
    c->mem = c->mem_ops->create();
    c->pool = S_pool;
    RAND_bytes(rnd, sizeof(rnd));
    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    snprintf(c->node, sizeof(c->node), "%s:%d:%02x%02x%02x%02x", host, (int)getpid(), rnd[0], rnd[1], rnd[2], rnd[3]);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    c->dirty = gh_calloc(1, sizeof(*c->dirty));
    c->others = gh_calloc(1, sizeof(*c->others));
    c->last_cleanup_ms = wall_ms();
    c->running = 1;
    if (pthread_create(&c->tid, NULL, sync_main, c) != 0) {
        gh_log(GH_LOG_ERR, "gateway", "cluster throttling: cannot start the sync thread; counting alone");
        c->running = 0;
    }
    return c;
}

static void destroy(void *cls)
{
    cl_t *c = cls;
    int joined;

    pthread_mutex_lock(&c->mu);
    joined = c->running;
    c->running = 0;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (joined)
        pthread_join(c->tid, NULL);
    map_free(c->dirty);
    map_free(c->others);
    c->mem_ops->destroy(c->mem);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    free(c);
}

static const gh_gw_counters_t cluster_counters = {
    .name = "cluster", .create = create, .hit = hit, .peek = peek, .destroy = destroy};

const gh_gw_counters_t *gw_counters_select(gh_server_t *srv, gh_db_pool_t *pool)
{
    const char *env = getenv("GH_GW_COUNTERS");
    int cluster = env != NULL && env[0] != '\0' ? strcmp(env, "cluster") == 0 : !(gh_server_roles(srv) & GH_ROLE_KM);

    if (!cluster)
        return gw_counters_memory();
    S_pool = pool;
    gh_log(GH_LOG_INFO, "gateway", "throttle counters shared with the other gateways through the database");
    return &cluster_counters;
}
