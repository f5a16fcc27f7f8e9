/* /carbon/api: what /carbon needs beyond SCIM 2.0, authorised like SCIM's bearer tokens (the token's user and
 * that user's permissions):
 *   GET  /carbon/api/permissions            the permission tree          (rolemgt/view)
 *   GET  /carbon/api/permissions?role=R     R's permissions              (rolemgt/view)
 *   PUT  /carbon/api/permissions?role=R     {"permissions":[...]}        (rolemgt/update)
 *   POST /carbon/api/unlock                 {"userName":"..."}           (usermgt/update)
 * Errors are the v0.14 REST error body; error[].message starts with the field it is about ("permissions: ..."). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include "consoles_int.h"
#include "gatehouse/form.h"
#include "gatehouse/http.h"
#include "gatehouse/job.h"
#include "gatehouse/keymanager.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"

#define UM_MAX_BODY (256 * 1024)
#define PERM_ROLE_VIEW "/permission/admin/manage/identity/rolemgt/view"
#define PERM_ROLE_UPDATE "/permission/admin/manage/identity/rolemgt/update"
#define PERM_USER_UPDATE "/permission/admin/manage/identity/usermgt/update"

typedef enum { OP_TREE, OP_ROLE_GET, OP_ROLE_PUT, OP_UNLOCK } um_op_t;

typedef struct st_um_job_t {
    gh_job_t super;
    gh_console_um_t *um;
    um_op_t op;
    char *bearer, *role, *body;
    char user[256]; /* the token's user, once authorised */
    /* result */
    int status;
    json_t *resp;
    char field[32];
    char desc[512];
} um_job_t;

static int fail(um_job_t *j, int status, const char *field, const char *desc)
{
    j->status = status;
    snprintf(j->field, sizeof(j->field), "%s", field != NULL ? field : "");
    snprintf(j->desc, sizeof(j->desc), "%s", desc);
    json_decref(j->resp);
    j->resp = NULL;
    return GH_ERR;
}

static int fail_err(um_job_t *j, const gh_err_t *err, const char *field)
{
    switch (err->code) {
    case GH_E_NOTFOUND: return fail(j, 404, field, err->msg);
    case GH_E_INPUT: return fail(j, 400, field, err->msg);
    case GH_E_FORBIDDEN: return fail(j, 403, field, err->msg);
    case GH_E_CONFLICT: return fail(j, 409, field, err->msg);
    default:
        gh_log(GH_LOG_ERR, "consoles", "user store error: %s", err->msg);
        return fail(j, err->code == GH_DB_E_CONN_LOST || err->code == GH_DB_E_TIMEOUT ? 503 : 500, NULL,
                    "the user store is unavailable");
    }
}

/* the token's user must hold perm: GH_OK, or GH_ERR with the answer set */
static int authorize(um_job_t *j, const char *perm)
{
    char *user = j->user, scope[1024];
    gh_err_t err = {0};
    int rc;

    if (j->bearer == NULL)
        return fail(j, 401, NULL, "an access token is required (Authorization: Bearer)");
    if (j->um->km == NULL)
        return fail(j, 401, NULL, "bearer tokens need the key manager in this process");
    if ((rc = gh_km_bearer(j->um->km, j->bearer, user, sizeof(j->user), scope, sizeof(scope), &err)) < 0)
        return fail_err(j, &err, NULL);
    if (rc == 0)
        return fail(j, 401, NULL, "the access token is not active");
    if ((rc = gh_us_authorize(j->um->us, user, perm, "ui.execute", &err)) < 0)
        return fail_err(j, &err, NULL);
    if (rc == 0) {
        char d[512];
        snprintf(d, sizeof(d), "user %s lacks the permission %s", user, perm);
        return fail(j, 403, NULL, d);
    }
    return GH_OK;
}

static json_t *list_json(const gh_us_strlist_t *l)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < l->n; ++i)
        json_array_append_new(a, json_string(l->items[i]));
    return a;
}

static int role_permissions(um_job_t *j)
{
    gh_us_strlist_t l = {0};
    gh_err_t err = {0};
    int rc = GH_ERR;

    if (gh_us_list_permissions(j->um->us, j->role, &l, &err) != GH_OK) {
        fail_err(j, &err, NULL);
        goto out;
    }
    j->resp = j->role != NULL ? json_pack("{s:s,s:o}", "role", j->role, "permissions", list_json(&l))
                              : json_pack("{s:o}", "permissions", list_json(&l));
    j->status = 200;
    rc = GH_OK;
out:
    gh_us_strlist_dispose(&l);
    return rc;
}

static json_t *parse_body(um_job_t *j)
{
    json_error_t je;
    json_t *b;

    if (j->body == NULL || (b = json_loads(j->body, JSON_REJECT_DUPLICATES, &je)) == NULL)
        return fail(j, 400, NULL, "a JSON object body is required"), NULL;
    if (!json_is_object(b)) {
        json_decref(b);
        return fail(j, 400, NULL, "the body must be a JSON object"), NULL;
    }
    return b;
}

/* a path the permission tree may hold; gh_us_set_role_permissions() refuses the others (400) */
static int under_permission(const char *p)
{
    return strncmp(p, "/permission", 11) == 0 && (p[11] == '\0' || p[11] == '/');
}

static int set_permissions(um_job_t *j)
{
    json_t *b = parse_body(j), *a, *v;
    const char **res = NULL;
    gh_err_t err = {0};
    size_t i, n = 0;
    int rc = GH_ERR;

    if (b == NULL)
        return GH_ERR;
    if (!json_is_array(a = json_object_get(b, "permissions"))) {
        fail(j, 400, "permissions", "permissions: a list of permission paths is required");
        goto out;
    }
    res = gh_calloc(json_array_size(a) + 1, sizeof(*res));
    json_array_foreach(a, i, v) {
        if (!json_is_string(v)) {
            fail(j, 400, "permissions", "permissions: every item is a string such as /permission/admin/login");
            goto out;
        }
        res[n++] = json_string_value(v);
    }
    /* as SCIM's Groups: changing a role needs every permission it grants now, and granting one needs holding it,
     * else rolemgt/update would let a user grant its own role /permission (the administrator's powers) */
    if ((rc = gh_us_role_covered(j->um->us, j->user, j->role, &err)) != 1) {
        if (rc < 0)
            fail_err(j, &err, "role");
        else
            fail(j, 403, "role", "role: it grants permissions the caller does not hold");
        rc = GH_ERR;
        goto out;
    }
    for (i = 0; i < n; ++i)
        if (under_permission(res[i]) && (rc = gh_us_authorize(j->um->us, j->user, res[i], "ui.execute", &err)) != 1) {
            char d[512];
            if (rc < 0) {
                fail_err(j, &err, "permissions");
            } else {
                snprintf(d, sizeof(d), "permissions: the caller does not hold %s", res[i]);
                fail(j, 403, "permissions", d);
            }
            rc = GH_ERR;
            goto out;
        }
    rc = GH_ERR;
    if (gh_us_set_role_permissions(j->um->us, j->role, res, n, &err) != GH_OK) {
        fail_err(j, &err, err.code == GH_E_INPUT ? "permissions" : "role");
        goto out;
    }
    gh_log(GH_LOG_NOTICE, "consoles", "permissions of role %s replaced (%zu)", j->role, n);
    rc = role_permissions(j);
out:
    free(res);
    json_decref(b);
    return rc;
}

static int unlock(um_job_t *j)
{
    json_t *b = parse_body(j);
    const char *user;
    gh_err_t err = {0};
    int rc = GH_ERR, covered;

    if (b == NULL)
        return GH_ERR;
    if ((user = json_string_value(json_object_get(b, "userName"))) == NULL || *user == '\0')
        fail(j, 400, "userName", "userName: the user to unlock is required");
    else if ((covered = gh_us_user_covered(j->um->us, j->user, user, &err)) < 0)
        fail_err(j, &err, "userName");
    else if (covered == 0) /* as SCIM: acting on a user needs every permission its roles grant */
        fail(j, 403, "userName", "userName: the user holds permissions the caller does not");
    else if (gh_us_unlock_user(j->um->us, user, &err) != GH_OK)
        fail_err(j, &err, "userName");
    else {
        j->status = 204;
        rc = GH_OK;
    }
    json_decref(b);
    return rc;
}

static void on_work(gh_job_t *job)
{
    um_job_t *j = (um_job_t *)job;
    static const char *const perms[] = {PERM_ROLE_VIEW, PERM_ROLE_VIEW, PERM_ROLE_UPDATE, PERM_USER_UPDATE};

    if (authorize(j, perms[j->op]) != GH_OK)
        return;
    switch (j->op) {
    case OP_TREE:
    case OP_ROLE_GET: role_permissions(j); break;
    case OP_ROLE_PUT: set_permissions(j); break;
    case OP_UNLOCK: unlock(j); break;
    }
}


/* the v0.14 REST error body */
static void send_error(h2o_req_t *req, int status, const char *field, const char *desc)
{
    json_t *e = gh_http_rest_error(status, gh_http_reason(status), desc, field, desc);

    if (status == 401)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                       H2O_STRLIT("Bearer realm=\"Gatehouse\""));
    gh_http_send_json(req, status, e);
    json_decref(e);
}

static void free_job(um_job_t *j)
{
    gh_free_secret(j->bearer);
    free(j->role);
    free(j->body);
    json_decref(j->resp);
    free(j);
}

static void on_done(gh_job_t *job)
{
    um_job_t *j = (um_job_t *)job;
    h2o_req_t *req = job->req;

    if (req != NULL) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
        if (j->resp != NULL)
            gh_http_send_json(req, j->status, j->resp);
        else if (j->status == 204)
            gh_http_send(req, 204, NULL, "", 0);
        else
            send_error(req, j->status, j->field, j->desc);
    }
    free_job(j);
}

static int is_json(h2o_req_t *req)
{
    const h2o_iovec_t *ct = gh_http_header(req, "content-type");

    return ct != NULL && ct->len >= 16 && strncasecmp(ct->base, "application/json", 16) == 0 &&
           (ct->len == 16 || ct->base[16] == ';' || ct->base[16] == ' ');
}

int gh_console_on_usermgt(h2o_handler_t *self, h2o_req_t *req)
{
    gh_console_um_t *um = ((gh_route_t *)self)->data;
    const char *path = req->path_normalized.base + 11; /* after "/carbon/api" */
    size_t plen = req->path_normalized.len - 11, blen = 0, tlen;
    int get = gh_http_method_is(req, "GET"), put = gh_http_method_is(req, "PUT"), post = gh_http_method_is(req, "POST");
    const h2o_iovec_t *auth;
    const char *tok;
    char *role, *body;
    um_job_t *j;
    um_op_t op;

    gh_console_security_headers(req, "default-src 'none'; frame-ancestors 'none'");
    role = gh_http_query_param(req, "role");
    if (plen == 12 && memcmp(path, "/permissions", 12) == 0 && (get || put)) {
        op = get ? (role != NULL ? OP_ROLE_GET : OP_TREE) : OP_ROLE_PUT;
        if (op == OP_ROLE_PUT && (role == NULL || *role == '\0')) {
            send_error(req, 400, "role", "role: the query parameter role names the role to change");
            return 0;
        }
    } else if (plen == 7 && memcmp(path, "/unlock", 7) == 0 && post) {
        op = OP_UNLOCK;
    } else if ((plen == 12 && memcmp(path, "/permissions", 12) == 0) || (plen == 7 && memcmp(path, "/unlock", 7) == 0)) {
        send_error(req, 405, NULL, "method not allowed here");
        return 0;
    } else {
        send_error(req, 404, NULL, "no such resource");
        return 0;
    }
    if ((put || post) && !is_json(req)) {
        send_error(req, 415, NULL, "the body must be application/json");
        return 0;
    }
    if ((body = gh_http_body(req, UM_MAX_BODY, &blen)) == NULL) {
        send_error(req, 413, NULL, "the body is larger than 256 KiB");
        return 0;
    }
    j = gh_calloc(1, sizeof(*j));
    j->super.work = on_work;
    j->super.done = on_done;
    j->um = um;
    j->op = op;
    if ((auth = gh_http_header(req, "authorization")) != NULL && (tok = gh_bearer_token(auth->base, auth->len, &tlen)) != NULL)
        j->bearer = gh_strndup(tok, tlen);
    j->role = role != NULL ? gh_strdup(role) : NULL;
    j->body = blen ? gh_strndup(body, blen) : NULL;
    gh_job_submit(&j->super, req);
    return 0;
}
