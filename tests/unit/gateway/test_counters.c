/* Throttle arithmetic of the in-memory counters (modules/gateway/counters.c): fixed windows, their reset
 * time, separate keys and window sizes, peek without counting, and bandwidth amounts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "gw_int.h"

static void test_windows(void **state)
{
    const gh_gw_counters_t *c = gw_counters_memory();
    void *cls = c->create();
    int64_t reset = 0, t0 = 1700000000000LL - 1700000000000LL % 60000; /* a minute boundary */
    int i;

    (void)state;
    for (i = 1; i <= 5; ++i)
        assert_int_equal(c->hit(cls, "sub:1:2", 60000, t0 + i * 1000, 1, &reset), i);
    assert_int_equal(reset, t0 + 60000);
    assert_int_equal(c->hit(cls, "sub:1:2", 60000, t0 + 59999, 1, &reset), 6); /* same window */
    assert_int_equal(c->peek(cls, "sub:1:2", 60000, t0 + 59999, &reset), 6);  /* peek does not count */
    assert_int_equal(c->hit(cls, "sub:1:2", 60000, t0 + 60000, 1, &reset), 1); /* next window starts over */
    assert_int_equal(reset, t0 + 120000);
    assert_int_equal(c->hit(cls, "sub:1:3", 60000, t0 + 60000, 1, &reset), 1); /* another key */
    assert_int_equal(c->hit(cls, "sub:1:2", 1000, t0 + 60000, 1, &reset), 1);  /* another window size */
    assert_int_equal(c->peek(cls, "never", 1000, t0, &reset), 0);
    assert_int_equal(c->hit(cls, "bw", 3600000, t0, 1500, &reset), 1500);     /* bandwidth in bytes */
    assert_int_equal(c->hit(cls, "bw", 3600000, t0 + 1, 2500, &reset), 4000);
    c->destroy(cls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_windows)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
