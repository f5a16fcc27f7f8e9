/* The portals' change events and list-cache invalidation, end to end through the endpoint functions on a fresh
 * SQLite database with every schema script applied (no HTTP: the job is built as the router would build it). Each
 * change must publish exactly the event the gateway relies on, with its fields, after the commit.
 *   portals_events --driver sqlite */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/schema.h"
#include "gh_test.h"
#include "portals_int.h"

static gh_test_ds_t ds;
static gh_portal_t portal;

static struct {
    gh_event_kind_t kind[64];
    int64_t api_id[64], app_id[64], sub_id[64];
    char api_uuid[64][40], key[64][256], name[64][64];
    int n;
} seen;

static void on_event(const gh_event_t *ev, void *data)
{
    (void)data;
    if (seen.n == 64)
        return;
    seen.kind[seen.n] = ev->kind;
    seen.api_id[seen.n] = ev->api_id;
    seen.app_id[seen.n] = ev->application_id;
    seen.sub_id[seen.n] = ev->subscription_id;
    snprintf(seen.api_uuid[seen.n], 40, "%s", ev->api_uuid ? ev->api_uuid : "");
    snprintf(seen.key[seen.n], 256, "%s", ev->consumer_key ? ev->consumer_key : "");
    snprintf(seen.name[seen.n], 64, "%s", ev->name ? ev->name : "");
    seen.n++;
}

static void free_job(gh_portal_job_t *j)
{
    int i;

    for (i = 0; i < j->nseg; ++i)
        free(j->seg[i]);
    gh_form_dispose(&j->query);
    free(j->body);
    free(j->base);
    json_decref(j->out);
    free(j->text);
    free(j->location);
    free(j->etag);
    free(j);
}

/* run METHOD PATH?QUERY with body as alice (creator, publisher, subscriber; not an administrator) */
static gh_portal_job_t *call(const gh_portal_op_t *table, const char *base, const char *method, const char *path,
                             const char *query, const char *body)
{
    gh_portal_job_t *j = gh_calloc(1, sizeof(*j));
    gh_db_conn_t *c = NULL;
    gh_err_t err = {0};
    const gh_portal_op_t *op;
    char *p = gh_strdup(path), *save = NULL, *s;

    j->p = &portal;
    j->base = gh_strdup(base);
    snprintf(j->method, sizeof(j->method), "%s", method);
    for (s = strtok_r(p, "/", &save); s != NULL; s = strtok_r(NULL, "/", &save))
        j->seg[j->nseg++] = gh_strdup(s);
    free(p);
    if (query != NULL)
        assert_int_equal(gh_form_parse(&j->query, query, strlen(query)), GH_OK);
    if (body != NULL) {
        j->body = gh_strdup(body);
        j->body_len = strlen(body);
    }
    j->caller.kind = GH_CALLER_BASIC;
    snprintf(j->caller.user, sizeof(j->caller.user), "alice");
    snprintf(j->caller.scope, sizeof(j->caller.scope),
             "apim:api_view apim:api_create apim:api_publish apim:subscribe apim:subscription_block apim:tier_manage");
    snprintf(j->roles, sizeof(j->roles), "internal/creator,internal/publisher,internal/subscriber");
    for (op = table; op->method != NULL; ++op) {
        const char *pat = op->pattern;
        int i = 0, ok = 1;
        char *pc = gh_strdup(pat), *sv = NULL, *ps;
        for (ps = strtok_r(pc, "/", &sv); ps != NULL && ok; ps = strtok_r(NULL, "/", &sv), ++i)
            ok = i < j->nseg && (strcmp(ps, "*") == 0 || strcmp(ps, j->seg[i]) == 0);
        free(pc);
        if (ok && i == j->nseg && strcmp(op->method, method) == 0)
            break;
    }
    assert_non_null(op->method);
    j->op = op;
    assert_int_equal(gh_db_borrow(portal.pool, &c, &err), GH_OK);
    op->run(j, c);
    gh_db_rollback(c, NULL);
    gh_db_return(c);
    return j;
}

#define PUB "/api/am/publisher/v0.14"
#define STORE "/api/am/store/v0.14"
#define ADMIN "/api/am/admin/v0.14"

static int last(gh_event_kind_t kind, const char *name)
{
    int i;

    for (i = seen.n - 1; i >= 0; --i)
        if (seen.kind[i] == kind && strcmp(seen.name[i], name) == 0)
            return i;
    return -1;
}

static int64_t total_of(gh_portal_job_t *j)
{
    json_t *o = j->out != NULL ? json_incref(j->out) : json_loads(j->text, 0, NULL);
    int64_t t = json_integer_value(json_object_get(json_object_get(o, "pagination"), "total"));

    json_decref(o);
    return t;
}

static void events_follow_every_change(void **state)
{
    char api[40], app[40], sub[40], q[200], body[1024];
    gh_portal_job_t *j;
    int e, n;

    (void)state;
    /* an anonymous Store listing, cached, must change the moment the API is published */
    j = call(gh_portal_store_ops, STORE, "GET", "/apis", NULL, NULL);
    assert_int_equal(total_of(j), 0);
    free_job(j);

    j = call(gh_portal_publisher_ops, PUB, "POST", "/apis", NULL,
             "{\"name\":\"Ev\",\"context\":\"/ev\",\"version\":\"1\",\"tiers\":[\"Gold\"],\"endpointConfig\":"
             "\"{\\\"production_endpoints\\\":{\\\"url\\\":\\\"http://b.example/\\\"}}\"}");
    assert_int_equal(j->status, 201);
    snprintf(api, sizeof(api), "%s", json_string_value(json_object_get(j->out, "id")));
    free_job(j);
    assert_true((e = last(GH_EV_API_CHANGED, "CREATED")) >= 0);
    assert_string_equal(seen.api_uuid[e], api);
    assert_true(seen.api_id[e] > 0);

    snprintf(q, sizeof(q), "apiId=%s&action=Publish", api);
    j = call(gh_portal_publisher_ops, PUB, "POST", "/apis/change-lifecycle", q, NULL);
    assert_int_equal(j->status, 200);
    free_job(j);
    assert_true((e = last(GH_EV_API_CHANGED, "PUBLISHED")) >= 0);
    assert_string_equal(seen.api_uuid[e], api);

    j = call(gh_portal_store_ops, STORE, "GET", "/apis", NULL, NULL);
    assert_int_equal(total_of(j), 1);
    free_job(j);

    j = call(gh_portal_store_ops, STORE, "POST", "/applications", NULL, "{\"name\":\"evapp\",\"throttlingTier\":\"10PerMin\"}");
    assert_int_equal(j->status, 201);
    snprintf(app, sizeof(app), "%s", json_string_value(json_object_get(j->out, "applicationId")));
    free_job(j);

    snprintf(body, sizeof(body), "{\"applicationId\":\"%s\",\"apiIdentifier\":\"%s\",\"tier\":\"Gold\"}", app, api);
    j = call(gh_portal_store_ops, STORE, "POST", "/subscriptions", NULL, body);
    assert_int_equal(j->status, 201);
    snprintf(sub, sizeof(sub), "%s", json_string_value(json_object_get(j->out, "subscriptionId")));
    free_job(j);
    assert_true((e = last(GH_EV_SUBSCRIPTION_CHANGED, "CREATED")) >= 0);
    assert_true(seen.api_id[e] > 0 && seen.app_id[e] > 0 && seen.sub_id[e] > 0);
    assert_string_equal(seen.api_uuid[e], api);

    n = seen.n;
    j = call(gh_portal_store_ops, STORE, "POST", "/subscriptions", NULL, body); /* the same again: 409, no event */
    assert_int_equal(j->status, 409);
    free_job(j);
    assert_int_equal(seen.n, n);

    snprintf(q, sizeof(q), "subscriptionId=%s&blockState=PROD_ONLY_BLOCKED", sub);
    j = call(gh_portal_publisher_ops, PUB, "POST", "/subscriptions/block-subscription", q, NULL);
    assert_int_equal(j->status, 200);
    free_job(j);
    assert_true(last(GH_EV_SUBSCRIPTION_CHANGED, "PROD_ONLY_BLOCKED") >= 0);

    snprintf(body, sizeof(body), "{\"name\":\"evapp\",\"throttlingTier\":\"Unlimited\"}");
    snprintf(q, sizeof(q), "/applications/%s", app);
    j = call(gh_portal_store_ops, STORE, "PUT", q, NULL, body);
    assert_int_equal(j->status, 200);
    free_job(j);
    assert_true((e = last(GH_EV_APPLICATION_CHANGED, "Unlimited")) >= 0);
    assert_true(seen.app_id[e] > 0);

    j = call(gh_portal_admin_ops, ADMIN, "POST", "/throttling/policies/subscription", NULL,
             "{\"policyName\":\"Ev5\",\"defaultLimit\":{\"type\":\"RequestCountLimit\",\"timeUnit\":\"min\","
             "\"unitTime\":1,\"requestCount\":5}}");
    assert_int_equal(j->status, 201);
    free_job(j);
    assert_true(last(GH_EV_POLICY_CHANGED, "Ev5") >= 0);

    /* the API cannot go while subscribed; the application's deletion removes the subscription first */
    snprintf(q, sizeof(q), "/apis/%s", api);
    j = call(gh_portal_publisher_ops, PUB, "DELETE", q, NULL, NULL);
    assert_int_equal(j->status, 409);
    free_job(j);
    snprintf(q, sizeof(q), "/applications/%s", app);
    j = call(gh_portal_store_ops, STORE, "DELETE", q, NULL, NULL);
    assert_int_equal(j->status, 200);
    free_job(j);
    assert_true(last(GH_EV_SUBSCRIPTION_CHANGED, "REMOVED") >= 0);
    assert_true(last(GH_EV_APPLICATION_CHANGED, "DELETED") >= 0);
    snprintf(q, sizeof(q), "/apis/%s", api);
    j = call(gh_portal_publisher_ops, PUB, "DELETE", q, NULL, NULL);
    assert_int_equal(j->status, 200);
    free_job(j);
    assert_true((e = last(GH_EV_API_CHANGED, "DELETED")) >= 0);
    assert_string_equal(seen.api_uuid[e], api);

    j = call(gh_portal_store_ops, STORE, "GET", "/apis", NULL, NULL);
    assert_int_equal(total_of(j), 0);
    free_job(j);
}

int main(int argc, char **argv)
{
    static const char *const components[] = {"registry", "um", "identity", "apimgt", NULL};
    const struct CMUnitTest tests[] = {cmocka_unit_test(events_follow_every_change)};
    gh_err_t err = {0};
    int rc, handle, cache;

    if (argc != 3 || strcmp(argv[1], "--driver") != 0)
        return 2;
    ds.prog = "portals_events";
    ds.tmp_prefix = "/tmp/gh-portals-events-";
    ds.sqlite_file = "am.db";
    ds.ds.max_active = 4;
    ds.ds.max_wait_ms = 10000;
    ds.ds.validation_interval_ms = 30000;
    gh_log_level = GH_LOG_ERR;
    if ((rc = gh_test_ds_open(argv[2], "PORTALS_TEST", "GH_TEST_PG_URL", "GH_TEST_MYSQL_URL", &ds)) != 0)
        return rc;
    if (gh_schema_setup(ds.pool, components, &err) != GH_OK) {
        fprintf(stderr, "schema: %s\n", err.msg);
        gh_test_ds_close(&ds);
        return 1;
    }
    portal.pool = ds.pool;
    handle = gh_events_subscribe(on_event, NULL);
    cache = gh_portal_list_cache_start();
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    gh_portal_list_cache_stop(cache);
    gh_events_unsubscribe(handle);
    gh_test_ds_close(&ds);
    return rc;
}
