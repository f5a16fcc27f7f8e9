/* Blocking conditions as the gateway matches them (modules/gateway/block.c): each type's canonical form, the sets,
 * networks of trusted proxies and the client address behind them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>
#include "gw_int.h"

#define D "carbon.super"

static void test_ip(void **state)
{
    gw_block_t b = {0};
    char c[64];

    (void)state;
    assert_int_equal(gw_block_add(&b, "IP", "10.100.7.77", D), 0);
    assert_int_equal(gw_block_add(&b, "IP", "2001:DB8:0:0::1", D), 0);
    assert_int_equal(gw_block_add(&b, "IP", "::ffff:192.0.2.9", D), 0);
    assert_int_equal(gw_block_add(&b, "IP", "10.100.7.77", D), 0); /* twice: one entry */
    assert_int_equal(gw_block_add(&b, "IP", "not-an-ip", D), -1);
    assert_int_equal(gw_block_add(&b, "IP", "10.0.0.0/8", D), -1); /* a range is not an IP condition */
    assert_int_equal(b.ip.n, 3);
    assert_int_equal(gw_block_early(&b, "/a/v1", "/a", "10.100.7.77"), GW_BLOCK_IP);
    assert_int_equal(gw_block_early(&b, "/a/v1", "/a", "10.100.7.78"), GW_BLOCK_NONE);
    assert_int_equal(gw_block_early(&b, "/a/v1", "/a", NULL), GW_BLOCK_NONE);
    /* the peer in every spelling the socket may give */
    assert_int_equal(gw_block_ip_canon("::ffff:10.100.7.77", c, sizeof(c)), 0);
    assert_string_equal(c, "10.100.7.77");
    assert_int_equal(gw_block_early(&b, "/a/v1", "/a", c), GW_BLOCK_IP);
    assert_int_equal(gw_block_ip_canon("2001:db8::1", c, sizeof(c)), 0);
    assert_int_equal(gw_block_early(&b, "/a/v1", "/a", c), GW_BLOCK_IP);
    assert_int_equal(gw_block_ip_canon("192.0.2.9", c, sizeof(c)), 0);
    assert_int_equal(gw_block_early(&b, "/a/v1", "/a", c), GW_BLOCK_IP);
    assert_int_equal(gw_block_ip_canon("nope", c, sizeof(c)), -1);
    {
        struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
        struct sockaddr_in s4 = {.sin_family = AF_INET};
        inet_pton(AF_INET6, "::ffff:10.100.7.77", &s6.sin6_addr);
        assert_int_equal(gw_block_sockaddr_canon((struct sockaddr *)&s6, c, sizeof(c)), 0);
        assert_string_equal(c, "10.100.7.77");
        inet_pton(AF_INET, "127.0.0.2", &s4.sin_addr);
        assert_int_equal(gw_block_sockaddr_canon((struct sockaddr *)&s4, c, sizeof(c)), 0);
        assert_string_equal(c, "127.0.0.2");
    }
    assert_int_equal(gw_block_count(&b), 3);
    gw_block_free(&b);
}

static void test_api(void **state)
{
    gw_block_t b = {0};

    (void)state;
    assert_int_equal(gw_block_early(&b, "/pizza/1.0.0", "/pizza", NULL), GW_BLOCK_NONE);
    assert_int_equal(gw_block_add(&b, "API", "/pizza/1.0.0/", D), 0);
    assert_int_equal(gw_block_early(&b, "/pizza/1.0.0", "/pizza", NULL), GW_BLOCK_API);
    assert_int_equal(gw_block_early(&b, "/pizza/2.0.0", "/pizza", NULL), GW_BLOCK_NONE);
    assert_int_equal(gw_block_early(&b, "/pizza/1.0.00", "/pizza", NULL), GW_BLOCK_NONE);
    assert_int_equal(gw_block_early(&b, "/Pizza/1.0.0", "/Pizza", NULL), GW_BLOCK_NONE); /* paths are exact */
    /* the context without its version: every version */
    assert_int_equal(gw_block_add(&b, "api", "/menu", D), 0);
    assert_int_equal(gw_block_early(&b, "/menu/v1", "/menu", NULL), GW_BLOCK_API);
    assert_int_equal(gw_block_early(&b, "/menu/v2", "/menu", NULL), GW_BLOCK_API);
    assert_int_equal(gw_block_early(&b, "/menus/v2", "/menus", NULL), GW_BLOCK_NONE);
    assert_int_equal(gw_block_add(&b, "API", "", D), -1);
    gw_block_free(&b);
}

static void test_application_and_user(void **state)
{
    gw_block_t b = {0};

    (void)state;
    assert_int_equal(gw_block_late(&b, "admin", "App", "admin@carbon.super", D), GW_BLOCK_NONE);
    assert_int_equal(gw_block_add(&b, "APPLICATION", "admin:DefaultApplication", D), 0);
    assert_int_equal(gw_block_add(&b, "APPLICATION", "Bob@carbon.super:Shop:2", D), 0);
    assert_int_equal(gw_block_add(&b, "APPLICATION", "no-owner", D), -1);
    assert_int_equal(gw_block_add(&b, "APPLICATION", ":name", D), -1);
    assert_int_equal(gw_block_add(&b, "APPLICATION", "owner:", D), -1);
    assert_int_equal(gw_block_late(&b, "admin", "DefaultApplication", "x@carbon.super", D), GW_BLOCK_APPLICATION);
    assert_int_equal(gw_block_late(&b, "admin@carbon.super", "DefaultApplication", "x", D), GW_BLOCK_APPLICATION);
    assert_int_equal(gw_block_late(&b, "ADMIN", "DefaultApplication", "x", D), GW_BLOCK_APPLICATION);
    assert_int_equal(gw_block_late(&b, "admin", "defaultapplication", "x", D), GW_BLOCK_NONE);
    assert_int_equal(gw_block_late(&b, "admin", "OtherApplication", "x", D), GW_BLOCK_NONE);
    assert_int_equal(gw_block_late(&b, "bob", "Shop:2", "x", D), GW_BLOCK_APPLICATION);
    assert_int_equal(gw_block_late(&b, "alice", "DefaultApplication", "x", D), GW_BLOCK_NONE);

    /* a user as WSO2 stores it (tenant-qualified) or as typed */
    assert_int_equal(gw_block_add(&b, "USER", "mallory", D), 0);
    assert_int_equal(gw_block_add(&b, "USER", "eve@carbon.super", D), 0);
    assert_int_equal(gw_block_add(&b, "USER", "trent@example.com", D), 0); /* an e-mail user name */
    assert_int_equal(gw_block_add(&b, "USER", "", D), -1);
    assert_int_equal(gw_block_late(&b, "admin", "App", "mallory@carbon.super", D), GW_BLOCK_USER);
    assert_int_equal(gw_block_late(&b, "admin", "App", "Mallory@carbon.super", D), GW_BLOCK_USER);
    assert_int_equal(gw_block_late(&b, "admin", "App", "mallory", D), GW_BLOCK_USER);
    assert_int_equal(gw_block_late(&b, "admin", "App", "eve@carbon.super", D), GW_BLOCK_USER);
    assert_int_equal(gw_block_late(&b, "admin", "App", "eve", D), GW_BLOCK_USER);
    assert_int_equal(gw_block_late(&b, "admin", "App", "trent@example.com@carbon.super", D), GW_BLOCK_USER);
    assert_int_equal(gw_block_late(&b, "admin", "App", "trent@carbon.super", D), GW_BLOCK_NONE);
    assert_int_equal(gw_block_late(&b, "admin", "App", "malloryx@carbon.super", D), GW_BLOCK_NONE);
    assert_int_equal(gw_block_late(&b, "admin", "App", "admin@carbon.super", D), GW_BLOCK_NONE);
    assert_int_equal(gw_block_add(&b, "IPRANGE", "{}", D), -1);
    assert_int_equal(gw_block_add(&b, NULL, "x", D), -1);
    assert_int_equal(gw_block_count(&b), 5);
    gw_block_free(&b);
}

static void test_many(void **state)
{
    gw_block_t b = {0};
    char v[64];
    int i;

    (void)state;
    for (i = 0; i < 5000; ++i) {
        snprintf(v, sizeof(v), "user%d", i);
        assert_int_equal(gw_block_add(&b, "USER", v, D), 0);
    }
    assert_int_equal(b.user.n, 5000);
    assert_true(b.user.cap >= 10000);
    for (i = 0; i < 5000; ++i) {
        snprintf(v, sizeof(v), "user%d@carbon.super", i);
        assert_int_equal(gw_block_late(&b, "a", "b", v, D), GW_BLOCK_USER);
        snprintf(v, sizeof(v), "user%dx", i);
        assert_int_equal(gw_block_late(&b, "a", "b", v, D), GW_BLOCK_NONE);
    }
    gw_block_free(&b);
}

static void test_cidr(void **state)
{
    gw_cidr_t *l = NULL, one;
    size_t n = 0;

    (void)state;
    assert_int_equal(gw_cidr_list_parse("10.0.0.0/8, 192.168.1.7 ,fd00::/8", &l, &n), 0);
    assert_int_equal(n, 3);
    assert_true(gw_cidr_match(l, n, "10.1.2.3"));
    assert_true(gw_cidr_match(l, n, "192.168.1.7"));
    assert_false(gw_cidr_match(l, n, "192.168.1.8"));
    assert_false(gw_cidr_match(l, n, "11.0.0.1"));
    assert_true(gw_cidr_match(l, n, "fd12::1"));
    assert_false(gw_cidr_match(l, n, "fe80::1"));
    assert_false(gw_cidr_match(l, n, "junk"));
    assert_false(gw_cidr_match(l, n, NULL));
    free(l);
    assert_int_equal(gw_cidr_list_parse("10.0.0.1, nope", &l, &n), -1);
    assert_null(l);
    assert_int_equal(n, 0);
    assert_int_equal(gw_cidr_parse("10.0.0.0/33", 11, &one), -1);
    assert_int_equal(gw_cidr_parse("10.0.0.0/", 9, &one), -1);
    assert_int_equal(gw_cidr_parse("::/0", 4, &one), 0);
    assert_int_equal(gw_cidr_parse("10.0.0.0/12", 11, &one), 0);
    assert_true(gw_cidr_match(&one, 1, "10.15.255.255"));
    assert_false(gw_cidr_match(&one, 1, "10.16.0.0"));
    assert_false(gw_cidr_match(NULL, 0, "10.1.1.1"));
}

#define XFF(s) h2o_iovec_init(H2O_STRLIT(s))

static void test_client_ip(void **state)
{
    gw_cidr_t *t = NULL;
    size_t n = 0;
    char out[64];
    h2o_iovec_t spoof[] = {XFF("203.0.113.5")};
    h2o_iovec_t chain[] = {XFF("1.1.1.1, 203.0.113.5"), XFF("10.0.0.2")};
    h2o_iovec_t bad[] = {XFF("1.1.1.1, junk:80")};

    (void)state;
    /* no trusted proxies: the header is never believed */
    assert_int_equal(gw_block_client_ip(NULL, 0, "198.51.100.1", spoof, 1, out, sizeof(out)), 0);
    assert_string_equal(out, "198.51.100.1");
    assert_int_equal(gw_cidr_list_parse("10.0.0.0/8", &t, &n), 0);
    /* a peer that is not a trusted proxy: not believed either */
    assert_int_equal(gw_block_client_ip(t, n, "198.51.100.1", spoof, 1, out, sizeof(out)), 0);
    assert_string_equal(out, "198.51.100.1");
    /* through a trusted proxy: the address it saw */
    assert_int_equal(gw_block_client_ip(t, n, "10.0.0.1", spoof, 1, out, sizeof(out)), 0);
    assert_string_equal(out, "203.0.113.5");
    /* two trusted hops (two headers): the first untrusted from the right; the client's own 1.1.1.1 is ignored */
    assert_int_equal(gw_block_client_ip(t, n, "10.0.0.1", chain, 2, out, sizeof(out)), 0);
    assert_string_equal(out, "203.0.113.5");
    /* no header at all from a trusted proxy: the proxy */
    assert_int_equal(gw_block_client_ip(t, n, "10.0.0.1", NULL, 0, out, sizeof(out)), 0);
    assert_string_equal(out, "10.0.0.1");
    /* what the proxy forwarded is not an address: the nearest hop trusted */
    assert_int_equal(gw_block_client_ip(t, n, "10.0.0.1", bad, 1, out, sizeof(out)), 0);
    assert_string_equal(out, "10.0.0.1");
    assert_int_equal(gw_block_client_ip(t, n, NULL, NULL, 0, out, sizeof(out)), -1);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_ip),   cmocka_unit_test(test_api),
                                       cmocka_unit_test(test_application_and_user),
                                       cmocka_unit_test(test_many), cmocka_unit_test(test_cidr),
                                       cmocka_unit_test(test_client_ip)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
