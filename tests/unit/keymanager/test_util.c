/* Token formats, encodings, form and header parsing, scopes and PKCE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "gatehouse/gh.h"
#include "km_util.h"

static void test_token_format(void **state)
{
    char a[GH_KM_TOKEN_LEN], b[GH_KM_TOKEN_LEN], u[GH_KM_UUID_LEN];
    size_t i;

    (void)state;
    gh_km_token(a);
    gh_km_token(b);
    assert_int_equal(strlen(a), 43); /* 256 bits */
    assert_string_not_equal(a, b);
    for (i = 0; i < 43; ++i)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", a[i]));
    gh_km_uuid(u);
    assert_int_equal(strlen(u), 36);
    assert_int_equal(u[14], '4');
    assert_non_null(strchr("89ab", u[19]));
    gh_km_client_id(a);
    assert_int_equal(strlen(a), 22);
}

static void test_digests(void **state)
{
    char h[GH_KM_HASH_HEX], m[33], k[GH_KM_HASH_HEX];

    (void)state;
    gh_km_sha256_hex("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    gh_km_md5_hex("default", 7, m);
    assert_string_equal(m, "c21f969b5f03d33d43e04f8f136e7682");
    /* RFC 4231 test case 2 */
    gh_km_hmac_hex((const unsigned char *)"Jefe", 4, "what do ya want for nothing?", 28, k);
    assert_string_equal(k, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assert_true(gh_km_streq_ct("abc", "abc"));
    assert_false(gh_km_streq_ct("abc", "abd"));
    assert_false(gh_km_streq_ct("abc", "ab"));
}

static void test_form(void **state)
{
    gh_form_t f;

    (void)state;
    assert_int_equal(gh_form_parse(&f, "grant_type=client_credentials&scope=a+b%20c&x=", 46), GH_OK);
    assert_string_equal(gh_form_get(&f, "grant_type"), "client_credentials");
    assert_string_equal(gh_form_get(&f, "scope"), "a b c");
    assert_string_equal(gh_form_get(&f, "x"), "");
    assert_null(gh_form_get(&f, "y"));
    assert_int_equal(f.dup, 0);
    gh_form_dispose(&f);
    assert_int_equal(gh_form_parse(&f, "a=1&a=2", 7), GH_OK);
    assert_int_equal(f.dup, 1);
    gh_form_dispose(&f);
    assert_int_equal(gh_form_parse(&f, "a=%zz", 5), GH_ERR);
    gh_form_dispose(&f);
    assert_int_equal(gh_form_parse(&f, "a=%00", 5), GH_ERR);
    gh_form_dispose(&f);
}

static void test_basic(void **state)
{
    char *id, *sec;
    const char *t;
    size_t tl;

    (void)state;
    /* "my%20id:s%3Acr%2Bt" -> id "my id", secret "s:cr+t" (RFC 6749 §2.3.1) */
    assert_int_equal(gh_basic_parse("Basic bXklMjBpZDpzJTNBY3IlMkJ0", 30, 1, &id, &sec), 1);
    assert_string_equal(id, "my id");
    assert_string_equal(sec, "s:cr+t");
    free(id);
    free(sec);
    assert_int_equal(gh_basic_parse("Bearer xyz", 10, 1, &id, &sec), 0);
    assert_int_equal(gh_basic_parse("Basic !!!!", 10, 1, &id, &sec), -1);
    assert_int_equal(gh_basic_parse("Basic bm9jb2xvbg==", 18, 1, &id, &sec), -1); /* "nocolon" */
    t = gh_bearer_token("Bearer abc ", 11, &tl);
    assert_non_null(t);
    assert_int_equal(tl, 3);
    assert_null(gh_bearer_token("Basic abc", 9, &tl));
}

static void test_scopes(void **state)
{
    gh_km_scopes_t sc;
    char buf[64];

    (void)state;
    assert_int_equal(gh_km_scopes_parse(&sc, "  openid b a b  "), GH_OK);
    assert_int_equal(sc.n, 3);
    assert_int_equal(gh_km_scopes_join(&sc, buf, sizeof(buf)), GH_OK);
    assert_string_equal(buf, "a b openid");
    assert_true(gh_km_scopes_has(&sc, "openid"));
    gh_km_scopes_remove(&sc, 0);
    assert_int_equal(gh_km_scopes_join(&sc, buf, sizeof(buf)), GH_OK);
    assert_string_equal(buf, "b openid");
    assert_int_equal(gh_km_scopes_join(&sc, buf, 4), GH_ERR);
    gh_km_scopes_dispose(&sc);
    assert_int_equal(gh_km_scopes_parse(&sc, "a\"b"), GH_ERR);
    assert_int_equal(gh_km_scopes_parse(&sc, NULL), GH_OK);
    assert_int_equal(sc.n, 0);
}

static void test_pkce(void **state)
{
    (void)state;
    /* RFC 7636 appendix B */
    assert_true(gh_km_pkce_verify("S256", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                                  "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    assert_false(gh_km_pkce_verify("S256", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                                   "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx"));
    assert_false(gh_km_pkce_verify("S256", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "short"));
    assert_false(gh_km_pkce_verify("S512", "x", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    /* plain is disabled: an absent or plain method never matches */
    assert_false(gh_km_pkce_verify("plain", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                                   "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    assert_false(gh_km_pkce_verify(NULL, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                                   "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
}

static void test_pkce_challenge(void **state)
{
    const char *why = NULL;

    (void)state;
    assert_true(gh_km_pkce_challenge_ok("S256", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", &why));
    /* finding 16: a missing method means plain (RFC 7636 4.3), which is disabled */
    assert_false(gh_km_pkce_challenge_ok(NULL, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", &why));
    assert_false(gh_km_pkce_challenge_ok("", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", &why));
    assert_false(gh_km_pkce_challenge_ok("plain", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", &why));
    /* 43 characters, but outside base64url or impossible as the last of a SHA-256 */
    assert_false(gh_km_pkce_challenge_ok("S256", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c!", &why));
    assert_false(gh_km_pkce_challenge_ok("S256", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c~", &why));
    assert_false(gh_km_pkce_challenge_ok("S256", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN", &why));
    assert_false(gh_km_pkce_challenge_ok("S256", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c", &why));
    assert_false(gh_km_pkce_challenge_ok("S256", NULL, &why));
}

static void test_escape(void **state)
{
    char *s;

    (void)state;
    s = gh_km_html_escape("<a href=\"x\">&'");
    assert_string_equal(s, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    free(s);
    s = gh_urlencode("a b&c=d/é");
    assert_string_equal(s, "a%20b%26c%3Dd%2F%C3%A9");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_format), cmocka_unit_test(test_digests), cmocka_unit_test(test_form),
        cmocka_unit_test(test_basic),        cmocka_unit_test(test_scopes),  cmocka_unit_test(test_pkce),
        cmocka_unit_test(test_pkce_challenge),
        cmocka_unit_test(test_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
