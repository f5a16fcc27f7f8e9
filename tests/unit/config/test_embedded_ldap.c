/* identity/embedded-ldap.xml: absent or disabled is fine; enabled is an error that says how to turn it off.
 */
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

static gh_conf_t c;
static gh_diag_list_t d;

static int teardown(void **state)
{
    (void)state;
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    return 0;
}

static int load_ldap(const char *text)
{
    return fx_load_with("good/minimal", "identity/embedded-ldap.xml", text, &c, &d);
}

static void test_absent(void **state)
{
    (void)state;
    assert_int_equal(gh_conf_load(fx_data("good/minimal"), NULL, &c, &d), GH_OK);
    assert_int_equal(c.embedded_ldap.present, 0);
    assert_int_equal(c.embedded_ldap.enabled, 0);
}

static void test_disabled(void **state)
{
    (void)state;
    assert_int_equal(
        load_ldap("<EmbeddedLDAPConfig>\n<EmbeddedLDAP>\n<Property name=\"enable\">FALSE</Property>\n"
                  "<Property name=\"port\">${Ports.EmbeddedLDAP.LDAPServerPort}</Property>\n</EmbeddedLDAP>\n"
                  "<DefaultPartition/>\n<KDCServer/>\n</EmbeddedLDAPConfig>\n"),
        GH_OK);
    assert_int_equal(d.n, 0);
    assert_int_equal(c.embedded_ldap.present, 1);
    assert_int_equal(c.embedded_ldap.enabled, 0);
    assert_int_equal(c.embedded_ldap.line, 1);
}

static void test_enabled_is_an_error(void **state)
{
    (void)state;
    assert_int_equal(
        load_ldap("<EmbeddedLDAPConfig>\n<EmbeddedLDAP>\n<Property name=\"instanceId\">default</Property>\n"
                  "<Property name=\"enable\">true</Property>\n</EmbeddedLDAP>\n</EmbeddedLDAPConfig>\n"),
        GH_ERR);
    assert_int_equal(d.n_errors, 1);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR,
                              "identity/embedded-ldap.xml:4: error: <Property name=\"enable\">: the embedded "
                              "LDAP server is enabled, but Gatehouse ships no LDAP server"),
                     1);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR,
                              "set <Property name=\"enable\">false</Property> in identity/embedded-ldap.xml, "
                              "or delete the file"),
                     1);
    assert_int_equal(c.embedded_ldap.enabled, 1);
    assert_int_equal(c.embedded_ldap.line, 4);
}

static void test_bad_values_and_shapes(void **state)
{
    (void)state;
    assert_int_equal(
        load_ldap("<EmbeddedLDAPConfig>\n<EmbeddedLDAP>\n<Property name=\"enable\">perhaps</Property>\n"
                  "</EmbeddedLDAP>\n</EmbeddedLDAPConfig>\n"),
        GH_ERR);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR,
                 "embedded-ldap.xml:3: error: <Property name=\"enable\">: 'perhaps' is not a boolean"),
        1);
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    /* no <EmbeddedLDAP> at all: ApacheDS's own default is off */
    assert_int_equal(load_ldap("<EmbeddedLDAPConfig/>\n"), GH_OK);
    assert_int_equal(c.embedded_ldap.present, 1);
    assert_int_equal(c.embedded_ldap.enabled, 0);
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    assert_int_equal(load_ldap("<LDAP/>\n"), GH_ERR);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR,
                 "embedded-ldap.xml:1: error: <LDAP>: the root element must be <EmbeddedLDAPConfig>"),
        1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_absent, teardown),
        cmocka_unit_test_teardown(test_disabled, teardown),
        cmocka_unit_test_teardown(test_enabled_is_an_error, teardown),
        cmocka_unit_test_teardown(test_bad_values_and_shapes, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
