/* SCIM 2.0 on the management listeners: the loop parses the request and hands a job to a worker (every user
 * store call blocks on SQL); done() sends the SCIM JSON back. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "scim_int.h"
#include "gatehouse/form.h"
#include "gatehouse/http.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/registry.h"
#include "gatehouse/scim.h"

int scim_fail(scim_job_t *j, int status, const char *scim_type, const char *fmt, ...)
{
    va_list ap;

    j->status = status;
    j->scim_type = scim_type;
    va_start(ap, fmt);
    vsnprintf(j->detail, sizeof(j->detail), fmt, ap);
    va_end(ap);
    json_decref(j->resp);
    j->resp = NULL;
    return GH_ERR;
}

int scim_fail_err(scim_job_t *j, const gh_err_t *err)
{
    switch (err->code) {
    case GH_E_NOTFOUND: return scim_fail(j, 404, NULL, "%s", err->msg);
    case GH_E_CONFLICT:
    case GH_DB_E_UNIQUE: return scim_fail(j, 409, "uniqueness", "%s", err->msg);
    case GH_E_INPUT: return scim_fail(j, 400, "invalidValue", "%s", err->msg);
    case GH_E_FORBIDDEN: return scim_fail(j, 403, NULL, "%s", err->msg);
    default:
        /* the driver's message stays in the log; the client learns only that the store failed */
        gh_log(GH_LOG_ERR, "scim", "user store error: %s", err->msg);
        return scim_fail(j, err->code == GH_DB_E_CONN_LOST || err->code == GH_DB_E_TIMEOUT ? 503 : 500, NULL,
                         "the user store is unavailable");
    }
}

json_t *scim_parse_body(scim_job_t *j)
{
    json_error_t je;
    json_t *body;

    if (j->body == NULL || *j->body == '\0')
        return scim_fail(j, 400, "invalidSyntax", "a JSON body is required"), NULL;
    if ((body = json_loads(j->body, JSON_REJECT_DUPLICATES, &je)) == NULL)
        return scim_fail(j, 400, "invalidSyntax", "malformed JSON at line %d column %d: %s", je.line, je.column,
                         je.text),
               NULL;
    if (!json_is_object(body)) {
        json_decref(body);
        return scim_fail(j, 400, "invalidSyntax", "the body must be a JSON object"), NULL;
    }
    return body;
}

static void free_job(scim_job_t *j)
{
    free(j->method);
    free(j->id);
    free(j->body);
    free(j->filter);
    free(j->start_index);
    free(j->count);
    free(j->auth_user);
    gh_free_secret(j->auth_password);
    gh_free_secret(j->bearer);
    json_decref(j->resp);
    free(j);
}

static void on_work(gh_job_t *job)
{
    scim_job_t *j = (scim_job_t *)job;

    j->handler(j);
}

static void on_answer(gh_job_t *job, h2o_req_t *req)
{
    scim_job_t *j = (scim_job_t *)job;

    {
        if (j->status == 401)
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                           H2O_STRLIT("Basic realm=\"Gatehouse\", Bearer realm=\"Gatehouse\""));
        if (j->resp != NULL) {
            char *s = json_dumps(j->resp, JSON_COMPACT);
            gh_http_send(req, j->status, "application/scim+json", s, strlen(s));
            free(s);
        } else if (j->status == 204) {
            gh_http_send(req, 204, NULL, "", 0);
        } else {
            gh_http_send_scim_error(req, j->status, j->scim_type, j->detail);
        }
    }
}

static void on_dispose(gh_job_t *job)
{
    free_job((scim_job_t *)job);
}

static char *dup_iov(const char *p, size_t n)
{
    return p == NULL ? NULL : gh_strndup(p, n);
}

static char *dup_str(const char *s)
{
    return s == NULL ? NULL : gh_strdup(s);
}

static const char service_provider_config[] =
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig\"],"
    "\"patch\":{\"supported\":true},\"bulk\":{\"supported\":false,\"maxOperations\":0,\"maxPayloadSize\":0},"
    "\"filter\":{\"supported\":true,\"maxResults\":200},\"changePassword\":{\"supported\":true},"
    "\"sort\":{\"supported\":false},\"etag\":{\"supported\":false},"
    "\"authenticationSchemes\":[{\"type\":\"httpbasic\",\"name\":\"HTTP Basic\","
    "\"description\":\"Authentication with the user store's user name and password\",\"primary\":true}]}";

static const struct {
    const char *name;
    int (*handler)(scim_job_t *);
    int me;
} endpoints[] = {{"/Users", scim_users, 0}, {"/Groups", scim_groups, 0}, {"/Me", scim_users, 1}};

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    scim_ctx_t *ctx = ((gh_route_t *)self)->data;
    const char *path = req->path_normalized.base + 6; /* after "/scim2" */
    size_t plen = req->path_normalized.len - 6, seg = 0, i;
    int (*handler)(scim_job_t *) = NULL;
    scim_job_t *j;
    char *user = NULL, *password = NULL, *body = NULL;
    size_t blen = 0;
    int me = 0, basic;
    const h2o_iovec_t *auth;
    const char *tok;
    size_t tlen;
    char *bearer = NULL;

    for (i = 0; i < GH_ARRAY_SIZE(endpoints); ++i) {
        size_t n = strlen(endpoints[i].name);
        if (plen >= n && memcmp(path, endpoints[i].name, n) == 0 &&
            (plen == n || (path[n] == '/' && plen > n + 1 && !endpoints[i].me))) {
            handler = endpoints[i].handler;
            me = endpoints[i].me;
            seg = n;
            break;
        }
    }
    if (handler == NULL && plen == 22 && memcmp(path, "/ServiceProviderConfig", 22) == 0) {
        gh_http_send(req, 200, "application/scim+json", service_provider_config, sizeof(service_provider_config) - 1);
        return 0;
    }
    if (handler == NULL) {
        gh_http_send_scim_error(req, 404, NULL, "no such SCIM endpoint");
        return 0;
    }
    if ((basic = gh_http_basic_auth(req, 0, &user, &password)) < 0) {
        gh_http_send_scim_error(req, 400, NULL, "malformed Authorization header");
        return 0;
    }
    if (basic == 0 && (auth = gh_http_header(req, "authorization")) != NULL &&
        (tok = gh_bearer_token(auth->base, auth->len, &tlen)) != NULL)
        bearer = gh_strndup(tok, tlen);
    if ((body = gh_http_body(req, SCIM_MAX_BODY, &blen)) == NULL) {
        gh_free_secret(bearer);
        gh_http_send_scim_error(req, 413, NULL, "the body is larger than 1 MiB");
        return 0;
    }
    j = gh_calloc(1, sizeof(*j));
    j->super.work = on_work;
    j->super.answer = on_answer;
    j->super.dispose = on_dispose;
    j->us = ctx->us;
    j->km = ctx->km;
    j->bearer = bearer;
    j->handler = handler;
    j->me = me;
    j->method = dup_iov(req->method.base, req->method.len);
    if (plen > seg + 1)
        j->id = dup_iov(path + seg + 1, plen - seg - 1);
    j->body = blen ? gh_strndup(body, blen) : NULL;
    j->filter = dup_str(gh_http_query_param(req, "filter"));
    j->start_index = dup_str(gh_http_query_param(req, "startIndex"));
    j->count = dup_str(gh_http_query_param(req, "count"));
    if (basic == 1) {
        j->auth_user = gh_strdup(user);
        j->auth_password = gh_strdup(password);
        OPENSSL_cleanse(password, strlen(password));
    }
    gh_job_submit(&j->super, req);
    return 0;
}

static scim_ctx_t scim_ctx;

static int on_setup(gh_server_t *srv, gh_err_t *err)
{
    if ((scim_ctx.us = gh_server_userstore(srv)) == NULL)
        return gh_err_set(err, GH_E_CONFIG, "SCIM needs the user store module");
    scim_ctx.km = gh_server_km(srv); /* NULL in an admin-only process */
    return gh_server_route(srv, GH_ON_MGT, "/scim2", on_req, &scim_ctx, err);
}

static const gh_module_t scim_module = {.name = "scim", .roles = GH_ROLE_KM | GH_ROLE_ADMIN, .setup = on_setup};

void gh_scim_register_module(void)
{
    static const gh_plugin_t p = {.family = GH_FAMILY_MODULE, .name = "scim", .ops = &scim_module};

    gh_registry_add(&p, NULL);
}
