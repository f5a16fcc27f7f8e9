/* Who calls /scim2 and what they may do. HTTP Basic authenticates against the user store (which remembers
 * verified passwords itself, checked against the stored hash and lock state on every call, so a password change
 * or a lock-out counts at the next request); roles and permissions are read on every request. A bearer token of
 * this key manager acts for its user and must also carry the WSO2 IS scope of the operation
 * (internal_user_mgt_*, internal_group_mgt_*, internal_login for /Me). Failed Basic logins are throttled per
 * source address by the user store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scim_int.h"
#include "gatehouse/keymanager.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"

/* An access token of this key manager acts for the user it was issued to (for client_credentials, the
 * application's owner); permissions are then the user's own, narrowed by the token's scopes. */
static int bearer_user(scim_job_t *j)
{
    char user[256], scope[1024];
    gh_err_t err = {0};
    int rc;

    if (j->km == NULL)
        return scim_fail(j, 401, NULL, "bearer tokens need the key manager in this process; use HTTP Basic"), 0;
    if ((rc = gh_km_bearer(j->km, j->bearer, user, sizeof(user), scope, sizeof(scope), &err)) < 0)
        return scim_fail_err(j, &err), 0;
    if (rc == 0)
        return scim_fail(j, 401, "invalid_token", "the access token is not active"), 0;
    j->auth_user = gh_strdup(user);
    j->caller.kind = GH_CALLER_BEARER;
    snprintf(j->caller.scope, sizeof(j->caller.scope), "%s", scope);
    return 1;
}

static int basic_user(scim_job_t *j)
{
    gh_err_t err = {0};

    if (j->auth_user == NULL)
        return scim_fail(j, 401, NULL, "authentication required: use HTTP Basic or a bearer token"), 0;
    switch (gh_us_authenticate_from(j->us, j->auth_user, j->auth_password, j->peer, &err)) {
    case GH_US_AUTH_OK: break;
    case GH_US_AUTH_LOCKED: return scim_fail(j, 401, NULL, "account is locked"), 0;
    case GH_US_AUTH_BAD_CREDENTIALS: return scim_fail(j, 401, NULL, "invalid user name or password"), 0;
    case GH_US_AUTH_THROTTLED: return scim_fail(j, 429, NULL, "%s", err.msg), 0;
    default: return scim_fail_err(j, &err), 0;
    }
    j->caller.kind = GH_CALLER_BASIC;
    return 1;
}

int scim_authorize(scim_job_t *j, int needs_admin, const char *scope)
{
    gh_err_t err = {0};
    int rc;

    if (!(j->bearer != NULL ? bearer_user(j) : basic_user(j)))
        return 0;
    snprintf(j->caller.user, sizeof(j->caller.user), "%s", j->auth_user);
    if ((rc = gh_us_authorize(j->us, j->auth_user, "/permission/admin", "ui.execute", &err)) < 0)
        return scim_fail_err(j, &err), 0;
    j->caller.is_admin = rc == 1;
    if (j->caller.kind == GH_CALLER_BEARER && scope != NULL && !gh_caller_has_scope(&j->caller, scope))
        return scim_fail(j, 403, "insufficient_scope", "the access token lacks the scope %s", scope), 0;
    if (!needs_admin)
        return 1;
    if ((rc = gh_us_authorize(j->us, j->auth_user, SCIM_PERMISSION, "ui.execute", &err)) < 0)
        return scim_fail_err(j, &err), 0;
    if (rc != 1)
        return scim_fail(j, 403, NULL, "user %s lacks the permission %s", j->auth_user, SCIM_PERMISSION), 0;
    return 1;
}

int scim_may_manage_user(scim_job_t *j, const char *user)
{
    gh_err_t err = {0};
    int rc;

    if (j->caller.is_admin)
        return 1;
    if ((rc = gh_us_user_covered(j->us, j->auth_user, user, &err)) < 0)
        return scim_fail_err(j, &err), 0;
    if (rc == 0)
        return scim_fail(j, 403, NULL, "user %s holds permissions that %s does not: only a user holding all of them "
                         "may change it", user, j->auth_user), 0;
    return 1;
}

int scim_may_manage_role(scim_job_t *j, const char *role)
{
    gh_err_t err = {0};
    int rc;

    if (j->caller.is_admin)
        return 1;
    if ((rc = gh_us_role_covered(j->us, j->auth_user, role, &err)) < 0)
        return scim_fail_err(j, &err), 0;
    if (rc == 0)
        return scim_fail(j, 403, NULL, "role %s grants permissions that %s does not hold: only a user holding all "
                         "of them may change it or its members", role, j->auth_user), 0;
    return 1;
}
