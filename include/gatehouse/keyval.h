/* Key validation: what a gateway asks the key manager about an access token presented for an API, and
 * WSO2's answer, APIKeyValidationInfoDTO (APIKeyValidationService.validateKey). The key manager implements it
 * (gh_km_validate_key); a gateway reaches it through a gh_keyval_client_t (in-process now, HTTP later for split
 * roles), registered under GH_FAMILY_KEY_VALIDATION. */
#ifndef GH_KEYVAL_H
#define GH_KEYVAL_H

#include <stddef.h>
#include <stdint.h>
#include "gatehouse/err.h"
#include "gatehouse/userstore.h"

/* validationStatus codes (APISecurityConstants) */
enum {
    GH_KV_OK = 0,
    GH_KV_GENERAL_ERROR = 900900,
    GH_KV_INVALID_CREDENTIALS = 900901,
    GH_KV_MISSING_CREDENTIALS = 900902,
    GH_KV_TOKEN_EXPIRED = 900903,
    GH_KV_TOKEN_INACTIVE = 900904,
    GH_KV_INCORRECT_TOKEN_TYPE = 900905,
    GH_KV_NO_MATCHING_RESOURCE = 900906,
    GH_KV_API_BLOCKED = 900907,
    GH_KV_RESOURCE_FORBIDDEN = 900908,
    GH_KV_SUBSCRIPTION_INACTIVE = 900909,
    GH_KV_INVALID_SCOPE = 900910,
};

/* validateKey's arguments. Strings borrowed for the call. */
typedef struct st_gh_keyval_req_t {
    const char *token;          /* the access token as presented */
    const char *context;        /* AM_API.CONTEXT, e.g. /pizzashack/1.0.0 */
    const char *version;        /* AM_API.API_VERSION */
    const char *auth_level;     /* Any | Application | Application_User (None never reaches validation) */
    const char *required_scope; /* NULL: the caller checks scopes itself from `scopes` */
    const char *client_domain;  /* Referer/Origin, may be NULL */
    int with_jwt;               /* generate the backend JWT (EnableJWTGeneration) */
} gh_keyval_req_t;

/* APIKeyValidationInfoDTO. Fixed-size strings (truncated if longer); jwt is heap (free with
 * gh_keyval_info_dispose). */
typedef struct st_gh_keyval_info_t {
    int authorized;
    int validation_status;      /* GH_KV_* */
    char subscriber[256];       /* AM_SUBSCRIBER.USER_ID of the application's owner */
    char tier[64];              /* subscription tier */
    char type[16];              /* key type PRODUCTION | SANDBOX */
    char user_type[24];         /* APPLICATION | APPLICATION_USER */
    char end_user[288];         /* tenant-qualified: admin@carbon.super */
    char end_user_tenant_domain[64];
    int end_user_tenant_id;
    char application_id[24];
    char application_name[128];
    char application_tier[64];
    char consumer_key[256];
    int64_t issued_ms;          /* token issue time */
    int64_t validity_ms;        /* token lifetime; < 0: never expires */
    char api_name[256];
    char api_publisher[256];
    char api_tier[64];          /* AM_API.API_TIER */
    int spike_arrest_limit;
    char spike_arrest_unit[16];
    int stop_on_quota_reach;
    char subscription_status[24];
    char scopes[1024];          /* the token's scopes, space separated */
    char *jwt;                  /* endUserToken: the backend JWT, or NULL */
} gh_keyval_info_t;

void gh_keyval_info_dispose(gh_keyval_info_t *info);

/* How a gateway reaches key validation. validate() blocks (SQL or network): call it from a job. Returns GH_OK
 * with out filled (authorized or not, with the reason in validation_status), or GH_ERR when the service failed
 * (err says why; the gateway answers 900900). */
typedef struct st_gh_keyval_client_t {
    const char *name;
    /* cls comes from create(); srv is the gh_server_t in-process clients use */
    void *(*create)(void *srv, gh_err_t *err);
    int (*validate)(void *cls, const gh_keyval_req_t *req, gh_keyval_info_t *out, gh_err_t *err);
    void (*destroy)(void *cls);
} gh_keyval_client_t;

/* api-manager.xml JWTConfiguration/ClaimsRetrieverImplClass (GH_FAMILY_CLAIMS): the end user's claims for the
 * backend JWT. Appends the claims of `user` whose URIs start with dialect to uris/values (parallel lists);
 * a multi-valued claim is one value joined with ",". Blocks (user store). */
typedef struct st_gh_claims_retriever_t {
    int (*claims)(gh_us_t *us, const char *user, const char *dialect, gh_us_strlist_t *uris,
                  gh_us_strlist_t *values, gh_err_t *err);
} gh_claims_retriever_t;

/* api-manager.xml JWTConfiguration/JWTGeneratorImpl (GH_FAMILY_JWT_GENERATOR): how the backend JWT is encoded.
 * URLSafeJWTGenerator (and no class at all): base64url without padding, a JWS any JOSE library verifies;
 * JWTGenerator: WSO2 2.x's padded standard Base64. */
typedef struct st_gh_jwt_generator_t {
    int urlsafe;
} gh_jwt_generator_t;

/* The DTO as JSON with WSO2's field names (authorized, validationStatus, endUserName, endUserToken...): what the
 * key manager's POST /services/APIKeyValidationService/validateKey answers and the "ws-client" reads
 * (docs/deployment.md). encode returns heap text; decode fills out (dispose it) or fails with err. */
char *gh_keyval_info_encode(const gh_keyval_info_t *info);
int gh_keyval_info_decode(const char *body, size_t len, gh_keyval_info_t *out, gh_err_t *err);

/* Messages for a validation status ("Invalid Credentials"...). */
const char *gh_keyval_message(int status);

#endif
