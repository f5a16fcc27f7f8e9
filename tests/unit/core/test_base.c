/* gh_base pieces other modules build on: the change-event bus and the caller's owner and scope checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "gatehouse/caller.h"
#include "gatehouse/events.h"

static int seen_api, seen_other;

static void on_event(const gh_event_t *ev, void *data)
{
    int *calls = data;
    ++*calls;
    if (ev->kind == GH_EV_API_CHANGED && ev->api_id == 42 && strcmp(ev->name, "PUBLISHED") == 0)
        seen_api++;
    else
        seen_other++;
}

static void test_events(void **state)
{
    int calls_a = 0, calls_b = 0;
    int a = gh_events_subscribe(on_event, &calls_a);
    int b = gh_events_subscribe(on_event, &calls_b);
    gh_event_t ev = {.kind = GH_EV_API_CHANGED, .api_id = 42, .name = "PUBLISHED"};
    uint64_t before = gh_events_count(GH_EV_API_CHANGED);

    (void)state;
    assert_true(a > 0 && b > 0 && a != b);
    gh_events_publish(&ev);
    assert_int_equal(calls_a, 1);
    assert_int_equal(calls_b, 1);
    assert_int_equal(seen_api, 2);
    gh_events_unsubscribe(a);
    ev.kind = GH_EV_TOKEN_REVOKED;
    gh_events_publish(&ev);
    assert_int_equal(calls_a, 1);
    assert_int_equal(calls_b, 2);
    assert_int_equal(seen_other, 1);
    assert_int_equal(gh_events_count(GH_EV_API_CHANGED), before + 1);
    ev.kind = (gh_event_kind_t)99; /* out of range: dropped, not delivered */
    gh_events_publish(&ev);
    assert_int_equal(calls_b, 2);
    gh_events_unsubscribe(b);
}

static void test_caller(void **state)
{
    gh_caller_t none = {0};
    gh_caller_t bob = {.kind = GH_CALLER_BEARER, .user = "bob", .scope = "openid apim:subscribe  apim:api_view"};
    gh_caller_t admin = {.kind = GH_CALLER_BASIC, .user = "admin", .scope = "apim:api_view", .is_admin = 1};

    (void)state;
    assert_false(gh_caller_owns(&none, "bob"));
    assert_true(gh_caller_owns(&bob, "bob"));
    assert_false(gh_caller_owns(&bob, "Bob"));
    assert_false(gh_caller_owns(&bob, "bob_x"));
    assert_false(gh_caller_owns(&bob, ""));
    assert_false(gh_caller_owns(&bob, NULL));
    assert_true(gh_caller_owns(&admin, "bob"));
    assert_true(gh_caller_owns(&admin, NULL));
    assert_true(gh_caller_has_scope(&bob, "apim:subscribe"));
    assert_true(gh_caller_has_scope(&bob, "apim:api_view"));
    assert_false(gh_caller_has_scope(&bob, "apim:api"));
    assert_false(gh_caller_has_scope(&bob, "apim:subscribe apim:api_view"));
    assert_false(gh_caller_has_scope(&bob, ""));
    assert_false(gh_caller_has_scope(&admin, "apim:api_create")); /* admin passes owner checks, not scope checks */
    assert_false(gh_caller_has_scope(&none, "openid"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_events), cmocka_unit_test(test_caller)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
