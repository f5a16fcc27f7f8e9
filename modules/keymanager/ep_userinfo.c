/* GET|POST /oauth2/userinfo (OIDC Core §5.3): the claims of the token's user, for tokens with the openid scope. */
#include <stdio.h>
#include <string.h>
#include "gatehouse/http.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "km_int.h"

/* WSO2 claim URI -> OIDC claim name */
static const struct {
    const char *uri, *name;
} claim_map[] = {
    {"http://wso2.org/claims/emailaddress", "email"},
    {"http://wso2.org/claims/givenname", "given_name"},
    {"http://wso2.org/claims/lastname", "family_name"},
    {"http://wso2.org/claims/fullname", "name"},
    {"http://wso2.org/claims/telephone", "phone_number"},
    {"http://wso2.org/claims/country", "country"},
    {"http://wso2.org/claims/url", "website"},
};

static void run(gh_km_job_t *j, gh_db_conn_t *c)
{
    gh_us_strlist_t uris = {0}, values = {0};
    gh_km_scopes_t sc;
    gh_err_t err = {0};
    gh_km_tok_t tok;
    size_t i, k;
    int rc;

    if ((rc = gh_km_tok_active(j->km, c, j->arg, &tok, &err)) < 0)
        return (void)gh_km_job_fail(j, 500, "server_error", "token look-up failed");
    if (rc == 0) {
        gh_km_job_fail(j, 401, "invalid_token", "the access token is invalid, expired or revoked");
        j->www_auth = 2;
        return;
    }
    gh_km_scopes_parse(&sc, tok.scope);
    rc = gh_km_scopes_has(&sc, "openid") && strcmp(tok.user_type, "APPLICATION_USER") == 0;
    gh_km_scopes_dispose(&sc);
    if (!rc) {
        gh_km_job_fail(j, 403, "insufficient_scope", "the access token lacks the openid scope");
        j->www_auth = 0;
        return;
    }
    j->out = json_pack("{s:s,s:s}", "sub", tok.user, "preferred_username", tok.user);
    if (j->km->us != NULL && gh_us_get_claims(j->km->us, tok.user, &uris, &values, &err) == GH_OK) {
        for (i = 0; i < uris.n; ++i)
            for (k = 0; k < GH_ARRAY_SIZE(claim_map); ++k)
                if (strcmp(uris.items[i], claim_map[k].uri) == 0 && values.items[i][0] != '\0')
                    json_object_set_new(j->out, claim_map[k].name, json_string(values.items[i]));
    } else if (err.code != GH_E_NONE) {
        gh_log(GH_LOG_WARN, "keymanager", "userinfo: claims of %s unavailable: %s", tok.user, err.msg);
    }
    gh_us_strlist_dispose(&uris);
    gh_us_strlist_dispose(&values);
    j->status = 200;
}

int gh_km_on_userinfo(h2o_handler_t *self, h2o_req_t *req)
{
    gh_km_t *km = ((gh_route_t *)self)->data;
    const h2o_iovec_t *authz = gh_http_header(req, "authorization");
    const char *t;
    gh_km_job_t *j;
    size_t tl = 0;

    if (!gh_http_method_is(req, "GET") && !gh_http_method_is(req, "POST"))
        return -1;
    j = gh_km_job_new(km, req, run);
    if (authz == NULL || (t = gh_bearer_token(authz->base, authz->len, &tl)) == NULL) {
        gh_km_job_fail(j, 401, "invalid_token", "a Bearer access token is required");
        j->www_auth = 2;
        gh_km_job_answer(j, req);
        return 0;
    }
    j->arg = gh_strndup(t, tl);
    gh_km_job_submit(j, req);
    return 0;
}
