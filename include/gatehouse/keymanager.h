/* The key manager: an OAuth 2.0 / OpenID Connect server with WSO2 Identity Server's endpoints (/oauth2/token,
 * /oauth2/authorize, /oauth2/revoke, /oauth2/introspect, /oauth2/jwks, /oauth2/userinfo, discovery, DCR).
 * See docs/keymanager.md. */
#ifndef GH_KEYMANAGER_H
#define GH_KEYMANAGER_H

#include <stddef.h>
#include "gatehouse/err.h"

typedef struct st_gh_conf_t gh_conf_t;

/* Register the "keymanager" server module (GH_FAMILY_MODULE, role GH_ROLE_KM) and the identity.xml classes it
 * accepts (token persistence processors, grant handlers). Idempotent. Call after the user store's
 * registration: the module needs the "userstore" service at setup. */
void gh_km_register_builtin(void);

/* `gatehouse keys rotate`: generate a new RSA signing key beside the conf (security/oauth-keys/), which
 * becomes the current key of every key-manager process at its next key reload (at most a minute); the
 * previous key stays in the JWKS, and keys older than that are deleted once older than max_age_s (the
 * longest token or ID-token lifetime; 0 = keep). Returns GH_OK, or GH_ERR with err. */
int gh_km_keys_rotate(const gh_conf_t *conf, long max_age_s, gh_err_t *err);

/* The key manager as a service of the server (gh_server_km(srv)), for modules that accept
 * its access tokens (SCIM). */
typedef struct st_gh_km_t gh_km_t;

/* Resolve an access token: 1 active (user gets the authorised user, scope the space-separated scopes), 0 not
 * active (unknown, revoked or expired), GH_ERR (err says why). Blocks on the database when the token is not
 * cached: call it from a job, never on an event loop. */
int gh_km_bearer(gh_km_t *km, const char *token, char *user, size_t user_size, char *scope, size_t scope_size,
                 gh_err_t *err);

/* Key validation (include/gatehouse/keyval.h): APIKeyValidationService.validateKey. Blocks on SQL: call it
 * from a job. GH_OK with out filled (authorized, or not with validation_status), GH_ERR when the service
 * failed. Free out with gh_keyval_info_dispose(). */
typedef struct st_gh_keyval_req_t gh_keyval_req_t;
typedef struct st_gh_keyval_info_t gh_keyval_info_t;
int gh_km_validate_key(gh_km_t *km, const gh_keyval_req_t *req, gh_keyval_info_t *out, gh_err_t *err);
/* Register the claims retriever (DefaultClaimsRetriever) and the backend JWT encodings (JWTGenerator,
 * URLSafeJWTGenerator). Idempotent. */
void gh_km_register_jwt_plugins(void);

#endif
