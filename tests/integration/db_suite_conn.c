/* db_suite, part two: pool waits and timeouts, and connections lost under the caller (server restart, killed
 * sessions, testOnBorrow). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "db_suite.h"

/* --- pool behaviour --- */

typedef struct {
    gh_db_pool_t *pool;
    pthread_mutex_t lock;
    int in_use, max_in_use, failures;
} shared_t;

static void *borrower(void *arg)
{
    shared_t *sh = arg;
    gh_db_conn_t *c = NULL;
    int64_t one = 0;
    struct timespec nap = {0, 150 * 1000000L};
    int ok;

    if (gh_db_borrow(sh->pool, &c, NULL) != GH_OK) {
        pthread_mutex_lock(&sh->lock);
        sh->failures++;
        pthread_mutex_unlock(&sh->lock);
        return NULL;
    }
    pthread_mutex_lock(&sh->lock);
    if (++sh->in_use > sh->max_in_use)
        sh->max_in_use = sh->in_use;
    pthread_mutex_unlock(&sh->lock);
    ok = gh_db_query_int(c, "SELECT 1", GH_DB_NOARGS, &one, NULL) == 1 && one == 1;
    nanosleep(&nap, NULL);
    pthread_mutex_lock(&sh->lock);
    sh->failures += !ok;
    sh->in_use--;
    pthread_mutex_unlock(&sh->lock);
    gh_db_return(c);
    return NULL;
}

void test_pool_waits(void **state)
{
    gh_conf_datasource_t d = ds;
    shared_t sh = {.in_use = 0};
    pthread_t th[4];
    int64_t t0;
    size_t i;

    (void)state;
    d.max_active = 2;
    d.max_wait_ms = 10000;
    d.min_idle = 0;
    OK(gh_db_pool_create(&d, &sh.pool, ERR));
    pthread_mutex_init(&sh.lock, NULL);
    t0 = now_ms();
    for (i = 0; i < 4; ++i)
        assert_int_equal(pthread_create(&th[i], NULL, borrower, &sh), 0);
    for (i = 0; i < 4; ++i)
        pthread_join(th[i], NULL);
    assert_int_equal(sh.failures, 0);
    assert_int_equal(sh.max_in_use, 2);
    assert_true(now_ms() - t0 >= 290); /* two rounds of 150 ms: the other two really waited */
    pthread_mutex_destroy(&sh.lock);
    gh_db_pool_destroy(sh.pool);
}

void test_pool_timeout(void **state)
{
    gh_conf_datasource_t d = ds;
    gh_db_pool_t *p = NULL;
    gh_db_conn_t *held = NULL, *c = NULL;
    gh_err_t err;
    int64_t t0, waited;

    (void)state;
    d.max_active = 1;
    d.max_wait_ms = 150;
    OK(gh_db_pool_create(&d, &p, ERR));
    OK(gh_db_borrow(p, &held, ERR));
    t0 = now_ms();
    assert_int_equal(gh_db_borrow(p, &c, &err), GH_ERR);
    waited = now_ms() - t0;
    assert_null(c);
    assert_int_equal(err.code, GH_DB_E_TIMEOUT);
    assert_true(waited >= 140 && waited < 2000);
    assert_non_null(strstr(err.msg, "DBS_TEST"));
    assert_non_null(strstr(err.msg, "after waiting 150 ms"));
    assert_non_null(strstr(err.msg, "maxActive=1"));
    gh_db_return(held);
    OK(gh_db_borrow(p, &c, ERR)); /* the slot is free again */
    gh_db_return(c);
    OK(gh_db_pool_check(p, ERR));
    gh_db_pool_destroy(p);
}

/* --- a server restart in the middle of the suite --- */

int run_cmd(char *const argv[])
{
    pid_t pid = fork();
    int status = 0;

    if (pid == 0) {
        if (chdir("/") != 0)
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void restart_postgresql(void)
{
    const char *ctl = getenv("GH_TEST_PG_CTL"), *st = getenv("GH_TEST_DB_STATE");
    char data[512], log[600];

    if (ctl == NULL || st == NULL)
        fail_msg("GH_TEST_PG_CTL / GH_TEST_DB_STATE not set (source the env written by tests/support/dbservers.sh)");
    snprintf(data, sizeof(data), "%s/pg", st);
    /* -l: otherwise the restarted server inherits our stdout and ctest waits for it forever */
    snprintf(log, sizeof(log), "%s/pg/server.log", st);
    if (getuid() == 0) {
        char *argv[] = {"runuser", "-u", "postgres", "--", (char *)ctl, "-D", data, "-l", log, "-w", "-m", "fast",
                        "restart", NULL};
        assert_int_equal(run_cmd(argv), 0);
    } else {
        char *argv[] = {(char *)ctl, "-D", data, "-l", log, "-w", "-m", "fast", "restart", NULL};
        assert_int_equal(run_cmd(argv), 0);
    }
}

void test_server_restart(void **state)
{
    gh_db_conn_t *c = NULL, *killer = NULL;
    int64_t before = 0, after = 0, n = 0;
    const char *who = strcmp(driver, "postgresql") == 0 ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()";

    (void)state;
    if (strcmp(driver, "sqlite") == 0)
        skip(); /* an embedded file has no server to lose */
    OK(gh_db_borrow(pool, &c, ERR));
    OK(gh_db_query_int(c, who, GH_DB_NOARGS, &before, ERR));
    OK(gh_db_query_int(c, "SELECT COUNT(*) FROM DBS_ITEM WHERE NAME <> ?", GH_DB_ARGS(GH_DB_T("x")), &n, ERR));
    if (strcmp(driver, "postgresql") == 0) {
        gh_db_return(c);
        restart_postgresql();
        OK(gh_db_borrow(pool, &c, ERR)); /* the same idle connection, now dead: no testOnBorrow here */
    } else {
        OK(gh_db_borrow(pool, &killer, ERR));
        OK(gh_db_exec(killer, "KILL ?", GH_DB_ARGS(GH_DB_I(before)), NULL, ERR));
        gh_db_return(killer);
    }
    /* a cached statement on the dead connection: reconnect, re-prepare, re-execute, no error */
    OK(gh_db_query_int(c, "SELECT COUNT(*) FROM DBS_ITEM WHERE NAME <> ?", GH_DB_ARGS(GH_DB_T("x")), &n, ERR));
    OK(gh_db_query_int(c, who, GH_DB_NOARGS, &after, ERR));
    assert_true(after != before);
    gh_db_return(c);
    /* every other pooled connection died too; each recovers on its first use */
    OK(gh_db_pool_check(pool, ERR));
}

/* testOnBorrow: a connection killed while idle is validated and replaced before the caller sees it */
void test_test_on_borrow(void **state)
{
    gh_conf_datasource_t d = ds;
    gh_db_pool_t *p = NULL;
    gh_db_conn_t *c = NULL, *other = NULL;
    int64_t before = 0, after = 0, killed = 0;
    int pg = strcmp(driver, "postgresql") == 0;

    (void)state;
    if (strcmp(driver, "sqlite") == 0)
        skip();
    d.test_on_borrow = 1;
    d.validation_query = "SELECT 1";
    d.validation_interval_ms = 0;
    d.min_idle = 0;
    OK(gh_db_pool_create(&d, &p, ERR));
    OK(gh_db_borrow(p, &c, ERR));
    OK(gh_db_query_int(c, pg ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()", GH_DB_NOARGS, &before, ERR));
    gh_db_return(c);
    OK(gh_db_borrow(pool, &other, ERR));
    if (pg) {
        OK(gh_db_query_int(other, "SELECT CASE WHEN pg_terminate_backend(?) THEN 1 ELSE 0 END",
                           GH_DB_ARGS(GH_DB_I(before)), &killed, ERR));
        assert_int_equal(killed, 1);
    } else {
        OK(gh_db_exec(other, "KILL ?", GH_DB_ARGS(GH_DB_I(before)), NULL, ERR));
    }
    gh_db_return(other);
    OK(gh_db_borrow(p, &c, ERR)); /* validation notices the dead session and reconnects */
    OK(gh_db_query_int(c, pg ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()", GH_DB_NOARGS, &after, ERR));
    assert_true(after != before);
    gh_db_return(c);
    gh_db_pool_destroy(p);
}

