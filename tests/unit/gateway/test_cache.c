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

static void put(const char *key, int authorized, const char *app, const char *ck)
{
    gw_entry_t *e = calloc(1, sizeof(*e));

    atomic_init(&e->refs, 1);
    e->info.authorized = authorized;
    snprintf(e->info.application_id, sizeof(e->info.application_id), "%s", app);
    snprintf(e->info.consumer_key, sizeof(e->info.consumer_key), "%s", ck);
    e->expires_ms = gh_gw_now_ms() + 60000;
    gw_cache_put(key, e);
    gw_entry_unref(e);
}

static int cached(const char *key)
{
    gw_entry_t *e = gw_cache_get(key, gh_gw_now_ms());

    gw_entry_unref(e);
    return e != NULL;
}

static void fill(void)
{
    put("t1:10", 1, "7", "ck7");  /* app 7 on API 10 */
    put("t1:11", 1, "7", "ck7");  /* app 7 on API 11 */
    put("t2:10", 1, "8", "ck8");  /* app 8 on API 10 */
    put("t3:10", 0, "", "");      /* a refusal */
}

/* A change drops what it touches and the refusals, nothing else: one application's change must not send every
 * caller back to the key manager. */
static void test_targeted_drops(void **state)
{
    (void)state;
    gw_cache_init(64);
    fill();
    assert_int_equal(gw_cache_size(), 4);
    gw_cache_drop_related(10, 7, NULL); /* app 7's subscription to API 10 */
    assert_false(cached("t1:10"));
    assert_true(cached("t1:11"));
    assert_true(cached("t2:10"));
    assert_false(cached("t3:10"));

    fill();
    gw_cache_drop_related(0, 7, NULL); /* app 7 changed (tier, deleted) */
    assert_false(cached("t1:10"));
    assert_false(cached("t1:11"));
    assert_true(cached("t2:10"));

    fill();
    gw_cache_drop_related(0, 0, "ck8"); /* keys of ck8 */
    assert_true(cached("t1:10"));
    assert_false(cached("t2:10"));

    fill();
    gw_cache_drop_api(10);
    assert_false(cached("t1:10"));
    assert_true(cached("t1:11"));
    assert_false(cached("t2:10"));
    assert_false(cached("t3:10"));
    gw_cache_dispose();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_tombstone),
        cmocka_unit_test(test_client_tombstone),
        cmocka_unit_test(test_ring_forgets_oldest),
        cmocka_unit_test(test_epoch_moves_on_drop),
        cmocka_unit_test(test_targeted_drops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
