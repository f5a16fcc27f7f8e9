/* Every JDBC URL form WSO2 files use, and the malformed ones with the messages a user sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "db/jdbc_url.h"

static void parse_ok(const char *url, gh_db_url_t *u)
{
    gh_err_t err;

    gh_err_clear(&err);
    if (gh_db_url_parse(url, u, &err) != GH_OK)
        fail_msg("'%s' refused: %s", url, err.msg);
}

static void parse_bad(const char *url, const char *substring)
{
    gh_db_url_t u;
    gh_err_t err;

    gh_err_clear(&err);
    assert_int_equal(gh_db_url_parse(url, &u, &err), GH_ERR);
    assert_int_equal(err.code, GH_E_CONFIG);
    if (strstr(err.msg, substring) == NULL)
        fail_msg("'%s': message '%s' lacks '%s'", url ? url : "(null)", err.msg, substring);
    assert_null(u.host);
    assert_null(u.path);
}

static void test_postgresql(void **state)
{
    gh_db_url_t u;

    (void)state;
    parse_ok("jdbc:postgresql://db.example.com:5433/apimgtdb?sslmode=require&user=am&password=pw", &u);
    assert_string_equal(u.driver, "postgresql");
    assert_string_equal(u.scheme, "postgresql");
    assert_string_equal(u.host, "db.example.com");
    assert_int_equal(u.port, 5433);
    assert_string_equal(u.database, "apimgtdb");
    assert_int_equal(u.n_params, 3);
    assert_string_equal(gh_db_url_param(&u, "sslmode"), "require");
    assert_string_equal(gh_db_url_param(&u, "USER"), "am");
    assert_string_equal(gh_db_url_param(&u, "password"), "pw");
    assert_null(gh_db_url_param(&u, "nope"));
    assert_null(u.path);
    gh_db_url_dispose(&u);

    parse_ok("jdbc:postgresql://localhost/regdb", &u);
    assert_int_equal(u.port, 5432); /* default */
    assert_string_equal(u.database, "regdb");
    assert_int_equal(u.n_params, 0);
    gh_db_url_dispose(&u);
}

static void test_mysql_mariadb(void **state)
{
    gh_db_url_t u;

    (void)state;
    parse_ok("jdbc:mysql://localhost:3306/WSO2AM_DB?autoReconnect=true&useSSL=false", &u);
    assert_string_equal(u.driver, "mysql");
    assert_string_equal(u.scheme, "mysql");
    assert_string_equal(u.host, "localhost");
    assert_int_equal(u.port, 3306);
    assert_string_equal(u.database, "WSO2AM_DB");
    assert_string_equal(gh_db_url_param(&u, "autoReconnect"), "true");
    assert_string_equal(gh_db_url_param(&u, "useSSL"), "false");
    gh_db_url_dispose(&u);

    parse_ok("jdbc:mariadb://10.0.0.7/um", &u);
    assert_string_equal(u.driver, "mysql");
    assert_string_equal(u.scheme, "mariadb");
    assert_int_equal(u.port, 3306);
    assert_string_equal(u.host, "10.0.0.7");
    gh_db_url_dispose(&u);

    parse_ok("jdbc:mysql://h:1/d?flag", &u); /* a parameter without '=' */
    assert_int_equal(u.port, 1);
    assert_string_equal(gh_db_url_param(&u, "flag"), "");
    gh_db_url_dispose(&u);
}

static void test_ipv6(void **state)
{
    gh_db_url_t u;

    (void)state;
    parse_ok("jdbc:postgresql://[::1]:6543/db", &u);
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 6543);
    assert_string_equal(u.database, "db");
    gh_db_url_dispose(&u);
    parse_ok("jdbc:mysql://[fe80::2]/db", &u);
    assert_string_equal(u.host, "fe80::2");
    assert_int_equal(u.port, 3306);
    gh_db_url_dispose(&u);
}

static void test_sqlite(void **state)
{
    gh_db_url_t u;

    (void)state;
    parse_ok("jdbc:sqlite:/var/lib/gatehouse/am.db", &u);
    assert_string_equal(u.driver, "sqlite");
    assert_string_equal(u.path, "/var/lib/gatehouse/am.db");
    assert_null(u.host);
    gh_db_url_dispose(&u);
    parse_ok("jdbc:sqlite:relative/x.db", &u);
    assert_string_equal(u.path, "relative/x.db");
    gh_db_url_dispose(&u);
}

static void test_h2(void **state)
{
    gh_db_url_t u;

    (void)state;
    /* WSO2's stock WSO2AM_DB line, after ${carbon.home} substitution */
    parse_ok("jdbc:h2:/opt/wso2am/repository/database/WSO2AM_DB;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=60000", &u);
    assert_string_equal(u.driver, "sqlite");
    assert_string_equal(u.scheme, "h2");
    assert_string_equal(u.path, "/opt/wso2am/repository/database/WSO2AM_DB.db");
    assert_int_equal(u.n_params, 2);
    assert_string_equal(gh_db_url_param(&u, "LOCK_TIMEOUT"), "60000");
    gh_db_url_dispose(&u);

    parse_ok("jdbc:h2:file:./repository/database/WSO2CARBON_DB", &u);
    assert_string_equal(u.path, "./repository/database/WSO2CARBON_DB.db");
    assert_int_equal(u.n_params, 0);
    gh_db_url_dispose(&u);
}

static void test_malformed(void **state)
{
    (void)state;
    parse_bad(NULL, "empty");
    parse_bad("", "empty");
    parse_bad("postgresql://h/db", "must start with 'jdbc:'");
    parse_bad("jdbc:oracle:thin:@h:1521:orcl", "unknown scheme 'jdbc:oracle:'");
    parse_bad("jdbc:db2", "unknown scheme");
    parse_bad("jdbc:postgresql://:5432/db", "missing host");
    parse_bad("jdbc:postgresql:///db", "missing host");
    parse_bad("jdbc:mysql://[]:3306/db", "missing host");
    parse_bad("jdbc:mysql://[::1:3306/db", "unterminated '['");
    parse_bad("jdbc:postgresql://h:99999/db", "bad port '99999'");
    parse_bad("jdbc:postgresql://h:0/db", "bad port '0'");
    parse_bad("jdbc:postgresql://h:54x/db", "bad port '54x'");
    parse_bad("jdbc:mysql://h:/db", "bad port ''");
    parse_bad("jdbc:mysql://h:3306", "missing database name");
    parse_bad("jdbc:mysql://h:3306/", "missing database name");
    parse_bad("jdbc:mysql://h/?x=1", "missing database name");
    parse_bad("jdbc:postgresql:h/db", "expected '//'");
    parse_bad("jdbc:sqlite:", "missing path");
    parse_bad("jdbc:h2:;AUTO_SERVER=TRUE", "missing path");
    parse_bad("jdbc:h2:mem:test", "H2 'mem:' databases are not supported");
    parse_bad("jdbc:h2:tcp://localhost/~/test", "H2 'tcp:' databases are not supported");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_postgresql), cmocka_unit_test(test_mysql_mariadb), cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_sqlite),     cmocka_unit_test(test_h2),            cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
