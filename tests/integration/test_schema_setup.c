/* gh_schema_setup against a real database, once per driver:
 *   test_schema_setup --driver sqlite|postgresql|mysql
 * PostgreSQL and MariaDB use the second test database (GH_TEST_PG_URL2 / GH_TEST_MYSQL_URL2, "gatehouse2"),
 * which this suite empties at its start. Without it the suite skips (77), or fails under GH_TEST_REQUIRE_DBS=1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gatehouse/conf.h"
#include "gatehouse/db.h"
#include "gatehouse/log.h"
#include "gatehouse/schema.h"
#include "gh_test.h"

/* The newest apimgt migration (dbscripts/DIALECT/apimgt-NNNN.sql): bump with every new one. */
#define APIMGT_LATEST 6

static const char *driver;
static gh_test_ds_t sds; /* its tmpdir holds setup.db (the suite) and all.db (test_setup_all_sqlite) */
static gh_db_pool_t *pool; /* sds.pool */
static const char *const ALL[] = {"registry", "um", "identity", "apimgt", NULL};

/* Every table the scripts create, children first, so a drop never trips over a foreign key. */
static const char *const TABLES[] = {
    "GH_SCHEMA_VERSION", "AM_WORKFLOWS", "AM_APPLICATION_GROUP_MAPPING", "AM_APPLICATION_ATTRIBUTES",
    "AM_BLOCK_CONDITIONS", "AM_THROTTLE_TIER_PERMISSIONS", "AM_POLICY_GLOBAL", "AM_IP_CONDITION",
    "AM_JWT_CLAIM_CONDITION", "AM_HEADER_FIELD_CONDITION", "AM_QUERY_PARAMETER_CONDITION", "AM_CONDITION_GROUP",
    "AM_API_THROTTLE_POLICY", "AM_POLICY_HARD_THROTTLING", "AM_POLICY_APPLICATION", "AM_POLICY_SUBSCRIPTION",
    "AM_API_DEFAULT_VERSION", "AM_API_SCOPES", "AM_TIER_PERMISSIONS", "AM_API_RATINGS", "AM_API_COMMENTS",
    "AM_APP_KEY_DOMAIN_MAPPING", "AM_API_LC_EVENT", "AM_APPLICATION_REGISTRATION", "AM_APPLICATION_KEY_MAPPING",
    "AM_SUBSCRIPTION_KEY_MAPPING", "AM_SUBSCRIPTION", "AM_API_URL_MAPPING", "AM_API", "AM_APPLICATION",
    "AM_SUBSCRIBER", "IDN_OIDC_JTI", "IDN_SCIM_GROUP", "IDN_OAUTH2_RESOURCE_SCOPE", "IDN_OAUTH2_SCOPE_BINDING",
    "IDN_OAUTH2_SCOPE", "IDN_OAUTH2_ACCESS_TOKEN_SCOPE", "IDN_OAUTH2_AUTHORIZATION_CODE",
    "IDN_OAUTH2_ACCESS_TOKEN_AUDIT", "IDN_OAUTH2_ACCESS_TOKEN", "IDN_OAUTH2_SCOPE_VALIDATORS",
    "IDN_OAUTH_CONSUMER_APPS", "IDN_BASE_TABLE", "UM_HYBRID_REMEMBER_ME", "UM_SYSTEM_USER_ROLE", "UM_SYSTEM_ROLE",
    "UM_HYBRID_USER_ROLE", "UM_HYBRID_ROLE", "UM_CLAIM_BEHAVIOR", "UM_PROFILE_CONFIG", "UM_CLAIM", "UM_DIALECT",
    "UM_USER_ATTRIBUTE", "UM_ACCOUNT_MAPPING", "UM_SHARED_USER_ROLE", "UM_USER_ROLE", "UM_USER_PERMISSION",
    "UM_ROLE_PERMISSION", "UM_PERMISSION", "UM_MODULE_ACTIONS", "UM_MODULE", "UM_ROLE", "UM_SYSTEM_USER",
    "UM_USER", "UM_DOMAIN", "UM_TENANT", "REG_RESOURCE_PROPERTY", "REG_PROPERTY", "REG_RESOURCE_TAG", "REG_TAG",
    "REG_RESOURCE", "REG_CONTENT", "REG_PATH", "REG_LOG", NULL};

#define OK(call)                                                                                                   \
    do {                                                                                                           \
        gh_err_t e_;                                                                                               \
        gh_err_clear(&e_);                                                                                         \
        if ((call) != GH_OK)                                                                                       \
            fail_msg("%s: %s", #call, e_.msg);                                                                     \
    } while (0)
#define ERR (&e_)

static int64_t count(gh_db_conn_t *c, const char *sql)
{
    int64_t n = -1;
    gh_err_t err;

    if (gh_db_query_int(c, sql, GH_DB_NOARGS, &n, &err) != 1)
        fail_msg("%s: %s", sql, err.msg);
    return n;
}

static int64_t version_of(gh_db_conn_t *c, const char *component)
{
    int64_t v = -1;
    gh_err_t err;
    int rc = gh_db_query_int(c, "SELECT VERSION FROM GH_SCHEMA_VERSION WHERE COMPONENT = ?",
                             GH_DB_ARGS(GH_DB_T(component)), &v, &err);

    if (rc < 0)
        fail_msg("version of %s: %s", component, err.msg);
    return rc == 1 ? v : 0;
}

/* Empty the database: the suite owns gatehouse2 (and its SQLite file). */
static int reset_db(gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    char sql[128];
    int rc = GH_ERR;
    size_t i;

    if (gh_db_borrow(pool, &c, err) != GH_OK)
        return GH_ERR;
    if (strcmp(driver, "postgresql") == 0) {
        rc = gh_db_exec_script(c, "DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n", err);
        goto out;
    }
    if (strcmp(driver, "mysql") == 0 && gh_db_exec_script(c, "SET FOREIGN_KEY_CHECKS = 0;\n", err) != GH_OK)
        goto out;
    for (i = 0; TABLES[i] != NULL; ++i) {
        /* identifiers from the constant list above, not input */
        snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %s;\n", TABLES[i]);
        if (gh_db_exec_script(c, sql, err) != GH_OK)
            goto out;
    }
    rc = strcmp(driver, "mysql") == 0 ? gh_db_exec_script(c, "SET FOREIGN_KEY_CHECKS = 1;\n", err) : GH_OK;
out:
    gh_db_return(c);
    return rc;
}

static void test_fresh_database(void **state)
{
    gh_db_conn_t *c = NULL;

    (void)state;
    OK(reset_db(ERR));
    OK(gh_schema_setup(pool, ALL, ERR));
    OK(gh_db_borrow(pool, &c, ERR));
    assert_int_equal(count(c, "SELECT COUNT(*) FROM UM_USER"), 0);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM REG_RESOURCE"), 0);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN"), 0);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM AM_APPLICATION_KEY_MAPPING"), 0);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM AM_POLICY_SUBSCRIPTION WHERE TENANT_ID = -1234"), 5);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM AM_POLICY_APPLICATION WHERE NAME = 'Unlimited'"), 1);
    assert_int_equal(count(c, "SELECT QUOTA FROM AM_POLICY_SUBSCRIPTION WHERE NAME = 'Gold'"), 5000);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM IDN_BASE_TABLE"), 1);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM GH_SCHEMA_VERSION"), 4);
    assert_int_equal(version_of(c, "um"), gh_schema_latest_version(driver, "um"));
    assert_int_equal(version_of(c, "registry"), 1);
    assert_int_equal(version_of(c, "identity"), 2);
    assert_int_equal(version_of(c, "apimgt"), APIMGT_LATEST);
    gh_db_return(c);
}

static void test_rerun_keeps_everything(void **state)
{
    gh_db_conn_t *c = NULL;
    int64_t t_before = 0, t_after = 0, n_before, n_after;

    (void)state;
    OK(gh_db_borrow(pool, &c, ERR));
    OK(gh_db_exec(c, "INSERT INTO UM_USER (UM_USER_NAME, UM_USER_PASSWORD, UM_SALT_VALUE, UM_REQUIRE_CHANGE, "
                     "UM_CHANGED_TIME, UM_TENANT_ID) VALUES (?, ?, ?, ?, ?, ?)",
                  GH_DB_ARGS(GH_DB_T("schema-keeper"), GH_DB_T("x"), GH_DB_T("s"), GH_DB_I(0), GH_DB_TS(1000),
                             GH_DB_I(-1234)),
                  NULL, ERR));
    {
        gh_db_stmt_t *st = NULL;
        OK(gh_db_prepare(c, "SELECT APPLIED_TIME FROM GH_SCHEMA_VERSION WHERE COMPONENT = ?", &st, ERR));
        OK(gh_db_execute(st, GH_DB_ARGS(GH_DB_T("apimgt")), ERR));
        assert_int_equal(gh_db_next(st, NULL), 1);
        t_before = gh_db_col_time(st, 0);
        gh_db_reset(st);
    }
    n_before = count(c, "SELECT COUNT(*) FROM GH_SCHEMA_VERSION");
    gh_db_return(c);
    c = NULL;

    OK(gh_schema_setup(pool, ALL, ERR)); /* second run: nothing to apply */

    OK(gh_db_borrow(pool, &c, ERR));
    assert_int_equal(count(c, "SELECT COUNT(*) FROM UM_USER WHERE UM_USER_NAME = 'schema-keeper'"), 1);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM AM_POLICY_SUBSCRIPTION"), 5);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM IDN_BASE_TABLE"), 1);
    n_after = count(c, "SELECT COUNT(*) FROM GH_SCHEMA_VERSION");
    assert_int_equal(n_after, n_before);
    {
        gh_db_stmt_t *st = NULL;
        OK(gh_db_prepare(c, "SELECT APPLIED_TIME FROM GH_SCHEMA_VERSION WHERE COMPONENT = ?", &st, ERR));
        OK(gh_db_execute(st, GH_DB_ARGS(GH_DB_T("apimgt")), ERR));
        assert_int_equal(gh_db_next(st, NULL), 1);
        t_after = gh_db_col_time(st, 0);
        gh_db_reset(st);
    }
    assert_true(t_before > 0);
    assert_int_equal(t_after, t_before); /* the version row was not rewritten */
    assert_int_equal(version_of(c, "apimgt"), APIMGT_LATEST);
    gh_db_return(c);
}

/* An existing WSO2 database: the tables and data are there, GH_SCHEMA_VERSION is not. */
static void test_existing_wso2_database(void **state)
{
    gh_db_conn_t *c = NULL;

    (void)state;
    OK(gh_db_borrow(pool, &c, ERR));
    OK(gh_db_exec_script(c, "DROP TABLE GH_SCHEMA_VERSION;\n", ERR));
    OK(gh_db_exec(c, "DELETE FROM AM_POLICY_SUBSCRIPTION WHERE NAME = 'Bronze'", GH_DB_NOARGS, NULL, ERR));
    gh_db_return(c);
    c = NULL;

    OK(gh_schema_setup(pool, ALL, ERR));

    OK(gh_db_borrow(pool, &c, ERR));
    assert_int_equal(count(c, "SELECT COUNT(*) FROM GH_SCHEMA_VERSION"), 4);
    assert_int_equal(version_of(c, "apimgt"), APIMGT_LATEST);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM UM_USER WHERE UM_USER_NAME = 'schema-keeper'"), 1);
    /* the seed script ran again; it only fills what is missing and never duplicates */
    assert_int_equal(count(c, "SELECT COUNT(*) FROM AM_POLICY_SUBSCRIPTION WHERE NAME = 'Gold'"), 1);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM AM_POLICY_SUBSCRIPTION"), 5);
    gh_db_return(c);
}

static void test_unknown_component(void **state)
{
    const char *const comps[] = {"um", "nonesuch", NULL};
    gh_err_t err;

    (void)state;
    assert_int_equal(gh_schema_setup(pool, comps, &err), GH_ERR);
    assert_non_null(strstr(err.msg, "nonesuch"));
}

static void test_components_for(void **state)
{
    gh_conf_datasource_t items[3], own;
    gh_conf_t conf;
    const char *out[5];

    (void)state;
    memset(&conf, 0, sizeof(conf));
    memset(items, 0, sizeof(items));
    memset(&own, 0, sizeof(own));
    items[0].name = "WSO2_CARBON_DB", items[0].jndi_name = "jdbc/WSO2CarbonDB";
    items[1].name = "WSO2AM_DB", items[1].jndi_name = "jdbc/WSO2AM_DB";
    items[2].name = "WSO2AM_STATS_DB", items[2].jndi_name = "jdbc/WSO2AM_STATS_DB";
    conf.datasources.items = items, conf.datasources.n = 3;
    conf.user_mgt.datasource = "jdbc/WSO2CarbonDB";
    conf.identity.datasource = "jdbc/WSO2AM_DB";
    conf.apim.datasource = "WSO2AM_DB"; /* by <name> works too */

    assert_int_equal(gh_schema_components_for(&conf, &items[0], out, 5), 2);
    assert_string_equal(out[0], "registry");
    assert_string_equal(out[1], "um");
    assert_null(out[2]);
    assert_int_equal(gh_schema_components_for(&conf, &items[1], out, 5), 2);
    assert_string_equal(out[0], "identity");
    assert_string_equal(out[1], "apimgt");
    assert_int_equal(gh_schema_components_for(&conf, &items[2], out, 5), 0);
    assert_null(out[0]);
    assert_int_equal(gh_schema_components_for(&conf, &items[1], out, 2), 1); /* room for one name + NULL */
    assert_null(out[1]);

    /* one datasource for everything */
    conf.user_mgt.datasource = conf.identity.datasource = conf.apim.datasource = "jdbc/WSO2CarbonDB";
    assert_int_equal(gh_schema_components_for(&conf, &items[0], out, 5), 4);
    assert_string_equal(out[3], "apimgt");

    /* a user store with its own url: um goes there (and stays on the realm datasource) */
    own.name = "userstore:PRIMARY";
    conf.user_mgt.own_ds = &own;
    assert_int_equal(gh_schema_components_for(&conf, &own, out, 5), 1);
    assert_string_equal(out[0], "um");
}

/* gh_schema_setup_all over a conf whose datasources all point at a fresh SQLite file. */
static void test_setup_all_sqlite(void **state)
{
    gh_conf_datasource_t one = sds.ds;
    gh_conf_t conf;
    gh_db_pool_t *p = NULL;
    gh_db_conn_t *c = NULL;
    char file[sizeof(sds.tmpdir) + 32];

    (void)state;
    if (strcmp(driver, "sqlite") != 0)
        skip();
    snprintf(file, sizeof(file), "jdbc:sqlite:%s/all.db", sds.tmpdir);
    memset(&conf, 0, sizeof(conf));
    one.name = "WSO2_CARBON_DB", one.jndi_name = "jdbc/WSO2CarbonDB", one.url = file;
    conf.datasources.items = &one, conf.datasources.n = 1;
    conf.identity.datasource = conf.apim.datasource = "jdbc/WSO2CarbonDB";
    OK(gh_schema_setup_all(&conf, ERR));
    OK(gh_schema_setup_all(&conf, ERR)); /* idempotent */
    OK(gh_db_pool_create(&one, &p, ERR));
    OK(gh_db_borrow(p, &c, ERR));
    assert_int_equal(count(c, "SELECT COUNT(*) FROM GH_SCHEMA_VERSION"), 4);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM AM_API_THROTTLE_POLICY"), 4);
    gh_db_return(c);
    gh_db_pool_destroy(p);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_database),   cmocka_unit_test(test_rerun_keeps_everything),
        cmocka_unit_test(test_existing_wso2_database), cmocka_unit_test(test_unknown_component),
        cmocka_unit_test(test_components_for),   cmocka_unit_test(test_setup_all_sqlite),
    };
    int rc;

    if (argc != 3 || strcmp(argv[1], "--driver") != 0) {
        fprintf(stderr, "usage: test_schema_setup --driver sqlite|postgresql|mysql\n");
        return 2;
    }
    driver = argv[2];
    gh_log_level = GH_LOG_WARN;
    sds.prog = "test_schema_setup";
    sds.tmp_prefix = "/tmp/gh-schema-setup-";
    sds.sqlite_file = "setup.db";
    sds.ds.max_active = 4;
    sds.ds.max_wait_ms = 10000;
    sds.ds.validation_interval_ms = 30000;
    if ((rc = gh_test_ds_open(driver, "SCHEMA_TEST", "GH_TEST_PG_URL2", "GH_TEST_MYSQL_URL2", &sds)) != 0)
        return rc;
    pool = sds.pool; /* the probed pool; gh_test_ds_close destroys it */
    rc = cmocka_run_group_tests_name(driver, tests, NULL, NULL);
    gh_test_ds_close(&sds);
    return rc;
}
