/* GET /oauth2/jwks and OpenID Connect discovery. The documents are per listener: a client that discovered over
 * http gets http endpoints and the matching issuer (openid-client checks the issuer against the URL). */
#include <stdlib.h>
#include <string.h>
#include "gatehouse/http.h"
#include "gatehouse/mem.h"
#include "km_int.h"

int gh_km_on_jwks(h2o_handler_t *self, h2o_req_t *req)
{
    gh_km_t *km = ((gh_route_t *)self)->data;
    char *s;

    if (!gh_http_method_is(req, "GET") && !gh_http_method_is(req, "HEAD"))
        return -1;
    s = gh_km_keyring_jwks(&km->keys);
    gh_http_send(req, 200, "application/json", s, strlen(s));
    free(s);
    return 0;
}

static json_t *strings(const char *const *v)
{
    json_t *a = json_array();

    for (; *v != NULL; ++v)
        json_array_append_new(a, json_string(*v));
    return a;
}

static json_t *discovery(gh_km_t *km, int l)
{
    static const char *const rtypes[] = {"code", NULL};
    static const char *const subjects[] = {"public", NULL};
    static const char *const algs[] = {"RS256", NULL};
    static const char *const auth[] = {"client_secret_basic", "client_secret_post", NULL};
    static const char *const pkce[] = {"S256", NULL}; /* plain is disabled (docs/security.md) */
    static const char *const scopes[] = {"openid", "profile", "email", NULL};
    static const char *const claims[] = {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "email",
                                         "given_name", "family_name", "name", "preferred_username", NULL};
    const char *b = km->base[l];
    json_t *d = json_object(), *grants = json_array();
    size_t i;
    char *s;

    json_object_set_new(d, "issuer", json_string(km->iss[l]));
#define EP(name, path)                                                                                                 \
    s = gh_asprintf("%s%s", b, path);                                                                                  \
    json_object_set_new(d, name, json_string(s));                                                                      \
    free(s)
    EP("authorization_endpoint", "/oauth2/authorize");
    EP("token_endpoint", "/oauth2/token");
    EP("userinfo_endpoint", "/oauth2/userinfo");
    EP("jwks_uri", "/oauth2/jwks");
    EP("revocation_endpoint", "/oauth2/revoke");
    EP("introspection_endpoint", "/oauth2/introspect");
    EP("registration_endpoint", "/api/identity/oauth2/dcr/v1.1/register");
#undef EP
    for (i = 0; i < km->conf->identity.n_grant_types; ++i)
        json_array_append_new(grants, json_string(km->conf->identity.grant_types[i]));
    json_object_set_new(d, "grant_types_supported", grants);
    json_object_set_new(d, "response_types_supported", strings(rtypes));
    json_object_set_new(d, "response_modes_supported", json_pack("[s]", "query"));
    json_object_set_new(d, "subject_types_supported", strings(subjects));
    json_object_set_new(d, "id_token_signing_alg_values_supported", strings(algs));
    json_object_set_new(d, "token_endpoint_auth_methods_supported", strings(auth));
    json_object_set_new(d, "revocation_endpoint_auth_methods_supported", strings(auth));
    json_object_set_new(d, "introspection_endpoint_auth_methods_supported", strings(auth));
    json_object_set_new(d, "code_challenge_methods_supported", strings(pkce));
    json_object_set_new(d, "scopes_supported", strings(scopes));
    json_object_set_new(d, "claims_supported", strings(claims));
    return d;
}

int gh_km_on_discovery(h2o_handler_t *self, h2o_req_t *req)
{
    gh_km_t *km = ((gh_route_t *)self)->data;
    json_t *d;

    if (!gh_http_method_is(req, "GET") && !gh_http_method_is(req, "HEAD"))
        return -1;
    d = discovery(km, gh_km_listener_of(req));
    gh_http_send_json(req, 200, d);
    json_decref(d);
    return 0;
}
