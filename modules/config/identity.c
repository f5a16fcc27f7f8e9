/* identity/identity.xml: the OAuth2 key manager (token lifetimes, grant types, token storage, ID tokens). */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "conf_int.h"
#include "gatehouse/mem.h"
#include "gatehouse/registry.h"

#define F(field) offsetof(gh_conf_identity_t, field)

static const gh_xml_directive_t rows[] = {
    {"JDBCPersistenceManager/DataSource/Name", GH_XML_STRING, F(datasource), 0, 0, "jdbc/WSO2AM_DB", 0},
    {"OAuth/AuthorizationCodeDefaultValidityPeriod", GH_XML_INT, F(auth_code_validity_s), 1, INT_MAX, "300",
     0},
    {"OAuth/AccessTokenDefaultValidityPeriod", GH_XML_INT, F(app_token_validity_s), 1, INT_MAX, "3600", 0},
    {"OAuth/UserAccessTokenDefaultValidityPeriod", GH_XML_INT, F(user_token_validity_s), 1, INT_MAX, "3600",
     0},
    {"OAuth/RefreshTokenValidityPeriod", GH_XML_INT, F(refresh_token_validity_s), 1, INT_MAX, "84600", 0},
    {"OAuth/TimestampSkew", GH_XML_INT, F(timestamp_skew_s), 0, 86400, "0", 0},
    {"OAuth/RenewRefreshTokenForRefreshGrant", GH_XML_BOOL, F(renew_refresh_token), 0, 0, "true", 0},
    {"OAuth/TokenPersistenceProcessor", GH_XML_STRING, F(token_persistence_processor), 0, 0, NULL, 0},
    {"OAuth/OpenIDConnect/IDTokenIssuerID", GH_XML_STRING, F(id_token_issuer), 0, 0, NULL, 0},
    {"OAuth/OpenIDConnect/IDTokenExpiration", GH_XML_INT, F(id_token_expiration_s), 1, INT_MAX, "3600", 0},
    {"OAuth/OpenIDConnect/SignatureAlgorithm", GH_XML_STRING, F(signature_algorithm), 0, 0, "SHA256withRSA",
     0},
};

/* Children of <Server> in stock identity.xml files (API Manager and Identity Server): accepted silently. */
static const char *const known_root[] = {"JDBCPersistenceManager",
                                         "TimeConfig",
                                         "Security",
                                         "Identity",
                                         "OpenID",
                                         "OAuth",
                                         "MultifactorAuthentication",
                                         "SSOService",
                                         "Consent",
                                         "SecurityTokenService",
                                         "PassiveSTS",
                                         "EntitlementSettings",
                                         "SCIM",
                                         "SCIM2",
                                         "EnableAskPasswordAdminUI",
                                         "EnableRecoveryEndpoint",
                                         "EnableSelfSignUpEndpoint",
                                         "AuthenticationPolicy",
                                         "JITProvisioning",
                                         "EventListeners",
                                         "UserDeleteEventRecorders",
                                         "CacheConfig",
                                         "ResourceAccessControl",
                                         "ClientAppAuthentication",
                                         "EnableFederatedUserAssociation",
                                         "TenantContextsToRewrite",
                                         "ClockSkew",
                                         "JWTValidatorConfigs",
                                         "AdaptiveAuth",
                                         "Server",
                                         "Recovery",
                                         "Notification",
                                         "SessionDataPersist",
                                         "ServerHostName",
                                         "IdentityProviders",
                                         "Filter",
                                         "UserStoreConfigManager",
                                         NULL};
/* the children of the root element Gatehouse reads; the other known ones are listed once as ignored */
static const char *const used_root[] = {"JDBCPersistenceManager", "OAuth", NULL};


static const char *const known_oauth[] = {"TokenCleanup",
                                          "IdentityOAuthTokenGenerator",
                                          "PersistAccessTokenAlias",
                                          "AccessTokenValueGenerator",
                                          "OAuth1RequestTokenUrl",
                                          "OAuth1AuthorizeUrl",
                                          "OAuth1AccessTokenUrl",
                                          "OAuth2AuthzEPUrl",
                                          "OAuth2TokenEPUrl",
                                          "OAuth2RevokeEPUrl",
                                          "OAuth2IntrospectEPUrl",
                                          "OAuth2UserInfoEPUrl",
                                          "OIDCCheckSessionEPUrl",
                                          "OIDCLogoutEPUrl",
                                          "OAuth2ConsentPage",
                                          "OAuth2ErrorPage",
                                          "OIDCConsentPage",
                                          "OIDCLogoutConsentPage",
                                          "OIDCLogoutPage",
                                          "OIDCWebFingerEPUrl",
                                          "OAuth2DCREPUrl",
                                          "OAuth2JWKSPage",
                                          "OIDCDiscoveryEPUrl",
                                          "AuthorizationCodeDefaultValidityPeriod",
                                          "AccessTokenDefaultValidityPeriod",
                                          "UserAccessTokenDefaultValidityPeriod",
                                          "RefreshTokenValidityPeriod",
                                          "TimestampSkew",
                                          "RenewRefreshTokenForRefreshGrant",
                                          "TokenPersistenceProcessor",
                                          "EnableClientSecretHash",
                                          "MapFederatedUsersToLocal",
                                          "SupportedResponseTypes",
                                          "SupportedGrantTypes",
                                          "UserConsentEnabledGrantTypes",
                                          "OAuthCallbackHandlers",
                                          "OAuthScopeValidator",
                                          "TokenValidators",
                                          "ScopeValidators",
                                          "ScopeHandlers",
                                          "EnableAssertions",
                                          "EnableAccessTokenPartitioning",
                                          "AccessTokenPartitioningDomains",
                                          "AuthorizationContextTokenGeneration",
                                          "SAML2Grant",
                                          "OpenIDConnect",
                                          "TokenPersistence",
                                          "EnableRevokeResponseHeaders",
                                          "SupportedClientAuthMethods",
                                          "ClientAuthHandlers",
                                          "DropUnregisteredScopes",
                                          "RevokeResponseHeadersEnabled",
                                          "EnablePKCE",
                                          "PKCE",
                                          "OAuthTokenGenerator",
                                          "RedirectToRequestedRedirectUri",
                                          "AllowCrossTenantTokenIntrospection",
                                          NULL};

/* When <SupportedGrantTypes> is absent Gatehouse offers the four grants it implements. */
static const char *const default_grants[] = {"authorization_code", "password", "refresh_token",
                                             "client_credentials"};

static void load_grants(gh_conf_ctx_t *c, gh_xml_doc_t *x, const xmlNode *oauth)
{
    gh_conf_identity_t *id = &c->conf->identity;
    const xmlNode *list = gh_xml_child(oauth, "SupportedGrantTypes"), *g = NULL;
    size_t n = 0, i;
    char *name;

    if (list == NULL) {
        id->grant_types = gh_calloc(GH_ARRAY_SIZE(default_grants) + 1, sizeof(char *));
        for (i = 0; i < GH_ARRAY_SIZE(default_grants); ++i)
            id->grant_types[i] = gh_xml_pool_strdup(c->pool, default_grants[i]);
        id->n_grant_types = GH_ARRAY_SIZE(default_grants);
        return;
    }
    while ((g = gh_xml_next(list, g, "SupportedGrantType")) != NULL)
        n++;
    id->grant_types = gh_calloc(n + 1, sizeof(char *));
    for (g = NULL; (g = gh_xml_next(list, g, "SupportedGrantType")) != NULL;) {
        if (gh_xml_get_str(x, g, "GrantTypeName", GH_XML_REQUIRED, &name) == 1)
            id->grant_types[id->n_grant_types++] = name;
    }
}

void gh_conf_identity_load(gh_conf_ctx_t *c)
{
    gh_xml_doc_t x;
    gh_conf_identity_t *id = &c->conf->identity;
    const xmlNode *oauth, *ds;
    int hash;

    id->enable_client_secret_hash = 1; /* Gatehouse stores secrets hashed unless told otherwise */
    if (gh_conf_open(c, &x, "identity/identity.xml", "Server", 1) != 1) return;
    id->line = (int)xmlGetLineNo(x.root);
    gh_xml_apply(&x, x.root, rows, GH_ARRAY_SIZE(rows), id);
    gh_xml_warn_unknown(&x, x.root, known_root);
    gh_xml_note_unused(&x, x.root, known_root, used_root);
    ds = gh_xml_find(x.root, "JDBCPersistenceManager/DataSource/Name");
    gh_conf_add_ref(c, x.file, ds != NULL ? (int)xmlGetLineNo(ds) : id->line,
                    "JDBCPersistenceManager/DataSource/Name", id->datasource);
    if ((oauth = gh_xml_child(x.root, "OAuth")) != NULL) {
        gh_xml_warn_unknown(&x, oauth, known_oauth);
        if (gh_xml_get_bool(&x, oauth, "EnableClientSecretHash", GH_XML_OPTIONAL, &hash) == 1) {
            id->enable_client_secret_hash = hash;
            id->client_secret_hash_set = 1;
        }
        gh_conf_check_class(&x, gh_xml_child(oauth, "TokenPersistenceProcessor"),
                            "OAuth/TokenPersistenceProcessor", GH_FAMILY_TOKEN_PROCESSOR,
                            id->token_persistence_processor);
    }
    load_grants(c, &x, oauth);
    gh_xml_close(&x);
}
