/* Dynamic Client Registration: RFC 7591/7592 at /api/identity/oauth2/dcr/v1.1/register[/{client_id}] (WSO2 IS)
 * and API Manager's /client-registration/v0.14/register. Callers authenticate with HTTP Basic as a user holding
 * the application-management (or API) permission. A client secret is shown once: only its keyed hash is kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>
#include "gatehouse/http.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "km_int.h"

#define DCR_PREFIX "/api/identity/oauth2/dcr/v1.1/register"
#define PERM_APP "/permission/admin/manage/identity/applicationmgt"
#define PERM_API "/permission/admin/manage/api/subscribe|/permission/admin/manage/api/create|/permission/admin/manage/api/publish"

static json_t *split(const char *list, char sep)
{
    json_t *a = json_array();
    const char *p = list, *e;

    while (p != NULL && *p) {
        e = strchr(p, sep);
        if (e == NULL)
            e = p + strlen(p);
        if (e > p)
            json_array_append_new(a, json_stringn(p, (size_t)(e - p)));
        p = *e ? e + 1 : NULL;
    }
    return a;
}

static json_t *redirects(const char *cb)
{
    char buf[1024];
    size_t l;

    if (strncmp(cb, "regexp=(", 8) != 0)
        return cb[0] ? json_pack("[s]", cb) : json_array();
    snprintf(buf, sizeof(buf), "%s", cb + 8);
    l = strlen(buf);
    if (l > 0 && buf[l - 1] == ')')
        buf[l - 1] = '\0';
    return split(buf, '|');
}

static json_t *metadata(const gh_km_app_t *app, const char *secret)
{
    json_t *m = json_pack("{s:s,s:s,s:o,s:o,s:s}", "client_id", app->client_id, "client_name", app->name, "redirect_uris",
                          redirects(app->callback), "grant_types", split(app->grant_types, ' '), "ext_param_owner",
                          app->owner);

    if (secret != NULL) {
        json_object_set_new(m, "client_secret", json_string(secret));
        json_object_set_new(m, "client_secret_expires_at", json_integer(0));
    }
    return m;
}

static int dcr_fail(gh_km_job_t *j, const gh_err_t *err)
{
    return gh_km_job_fail(j, 400, err->native == 1 ? "invalid_redirect_uri" : "invalid_client_metadata", "%s", err->msg);
}

/* Fill app from d with a fresh (or requested) id and secret; *secret gets the raw secret. */
static void new_app(gh_km_t *km, const gh_km_dcr_t *d, const char *owner, gh_km_app_t *app, char *secret, size_t size)
{
    char id[GH_KM_TOKEN_LEN], sec[GH_KM_TOKEN_LEN];

    memset(app, 0, sizeof(*app));
    gh_km_client_id(id);
    gh_km_token(sec);
    snprintf(app->client_id, sizeof(app->client_id), "%s", d->client_id[0] ? d->client_id : id);
    snprintf(secret, size, "%s", d->client_secret[0] ? d->client_secret : sec);
    gh_km_secret_store_form(km, secret, app->secret, sizeof(app->secret));
    snprintf(app->owner, sizeof(app->owner), "%s", owner);
    snprintf(app->name, sizeof(app->name), "%s", d->name);
    snprintf(app->callback, sizeof(app->callback), "%s", d->callback);
    snprintf(app->grant_types, sizeof(app->grant_types), "%s", d->grant_types);
    OPENSSL_cleanse(sec, sizeof(sec));
}

static int name_taken(gh_db_conn_t *c, const char *name, char *client_id, size_t size, gh_err_t *err)
{
    gh_db_stmt_t *s;
    int rc;

    if (gh_db_prepare(c, "SELECT CONSUMER_KEY FROM IDN_OAUTH_CONSUMER_APPS WHERE APP_NAME = ?", &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(name)), err) != GH_OK)
        return -1;
    if ((rc = gh_db_next(s, err)) == 1)
        snprintf(client_id, size, "%s", gh_db_col_text(s, 0, NULL));
    gh_db_reset(s);
    return rc;
}

/* A requested client id must not be a user name: introspection and DCR callers present "id:secret" either way */
static int client_id_free(gh_km_job_t *j, const char *cid)
{
    gh_err_t err = {0};
    int rc;

    if (cid[0] == '\0' || j->km->us == NULL)
        return 1;
    if ((rc = gh_us_user_exists(j->km->us, cid, &err)) < 0)
        return gh_km_job_fail(j, 500, "server_error", "user look-up failed"), 0;
    if (rc == 1)
        return gh_km_job_fail(j, 400, "invalid_client_metadata", "ext_param_client_id must not be a user name"), 0;
    return 1;
}

static void do_create(gh_km_job_t *j, gh_db_conn_t *c, const char *caller)
{
    gh_km_dcr_t d;
    gh_km_app_t app;
    gh_err_t err = {0};
    char secret[160], existing[256];

    if (gh_km_dcr_parse_rfc7591(j->in, &d, &err) != GH_OK)
        return (void)dcr_fail(j, &err);
    if (name_taken(c, d.name, existing, sizeof(existing), &err) != 0)
        return (void)gh_km_job_fail(j, 400, "invalid_client_metadata", "Application with the name %s already exist", d.name);
    if (!client_id_free(j, d.client_id))
        return;
    /* client_credentials tokens carry the owner's bound scopes: only an administrator registers for someone else */
    if (d.owner[0] && strcasecmp(d.owner, caller) != 0 &&
        gh_us_authorize(j->km->us, caller, "/permission/admin", "ui.execute", &err) != 1) {
        gh_km_job_fail(j, 403, "access_denied", "only an administrator may register a client for another owner");
        j->www_auth = 0;
        return;
    }
    new_app(j->km, &d, d.owner[0] ? d.owner : caller, &app, secret, sizeof(secret));
    if (gh_km_app_insert(j->km, c, &app, &err) != GH_OK) {
        OPENSSL_cleanse(secret, sizeof(secret));
        if (err.code == GH_DB_E_UNIQUE)
            return (void)gh_km_job_fail(j, 400, "invalid_client_metadata", "client_id %s already exists", app.client_id);
        gh_log(GH_LOG_ERR, "keymanager", "registering a client failed: %s", err.msg);
        return (void)gh_km_job_fail(j, 500, "server_error", "the client could not be stored");
    }
    j->out = metadata(&app, secret);
    j->status = 201;
    OPENSSL_cleanse(secret, sizeof(secret));
}

static void do_update(gh_km_job_t *j, gh_db_conn_t *c, gh_km_app_t *app)
{
    gh_km_dcr_t d;
    gh_err_t err = {0};

    if (gh_km_dcr_parse_rfc7591(j->in, &d, &err) != GH_OK)
        return (void)dcr_fail(j, &err);
    snprintf(app->name, sizeof(app->name), "%s", d.name);
    snprintf(app->callback, sizeof(app->callback), "%s", d.callback);
    snprintf(app->grant_types, sizeof(app->grant_types), "%s", d.grant_types);
    if (d.client_secret[0])
        gh_km_secret_store_form(j->km, d.client_secret, app->secret, sizeof(app->secret));
    if (gh_km_app_update(j->km, c, app, &err) != GH_OK)
        return (void)gh_km_job_fail(j, 500, "server_error", "the client could not be updated");
    __atomic_add_fetch(&j->km->clients_gen, 1, __ATOMIC_SEQ_CST);
    j->out = metadata(app, d.client_secret[0] ? d.client_secret : NULL);
    j->status = 200;
}

static void run_dcr(gh_km_job_t *j, gh_db_conn_t *c)
{
    const char *m = j->method, *cid = j->arg;
    char perm[128];
    gh_caller_t caller;
    gh_err_t err = {0};
    gh_km_app_t app;
    int rc;

    snprintf(perm, sizeof(perm), "%s/%s", PERM_APP,
             strcmp(m, "POST") == 0 ? "create" : strcmp(m, "GET") == 0 ? "view" : strcmp(m, "PUT") == 0 ? "update" : "delete");
    if (gh_km_user_caller(j, j->arg2, perm, &caller) != 1)
        return;
    if (cid == NULL)
        return do_create(j, c, caller.user);
    if ((rc = gh_km_app_get(j->km, c, cid, &app, &err)) < 0)
        return (void)gh_km_job_fail(j, 500, "server_error", "client look-up failed");
    if (rc == 0) {
        gh_km_job_fail(j, 404, "invalid_client", "no client %s", cid);
        j->www_auth = 0;
        return;
    }
    /* RFC 7592: only the client's owner (or an administrator) reads, changes or deletes it */
    if (!gh_caller_owns(&caller, app.owner)) {
        gh_km_job_fail(j, 403, "access_denied", "client %s belongs to another user", cid);
        j->www_auth = 0;
        return;
    }
    if (strcmp(m, "GET") == 0) {
        j->out = metadata(&app, j->km->plain_secrets ? app.secret : NULL);
        j->status = 200;
    } else if (strcmp(m, "PUT") == 0) {
        do_update(j, c, &app);
    } else if (gh_km_app_delete(j->km, c, cid, &err) != GH_OK) {
        gh_km_job_fail(j, 500, "server_error", "the client could not be deleted");
    } else {
        __atomic_add_fetch(&j->km->clients_gen, 1, __ATOMIC_SEQ_CST);
        j->status = 204;
        j->ctype = NULL;
    }
}

static int start(gh_km_t *km, h2o_req_t *req, void (*run)(gh_km_job_t *, gh_db_conn_t *), const char *cid)
{
    const h2o_iovec_t *authz = gh_http_header(req, "authorization");
    gh_km_job_t *j = gh_km_job_new(km, req, run);
    json_error_t jerr;
    const char *why = NULL;
    int st;

    /* CSRF: a cross-site form cannot send JSON, and a browser names its origin */
    if ((st = gh_http_json_write_check(req, &why)) != 0) {
        gh_km_job_fail(j, st, "invalid_request", "%s", why);
        j->www_auth = 0;
        goto answer;
    }
    if (authz == NULL) {
        gh_km_job_fail(j, 401, "invalid_client", "HTTP Basic authentication of a user is required");
        goto answer;
    }
    j->arg2 = gh_strndup(authz->base, authz->len);
    j->arg = gh_strdup(cid);
    if (strcmp(j->method, "POST") == 0 || strcmp(j->method, "PUT") == 0) {
        if (req->entity.len > 64 * 1024 ||
            (j->in = json_loadb(req->entity.base != NULL ? req->entity.base : "", req->entity.len, 0, &jerr)) == NULL) {
            gh_km_job_fail(j, 400, "invalid_client_metadata", "the body must be a JSON object");
            goto answer;
        }
    }
    gh_km_job_submit(j, req);
    return 0;
answer:
    gh_km_job_answer(j, req);
    return 0;
}

int gh_km_on_dcr(h2o_handler_t *self, h2o_req_t *req)
{
    gh_km_t *km = ((gh_route_t *)self)->data;
    const char *p = req->path_normalized.base + strlen(DCR_PREFIX);
    size_t rest = req->path_normalized.len - strlen(DCR_PREFIX);
    char cid[256];

    if (rest == 0 || (rest == 1 && *p == '/')) {
        if (!gh_http_method_is(req, "POST")) {
            gh_http_send_oauth_error(req, 405, "invalid_request", "use POST to register a client");
            return 0;
        }
        return start(km, req, run_dcr, NULL);
    }
    if (*p != '/' || rest - 1 >= sizeof(cid) || memchr(p + 1, '/', rest - 1) != NULL)
        return -1;
    if (!gh_http_method_is(req, "GET") && !gh_http_method_is(req, "PUT") && !gh_http_method_is(req, "DELETE")) {
        gh_http_send_oauth_error(req, 405, "invalid_request", "use GET, PUT or DELETE on a registered client");
        return 0;
    }
    snprintf(cid, sizeof(cid), "%.*s", (int)(rest - 1), p + 1);
    return start(km, req, run_dcr, cid);
}

/* --- API Manager's /client-registration/v0.14/register --- */

static void run_apim(gh_km_job_t *j, gh_db_conn_t *c)
{
    char caller[256], secret[160], existing[256], *js;
    gh_km_dcr_t d;
    gh_km_app_t app;
    gh_err_t err = {0};
    int rc;

    if (gh_km_user_check(j, j->arg2, PERM_API, caller, sizeof(caller)) != 1)
        return;
    if (gh_km_dcr_parse_apim(j->in, &d, &err) != GH_OK)
        return (void)gh_km_job_fail(j, 400, "invalid_request", "%s", err.msg);
    if (strcasecmp(d.owner, caller) != 0)
        return (void)gh_km_job_fail(j, 400, "invalid_request",
                                    "Logged in user '%s' and application owner '%s' should be same.", caller, d.owner);
    if ((rc = name_taken(c, d.name, existing, sizeof(existing), &err)) < 0)
        return (void)gh_km_job_fail(j, 500, "server_error", "client look-up failed");
    if (rc == 1 && (rc = gh_km_app_get(j->km, c, existing, &app, &err)) < 0)
        return (void)gh_km_job_fail(j, 500, "server_error", "client look-up failed");
    if (rc == 1 && strcmp(app.owner, caller) != 0) {
        /* "<owner>_<clientName>" is ambiguous (bob + x_y, bob_x + y): a name someone else holds is theirs; exactly
         * the owner gets it back, not even an administrator, whose call would break the owner's client */
        gh_km_job_fail(j, 409, "invalid_request", "the application name %s is taken by another user", d.name);
        j->www_auth = 0;
        return;
    }
    if (rc == 1) {
        /* API Manager hands the existing client back; its secret exists only as a hash, so a new one is issued */
        char sec[GH_KM_TOKEN_LEN];
        gh_km_token(sec);
        snprintf(secret, sizeof(secret), "%s", sec);
        gh_km_secret_store_form(j->km, secret, app.secret, sizeof(app.secret));
        if (gh_km_app_update(j->km, c, &app, &err) != GH_OK)
            return (void)gh_km_job_fail(j, 500, "server_error", "the client could not be updated");
        __atomic_add_fetch(&j->km->clients_gen, 1, __ATOMIC_SEQ_CST);
    } else {
        new_app(j->km, &d, caller, &app, secret, sizeof(secret));
        if (gh_km_app_insert(j->km, c, &app, &err) != GH_OK)
            return (void)gh_km_job_fail(j, 500, "server_error", "the client could not be stored");
    }
    {
        json_t *o = json_pack("{s:s,s:s,s:s}", "grant_types", app.grant_types, "client_name", app.name, "redirect_uris",
                              app.callback);
        js = json_dumps(o, JSON_COMPACT);
        json_decref(o);
    }
    j->out = json_pack("{s:s,s:s,s:s,s:s,s:b,s:s,s:s}", "clientId", app.client_id, "clientName", app.name, "callBackURL",
                       app.callback, "clientSecret", secret, "isSaasApplication", d.saas, "appOwner", app.owner,
                       "jsonString", js);
    free(js);
    j->status = 200;
    OPENSSL_cleanse(secret, sizeof(secret));
}

int gh_km_on_apim_dcr(h2o_handler_t *self, h2o_req_t *req)
{
    gh_km_t *km = ((gh_route_t *)self)->data;

    if (!gh_http_method_is(req, "POST")) {
        gh_http_send_oauth_error(req, 405, "invalid_request", "use POST");
        return 0;
    }
    return start(km, req, run_apim, NULL);
}
