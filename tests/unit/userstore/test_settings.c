/* user-mgt.xml properties -> user store settings: defaults, Gatehouse extensions, refused values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "us_int.h"
#include "gatehouse/conf.h"

static gh_conf_user_mgt_t um_with(gh_conf_prop_t *props, size_t n)
{
    gh_conf_user_mgt_t um;

    memset(&um, 0, sizeof(um));
    um.add_admin = 1;
    um.usm_props.items = props;
    um.usm_props.n = n;
    return um;
}

static void test_defaults(void **state)
{
    gh_conf_user_mgt_t um = um_with(NULL, 0);
    gh_us_settings_t s;

    (void)state;
    assert_int_equal(gh_us_settings_init(&s, &um, NULL), 0);
    assert_int_equal(s.case_insensitive, 1);
    assert_int_equal(s.pw.method, GH_US_PW_PBKDF2);
    assert_int_equal(s.pw.iterations, 600000);
    assert_int_equal(s.max_failed, 5);
    assert_int_equal(s.lock_minutes, 15);
    assert_string_equal(s.admin_user, "admin");
    assert_string_equal(s.everyone_role, "everyone");
    assert_string_equal(s.separator, ",");
    /* WSO2's JDBC default patterns apply when user-mgt.xml has none */
    assert_true(gh_us_pattern_match(&s.user_re, "admin"));
    assert_false(gh_us_pattern_match(&s.user_re, "ab"));
    assert_false(gh_us_pattern_match(&s.password_re, "four"));
    gh_us_settings_dispose(&s);
}

static void test_gatehouse_properties(void **state)
{
    gh_conf_prop_t p[] = {{"PasswordHashMethod", "WSO2", 0},       {"PasswordHashIterations", "1000", 0},
                          {"MaxFailedLoginAttempts", "0", 0},      {"AccountLockDuration", "0", 0},
                          {"CaseInsensitiveUsername", "false", 0}, {"PasswordDigest", "SHA-1", 0}};
    gh_conf_user_mgt_t um = um_with(p, GH_ARRAY_SIZE(p));
    gh_us_settings_t s;

    (void)state;
    assert_int_equal(gh_us_settings_init(&s, &um, NULL), 0);
    assert_int_equal(s.pw.method, GH_US_PW_WSO2);
    assert_int_equal(s.pw.iterations, 1000);
    assert_int_equal(s.max_failed, 0);
    assert_int_equal(s.lock_minutes, 0);
    assert_int_equal(s.case_insensitive, 0);
    assert_string_equal(s.pw.digest, "SHA-1");
    gh_us_settings_dispose(&s);
}

static void refused(const char *name, const char *value, const char *needle)
{
    gh_conf_prop_t p[] = {{(char *)name, (char *)value, 0}};
    gh_conf_user_mgt_t um = um_with(p, 1);
    gh_us_settings_t s;
    gh_err_t e = {0};

    assert_int_equal(gh_us_settings_init(&s, &um, &e), -1);
    assert_int_equal(e.code, GH_E_CONFIG);
    assert_non_null(strstr(e.msg, needle));
}

static void test_refused_values(void **state)
{
    (void)state;
    refused("PasswordHashMethod", "MD5", "PBKDF2 or WSO2");
    refused("PasswordHashIterations", "0", "PasswordHashIterations");
    refused("PasswordHashIterations", "12abc", "PasswordHashIterations");
    refused("MaxFailedLoginAttempts", "-1", "MaxFailedLoginAttempts");
    refused("CaseInsensitiveUsername", "yes", "true or false");
    refused("UsernameJavaRegEx", "([a-z", "user name pattern");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_gatehouse_properties),
        cmocka_unit_test(test_refused_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
