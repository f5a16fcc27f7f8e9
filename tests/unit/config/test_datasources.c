/* master-datasources.xml: values, defaults, URL resolution, duplicates, driver classes, lookups. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixture.h"
#include "gatehouse/conf.h"
#include "gatehouse/gh.h"
#include "gatehouse/mem.h"
#include "gatehouse/registry.h"

static gh_conf_t c;
static gh_diag_list_t d;

static const char *const sqlite_classes[] = {"org.sqlite.JDBC", "org.h2.Driver", NULL};
static const gh_plugin_t fake_sqlite = {GH_FAMILY_DB_DRIVER, "sqlite", sqlite_classes, NULL};

static int teardown(void **state)
{
    (void)state;
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    gh_registry_reset();
    return 0;
}

/* A file with the two datasources the other minimal files need, plus `extra` inside <datasources> and the
 * first datasource's <configuration> body replaced by cfg. */
static int load_ds(const char *cfg, const char *extra)
{
    char *text = gh_asprintf(
        "<datasources-configuration>\n<datasources>\n<datasource>\n<name>WSO2_CARBON_DB</name>\n"
        "<jndiConfig><name>jdbc/WSO2CarbonDB</name></jndiConfig>\n<definition "
        "type=\"RDBMS\">\n<configuration>\n"
        "%s</configuration>\n</definition>\n</datasource>\n<datasource>\n<name>WSO2AM_DB</name>\n"
        "<jndiConfig><name>jdbc/WSO2AM_DB</name></jndiConfig>\n<definition type=\"RDBMS\">\n<configuration>\n"
        "<url>jdbc:sqlite:/var/am.db</url>\n</configuration>\n</definition>\n</datasource>\n%s</"
        "datasources>\n"
        "</datasources-configuration>\n",
        cfg, extra);
    int rc = fx_load_with("good/minimal", "datasources/master-datasources.xml", text, &c, &d);

    free(text);
    return rc;
}

static void test_minimal_defaults(void **state)
{
    const gh_conf_datasource_t *ds;

    (void)state;
    assert_int_equal(gh_conf_load(fx_data("good/minimal"), NULL, &c, &d), GH_OK);
    ds = gh_conf_find_datasource(&c, "jdbc/WSO2CarbonDB");
    assert_non_null(ds);
    assert_string_equal(ds->name, "WSO2_CARBON_DB");
    assert_string_equal(ds->type, "RDBMS");
    assert_non_null(strstr(ds->url, "/tests/data/conf/good/repository/database/carbon.db"));
    assert_int_equal(strncmp(ds->url, "jdbc:sqlite:/", 13), 0);
    assert_null(ds->username);
    assert_null(ds->driver_class);
    assert_int_equal(ds->max_active, 10);
    assert_int_equal(ds->max_wait_ms, 60000);
    assert_int_equal(ds->min_idle, 0);
    assert_int_equal(ds->test_on_borrow, 0);
    assert_int_equal(ds->validation_interval_ms, 3000);
    assert_int_equal(ds->default_auto_commit, 1);
    assert_null(ds->validation_query);
    assert_int_equal(ds->line, 3);
    assert_non_null(strstr(ds->file, "datasources/master-datasources.xml"));
    /* by <name> as well as by JNDI name */
    assert_ptr_equal(gh_conf_find_datasource(&c, "WSO2_CARBON_DB"), ds);
    assert_null(gh_conf_find_datasource(&c, "jdbc/NOPE"));
    assert_null(gh_conf_find_datasource(&c, NULL));
}

static void test_full_values(void **state)
{
    const gh_conf_datasource_t *pg, *my;

    (void)state;
    assert_int_equal(gh_conf_load(fx_data("good/full"), fx_data("good/full"), &c, &d), GH_OK);
    pg = gh_conf_find_datasource(&c, "WSO2_CARBON_DB");
    my = gh_conf_find_datasource(&c, "jdbc/WSO2AM_DB");
    assert_string_equal(pg->url, "jdbc:postgresql://db.example.com:5432/carbon?sslmode=require");
    assert_string_equal(pg->username, "carbon");
    assert_string_equal(pg->password, "s3cret-carbon");
    assert_string_equal(pg->driver_class, "org.postgresql.Driver");
    assert_int_equal(pg->max_active, 80);
    assert_int_equal(pg->max_wait_ms, 30000);
    assert_int_equal(pg->min_idle, 5);
    assert_int_equal(pg->test_on_borrow, 1);
    assert_string_equal(pg->validation_query, "SELECT 1");
    assert_int_equal(pg->validation_interval_ms, 30000);
    assert_int_equal(pg->default_auto_commit, 0);
    assert_string_equal(my->url, "jdbc:mysql://db.example.com:3306/apimgt?useSSL=true&autoReconnect=true");
    assert_string_equal(my->driver_class, "com.mysql.jdbc.Driver");
    assert_int_equal(my->max_active, 120);
    assert_int_equal(my->test_on_borrow, 1);
}

static void test_url_resolution(void **state)
{
    (void)state;
    assert_int_equal(
        load_ds(
            "<url>jdbc:h2:./repository/database/X<!-- a comment -->;DB_CLOSE_ON_EXIT=FALSE</url>\n",
            "<datasource><name>MEM</name><definition type=\"RDBMS\"><configuration>"
            "<url>jdbc:h2:mem:test;DB_CLOSE_DELAY=-1</url></configuration></definition></datasource>\n"
            "<datasource><name>ABS</name><definition><configuration>"
            "<url>jdbc:sqlite:/srv/db.sqlite</url></configuration></definition></datasource>\n"
            "<datasource><name>UP</name><definition><configuration>"
            "<url>jdbc:h2:../tmpStatDB/S;AUTO_SERVER=TRUE</url></configuration></definition></datasource>\n"),
        GH_OK);
    assert_string_equal(gh_conf_find_datasource(&c, "WSO2_CARBON_DB")->url,
                        "jdbc:h2:/tmp/repository/database/X;DB_CLOSE_ON_EXIT=FALSE");
    assert_string_equal(gh_conf_find_datasource(&c, "MEM")->url, "jdbc:h2:mem:test;DB_CLOSE_DELAY=-1");
    assert_string_equal(gh_conf_find_datasource(&c, "ABS")->url, "jdbc:sqlite:/srv/db.sqlite");
    assert_string_equal(gh_conf_find_datasource(&c, "UP")->url,
                        "jdbc:h2:/tmp/../tmpStatDB/S;AUTO_SERVER=TRUE");
    assert_string_equal(gh_conf_find_datasource(&c, "ABS")->type, "RDBMS"); /* type attribute defaults */
}

static void test_missing_url_and_type(void **state)
{
    (void)state;
    assert_int_equal(load_ds("<username>u</username>\n",
                             "<datasource>\n<name>JNDI</name>\n<definition type=\"JNDI\"/>\n</datasource>\n"
                             "<datasource>\n<description>no name</description>\n<definition><configuration>"
                             "<url>jdbc:sqlite:/x</url></configuration></definition>\n</datasource>\n"),
                     GH_ERR);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR, "master-datasources.xml:7: error: <url>: required element is missing"),
        1);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR,
                              "master-datasources.xml:23: error: <definition>: type 'JNDI' is not supported"),
                     1);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR, "master-datasources.xml:25: error: <name>: required element is missing"),
        1);
    assert_int_equal(d.n_errors, 3);
}

static void test_duplicates(void **state)
{
    (void)state;
    assert_int_equal(
        load_ds("<url>jdbc:sqlite:/a</url>\n",
                "<datasource>\n<name>OTHER</name>\n<jndiConfig><name>jdbc/WSO2AM_DB</name></jndiConfig>\n"
                "<definition><configuration><url>jdbc:sqlite:/b</url></configuration></definition>\n"
                "</datasource>\n"),
        GH_ERR);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR,
                              "master-datasources.xml:22: error: <jndiConfig/name>: duplicate JNDI name "
                              "'jdbc/WSO2AM_DB' (first used at line 12 by 'WSO2AM_DB')"),
                     1);
    assert_int_equal(d.n_errors, 1);
}

static void test_driver_class_checked_only_when_family_registered(void **state)
{
    (void)state;
    /* no db-driver registered: anything goes */
    assert_int_equal(
        load_ds("<url>jdbc:sqlite:/a</url>\n<driverClassName>com.example.Nope</driverClassName>\n", ""),
        GH_OK);
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    assert_int_equal(gh_registry_add(&fake_sqlite, NULL), GH_OK);
    assert_int_equal(
        load_ds("<url>jdbc:sqlite:/a</url>\n<driverClassName>org.h2.Driver</driverClassName>\n", ""), GH_OK);
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    assert_int_equal(
        load_ds("<url>jdbc:sqlite:/a</url>\n<driverClassName>com.example.Nope</driverClassName>\n", ""),
        GH_ERR);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR,
                              "master-datasources.xml:9: error: <driverClassName>: unknown db-driver "
                              "'com.example.Nope'; known: sqlite, org.sqlite.JDBC, org.h2.Driver"),
                     1);
    assert_int_equal(d.n_errors, 1);
}

static void test_unknown_pool_attribute_warns(void **state)
{
    (void)state;
    assert_int_equal(
        load_ds("<url>jdbc:sqlite:/a</url>\n<maxIdle>8</maxIdle>\n<poolMagic>1</poolMagic>\n", ""), GH_OK);
    assert_int_equal(d.n, 1);
    assert_int_equal(
        fx_count(&d, GH_DIAG_WARN, "master-datasources.xml:10: warning: <poolMagic>: not used by Gatehouse"),
        1);
}

static void test_missing_datasources_element(void **state)
{
    (void)state;
    assert_int_equal(fx_load_with("good/minimal", "datasources/master-datasources.xml",
                                  "<datasources-configuration/>\n", &c, &d),
                     GH_ERR);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR, "<datasources>: required element is missing"), 1);
    /* and the files that referred to them say so too */
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR, "known: (none)"), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_minimal_defaults, teardown),
        cmocka_unit_test_teardown(test_full_values, teardown),
        cmocka_unit_test_teardown(test_url_resolution, teardown),
        cmocka_unit_test_teardown(test_missing_url_and_type, teardown),
        cmocka_unit_test_teardown(test_duplicates, teardown),
        cmocka_unit_test_teardown(test_driver_class_checked_only_when_family_registered, teardown),
        cmocka_unit_test_teardown(test_unknown_pool_attribute_warns, teardown),
        cmocka_unit_test_teardown(test_missing_datasources_element, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
