/* An OAuth client as stored in IDN_OAUTH_CONSUMER_APPS, and the DCR request bodies that create or update one
 * (RFC 7591 at /api/identity/oauth2/dcr/v1.1/register, API Manager's /client-registration/v0.14/register).
 * Fixed-size fields: the struct is copied in and out of caches without ownership questions. */
#ifndef GH_KM_APP_H
#define GH_KM_APP_H

#include <stdint.h>
#include <jansson.h>
#include "gatehouse/err.h"

typedef struct st_gh_km_app_t {
    int64_t id;
    char client_id[256];
    char secret[160];      /* as stored: HMAC hex, or the secret itself under plain storage */
    char owner[256];       /* USERNAME */
    char name[256];        /* APP_NAME */
    char callback[1024];   /* CALLBACK_URL: one URL, or WSO2's "regexp=(url1|url2)" */
    char grant_types[512]; /* space separated */
    char state[26];        /* APP_STATE */
    int pkce_mandatory;
    int jwt; /* API Manager application of token type JWT: access tokens are RFC 9068 JWTs */
    int64_t user_token_s, app_token_s, refresh_token_s, id_token_s;
} gh_km_app_t;

/* What a DCR request asks for (validated). */
typedef struct st_gh_km_dcr_t {
    char name[256];
    char owner[256];       /* ext_param_owner / owner; "" = the authenticated caller */
    char callback[1024];   /* "" when none */
    char grant_types[512];
    char client_id[256];   /* ext_param_client_id: a requested id; "" = generate */
    char client_secret[160]; /* ext_param_client_secret; "" = generate */
    int saas;
} gh_km_dcr_t;

/* Parse an RFC 7591 body ({"client_name","grant_types":[...],"redirect_uris":[...],"ext_param_owner"}).
 * GH_OK, or GH_ERR with err->msg the error_description of an invalid_client_metadata/invalid_redirect_uri
 * answer (err->code GH_E_INPUT; native 1 means invalid_redirect_uri). */
int gh_km_dcr_parse_rfc7591(const json_t *body, gh_km_dcr_t *out, gh_err_t *err);
/* Parse an API Manager v0.14 RegistrationProfile ({"clientName","owner","grantType":"a b","callbackUrl",
 * "saasApp"}). The app name becomes "<owner>_<clientName>" as API Manager does. */
int gh_km_dcr_parse_apim(const json_t *body, gh_km_dcr_t *out, gh_err_t *err);
/* The one check of a client's callback, for every path that registers or updates a client: a client whose
 * grants redirect (authorization_code, implicit) needs valid redirect URIs (gatehouse/uri.h:
 * gh_uri_callback_ok); any other keeps its callback as given (WSO2's "www.google.lk" placeholder), which is never
 * used as a redirect. Control characters are refused either way. GH_OK, or GH_ERR with err->native 1
 * (invalid_redirect_uri). */
int gh_km_callback_check(const char *grant_types, const char *callback, gh_err_t *err);
/* 1 when the grant list holds a grant that redirects the browser (authorization_code, implicit). */
int gh_km_grants_redirect(const char *grant_types);
/* 1 when grant (a grant type name) is among the space-separated list. */
int gh_km_grant_listed(const char *list, const char *grant);
/* 1 when uri matches the registered callback (exact, or WSO2's "regexp=" form matched as a list of
 * alternatives "regexp=(a|b)" compared exactly). */
int gh_km_callback_ok(const char *registered, const char *uri);

#endif
