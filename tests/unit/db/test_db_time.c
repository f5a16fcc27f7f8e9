/* Timestamp text <-> epoch ms: the conversions every driver relies on for GH_DB_TIME. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "db/driver.h"

static void test_format(void **state)
{
    char buf[GH_DB_TIME_BUFSZ];

    (void)state;
    assert_string_equal(gh_db_time_format(0, buf), "1970-01-01 00:00:00.000");
    assert_string_equal(gh_db_time_format(1700000000123LL, buf), "2023-11-14 22:13:20.123");
    assert_string_equal(gh_db_time_format(951782400000LL, buf), "2000-02-29 00:00:00.000"); /* leap day */
    assert_string_equal(gh_db_time_format(-1, buf), "1969-12-31 23:59:59.999");
}

static void test_parse(void **state)
{
    int64_t ms = -7;
    const char *s;

    (void)state;
    s = "2023-11-14 22:13:20.123";
    assert_int_equal(gh_db_time_parse(s, strlen(s), &ms), GH_OK);
    assert_int_equal(ms, 1700000000123LL);
    s = "2023-11-14T22:13:20.123456Z"; /* microseconds truncated */
    assert_int_equal(gh_db_time_parse(s, strlen(s), &ms), GH_OK);
    assert_int_equal(ms, 1700000000123LL);
    s = "2023-11-14 23:13:20.1+01"; /* PostgreSQL TIMESTAMPTZ style */
    assert_int_equal(gh_db_time_parse(s, strlen(s), &ms), GH_OK);
    assert_int_equal(ms, 1700000000100LL);
    s = "2023-11-14 22:13:20";
    assert_int_equal(gh_db_time_parse(s, strlen(s), &ms), GH_OK);
    assert_int_equal(ms, 1700000000000LL);
    s = "2023-11-14";
    assert_int_equal(gh_db_time_parse(s, strlen(s), &ms), GH_OK);
    assert_int_equal(ms, 1699920000000LL);
    s = "2023-13-14 00:00:00";
    assert_int_equal(gh_db_time_parse(s, strlen(s), &ms), GH_ERR);
    s = "yesterday";
    assert_int_equal(gh_db_time_parse(s, strlen(s), &ms), GH_ERR);
    s = "2023-11-14 22:13:20 junk";
    assert_int_equal(gh_db_time_parse(s, strlen(s), &ms), GH_ERR);
}

static void test_round_trip(void **state)
{
    char buf[GH_DB_TIME_BUFSZ];
    int64_t t, back;

    (void)state;
    for (t = -86400000LL * 800; t < 4102444800000LL; t += 86400000LL * 97 + 3723456) {
        gh_db_time_format(t, buf);
        assert_int_equal(gh_db_time_parse(buf, strlen(buf), &back), GH_OK);
        assert_int_equal(back, t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
