/* api-manager.xml: defaults, every value, variables from other files, value and class checks. */
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

static const char *const claims_classes[] = {"org.wso2.carbon.apimgt.impl.token.DefaultClaimsRetriever",
                                             NULL};
static const gh_plugin_t fake_claims = {GH_FAMILY_CLAIMS, "default", claims_classes, NULL};
static const char *const jwt_classes[] = {"org.wso2.carbon.apimgt.keymgt.token.JWTGenerator", NULL};
static const gh_plugin_t fake_jwt = {GH_FAMILY_JWT_GENERATOR, "jwt", jwt_classes, NULL};
static const char *const kv_classes[] = {"org.wso2.carbon.apimgt.keymgt.handlers.DefaultKeyValidationHandler",
                                         NULL};
static const gh_plugin_t fake_kv = {GH_FAMILY_KEY_VALIDATION, "default", kv_classes, NULL};

static int teardown(void **state)
{
    (void)state;
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    gh_registry_reset();
    return 0;
}

static int load_am(const char *body)
{
    char *text =
        gh_asprintf("<APIManager>\n<DataSourceName>jdbc/WSO2AM_DB</DataSourceName>\n%s</APIManager>\n", body);
    int rc = fx_load_with("good/minimal", "api-manager.xml", text, &c, &d);

    free(text);
    return rc;
}

static void test_defaults(void **state)
{
    const gh_conf_apim_t *a = &c.apim;

    (void)state;
    assert_int_equal(load_am(""), GH_OK);
    assert_int_equal(d.n, 0);
    assert_string_equal(a->datasource, "jdbc/WSO2AM_DB");
    assert_int_equal(a->jwt_enabled, 0);
    assert_string_equal(a->jwt_header, "X-JWT-Assertion");
    assert_null(a->claims_retriever_class);
    assert_string_equal(a->consumer_dialect, "http://wso2.org/claims");
    assert_string_equal(a->jwt_signature_algorithm, "SHA256withRSA");
    assert_null(a->jwt_generator_class);
    assert_int_equal(a->jwt_expiry_s, 900);
    assert_null(a->auth_manager_url);
    assert_null(a->key_validator_url);
    assert_string_equal(a->key_validator_client_type, "ThriftClient");
    assert_int_equal(a->gateway_token_cache, 1);
    assert_int_equal(a->gateway_resource_cache, 1);
    assert_int_equal(a->km_token_cache, 0);
    assert_int_equal(a->token_cache_expiry_s, 900);
    assert_int_equal(a->jwt_claim_cache_expiry_s, 900);
    assert_string_equal(a->application_token_scope, "am_application_scope");
    assert_string_equal(a->token_endpoint_name, "/oauth2/token");
    assert_null(a->revoke_api_url);
    assert_int_equal(a->enable_token_hash_mode, 0);
    assert_int_equal(a->advance_throttling, 1);
    assert_int_equal(a->unlimited_tier, 1);
    assert_int_equal(a->block_conditions, 1);
    assert_null(a->trusted_proxies);
    assert_int_equal(a->line, 1);
}

static void test_full_values(void **state)
{
    const gh_conf_apim_t *a = &c.apim;

    (void)state;
    assert_int_equal(gh_registry_add(&fake_claims, NULL), GH_OK);
    assert_int_equal(gh_registry_add(&fake_jwt, NULL), GH_OK);
    assert_int_equal(gh_registry_add(&fake_kv, NULL), GH_OK);
    assert_int_equal(gh_conf_load(fx_data("good/full"), fx_data("good/full"), &c, &d), GH_OK);
    assert_int_equal(a->jwt_enabled, 1);
    assert_string_equal(a->jwt_header, "X-Backend-JWT");
    assert_string_equal(a->claims_retriever_class,
                        "org.wso2.carbon.apimgt.impl.token.DefaultClaimsRetriever");
    assert_string_equal(a->jwt_signature_algorithm, "NONE");
    assert_string_equal(a->jwt_generator_class, "org.wso2.carbon.apimgt.keymgt.token.JWTGenerator");
    assert_int_equal(a->jwt_expiry_s, 600);
    assert_string_equal(a->key_validator_url, "https://km.example.com:9445/services/");
    assert_string_equal(a->key_validator_user, "kvuser");
    assert_string_equal(a->key_validator_password, "kvpass");
    assert_string_equal(a->key_validator_client_type, "WSClient");
    assert_string_equal(a->key_validation_handler_class,
                        "org.wso2.carbon.apimgt.keymgt.handlers.DefaultKeyValidationHandler");
    assert_int_equal(a->gateway_token_cache, 0);
    assert_int_equal(a->gateway_resource_cache, 0);
    assert_int_equal(a->km_token_cache, 1);
    assert_int_equal(a->token_cache_expiry_s, 300);
    assert_int_equal(a->jwt_claim_cache_expiry_s, 120);
    assert_string_equal(a->application_token_scope, "app_scope");
    assert_string_equal(a->token_endpoint_name, "/token");
    assert_string_equal(a->revoke_api_url, "https://gw.example.com:8245/revoke");
    assert_int_equal(a->enable_token_hash_mode, 1);
    assert_int_equal(a->advance_throttling, 0);
    assert_int_equal(a->unlimited_tier, 0);
}

/* <TierManagement><EnableUnlimitedTier> (older files) counts unless ThrottlingConfigurations says it. */
static void test_unlimited_tier_sources(void **state)
{
    (void)state;
    assert_int_equal(
        load_am("<TierManagement><EnableUnlimitedTier>false</EnableUnlimitedTier></TierManagement>\n"),
        GH_OK);
    assert_int_equal(c.apim.unlimited_tier, 0);
    gh_conf_dispose(&c);
    gh_diag_dispose(&d);
    assert_int_equal(
        load_am("<TierManagement><EnableUnlimitedTier>false</EnableUnlimitedTier></TierManagement>\n"
                "<ThrottlingConfigurations><EnableUnlimitedTier>true</EnableUnlimitedTier>"
                "</ThrottlingConfigurations>\n"),
        GH_OK);
    assert_int_equal(c.apim.unlimited_tier, 1);
}

static void test_classes_checked_per_family(void **state)
{
    (void)state;
    assert_int_equal(gh_registry_add(&fake_claims, NULL), GH_OK);
    assert_int_equal(gh_registry_add(&fake_kv, NULL), GH_OK);
    assert_int_equal(
        load_am(
            "<JWTConfiguration>\n<ClaimsRetrieverImplClass>com.example.Claims</ClaimsRetrieverImplClass>\n"
            "<JWTGeneratorImpl>com.example.NotCheckedGenerator</JWTGeneratorImpl>\n</JWTConfiguration>\n"
            "<APIKeyValidator>\n<KeyValidationHandlerClassName>com.example.Kv</"
            "KeyValidationHandlerClassName>\n"
            "</APIKeyValidator>\n"),
        GH_ERR);
    assert_int_equal(
        fx_count(
            &d, GH_DIAG_ERROR,
            "api-manager.xml:4: error: <JWTConfiguration/ClaimsRetrieverImplClass>: unknown claims-retriever "
            "'com.example.Claims'; known: default, org.wso2.carbon.apimgt.impl.token.DefaultClaimsRetriever"),
        1);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR,
                              "api-manager.xml:8: error: <APIKeyValidator/KeyValidationHandlerClassName>: "
                              "unknown key-validation-client 'com.example.Kv'"),
                     1);
    assert_int_equal(d.n_errors, 2); /* no jwt-generator registered: not checked */
}

static void test_bad_values(void **state)
{
    (void)state;
    assert_int_equal(
        load_am(
            "<JWTConfiguration>\n<EnableJWTGeneration>on</EnableJWTGeneration>\n"
            "<SignatureAlgorithm>RS512</SignatureAlgorithm>\n</JWTConfiguration>\n"
            "<CacheConfigurations>\n<JWTClaimCacheExpiry>-5</JWTClaimCacheExpiry>\n</CacheConfigurations>\n"
            "<Bogus/>\n"),
        GH_ERR);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR,
                 "api-manager.xml:4: error: <JWTConfiguration/EnableJWTGeneration>: 'on' is not a boolean"),
        1);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR,
                 "api-manager.xml:5: error: <JWTConfiguration/SignatureAlgorithm>: 'RS512' is not supported"),
        1);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR,
                              "api-manager.xml:8: error: <CacheConfigurations/JWTClaimCacheExpiry>: '-5'"),
                     1);
    assert_int_equal(
        fx_count(&d, GH_DIAG_WARN, "api-manager.xml:10: warning: <Bogus>: not used by Gatehouse"), 1);
    assert_int_equal(d.n_errors, 3);
}

static void test_datasource_reference(void **state)
{
    (void)state;
    assert_int_equal(
        fx_load_with("good/minimal", "api-manager.xml",
                     "<APIManager>\n\n<DataSourceName>jdbc/WSO2AM</DataSourceName>\n</APIManager>\n", &c, &d),
        GH_ERR);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR,
                 "api-manager.xml:3: error: <DataSourceName>: datasource 'jdbc/WSO2AM' is not defined"),
        1);
    assert_int_equal(
        fx_count(&d, GH_DIAG_ERROR, "known: jdbc/WSO2CarbonDB (WSO2_CARBON_DB), jdbc/WSO2AM_DB (WSO2AM_DB)"),
        1);
}

/* API Manager 2.6's stock file says Access-Control-Allow-Origin; later files Access-Control-Allow-Origins */
static void test_cors_origin_spellings(void **state)
{
    (void)state;
    assert_int_equal(load_am(""), GH_OK);
    assert_string_equal(c.apim.cors_origins, "*");
    teardown(NULL);
    assert_int_equal(load_am("<CORSConfiguration><Enabled>true</Enabled>"
                             "<Access-Control-Allow-Origin>https://a.example, https://b.example</Access-Control-Allow-Origin>"
                             "</CORSConfiguration>\n"),
                     GH_OK);
    assert_int_equal(d.n, 0);
    assert_string_equal(c.apim.cors_origins, "https://a.example, https://b.example");
    teardown(NULL);
    assert_int_equal(load_am("<CORSConfiguration><Access-Control-Allow-Origins>https://c.example"
                             "</Access-Control-Allow-Origins></CORSConfiguration>\n"),
                     GH_OK);
    assert_string_equal(c.apim.cors_origins, "https://c.example");
}

/* WSO2's BlockCondition/Enabled, and Gatehouse's TrustedProxies: every entry an address or a network */
static void test_block_condition(void **state)
{
    (void)state;
    assert_int_equal(load_am("<ThrottlingConfigurations><BlockCondition><Enabled>false</Enabled>"
                             "<TrustedProxies>10.0.0.0/8, 192.168.1.7 ,fd00::/8</TrustedProxies>"
                             "</BlockCondition></ThrottlingConfigurations>\n"),
                     GH_OK);
    assert_int_equal(d.n, 0);
    assert_int_equal(c.apim.block_conditions, 0);
    assert_string_equal(c.apim.trusted_proxies, "10.0.0.0/8, 192.168.1.7 ,fd00::/8");
    teardown(NULL);
    assert_int_equal(load_am("<ThrottlingConfigurations>\n<BlockCondition>\n"
                             "<TrustedProxies>10.0.0.1, lb.example</TrustedProxies>\n"
                             "</BlockCondition></ThrottlingConfigurations>\n"),
                     GH_ERR);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR,
                              "api-manager.xml:5: error: <ThrottlingConfigurations/BlockCondition/TrustedProxies>: "
                              "'lb.example' is not an IP address or network"),
                     1);
    teardown(NULL);
    assert_int_equal(load_am("<ThrottlingConfigurations><BlockCondition>"
                             "<TrustedProxies>10.0.0.0/33</TrustedProxies>"
                             "</BlockCondition></ThrottlingConfigurations>\n"),
                     GH_ERR);
    assert_int_equal(fx_count(&d, GH_DIAG_ERROR, "'10.0.0.0/33' is not an IP address or network"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_defaults, teardown),
        cmocka_unit_test_teardown(test_full_values, teardown),
        cmocka_unit_test_teardown(test_unlimited_tier_sources, teardown),
        cmocka_unit_test_teardown(test_classes_checked_per_family, teardown),
        cmocka_unit_test_teardown(test_bad_values, teardown),
        cmocka_unit_test_teardown(test_datasource_reference, teardown),
        cmocka_unit_test_teardown(test_cors_origin_spellings, teardown),
        cmocka_unit_test_teardown(test_block_condition, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
