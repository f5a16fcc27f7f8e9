/* The token/client cache: copy in and out, expiry, deletion, and the size bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "km_int.h"

typedef struct {
    char s[32];
    int n;
} val_t;

static void test_put_get_expire(void **state)
{
    gh_km_cache_t c;
    val_t v = {"hello", 7}, out;

    (void)state;
    gh_km_cache_init(&c, sizeof(val_t), 100);
    gh_km_cache_put(&c, "k1", &v, 1000);
    memset(&out, 0, sizeof(out));
    assert_int_equal(gh_km_cache_get(&c, "k1", &out, 999), 1);
    assert_string_equal(out.s, "hello");
    assert_int_equal(out.n, 7);
    assert_int_equal(gh_km_cache_get(&c, "k1", &out, 1000), 0); /* expired exactly at its deadline */
    assert_int_equal(gh_km_cache_get(&c, "k2", &out, 0), 0);
    v.n = 8;
    gh_km_cache_put(&c, "k1", &v, 5000); /* overwrite extends */
    assert_int_equal(gh_km_cache_get(&c, "k1", &out, 2000), 1);
    assert_int_equal(out.n, 8);
    gh_km_cache_del(&c, "k1");
    assert_int_equal(gh_km_cache_get(&c, "k1", &out, 2000), 0);
    gh_km_cache_dispose(&c);
}

static void test_bound_and_sweep(void **state)
{
    gh_km_cache_t c;
    val_t v = {"x", 1}, out;
    char key[32];
    int i;

    (void)state;
    gh_km_cache_init(&c, sizeof(val_t), 50);
    for (i = 0; i < 500; ++i) {
        snprintf(key, sizeof(key), "key-%d", i);
        gh_km_cache_put(&c, key, &v, 100000 + i);
    }
    assert_true(c.n <= 50);
    assert_int_equal(gh_km_cache_get(&c, "key-499", &out, 0), 1); /* the newest entry survived the bound */
    gh_km_cache_sweep(&c, 1000000);
    assert_int_equal(c.n, 0);
    /* keys longer than the slot are refused, never truncated into a collision */
    memset(key, 'a', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    {
        char longkey[400];
        memset(longkey, 'b', sizeof(longkey) - 1);
        longkey[sizeof(longkey) - 1] = '\0';
        gh_km_cache_put(&c, longkey, &v, 100);
        assert_int_equal(gh_km_cache_get(&c, longkey, &out, 0), 0);
    }
    gh_km_cache_dispose(&c);
}

/* Another process revoked or changed something: everything goes, and the cache stays usable. */
static void test_clear(void **state)
{
    gh_km_cache_t c;
    val_t v = {"x", 1}, out;

    (void)state;
    gh_km_cache_init(&c, sizeof(val_t), 100);
    gh_km_cache_put(&c, "a", &v, 1000);
    gh_km_cache_put(&c, "b", &v, 1000);
    gh_km_cache_clear(&c);
    assert_int_equal(gh_km_cache_get(&c, "a", &out, 0), 0);
    assert_int_equal(gh_km_cache_get(&c, "b", &out, 0), 0);
    gh_km_cache_put(&c, "a", &v, 1000);
    assert_int_equal(gh_km_cache_get(&c, "a", &out, 0), 1);
    gh_km_cache_dispose(&c);
}

/* A read that began before a deletion (a revocation event) does not put its stale value back. */
static void test_put_if_generation(void **state)
{
    gh_km_cache_t c;
    val_t v = {"active", 1}, out;
    uint64_t gen;

    (void)state;
    gh_km_cache_init(&c, sizeof(val_t), 100);
    gen = gh_km_cache_gen(&c);
    gh_km_cache_del(&c, "tok"); /* the event arrives while the row is being read */
    gh_km_cache_put_if(&c, gen, "tok", &v, 1000);
    assert_int_equal(gh_km_cache_get(&c, "tok", &out, 0), 0);
    gen = gh_km_cache_gen(&c); /* a read with nothing in between is cached */
    gh_km_cache_put_if(&c, gen, "tok", &v, 1000);
    assert_int_equal(gh_km_cache_get(&c, "tok", &out, 0), 1);
    gen = gh_km_cache_gen(&c);
    gh_km_cache_clear(&c);
    gh_km_cache_put_if(&c, gen, "tok", &v, 1000);
    assert_int_equal(gh_km_cache_get(&c, "tok", &out, 0), 0);
    gh_km_cache_dispose(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_expire),
        cmocka_unit_test(test_bound_and_sweep),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_put_if_generation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
