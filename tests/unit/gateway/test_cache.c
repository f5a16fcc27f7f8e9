/* The gateway token cache's defences against a key manager that has not heard of a revocation yet
 * (modules/gateway/cache.c): tombstones for one token or for a client's older tokens, their expiry, and the epoch
 * that keeps answers begun before a drop out of the cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "gw_int.h"

static void test_token_tombstone(void **state)
{
    int64_t now = gh_gw_now_ms();

    (void)state;
    assert_false(gw_cache_revoked("aaaa", "ck", 1, now));
    gw_cache_revoke("aaaa", NULL, 0);
    assert_true(gw_cache_revoked("aaaa", "ck", 1, now));
    assert_true(gw_cache_revoked("aaaa", NULL, now + 5000, now)); /* whatever its issue time */
    assert_false(gw_cache_revoked("aaab", "ck", 1, now));
    assert_false(gw_cache_revoked("aaaa", "ck", 1, now + 121000)); /* forgotten after the TTL */
}

static void test_client_tombstone(void **state)
{
    int64_t now = gh_gw_now_ms();

    (void)state;
    gw_cache_revoke(NULL, "client-1", 1000000);
    assert_true(gw_cache_revoked("bbbb", "client-1", 999999, now));   /* issued before: revoked */
    assert_false(gw_cache_revoked("bbbb", "client-1", 1000000, now)); /* issued at or after: a new token */
    assert_false(gw_cache_revoked("bbbb", "client-2", 1, now));
    assert_false(gw_cache_revoked("bbbb", NULL, 1, now));
    gw_cache_revoke(NULL, NULL, 0); /* nothing named: nothing remembered */
    assert_false(gw_cache_revoked("cccc", "", 1, now));
}

static void test_ring_forgets_oldest(void **state)
{
    int64_t now = gh_gw_now_ms();
    char h[32];

    (void)state;
    gw_cache_revoke("first", NULL, 0);
    for (int i = 0; i < 5000; ++i) {
        snprintf(h, sizeof(h), "h%d", i);
        gw_cache_revoke(h, NULL, 0);
    }
    assert_false(gw_cache_revoked("first", NULL, 1, now));
    assert_true(gw_cache_revoked("h4999", NULL, 1, now));
}

static void test_epoch_moves_on_drop(void **state)
{
    uint64_t e0;

    (void)state;
    gw_cache_init(16);
    e0 = gw_cache_epoch();
    assert_int_equal(gw_cache_epoch(), e0);
    gw_cache_drop("abcd");
    assert_int_equal(gw_cache_epoch(), e0 + 1);
    gw_cache_drop(NULL);
    assert_int_equal(gw_cache_epoch(), e0 + 2);
    gw_cache_dispose();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_tombstone),
        cmocka_unit_test(test_client_tombstone),
        cmocka_unit_test(test_ring_forgets_oldest),
        cmocka_unit_test(test_epoch_moves_on_drop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
