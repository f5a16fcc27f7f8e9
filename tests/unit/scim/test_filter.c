#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../../modules/scim/filter.h"

static json_t *user(void)
{
    return json_loads("{\"userName\":\"bjensen\",\"name\":{\"familyName\":\"O'Malley\",\"givenName\":\"Barbara\"},"
                      "\"emails\":[{\"value\":\"bjensen@example.com\",\"type\":\"work\"},"
                      "{\"value\":\"babs@jensen.org\",\"type\":\"home\"}],\"active\":true,\"meta\":{\"x\":3}}",
                      0, NULL);
}

static int matches(const char *text)
{
    gh_err_t err = {0};
    gh_scim_filter_t *f = gh_scim_filter_parse(text, &err);
    json_t *u = user();
    int m;

    if (f == NULL)
        fail_msg("parse of %s failed: %s", text, err.msg);
    m = gh_scim_filter_match(f, u);
    gh_scim_filter_free(f);
    json_decref(u);
    return m;
}

static void test_operators(void **state)
{
    (void)state;
    assert_true(matches("userName eq \"bjensen\""));
    assert_true(matches("USERNAME eq \"BJensen\""));
    assert_false(matches("userName eq \"bjense\""));
    assert_true(matches("userName co \"jens\""));
    assert_true(matches("userName sw \"bj\""));
    assert_false(matches("userName sw \"jens\""));
    assert_true(matches("userName ew \"sen\""));
    assert_true(matches("userName ne \"other\""));
    assert_true(matches("name.familyName co \"O'Malley\""));
    assert_true(matches("emails co \"example.com\""));
    assert_true(matches("emails.value eq \"babs@jensen.org\""));
    assert_true(matches("title pr") == 0);
    assert_true(matches("name.givenName pr"));
    assert_true(matches("active eq true"));
    assert_true(matches("meta.x gt 2"));
    assert_true(matches("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"bjensen\""));
}

static void test_logic(void **state)
{
    (void)state;
    assert_true(matches("userName eq \"bjensen\" and name.givenName sw \"Bar\""));
    assert_false(matches("userName eq \"bjensen\" and name.givenName sw \"X\""));
    assert_true(matches("userName eq \"x\" or name.givenName sw \"Bar\""));
    assert_true(matches("not (userName eq \"x\")"));
    assert_true(matches("(userName eq \"x\" or userName eq \"bjensen\") and active eq true"));
    assert_true(matches("emails[type eq \"work\" and value co \"@example.com\"]"));
    /* both conditions must hold for the same element */
    assert_false(matches("emails[type eq \"home\" and value co \"@example.com\"]"));
    assert_true(matches("emails[type eq \"home\"] and userName sw \"b\""));
}

static void bad(const char *text, const char *msg)
{
    gh_err_t err = {0};
    gh_scim_filter_t *f = gh_scim_filter_parse(text, &err);

    assert_null(f);
    assert_int_equal(err.code, GH_E_INPUT);
    if (strstr(err.msg, msg) == NULL)
        fail_msg("'%s': expected '%s' in '%s'", text, msg, err.msg);
}

static void test_errors(void **state)
{
    (void)state;
    bad("", "expected an attribute name");
    bad("userName", "expected an operator");
    bad("userName eq", "expected a value");
    bad("userName zz \"a\"", "expected an operator");
    bad("userName eq \"a", "expected a value");
    bad("(userName eq \"a\"", "expected ')'");
    bad("userName eq \"a\" junk", "unexpected text");
    bad("userName eq {\"a\":1}", "expected a value");
    bad("emails[type eq \"work\"", "expected ']'");
    bad("not userName eq \"a\"", "expected '('");
}

static void test_deep_nesting_is_refused(void **state)
{
    char buf[300];
    int i;

    (void)state;
    for (i = 0; i < 100; ++i)
        buf[i] = '(';
    strcpy(buf + 100, "a eq 1");
    bad(buf, "nested too deeply");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_operators), cmocka_unit_test(test_logic),
                                       cmocka_unit_test(test_errors), cmocka_unit_test(test_deep_nesting_is_refused)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
