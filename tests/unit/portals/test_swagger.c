/* Swagger 2.0 / OpenAPI 3 parsing and production with WSO2's extensions, and YAML input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "portal_model.h"

static const char doc[] =
    "{\"swagger\":\"2.0\",\"info\":{\"title\":\"t\",\"version\":\"1\"},\"paths\":{"
    "\"/menu\":{\"get\":{\"x-auth-type\":\"Application & Application User\",\"x-throttling-tier\":\"Unlimited\","
    "\"responses\":{\"200\":{\"description\":\"menu\"}}},\"parameters\":[]},"
    "\"/order/{id}\":{\"post\":{\"x-auth-type\":\"Application User\",\"x-throttling-tier\":\"10KPerMin\","
    "\"x-scope\":\"order\"},\"delete\":{\"x-auth-type\":\"None\"},\"put\":{}}},"
    "\"x-wso2-security\":{\"apim\":{\"x-wso2-scopes\":[{\"name\":\"Order\",\"description\":\"d\",\"key\":\"order\","
    "\"roles\":\"admin,Internal/subscriber\"}]}}}";

static const gh_portal_res_t *find(const gh_portal_api_t *a, const char *verb, const char *target)
{
    size_t i;

    for (i = 0; i < a->nres; ++i)
        if (strcmp(a->res[i].verb, verb) == 0 && strcmp(a->res[i].target, target) == 0)
            return &a->res[i];
    return NULL;
}

static void parses_resources_and_scopes(void **state)
{
    gh_portal_api_t a = {0};
    gh_portal_ferr_t fe;
    const gh_portal_res_t *r;

    (void)state;
    assert_int_equal(gh_portal_swagger_parse(doc, strlen(doc), &a, &fe), GH_OK);
    assert_int_equal(a.nres, 4);
    assert_non_null(r = find(&a, "GET", "/menu"));
    assert_string_equal(r->auth_scheme, "Any");
    assert_string_equal(r->throttling, "Unlimited");
    assert_null(r->scope);
    assert_non_null(r = find(&a, "POST", "/order/{id}"));
    assert_string_equal(r->auth_scheme, "Application_User");
    assert_string_equal(r->throttling, "10KPerMin");
    assert_string_equal(r->scope, "order");
    assert_string_equal(find(&a, "DELETE", "/order/{id}")->auth_scheme, "None");
    /* defaults for an operation without extensions */
    assert_string_equal(find(&a, "PUT", "/order/{id}")->auth_scheme, "Any");
    assert_string_equal(find(&a, "PUT", "/order/{id}")->throttling, "Unlimited");
    assert_int_equal(a.nscopes, 1);
    assert_string_equal(a.scopes[0].key, "order");
    assert_string_equal(a.scopes[0].roles, "admin,Internal/subscriber");
    assert_non_null(a.definition);
    gh_portal_api_dispose(&a);
}

static void produces_what_it_parsed(void **state)
{
    gh_portal_api_t a = {0}, b = {0};
    gh_portal_ferr_t fe;
    json_t *out, *op;
    char *s;

    (void)state;
    assert_int_equal(gh_portal_swagger_parse(doc, strlen(doc), &a, &fe), GH_OK);
    a.name = strdup("Pizza");
    a.version = strdup("v1");
    out = gh_portal_swagger_produce(&a);
    assert_string_equal(json_string_value(json_object_get(json_object_get(out, "info"), "title")), "Pizza");
    op = json_object_get(json_object_get(json_object_get(out, "paths"), "/order/{id}"), "post");
    assert_string_equal(json_string_value(json_object_get(op, "x-auth-type")), "Application User");
    assert_string_equal(json_string_value(json_object_get(op, "x-scope")), "order");
    /* the operation's own members survive */
    op = json_object_get(json_object_get(json_object_get(out, "paths"), "/menu"), "get");
    assert_non_null(json_object_get(json_object_get(op, "responses"), "200"));
    /* round trip: the produced document parses to the same resources */
    s = json_dumps(out, 0);
    assert_int_equal(gh_portal_swagger_parse(s, strlen(s), &b, &fe), GH_OK);
    assert_int_equal(b.nres, a.nres);
    assert_string_equal(find(&b, "POST", "/order/{id}")->auth_scheme, "Application_User");
    free(s);
    json_decref(out);
    gh_portal_api_dispose(&a);
    gh_portal_api_dispose(&b);
}

static void produces_a_document_from_resources_alone(void **state)
{
    gh_portal_res_t res = {.verb = "GET", .target = "/*", .auth_scheme = "Application", .throttling = "Unlimited"};
    gh_portal_api_t a = {.name = "n", .version = "1", .res = &res, .nres = 1};
    json_t *out = gh_portal_swagger_produce(&a), *op;

    (void)state;
    assert_string_equal(json_string_value(json_object_get(out, "swagger")), "2.0");
    op = json_object_get(json_object_get(json_object_get(out, "paths"), "/*"), "get");
    assert_string_equal(json_string_value(json_object_get(op, "x-auth-type")), "Application");
    assert_null(json_object_get(out, "x-wso2-security"));
    json_decref(out);
}

static void refuses_bad_documents(void **state)
{
    static const char *const bad[] = {
        "{not json",
        "{\"info\":{}}",
        "{\"swagger\":\"1.2\",\"paths\":{}}",
        "{\"swagger\":\"2.0\",\"paths\":[]}",
        "{\"swagger\":\"2.0\",\"paths\":{\"menu\":{\"get\":{}}}}",
        "{\"swagger\":\"2.0\",\"paths\":{\"/m\":{\"get\":{\"x-auth-type\":\"Bogus\"}}}}",
        "{\"swagger\":\"2.0\",\"paths\":{\"/m\":{\"get\":{\"x-scope\":\"undeclared\"}}}}",
        "{\"swagger\":\"2.0\",\"paths\":{\"/m/{a\":{\"get\":{}}}}",
        "{\"swagger\":\"2.0\",\"paths\":{\"/m\":{\"get\":{\"x-throttling-tier\":5}}}}",
        "{\"swagger\":\"2.0\",\"x-wso2-security\":{\"apim\":{\"x-wso2-scopes\":[{\"key\":\"a\"},{\"key\":\"a\"}]}}}",
        "a: [unclosed",
        "",
        "[1, 2]",
    };
    gh_portal_ferr_t fe;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        gh_portal_api_t a = {0};
        fe.field[0] = '\0';
        assert_int_equal(gh_portal_swagger_parse(bad[i], strlen(bad[i]), &a, &fe), GH_ERR);
        assert_string_equal(fe.field, "apiDefinition");
        assert_true(strlen(fe.msg) > 0);
        assert_int_equal(a.nres, 0);
        gh_portal_api_dispose(&a);
    }
}

static void reads_yaml_openapi3(void **state)
{
    static const char y[] = "openapi: 3.0.1\ninfo:\n  title: y\n  version: '1'\npaths:\n  /items/{id}:\n    get:\n"
                            "      x-auth-type: Application\n      x-throttling-tier: 20KPerMin\n"
                            "    patch: {}\n";
    gh_portal_api_t a = {0};
    gh_portal_ferr_t fe;

    (void)state;
    assert_int_equal(gh_portal_swagger_parse(y, strlen(y), &a, &fe), GH_OK);
    assert_int_equal(a.nres, 2);
    assert_string_equal(find(&a, "GET", "/items/{id}")->throttling, "20KPerMin");
    assert_string_equal(find(&a, "PATCH", "/items/{id}")->auth_scheme, "Any");
    gh_portal_api_dispose(&a);
}

static void yaml_types_and_limits(void **state)
{
    char msg[256];
    json_t *j;
    /* an alias bomb: each level doubles; the node budget stops it */
    static const char bomb[] = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                               "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                               "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";

    (void)state;
    {
        static const char y[] = "a: 1\nb: true\nc: ~\nd: '1'\ne: 1.5\nf: [x, 2]\n";
        j = gh_portal_yaml_to_json(y, strlen(y), msg, sizeof(msg));
    }
    assert_non_null(j);
    assert_true(json_is_integer(json_object_get(j, "a")));
    assert_true(json_is_true(json_object_get(j, "b")));
    assert_true(json_is_null(json_object_get(j, "c")));
    assert_string_equal(json_string_value(json_object_get(j, "d")), "1");
    assert_true(json_is_real(json_object_get(j, "e")));
    assert_int_equal(json_array_size(json_object_get(j, "f")), 2);
    json_decref(j);
    assert_null(gh_portal_yaml_to_json(bomb, strlen(bomb), msg, sizeof(msg)));
    assert_null(gh_portal_yaml_to_json("a: [", 4, msg, sizeof(msg)));
    assert_non_null(strstr(msg, "line"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_resources_and_scopes),
        cmocka_unit_test(produces_what_it_parsed),
        cmocka_unit_test(produces_a_document_from_resources_alone),
        cmocka_unit_test(refuses_bad_documents),
        cmocka_unit_test(reads_yaml_openapi3),
        cmocka_unit_test(yaml_types_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
