/* api-manager.xml: the gateway's view of the key manager, the backend JWT, caches and throttling. */
#include <arpa/inet.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf_int.h"
#include "gatehouse/registry.h"

#define F(field) offsetof(gh_conf_apim_t, field)

static const gh_xml_directive_t rows[] = {
    {"DataSourceName", GH_XML_STRING, F(datasource), 0, 0, NULL, 1},
    {"JWTConfiguration/EnableJWTGeneration", GH_XML_BOOL, F(jwt_enabled), 0, 0, "false", 0},
    {"JWTConfiguration/JWTHeader", GH_XML_STRING, F(jwt_header), 0, 0, "X-JWT-Assertion", 0},
    {"JWTConfiguration/ClaimsRetrieverImplClass", GH_XML_STRING, F(claims_retriever_class), 0, 0, NULL, 0},
    {"JWTConfiguration/ConsumerDialectURI", GH_XML_STRING, F(consumer_dialect), 0, 0,
     "http://wso2.org/claims", 0},
    {"JWTConfiguration/SignatureAlgorithm", GH_XML_STRING, F(jwt_signature_algorithm), 0, 0, "SHA256withRSA",
     0},
    {"JWTConfiguration/JWTGeneratorImpl", GH_XML_STRING, F(jwt_generator_class), 0, 0, NULL, 0},
    {"APIKeyValidator/JWTExpiryTime", GH_XML_INT, F(jwt_expiry_s), 1, INT_MAX, "900", 0},
    {"AuthManager/ServerURL", GH_XML_STRING, F(auth_manager_url), 0, 0, NULL, 0},
    {"AuthManager/Username", GH_XML_STRING, F(auth_manager_user), 0, 0, NULL, 0},
    {"AuthManager/Password", GH_XML_STRING, F(auth_manager_password), 0, 0, NULL, 0},
    {"APIKeyValidator/ServerURL", GH_XML_STRING, F(key_validator_url), 0, 0, NULL, 0},
    {"APIKeyValidator/Username", GH_XML_STRING, F(key_validator_user), 0, 0, NULL, 0},
    {"APIKeyValidator/Password", GH_XML_STRING, F(key_validator_password), 0, 0, NULL, 0},
    {"APIKeyValidator/KeyValidatorClientType", GH_XML_STRING, F(key_validator_client_type), 0, 0,
     "ThriftClient", 0},
    {"APIKeyValidator/KeyValidationHandlerClassName", GH_XML_STRING, F(key_validation_handler_class), 0, 0,
     NULL, 0},
    {"CacheConfigurations/EnableGatewayTokenCache", GH_XML_BOOL, F(gateway_token_cache), 0, 0, "true", 0},
    {"CacheConfigurations/EnableGatewayResourceCache", GH_XML_BOOL, F(gateway_resource_cache), 0, 0, "true",
     0},
    {"CacheConfigurations/EnableKeyManagerTokenCache", GH_XML_BOOL, F(km_token_cache), 0, 0, "false", 0},
    {"CacheConfigurations/TokenCacheExpiry", GH_XML_INT, F(token_cache_expiry_s), 1, INT_MAX, "900", 0},
    {"CacheConfigurations/JWTClaimCacheExpiry", GH_XML_INT, F(jwt_claim_cache_expiry_s), 1, INT_MAX, "900",
     0},
    {"OAuthConfigurations/ApplicationTokenScope", GH_XML_STRING, F(application_token_scope), 0, 0,
     "am_application_scope", 0},
    {"OAuthConfigurations/TokenEndPointName", GH_XML_STRING, F(token_endpoint_name), 0, 0, "/oauth2/token",
     0},
    {"OAuthConfigurations/RevokeAPIURL", GH_XML_STRING, F(revoke_api_url), 0, 0, NULL, 0},
    {"OAuthConfigurations/EnableTokenHashMode", GH_XML_BOOL, F(enable_token_hash_mode), 0, 0, "false", 0},
    {"ThrottlingConfigurations/EnableAdvanceThrottling", GH_XML_BOOL, F(advance_throttling), 0, 0, "true", 0},
    {"ThrottlingConfigurations/BlockCondition/Enabled", GH_XML_BOOL, F(block_conditions), 0, 0, "true", 0},
    {"ThrottlingConfigurations/BlockCondition/TrustedProxies", GH_XML_STRING, F(trusted_proxies), 0, 0, NULL, 0},
    {"ThrottlingConfigurations/EnableUnlimitedTier", GH_XML_BOOL, F(unlimited_tier), 0, 0, "true", 0},
    {"OAuthConfigurations/RemoveOAuthHeadersFromOutMessage", GH_XML_BOOL, F(remove_oauth_headers), 0, 0, "true", 0},
    {"CORSConfiguration/Enabled", GH_XML_BOOL, F(cors_enabled), 0, 0, "true", 0},
    {"CORSConfiguration/Access-Control-Allow-Origins", GH_XML_STRING, F(cors_origins), 0, 0, "*", 0},
    {"CORSConfiguration/Access-Control-Allow-Methods", GH_XML_STRING, F(cors_methods), 0, 0,
     "GET,PUT,POST,DELETE,PATCH,OPTIONS", 0},
    {"CORSConfiguration/Access-Control-Allow-Headers", GH_XML_STRING, F(cors_headers), 0, 0,
     "authorization,Access-Control-Allow-Origin,Content-Type,SOAPAction", 0},
    {"CORSConfiguration/Access-Control-Allow-Credentials", GH_XML_BOOL, F(cors_credentials), 0, 0, "false", 0},
};

/* Children of <APIManager> in stock 2.x files: accepted silently (Analytics, Thrift, JMS, portals' UI knobs
 * and workflows are features Gatehouse does not have or configures elsewhere). */
static const char *const known_root[] = {"DataSourceName",
                                         "GatewayType",
                                         "EnableSecureVault",
                                         "AuthManager",
                                         "JWTConfiguration",
                                         "APIGateway",
                                         "CacheConfigurations",
                                         "Analytics",
                                         "APIKeyValidator",
                                         "APIKeyManager",
                                         "OAuthConfigurations",
                                         "TierManagement",
                                         "APIStore",
                                         "APIPublisher",
                                         "CORSConfiguration",
                                         "RESTAPI",
                                         "ThrottlingConfigurations",
                                         "WorkflowConfigurations",
                                         "SwaggerCodegen",
                                         "LoginConfig",
                                         "ExternalAPIStores",
                                         "Monetization",
                                         "SwaggerCodegenConfigurations",
                                         "ContainerMgt",
                                         "ApplicationConfiguration",
                                         "MediationConfigurations",
                                         NULL};
/* the children of the root element Gatehouse reads; the other known ones are listed once as ignored */
static const char *const used_root[] = {"DataSourceName", "AuthManager", "JWTConfiguration", "CacheConfigurations", "APIKeyValidator",
                                        "OAuthConfigurations", "TierManagement", "ThrottlingConfigurations", "CORSConfiguration", NULL};


static const char *const known_jwt[] = {"EnableJWTGeneration",
                                        "JWTHeader",
                                        "ClaimsRetrieverImplClass",
                                        "ConsumerDialectURI",
                                        "SignatureAlgorithm",
                                        "JWTGeneratorImpl",
                                        "EnableUserClaims",
                                        "GatewayJWTGeneratorImpl",
                                        NULL};

/* NULL when every entry of the list is an IPv4 / IPv6 address or network (10.0.0.0/8), else the first bad entry */
static const char *bad_address(const char *list, char *buf, size_t size)
{
    const char *p = list;
    unsigned char addr[16];

    while (p != NULL && *p != '\0') {
        size_t l = strcspn(p, ", \t\n");
        if (l > 0) {
            char *slash, *end;
            long bits = 0;
            int v4;
            snprintf(buf, size, "%.*s", (int)l, p);
            if (l >= size || l >= 64) /* longer than any address or network */
                return buf;
            if ((slash = strchr(buf, '/')) != NULL)
                *slash = '\0';
            v4 = inet_pton(AF_INET, buf, addr) == 1;
            if (!v4 && inet_pton(AF_INET6, buf, addr) != 1)
                return snprintf(buf, size, "%.*s", (int)l, p), buf;
            if (slash != NULL && (slash[1] == '\0' || (bits = strtol(slash + 1, &end, 10)) < 0 || *end != '\0' ||
                                  bits > (v4 ? 32 : 128)))
                return snprintf(buf, size, "%.*s", (int)l, p), buf;
        }
        p += l;
        p += strspn(p, ", \t\n");
    }
    return NULL;
}

static void check_values(gh_xml_doc_t *x, const gh_conf_apim_t *a)
{
    const char *alg = a->jwt_signature_algorithm, *ct = a->key_validator_client_type, *bad;
    char buf[80];

    if (alg != NULL && strcmp(alg, "SHA256withRSA") != 0 && strcmp(alg, "NONE") != 0)
        gh_xml_error(x, gh_xml_find(x->root, "JWTConfiguration/SignatureAlgorithm"),
                     "JWTConfiguration/SignatureAlgorithm",
                     "'%s' is not supported; use SHA256withRSA or NONE", alg);
    if (ct != NULL && strcmp(ct, "WSClient") != 0 && strcmp(ct, "ThriftClient") != 0)
        gh_xml_error(x, gh_xml_find(x->root, "APIKeyValidator/KeyValidatorClientType"),
                     "APIKeyValidator/KeyValidatorClientType", "'%s' is not WSClient or ThriftClient", ct);
    if (a->trusted_proxies != NULL && (bad = bad_address(a->trusted_proxies, buf, sizeof(buf))) != NULL)
        gh_xml_error(x, gh_xml_find(x->root, "ThrottlingConfigurations/BlockCondition/TrustedProxies"),
                     "ThrottlingConfigurations/BlockCondition/TrustedProxies",
                     "'%s' is not an IP address or network (10.0.0.0/8)", bad);
}

static void check_classes(gh_xml_doc_t *x, const gh_conf_apim_t *a)
{
    gh_conf_check_class(x, gh_xml_find(x->root, "JWTConfiguration/ClaimsRetrieverImplClass"),
                        "JWTConfiguration/ClaimsRetrieverImplClass", GH_FAMILY_CLAIMS,
                        a->claims_retriever_class);
    gh_conf_check_class(x, gh_xml_find(x->root, "JWTConfiguration/JWTGeneratorImpl"),
                        "JWTConfiguration/JWTGeneratorImpl", GH_FAMILY_JWT_GENERATOR, a->jwt_generator_class);
    gh_conf_check_class(x, gh_xml_find(x->root, "APIKeyValidator/KeyValidationHandlerClassName"),
                        "APIKeyValidator/KeyValidationHandlerClassName", GH_FAMILY_KEY_VALIDATION,
                        a->key_validation_handler_class);
}

void gh_conf_apim_load(gh_conf_ctx_t *c)
{
    gh_xml_doc_t x;
    gh_conf_apim_t *a = &c->conf->apim;
    const xmlNode *n;
    int unlimited;

    if (gh_conf_open(c, &x, "api-manager.xml", "APIManager", 1) != 1) return;
    a->line = (int)xmlGetLineNo(x.root);
    gh_xml_apply(&x, x.root, rows, GH_ARRAY_SIZE(rows), a);
    gh_xml_warn_unknown(&x, x.root, known_root);
    gh_xml_note_unused(&x, x.root, known_root, used_root);
    if ((n = gh_xml_child(x.root, "JWTConfiguration")) != NULL) gh_xml_warn_unknown(&x, n, known_jwt);
    /* 2.x moved EnableUnlimitedTier from <TierManagement> to <ThrottlingConfigurations>; the newer one wins
     */
    if (gh_xml_find(x.root, "ThrottlingConfigurations/EnableUnlimitedTier") == NULL &&
        gh_xml_get_bool(&x, x.root, "TierManagement/EnableUnlimitedTier", GH_XML_OPTIONAL, &unlimited) == 1)
        a->unlimited_tier = unlimited;
    /* API Manager 2.6's stock file spells it Access-Control-Allow-Origin (one origin list, comma-separated);
     * later versions Access-Control-Allow-Origins: both are read, the 2.6 spelling wins when both are there */
    gh_xml_get_str(&x, x.root, "CORSConfiguration/Access-Control-Allow-Origin", GH_XML_OPTIONAL, &a->cors_origins);
    check_values(&x, a);
    check_classes(&x, a);
    n = gh_xml_child(x.root, "DataSourceName");
    if (a->datasource != NULL)
        gh_conf_add_ref(c, x.file, n != NULL ? (int)xmlGetLineNo(n) : a->line, "DataSourceName",
                        a->datasource);
    gh_xml_close(&x);
}
