/* POST /services/APIKeyValidationService/validateKey: APIKeyValidationService.validateKey for gateways in
 * other processes (split deployments, docs/deployment.md). WSO2 speaks SOAP here; Gatehouse speaks JSON with
 * the same argument and DTO field names: the body is {"context", "version", "accessToken",
 * "requiredAuthenticationLevel", "clientDomain", "requiredScope", "generateJWT"}, the answer the DTO
 * (gh_keyval_info_encode), including the backend JWT as endUserToken. Callers authenticate with HTTP Basic as
 * a user holding /permission/admin/manage (the service's AuthorizationAction in WSO2); an authenticated caller
 * is remembered for GH_KM_CACHE_TTL_MS (by an HMAC of its header), so a gateway's keep-alive calls cost no
 * password hash each. */
#include <string.h>
#include <jansson.h>
#include "gatehouse/http.h"
#include "gatehouse/keymanager.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "km_int.h"

#define KEYVAL_PERM "/permission/admin/manage"
#define KEYVAL_BODY_MAX (64 * 1024)

static const char *field(json_t *in, const char *name)
{
    return json_string_value(json_object_get(in, name));
}

static void work(gh_job_t *job)
{
    gh_km_job_t *j = (gh_km_job_t *)job;
    char key[GH_KM_HASH_HEX], user[256];
    gh_keyval_req_t rq = {0};
    gh_keyval_info_t info;
    gh_err_t err = {0};
    int ok = 1;

    gh_km_hmac_hex(j->km->secret, sizeof(j->km->secret), j->arg2 ? j->arg2 : "", j->arg2 ? strlen(j->arg2) : 0, key);
    if (!gh_km_cache_get(&j->km->callers, key, &ok, gh_km_now_ms())) {
        if (gh_km_user_check(j, j->arg2, KEYVAL_PERM, user, sizeof(user)) != 1)
            return;
        gh_km_cache_put(&j->km->callers, key, &ok, gh_km_now_ms() + GH_KM_CACHE_TTL_MS);
    }
    rq.token = j->arg;
    rq.context = field(j->in, "context");
    rq.version = field(j->in, "version");
    rq.auth_level = field(j->in, "requiredAuthenticationLevel");
    rq.required_scope = field(j->in, "requiredScope");
    rq.client_domain = field(j->in, "clientDomain");
    rq.with_jwt = json_is_true(json_object_get(j->in, "generateJWT"));
    if (gh_km_validate_key(j->km, &rq, &info, &err) != GH_OK) {
        gh_log(GH_LOG_ERR, "keymanager", "validateKey failed: %s", err.msg);
        gh_km_job_fail(j, 503, "temporarily_unavailable", "the key manager could not validate the key");
        j->www_auth = 0;
        return;
    }
    j->text = gh_keyval_info_encode(&info);
    j->ctype = "application/json";
    j->status = 200;
    gh_keyval_info_dispose(&info);
}

int gh_km_on_keyval(h2o_handler_t *self, h2o_req_t *req)
{
    gh_km_t *km = ((gh_route_t *)self)->data;
    const h2o_iovec_t *authz = gh_http_header(req, "authorization");
    gh_km_job_t *j;
    json_error_t je;
    const char *token;

    if (!gh_http_method_is(req, "POST")) {
        gh_http_send_oauth_error(req, 405, "invalid_request", "use POST");
        return 0;
    }
    j = gh_km_job_new(km, req, NULL);
    j->super.work = work; /* no connection borrowed up front: gh_km_validate_key takes its own */
    if (authz == NULL) {
        gh_km_job_fail(j, 401, "invalid_client", "HTTP Basic authentication of a user with %s is required",
                       KEYVAL_PERM);
        goto answer;
    }
    j->arg2 = gh_strndup(authz->base, authz->len);
    if (req->entity.len > KEYVAL_BODY_MAX) {
        gh_km_job_fail(j, 413, "invalid_request", "the request body is too large");
        goto answer;
    }
    if ((j->in = json_loadb(req->entity.base != NULL ? req->entity.base : "", req->entity.len, 0, &je)) == NULL ||
        !json_is_object(j->in)) {
        gh_km_job_fail(j, 400, "invalid_request", "the body must be a JSON object");
        goto answer;
    }
    if ((token = field(j->in, "accessToken")) == NULL || token[0] == '\0' || field(j->in, "context") == NULL ||
        field(j->in, "version") == NULL) {
        gh_km_job_fail(j, 400, "invalid_request", "accessToken, context and version are required strings");
        goto answer;
    }
    j->arg = gh_strdup(token);
    gh_km_job_submit(j, req);
    return 0;
answer:
    gh_km_job_answer(j, req);
    return 0;
}
