/* Password hashing: PBKDF2 round trips and known vectors, WSO2's salted digest, constant-time verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "password.h"
#include "gatehouse/mem.h"

/* computed independently: printf '%s' 'adminc2FsdHNhbHRzYWx0c2FsdA==' | openssl dgst -sha256 -binary | base64 */
#define SALT "c2FsdHNhbHRzYWx0c2FsdA==" /* base64("saltsaltsaltsalt") */
#define WSO2_ADMIN_SHA256 "wcpYc6Iqx3k8rRp61TEEd91QnuRdxJpz77YEWyTjGrE="
#define WSO2_ADMIN_SHA1 "PjNJJLZiHc+iMH6nTCnWa6uLqOY="
/* python3 hashlib.pbkdf2_hmac('sha256', b'correct horse', b'saltsaltsaltsalt', 1000) */
#define PBKDF2_VECTOR "$pbkdf2-sha256$1000$" SALT "$BBs+1+PaslLtBPULUr8/lQicvVuHiEPMz0i8MjLCbzM="

static gh_us_pw_conf_t conf(gh_us_pw_method_t m, unsigned iter)
{
    gh_us_pw_conf_t c;

    gh_us_pw_conf_init(&c);
    c.method = m;
    c.iterations = iter;
    return c;
}

static void test_pbkdf2_round_trip(void **state)
{
    gh_us_pw_conf_t c = conf(GH_US_PW_PBKDF2, 1000);
    char *h1 = NULL, *s1 = NULL, *h2 = NULL, *s2 = NULL;
    int rehash = -1;

    (void)state;
    assert_int_equal(gh_us_pw_hash(&c, "s3cret!", &h1, &s1, NULL), 0);
    assert_null(s1);
    assert_true(strncmp(h1, "$pbkdf2-sha256$1000$", 20) == 0);
    assert_int_equal(strlen(h1), 20 + 24 + 1 + 44);
    assert_int_equal(gh_us_pw_verify(&c, "s3cret!", h1, NULL, &rehash, NULL), 1);
    assert_int_equal(rehash, 0);
    assert_int_equal(gh_us_pw_verify(&c, "s3cret?", h1, NULL, NULL, NULL), 0);
    assert_int_equal(gh_us_pw_verify(&c, "", h1, NULL, NULL, NULL), 0);
    /* a fresh salt every time */
    assert_int_equal(gh_us_pw_hash(&c, "s3cret!", &h2, &s2, NULL), 0);
    assert_string_not_equal(h1, h2);
    gh_free_secret(h1);
    gh_free_secret(h2);
}

static void test_pbkdf2_known_vector(void **state)
{
    gh_us_pw_conf_t c = conf(GH_US_PW_PBKDF2, 2000);
    int rehash = 0;

    (void)state;
    assert_int_equal(gh_us_pw_verify(&c, "correct horse", PBKDF2_VECTOR, NULL, &rehash, NULL), 1);
    assert_int_equal(rehash, 1); /* stored with 1000, configured 2000: upgrade */
    assert_int_equal(gh_us_pw_verify(&c, "Correct horse", PBKDF2_VECTOR, NULL, NULL, NULL), 0);
}

static void test_pbkdf2_malformed(void **state)
{
    gh_us_pw_conf_t c = conf(GH_US_PW_PBKDF2, 1000);
    gh_err_t e = {0};

    (void)state;
    assert_int_equal(gh_us_pw_verify(&c, "x", "$pbkdf2-sha256$abc$" SALT "$AAAA", NULL, NULL, &e), -1);
    assert_int_equal(gh_us_pw_verify(&c, "x", "$pbkdf2-sha256$99999999999$" SALT "$AAAA", NULL, NULL, &e), -1);
    assert_int_equal(gh_us_pw_verify(&c, "x", "$pbkdf2-sha256$1000$" SALT, NULL, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "malformed"));
}

static void test_wso2_vector(void **state)
{
    gh_us_pw_conf_t c = conf(GH_US_PW_PBKDF2, 1000);
    char *h;
    int rehash = 0;

    (void)state;
    h = gh_us_pw_wso2("SHA-256", "admin", SALT);
    assert_string_equal(h, WSO2_ADMIN_SHA256);
    gh_free_secret(h);
    h = gh_us_pw_wso2("SHA-1", "admin", SALT);
    assert_string_equal(h, WSO2_ADMIN_SHA1);
    gh_free_secret(h);
    assert_null(gh_us_pw_wso2("NO-SUCH-DIGEST", "admin", SALT));
    /* stored WSO2 rows verify, and ask to be re-hashed when PBKDF2 is the default */
    assert_int_equal(gh_us_pw_verify(&c, "admin", WSO2_ADMIN_SHA256, SALT, &rehash, NULL), 1);
    assert_int_equal(rehash, 1);
    assert_int_equal(gh_us_pw_verify(&c, "admin2", WSO2_ADMIN_SHA256, SALT, NULL, NULL), 0);
    assert_int_equal(gh_us_pw_verify(&c, "admin", WSO2_ADMIN_SHA256, "AAAAAAAAAAAAAAAAAAAAAA==", NULL, NULL), 0);
}

static void test_wso2_write(void **state)
{
    gh_us_pw_conf_t c = conf(GH_US_PW_WSO2, 1000);
    char *h = NULL, *s = NULL, *expect;
    int rehash = -1;

    (void)state;
    assert_int_equal(gh_us_pw_hash(&c, "admin", &h, &s, NULL), 0);
    assert_non_null(s);
    assert_int_equal(strlen(s), 24);
    assert_int_equal(strlen(h), 44);
    expect = gh_us_pw_wso2("SHA-256", "admin", s);
    assert_string_equal(h, expect);
    assert_int_equal(gh_us_pw_verify(&c, "admin", h, s, &rehash, NULL), 1);
    assert_int_equal(rehash, 0);
    gh_free_secret(expect);
    gh_free_secret(h);
    free(s);
}

static void test_plain_text_readable_only(void **state)
{
    gh_us_pw_conf_t c = conf(GH_US_PW_WSO2, 1000);
    char *h = NULL, *s = NULL;
    int rehash = 0;

    (void)state;
    strcpy(c.digest, "PLAIN_TEXT");
    c.store_salted = 0;
    assert_int_equal(gh_us_pw_verify(&c, "admin", "admin", NULL, &rehash, NULL), 1);
    assert_int_equal(rehash, 1);
    /* never written in plain text */
    assert_int_equal(gh_us_pw_hash(&c, "admin", &h, &s, NULL), 0);
    assert_string_not_equal(h, "admin");
    assert_int_equal(strlen(h), 44);
    gh_free_secret(h);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pbkdf2_round_trip), cmocka_unit_test(test_pbkdf2_known_vector),
        cmocka_unit_test(test_pbkdf2_malformed),  cmocka_unit_test(test_wso2_vector),
        cmocka_unit_test(test_wso2_write),        cmocka_unit_test(test_plain_text_readable_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
