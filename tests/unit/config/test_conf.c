/* Whole-folder cases: gh_conf_load on good trees, every bad tree against its expected.txt, folder errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fixture.h"
#include "gatehouse/conf.h"
#include "gatehouse/gh.h"
#include "gatehouse/registry.h"

static const char *const jdbc_classes[] = {"org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager", NULL};
static const gh_plugin_t fake_jdbc_us = {GH_FAMILY_USERSTORE, "jdbc", jdbc_classes, NULL};

static int setup(void **state)
{
    (void)state;
    gh_registry_reset();
    return 0;
}

static void test_good_minimal(void **state)
{
    gh_conf_t c;
    gh_diag_list_t d = {0};
    const char *dir = fx_data("good/minimal");

    (void)state;
    assert_int_equal(gh_conf_load(dir, NULL, &c, &d), GH_OK);
    if (d.n != 0) fx_dump(&d);
    assert_int_equal(d.n, 0);
    assert_string_equal(c.dir, dir);
    assert_string_equal(c.carbon_home, fx_data("good"));
    assert_int_equal(c.datasources.n, 2);
    assert_int_equal(c.embedded_ldap.present, 0);
    assert_string_equal(c.apim.key_validator_url, "https://localhost:9443/services/");
    assert_string_equal(c.apim.key_validator_user, "admin");
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
}

static void test_good_full(void **state)
{
    gh_conf_t c;
    gh_diag_list_t d = {0};

    (void)state;
    assert_int_equal(gh_conf_load(fx_data("good/full"), fx_data("good/full"), &c, &d), GH_OK);
    assert_int_equal(d.n, 0);
    assert_string_equal(c.carbon_home, fx_data("good/full"));
    assert_int_equal(c.embedded_ldap.present, 1);
    assert_int_equal(c.embedded_ldap.enabled, 0);
    /* the admin of user-mgt.xml feeds ${admin.username} in api-manager.xml; the offset feeds the ports */
    assert_string_equal(c.apim.auth_manager_user, "root");
    assert_string_equal(c.apim.auth_manager_password, "r00t-pass");
    assert_string_equal(c.apim.auth_manager_url, "https://km.example.com:9445/services/");
    assert_string_equal(gh_conf_find_datasource(&c, c.user_mgt.datasource)->jndi_name, "jdbc/WSO2CarbonDB");
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
}

/* Operator-style files in CARBON_HOME/repository/conf: accepted with warnings only. */
static void test_good_wso2_operator(void **state)
{
    gh_conf_t c;
    gh_diag_list_t d = {0};

    (void)state;
    gh_registry_add(&fake_jdbc_us, NULL);
    assert_int_equal(gh_conf_load(fx_data("good/wso2-operator/repository/conf"), NULL, &c, &d), GH_OK);
    assert_int_equal(d.n_errors, 0);
    /* the JKS key store, one unknown element, and one "read by WSO2 but not used" summary per file that has
     * stock sections Gatehouse ignores (carbon.xml, identity.xml, api-manager.xml) */
    assert_int_equal(d.n_warnings, 5);
    assert_int_equal(fx_count(&d, GH_DIAG_WARN,
                              "api-manager.xml:1: warning: <APIManager>: read by WSO2 but not used by Gatehouse, "
                              "ignored: GatewayType, EnableSecureVault, APIGateway, Analytics"),
                     1);
    assert_int_equal(fx_count(&d, GH_DIAG_WARN, "carbon.xml:32: warning: <KeyStore>: Gatehouse needs PEM"),
                     1);
    assert_int_equal(
        fx_count(&d, GH_DIAG_WARN,
                 "api-manager.xml:61: warning: <GatewayArtifactSynchronizer>: not used by Gatehouse"),
        1);
    assert_string_equal(c.carbon_home, fx_data("good/wso2-operator"));
    assert_null(c.carbon.key_file);
    assert_int_equal(c.carbon.port_offset, 1);
    assert_int_equal(c.datasources.n, 3);
    assert_string_equal(c.user_mgt.admin_user, "opsadmin");
    assert_string_equal(c.apim.auth_manager_url, "https://localhost:9444/services/");
    assert_string_equal(c.apim.key_validator_user, "opsadmin");
    assert_string_equal(c.apim.revoke_api_url, "https://localhost:8244/revoke");
    assert_string_equal(c.identity.id_token_issuer, "https://apim.internal.example:9444/oauth2/token");
    assert_int_equal(c.apim.unlimited_tier, 0);
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
}

static void run_bad(const char *name)
{
    char rel[256], expected[512];
    char *dir = fx_copy("good/minimal");
    gh_conf_t c;
    gh_diag_list_t d = {0};

    gh_registry_reset();
    assert_int_equal(gh_registry_add(&fake_jdbc_us, NULL), GH_OK);
    snprintf(rel, sizeof(rel), "bad/%s", name);
    fx_overlay(dir, rel);
    assert_int_equal(gh_conf_load(dir, NULL, &c, &d), GH_ERR);
    snprintf(expected, sizeof(expected), "%s/expected.txt", fx_data(rel));
    fx_expect_file(&d, expected);
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    fx_remove(dir);
}

static void test_bad_malformed_xml(void **s)
{
    (void)s;
    run_bad("malformed-xml");
}
static void test_bad_datasource_nope(void **s)
{
    (void)s;
    run_bad("datasource-nope");
}
static void test_bad_missing_required(void **s)
{
    (void)s;
    run_bad("missing-required");
}
static void test_bad_wrong_types(void **s)
{
    (void)s;
    run_bad("wrong-types");
}
static void test_bad_duplicate_datasource(void **s)
{
    (void)s;
    run_bad("duplicate-datasource");
}
static void test_bad_unknown_class(void **s)
{
    (void)s;
    run_bad("unknown-class");
}
static void test_bad_embedded_ldap_enabled(void **s)
{
    (void)s;
    run_bad("embedded-ldap-enabled");
}
static void test_bad_secure_vault(void **s)
{
    (void)s;
    run_bad("secure-vault");
}
static void test_bad_many_mistakes(void **s)
{
    (void)s;
    run_bad("many-mistakes");
}

static void test_missing_file(void **state)
{
    char *dir = fx_copy("good/minimal"), *path;
    gh_conf_t c;
    gh_diag_list_t d = {0};

    (void)state;
    path = malloc(strlen(dir) + 32);
    snprintf(path, strlen(dir) + 32, "%s/api-manager.xml", dir);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(gh_conf_load(dir, NULL, &c, &d), GH_ERR);
    assert_int_equal(d.n_errors, 1);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR, "api-manager.xml: error: required file is missing"), 1);
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    free(path);
    fx_remove(dir);
}

static void test_missing_folder(void **state)
{
    gh_conf_t c;
    gh_diag_list_t d = {0};

    (void)state;
    assert_int_equal(gh_conf_load("/nonexistent/gatehouse/conf", NULL, &c, &d), GH_ERR);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR, "does not exist"), 1);
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
}

/* d may be NULL: the verdict alone. */
static void test_null_diag_list(void **state)
{
    gh_conf_t c;
    char *dir = fx_copy("good/minimal");

    (void)state;
    assert_int_equal(gh_conf_load(fx_data("good/minimal"), NULL, &c, NULL), GH_OK);
    gh_conf_dispose(&c);
    fx_overlay(dir, "bad/wrong-types");
    assert_int_equal(gh_conf_load(dir, NULL, &c, NULL), GH_ERR);
    gh_conf_dispose(&c);
    fx_remove(dir);
}

/* The project's own default conf/ folder loads without a single diagnostic. */
static void test_default_conf_folder(void **state)
{
    gh_conf_t c;
    gh_diag_list_t d = {0};

    (void)state;
    assert_int_equal(gh_conf_load(GH_TEST_CONF_DEFAULT, NULL, &c, &d), GH_OK);
    if (d.n != 0) fx_dump(&d);
    assert_int_equal(d.n, 0);
    assert_non_null(gh_conf_find_datasource(&c, "jdbc/WSO2CarbonDB"));
    assert_non_null(gh_conf_find_datasource(&c, "jdbc/WSO2AM_DB"));
    assert_null(c.carbon.key_file);
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_good_minimal, setup),
        cmocka_unit_test_setup(test_good_full, setup),
        cmocka_unit_test_setup(test_good_wso2_operator, setup),
        cmocka_unit_test_setup(test_bad_malformed_xml, setup),
        cmocka_unit_test_setup(test_bad_datasource_nope, setup),
        cmocka_unit_test_setup(test_bad_missing_required, setup),
        cmocka_unit_test_setup(test_bad_wrong_types, setup),
        cmocka_unit_test_setup(test_bad_duplicate_datasource, setup),
        cmocka_unit_test_setup(test_bad_unknown_class, setup),
        cmocka_unit_test_setup(test_bad_embedded_ldap_enabled, setup),
        cmocka_unit_test_setup(test_bad_secure_vault, setup),
        cmocka_unit_test_setup(test_bad_many_mistakes, setup),
        cmocka_unit_test_setup(test_missing_file, setup),
        cmocka_unit_test_setup(test_missing_folder, setup),
        cmocka_unit_test_setup(test_null_diag_list, setup),
        cmocka_unit_test_setup(test_default_conf_folder, setup),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);

    gh_registry_reset();
    return rc;
}
