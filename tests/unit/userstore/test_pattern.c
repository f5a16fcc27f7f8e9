/* Java-compatible patterns (WSO2 defaults) and the claim URI <-> attribute map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "pattern.h"
#include "gatehouse/userstore.h"

static void test_wso2_default_user_pattern(void **state)
{
    gh_us_pattern_t p;

    (void)state;
    assert_int_equal(gh_us_pattern_init(&p, "user name", "^[\\S]{3,30}$", "Username pattern policy violated", NULL), 0);
    assert_true(gh_us_pattern_match(&p, "admin"));
    assert_true(gh_us_pattern_match(&p, "o'brien\";--"));
    assert_false(gh_us_pattern_match(&p, "ab"));
    assert_false(gh_us_pattern_match(&p, "has space"));
    assert_false(gh_us_pattern_match(&p, "this-name-is-much-longer-than-thirty"));
    assert_string_equal(p.msg, "Username pattern policy violated");
    gh_us_pattern_dispose(&p);
}

static void test_full_match_without_anchors(void **state)
{
    gh_us_pattern_t p;

    (void)state;
    /* the LDAP default has no ^: Java's matches() still requires the whole string */
    assert_int_equal(gh_us_pattern_init(&p, "user name", "[a-zA-Z0-9._\\-|//]{3,30}$", NULL, NULL), 0);
    assert_true(gh_us_pattern_match(&p, "john.doe"));
    assert_false(gh_us_pattern_match(&p, "john doe"));
    assert_false(gh_us_pattern_match(&p, "!!john"));
    assert_non_null(strstr(p.msg, "user name"));
    gh_us_pattern_dispose(&p);
}

static void test_bad_regex_and_empty(void **state)
{
    gh_us_pattern_t p;
    gh_err_t e = {0};

    (void)state;
    assert_int_equal(gh_us_pattern_init(&p, "password", "([a-z", NULL, &e), -1);
    assert_int_equal(e.code, GH_E_CONFIG);
    assert_non_null(strstr(e.msg, "password pattern"));
    assert_int_equal(gh_us_pattern_init(&p, "password", "", NULL, NULL), 0);
    assert_true(gh_us_pattern_match(&p, "anything at all"));
    gh_us_pattern_dispose(&p);
}

static void test_claim_map(void **state)
{
    (void)state;
    assert_string_equal(gh_us_claim_attr("http://wso2.org/claims/emailaddress"), "mail");
    assert_string_equal(gh_us_claim_attr("http://wso2.org/claims/lastname"), "sn");
    assert_string_equal(gh_us_claim_attr(GH_US_CLAIM_USERID), "scimId");
    assert_null(gh_us_claim_attr("http://wso2.org/claims/nosuch"));
    assert_null(gh_us_claim_attr("urn:other:emailaddress"));
    assert_string_equal(gh_us_attr_claim("givenName"), "http://wso2.org/claims/givenname");
    assert_string_equal(gh_us_attr_claim("accountLock"), "http://wso2.org/claims/identity/accountLocked");
    assert_null(gh_us_attr_claim("nosuch"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wso2_default_user_pattern),
        cmocka_unit_test(test_full_match_without_anchors),
        cmocka_unit_test(test_bad_regex_and_empty),
        cmocka_unit_test(test_claim_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
