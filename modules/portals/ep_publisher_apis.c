/* Publisher v0.14 /apis: list and search, create, read, update, delete, and the Swagger definition. Creators and
 * publishers see every API of the tenant (as API Manager does); only the provider, a holder of apim:api_publish
 * or an administrator changes or deletes one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "portals_int.h"

/* every name in the comma list must be a policy of level */
static int check_policies(gh_portal_job_t *j, gh_db_conn_t *c, const char *csv, const char *level, const char *field)
{
    json_t *names = gh_portal_csv_to_json(csv), *v;
    gh_err_t err = {0};
    size_t i;
    int rc = GH_OK, r;

    json_array_foreach(names, i, v) {
        if ((r = gh_portal_policy_exists(c, level, json_string_value(v), &err)) < 0) {
            rc = gh_portal_fail_db(j, "reading policies", &err);
            break;
        }
        if (r == 0) {
            rc = gh_portal_fail(j, 400, field, "%s: unknown %s policy '%s'", field, level, json_string_value(v));
            break;
        }
    }
    json_decref(names);
    return rc;
}

static int check_api_policies(gh_portal_job_t *j, gh_db_conn_t *c, const gh_portal_api_t *a)
{
    size_t i;

    if (check_policies(j, c, a->tiers, "subscription", "tiers") != GH_OK)
        return GH_ERR;
    if (a->api_tier != NULL && a->api_tier[0] && check_policies(j, c, a->api_tier, "api", "apiLevelPolicy") != GH_OK)
        return GH_ERR;
    for (i = 0; i < a->nres; ++i)
        if (a->res[i].throttling != NULL && check_policies(j, c, a->res[i].throttling, "api", "apiDefinition") != GH_OK)
            return GH_ERR;
    return GH_OK;
}

static void default_resources(gh_portal_api_t *a)
{
    static const char *const verbs[] = {"GET", "PUT", "POST", "DELETE", "PATCH"};
    size_t i;

    if (a->nres > 0)
        return;
    free(a->res);
    a->res = gh_calloc(GH_PORTAL_MAX_RES, sizeof(*a->res));
    for (i = 0; i < GH_ARRAY_SIZE(verbs); ++i) {
        gh_portal_res_t *r = &a->res[a->nres++];
        snprintf(r->verb, sizeof(r->verb), "%s", verbs[i]);
        snprintf(r->auth_scheme, sizeof(r->auth_scheme), "Any");
        r->target = gh_strdup("/*");
        r->throttling = gh_strdup("Unlimited");
    }
}

static void defaults(gh_portal_api_t *a)
{
    if (a->visibility == NULL)
        a->visibility = gh_strdup("PUBLIC");
    if (a->transports == NULL)
        a->transports = gh_strdup("http,https");
    if (a->tiers == NULL || a->tiers[0] == '\0') {
        free(a->tiers);
        a->tiers = gh_strdup("Unlimited");
    }
    default_resources(a);
}

/* may the caller change a? (the provider, a publisher, or an administrator) */
static int may_change(gh_portal_job_t *j, const gh_portal_api_t *a)
{
    if (gh_caller_owns(&j->caller, a->provider) || gh_caller_has_scope(&j->caller, "apim:api_publish"))
        return 1;
    gh_portal_fail(j, 403, "apiId", "only the provider %s, a publisher or an administrator may change this API",
                   a->provider);
    return 0;
}

/* load by the path's {apiId}: 1, or 0 answered 404 / 500 */
static int load(gh_portal_job_t *j, gh_db_conn_t *c, const char *id, int full, gh_portal_api_t *a)
{
    gh_err_t err = {0};
    int rc;

    if (id == NULL || id[0] == '\0')
        return gh_portal_fail(j, 400, "apiId", "apiId is required"), 0;
    if ((rc = gh_portal_api_load(c, id, full, a, &err)) < 0)
        return gh_portal_fail_db(j, "reading the API", &err), 0;
    if (rc == 0)
        return gh_portal_fail(j, 404, "apiId", "no API with id %s", id), 0;
    return 1;
}

static int finish(gh_portal_job_t *j, gh_db_conn_t *c, const char *what, gh_err_t *err, int rc)
{
    if (rc == GH_OK && gh_db_commit(c, err) == GH_OK)
        return GH_OK;
    gh_db_rollback(c, NULL);
    if (err->code == GH_DB_E_UNIQUE)
        return gh_portal_fail(j, 409, "context", "an API with this name, version and provider, or this context and "
                                                 "version, already exists");
    if (err->code == GH_E_CONFLICT)
        return gh_portal_fail(j, 409, "apiDefinition", "%s", err->msg);
    if (err->code == GH_E_INPUT)
        return gh_portal_fail(j, 400, "apiDefinition", "%s", err->msg);
    return gh_portal_fail_db(j, what, err);
}

/* GET /apis of both portals: the Store's (base .../store/...) shows only visible published APIs */
void gh_portal_ep_publisher_list(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_query_t q;
    gh_portal_search_t s = {0};
    gh_portal_ferr_t fe;
    const char *qs = gh_portal_q(j, "query");
    char msg[256], *extra, *enc, *key, *cached;
    uint64_t gen;
    json_t *list;
    int64_t total = 0;
    gh_err_t err = {0};

    if (gh_portal_paging(gh_portal_q(j, "offset"), gh_portal_q(j, "limit"), &s.offset, &s.limit, &fe) != GH_OK)
        return (void)gh_portal_fail_ferr(j, &fe);
    if (gh_portal_query_parse(qs, &q, msg, sizeof(msg)) != GH_OK)
        return (void)gh_portal_fail(j, 400, "query", "%s", msg);
    s.q = &q;
    s.store = strstr(j->base, "/store/") != NULL;
    s.anonymous = j->caller.kind == GH_CALLER_NONE;
    s.admin = j->caller.is_admin;
    s.roles = j->roles;
    /* the answer depends on the query and, in the Store, on what the caller may see */
    gen = gh_portal_list_cache_generation();
    key = gh_portal_list_key(j->base, !s.store ? "" : s.admin ? "*admin" : s.anonymous ? "*anon" : j->roles,
                             gh_portal_q(j, "offset"), gh_portal_q(j, "limit"), qs);
    if ((cached = gh_portal_list_cache_get(key, 1)) != NULL) {
        free(key);
        j->status = 200;
        j->text = cached;
        j->ctype_out = "application/json";
        return;
    }
    list = json_array();
    if (gh_portal_api_search(c, &s, list, &total, &err) != GH_OK) {
        json_decref(list);
        free(key);
        return (void)gh_portal_fail_db(j, "searching APIs", &err);
    }
    enc = gh_urlencode(qs != NULL ? qs : "");
    extra = gh_asprintf("%s%s", qs != NULL ? "&query=" : "", qs != NULL ? enc : "");
    {
        char *base = gh_asprintf("%s/apis", j->base);
        j->out = gh_portal_list_body(list, total, s.offset, s.limit, base, extra);
        free(base);
    }
    free(enc);
    free(extra);
    j->status = 200;
    {
        char *body = json_dumps(j->out, JSON_COMPACT);
        if (body != NULL)
            gh_portal_list_cache_put(key, body, gen);
        free(body);
    }
    free(key);
}

static void run_create(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_api_t a = {0};
    gh_portal_ferr_t fe;
    gh_err_t err = {0};
    json_t *in;
    int rc;

    if ((in = gh_portal_json_body(j)) == NULL)
        return;
    if (gh_portal_api_from_json(in, &a, &fe) != GH_OK) {
        gh_portal_fail_ferr(j, &fe);
        goto out;
    }
    if (a.provider == NULL || a.provider[0] == '\0') {
        free(a.provider);
        a.provider = gh_strdup(j->caller.user);
    } else if (!gh_caller_owns(&j->caller, a.provider)) {
        gh_portal_fail(j, 403, "provider", "only an administrator may create an API for another provider");
        goto out;
    }
    free(a.status);
    a.status = gh_strdup("CREATED");
    defaults(&a);
    if (check_api_policies(j, c, &a) != GH_OK)
        goto out;
    if ((rc = gh_portal_api_context_taken(c, a.context, a.version, -1, &err)) != 0) {
        if (rc < 0)
            gh_portal_fail_db(j, "checking the context", &err);
        else
            gh_portal_fail(j, 409, "context", "an API with context %s and version %s already exists", a.context,
                           a.version);
        goto out;
    }
    if (gh_db_begin(c, &err) != GH_OK) {
        gh_portal_fail_db(j, "creating the API", &err);
        goto out;
    }
    if (finish(j, c, "creating the API", &err, gh_portal_api_insert(c, &a, j->caller.user, &err)) != GH_OK)
        goto out;
    gh_portal_event(GH_EV_API_CHANGED, a.id, 0, 0, a.uuid, NULL, "CREATED");
    gh_log(GH_LOG_INFO, "portals", "API %s %s/%s created by %s", a.uuid, a.context, a.version, j->caller.user);
    j->status = 201;
    j->out = gh_portal_api_to_json(&a, 1);
    j->location = gh_asprintf("/apis/%s", a.uuid);
    gh_portal_set_etag(j, a.revision);
out:
    json_decref(in);
    gh_portal_api_dispose(&a);
}

static void run_get(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_api_t a;

    if (!load(j, c, j->seg[1], 1, &a))
        return;
    j->status = 200;
    j->out = gh_portal_api_to_json(&a, 1);
    gh_portal_set_etag(j, a.revision);
    gh_portal_api_dispose(&a);
}

/* a field that cannot change on update: absent or equal */
static int same(gh_portal_job_t *j, const char *field, const char *now, const char *asked)
{
    if (asked == NULL || now == NULL || strcmp(now, asked) == 0)
        return 1;
    gh_portal_fail(j, 400, field, "%s cannot be changed (it is '%s'); create a new version instead", field, now);
    return 0;
}

static void run_update(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_api_t a, n = {0};
    gh_portal_ferr_t fe;
    gh_err_t err = {0};
    json_t *in = NULL;

    if (!load(j, c, j->seg[1], 1, &a))
        return;
    if (!may_change(j, &a) || !gh_portal_if_match(j, a.revision) || (in = gh_portal_json_body(j)) == NULL)
        goto out;
    if (gh_portal_api_from_json(in, &n, &fe) != GH_OK) {
        gh_portal_fail_ferr(j, &fe);
        goto out;
    }
    if (!same(j, "name", a.name, n.name) || !same(j, "context", a.context, n.context) ||
        !same(j, "version", a.version, n.version) || !same(j, "provider", a.provider, n.provider))
        goto out;
    /* identity and state stay; everything else is the request's */
    n.id = a.id;
    snprintf(n.uuid, sizeof(n.uuid), "%s", a.uuid);
    n.revision = a.revision;
    n.created_ms = a.created_ms;
#define KEEP(f)                                                                                                    \
    do {                                                                                                           \
        free(n.f);                                                                                                 \
        n.f = a.f;                                                                                                 \
        a.f = NULL;                                                                                                \
    } while (0)
    KEEP(name);
    KEEP(context);
    KEEP(version);
    KEEP(provider);
    KEEP(status);
    if (json_object_get(in, "apiDefinition") == NULL) {
        KEEP(definition);
        free(n.res);
        n.res = a.res;
        n.nres = a.nres;
        n.scopes = a.scopes;
        n.nscopes = a.nscopes;
        a.res = NULL;
        a.scopes = NULL;
        a.nres = a.nscopes = 0;
    }
    if (json_object_get(in, "endpointConfig") == NULL) {
        KEEP(endpoint_config);
        KEEP(production_url);
        KEEP(sandbox_url);
    }
#undef KEEP
    defaults(&n);
    if (check_api_policies(j, c, &n) != GH_OK)
        goto out;
    if (gh_db_begin(c, &err) != GH_OK) {
        gh_portal_fail_db(j, "updating the API", &err);
        goto out;
    }
    if (finish(j, c, "updating the API", &err, gh_portal_api_update(c, &n, j->caller.user, &err)) != GH_OK) {
        if (err.code == GH_E_CONFLICT && j->status == 409 && strstr(err.msg, "meanwhile") != NULL)
            gh_portal_fail(j, 412, "If-Match", "the API changed meanwhile; read it again");
        goto out;
    }
    gh_portal_event(GH_EV_API_CHANGED, n.id, 0, 0, n.uuid, NULL, n.status);
    j->status = 200;
    j->out = gh_portal_api_to_json(&n, 1);
    gh_portal_set_etag(j, n.revision);
out:
    json_decref(in);
    gh_portal_api_dispose(&a);
    gh_portal_api_dispose(&n);
}

static void run_delete(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_api_t a;
    gh_err_t err = {0};
    int64_t subs = 0;

    if (!load(j, c, j->seg[1], 0, &a))
        return;
    if (!may_change(j, &a) || !gh_portal_if_match(j, a.revision))
        goto out;
    if (gh_db_begin(c, &err) != GH_OK) {
        gh_portal_fail_db(j, "deleting the API", &err);
        goto out;
    }
    /* counted inside the transaction; the foreign key refuses a subscription that slips in anyway */
    if (gh_db_query_int(c, "SELECT COUNT(*) FROM AM_SUBSCRIPTION WHERE API_ID = ?", GH_DB_ARGS(GH_DB_I(a.id)), &subs,
                        &err) != 1) {
        gh_db_rollback(c, NULL);
        gh_portal_fail_db(j, "counting subscriptions", &err);
        goto out;
    }
    if (subs > 0) {
        gh_db_rollback(c, NULL);
        gh_portal_fail(j, 409, "apiId", "the API has %lld subscription(s); remove them first", (long long)subs);
        goto out;
    }
    if (finish(j, c, "deleting the API", &err, gh_portal_api_delete(c, &a, &err)) != GH_OK)
        goto out;
    gh_portal_event(GH_EV_API_CHANGED, a.id, 0, 0, a.uuid, NULL, "DELETED");
    gh_log(GH_LOG_INFO, "portals", "API %s deleted by %s", a.uuid, j->caller.user);
    j->status = 200;
out:
    gh_portal_api_dispose(&a);
}

void gh_portal_send_swagger(gh_portal_job_t *j, const gh_portal_api_t *a)
{
    json_t *doc = gh_portal_swagger_produce(a);

    j->status = 200;
    j->out = doc;
    gh_portal_set_etag(j, a->revision);
}

static void run_get_swagger(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_api_t a;

    if (!load(j, c, j->seg[1], 1, &a))
        return;
    gh_portal_send_swagger(j, &a);
    gh_portal_api_dispose(&a);
}

/* the definition from a multipart field apiDefinition, a JSON {"apiDefinition": ...}, or a bare document */
static char *definition_of(gh_portal_job_t *j, size_t *len)
{
    json_t *in, *v;
    char *out = NULL;
    json_error_t je;

    if (j->body == NULL)
        return gh_portal_fail(j, 400, "apiDefinition", "apiDefinition is required"), NULL;
    if (j->ctype != NULL && strncasecmp(j->ctype, "multipart/form-data", 19) == 0) {
        const char *p;
        size_t n;
        if (gh_portal_multipart_field(j->body, j->body_len, j->ctype, "apiDefinition", &p, &n) != GH_OK)
            return gh_portal_fail(j, 400, "apiDefinition", "the multipart body has no apiDefinition field"), NULL;
        *len = n;
        return gh_strndup(p, n);
    }
    if ((in = json_loadb(j->body, j->body_len, JSON_REJECT_DUPLICATES, &je)) == NULL)
        return gh_portal_fail(j, 400, "apiDefinition", "malformed JSON at line %d column %d: %s", je.line, je.column,
                              je.text),
               NULL;
    v = json_object_get(in, "apiDefinition");
    if (json_is_string(v))
        out = gh_strdup(json_string_value(v));
    else if (json_is_object(v))
        out = json_dumps(v, JSON_COMPACT);
    else if (json_is_object(in) && (json_object_get(in, "swagger") != NULL || json_object_get(in, "openapi") != NULL))
        out = json_dumps(in, JSON_COMPACT);
    json_decref(in);
    if (out == NULL)
        return gh_portal_fail(j, 400, "apiDefinition", "send {\"apiDefinition\": \"<swagger>\"} or the document"), NULL;
    *len = strlen(out);
    return out;
}

static void run_put_swagger(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_api_t a;
    gh_portal_ferr_t fe;
    gh_err_t err = {0};
    char *def = NULL;
    size_t len = 0;

    if (!load(j, c, j->seg[1], 1, &a))
        return;
    if (!may_change(j, &a) || !gh_portal_if_match(j, a.revision) || (def = definition_of(j, &len)) == NULL)
        goto out;
    if (gh_portal_swagger_parse(def, len, &a, &fe) != GH_OK) {
        gh_portal_fail_ferr(j, &fe);
        goto out;
    }
    default_resources(&a);
    if (check_api_policies(j, c, &a) != GH_OK)
        goto out;
    if (gh_db_begin(c, &err) != GH_OK) {
        gh_portal_fail_db(j, "updating the definition", &err);
        goto out;
    }
    if (finish(j, c, "updating the definition", &err, gh_portal_api_update(c, &a, j->caller.user, &err)) != GH_OK)
        goto out;
    gh_portal_event(GH_EV_API_CHANGED, a.id, 0, 0, a.uuid, NULL, a.status);
    gh_portal_send_swagger(j, &a);
out:
    gh_free_secret(def);
    gh_portal_api_dispose(&a);
}

static void run_lifecycle(gh_portal_job_t *j, gh_db_conn_t *c)
{
    const char *action = gh_portal_q(j, "action"), *next;
    gh_portal_api_t a;
    gh_err_t err = {0};

    if (action == NULL || action[0] == '\0')
        return (void)gh_portal_fail(j, 400, "action", "action is required");
    if (!load(j, c, gh_portal_q(j, "apiId"), 0, &a))
        return;
    if (!gh_portal_if_match(j, a.revision))
        goto out;
    if ((next = gh_portal_lc_next(a.status, action)) == NULL) {
        json_t *allowed = gh_portal_lc_actions(a.status);
        char *s = json_dumps(allowed, JSON_COMPACT);
        gh_portal_fail(j, 400, "action", "action '%s' is not allowed in state %s; allowed: %s", action, a.status, s);
        free(s);
        json_decref(allowed);
        goto out;
    }
    if (strcmp(next, "PUBLISHED") == 0 && a.production_url == NULL && a.sandbox_url == NULL) {
        gh_portal_fail(j, 400, "endpointConfig", "an API needs a production or sandbox endpoint to be published");
        goto out;
    }
    if (gh_db_begin(c, &err) != GH_OK) {
        gh_portal_fail_db(j, "changing the lifecycle", &err);
        goto out;
    }
    if (gh_portal_api_set_status(c, &a, next, j->caller.user, &err) != GH_OK || gh_db_commit(c, &err) != GH_OK) {
        gh_db_rollback(c, NULL);
        if (err.code == GH_E_CONFLICT)
            gh_portal_fail(j, 409, "apiId", "the API changed meanwhile; read it again");
        else
            gh_portal_fail_db(j, "changing the lifecycle", &err);
        goto out;
    }
    gh_portal_event(GH_EV_API_CHANGED, a.id, 0, 0, a.uuid, NULL, next);
    gh_log(GH_LOG_INFO, "portals", "API %s: %s -> %s by %s", a.uuid, action, next, j->caller.user);
    j->status = 200;
    j->out = json_pack("{s:s,s:s,s:s,s:o}", "workflowStatus", "APPROVED", "jsonPayload", "", "lifecycleState", next,
                       "availableTransitions", gh_portal_lc_actions(next));
    gh_portal_set_etag(j, a.revision);
out:
    gh_portal_api_dispose(&a);
}

/* AM_API_LC_EVENT as a list (the history the Publisher shows) */
static void run_lc_history(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_api_t a;
    gh_db_stmt_t *s;
    gh_err_t err = {0};
    json_t *list;
    int rc;

    if (!load(j, c, j->seg[1], 0, &a))
        return;
    list = json_array();
    if (gh_db_prepare(c,
                      "SELECT PREVIOUS_STATE, NEW_STATE, USER_ID, EVENT_DATE FROM AM_API_LC_EVENT WHERE API_ID = ? "
                      "ORDER BY EVENT_ID",
                      &s, &err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_I(a.id)), &err) != GH_OK) {
        json_decref(list);
        gh_portal_api_dispose(&a);
        return (void)gh_portal_fail_db(j, "reading the lifecycle history", &err);
    }
    while ((rc = gh_db_next(s, &err)) == 1)
        json_array_append_new(list, json_pack("{s:s?,s:s?,s:s?,s:I}", "previousState", gh_db_col_text(s, 0, NULL),
                                              "postState", gh_db_col_text(s, 1, NULL), "user",
                                              gh_db_col_text(s, 2, NULL), "updatedTime",
                                              (json_int_t)gh_db_col_time(s, 3)));
    gh_db_reset(s);
    j->status = 200;
    j->out = json_pack("{s:I,s:o}", "count", (json_int_t)json_array_size(list), "list", list);
    gh_portal_api_dispose(&a);
}


#define J GH_PORTAL_OP_JSON
const gh_portal_op_t gh_portal_publisher_ops[] = {
    {"GET", "/apis", "apim:api_view", 0, gh_portal_ep_publisher_list},
    {"POST", "/apis", "apim:api_create", J, run_create},
    {"POST", "/apis/change-lifecycle", "apim:api_publish", J, run_lifecycle},
    {"GET", "/apis/*", "apim:api_view", 0, run_get},
    {"PUT", "/apis/*", "apim:api_create", J, run_update},
    {"DELETE", "/apis/*", "apim:api_create", 0, run_delete},
    {"GET", "/apis/*/swagger", "apim:api_view", 0, run_get_swagger},
    {"PUT", "/apis/*/swagger", "apim:api_create", J | GH_PORTAL_OP_MULTIPART, run_put_swagger},
    {"GET", "/apis/*/lifecycle-history", "apim:api_view", 0, run_lc_history},
    {"GET", "/applications/*", "apim:api_create", 0, gh_portal_ep_publisher_app},
    {"GET", "/subscriptions", "apim:subscription_view", 0, gh_portal_ep_pub_subs},
    {"GET", "/subscriptions/*", "apim:subscription_view", 0, gh_portal_ep_pub_sub},
    {"POST", "/subscriptions/block-subscription", "apim:subscription_block", J, gh_portal_ep_block},
    {"POST", "/subscriptions/unblock-subscription", "apim:subscription_block", J, gh_portal_ep_unblock},
    {"GET", "/tiers/*", "apim:tier_view", 0, gh_portal_ep_tiers},
    {"GET", "/tiers/*/*", "apim:tier_view", 0, gh_portal_ep_tier},
    {NULL, NULL, NULL, 0, NULL},
};
