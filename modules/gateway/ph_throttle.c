/* Throttle phase (ThrottleHandler): the API's maximum (900800), the resource's tier (900802), the
 * subscription tier's spike arrest (burst control, 900807: its rateLimitCount per second or minute), the
 * subscription's tier (900804, only when its policy stops on quota) and the application's tier (900803), each
 * a request-count or bandwidth policy per window, counted through the pluggable counters. A refused call gets
 * 429 with Retry-After. Bandwidth is counted when the response is known (log phase) and checked here. */
#include <stdio.h>
#include <string.h>
#include "gw_int.h"

#define CHECKS_MAX 5

typedef struct st_check_t {
    const gw_policy_t *pol;
    gw_policy_t own; /* a policy made from the validation answer (spike arrest) */
    char key[320];
    int code;
} check_t;

static int collect(gw_req_t *r, check_t *c)
{
    const gw_snapshot_t *s = r->snap;
    const gh_keyval_info_t *in = r->entry != NULL ? &r->entry->info : NULL;
    int n = 0;

    if ((c[n].pol = gw_policy_find(s, GW_POL_API, r->api->api_tier)) != NULL) {
        snprintf(c[n].key, sizeof(c[n].key), "api:%lld", (long long)r->api->id);
        c[n++].code = 900800;
    }
    if ((c[n].pol = gw_policy_find(s, GW_POL_API, r->res->tier)) != NULL) {
        snprintf(c[n].key, sizeof(c[n].key), "res:%lld:%s:%s", (long long)r->api->id, r->res->verb,
                 r->res->pattern);
        c[n++].code = 900802;
    }
    if (in == NULL)
        return n;
    /* the key manager sends the subscription tier's RATE_LIMIT_COUNT / RATE_LIMIT_TIME_UNIT with each answer */
    if (in->spike_arrest_limit > 0 &&
        (strcmp(in->spike_arrest_unit, "sec") == 0 || strcmp(in->spike_arrest_unit, "min") == 0)) {
        c[n].own = (gw_policy_t){.level = GW_POL_SUB,
                                 .quota = in->spike_arrest_limit,
                                 .window_ms = strcmp(in->spike_arrest_unit, "sec") == 0 ? 1000 : 60000,
                                 .stop_on_quota = 1};
        c[n].pol = &c[n].own;
        snprintf(c[n].key, sizeof(c[n].key), "spike:%s:%lld", in->application_id, (long long)r->api->id);
        c[n++].code = 900807;
    }
    if ((c[n].pol = gw_policy_find(s, GW_POL_SUB, in->tier)) != NULL && c[n].pol->stop_on_quota) {
        snprintf(c[n].key, sizeof(c[n].key), "sub:%s:%lld", in->application_id, (long long)r->api->id);
        c[n++].code = 900804;
    }
    if ((c[n].pol = gw_policy_find(s, GW_POL_APP, in->application_tier)) != NULL) {
        snprintf(c[n].key, sizeof(c[n].key), "app:%s:%s", in->application_id, in->end_user);
        c[n++].code = 900803;
    }
    return n;
}

int gw_ph_throttle(gw_req_t *r)
{
    const gh_gw_counters_t *ops = r->gw->counters;
    check_t c[CHECKS_MAX];
    int n = collect(r, c), i;
    int64_t now = gh_gw_now_ms(), reset = 0, v;

    for (i = 0; i < n; ++i) {
        const gw_policy_t *p = c[i].pol;
        if (p->quota >= 2147483647LL) /* Unlimited */
            continue;
        if (p->bandwidth)
            v = ops->peek(r->gw->counters_cls, c[i].key, p->window_ms, now, &reset);
        else
            v = ops->hit(r->gw->counters_cls, c[i].key, p->window_ms, now, 1, &reset);
        if (v > p->quota) {
            gw_metrics_throttled();
            gw_fault_throttle(r, c[i].code, (reset - now + 999) / 1000);
            return GW_DONE;
        }
    }
    return GW_NEXT;
}

/* bandwidth policies count the bytes of the response once it went out */
void gw_throttle_account(gw_req_t *r, int64_t bytes)
{
    check_t c[CHECKS_MAX];
    int n, i;
    int64_t now = gh_gw_now_ms(), reset;

    if (r->snap == NULL || r->api == NULL || r->res == NULL || bytes <= 0)
        return;
    n = collect(r, c);
    for (i = 0; i < n; ++i)
        if (c[i].pol->bandwidth)
            r->gw->counters->hit(r->gw->counters_cls, c[i].key, c[i].pol->window_ms, now, bytes, &reset);
}
