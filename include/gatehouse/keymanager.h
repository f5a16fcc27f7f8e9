/* The key manager: an OAuth 2.0 / OpenID Connect server with WSO2 Identity Server's endpoints (/oauth2/token,
 * /oauth2/authorize, /oauth2/revoke, /oauth2/introspect, /oauth2/jwks, /oauth2/userinfo, discovery, DCR).
 * See docs/keymanager.md. */
#ifndef GH_KEYMANAGER_H
#define GH_KEYMANAGER_H

#include <stddef.h>
#include <stdint.h>
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
/* Register the public OAuth client client_id (no secret, PKCE mandatory, grants authorization_code and
 * refresh_token) with the redirect URIs in callback (one URI or WSO2's "regexp=(a|b)" list), or bring an existing
 * one up to date; idempotent, one transaction. Refuses (GH_E_CONFLICT) to touch a client that has a secret. For
 * the server's own browser clients (the consoles); blocks on the database: call during set-up or from a job. */
int gh_km_public_client_ensure(gh_km_t *km, const char *client_id, const char *name, const char *callback,
                               gh_err_t *err);
/* --- OAuth clients of API Manager applications (the Store's generate-keys / keys / regenerate-consumersecret):
 * client_apps.c. Each call borrows its own connection from the key manager's pool and commits on its own; they
 * block on SQL: call them from a job. Strings are copied; NULL means "keep" on update. --- */

/* What an access token stands for: 1 active (out filled), 0 not active, GH_ERR. */
typedef struct st_gh_km_token_info_t {
    char user[256];      /* the authorised user (for client_credentials, the client's owner) */
    char client_id[256]; /* the OAuth client it was issued to */
    char scope[2048];    /* space separated */
    char user_type[24];  /* APPLICATION | APPLICATION_USER */
} gh_km_token_info_t;
int gh_km_token_info(gh_km_t *km, const char *token, gh_km_token_info_t *out, gh_err_t *err);

/* An OAuth client as created for an application's PRODUCTION or SANDBOX keys. */
typedef struct st_gh_km_client_spec_t {
    const char *name;        /* IDN_OAUTH_CONSUMER_APPS.APP_NAME, e.g. "bob_userJwt_PRODUCTION" */
    const char *owner;       /* the application's owner */
    const char *callback;    /* "" or NULL: none */
    const char *grant_types; /* space separated; NULL: "client_credentials password refresh_token" */
    int64_t app_token_s;     /* validity of application tokens; <= 0: identity.xml's default */
} gh_km_client_spec_t;

typedef struct st_gh_km_client_t {
    char client_id[256];
    char client_secret[160]; /* the raw secret right after create/regenerate; "" when it exists only as a hash */
    char owner[256];
    char name[256];
    char callback[1024];
    char grant_types[512];
    int64_t app_token_s;
} gh_km_client_t;

/* Create a client with a fresh id and secret. GH_E_INPUT for an unknown grant type or authorization_code /
 * implicit without a callback. */
int gh_km_client_create(gh_km_t *km, const gh_km_client_spec_t *spec, gh_km_client_t *out, gh_err_t *err);
/* 1 found (out filled, client_secret "" unless secrets are stored plain), 0 absent, GH_ERR. */
int gh_km_client_get(gh_km_t *km, const char *client_id, gh_km_client_t *out, gh_err_t *err);
/* Change callback / grant types / token validity (NULL / <= 0 keep). GH_E_NOTFOUND when absent. */
int gh_km_client_update(gh_km_t *km, const char *client_id, const gh_km_client_spec_t *spec, gh_km_client_t *out,
                        gh_err_t *err);
/* A new secret (the old one stops working at once); out->client_secret holds it. */
int gh_km_client_regenerate_secret(gh_km_t *km, const char *client_id, gh_km_client_t *out, gh_err_t *err);
/* Revoke every active token of the client (evicting them from the token cache); *n (may be NULL) gets how many. */
int gh_km_client_revoke_tokens(gh_km_t *km, const char *client_id, int64_t *n, gh_err_t *err);
/* Revoke the client's tokens and delete it with its tokens and codes. GH_E_NOTFOUND when absent. */
int gh_km_client_delete(gh_km_t *km, const char *client_id, gh_err_t *err);
/* The first application token: a client_credentials grant for scope (NULL: "am_application_scope default"),
 * narrowed to what the owner's roles allow. token gets the access token, scope_out the granted scopes. */
int gh_km_client_token(gh_km_t *km, const char *client_id, const char *scope, char *token, size_t token_size,
                       char *scope_out, size_t scope_size, int64_t *expires_in, gh_err_t *err);

#endif
