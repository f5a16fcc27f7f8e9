/* URI templates, API routing by context and default version, and resource order (modules/gateway/match.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "gw_int.h"

#define M(p, s) gw_template_match(p, s, strlen(s))

static void test_templates(void **state)
{
    (void)state;
    assert_true(M("/*", "/"));
    assert_true(M("/*", ""));
    assert_true(M("/*", "/a/b/c"));
    assert_true(M("/menu", "/menu"));
    assert_true(M("/menu", "/menu/"));
    assert_false(M("/menu", "/menus"));
    assert_false(M("/menu", "/men"));
    assert_true(M("/order/{id}", "/order/42"));
    assert_false(M("/order/{id}", "/order/"));
    assert_false(M("/order/{id}", "/order/42/x"));
    assert_true(M("/order/{id}/items/*", "/order/42/items"));
    assert_true(M("/order/{id}/items/*", "/order/42/items/7"));
    assert_false(M("/order/{id}/items/*", "/order/42/itemsX"));
    assert_true(M("/a/{x}/b/{y}", "/a/1/b/2"));
    assert_false(M("/a/{x}/b/{y}", "/a/1/c/2"));
}

static gw_resource_t R(const char *verb, const char *pattern)
{
    gw_resource_t r = {(char *)verb, (char *)pattern, (char *)"Any", NULL, NULL};
    return r;
}

static void test_order_and_find(void **state)
{
    gw_resource_t res[] = {R("GET", "/*"), R("GET", "/order/{id}"), R("GET", "/order/latest"), R("POST", "/order/*")};
    gw_api_t api = {.res = res, .n_res = 4};
    const gw_resource_t *r;
    int pm;

    (void)state;
    gw_resources_sort(res, 4);
    assert_string_equal(res[0].pattern, "/order/latest");
    assert_string_equal(res[1].pattern, "/order/{id}");
    assert_string_equal(res[3].pattern, "/*");
    r = gw_resource_find(&api, "GET", 3, "/order/latest", 13, &pm);
    assert_string_equal(r->pattern, "/order/latest");
    r = gw_resource_find(&api, "GET", 3, "/order/9", 8, &pm);
    assert_string_equal(r->pattern, "/order/{id}");
    r = gw_resource_find(&api, "POST", 4, "/order/9", 8, &pm);
    assert_string_equal(r->pattern, "/order/*");
    r = gw_resource_find(&api, "POST", 4, "/other", 6, &pm);
    assert_null(r);
    assert_true(pm); /* the GET wildcard matched the path */
}

static void test_route(void **state)
{
    gw_api_t apis[2];
    gw_snapshot_t s = {.apis = apis, .n_apis = 2};
    size_t rest;
    int def;
    const gw_api_t *a;

    (void)state;
    memset(apis, 0, sizeof(apis));
    apis[0] = (gw_api_t){.id = 1, .version = "v1", .context = "/pizza/v1", .base_context = "/pizza",
                         .status = "PUBLISHED", .is_default = 0};
    apis[1] = (gw_api_t){.id = 2, .version = "v2", .context = "/pizza/v2", .base_context = "/pizza",
                         .status = "PUBLISHED", .is_default = 1};
    a = gw_route_find(&s, "/pizza/v1/menu", 14, &rest, &def);
    assert_int_equal(a->id, 1);
    assert_int_equal(rest, 9);
    assert_false(def);
    a = gw_route_find(&s, "/pizza/menu", 11, &rest, &def);
    assert_int_equal(a->id, 2);
    assert_int_equal(rest, 6);
    assert_true(def);
    a = gw_route_find(&s, "/pizza/v2", 9, &rest, &def);
    assert_int_equal(a->id, 2);
    assert_false(def);
    assert_null(gw_route_find(&s, "/pizzas/v1", 10, &rest, &def));
    assert_null(gw_route_find(&s, "/other", 6, &rest, &def));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_templates), cmocka_unit_test(test_order_and_find),
                                       cmocka_unit_test(test_route)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
