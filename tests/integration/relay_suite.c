/* The cluster's event relay against a real database: `relay_suite --driver sqlite|postgresql|mysql`. Another
 * process is played by SQL written straight into GH_EVENT (what its relay would write); this process's relay must
 * publish those rows on the local bus, write its own events, and never echo either back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "gatehouse/cluster.h"
#include "gatehouse/events.h"
#include "gatehouse/health.h"
#include "gatehouse/log.h"
#include "gatehouse/schema.h"
#include "gh_test.h"

static gh_test_ds_t tds;

/* What the local bus delivered, as seen by a subscriber that is not the relay. */
static struct {
    pthread_mutex_t mu;
    int n;
    struct {
        int kind;
        int64_t api_id;
        unsigned flags;
        char token_hash[64];
    } ev[64];
} got = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void on_event(const gh_event_t *ev, void *data)
{
    (void)data;
    pthread_mutex_lock(&got.mu);
    if (got.n < 64) {
        got.ev[got.n].kind = ev->kind;
        got.ev[got.n].api_id = ev->api_id;
        got.ev[got.n].flags = ev->flags;
        snprintf(got.ev[got.n].token_hash, sizeof(got.ev[got.n].token_hash), "%s",
                 ev->token_hash ? ev->token_hash : "");
        got.n++;
    }
    pthread_mutex_unlock(&got.mu);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t query_int(const char *sql)
{
    gh_db_conn_t *c = NULL;
    gh_err_t e = {0};
    int64_t v = -1;

    if (gh_db_borrow(tds.pool, &c, &e) != GH_OK || gh_db_query_int(c, sql, GH_DB_NOARGS, &v, &e) < 0)
        fail_msg("%s: %s", sql, e.msg);
    gh_db_return(c);
    return v;
}

/* A row as another node's relay writes it; id 0 lets the database choose. */
static void insert_foreign(int64_t id, int kind, int64_t api_id, const char *token_hash, int64_t created)
{
    gh_db_conn_t *c = NULL;
    gh_err_t e = {0};
    int rc;

    if (gh_db_borrow(tds.pool, &c, &e) != GH_OK)
        fail_msg("borrow: %s", e.msg);
    if (id > 0)
        rc = gh_db_exec(c,
                        "INSERT INTO GH_EVENT (EVENT_ID, KIND, ORIGIN, API_ID, TOKEN_HASH, FLAGS, CREATED_TIME) "
                        "VALUES (?, ?, 'other-node', ?, ?, 0, ?)",
                        GH_DB_ARGS(GH_DB_I(id), GH_DB_I(kind), GH_DB_I(api_id), GH_DB_T(token_hash), GH_DB_I(created)),
                        NULL, &e);
    else
        rc = gh_db_exec(c,
                        "INSERT INTO GH_EVENT (KIND, ORIGIN, API_ID, TOKEN_HASH, FLAGS, CREATED_TIME) "
                        "VALUES (?, 'other-node', ?, ?, 0, ?)",
                        GH_DB_ARGS(GH_DB_I(kind), GH_DB_I(api_id), GH_DB_T(token_hash), GH_DB_I(created)), NULL, &e);
    /* as another node's relay does on PostgreSQL (a no-op elsewhere): without it this relay reads the row only at
     * its timed read, every second while it listens */
    if (rc != GH_OK || gh_db_notify(c, "gh_event", &e) != GH_OK)
        fail_msg("insert: %s", e.msg);
    gh_db_return(c);
}

/* Wait up to ms for the bus to have delivered n events; returns how many it has. */
static int wait_for(int n, int ms)
{
    int have;

    for (int waited = 0;; waited += 10) {
        pthread_mutex_lock(&got.mu);
        have = got.n;
        pthread_mutex_unlock(&got.mu);
        if (have >= n || waited >= ms)
            return have;
        usleep(10000);
    }
}

static int setup(void **state)
{
    gh_err_t e = {0};
    static const char *const comps[] = {"apimgt", NULL};
    gh_db_conn_t *c = NULL;

    (void)state;
    if (gh_schema_setup(tds.pool, comps, &e) != GH_OK)
        fail_msg("schema: %s", e.msg);
    if (gh_db_borrow(tds.pool, &c, &e) != GH_OK || gh_db_exec(c, "DELETE FROM GH_EVENT", GH_DB_NOARGS, NULL, &e) != GH_OK)
        fail_msg("clean: %s", e.msg);
    gh_db_return(c);
    return 0;
}

static void reset_got(void)
{
    pthread_mutex_lock(&got.mu);
    got.n = 0;
    pthread_mutex_unlock(&got.mu);
}

static void test_both_directions(void **state)
{
    gh_relay_t *r = NULL;
    gh_relay_opts_t o = {.node_id = "this-node", .poll_ms = 50};
    gh_err_t e = {0};
    int sub = gh_events_subscribe(on_event, NULL);
    int64_t t0;

    (void)state;
    reset_got();
    insert_foreign(0, GH_EV_API_CHANGED, 7, NULL, now_ms()); /* before start: not replayed */
    assert_int_equal(gh_relay_start(tds.pool, &o, &r, &e), GH_OK);

    /* another node's revocation arrives here, marked remote, within a second */
    t0 = now_ms();
    insert_foreign(0, GH_EV_TOKEN_REVOKED, 0, "abc123", now_ms());
    assert_int_equal(wait_for(1, 1000), 1);
    assert_true(now_ms() - t0 < 1000);
    assert_int_equal(got.ev[0].kind, GH_EV_TOKEN_REVOKED);
    assert_string_equal(got.ev[0].token_hash, "abc123");
    assert_true(got.ev[0].flags & GH_EV_F_REMOTE);

    /* a local event is written once with this node's name and not delivered back to this process */
    gh_event_t ev = {.kind = GH_EV_API_CHANGED, .api_id = 42, .name = "PUBLISHED"};
    gh_events_publish(&ev);
    assert_int_equal(wait_for(2, 300), 2); /* only the direct local delivery */
    for (int i = 0; i < 40 && query_int("SELECT COUNT(*) FROM GH_EVENT WHERE ORIGIN = 'this-node'") < 1; i++)
        usleep(25000);
    assert_int_equal(query_int("SELECT COUNT(*) FROM GH_EVENT WHERE ORIGIN = 'this-node' AND API_ID = 42 AND KIND = 1"),
                     1);
    usleep(300000);
    assert_int_equal(wait_for(3, 0), 2);
    assert_false(got.ev[1].flags & GH_EV_F_REMOTE);

    /* a remote event is never written again */
    assert_int_equal(query_int("SELECT COUNT(*) FROM GH_EVENT"), 3);

    /* an id lower than one already read (a transaction that committed late) is still delivered, once */
    int64_t top = query_int("SELECT MAX(EVENT_ID) FROM GH_EVENT");
    insert_foreign(top + 10, GH_EV_SUBSCRIPTION_CHANGED, 1, NULL, now_ms());
    assert_int_equal(wait_for(3, 1000), 3);
    insert_foreign(top + 5, GH_EV_SUBSCRIPTION_CHANGED, 2, NULL, now_ms());
    assert_int_equal(wait_for(4, 1000), 4);
    assert_int_equal(got.ev[3].api_id, 2);
    usleep(300000);
    assert_int_equal(wait_for(5, 0), 4);

    /* /health lists the relay as up */
    const char *name = NULL;
    gh_health_state_t st = GH_HEALTH_DOWN;
    char detail[128];
    int found = 0;
    for (size_t i = 0; gh_health_component(i, &name, &st, detail, sizeof(detail)); i++)
        if (strcmp(name, "cluster-events") == 0) {
            found = 1;
            assert_int_equal(st, GH_HEALTH_UP);
        }
    assert_true(found);

    gh_relay_status_t rs;
    gh_relay_status(r, &rs);
    assert_true(rs.connected);
    assert_int_equal(rs.sent, 1);
    assert_int_equal(rs.received, 3);

    gh_relay_stop(r);
    gh_events_unsubscribe(sub);
    /* after stop the component is gone */
    found = 0;
    for (size_t i = 0; gh_health_component(i, &name, &st, detail, sizeof(detail)); i++)
        found |= strcmp(name, "cluster-events") == 0;
    assert_false(found);
}

static void test_retention(void **state)
{
    gh_relay_t *r = NULL;
    gh_relay_opts_t o = {.node_id = "this-node", .poll_ms = 50, .retention_s = 2};
    gh_err_t e = {0};

    (void)state;
    gh_db_conn_t *c = NULL;

    /* a clean slate: the explicit ids written above do not move PostgreSQL's sequence */
    if (gh_db_borrow(tds.pool, &c, &e) != GH_OK || gh_db_exec(c, "DELETE FROM GH_EVENT", GH_DB_NOARGS, NULL, &e) != GH_OK)
        fail_msg("clean: %s", e.msg);
    gh_db_return(c);
    insert_foreign(0, GH_EV_POLICY_CHANGED, 0, NULL, now_ms() - 60000); /* a minute old */
    insert_foreign(0, GH_EV_POLICY_CHANGED, 1, NULL, now_ms() - 50000); /* the newest row, though old */
    assert_int_equal(gh_relay_start(tds.pool, &o, &r, &e), GH_OK);
    /* rows older than the retention are deleted within half of it, but the table is never emptied */
    for (int i = 0; i < 60 && query_int("SELECT COUNT(*) FROM GH_EVENT WHERE KIND = 6") > 1; i++)
        usleep(50000);
    assert_int_equal(query_int("SELECT COUNT(*) FROM GH_EVENT WHERE KIND = 6 AND API_ID = 0"), 0);
    assert_int_equal(query_int("SELECT COUNT(*) FROM GH_EVENT WHERE KIND = 6 AND API_ID = 1"), 1);
    gh_relay_stop(r);
}

/* An empty table gets a marker row at start (MariaDB's first insert into an empty table is slow to show), and
 * nobody receives it as an event. */
static void test_marker_row(void **state)
{
    gh_relay_t *r = NULL, *r2 = NULL;
    gh_relay_opts_t o = {.node_id = "first", .poll_ms = 50}, o2 = {.node_id = "second", .poll_ms = 50};
    gh_err_t e = {0};
    gh_db_conn_t *c = NULL;
    int sub = gh_events_subscribe(on_event, NULL);

    (void)state;
    if (gh_db_borrow(tds.pool, &c, &e) != GH_OK || gh_db_exec(c, "DELETE FROM GH_EVENT", GH_DB_NOARGS, NULL, &e) != GH_OK)
        fail_msg("clean: %s", e.msg);
    gh_db_return(c);
    reset_got();
    assert_int_equal(gh_relay_start(tds.pool, &o2, &r2, &e), GH_OK); /* a reader already running */
    assert_int_equal(gh_relay_start(tds.pool, &o, &r, &e), GH_OK);
    assert_int_equal(query_int("SELECT COUNT(*) FROM GH_EVENT WHERE KIND = 0 AND ORIGIN = 'second'"), 1);
    assert_int_equal(query_int("SELECT COUNT(*) FROM GH_EVENT"), 1); /* not empty: "first" adds none */
    /* kind 0 rows are never delivered; the real event after it is, once per relay (both run in this process) */
    insert_foreign(0, 0, 0, NULL, now_ms());
    insert_foreign(0, GH_EV_API_CHANGED, 5, NULL, now_ms());
    assert_int_equal(wait_for(2, 2000), 2);
    usleep(300000);
    assert_int_equal(wait_for(3, 0), 2);
    assert_int_equal(got.ev[0].kind, GH_EV_API_CHANGED);
    assert_int_equal(got.ev[1].kind, GH_EV_API_CHANGED);
    gh_relay_stop(r);
    gh_relay_stop(r2);
    gh_events_unsubscribe(sub);
}

static void test_queued_while_down_is_written_at_stop(void **state)
{
    gh_relay_t *r = NULL;
    gh_relay_opts_t o = {.node_id = "stopper", .poll_ms = 5000};
    gh_err_t e = {0};
    gh_event_t ev = {.kind = GH_EV_KEYS_CHANGED, .consumer_key = "ck-1"};

    (void)state;
    assert_int_equal(gh_relay_start(tds.pool, &o, &r, &e), GH_OK);
    usleep(100000); /* the thread is now asleep for 5 s; the publish wakes it, and stop flushes what remains */
    gh_events_publish(&ev);
    gh_relay_stop(r);
    assert_int_equal(query_int("SELECT COUNT(*) FROM GH_EVENT WHERE ORIGIN = 'stopper' AND CONSUMER_KEY = 'ck-1'"), 1);
}

static int listening(gh_relay_t *r, int want, int ms)
{
    gh_relay_status_t rs;

    for (int waited = 0;; waited += 10) {
        gh_relay_status(r, &rs);
        if (rs.listening == want || waited >= ms)
            return rs.listening;
        usleep(10000);
    }
}

/* Another node's write as its relay does it on PostgreSQL: the row and a NOTIFY, one transaction. */
static void insert_foreign_notified(int kind, int64_t api_id)
{
    gh_db_conn_t *c = NULL;
    gh_err_t e = {0};

    if (gh_db_borrow(tds.pool, &c, &e) != GH_OK || gh_db_begin(c, &e) != GH_OK ||
        gh_db_exec(c, "INSERT INTO GH_EVENT (KIND, ORIGIN, API_ID, FLAGS, CREATED_TIME) VALUES (?, 'other-node', ?, 0, ?)",
                   GH_DB_ARGS(GH_DB_I(kind), GH_DB_I(api_id), GH_DB_I(now_ms())), NULL, &e) != GH_OK ||
        gh_db_notify(c, "gh_event", &e) != GH_OK || gh_db_commit(c, &e) != GH_OK)
        fail_msg("notified insert: %s", e.msg);
    gh_db_return(c);
}

/* PostgreSQL: an event arrives as its transaction commits, not at the next timed read (5 s away here), and again
 * after the listening session was killed. The other databases have no notifications and say so. */
static void test_notifications(void **state)
{
    gh_relay_t *r = NULL;
    gh_relay_opts_t o = {.node_id = "this-node", .poll_ms = 5000};
    gh_err_t e = {0};
    int sub = gh_events_subscribe(on_event, NULL);
    int64_t t0;

    (void)state;
    reset_got();
    assert_int_equal(gh_relay_start(tds.pool, &o, &r, &e), GH_OK);
    if (!gh_db_pool_can_notify(tds.pool)) {
        assert_string_not_equal(gh_db_pool_dialect(tds.pool), "postgresql");
        usleep(300000);
        assert_int_equal(listening(r, 1, 0), 0);
        goto out;
    }
    assert_int_equal(listening(r, 1, 3000), 1);
    usleep(100000); /* the first timed read after LISTEN is done; the next one is 5 s away */
    t0 = now_ms();
    insert_foreign_notified(GH_EV_API_CHANGED, 11);
    assert_int_equal(wait_for(1, 2000), 1);
    assert_true(now_ms() - t0 < 1000);
    assert_int_equal(got.ev[0].api_id, 11);

    /* kill the listening session: the relay notices, listens again, and reads what it may have missed */
    assert_int_equal(query_int("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = "
                               "current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"),
                     1);
    insert_foreign_notified(GH_EV_API_CHANGED, 12); /* maybe while nobody listens */
    assert_int_equal(wait_for(2, 3000), 2);
    assert_int_equal(got.ev[1].api_id, 12);
    assert_int_equal(listening(r, 1, 3000), 1);
    usleep(200000);
    t0 = now_ms();
    insert_foreign_notified(GH_EV_API_CHANGED, 13);
    assert_int_equal(wait_for(3, 2000), 3);
    assert_true(now_ms() - t0 < 1000);
    assert_int_equal(got.ev[2].api_id, 13);
out:
    gh_relay_stop(r);
    gh_events_unsubscribe(sub);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_directions),
        cmocka_unit_test(test_retention),
        cmocka_unit_test(test_marker_row),
        cmocka_unit_test(test_queued_while_down_is_written_at_stop),
        cmocka_unit_test(test_notifications),
    };
    int rc;

    if (argc != 3 || strcmp(argv[1], "--driver") != 0) {
        fprintf(stderr, "usage: relay_suite --driver sqlite|postgresql|mysql\n");
        return 2;
    }
    gh_log_level = GH_LOG_ERR;
    tds.prog = "relay_suite";
    tds.tmp_prefix = "/tmp/gh-relay-suite-";
    tds.sqlite_file = "am.db";
    tds.ds.max_active = 4;
    tds.ds.max_wait_ms = 10000;
    tds.ds.validation_interval_ms = 30000;
    if ((rc = gh_test_ds_open(argv[2], "RELAY_TEST", "GH_TEST_PG_URL", "GH_TEST_MYSQL_URL", &tds)) != 0)
        return rc;
    rc = cmocka_run_group_tests_name(argv[2], tests, setup, NULL);
    gh_test_ds_close(&tds);
    return rc;
}
