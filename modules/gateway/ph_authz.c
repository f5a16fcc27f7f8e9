/* Authorise phase: the key manager's verdict (subscribed, subscription not blocked), the token's expiry
 * re-checked on every cached call, the resource's authentication level and scope, and an endpoint for the
 * key type. */
#include <string.h>
#include "gw_int.h"

static int has_scope(const char *scopes, const char *want)
{
    size_t wl = strlen(want);
    const char *p = scopes;

    while ((p = strstr(p, want)) != NULL) {
        if ((p == scopes || p[-1] == ' ') && (p[wl] == '\0' || p[wl] == ' '))
            return 1;
        p += wl;
    }
    return 0;
}

int gw_ph_authz(gw_req_t *r)
{
    const gh_keyval_info_t *in;
    const char *auth = r->res->auth;
    int sandbox;

    if (r->anonymous)
        return GW_NEXT;
    in = &r->entry->info;
    if (!in->authorized) {
        gw_fault_auth(r, in->validation_status);
        return GW_DONE;
    }
    if (r->entry->token_exp_ms > 0 && r->entry->token_exp_ms <= gh_gw_now_ms()) {
        gw_fault(r, 401, GH_KV_INVALID_CREDENTIALS, "Invalid Credentials",
                 "Invalid OAuth Token : Access Token expired. Make sure you have given the correct access token");
        return GW_DONE;
    }
    if ((strcmp(auth, "Application_User") == 0 || strcmp(auth, "Application User") == 0) &&
        strcmp(in->user_type, "APPLICATION_USER") != 0) {
        gw_fault_auth(r, GH_KV_INCORRECT_TOKEN_TYPE);
        return GW_DONE;
    }
    if (strcmp(auth, "Application") == 0 && strcmp(in->user_type, "APPLICATION") != 0) {
        gw_fault_auth(r, GH_KV_INCORRECT_TOKEN_TYPE);
        return GW_DONE;
    }
    if (r->res->scope != NULL && !has_scope(in->scopes, r->res->scope)) {
        gw_fault_auth(r, GH_KV_INVALID_SCOPE);
        return GW_DONE;
    }
    sandbox = strcmp(in->type, "SANDBOX") == 0;
    if (r->api->url[sandbox] == NULL) {
        gw_fault(r, 403, GH_KV_INVALID_CREDENTIALS, "Invalid Credentials",
                 sandbox ? "Sandbox key offered to the API with no sandbox endpoint"
                         : "Production key offered to the API with no production endpoint");
        return GW_DONE;
    }
    return GW_NEXT;
}
