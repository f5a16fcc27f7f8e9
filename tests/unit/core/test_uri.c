/* include/gatehouse/uri.h: the redirect-URI, Origin and header-value checks every module relies on (issue 8),
 * and the owner / scope checks of caller.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "gatehouse/caller.h"
#include "gatehouse/uri.h"

static void test_redirect(void **state)
{
    static const char *const good[] = {"https://app.example/cb", "https://app.example:8443/cb?x=1", "https://a",
                                       "http://localhost/cb", "http://127.0.0.1:1/cb", "http://127.10.0.3/x",
                                       "http://[::1]:8080/cb", "com.example.app:/oauth2redirect", NULL};
    static const char *const bad[] = {"", "www.google.lk", "/relative", "http://evil.example/cb",
                                      "http://localhost.evil.example/cb", "http://127.0.0.1.evil.example/",
                                      "http://1270.0.0.1/", "https://a.example/cb#frag", "https://user@a.example/cb",
                                      "https://a.example/cb\r\nSet-Cookie: x=1", "https://a.example/\tcb",
                                      "javascript:alert(1)", "JavaScript://x.y/%0aalert(1)", "data:text/html,x",
                                      "vbscript:x", "file:///etc/passwd", "https:///cb", "https://a.example:99999/",
                                      "https://a.example:/", "https://a.example/a b", "https://a.example/cb|https://b",
                                      "https://a.example/x)", "com.example.app:", NULL};
    const char *why;
    size_t i;

    (void)state;
    for (i = 0; good[i] != NULL; ++i)
        if (!gh_uri_redirect_ok(good[i], &why))
            fail_msg("refused %s: %s", good[i], why);
    for (i = 0; bad[i] != NULL; ++i) {
        why = NULL;
        if (gh_uri_redirect_ok(bad[i], &why))
            fail_msg("accepted %s", bad[i]);
        assert_non_null(why);
    }
    assert_true(gh_uri_callback_ok("regexp=(https://a/cb|http://127.0.0.1/cb)", NULL));
    assert_false(gh_uri_callback_ok("regexp=(https://a/cb|javascript:x)", NULL));
    assert_false(gh_uri_callback_ok("regexp=(https://a/cb", NULL));
    assert_false(gh_uri_callback_ok("regexp=(https://a/cb)x", NULL));
}

static void test_origin_and_headers(void **state)
{
    (void)state;
    assert_true(gh_uri_same_origin("https://gw.example", 18, "https", "gw.example", 10));
    assert_true(gh_uri_same_origin("https://gw.example", 18, "https", "gw.example:443", 14));
    assert_true(gh_uri_same_origin("HTTP://Host:9763", 16, "http", "host:9763", 9));
    assert_false(gh_uri_same_origin("https://evil.example", 20, "https", "gw.example", 10));
    assert_false(gh_uri_same_origin("http://gw.example", 17, "https", "gw.example", 10));
    assert_false(gh_uri_same_origin("null", 4, "https", "gw.example", 10));
    assert_false(gh_uri_same_origin("https://gw.example:8443", 23, "https", "gw.example", 10));
    assert_false(gh_uri_same_origin("https://gw.example/", 19, "https", "gw.example", 10));
    assert_true(gh_uri_header_value_ok("a b\tc", 5));
    assert_false(gh_uri_header_value_ok("a\r\nb", 4));
    assert_false(gh_uri_header_value_ok("a\0b", 3));
    assert_false(gh_uri_header_value_ok("a\x7f", 2));
}

static void test_caller(void **state)
{
    gh_caller_t bob = {.kind = GH_CALLER_BASIC, .user = "bob", .scope = "openid internal_login"};
    gh_caller_t admin = {.kind = GH_CALLER_BASIC, .user = "admin", .is_admin = 1};
    gh_caller_t none = {0};

    (void)state;
    assert_true(gh_caller_owns(&bob, "bob"));
    assert_false(gh_caller_owns(&bob, "bob_x"));
    assert_false(gh_caller_owns(&bob, "BOB"));
    assert_false(gh_caller_owns(&bob, ""));
    assert_true(gh_caller_owns(&admin, "bob"));
    assert_false(gh_caller_owns(&none, "bob"));
    assert_true(gh_caller_has_scope(&bob, "internal_login"));
    assert_false(gh_caller_has_scope(&bob, "internal"));
    assert_false(gh_caller_has_scope(&admin, "internal_login"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_redirect), cmocka_unit_test(test_origin_and_headers),
                                       cmocka_unit_test(test_caller)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
