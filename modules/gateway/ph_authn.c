/* Authenticate phase (APIAuthenticationHandler / OAuthAuthenticator): a resource with auth type None passes
 * without a token; otherwise the Bearer token of the Authorization header is looked up in the gateway token
 * cache, and a miss suspends the request while the key manager validates it (validate.c). */
#include <stdio.h>
#include <string.h>
#include "gatehouse/form.h"
#include "gatehouse/http.h"
#include "gw_int.h"
#include <openssl/sha.h>

int64_t gh_gw_now_ms(void)
{
    return gw_now_us() / 1000;
}

int gw_ph_authn(gw_req_t *r)
{
    h2o_req_t *req = r->req;
    const h2o_iovec_t *auth;
    unsigned char d[SHA256_DIGEST_LENGTH];
    char h[2 * SHA256_DIGEST_LENGTH + 1];
    size_t i;

    if (strcmp(r->res->auth, "None") == 0) {
        r->anonymous = 1;
        return GW_NEXT;
    }
    if ((auth = gh_http_header(req, "authorization")) == NULL ||
        (r->token = gh_bearer_token(auth->base, auth->len, &r->token_len)) == NULL || r->token_len == 0) {
        gw_fault(r, 401, GH_KV_MISSING_CREDENTIALS, "Missing Credentials",
                 "Required OAuth credentials not provided. Make sure your API invocation call has a header: "
                 "\"Authorization: Bearer ACCESS_TOKEN\"");
        return GW_DONE;
    }
    /* the key manager's token hash (SHA-256 hex): revocation events name tokens by it */
    SHA256((const unsigned char *)r->token, r->token_len, d);
    for (i = 0; i < sizeof(d); ++i)
        snprintf(h + 2 * i, 3, "%02x", d[i]);
    snprintf(r->key, sizeof(r->key), "%s:%lld", h, (long long)r->api->id);
    if (r->gw->conf->apim.gateway_token_cache && (r->entry = gw_cache_get(r->key, gh_gw_now_ms())) != NULL) {
        gw_metrics_cache(1);
        return GW_NEXT;
    }
    gw_metrics_cache(0);
    return gw_validate_suspend(r);
}
