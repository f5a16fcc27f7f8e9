/* Typed, immutable view of a WSO2-style conf/ folder (repository/conf). Loaders live in modules/config/;
 * after gh_conf_load() the struct is read-only and shared by all threads. All strings are owned by the conf
 * and freed by gh_conf_dispose(). Modules never see libxml2 types. */
#ifndef GH_CONF_H
#define GH_CONF_H

#include <stddef.h>
#include <stdint.h>
#include "gatehouse/diag.h"

/* <Property name="...">value</Property> as found in user-mgt.xml, embedded-ldap.xml and friends. */
typedef struct st_gh_conf_prop_t {
    char *name;
    char *value;
    int line;
} gh_conf_prop_t;

typedef struct st_gh_conf_props_t {
    gh_conf_prop_t *items;
    size_t n;
} gh_conf_props_t;

/* value of the named property, or NULL */
const char *gh_conf_prop(const gh_conf_props_t *p, const char *name);

/* carbon.xml */
typedef struct st_gh_conf_carbon_t {
    char *host_name;      /* <HostName>, default "localhost" */
    char *mgt_host_name;  /* <MgtHostName>, default = host_name */
    int port_offset;      /* <Ports><Offset>, 0..1000 */
    /* <Security><KeyStore>. Gatehouse reads PEM: Location may name a PEM file holding key and certificate,
     * or the Gatehouse extensions <KeyFile>/<CertFile> name them separately. JKS/PKCS12 are refused with a
     * message that says how to convert. When nothing is configured the server generates a self-signed pair
     * beside the conf (security/gatehouse-key.pem, security/gatehouse-cert.pem). */
    char *keystore_location; /* resolved path or NULL */
    char *keystore_type;     /* "JKS", "PEM", ... */
    char *key_file;          /* resolved PEM private key path or NULL */
    char *cert_file;         /* resolved PEM certificate path or NULL */
    char *key_alias;
    int line;                /* line of <Server>, for messages */
} gh_conf_carbon_t;

/* master-datasources.xml: one <datasource> */
typedef struct st_gh_conf_datasource_t {
    char *name;            /* <name> WSO2AM_DB */
    char *jndi_name;       /* <jndiConfig><name> jdbc/WSO2AM_DB, may be NULL */
    char *type;            /* <definition type="RDBMS"> */
    char *url;             /* <url>, ${carbon.home} substituted; jdbc:h2:/jdbc:sqlite: paths made absolute against carbon_home */
    char *username;
    char *password;
    char *driver_class;    /* <driverClassName>, may be NULL (then the URL selects the driver) */
    int max_active;        /* default 50 */
    int max_wait_ms;       /* default 60000 */
    int min_idle;          /* default 0 */
    int test_on_borrow;    /* default 0 (Tomcat pool default); shipped files set true */
    char *validation_query; /* may be NULL */
    int validation_interval_ms; /* default 3000 (Tomcat default); shipped 30000 */
    int default_auto_commit;    /* default 1 */
    const char *file;      /* borrowed: the conf's path of master-datasources.xml */
    int line;              /* line of <datasource> */
} gh_conf_datasource_t;

typedef struct st_gh_conf_datasources_t {
    gh_conf_datasource_t *items;
    size_t n;
} gh_conf_datasources_t;

/* user-mgt.xml */
typedef struct st_gh_conf_user_mgt_t {
    int add_admin;          /* <AddAdmin>, default 1 */
    char *admin_role;       /* default "admin" */
    char *admin_user;       /* default "admin" */
    char *admin_password;   /* default "admin" */
    char *everyone_role;    /* default "everyone" (-> Internal/everyone) */
    char *datasource;       /* Realm <Property name="dataSource">, e.g. jdbc/WSO2CarbonDB (may be NULL) */
    gh_conf_props_t realm_props;
    char *usm_class;        /* <UserStoreManager class=...> */
    gh_conf_props_t usm_props;
    int usm_line;
    char *authz_class;      /* <AuthorizationManager class=...> may be NULL */
    gh_conf_props_t authz_props;
    /* When the user store names its own url/userName/password/driverName (WSO2 tutorial), the loader
     * synthesises this datasource (name "userstore:PRIMARY"); otherwise NULL and `datasource` is used. */
    gh_conf_datasource_t *own_ds;
    int line;
} gh_conf_user_mgt_t;

/* identity/identity.xml */
typedef struct st_gh_conf_identity_t {
    char *datasource;                   /* <JDBCPersistenceManager><DataSource><Name>, default jdbc/WSO2AM_DB */
    int auth_code_validity_s;           /* AuthorizationCodeDefaultValidityPeriod 300 */
    int app_token_validity_s;           /* AccessTokenDefaultValidityPeriod 3600 */
    int user_token_validity_s;          /* UserAccessTokenDefaultValidityPeriod 3600 */
    int refresh_token_validity_s;       /* RefreshTokenValidityPeriod 84600 */
    int timestamp_skew_s;               /* TimestampSkew 0 */
    int renew_refresh_token;            /* RenewRefreshTokenForRefreshGrant true */
    char *token_persistence_processor;  /* TokenPersistenceProcessor class; NULL = Gatehouse default (hashing) */
    int enable_client_secret_hash;      /* EnableClientSecretHash; Gatehouse defaults to 1 when element absent */
    int client_secret_hash_set;         /* 1 when the element was present in the file */
    char **grant_types;                 /* SupportedGrantTypes/SupportedGrantType/GrantTypeName, NULL-terminated */
    size_t n_grant_types;
    char *id_token_issuer;              /* OpenIDConnect/IDTokenIssuerID, ${...} substituted, may be NULL */
    int id_token_expiration_s;          /* OpenIDConnect/IDTokenExpiration 3600 */
    char *signature_algorithm;          /* OpenIDConnect/SignatureAlgorithm SHA256withRSA */
    int line;
} gh_conf_identity_t;

/* identity/embedded-ldap.xml (Identity Server only; absent in API Manager) */
typedef struct st_gh_conf_embedded_ldap_t {
    int present; /* file exists */
    int enabled; /* <Property name="enable"> */
    int line;
} gh_conf_embedded_ldap_t;

/* api-manager.xml */
typedef struct st_gh_conf_apim_t {
    char *datasource;                 /* <DataSourceName> jdbc/WSO2AM_DB */
    /* JWTConfiguration */
    int jwt_enabled;                  /* EnableJWTGeneration, default 0 */
    char *jwt_header;                 /* JWTHeader, default X-JWT-Assertion */
    char *claims_retriever_class;     /* ClaimsRetrieverImplClass, may be NULL */
    char *consumer_dialect;           /* ConsumerDialectURI, default http://wso2.org/claims */
    char *jwt_signature_algorithm;    /* SignatureAlgorithm, default SHA256withRSA ("NONE" allowed) */
    char *jwt_generator_class;        /* JWTGeneratorImpl */
    int jwt_expiry_s;                 /* APIKeyValidator/JWTExpiryTime, default 900 */
    /* AuthManager */
    char *auth_manager_url;
    char *auth_manager_user;
    char *auth_manager_password;
    /* APIKeyValidator */
    char *key_validator_url;
    char *key_validator_user;
    char *key_validator_password;
    char *key_validator_client_type;  /* WSClient | ThriftClient */
    char *key_validation_handler_class;
    /* CacheConfigurations */
    int gateway_token_cache;          /* EnableGatewayTokenCache, default 1 */
    int gateway_resource_cache;       /* default 1 */
    int km_token_cache;               /* EnableKeyManagerTokenCache, default 0 */
    int token_cache_expiry_s;         /* TokenCacheExpiry, default 900 */
    int jwt_claim_cache_expiry_s;     /* JWTClaimCacheExpiry, default 900 */
    /* OAuthConfigurations */
    char *application_token_scope;    /* default am_application_scope */
    char *token_endpoint_name;        /* default /oauth2/token */
    char *revoke_api_url;
    int enable_token_hash_mode;       /* EnableTokenHashMode */
    /* Throttling */
    int advance_throttling;           /* ThrottlingConfigurations/EnableAdvanceThrottling, default 1 */
    int block_conditions;             /* ThrottlingConfigurations/BlockCondition/Enabled, default 1 */
    char *trusted_proxies;            /* ThrottlingConfigurations/BlockCondition/TrustedProxies (Gatehouse's):
                                         addresses or networks whose X-Forwarded-For is believed; default none */
    int remove_oauth_headers;         /* OAuthConfigurations/RemoveOAuthHeadersFromOutMessage, default 1 */
    /* CORSConfiguration (the gateway's default; an API's own CORS overrides it) */
    int cors_enabled;                 /* Enabled, default 1 */
    char *cors_origins;               /* Access-Control-Allow-Origins, default * */
    char *cors_methods;               /* Access-Control-Allow-Methods */
    char *cors_headers;               /* Access-Control-Allow-Headers */
    int cors_credentials;             /* Access-Control-Allow-Credentials, default 0 */
    int unlimited_tier;               /* EnableUnlimitedTier / TierManagement, default 1 */
    int line;
} gh_conf_apim_t;

typedef struct st_gh_conf_t {
    char *dir;         /* the conf folder, absolute */
    char *carbon_home; /* ${carbon.home}: the parent of the conf folder unless set by the caller */
    gh_conf_carbon_t carbon;
    gh_conf_datasources_t datasources;
    gh_conf_user_mgt_t user_mgt;
    gh_conf_identity_t identity;
    gh_conf_embedded_ldap_t embedded_ldap;
    gh_conf_apim_t apim;
    void *_arena; /* private */
} gh_conf_t;

/* Load and validate every file of the conf folder `dir`. carbon_home may be NULL (then the folder's parent
 * is used; WSO2's layout is CARBON_HOME/repository/conf, so when `dir` ends in repository/conf it is the
 * grandparent). Every problem is added to d (errors and warnings); returns GH_OK when d holds no errors,
 * GH_ERR otherwise. conf must be disposed in both cases. */
int gh_conf_load(const char *dir, const char *carbon_home, gh_conf_t *conf, gh_diag_list_t *d);
void gh_conf_dispose(gh_conf_t *conf);

/* Find a datasource by JNDI name ("jdbc/WSO2AM_DB") or by <name> ("WSO2AM_DB"); NULL if none. Borrowed. */
const gh_conf_datasource_t *gh_conf_find_datasource(const gh_conf_t *conf, const char *jndi_or_name);

/* Default ports before the offset. */
enum { GH_PORT_MGT_HTTPS = 9443, GH_PORT_MGT_HTTP = 9763, GH_PORT_GW_HTTPS = 8243, GH_PORT_GW_HTTP = 8280 };

#endif
