/* user-mgt.xml: realm configuration, properties, the primary user store, its own datasource, classes. */
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

static const char *const authz_classes[] = {
    "org.wso2.carbon.user.core.authorization.JDBCAuthorizationManager", NULL};
static const gh_plugin_t fake_authz = {GH_FAMILY_AUTHZ_MANAGER, "jdbc", authz_classes, NULL};

static int teardown(void **state)
{
    (void)state;
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    gh_registry_reset();
    return 0;
}

static int load_um(const char *realm_body)
{
    char *text = gh_asprintf("<UserManager>\n<Realm>\n%s</Realm>\n</UserManager>\n", realm_body);
    int rc = fx_load_with("good/minimal", "user-mgt.xml", text, &c, &d);

    free(text);
    return rc;
}

static void test_minimal_defaults(void **state)
{
    const gh_conf_user_mgt_t *um = &c.user_mgt;

    (void)state;
    assert_int_equal(gh_conf_load(fx_data("good/minimal"), NULL, &c, &d), GH_OK);
    assert_int_equal(um->add_admin, 1);
    assert_string_equal(um->admin_role, "admin");
    assert_string_equal(um->admin_user, "admin");
    assert_string_equal(um->admin_password, "admin");
    assert_string_equal(um->everyone_role, "everyone");
    assert_string_equal(um->datasource, "jdbc/WSO2CarbonDB");
    assert_string_equal(um->usm_class, "org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager");
    assert_int_equal(um->usm_line, 11);
    assert_string_equal(gh_conf_prop(&um->usm_props, "PasswordDigest"), "SHA-256");
    assert_null(gh_conf_prop(&um->usm_props, "Nope"));
    assert_null(um->authz_class);
    assert_null(um->own_ds);
    assert_int_equal(um->line, 1);
}

static void test_full_values(void **state)
{
    const gh_conf_user_mgt_t *um = &c.user_mgt;

    (void)state;
    assert_int_equal(gh_registry_add(&fake_authz, NULL), GH_OK);
    assert_int_equal(gh_conf_load(fx_data("good/full"), fx_data("good/full"), &c, &d), GH_OK);
    assert_int_equal(um->add_admin, 0);
    assert_string_equal(um->admin_role, "superadmin");
    assert_string_equal(um->admin_user, "root");
    assert_string_equal(um->admin_password, "r00t-pass");
    assert_string_equal(um->everyone_role, "all");
    assert_string_equal(um->datasource, "WSO2_CARBON_DB");
    assert_int_equal(um->realm_props.n, 2);
    assert_int_equal(um->realm_props.items[1].line, 12);
    assert_int_equal(um->usm_props.n, 4);
    assert_string_equal(gh_conf_prop(&um->usm_props, "UsernameJavaRegEx"), "^[\\S]{3,30}$");
    assert_string_equal(um->authz_class, "org.wso2.carbon.user.core.authorization.JDBCAuthorizationManager");
    assert_string_equal(gh_conf_prop(&um->authz_props, "AdminRoleManagementPermissions"), "/permission");
}

/* WSO2 tutorial style: the user store names its own database. */
static void test_own_datasource(void **state)
{
    const gh_conf_datasource_t *ds;

    (void)state;
    assert_int_equal(
        load_um("<Configuration><AdminUser><UserName>a</UserName><Password>b</Password></AdminUser>"
                "</Configuration>\n"
                "<UserStoreManager class=\"org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager\">\n"
                "<Property name=\"url\">jdbc:mysql://db:3306/users</Property>\n"
                "<Property name=\"userName\">us</Property>\n<Property name=\"password\">pw</Property>\n"
                "<Property name=\"driverName\">com.mysql.jdbc.Driver</Property>\n"
                "<Property name=\"maxActive\">7</Property>\n</UserStoreManager>\n"),
        GH_OK);
    ds = c.user_mgt.own_ds;
    assert_non_null(ds);
    assert_string_equal(ds->name, "userstore:PRIMARY");
    assert_string_equal(ds->url, "jdbc:mysql://db:3306/users");
    assert_string_equal(ds->username, "us");
    assert_string_equal(ds->password, "pw");
    assert_string_equal(ds->driver_class, "com.mysql.jdbc.Driver");
    assert_int_equal(ds->max_active, 7);
    assert_int_equal(ds->max_wait_ms, 60000);
    assert_int_equal(ds->default_auto_commit, 1);
    assert_int_equal(ds->line, 5);
    assert_null(c.user_mgt.datasource);
    assert_string_equal(c.apim.key_validator_user, "a"); /* ${admin.username} */
}

static void test_own_datasource_bad_max_active(void **state)
{
    (void)state;
    assert_int_equal(load_um("<Configuration/>\n<UserStoreManager class=\"X\">\n"
                             "<Property name=\"url\">jdbc:sqlite:users.db</Property>\n"
                             "<Property name=\"maxActive\">lots</Property>\n</UserStoreManager>\n"),
                     GH_ERR);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR, "user-mgt.xml:6: error: <maxActive>: 'lots' is not a whole number"), 1);
    assert_string_equal(c.user_mgt.own_ds->url, "jdbc:sqlite:/tmp/users.db");
    assert_int_equal(c.user_mgt.own_ds->max_active, 50);
}

static void test_missing_parts(void **state)
{
    (void)state;
    assert_int_equal(load_um("<Configuration>\n</Configuration>\n"), GH_ERR);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR, "user-mgt.xml:2: error: <UserStoreManager>: required element is missing"),
        1);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR,
                 "user-mgt.xml:3: error: <Property name=\"dataSource\">: the realm needs a datasource"),
        1);
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    assert_int_equal(fx_load_with("good/minimal", "user-mgt.xml", "<UserManager/>", &c, &d), GH_ERR);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR, "<Realm>: required element is missing"), 1);
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    assert_int_equal(load_um("<Configuration><Property name=\"dataSource\">jdbc/WSO2CarbonDB</Property>"
                             "<Property>nameless</Property></Configuration>\n<UserStoreManager/>\n"),
                     GH_ERR);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR, "<Property>: a <Property> needs a name"), 1);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR,
                 "user-mgt.xml:4: error: <UserStoreManager>: the class=\"...\" attribute is required"),
        1);
}

static void test_classes_and_secondary_store(void **state)
{
    (void)state;
    assert_int_equal(gh_registry_add(&fake_authz, NULL), GH_OK);
    assert_int_equal(
        load_um("<Configuration><Property name=\"dataSource\">jdbc/WSO2CarbonDB</Property></Configuration>\n"
                "<UserStoreManager class=\"any.Thing\"/>\n"
                "<UserStoreManager class=\"second.Store\"/>\n"
                "<AuthorizationManager class=\"com.example.Authz\"/>\n"),
        GH_ERR);
    /* the userstore family has no plugin registered: not checked */
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR, "any.Thing"), 0);
    assert_int_equal(
        fx_count(&d, GH_DIAG_WARN,
                 "user-mgt.xml:5: warning: <UserStoreManager>: secondary user stores are not supported"),
        1);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR,
                              "user-mgt.xml:6: error: <AuthorizationManager>: unknown authorization-manager "
                              "'com.example.Authz'; known: jdbc, "
                              "org.wso2.carbon.user.core.authorization.JDBCAuthorizationManager"),
                     1);
    assert_int_equal(d.n_errors, 1);
}

static void test_vault_admin_password(void **state)
{
    (void)state;
    assert_int_equal(
        load_um("<Configuration>\n<AdminUser>\n<UserName>admin</UserName>\n"
                "<Password svns:secretAlias=\"UserManager.AdminUser.Password\" "
                "xmlns:svns=\"http://org.wso2.securevault/configuration\">x</Password>\n</AdminUser>\n"
                "<Property name=\"dataSource\">jdbc/WSO2CarbonDB</Property>\n</Configuration>\n"
                "<UserStoreManager class=\"x\"/>\n"),
        GH_ERR);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR, "user-mgt.xml:6: error: <AdminUser/Password>: Secure Vault values"), 1);
    assert_string_equal(c.user_mgt.admin_password, "admin"); /* the default stays */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_minimal_defaults, teardown),
        cmocka_unit_test_teardown(test_full_values, teardown),
        cmocka_unit_test_teardown(test_own_datasource, teardown),
        cmocka_unit_test_teardown(test_own_datasource_bad_max_active, teardown),
        cmocka_unit_test_teardown(test_missing_parts, teardown),
        cmocka_unit_test_teardown(test_classes_and_secondary_store, teardown),
        cmocka_unit_test_teardown(test_vault_admin_password, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
