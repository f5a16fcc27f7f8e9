/* Store v0.14 /apis: published APIs the caller may see (anonymous callers see PUBLIC ones, as API Manager's
 * white-listed Store URIs allow), their details with the gateway URLs, and their Swagger definition. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/conf.h"
#include "gatehouse/mem.h"
#include "portals_int.h"

void gh_portal_ep_store_list(gh_portal_job_t *j, gh_db_conn_t *c);

/* a published (or prototyped) API the caller may see: 1, or 0 answered 404 */
static int load_visible(gh_portal_job_t *j, gh_db_conn_t *c, int full, gh_portal_api_t *a)
{
    gh_err_t err = {0};
    int rc;

    if ((rc = gh_portal_api_load(c, j->seg[1], full, a, &err)) < 0)
        return gh_portal_fail_db(j, "reading the API", &err), 0;
    if (rc == 1 && (strcmp(a->status, "PUBLISHED") == 0 || strcmp(a->status, "PROTOTYPED") == 0) &&
        gh_portal_api_visible(j, a))
        return 1;
    if (rc == 1)
        gh_portal_api_dispose(a);
    /* hidden and absent look the same: a restricted API's existence is not disclosed */
    return gh_portal_fail(j, 404, "apiId", "no API with id %s", j->seg[1]), 0;
}

static json_t *endpoint_urls(gh_portal_job_t *j, const gh_portal_api_t *a)
{
    const gh_conf_t *conf = gh_server_conf(j->p->srv);
    const char *host = conf->carbon.host_name ? conf->carbon.host_name : "localhost";
    char http[700], https[700];
    json_t *urls = json_object();

    snprintf(http, sizeof(http), "http://%s:%d%s/%s", host, gh_server_port(j->p->srv, GH_LST_GW_HTTP), a->context,
             a->version);
    snprintf(https, sizeof(https), "https://%s:%d%s/%s", host, gh_server_port(j->p->srv, GH_LST_GW_HTTPS), a->context,
             a->version);
    if (a->transports == NULL || strstr(a->transports, "https") != NULL)
        json_object_set_new(urls, "https", json_string(https));
    if (a->transports == NULL || strstr(a->transports, "http,") != NULL || strcmp(a->transports, "http") == 0)
        json_object_set_new(urls, "http", json_string(http));
    return json_pack("[{s:s,s:s,s:o}]", "environmentName", "Production and Sandbox", "environmentType", "hybrid",
                     "environmentURLs", urls);
}

static void run_get(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_api_t a;
    char ctx[600], *def;
    json_t *o, *doc;

    if (!load_visible(j, c, 1, &a))
        return;
    snprintf(ctx, sizeof(ctx), "%s/%s", a.context, a.version);
    doc = gh_portal_swagger_produce(&a);
    def = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    /* no endpointConfig: a subscriber never learns the backend */
    o = json_pack("{s:s,s:s,s:s?,s:s,s:s,s:s,s:s,s:n,s:s,s:b,s:o,s:s,s:o,s:o,s:n,s:{},s:o,s:{},s:[],s:[s]}", "id", a.uuid,
                  "name", a.name, "description", a.description, "context", ctx, "version", a.version, "provider",
                  a.provider, "apiDefinition", def, "wsdlUri", "status", a.status, "isDefaultVersion", a.is_default,
                  "transport", gh_portal_csv_to_json(a.transports ? a.transports : "http,https"),
                  "authorizationHeader", "Authorization", "tags", gh_portal_csv_to_json(a.tags), "tiers",
                  gh_portal_csv_to_json(a.tiers), "thumbnailUrl", "additionalProperties", "endpointURLs",
                  endpoint_urls(j, &a), "businessInformation", "labels", "environmentList",
                  "Production and Sandbox");
    free(def);
    j->status = 200;
    j->out = o;
    gh_portal_set_etag(j, a.revision);
    gh_portal_api_dispose(&a);
}

static void run_swagger(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_api_t a;

    if (!load_visible(j, c, 1, &a))
        return;
    gh_portal_send_swagger(j, &a);
    gh_portal_api_dispose(&a);
}


/* GET /tags: the tags of the published APIs the caller may see, with how many APIs carry each */
static void run_tags(gh_portal_job_t *j, gh_db_conn_t *c)
{
    gh_portal_ferr_t fe;
    gh_db_stmt_t *s;
    gh_err_t err = {0};
    int64_t offset, limit, i = 0;
    json_t *weights = json_object(), *list, *v;
    const char *k;
    int rc;

    if (gh_portal_paging(gh_portal_q(j, "offset"), gh_portal_q(j, "limit"), &offset, &limit, &fe) != GH_OK) {
        json_decref(weights);
        return (void)gh_portal_fail_ferr(j, &fe);
    }
    if (gh_db_prepare(c,
                      "SELECT TAGS, VISIBILITY, VISIBLE_ROLES FROM GH_API WHERE STATUS IN ('PUBLISHED', 'PROTOTYPED') "
                      "AND TAGS IS NOT NULL",
                      &s, &err) != GH_OK ||
        gh_db_execute(s, NULL, 0, &err) != GH_OK) {
        json_decref(weights);
        return (void)gh_portal_fail_db(j, "reading tags", &err);
    }
    while ((rc = gh_db_next(s, &err)) == 1) {
        gh_portal_api_t a = {0};
        json_t *tags;
        size_t n;
        a.visibility = (char *)gh_db_col_text(s, 1, NULL);
        a.visible_roles = (char *)gh_db_col_text(s, 2, NULL);
        if (!gh_portal_api_visible(j, &a))
            continue;
        tags = gh_portal_csv_to_json(gh_db_col_text(s, 0, NULL));
        json_array_foreach(tags, n, v) {
            json_t *w = json_object_get(weights, json_string_value(v));
            json_object_set_new(weights, json_string_value(v), json_integer(w ? json_integer_value(w) + 1 : 1));
        }
        json_decref(tags);
    }
    gh_db_reset(s);
    if (rc < 0) {
        json_decref(weights);
        return (void)gh_portal_fail_db(j, "reading tags", &err);
    }
    list = json_array();
    json_object_foreach(weights, k, v) {
        if (i >= offset && (int64_t)json_array_size(list) < limit)
            json_array_append_new(list, json_pack("{s:s,s:O}", "name", k, "weight", v));
        i++;
    }
    json_decref(weights);
    {
        char *base = gh_asprintf("%s/tags", j->base);
        j->out = gh_portal_list_body(list, i, offset, limit, base, "");
        free(base);
    }
    j->status = 200;
}

#define A GH_PORTAL_OP_ANON
#define J GH_PORTAL_OP_JSON
#define SUB "apim:subscribe"
const gh_portal_op_t gh_portal_store_ops[] = {
    {"GET", "/apis", NULL, A, gh_portal_ep_publisher_list},
    {"GET", "/apis/*", NULL, A, run_get},
    {"GET", "/apis/*/swagger", NULL, A, run_swagger},
    {"GET", "/applications", SUB, 0, gh_portal_ep_store_apps},
    {"POST", "/applications", SUB, J, gh_portal_ep_store_app_create},
    {"POST", "/applications/generate-keys", SUB, J, gh_portal_ep_generate_keys},
    {"POST", "/applications/regenerate-consumersecret", SUB, J, gh_portal_ep_regenerate_secret},
    {"GET", "/applications/*", SUB, 0, gh_portal_ep_store_app_get},
    {"PUT", "/applications/*", SUB, J, gh_portal_ep_store_app_update},
    {"DELETE", "/applications/*", SUB, 0, gh_portal_ep_store_app_delete},
    {"GET", "/applications/*/keys/*", SUB, 0, gh_portal_ep_keys_get},
    {"PUT", "/applications/*/keys/*", SUB, J, gh_portal_ep_keys_put},
    {"GET", "/subscriptions", SUB, 0, gh_portal_ep_store_subs},
    {"POST", "/subscriptions", SUB, J, gh_portal_ep_store_sub_create},
    {"GET", "/subscriptions/*", SUB, 0, gh_portal_ep_store_sub_get},
    {"DELETE", "/subscriptions/*", SUB, 0, gh_portal_ep_store_sub_delete},
    {"GET", "/tiers/*", NULL, A, gh_portal_ep_tiers},
    {"GET", "/tiers/*/*", NULL, A, gh_portal_ep_tier},
    {"GET", "/tags", NULL, A, run_tags},
    {NULL, NULL, NULL, 0, NULL},
};
