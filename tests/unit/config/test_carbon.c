/* carbon.xml: host names, port offset, key store (PEM accepted, JKS warned, bad types refused). */
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

static gh_conf_t c;
static gh_diag_list_t d;

static int teardown(void **state)
{
    (void)state;
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    return 0;
}

static char *carbon_with(const char *inside_server)
{
    return gh_asprintf("<Server xmlns=\"http://wso2.org/projects/carbon/carbon.xml\">\n%s</Server>\n",
                       inside_server);
}

static int load_carbon(const char *inside_server)
{
    char *text = carbon_with(inside_server);
    int rc = fx_load_with("good/minimal", "carbon.xml", text, &c, &d);

    free(text);
    return rc;
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(load_carbon(""), GH_OK);
    assert_string_equal(c.carbon.host_name, "localhost");
    assert_string_equal(c.carbon.mgt_host_name, "localhost");
    assert_int_equal(c.carbon.port_offset, 0);
    assert_null(c.carbon.keystore_location);
    assert_null(c.carbon.key_file);
    assert_null(c.carbon.cert_file);
    assert_int_equal(c.carbon.line, 1);
}

static void test_full(void **state)
{
    (void)state;
    assert_int_equal(gh_conf_load(fx_data("good/full"), fx_data("good/full"), &c, &d), GH_OK);
    assert_string_equal(c.carbon.host_name, "gw.example.com");
    assert_string_equal(c.carbon.mgt_host_name, "mgt.example.com");
    assert_int_equal(c.carbon.port_offset, 2);
    assert_string_equal(c.carbon.keystore_type, "PEM");
    assert_string_equal(c.carbon.key_alias, "gatehouse");
    assert_string_equal(c.carbon.key_file, fx_data("good/full/security/key.pem"));
    assert_string_equal(c.carbon.cert_file, fx_data("good/full/security/cert.pem"));
}

static void test_jks_warns_and_leaves_keys_unset(void **state)
{
    (void)state;
    assert_int_equal(
        load_carbon("<Security>\n<KeyStore>\n"
                    "<Location>${carbon.home}/repository/resources/security/wso2carbon.jks</Location>\n"
                    "<Type>JKS</Type><Password>wso2carbon</Password><KeyAlias>wso2carbon</KeyAlias>\n"
                    "</KeyStore>\n</Security>\n"),
        GH_OK);
    assert_int_equal(d.n_warnings, 1);
    assert_int_equal(fx_count(&d, GH_DIAG_WARN, "carbon.xml:4: warning: <KeyStore>: Gatehouse needs PEM"), 1);
    assert_int_equal(fx_count(&d, GH_DIAG_WARN,
                              "keytool -importkeystore -srckeystore wso2carbon.jks -destkeystore "
                              "k.p12 -deststoretype PKCS12"),
                     1);
    assert_int_equal(fx_count(&d, GH_DIAG_WARN, "openssl pkcs12 -in k.p12 -nodes -out key.pem"), 1);
    assert_int_equal(fx_count(&d, GH_DIAG_WARN, "self-signed pair is generated instead"), 1);
    assert_string_equal(c.carbon.keystore_location, "/tmp/repository/resources/security/wso2carbon.jks");
    assert_null(c.carbon.key_file);
    assert_null(c.carbon.cert_file);
    assert_string_equal(c.carbon.key_alias, "wso2carbon");
}

static void test_pem_location_is_key_and_cert(void **state)
{
    char *inner =
        gh_asprintf("<Security><KeyStore><Location>%s</Location><Type>PEM</Type></KeyStore></Security>\n",
                    fx_data("good/full/security/key.pem"));

    (void)state;
    assert_int_equal(load_carbon(inner), GH_OK);
    assert_int_equal(d.n, 0);
    assert_string_equal(c.carbon.key_file, fx_data("good/full/security/key.pem"));
    assert_string_equal(c.carbon.cert_file, c.carbon.key_file);
    free(inner);
}

static void test_pem_problems(void **state)
{
    (void)state;
    assert_int_equal(load_carbon("<Security>\n<KeyStore>\n<Type>PEM</Type>\n"
                                 "<KeyFile>/nonexistent/key.pem</KeyFile>\n</KeyStore>\n</Security>\n"),
                     GH_ERR);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR, "carbon.xml:3: error: <KeyStore>: <KeyFile> and <CertFile> go together"),
        1);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR,
                 "carbon.xml:5: error: <KeyStore/KeyFile>: cannot read the PEM file /nonexistent/key.pem"),
        1);
    assert_int_equal(d.n_errors, 2);
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    assert_int_equal(load_carbon("<Security><KeyStore><Type>PEM</Type></KeyStore></Security>\n"), GH_ERR);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR, "a PEM key store needs <Location>"), 1);
}

static void test_unknown_type_and_offset_range(void **state)
{
    (void)state;
    assert_int_equal(
        load_carbon("<Ports>\n<Offset>1001</Offset>\n</Ports>\n<Security><KeyStore>\n<Type>BKS</Type>\n"
                    "</KeyStore></Security>\n"),
        GH_ERR);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR,
                 "carbon.xml:3: error: <Ports/Offset>: '1001' is not a whole number between 0 and 1000"),
        1);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR, "carbon.xml:6: error: <KeyStore/Type>: 'BKS' is not a key store type"),
        1);
    assert_int_equal(c.carbon.port_offset, 0);
}

static void test_unknown_element_warns(void **state)
{
    (void)state;
    assert_int_equal(load_carbon("<Name>x</Name>\n<Tenant/>\n<Frobnicate>1</Frobnicate>\n"), GH_OK);
    /* the unknown element on its own line; the stock-but-unused <Tenant> in the one summary line */
    assert_int_equal(d.n, 2);
    assert_int_equal(fx_count(&d, GH_DIAG_WARN, "carbon.xml:4: warning: <Frobnicate>: not used by Gatehouse"),
                     1);
    assert_int_equal(fx_count(&d, GH_DIAG_WARN, "read by WSO2 but not used by Gatehouse, ignored: Tenant"), 1);
}

static void test_wrong_root(void **state)
{
    (void)state;
    assert_int_equal(fx_load_with("good/minimal", "carbon.xml", "<UserManager/>", &c, &d), GH_ERR);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR, "carbon.xml:1: error: <UserManager>: the root element must be <Server>"),
        1);
}

/* The offset and host name flow into ${...} of the later files. */
static void test_offset_feeds_variables(void **state)
{
    (void)state;
    assert_int_equal(load_carbon("<HostName>h.example</HostName>\n<Ports><Offset>10</Offset></Ports>\n"),
                     GH_OK);
    assert_int_equal(c.carbon.port_offset, 10);
    assert_string_equal(c.apim.key_validator_url, "https://localhost:9453/services/");
    assert_string_equal(c.carbon.mgt_host_name, "h.example");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_defaults, teardown),
        cmocka_unit_test_teardown(test_full, teardown),
        cmocka_unit_test_teardown(test_jks_warns_and_leaves_keys_unset, teardown),
        cmocka_unit_test_teardown(test_pem_location_is_key_and_cert, teardown),
        cmocka_unit_test_teardown(test_pem_problems, teardown),
        cmocka_unit_test_teardown(test_unknown_type_and_offset_range, teardown),
        cmocka_unit_test_teardown(test_unknown_element_warns, teardown),
        cmocka_unit_test_teardown(test_wrong_root, teardown),
        cmocka_unit_test_teardown(test_offset_feeds_variables, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
