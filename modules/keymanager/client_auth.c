/* Client authentication (RFC 6749 §2.3.1: client_secret_basic with URL-decoded parts, or client_secret_post)
 * and HTTP Basic authentication of users for the administrative endpoints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/http.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "km_int.h"

int gh_km_client_creds(gh_km_job_t *j, h2o_req_t *req)
{
    const h2o_iovec_t *authz = gh_http_header(req, "authorization");
    const char *fid = gh_form_get(&j->form, "client_id"), *fsec = gh_form_get(&j->form, "client_secret");
    int rc;

    if (authz != NULL) {
        rc = gh_basic_parse(authz->base, authz->len, 1, &j->cid, &j->csecret);
        /* not form-encoded: no client's credentials, but maybe a user's (introspection), taken as they are */
        if (rc < 0)
            rc = gh_basic_parse(authz->base, authz->len, 0, &j->cid, &j->csecret);
        if (rc < 0)
            return gh_km_job_fail(j, 401, "invalid_client", "malformed Basic credentials");
        if (rc == 1) {
            if (fsec != NULL)
                return gh_km_job_fail(j, 401, "invalid_client",
                                      "client credentials were sent both in the header and in the body");
            if (fid != NULL && strcmp(fid, j->cid) != 0)
                return gh_km_job_fail(j, 401, "invalid_client", "client_id does not match the Basic credentials");
            return GH_OK;
        }
    }
    if (fid != NULL && fsec != NULL) {
        j->cid = gh_strdup(fid);
        j->csecret = gh_strdup(fsec);
    } else if (fid != NULL) {
        j->cid = gh_strdup(fid); /* public client: only valid where the grant allows (none here) */
    }
    return GH_OK;
}

int gh_km_client_check(gh_km_job_t *j, gh_db_conn_t *c, gh_km_app_t *app)
{
    gh_err_t err = {0};
    int rc;

    if (j->cid == NULL || j->csecret == NULL)
        return gh_km_job_fail(j, 401, "invalid_client", "client authentication is required"), 0;
    if ((rc = gh_km_app_get(j->km, c, j->cid, app, &err)) < 0) {
        gh_log(GH_LOG_ERR, "keymanager", "client look-up failed: %s", err.msg);
        return gh_km_job_fail(j, 500, "server_error", "client look-up failed"), -1;
    }
    /* unknown client and wrong secret answer alike */
    if (rc == 0 || !gh_km_secret_matches(j->km, app->secret, j->csecret))
        return gh_km_job_fail(j, 401, "invalid_client", "client authentication failed"), 0;
    if (strcmp(app->state, "ACTIVE") != 0)
        return gh_km_job_fail(j, 401, "invalid_client", "the client is not active"), 0;
    return 1;
}

int gh_km_user_caller(gh_km_job_t *j, const char *authz, const char *perm, gh_caller_t *out)
{
    char *user = NULL, *pw = NULL;
    const char *p, *e = NULL;
    gh_err_t err = {0};
    int rc = 0;

    memset(out, 0, sizeof(*out));
    /* a user's Basic credentials are RFC 7617's, never form-decoded: '+' and '%' in a password stay themselves
     * (only OAuth clients' are decoded, RFC 6749 §2.3.1) */
    if (authz == NULL || gh_basic_parse(authz, strlen(authz), 0, &user, &pw) != 1) {
        gh_km_job_fail(j, 401, "invalid_client", "HTTP Basic authentication of a user is required");
        goto out;
    }
    if (j->km->us == NULL) {
        gh_km_job_fail(j, 503, "temporarily_unavailable", "no user store");
        rc = -1;
        goto out;
    }
    switch (gh_us_authenticate_from(j->km->us, user, pw, j->peer, &err)) {
    case GH_US_AUTH_OK:
        break;
    case GH_US_AUTH_LOCKED:
        gh_km_job_fail(j, 401, "invalid_client", "the account is locked");
        goto out;
    case GH_US_AUTH_BAD_CREDENTIALS:
        gh_km_job_fail(j, 401, "invalid_client", "wrong user name or password");
        goto out;
    case GH_US_AUTH_THROTTLED:
        gh_km_job_fail(j, 429, "access_denied", "%s", err.msg);
        goto out;
    default:
        gh_log(GH_LOG_ERR, "keymanager", "user store failed: %s", err.msg);
        gh_km_job_fail(j, 500, "server_error", "the user store failed");
        rc = -1;
        goto out;
    }
    /* perm may list alternatives separated by '|' */
    rc = 0;
    for (p = perm; rc == 0 && p != NULL && *p; p = e != NULL ? e + 1 : NULL) {
        char one[256];
        e = strchr(p, '|');
        snprintf(one, sizeof(one), "%.*s", e != NULL ? (int)(e - p) : (int)strlen(p), p);
        rc = gh_us_authorize(j->km->us, user, one, "ui.execute", &err);
    }
    if (rc == 1 && (out->is_admin = gh_us_authorize(j->km->us, user, "/permission/admin", "ui.execute", &err)) < 0)
        rc = -1;
    if (rc < 0) {
        gh_km_job_fail(j, 500, "server_error", "the user store failed");
        goto out;
    }
    if (rc == 0) {
        gh_km_job_fail(j, 403, "access_denied", "the user lacks permission %s", perm);
        j->www_auth = 0;
        goto out;
    }
    out->kind = GH_CALLER_BASIC;
    snprintf(out->user, sizeof(out->user), "%s", user);
out:
    free(user);
    gh_free_secret(pw);
    return rc;
}

int gh_km_user_check(gh_km_job_t *j, const char *authz, const char *perm, char *out, size_t size)
{
    gh_caller_t caller;
    int rc = gh_km_user_caller(j, authz, perm, &caller);

    if (rc == 1)
        snprintf(out, size, "%s", caller.user);
    return rc;
}
