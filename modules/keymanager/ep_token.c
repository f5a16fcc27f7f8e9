/* POST /oauth2/token (RFC 6749 §3.2): request checks on the loop, client authentication and the grant on a
 * worker. */
#include <string.h>
#include "gatehouse/conf.h"
#include "gatehouse/http.h"
#include "km_int.h"

static const struct {
    const char *name;
    void (*fn)(gh_km_job_t *, gh_db_conn_t *, const gh_km_app_t *);
} grants[] = {
    {"client_credentials", gh_km_grant_client_credentials},
    {"password", gh_km_grant_password},
    {"refresh_token", gh_km_grant_refresh},
    {"authorization_code", gh_km_grant_code},
    {"urn:ietf:params:oauth:grant-type:jwt-bearer", gh_km_grant_jwt_bearer},
};

static int grant_index(const char *g)
{
    size_t i;

    for (i = 0; i < GH_ARRAY_SIZE(grants); ++i)
        if (strcmp(grants[i].name, g) == 0)
            return (int)i;
    return -1;
}

/* The grants a public client (no secret, PKCE mandatory) may use: its code is bound to its PKCE verifier, its
 * refresh token to the code's grant. */
static int public_grant(const char *g)
{
    return strcmp(g, "authorization_code") == 0 || strcmp(g, "refresh_token") == 0;
}

static void run(gh_km_job_t *j, gh_db_conn_t *c)
{
    const char *g = gh_form_get(&j->form, "grant_type");
    gh_km_app_t app;

    if (gh_km_client_check(j, c, &app) != 1)
        return;
    if (!gh_km_grant_listed(app.grant_types, g) || (gh_km_app_is_public(&app) && !public_grant(g)))
        return (void)gh_km_job_fail(j, 400, "unauthorized_client", "the client may not use the %s grant", g);
    grants[grant_index(g)].fn(j, c, &app);
}

static int conf_allows(const gh_conf_identity_t *id, const char *g)
{
    size_t i;

    for (i = 0; i < id->n_grant_types; ++i)
        if (strcmp(id->grant_types[i], g) == 0)
            return 1;
    return 0;
}

int gh_km_on_token(h2o_handler_t *self, h2o_req_t *req)
{
    gh_km_t *km = ((gh_route_t *)self)->data;
    gh_km_job_t *j;
    const char *g;

    if (req->path_normalized.len != strlen("/oauth2/token"))
        return -1; /* /oauth2/token/.well-known/... is discovery */
    if ((j = gh_km_job_post_form(km, req, run)) == NULL)
        return 0;
    if (j->status != 0)
        goto answer;
    if ((g = gh_form_get(&j->form, "grant_type")) == NULL || g[0] == '\0') {
        gh_km_job_fail(j, 400, "invalid_request", "grant_type is required");
        goto answer;
    }
    if (grant_index(g) < 0 || !conf_allows(&km->conf->identity, g)) {
        gh_km_job_fail(j, 400, "unsupported_grant_type", "unsupported grant type %.100s", g);
        goto answer;
    }
    j->allow_public = public_grant(g);
    if (j->cid == NULL || (j->csecret == NULL && !j->allow_public)) {
        gh_km_job_fail(j, 401, "invalid_client", "client authentication is required");
        goto answer;
    }
    gh_km_job_submit(j, req);
    return 0;
answer:
    gh_km_job_answer(j, req);
    return 0;
}
