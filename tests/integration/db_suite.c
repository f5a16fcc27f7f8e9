/* One suite for every SQL driver: `db_suite --driver sqlite|postgresql|mysql`. Server URLs come from
 * tests/support/dbservers.sh (GH_TEST_PG_URL, GH_TEST_MYSQL_URL, GH_TEST_DB_USER/PASSWORD). Without them the
 * suite skips (exit 77), unless GH_TEST_REQUIRE_DBS=1, when a missing database is a failure. It owns the
 * DBS_* tables and recreates them at its start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "gatehouse/conf.h"
#include "gatehouse/db.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "db_suite.h"
#include "gh_test.h"

const char *driver;
gh_conf_datasource_t ds;
gh_db_pool_t *pool;
static gh_test_ds_t dbs; /* ds and pool are its copies */


int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *ddl(void)
{
    if (strcmp(driver, "postgresql") == 0)
        return "DROP TABLE IF EXISTS DBS_ITEM;\n"
               "CREATE TABLE DBS_ITEM (ID SERIAL PRIMARY KEY, NAME VARCHAR(255) NOT NULL UNIQUE, NOTE TEXT,\n"
               "  DATA BYTEA, CREATED TIMESTAMP, N BIGINT);\n";
    if (strcmp(driver, "mysql") == 0)
        return "DROP TABLE IF EXISTS DBS_ITEM;\n"
               "CREATE TABLE DBS_ITEM (ID INTEGER AUTO_INCREMENT PRIMARY KEY, NAME VARCHAR(255) NOT NULL UNIQUE,\n"
               "  NOTE LONGTEXT, DATA LONGBLOB, CREATED TIMESTAMP(3) NULL DEFAULT NULL, N BIGINT) ENGINE=InnoDB;\n";
    return "DROP TABLE IF EXISTS DBS_ITEM;\n"
           "CREATE TABLE DBS_ITEM (ID INTEGER PRIMARY KEY AUTOINCREMENT, NAME VARCHAR(255) NOT NULL UNIQUE,\n"
           "  NOTE TEXT, DATA BLOB, CREATED TIMESTAMP, N INTEGER);\n";
}

static int64_t count_rows(gh_db_conn_t *c)
{
    int64_t n = -1;

    OK(gh_db_query_int(c, "SELECT COUNT(*) FROM DBS_ITEM", GH_DB_NOARGS, &n, ERR));
    return n;
}

static void clear_table(gh_db_conn_t *c)
{
    OK(gh_db_exec(c, "DELETE FROM DBS_ITEM", GH_DB_NOARGS, NULL, ERR));
}

static void test_crud(void **state)
{
    gh_db_conn_t *c = NULL;
    gh_db_stmt_t *s;
    int64_t changes = -1, n = 0;
    size_t len;
    const char *t;

    (void)state;
    OK(gh_db_borrow(pool, &c, ERR));
    assert_string_equal(gh_db_dialect(c), driver);
    clear_table(c);
    OK(gh_db_exec(c, "INSERT INTO DBS_ITEM (NAME, NOTE, N) VALUES (?, ?, ?)",
                  GH_DB_ARGS(GH_DB_T("alice"), GH_DB_T("first"), GH_DB_I(1)), &changes, ERR));
    assert_int_equal(changes, 1);
    OK(gh_db_exec(c, "INSERT INTO DBS_ITEM (NAME, NOTE, N) VALUES (?, ?, ?)",
                  GH_DB_ARGS(GH_DB_T("bob"), GH_DB_TN("second-and-more", 6), GH_DB_I(-9000000000LL)), NULL, ERR));
    assert_int_equal(count_rows(c), 2);

    OK(gh_db_prepare(c, "SELECT NAME, NOTE, N FROM DBS_ITEM WHERE N < ? ORDER BY NAME", &s, ERR));
    OK(gh_db_execute(s, GH_DB_ARGS(GH_DB_I(100)), ERR));
    assert_int_equal(gh_db_column_count(s), 3);
    assert_int_equal(gh_db_next(s, NULL), 1);
    assert_string_equal(gh_db_col_text(s, 0, &len), "alice");
    assert_int_equal(len, 5);
    assert_int_equal(gh_db_col_int(s, 2), 1);
    assert_int_equal(gh_db_next(s, NULL), 1);
    t = gh_db_col_text(s, 1, &len);
    assert_int_equal(len, 6);
    assert_string_equal(t, "second");
    assert_int_equal(gh_db_col_int(s, 2), -9000000000LL);
    assert_int_equal(gh_db_next(s, NULL), 0);
    gh_db_reset(s);

    OK(gh_db_exec(c, "UPDATE DBS_ITEM SET NOTE = ? WHERE NAME = ?", GH_DB_ARGS(GH_DB_T("changed"), GH_DB_T("alice")),
                  &changes, ERR));
    assert_int_equal(changes, 1);
    OK(gh_db_exec(c, "UPDATE DBS_ITEM SET N = N WHERE NAME = ?", GH_DB_ARGS(GH_DB_T("nobody")), &changes, ERR));
    assert_int_equal(changes, 0);
    assert_int_equal(gh_db_query_int(c, "SELECT N FROM DBS_ITEM WHERE NOTE = ?", GH_DB_ARGS(GH_DB_T("changed")), &n,
                                     NULL),
                     1);
    assert_int_equal(n, 1);
    assert_int_equal(gh_db_query_int(c, "SELECT N FROM DBS_ITEM WHERE NOTE = ?", GH_DB_ARGS(GH_DB_T("none")), &n, NULL),
                     0);
    OK(gh_db_exec(c, "DELETE FROM DBS_ITEM WHERE NAME = ?", GH_DB_ARGS(GH_DB_T("bob")), &changes, ERR));
    assert_int_equal(changes, 1);
    assert_int_equal(count_rows(c), 1);
    gh_db_return(c);
}

static void test_transactions(void **state)
{
    gh_db_conn_t *c = NULL;
    gh_err_t err;
    const char *ins = "INSERT INTO DBS_ITEM (NAME) VALUES (?)";

    (void)state;
    OK(gh_db_borrow(pool, &c, ERR));
    clear_table(c);
    /* explicit rollback */
    OK(gh_db_begin(c, ERR));
    assert_true(gh_db_in_transaction(c));
    OK(gh_db_exec(c, ins, GH_DB_ARGS(GH_DB_T("t1")), NULL, ERR));
    OK(gh_db_exec(c, ins, GH_DB_ARGS(GH_DB_T("t2")), NULL, ERR));
    OK(gh_db_rollback(c, ERR));
    assert_false(gh_db_in_transaction(c));
    assert_int_equal(count_rows(c), 0);
    /* a failure half-way: the first insert must not survive the rollback */
    OK(gh_db_begin(c, ERR));
    OK(gh_db_exec(c, ins, GH_DB_ARGS(GH_DB_T("t3")), NULL, ERR));
    assert_int_equal(gh_db_exec(c, ins, GH_DB_ARGS(GH_DB_T("t3")), NULL, &err), GH_ERR);
    assert_int_equal(err.code, GH_DB_E_UNIQUE);
    OK(gh_db_rollback(c, ERR));
    assert_int_equal(count_rows(c), 0);
    /* a connection returned inside a transaction is rolled back */
    OK(gh_db_begin(c, ERR));
    OK(gh_db_exec(c, ins, GH_DB_ARGS(GH_DB_T("t4")), NULL, ERR));
    gh_db_return(c);
    OK(gh_db_borrow(pool, &c, ERR));
    assert_false(gh_db_in_transaction(c));
    assert_int_equal(count_rows(c), 0);
    /* commit makes it visible */
    OK(gh_db_begin(c, ERR));
    OK(gh_db_exec(c, ins, GH_DB_ARGS(GH_DB_T("t5")), NULL, ERR));
    OK(gh_db_commit(c, ERR));
    assert_int_equal(count_rows(c), 1);
    assert_int_equal(gh_db_commit(c, &err), GH_ERR); /* nothing open */
    OK(gh_db_rollback(c, ERR));                       /* harmless outside a transaction */
    OK(gh_db_rollback(NULL, ERR));
    gh_db_return(c);
}

static void test_unique(void **state)
{
    gh_db_conn_t *c = NULL;
    gh_err_t err;

    (void)state;
    OK(gh_db_borrow(pool, &c, ERR));
    clear_table(c);
    OK(gh_db_exec(c, "INSERT INTO DBS_ITEM (NAME) VALUES (?)", GH_DB_ARGS(GH_DB_T("dup")), NULL, ERR));
    gh_err_clear(&err);
    assert_int_equal(gh_db_exec(c, "INSERT INTO DBS_ITEM (NAME) VALUES (?)", GH_DB_ARGS(GH_DB_T("dup")), NULL, &err),
                     GH_ERR);
    assert_int_equal(err.code, GH_DB_E_UNIQUE);
    assert_non_null(strstr(err.msg, "DBS_TEST ("));
    assert_non_null(strstr(err.msg, driver));
    if (strcmp(driver, "postgresql") == 0)
        assert_string_equal(err.sqlstate, "23505");
    if (strcmp(driver, "mysql") == 0)
        assert_int_equal(err.native, 1062);
    /* other errors are OTHER, and the connection stays usable */
    assert_int_equal(gh_db_exec(c, "INSERT INTO DBS_NO_SUCH_TABLE (X) VALUES (?)", GH_DB_ARGS(GH_DB_I(1)), NULL, &err),
                     GH_ERR);
    assert_int_equal(err.code, GH_DB_E_OTHER);
    assert_int_equal(count_rows(c), 1);
    gh_db_return(c);
}

static void test_nulls(void **state)
{
    gh_db_conn_t *c = NULL;
    gh_db_stmt_t *s;
    size_t len = 99;

    (void)state;
    OK(gh_db_borrow(pool, &c, ERR));
    clear_table(c);
    OK(gh_db_exec(c, "INSERT INTO DBS_ITEM (NAME, NOTE, DATA, CREATED, N) VALUES (?, ?, ?, ?, ?)",
                  GH_DB_ARGS(GH_DB_T("n"), GH_DB_T(NULL), GH_DB_NUL, GH_DB_NUL, GH_DB_NUL), NULL, ERR));
    OK(gh_db_exec(c, "INSERT INTO DBS_ITEM (NAME, NOTE) VALUES (?, ?)", GH_DB_ARGS(GH_DB_T("e"), GH_DB_T("")), NULL,
                  ERR));
    OK(gh_db_prepare(c, "SELECT NOTE, DATA, CREATED, N FROM DBS_ITEM WHERE NAME = ?", &s, ERR));
    OK(gh_db_execute(s, GH_DB_ARGS(GH_DB_T("n")), ERR));
    assert_int_equal(gh_db_next(s, NULL), 1);
    assert_true(gh_db_col_is_null(s, 0) && gh_db_col_is_null(s, 1) && gh_db_col_is_null(s, 2) &&
                gh_db_col_is_null(s, 3));
    assert_null(gh_db_col_text(s, 0, &len));
    assert_int_equal(len, 0);
    assert_null(gh_db_col_blob(s, 1, &len));
    assert_int_equal(gh_db_col_time(s, 2), 0);
    assert_int_equal(gh_db_col_int(s, 3), 0);
    /* the empty string is not NULL */
    OK(gh_db_execute(s, GH_DB_ARGS(GH_DB_T("e")), ERR));
    assert_int_equal(gh_db_next(s, NULL), 1);
    assert_false(gh_db_col_is_null(s, 0));
    assert_string_equal(gh_db_col_text(s, 0, &len), "");
    assert_int_equal(len, 0);
    gh_db_return(c);
}

static void test_large_text_and_blob(void **state)
{
    gh_db_conn_t *c = NULL;
    gh_db_stmt_t *s;
    size_t big = 1536 * 1024 + 7, len = 0, i;
    char *text = gh_malloc(big + 1);
    unsigned char blob[600];
    const char *t;
    const unsigned char *b;

    (void)state;
    for (i = 0; i < big; ++i)
        text[i] = (char)('a' + (i * 7) % 26);
    text[big] = '\0';
    for (i = 0; i < sizeof(blob); ++i)
        blob[i] = (unsigned char)(i % 3 == 0 ? 0 : i * 31);
    OK(gh_db_borrow(pool, &c, ERR));
    clear_table(c);
    OK(gh_db_exec(c, "INSERT INTO DBS_ITEM (NAME, NOTE, DATA) VALUES (?, ?, ?)",
                  GH_DB_ARGS(GH_DB_T("big"), GH_DB_TN(text, big), GH_DB_B(blob, sizeof(blob))), NULL, ERR));
    OK(gh_db_exec(c, "INSERT INTO DBS_ITEM (NAME, NOTE, DATA) VALUES (?, ?, ?)",
                  GH_DB_ARGS(GH_DB_T("small"), GH_DB_T("x"), GH_DB_B(blob, 0)), NULL, ERR));
    OK(gh_db_prepare(c, "SELECT NOTE, DATA FROM DBS_ITEM ORDER BY NAME", &s, ERR));
    OK(gh_db_execute(s, GH_DB_NOARGS, ERR));
    assert_int_equal(gh_db_next(s, NULL), 1);
    t = gh_db_col_text(s, 0, &len);
    assert_int_equal(len, big);
    assert_memory_equal(t, text, big);
    assert_int_equal(t[big], '\0');
    b = gh_db_col_blob(s, 1, &len);
    assert_int_equal(len, sizeof(blob));
    assert_memory_equal(b, blob, sizeof(blob));
    assert_int_equal(gh_db_next(s, NULL), 1);
    assert_string_equal(gh_db_col_text(s, 0, &len), "x");
    assert_non_null(gh_db_col_blob(s, 1, &len)); /* empty, not NULL */
    assert_int_equal(len, 0);
    gh_db_reset(s);
    gh_db_return(c);
    free(text);
}

static void test_timestamps(void **state)
{
    static const int64_t when[] = {1700000000123LL, 86400000LL, 1709164800999LL /* 2024-02-29 */,
                                    2145916799000LL /* 2037-12-31: MySQL TIMESTAMP ends in 2038 */};
    gh_db_conn_t *c = NULL;
    gh_db_stmt_t *s;
    size_t i;
    int64_t got;

    (void)state;
    OK(gh_db_borrow(pool, &c, ERR));
    clear_table(c);
    for (i = 0; i < GH_ARRAY_SIZE(when); ++i) {
        char name[16];
        snprintf(name, sizeof(name), "ts%zu", i);
        OK(gh_db_exec(c, "INSERT INTO DBS_ITEM (NAME, CREATED) VALUES (?, ?)", GH_DB_ARGS(GH_DB_T(name), GH_DB_TS(when[i])),
                      NULL, ERR));
    }
    OK(gh_db_prepare(c, "SELECT CREATED FROM DBS_ITEM WHERE NAME = ?", &s, ERR));
    for (i = 0; i < GH_ARRAY_SIZE(when); ++i) {
        char name[16];
        snprintf(name, sizeof(name), "ts%zu", i);
        OK(gh_db_execute(s, GH_DB_ARGS(GH_DB_T(name)), ERR));
        assert_int_equal(gh_db_next(s, NULL), 1);
        got = gh_db_col_time(s, 0);
        if (got != when[i])
            fail_msg("%s: wrote %lld, read %lld (%s)", name, (long long)when[i], (long long)got,
                     gh_db_col_text(s, 0, NULL));
    }
    /* comparisons happen in the database, in the same representation */
    assert_int_equal(gh_db_query_int(c, "SELECT COUNT(*) FROM DBS_ITEM WHERE CREATED < ?",
                                     GH_DB_ARGS(GH_DB_TS(1700000000124LL)), &got, NULL),
                     1);
    assert_int_equal(got, 2); /* 1970-01-02 and 2023-11-14 22:13:20.123 */
    gh_db_return(c);
}

static void test_last_insert_id(void **state)
{
    gh_db_conn_t *c = NULL;
    gh_db_stmt_t *s;
    int64_t id1 = 0, id2 = 0, check = 0;

    (void)state;
    OK(gh_db_borrow(pool, &c, ERR));
    OK(gh_db_prepare(c, "INSERT INTO DBS_ITEM (NAME) VALUES (?)", &s, ERR));
    OK(gh_db_execute(s, GH_DB_ARGS(GH_DB_T("id1")), ERR));
    OK(gh_db_last_insert_id(s, &id1, ERR));
    OK(gh_db_execute(s, GH_DB_ARGS(GH_DB_T("id2")), ERR));
    OK(gh_db_last_insert_id(s, &id2, ERR));
    assert_true(id1 > 0);
    assert_true(id2 > id1);
    assert_int_equal(gh_db_query_int(c, "SELECT ID FROM DBS_ITEM WHERE NAME = ?", GH_DB_ARGS(GH_DB_T("id2")), &check,
                                     NULL),
                     1);
    assert_int_equal(check, id2);
    gh_db_return(c);
}

static void test_stmt_cache(void **state)
{
    gh_db_conn_t *c = NULL;
    gh_db_stmt_t *a, *b, *other;
    gh_err_t err;
    const char *sql = "SELECT COUNT(*) FROM DBS_ITEM WHERE NAME <> ?";

    (void)state;
    OK(gh_db_borrow(pool, &c, ERR));
    OK(gh_db_prepare(c, sql, &a, ERR));
    OK(gh_db_prepare(c, sql, &b, ERR));
    assert_ptr_equal(a, b);
    OK(gh_db_prepare(c, "SELECT COUNT(*) FROM DBS_ITEM WHERE NAME = ?", &other, ERR));
    assert_ptr_not_equal(a, other);
    OK(gh_db_execute(a, GH_DB_ARGS(GH_DB_T("x")), ERR));
    assert_int_equal(gh_db_next(a, NULL), 1);
    /* two statements open on one connection at once */
    OK(gh_db_execute(other, GH_DB_ARGS(GH_DB_T("x")), ERR));
    assert_int_equal(gh_db_next(other, NULL), 1);
    assert_int_equal(gh_db_col_int(other, 0), 0);
    assert_true(gh_db_col_int(a, 0) >= 0);
    gh_db_reset(a);
    gh_db_reset(other);
    /* the wrong number of values is refused before reaching the server */
    assert_int_equal(gh_db_execute(a, GH_DB_NOARGS, &err), GH_ERR);
    assert_non_null(strstr(err.msg, "0 values bound to a statement with 1 placeholders"));
    gh_db_return(c);
    /* the cache belongs to the connection: borrowing again (same idle connection) finds it */
    OK(gh_db_borrow(pool, &c, ERR));
    OK(gh_db_prepare(c, sql, &b, ERR));
    assert_ptr_equal(a, b);
    gh_db_return(c);
}

static void test_exec_script(void **state)
{
    gh_db_conn_t *c = NULL;
    gh_err_t err;
    int64_t n = 0;

    (void)state;
    OK(gh_db_borrow(pool, &c, ERR));
    OK(gh_db_exec_script(c,
                         "-- a comment line; with a semicolon;\n"
                         "DROP TABLE IF EXISTS DBS_SCRIPT;\n\n"
                         "CREATE TABLE DBS_SCRIPT (\n"
                         "  K VARCHAR(20) PRIMARY KEY -- inline comment\n"
                         ");\n"
                         "  -- indented comment\n"
                         "INSERT INTO DBS_SCRIPT (K) VALUES ('a;b');\n"
                         "INSERT INTO DBS_SCRIPT (K) VALUES ('c')  ;  \n"
                         "INSERT INTO DBS_SCRIPT (K) VALUES ('d')",
                         ERR));
    assert_int_equal(gh_db_query_int(c, "SELECT COUNT(*) FROM DBS_SCRIPT", GH_DB_NOARGS, &n, NULL), 1);
    assert_int_equal(n, 3);
    assert_int_equal(gh_db_query_int(c, "SELECT COUNT(*) FROM DBS_SCRIPT WHERE K = ?", GH_DB_ARGS(GH_DB_T("a;b")), &n,
                                     NULL),
                     1);
    assert_int_equal(n, 1);
    assert_int_equal(gh_db_exec_script(c, "SELECT 1;\nTHIS IS NOT SQL;\n", &err), GH_ERR);
    assert_non_null(strstr(err.msg, "line 2"));
    OK(gh_db_exec_script(c, "DROP TABLE DBS_SCRIPT;\n", ERR));
    gh_db_return(c);
}

static int setup(void **state)
{
    gh_db_conn_t *c = NULL;
    gh_err_t err;

    (void)state;
    if (gh_db_borrow(pool, &c, &err) != GH_OK || gh_db_exec_script(c, ddl(), &err) != GH_OK) {
        fprintf(stderr, "db_suite setup: %s\n", err.msg);
        gh_db_return(c);
        return -1;
    }
    gh_db_return(c);
    return 0;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crud),           cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_unique),         cmocka_unit_test(test_nulls),
        cmocka_unit_test(test_server_restart), cmocka_unit_test(test_large_text_and_blob),
        cmocka_unit_test(test_timestamps),     cmocka_unit_test(test_last_insert_id),
        cmocka_unit_test(test_stmt_cache),     cmocka_unit_test(test_exec_script),
        cmocka_unit_test(test_pool_waits),     cmocka_unit_test(test_pool_timeout),
        cmocka_unit_test(test_test_on_borrow),
    };
    struct stat sb;
    int rc;

    if (argc != 3 || strcmp(argv[1], "--driver") != 0) {
        fprintf(stderr, "usage: db_suite --driver sqlite|postgresql|mysql\n");
        return 2;
    }
    driver = argv[2];
    gh_log_level = GH_LOG_ERR; /* the reconnect warnings are expected here */
    dbs.prog = "db_suite";
    dbs.tmp_prefix = "/tmp/gh-db-suite-";
    /* WSO2's H2 form: options dropped, parent folders created, file = PATH.db */
    dbs.sqlite_scheme = "jdbc:h2:";
    dbs.sqlite_file = "repository/database/DBS;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=60000";
    dbs.sqlite_driver_class = "org.h2.Driver";
    dbs.mysql_driver_class = "com.mysql.cj.jdbc.Driver";
    dbs.ds.max_active = 8;
    dbs.ds.max_wait_ms = 10000;
    dbs.ds.min_idle = 1;
    dbs.ds.validation_interval_ms = 30000;
    if ((rc = gh_test_ds_open(driver, "DBS_TEST", "GH_TEST_PG_URL", "GH_TEST_MYSQL_URL", &dbs)) != 0)
        return rc;
    ds = dbs.ds;
    pool = dbs.pool; /* the probed pool; gh_test_ds_close destroys it */
    rc = cmocka_run_group_tests_name(driver, tests, setup, NULL);
    if (dbs.tmpdir[0] != '\0') {
        char path[600];
        snprintf(path, sizeof(path), "%s/repository/database/DBS.db", dbs.tmpdir);
        if (stat(path, &sb) != 0) {
            fprintf(stderr, "expected the H2 URL to map to %s\n", path);
            rc = 1;
        }
    }
    gh_test_ds_close(&dbs);
    return rc;
}
