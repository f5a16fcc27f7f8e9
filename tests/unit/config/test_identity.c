/* identity/identity.xml: OAuth2 defaults and values, grant types, ID token issuer, class and reference
 * checks. */
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

static const char *const hash_classes[] = {
    "org.wso2.carbon.identity.oauth.tokenprocessor.HashingPersistenceProcessor", NULL};
static const gh_plugin_t fake_hash = {GH_FAMILY_TOKEN_PROCESSOR, "hash", hash_classes, NULL};

static int teardown(void **state)
{
    (void)state;
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    gh_registry_reset();
    return 0;
}

static int load_id(const char *oauth_body)
{
    char *text =
        gh_asprintf("<Server xmlns=\"http://wso2.org/projects/carbon/carbon.xml\">\n<OAuth>\n%s</OAuth>\n"
                    "</Server>\n",
                    oauth_body);
    int rc = fx_load_with("good/minimal", "identity/identity.xml", text, &c, &d);

    free(text);
    return rc;
}

static void test_defaults(void **state)
{
    const gh_conf_identity_t *id = &c.identity;

    (void)state;
    assert_int_equal(load_id(""), GH_OK);
    assert_string_equal(id->datasource, "jdbc/WSO2AM_DB"); /* default when JDBCPersistenceManager is absent */
    assert_int_equal(id->auth_code_validity_s, 300);
    assert_int_equal(id->app_token_validity_s, 3600);
    assert_int_equal(id->user_token_validity_s, 3600);
    assert_int_equal(id->refresh_token_validity_s, 84600);
    assert_int_equal(id->timestamp_skew_s, 0);
    assert_int_equal(id->renew_refresh_token, 1);
    assert_null(id->token_persistence_processor);
    assert_int_equal(id->enable_client_secret_hash, 1);
    assert_int_equal(id->client_secret_hash_set, 0);
    assert_int_equal(id->n_grant_types, 4);
    assert_string_equal(id->grant_types[0], "authorization_code");
    assert_string_equal(id->grant_types[3], "client_credentials");
    assert_null(id->grant_types[4]);
    assert_null(id->id_token_issuer);
    assert_int_equal(id->id_token_expiration_s, 3600);
    assert_string_equal(id->signature_algorithm, "SHA256withRSA");
    assert_int_equal(id->line, 1);
}

static void test_full_values(void **state)
{
    const gh_conf_identity_t *id = &c.identity;

    (void)state;
    assert_int_equal(gh_registry_add(&fake_hash, NULL), GH_OK);
    assert_int_equal(gh_conf_load(fx_data("good/full"), fx_data("good/full"), &c, &d), GH_OK);
    assert_int_equal(id->auth_code_validity_s, 120);
    assert_int_equal(id->app_token_validity_s, 7200);
    assert_int_equal(id->user_token_validity_s, 1800);
    assert_int_equal(id->refresh_token_validity_s, 86400);
    assert_int_equal(id->timestamp_skew_s, 30);
    assert_int_equal(id->renew_refresh_token, 0);
    assert_string_equal(id->token_persistence_processor,
                        "org.wso2.carbon.identity.oauth.tokenprocessor.HashingPersistenceProcessor");
    assert_int_equal(id->enable_client_secret_hash, 0);
    assert_int_equal(id->client_secret_hash_set, 1);
    assert_int_equal(id->n_grant_types, 2);
    assert_string_equal(id->grant_types[0], "password");
    assert_string_equal(id->grant_types[1], "client_credentials");
    assert_null(id->grant_types[2]);
    /* ${carbon.protocol}://${carbon.host}:${carbon.management.port} with HostName gw.example.com, Offset 2 */
    assert_string_equal(id->id_token_issuer, "https://gw.example.com:9445/oauth2/token");
    assert_int_equal(id->id_token_expiration_s, 600);
}

static void test_bad_values(void **state)
{
    (void)state;
    assert_int_equal(
        load_id(
            "<AuthorizationCodeDefaultValidityPeriod>0</AuthorizationCodeDefaultValidityPeriod>\n"
            "<TimestampSkew>-1</TimestampSkew>\n"
            "<EnableClientSecretHash>sometimes</EnableClientSecretHash>\n"
            "<SupportedGrantTypes>\n<SupportedGrantType>\n</SupportedGrantType>\n</SupportedGrantTypes>\n"),
        GH_ERR);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR,
                              "identity.xml:3: error: <OAuth/AuthorizationCodeDefaultValidityPeriod>: '0' is "
                              "not a whole number"),
                     1);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR, "identity.xml:4: error: <OAuth/TimestampSkew>: '-1'"), 1);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR,
                 "identity.xml:5: error: <EnableClientSecretHash>: 'sometimes' is not a boolean"),
        1);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR, "identity.xml:7: error: <GrantTypeName>: required element is missing"),
        1);
    assert_int_equal(d.n_errors, 4);
    assert_int_equal(c.identity.auth_code_validity_s, 300);
    assert_int_equal(c.identity.enable_client_secret_hash, 1);
    assert_int_equal(c.identity.n_grant_types, 0);
}

static void test_token_processor_class(void **state)
{
    (void)state;
    assert_int_equal(gh_registry_add(&fake_hash, NULL), GH_OK);
    assert_int_equal(load_id("<TokenPersistenceProcessor>org.wso2.carbon.identity.oauth.tokenprocessor."
                             "EncryptionDecryptionPersistenceProcessor</TokenPersistenceProcessor>\n"),
                     GH_ERR);
    assert_int_equal(
        fx_count(
            &d, GH_DIAG_ERROR,
            "identity.xml:3: error: <OAuth/TokenPersistenceProcessor>: unknown token-persistence-processor "
            "'org.wso2.carbon.identity.oauth.tokenprocessor.EncryptionDecryptionPersistenceProcessor'; "
            "known: hash"),
        1);
}

static void test_datasource_reference(void **state)
{
    (void)state;
    assert_int_equal(
        fx_load_with("good/minimal", "identity/identity.xml",
                     "<Server>\n<JDBCPersistenceManager>\n<DataSource>\n<Name>jdbc/IDENTITY</Name>\n"
                     "</DataSource>\n</JDBCPersistenceManager>\n</Server>\n",
                     &c, &d),
        GH_ERR);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR,
                              "identity/identity.xml:4: error: <JDBCPersistenceManager/DataSource/Name>: "
                              "datasource 'jdbc/IDENTITY' is not defined"),
                     1);
    assert_int_equal(d.n_errors, 1);
}

static void test_unknown_elements_warn(void **state)
{
    (void)state;
    assert_int_equal(load_id("<TokenCleanup/>\n<OAuth2TokenEPUrl>${carbon.protocol}://x</OAuth2TokenEPUrl>\n"
                             "<MyCustomKnob>1</MyCustomKnob>\n"),
                     GH_OK);
    assert_int_equal(d.n, 1);
    assert_int_equal(
        fx_count(&d, GH_DIAG_WARN,
                 "identity.xml:5: warning: <MyCustomKnob>: not used by Gatehouse (inside <OAuth>)"),
        1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_defaults, teardown),
        cmocka_unit_test_teardown(test_full_values, teardown),
        cmocka_unit_test_teardown(test_bad_values, teardown),
        cmocka_unit_test_teardown(test_token_processor_class, teardown),
        cmocka_unit_test_teardown(test_datasource_reference, teardown),
        cmocka_unit_test_teardown(test_unknown_elements_warn, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
