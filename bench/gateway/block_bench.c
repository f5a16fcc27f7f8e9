/* Cost of the blocking-condition checks on the request path (modules/gateway/block.c): the early check (IP, API
 * context and base context) and the late one (owner:application, user) against empty sets and against 10,000
 * conditions of each type, none matching (the common case: every lookup probes to an empty slot).
 * build/bench/gw_block_bench [CALLS] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "gw_int.h"

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void run(const char *label, const gw_block_t *b, long calls)
{
    volatile long hits = 0;
    double t0 = now_s(), early, late;
    long i;

    for (i = 0; i < calls; ++i)
        hits += gw_block_early(b, "/pizzashack/1.0.0", "/pizzashack", "192.168.7.9") != GW_BLOCK_NONE;
    early = (now_s() - t0) / (double)calls * 1e9;
    t0 = now_s();
    for (i = 0; i < calls; ++i)
        hits += gw_block_late(b, "admin", "DefaultApplication", "alice@carbon.super", "carbon.super") != GW_BLOCK_NONE;
    late = (now_s() - t0) / (double)calls * 1e9;
    printf("%-28s early (IP, API) %6.1f ns/call   late (APPLICATION, USER) %6.1f ns/call   (%ld blocked)\n", label,
           early, late, (long)hits);
}

int main(int argc, char **argv)
{
    long calls = argc > 1 ? atol(argv[1]) : 2000000;
    gw_block_t b = {0};
    char v[64];
    int i;

    for (i = 0; i < 10000; ++i) {
        snprintf(v, sizeof(v), "user%d", i);
        gw_block_add(&b, "USER", v, "carbon.super");
        snprintf(v, sizeof(v), "10.%d.%d.1", i / 256, i % 256);
        gw_block_add(&b, "IP", v, "carbon.super");
        snprintf(v, sizeof(v), "owner%d:app", i);
        gw_block_add(&b, "APPLICATION", v, "carbon.super");
        snprintf(v, sizeof(v), "/api%d/v1", i);
        gw_block_add(&b, "API", v, "carbon.super");
    }
    {
        gw_block_t empty = {0};
        run("no conditions", &empty, calls);
    }
    run("10,000 of each type", &b, calls);
    gw_block_free(&b);
    return 0;
}
