/* The cluster's event relay (include/gatehouse/cluster.h). One thread per process does all of its SQL, so no event
 * loop and no publisher ever waits on the database: local events are queued in memory by the bus callback and
 * written in one transaction per round; others' events are read by EVENT_ID.
 *
 * Reading "EVENT_ID > last seen" alone would lose an event whose transaction commits after a higher id was read
 * (ids are handed out at insert, rows become visible at commit). So each read starts at a floor a few seconds
 * behind, and ids seen since are remembered to skip duplicates: an insert transaction here holds only a few rows
 * and commits at once, so a window of seconds covers every interleaving.
 *
 * On PostgreSQL each write also sends a NOTIFY (delivered at its commit) and a second thread LISTENs, so a read
 * follows a commit within milliseconds; the timed read remains, slower, for what a lost session may have missed.
 * MySQL/MariaDB and SQLite have no such thing: there the timed read every poll_ms is the mechanism. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/rand.h>
#include "gatehouse/cluster.h"
#include "gatehouse/db.h"
#include "gatehouse/events.h"
#include "gatehouse/health.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"

#define WINDOW_MS 5000       /* how far behind the newest id each read starts (see above) */
#define READ_BATCH 500       /* rows per read; a full batch is followed by another read at once */
#define QUEUE_MAX 100000     /* local events waiting for the database; beyond it the oldest are dropped */
#define CLEANUP_EVERY_MS 60000
#define CHANNEL "gh_event"   /* the NOTIFY channel */
#define LISTEN_POLL_MS 1000  /* timed reads while notifications arrive */
#define LISTEN_WAIT_MS 250   /* how long the listener blocks before looking at `running` again */

typedef struct st_qitem_t {
    struct st_qitem_t *next;
    gh_event_t ev;
    char *api_uuid, *consumer_key, *token_hash, *name;
} qitem_t;

typedef struct st_seen_t {
    int64_t id;
    int64_t at_ms;
} seen_t;

struct st_gh_relay_t {
    gh_db_pool_t *pool;
    char node[64];
    int poll_ms, retention_s, behind_ms;
    int sub, health;

    pthread_t tid, listener;
    int notify;         /* the database has LISTEN/NOTIFY: the listener thread runs */
    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cv;
    int running;
    int kicked;         /* a notification arrived since the last read */
    qitem_t *head, **tail;
    size_t qlen;
    uint64_t dropped;
    gh_relay_status_t st;

    /* relay thread only */
    int64_t floor;    /* reads ask for EVENT_ID > floor */
    seen_t *seen;     /* ids > floor already handled, oldest first */
    size_t n_seen, cap_seen;
    int64_t last_cleanup_ms;
    int64_t down_since_ms; /* 0 while connected */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void qitem_free(qitem_t *q)
{
    free(q->api_uuid);
    free(q->consumer_key);
    free(q->token_hash);
    free(q->name);
    free(q);
}

/* The bus callback: runs on the publisher's thread, so it only copies and queues. */
static void on_local(const gh_event_t *ev, void *data)
{
    gh_relay_t *r = data;
    qitem_t *q;

    if (ev->flags & GH_EV_F_REMOTE)
        return;
    q = gh_calloc(1, sizeof(*q));
    q->ev = *ev;
    q->api_uuid = ev->api_uuid ? gh_strdup(ev->api_uuid) : NULL;
    q->consumer_key = ev->consumer_key ? gh_strdup(ev->consumer_key) : NULL;
    q->token_hash = ev->token_hash ? gh_strdup(ev->token_hash) : NULL;
    q->name = ev->name ? gh_strdup(ev->name) : NULL;
    pthread_mutex_lock(&r->mu);
    *r->tail = q;
    r->tail = &q->next;
    if (++r->qlen > QUEUE_MAX) {
        qitem_t *old = r->head;
        r->head = old->next;
        if (r->head == NULL)
            r->tail = &r->head;
        r->qlen--;
        r->dropped++;
        qitem_free(old);
    }
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static void set_failed(gh_relay_t *r, const char *what, const gh_err_t *err)
{
    pthread_mutex_lock(&r->mu);
    if (r->st.connected)
        gh_log(GH_LOG_ERR, "cluster", "event relay: %s failed: %s", what, err->msg);
    r->st.connected = 0;
    r->st.caught_up = 0;
    snprintf(r->st.last_error, sizeof(r->st.last_error), "%s: %s", what, err->msg);
    pthread_mutex_unlock(&r->mu);
    if (r->down_since_ms == 0)
        r->down_since_ms = now_ms();
}

/* Write every queued local event in one transaction; on failure they go back to the front of the queue. */
static int flush(gh_relay_t *r, gh_db_conn_t *c)
{
    qitem_t *batch, *q;
    gh_err_t err = {0};
    size_t n = 0;
    int rc = GH_OK;

    pthread_mutex_lock(&r->mu);
    batch = r->head;
    r->head = NULL;
    r->tail = &r->head;
    r->qlen = 0;
    pthread_mutex_unlock(&r->mu);
    if (batch == NULL)
        return GH_OK;
    if (gh_db_begin(c, &err) != GH_OK)
        goto fail;
    for (q = batch; q != NULL; q = q->next, ++n) {
        if (gh_db_exec(c,
                       "INSERT INTO GH_EVENT (KIND, ORIGIN, API_ID, APPLICATION_ID, SUBSCRIPTION_ID, API_UUID, "
                       "CONSUMER_KEY, TOKEN_HASH, NAME, FLAGS, CREATED_TIME) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       GH_DB_ARGS(GH_DB_I(q->ev.kind), GH_DB_T(r->node), GH_DB_I(q->ev.api_id),
                                  GH_DB_I(q->ev.application_id), GH_DB_I(q->ev.subscription_id), GH_DB_T(q->api_uuid),
                                  GH_DB_T(q->consumer_key), GH_DB_T(q->token_hash), GH_DB_T(q->name),
                                  GH_DB_I(q->ev.flags & ~GH_EV_F_REMOTE), GH_DB_I(now_ms())),
                       NULL, &err) != GH_OK)
            goto fail;
    }
    if (gh_db_notify(c, CHANNEL, &err) != GH_OK || gh_db_commit(c, &err) != GH_OK)
        goto fail;
    while (batch != NULL) {
        q = batch->next;
        qitem_free(batch);
        batch = q;
    }
    gh_log(GH_LOG_DEBUG, "cluster", "event relay: wrote %zu event(s)", n);
    pthread_mutex_lock(&r->mu);
    r->st.sent += n;
    pthread_mutex_unlock(&r->mu);
    return GH_OK;

fail:
    rc = GH_ERR;
    gh_db_rollback(c, NULL);
    set_failed(r, "writing events", &err);
    pthread_mutex_lock(&r->mu);
    for (q = batch; q->next != NULL; q = q->next)
        ;
    q->next = r->head;
    if (r->head == NULL)
        r->tail = &q->next;
    r->head = batch;
    for (q = batch; q != NULL; q = q->next)
        r->qlen++;
    pthread_mutex_unlock(&r->mu);
    return rc;
}

static int was_seen(const gh_relay_t *r, int64_t id)
{
    for (size_t i = 0; i < r->n_seen; ++i)
        if (r->seen[i].id == id)
            return 1;
    return 0;
}

static void remember(gh_relay_t *r, int64_t id, int64_t at)
{
    if (r->n_seen == r->cap_seen) {
        r->cap_seen = r->cap_seen ? r->cap_seen * 2 : 256;
        r->seen = gh_realloc(r->seen, r->cap_seen * sizeof(*r->seen));
    }
    r->seen[r->n_seen].id = id;
    r->seen[r->n_seen].at_ms = at;
    r->n_seen++;
}

/* Raise the floor past ids seen more than WINDOW_MS ago, and forget them. */
static void advance_floor(gh_relay_t *r, int64_t now)
{
    size_t i, k = 0;

    for (i = 0; i < r->n_seen; ++i)
        if (r->seen[i].at_ms < now - WINDOW_MS && r->seen[i].id > r->floor)
            r->floor = r->seen[i].id;
    for (i = 0; i < r->n_seen; ++i)
        if (r->seen[i].id > r->floor)
            r->seen[k++] = r->seen[i];
    r->n_seen = k;
}

/* After an outage longer than the rows are kept, some events may be gone: tell every subscriber that everything
 * of every kind may have changed. */
static void resync(gh_relay_t *r)
{
    for (int k = 1; k < GH_EV_KIND_MAX; ++k) {
        gh_event_t ev = {.kind = (gh_event_kind_t)k, .flags = GH_EV_F_REMOTE | GH_EV_F_ALL};
        gh_events_publish(&ev);
    }
    pthread_mutex_lock(&r->mu);
    r->st.resyncs++;
    pthread_mutex_unlock(&r->mu);
    gh_log(GH_LOG_WARN, "cluster", "event relay: disconnected longer than events are kept; caches dropped");
}

/* Read others' events past the floor and publish them here. Returns rows read, or GH_ERR. */
static int read_batch(gh_relay_t *r, gh_db_conn_t *c)
{
    gh_db_stmt_t *s = NULL;
    gh_err_t err = {0};
    int rc, rows = 0;
    uint64_t received = 0;
    int64_t now = now_ms();

    if (gh_db_prepare(c,
                      "SELECT EVENT_ID, KIND, ORIGIN, API_ID, APPLICATION_ID, SUBSCRIPTION_ID, API_UUID, CONSUMER_KEY, "
                      "TOKEN_HASH, NAME, FLAGS, CREATED_TIME FROM GH_EVENT WHERE EVENT_ID > ? ORDER BY EVENT_ID LIMIT 500",
                      &s, &err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_I(r->floor)), &err) != GH_OK) {
        set_failed(r, "reading events", &err);
        return GH_ERR;
    }
    while ((rc = gh_db_next(s, &err)) == 1) {
        int64_t id = gh_db_col_int(s, 0);
        const char *origin = gh_db_col_text(s, 2, NULL);
        gh_event_t ev;

        rows++;
        if (was_seen(r, id))
            continue;
        remember(r, id, now);
        if ((origin != NULL && strcmp(origin, r->node) == 0) || gh_db_col_int(s, 1) <= 0 ||
            gh_db_col_int(s, 1) >= GH_EV_KIND_MAX)
            continue; /* ours, the marker row (kind 0, see gh_relay_start), or a kind this version does not know */
        ev = (gh_event_t){
            .kind = (gh_event_kind_t)gh_db_col_int(s, 1),
            .api_id = gh_db_col_int(s, 3),
            .application_id = gh_db_col_int(s, 4),
            .subscription_id = gh_db_col_int(s, 5),
            .api_uuid = gh_db_col_text(s, 6, NULL),
            .consumer_key = gh_db_col_text(s, 7, NULL),
            .token_hash = gh_db_col_text(s, 8, NULL),
            .name = gh_db_col_text(s, 9, NULL),
            .flags = ((unsigned)gh_db_col_int(s, 10) & GH_EV_F_ALL) | GH_EV_F_REMOTE,
            .at_ms = gh_db_col_int(s, 11),
        };
        gh_log(GH_LOG_DEBUG, "cluster", "event relay: event %lld (kind %d) from %s, written %lld ms ago",
               (long long)id, (int)ev.kind, origin != NULL ? origin : "?", (long long)(now - gh_db_col_int(s, 11)));
        gh_events_publish(&ev);
        received++;
    }
    gh_db_reset(s);
    if (rc < 0) {
        set_failed(r, "reading events", &err);
        return GH_ERR;
    }
    pthread_mutex_lock(&r->mu);
    r->st.received += received;
    pthread_mutex_unlock(&r->mu);
    return rows;
}

static void cleanup(gh_relay_t *r, gh_db_conn_t *c, int64_t now)
{
    gh_err_t err = {0};
    int64_t newest = 0;

    int64_t every = (int64_t)r->retention_s * 500;

    if (now - r->last_cleanup_ms < (every < CLEANUP_EVERY_MS ? every : CLEANUP_EVERY_MS))
        return;
    r->last_cleanup_ms = now;
    /* the newest row stays, however old: the table is never empty again (see gh_relay_start) */
    if (gh_db_query_int(c, "SELECT MAX(EVENT_ID) FROM GH_EVENT", GH_DB_NOARGS, &newest, &err) < 0 ||
        gh_db_exec(c, "DELETE FROM GH_EVENT WHERE CREATED_TIME < ? AND EVENT_ID < ?",
                   GH_DB_ARGS(GH_DB_I(now - (int64_t)r->retention_s * 1000), GH_DB_I(newest)), NULL, &err) != GH_OK)
        gh_log(GH_LOG_WARN, "cluster", "event relay: deleting old events failed: %s", err.msg);
}

static void round_once(gh_relay_t *r)
{
    gh_db_conn_t *c = NULL;
    gh_err_t err = {0};
    int n, reads = 0;
    int64_t now;

    if (gh_db_borrow(r->pool, &c, &err) != GH_OK) {
        set_failed(r, "connecting", &err);
        return;
    }
    if (flush(r, c) != GH_OK)
        goto out;
    now = now_ms();
    if (r->down_since_ms != 0 && now - r->down_since_ms > (int64_t)r->retention_s * 1000 / 2)
        resync(r);
    /* catch up completely before saying so: full batches mean more rows are waiting */
    while ((n = read_batch(r, c)) == READ_BATCH && reads++ < 100)
        advance_floor(r, now_ms());
    if (n < 0)
        goto out;
    now = now_ms();
    advance_floor(r, now);
    r->down_since_ms = 0;
    pthread_mutex_lock(&r->mu);
    if (!r->st.connected)
        gh_log(GH_LOG_NOTICE, "cluster", "event relay: connected to %s", gh_db_pool_name(r->pool));
    r->st.connected = 1;
    r->st.caught_up = n < READ_BATCH;
    r->st.last_ok_ms = now;
    r->st.last_error[0] = '\0';
    pthread_mutex_unlock(&r->mu);
    cleanup(r, c, now);
out:
    gh_db_return(c);
}

static void *relay_main(void *arg)
{
    gh_relay_t *r = arg;
    struct timespec ts;

    int wait_ms;

    pthread_mutex_lock(&r->mu);
    while (r->running) {
        r->kicked = 0;
        pthread_mutex_unlock(&r->mu);
        round_once(r);
        pthread_mutex_lock(&r->mu);
        if (!r->running || r->head != NULL || r->kicked)
            continue;
        wait_ms = r->st.listening && r->poll_ms < LISTEN_POLL_MS ? LISTEN_POLL_MS : r->poll_ms;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)wait_ms * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&r->cv, &r->mu, &ts);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static void kick(gh_relay_t *r, int listening)
{
    pthread_mutex_lock(&r->mu);
    r->st.listening = listening;
    r->kicked = 1;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static int still_running(gh_relay_t *r)
{
    int running;

    pthread_mutex_lock(&r->mu);
    running = r->running;
    pthread_mutex_unlock(&r->mu);
    return running;
}

/* PostgreSQL only: hold one session in LISTEN and wake the relay thread for each notification. When the session
 * is lost the relay falls back to reading every poll_ms until LISTEN is back, and reads once more then, since
 * notifications sent in between went nowhere. */
static void *listener_main(void *arg)
{
    gh_relay_t *r = arg;
    gh_db_conn_t *c = NULL;
    gh_err_t err = {0};
    int rc, logged = 0;

    while (still_running(r)) {
        if (gh_db_borrow(r->pool, &c, &err) != GH_OK || gh_db_listen(c, CHANNEL, &err) != GH_OK) {
            if (!logged++)
                gh_log(GH_LOG_WARN, "cluster", "event relay: LISTEN failed (%s); reading every %d ms until it works",
                       err.msg, r->poll_ms);
            gh_db_return(c);
            c = NULL;
            for (int i = 0; i < 4 && still_running(r); ++i)
                usleep(LISTEN_WAIT_MS * 1000);
            continue;
        }
        logged = 0;
        kick(r, 1);
        while ((rc = gh_db_wait_notify(c, LISTEN_WAIT_MS, &err)) >= 0 && still_running(r))
            if (rc == 1)
                kick(r, 1);
        if (rc < 0) {
            gh_log(GH_LOG_WARN, "cluster", "event relay: notifications lost (%s); listening again", err.msg);
            kick(r, 0);
        }
        gh_db_return(c);
        c = NULL;
    }
    return NULL;
}

static gh_health_state_t on_health(void *data, char *detail, size_t size)
{
    gh_relay_t *r = data;
    gh_relay_status_t st;
    int64_t age;

    gh_relay_status(r, &st);
    age = now_ms() - st.last_ok_ms;
    if (!st.connected) {
        snprintf(detail, size, "%s", st.last_error[0] ? st.last_error : "not connected yet");
        return GH_HEALTH_DOWN;
    }
    if (!st.caught_up || age > r->behind_ms) {
        snprintf(detail, size, "last read of the cluster's events %lld ms ago", (long long)age);
        return GH_HEALTH_BEHIND;
    }
    return GH_HEALTH_UP;
}

int gh_relay_start(gh_db_pool_t *pool, const gh_relay_opts_t *opts, gh_relay_t **out, gh_err_t *err)
{
    gh_relay_t *r = gh_calloc(1, sizeof(*r));
    gh_db_conn_t *c = NULL;
    gh_err_t e = {0};
    int64_t max_id = 0;
    unsigned char rnd[4];
    char host[32] = "host";

    r->pool = pool;
    r->poll_ms = opts && opts->poll_ms > 0 ? opts->poll_ms : 200;
    r->retention_s = opts && opts->retention_s > 0 ? opts->retention_s : 600;
    r->behind_ms = opts && opts->behind_ms > 0 ? opts->behind_ms : 3000;
    if (opts && opts->node_id) {
        snprintf(r->node, sizeof(r->node), "%s", opts->node_id);
    } else {
        if (RAND_bytes(rnd, sizeof(rnd)) != 1)
            memset(rnd, 0, sizeof(rnd));
        gethostname(host, sizeof(host) - 1);
        host[sizeof(host) - 1] = '\0';
        snprintf(r->node, sizeof(r->node), "%s:%d:%02x%02x%02x%02x", host, (int)getpid(), rnd[0], rnd[1], rnd[2],
                 rnd[3]);
    }
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    r->tail = &r->head;
    /* events from before this process need no replay: everything it serves is loaded fresh at start */
    if (gh_db_borrow(pool, &c, &e) == GH_OK &&
        gh_db_query_int(c, "SELECT MAX(EVENT_ID) FROM GH_EVENT", GH_DB_NOARGS, &max_id, &e) >= 0) {
        /* Never leave the table empty. On MariaDB the first event written into an empty GH_EVENT reached the other
         * processes 1-2 s late in about half of test_split's runs (later ones in milliseconds); MariaDB treats the
         * first insert into an empty InnoDB table specially (bulk insert). A marker row (kind 0, skipped by every
         * reader) goes in first, and cleanup always keeps the newest row. */
        if (max_id == 0 &&
            gh_db_exec(c, "INSERT INTO GH_EVENT (KIND, ORIGIN, NAME, FLAGS, CREATED_TIME) VALUES (0, ?, ?, 0, ?)",
                       GH_DB_ARGS(GH_DB_T(r->node), GH_DB_T("relay started"), GH_DB_I(now_ms())), NULL, &e) != GH_OK)
            gh_log(GH_LOG_WARN, "cluster", "event relay: writing the marker row failed: %s", e.msg);
        r->floor = max_id;
        r->st.connected = 1;
        r->st.caught_up = 1;
        r->st.last_ok_ms = now_ms();
    } else {
        gh_log(GH_LOG_WARN, "cluster", "event relay: %s; retrying in the background", e.msg);
        snprintf(r->st.last_error, sizeof(r->st.last_error), "%s", e.msg);
        r->down_since_ms = now_ms();
    }
    gh_db_return(c);
    r->last_cleanup_ms = now_ms();
    if ((r->sub = gh_events_subscribe(on_local, r)) < 0) {
        gh_err_set(err, GH_E_GENERIC, "event relay: too many event subscribers");
        goto fail;
    }
    r->health = gh_health_register("cluster-events", on_health, r);
    r->running = 1;
    if (pthread_create(&r->tid, NULL, relay_main, r) != 0) {
        gh_err_set(err, GH_E_GENERIC, "event relay: cannot start its thread");
        r->running = 0;
        goto fail;
    }
    if (gh_db_pool_can_notify(pool) && pthread_create(&r->listener, NULL, listener_main, r) == 0)
        r->notify = 1;
    *out = r;
    return GH_OK;

fail:
    gh_health_unregister(r->health);
    if (r->sub > 0)
        gh_events_unsubscribe(r->sub);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
    return GH_ERR;
}

void gh_relay_stop(gh_relay_t *r)
{
    qitem_t *q;

    if (r == NULL)
        return;
    gh_events_unsubscribe(r->sub); /* waits for callbacks in flight: nothing is queued after this */
    gh_health_unregister(r->health);
    pthread_mutex_lock(&r->mu);
    r->running = 0;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->tid, NULL);
    if (r->notify)
        pthread_join(r->listener, NULL);
    if (r->head != NULL) { /* last flush of what was queued before the unsubscribe; best effort, no reads */
        gh_db_conn_t *c = NULL;
        if (gh_db_borrow(r->pool, &c, NULL) == GH_OK)
            flush(r, c);
        gh_db_return(c);
    }
    while ((q = r->head) != NULL) {
        r->head = q->next;
        qitem_free(q);
    }
    free(r->seen);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
}

void gh_relay_status(gh_relay_t *r, gh_relay_status_t *out)
{
    pthread_mutex_lock(&r->mu);
    *out = r->st;
    pthread_mutex_unlock(&r->mu);
}
