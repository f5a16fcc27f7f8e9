/* The lifecycle table, the search query parser, the API object's JSON mapping and the v0.14 bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "gatehouse/rest.h"
#include "portal_model.h"

static void lifecycle_follows_wso2(void **state)
{
    json_t *a;

    (void)state;
    assert_string_equal(gh_portal_lc_next("CREATED", "Publish"), "PUBLISHED");
    assert_string_equal(gh_portal_lc_next("CREATED", "Deploy as a Prototype"), "PROTOTYPED");
    assert_string_equal(gh_portal_lc_next("PROTOTYPED", "Demote to Created"), "CREATED");
    assert_string_equal(gh_portal_lc_next("PUBLISHED", "Block"), "BLOCKED");
    assert_string_equal(gh_portal_lc_next("PUBLISHED", "Deprecate"), "DEPRECATED");
    assert_string_equal(gh_portal_lc_next("PUBLISHED", "Demote to Created"), "CREATED");
    assert_string_equal(gh_portal_lc_next("BLOCKED", "Re-Publish"), "PUBLISHED");
    assert_string_equal(gh_portal_lc_next("BLOCKED", "re-publish"), "PUBLISHED");
    assert_string_equal(gh_portal_lc_next("DEPRECATED", "Retire"), "RETIRED");
    assert_null(gh_portal_lc_next("CREATED", "Retire"));
    assert_null(gh_portal_lc_next("PUBLISHED", "Re-Publish"));
    assert_null(gh_portal_lc_next("CREATED", "Block"));
    assert_null(gh_portal_lc_next("RETIRED", "Publish"));
    assert_null(gh_portal_lc_next("BOGUS", "Publish"));
    assert_null(gh_portal_lc_next(NULL, "Publish"));
    a = gh_portal_lc_actions("RETIRED");
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
    a = gh_portal_lc_actions("BLOCKED");
    assert_int_equal(json_array_size(a), 2);
    json_decref(a);
    assert_true(gh_portal_lc_state_known("PROTOTYPED"));
    assert_false(gh_portal_lc_state_known("published"));
}

static void query_parser(void **state)
{
    gh_portal_query_t q;
    char msg[256];

    (void)state;
    assert_int_equal(gh_portal_query_parse("pizza", &q, msg, sizeof(msg)), GH_OK);
    assert_string_equal(q.name, "pizza");
    assert_int_equal(gh_portal_query_parse("  name:Pizza  version:1.0.0 context:/piz status:published tag:food ", &q,
                                           msg, sizeof(msg)),
                     GH_OK);
    assert_string_equal(q.name, "Pizza");
    assert_string_equal(q.version, "1.0.0");
    assert_string_equal(q.context, "/piz");
    assert_string_equal(q.status, "PUBLISHED");
    assert_string_equal(q.tag, "food");
    assert_int_equal(gh_portal_query_parse("provider:admin description:x%_", &q, msg, sizeof(msg)), GH_OK);
    assert_string_equal(q.provider, "admin");
    assert_string_equal(q.description, "x%_");
    assert_int_equal(gh_portal_query_parse(NULL, &q, msg, sizeof(msg)), GH_OK);
    assert_string_equal(q.name, "");
    assert_int_equal(gh_portal_query_parse("owner:bob", &q, msg, sizeof(msg)), GH_ERR);
    assert_non_null(strstr(msg, "owner"));
    assert_int_equal(gh_portal_query_parse("name:", &q, msg, sizeof(msg)), GH_ERR);
    {
        char big[400];
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(gh_portal_query_parse(big, &q, msg, sizeof(msg)), GH_ERR);
    }
}

static json_t *body(const char *extra)
{
    char buf[2048];

    snprintf(buf, sizeof(buf),
             "{\"name\":\"Pizza\",\"context\":\"/pizza\",\"version\":\"1.0.0\",\"endpointConfig\":"
             "\"{\\\"production_endpoints\\\":{\\\"url\\\":\\\"https://b.example/api\\\"},\\\"endpoint_type\\\":\\\"http\\\"}\""
             "%s}",
             extra);
    return json_loads(buf, 0, NULL);
}

static void api_json_mapping(void **state)
{
    gh_portal_api_t a = {0};
    gh_portal_ferr_t fe;
    json_t *in = body(",\"tags\":[\"food\",\"pizza\"],\"tiers\":[\"Gold\"],\"isDefaultVersion\":true,"
                      "\"visibility\":\"RESTRICTED\",\"visibleRoles\":[\"Internal/subscriber\"],\"transport\":[\"https\"]");
    json_t *out;

    (void)state;
    assert_int_equal(gh_portal_api_from_json(in, &a, &fe), GH_OK);
    assert_string_equal(a.production_url, "https://b.example/api");
    assert_null(a.sandbox_url);
    assert_string_equal(a.tags, "food,pizza");
    assert_string_equal(a.tiers, "Gold");
    assert_string_equal(a.transports, "https");
    assert_true(a.is_default);
    snprintf(a.uuid, sizeof(a.uuid), "u-1");
    a.status = strdup("CREATED");
    out = gh_portal_api_to_json(&a, 1);
    assert_string_equal(json_string_value(json_object_get(out, "context")), "/pizza");
    assert_string_equal(json_string_value(json_object_get(out, "visibility")), "RESTRICTED");
    assert_int_equal(json_array_size(json_object_get(out, "tags")), 2);
    assert_true(json_is_true(json_object_get(out, "isDefaultVersion")));
    assert_true(json_is_string(json_object_get(out, "apiDefinition")));
    json_decref(out);
    out = gh_portal_api_to_json(&a, 0);
    assert_string_equal(json_string_value(json_object_get(out, "context")), "/pizza/1.0.0");
    assert_null(json_object_get(out, "endpointConfig"));
    json_decref(out);
    json_decref(in);
    gh_portal_api_dispose(&a);
}

static void api_json_refusals_name_the_field(void **state)
{
    static const struct {
        const char *json, *field;
    } cases[] = {
        {"{\"context\":\"/a\",\"version\":\"1\"}", "name"},
        {"{\"name\":\"a\",\"context\":\"a\",\"version\":\"1\"}", "context"},
        {"{\"name\":\"a\",\"context\":\"/a b\",\"version\":\"1\"}", "context"},
        {"{\"name\":\"a\",\"context\":\"/a//b\",\"version\":\"1\"}", "context"},
        {"{\"name\":\"a\",\"context\":\"/a\"}", "version"},
        {"{\"name\":\"a/b\",\"context\":\"/a\",\"version\":\"1\"}", "name"},
        {"{\"name\":\"a\",\"context\":\"/a\",\"version\":\"1\",\"visibility\":\"SECRET\"}", "visibility"},
        {"{\"name\":\"a\",\"context\":\"/a\",\"version\":\"1\",\"visibility\":\"RESTRICTED\"}", "visibleRoles"},
        {"{\"name\":\"a\",\"context\":\"/a\",\"version\":\"1\",\"transport\":[\"ftp\"]}", "transport"},
        {"{\"name\":\"a\",\"context\":\"/a\",\"version\":\"1\",\"tags\":\"x\"}", "tags"},
        {"{\"name\":\"a\",\"context\":\"/a\",\"version\":\"1\",\"endpointConfig\":\"{\\\"production_endpoints\\\":"
         "{\\\"url\\\":\\\"ftp://x\\\"}}\"}",
         "endpointConfig"},
        {"{\"name\":\"a\",\"context\":\"/a\",\"version\":\"1\",\"endpointConfig\":\"not json\"}", "endpointConfig"},
        {"{\"name\":\"a\",\"context\":\"/a\",\"version\":\"1\",\"isDefaultVersion\":\"yes\"}", "isDefaultVersion"},
        {"{\"name\":\"a\",\"context\":\"/a\",\"version\":\"1\",\"apiDefinition\":\"{bad\"}", "apiDefinition"},
        {"[]", "body"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        gh_portal_api_t a = {0};
        gh_portal_ferr_t fe = {0};
        json_t *in = json_loads(cases[i].json, 0, NULL);
        assert_non_null(in);
        assert_int_equal(gh_portal_api_from_json(in, &a, &fe), GH_ERR);
        assert_string_equal(fe.field, cases[i].field);
        json_decref(in);
        gh_portal_api_dispose(&a);
    }
}

static void context_template_is_stripped(void **state)
{
    gh_portal_api_t a = {0};
    gh_portal_ferr_t fe;
    json_t *in = json_loads("{\"name\":\"a\",\"context\":\"/a/{version}\",\"version\":\"1\"}", 0, NULL);

    (void)state;
    assert_int_equal(gh_portal_api_from_json(in, &a, &fe), GH_OK);
    assert_string_equal(a.context, "/a");
    json_decref(in);
    gh_portal_api_dispose(&a);
    assert_string_equal(gh_portal_auth_scheme("Application & Application User"), "Any");
    assert_string_equal(gh_portal_auth_scheme("Application User"), "Application_User");
    assert_null(gh_portal_auth_scheme("Root"));
    assert_string_equal(gh_portal_auth_type("None"), "None");
}

static void list_and_error_bodies(void **state)
{
    json_t *l = gh_portal_list_body(json_pack("[i,i]", 1, 2), 5, 2, 2, "/apis", "&query=x");
    json_t *e = gh_http_rest_error(400, "Bad Request", "context is bad", "context", "context is bad");
    gh_portal_ferr_t fe;
    int64_t off, lim;

    (void)state;
    assert_int_equal(json_integer_value(json_object_get(l, "count")), 2);
    assert_string_equal(json_string_value(json_object_get(l, "next")), "/apis?limit=2&offset=4&query=x");
    assert_string_equal(json_string_value(json_object_get(l, "previous")), "/apis?limit=2&offset=0&query=x");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(l, "pagination"), "total")), 5);
    json_decref(l);
    assert_int_equal(json_integer_value(json_object_get(e, "code")), 400);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(e, "error"), 0), "code")),
                        "context");
    assert_string_equal(json_string_value(json_object_get(e, "moreInfo")), "");
    json_decref(e);
    assert_int_equal(gh_portal_paging(NULL, NULL, &off, &lim, &fe), GH_OK);
    assert_int_equal(lim, 25);
    assert_int_equal(gh_portal_paging("-1", NULL, &off, &lim, &fe), GH_ERR);
    assert_string_equal(fe.field, "offset");
    assert_int_equal(gh_portal_paging("0", "1001", &off, &lim, &fe), GH_ERR);
    assert_string_equal(fe.field, "limit");
    assert_int_equal(gh_portal_paging("3", "7x", &off, &lim, &fe), GH_ERR);
}

static void multipart_field(void **state)
{
    static const char b[] = "--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nnope\r\n"
                            "--XyZ\r\nContent-Disposition: form-data; name=\"apiDefinition\"; filename=\"s.json\"\r\n"
                            "Content-Type: application/json\r\n\r\n{\"swagger\":\"2.0\"}\r\n--XyZ--\r\n";
    const char *p;
    size_t n;

    (void)state;
    assert_int_equal(gh_portal_multipart_field(b, strlen(b), "multipart/form-data; boundary=XyZ", "apiDefinition", &p,
                                               &n),
                     GH_OK);
    assert_int_equal(n, strlen("{\"swagger\":\"2.0\"}"));
    assert_memory_equal(p, "{\"swagger\":\"2.0\"}", n);
    assert_int_equal(gh_portal_multipart_field(b, strlen(b), "multipart/form-data; boundary=XyZ", "missing", &p, &n),
                     GH_ERR);
    assert_int_equal(gh_portal_multipart_field(b, strlen(b), "multipart/form-data", "apiDefinition", &p, &n), GH_ERR);
    assert_int_equal(gh_portal_multipart_field(b, 20, "multipart/form-data; boundary=XyZ", "apiDefinition", &p, &n),
                     GH_ERR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lifecycle_follows_wso2),          cmocka_unit_test(query_parser),
        cmocka_unit_test(api_json_mapping),                cmocka_unit_test(api_json_refusals_name_the_field),
        cmocka_unit_test(context_template_is_stripped),    cmocka_unit_test(list_and_error_bodies),
        cmocka_unit_test(multipart_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
