/* DCR body validation (both WSO2 flavours), grant lists and callback matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "gatehouse/gh.h"
#include "km_app.h"

static int parse(const char *js, gh_km_dcr_t *d, gh_err_t *err)
{
    json_t *j = json_loads(js, 0, NULL);
    int rc;

    assert_non_null(j);
    rc = gh_km_dcr_parse_rfc7591(j, d, err);
    json_decref(j);
    return rc;
}

static void test_rfc7591(void **state)
{
    gh_km_dcr_t d;
    gh_err_t err = {0};

    (void)state;
    assert_int_equal(parse("{\"client_name\":\"app1\",\"grant_types\":[\"client_credentials\",\"password\","
                           "\"password\"],\"ext_param_owner\":\"admin\"}", &d, &err), GH_OK);
    assert_string_equal(d.name, "app1");
    assert_string_equal(d.grant_types, "client_credentials password");
    assert_string_equal(d.owner, "admin");
    assert_string_equal(d.callback, "");
    assert_int_equal(parse("{\"client_name\":\"a\",\"grant_types\":[\"authorization_code\"],"
                           "\"redirect_uris\":[\"http://localhost/cb\",\"https://x/cb2\"]}", &d, &err), GH_OK);
    assert_string_equal(d.callback, "regexp=(http://localhost/cb|https://x/cb2)");
    assert_true(gh_km_callback_ok(d.callback, "https://x/cb2"));
    assert_false(gh_km_callback_ok(d.callback, "https://x/cb"));
    assert_false(gh_km_callback_ok(d.callback, "http://localhost/cb|https://x/cb2"));
    /* finding 2: http only on loopback, no script schemes, no CR/LF, no fragment */
    err.native = 0;
    assert_int_equal(parse("{\"client_name\":\"a\",\"redirect_uris\":[\"http://x/cb\"]}", &d, &err), GH_ERR);
    assert_int_equal(err.native, 1);
    assert_int_equal(parse("{\"client_name\":\"a\",\"redirect_uris\":[\"javascript:alert(1)//\"]}", &d, &err), GH_ERR);
    assert_int_equal(parse("{\"client_name\":\"a\",\"redirect_uris\":[\"https://x/cb\\r\\nSet-Cookie: a=b\"]}", &d, &err),
                     GH_ERR);
    assert_int_equal(parse("{\"client_name\":\"a\",\"redirect_uris\":[\"https://x/cb#frag\"]}", &d, &err), GH_ERR);
    assert_int_equal(parse("{\"client_name\":\"a\",\"redirect_uris\":[\"com.example.app:/cb\"]}", &d, &err), GH_OK);
    /* a client that never redirects keeps WSO2's placeholder */
    assert_int_equal(parse("{\"client_name\":\"a\",\"grant_types\":[\"password\"],\"redirect_uris\":[\"www.google.lk\"]}",
                           &d, &err), GH_OK);
    assert_string_equal(d.callback, "www.google.lk");
    /* errors */
    assert_int_equal(parse("{\"grant_types\":[\"password\"]}", &d, &err), GH_ERR);
    assert_non_null(strstr(err.msg, "client_name"));
    assert_int_equal(parse("{\"client_name\":\"a\",\"grant_types\":[\"bogus\"]}", &d, &err), GH_ERR);
    assert_non_null(strstr(err.msg, "bogus"));
    assert_int_equal(parse("{\"client_name\":\"a\",\"grant_types\":\"password\"}", &d, &err), GH_ERR);
    err.native = 0;
    assert_int_equal(parse("{\"client_name\":\"a\",\"grant_types\":[\"authorization_code\"]}", &d, &err), GH_ERR);
    assert_int_equal(err.native, 1); /* invalid_redirect_uri */
    err.native = 0;
    assert_int_equal(parse("{\"client_name\":\"a\",\"redirect_uris\":[\"no-scheme\"]}", &d, &err), GH_ERR);
    assert_int_equal(err.native, 1);
    assert_int_equal(parse("{\"client_name\":\"<script>\",\"grant_types\":[\"password\"]}", &d, &err), GH_ERR);
}

static void test_apim(void **state)
{
    gh_km_dcr_t d;
    gh_err_t err = {0};
    json_t *j = json_loads("{\"callbackUrl\":\"www.google.lk\",\"clientName\":\"rest_api_publisher\",\"owner\":\"admin\","
                           "\"grantType\":\"password refresh_token\",\"saasApp\":true}", 0, NULL);

    (void)state;
    assert_int_equal(gh_km_dcr_parse_apim(j, &d, &err), GH_OK);
    assert_string_equal(d.name, "admin_rest_api_publisher");
    assert_string_equal(d.grant_types, "password refresh_token");
    assert_int_equal(d.saas, 1);
    json_decref(j);
    j = json_loads("{\"clientName\":\"x\"}", 0, NULL);
    assert_int_equal(gh_km_dcr_parse_apim(j, &d, &err), GH_ERR);
    assert_non_null(strstr(err.msg, "owner"));
    json_decref(j);
}

static void test_grant_listed(void **state)
{
    (void)state;
    assert_true(gh_km_grant_listed("password refresh_token", "refresh_token"));
    assert_false(gh_km_grant_listed("password refresh_token", "refresh"));
    assert_false(gh_km_grant_listed("", "password"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7591),
        cmocka_unit_test(test_apim),
        cmocka_unit_test(test_grant_listed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
