/* Driver selection and configuration errors of gh_db_pool_create, and the registry entries the config loader
 * relies on. Uses SQLite only (no server needed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "gatehouse/conf.h"
#include "gatehouse/db.h"
#include "gatehouse/registry.h"

static void test_registry(void **state)
{
    static const char *const pairs[][2] = {
        {"com.mysql.jdbc.Driver", "mysql"},   {"com.mysql.cj.jdbc.Driver", "mysql"}, {"org.mariadb.jdbc.Driver", "mysql"},
        {"org.postgresql.Driver", "postgresql"}, {"org.h2.Driver", "sqlite"},         {"org.sqlite.JDBC", "sqlite"},
        {"sqlite", "sqlite"},
    };
    const gh_plugin_t *p;
    gh_err_t err;
    size_t i;

    (void)state;
    gh_registry_reset();
    gh_db_register_builtin();
    gh_db_register_builtin(); /* idempotent */
    for (i = 0; i < GH_ARRAY_SIZE(pairs); ++i) {
        p = gh_registry_find(GH_FAMILY_DB_DRIVER, pairs[i][0], &err);
        assert_non_null(p);
        assert_string_equal(p->name, pairs[i][1]);
    }
    assert_null(gh_registry_at(GH_FAMILY_DB_DRIVER, 3));
    assert_null(gh_registry_find(GH_FAMILY_DB_DRIVER, "oracle.jdbc.OracleDriver", &err));
    assert_non_null(strstr(err.msg, "org.postgresql.Driver"));
    gh_registry_reset();
}

static int create(const char *url, const char *cls, gh_db_pool_t **pool, gh_err_t *err)
{
    gh_conf_datasource_t ds = {.name = "WSO2AM_DB", .url = (char *)url, .driver_class = (char *)cls,
                               .max_active = 2, .max_wait_ms = 100};

    return gh_db_pool_create(&ds, pool, err);
}

static void test_config_errors(void **state)
{
    gh_db_pool_t *pool = NULL;
    gh_err_t err;

    (void)state;
    assert_int_equal(create("jdbc:oracle:thin:@h:1521:x", NULL, &pool, &err), GH_ERR);
    assert_int_equal(err.code, GH_E_CONFIG);
    assert_non_null(strstr(err.msg, "datasource WSO2AM_DB: JDBC URL"));
    assert_non_null(strstr(err.msg, "unknown scheme"));
    assert_null(pool);
    assert_int_equal(create("jdbc:mysql://h/db", "oracle.jdbc.OracleDriver", &pool, &err), GH_ERR);
    assert_int_equal(err.code, GH_E_CONFIG);
    assert_non_null(strstr(err.msg, "com.mysql.jdbc.Driver")); /* lists what is known */
    assert_int_equal(create("jdbc:mysql://h/db", "org.postgresql.Driver", &pool, &err), GH_ERR);
    assert_non_null(strstr(err.msg, "does not match URL"));
    assert_int_equal(create("jdbc:postgresql://h:bad/db", NULL, &pool, &err), GH_ERR);
    assert_non_null(strstr(err.msg, "bad port"));
}

static void test_selection_and_down_server(void **state)
{
    gh_db_pool_t *pool = NULL;
    gh_db_conn_t *c = NULL;
    gh_err_t err;
    char dir[] = "/tmp/gh-db-pool-XXXXXX", url[128], file[128];

    (void)state;
    /* by URL alone; the server being down is not an error at creation */
    assert_int_equal(create("jdbc:postgresql://127.0.0.1:1/db", NULL, &pool, &err), GH_OK);
    assert_string_equal(gh_db_pool_dialect(pool), "postgresql");
    assert_string_equal(gh_db_pool_name(pool), "WSO2AM_DB");
    assert_int_equal(gh_db_borrow(pool, &c, &err), GH_ERR);
    assert_int_equal(err.code, GH_DB_E_CONN_LOST);
    assert_non_null(strstr(err.msg, "WSO2AM_DB (postgresql): connection to 127.0.0.1:1 failed"));
    assert_int_equal(gh_db_pool_check(pool, &err), GH_ERR);
    gh_db_pool_destroy(pool);
    gh_db_pool_destroy(NULL);

    assert_non_null(mkdtemp(dir));
    snprintf(url, sizeof(url), "jdbc:sqlite:%s/a/b.db", dir);
    assert_int_equal(create(url, "org.sqlite.JDBC", &pool, &err), GH_OK);
    assert_string_equal(gh_db_pool_dialect(pool), "sqlite");
    assert_int_equal(gh_db_pool_check(pool, &err), GH_OK);
    snprintf(file, sizeof(file), "%s/a/b.db", dir);
    assert_int_equal(access(file, F_OK), 0); /* parent folder created */
    gh_db_pool_destroy(pool);
    gh_registry_reset();
    snprintf(file, sizeof(file), "%s/a/b.db", dir);
    unlink(file);
    snprintf(file, sizeof(file), "%s/a/b.db-wal", dir);
    unlink(file);
    snprintf(file, sizeof(file), "%s/a/b.db-shm", dir);
    unlink(file);
    snprintf(file, sizeof(file), "%s/a", dir);
    rmdir(file);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_selection_and_down_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
