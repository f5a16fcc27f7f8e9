/* Prometheus text metrics of the gateway (GET /metrics on the management listeners): requests and faults by
 * API, status and fault code, throttled calls, token-cache hits and misses, and histograms of the key
 * validation, backend and total latencies. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/events.h"
#include "gatehouse/mem.h"
#include "gw_int.h"

#define MAX_SERIES 512

static const double bounds_ms[] = {0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
#define NB (sizeof(bounds_ms) / sizeof(bounds_ms[0]))

typedef struct st_hist_t {
    atomic_ullong b[NB + 1];
    atomic_ullong count;
    atomic_ullong sum_us;
} hist_t;

static struct {
    pthread_mutex_t mu;
    struct {
        char api[300];
        int status, fault;
        uint64_t n;
    } series[MAX_SERIES];
    size_t n_series;
    atomic_ullong throttled, hits, misses;
    hist_t h[3];
} M = {.mu = PTHREAD_MUTEX_INITIALIZER};

void gw_metrics_request(const char *api, int status, int fault)
{
    size_t i;

    pthread_mutex_lock(&M.mu);
    for (i = 0; i < M.n_series; ++i)
        if (M.series[i].status == status && M.series[i].fault == fault && strcmp(M.series[i].api, api) == 0)
            break;
    if (i == M.n_series && M.n_series < MAX_SERIES) {
        snprintf(M.series[i].api, sizeof(M.series[i].api), "%s", api);
        M.series[i].status = status;
        M.series[i].fault = fault;
        M.n_series++;
    }
    if (i < M.n_series)
        M.series[i].n++;
    pthread_mutex_unlock(&M.mu);
}

void gw_metrics_throttled(void)
{
    atomic_fetch_add(&M.throttled, 1);
}

void gw_metrics_cache(int hit)
{
    atomic_fetch_add(hit ? &M.hits : &M.misses, 1);
}

void gw_metrics_latency(int which, int64_t us)
{
    hist_t *h = &M.h[which];
    size_t i;

    for (i = 0; i < NB && (double)us / 1000.0 > bounds_ms[i]; ++i)
        ;
    atomic_fetch_add(&h->b[i], 1);
    atomic_fetch_add(&h->count, 1);
    atomic_fetch_add(&h->sum_us, (unsigned long long)(us > 0 ? us : 0));
}

/* label values are API names from the database: escape \ " and newlines */
static void esc(const char *s, char *out, size_t size)
{
    size_t o = 0;

    for (; *s != '\0' && o + 3 < size; ++s) {
        if (*s == '\\' || *s == '"') {
            out[o++] = '\\';
            out[o++] = *s;
        } else if (*s == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else {
            out[o++] = *s;
        }
    }
    out[o] = '\0';
}

static void hist(FILE *f, const char *name, const char *help, const hist_t *h)
{
    unsigned long long cum = 0;
    size_t i;

    fprintf(f, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    for (i = 0; i < NB; ++i) {
        cum += atomic_load(&h->b[i]);
        fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", name, bounds_ms[i] / 1000.0, cum);
    }
    cum += atomic_load(&h->b[NB]);
    fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n", name, cum, name,
            (double)atomic_load(&h->sum_us) / 1e6, name, (unsigned long long)atomic_load(&h->count));
}

char *gw_metrics_render(void)
{
    char *buf = NULL, api[700];
    size_t len = 0, i;
    FILE *f = open_memstream(&buf, &len);

    fprintf(f, "# HELP gatehouse_gateway_requests_total API calls by API, status and WSO2 fault code (0: none)\n"
               "# TYPE gatehouse_gateway_requests_total counter\n");
    pthread_mutex_lock(&M.mu);
    for (i = 0; i < M.n_series; ++i) {
        esc(M.series[i].api, api, sizeof(api));
        fprintf(f, "gatehouse_gateway_requests_total{api=\"%s\",status=\"%d\",code=\"%d\"} %llu\n", api,
                M.series[i].status, M.series[i].fault, (unsigned long long)M.series[i].n);
    }
    pthread_mutex_unlock(&M.mu);
    fprintf(f, "# HELP gatehouse_gateway_throttled_total Calls refused by a throttling policy\n"
               "# TYPE gatehouse_gateway_throttled_total counter\ngatehouse_gateway_throttled_total %llu\n",
            (unsigned long long)atomic_load(&M.throttled));
    fprintf(f, "# HELP gatehouse_gateway_token_cache_total Gateway token cache look-ups\n"
               "# TYPE gatehouse_gateway_token_cache_total counter\n"
               "gatehouse_gateway_token_cache_total{result=\"hit\"} %llu\n"
               "gatehouse_gateway_token_cache_total{result=\"miss\"} %llu\n",
            (unsigned long long)atomic_load(&M.hits), (unsigned long long)atomic_load(&M.misses));
    fprintf(f, "# HELP gatehouse_gateway_token_cache_entries Entries in the gateway token cache\n"
               "# TYPE gatehouse_gateway_token_cache_entries gauge\ngatehouse_gateway_token_cache_entries %zu\n",
            gw_cache_size());
    hist(f, "gatehouse_gateway_validation_seconds", "Key validation latency (cache misses)", &M.h[0]);
    hist(f, "gatehouse_gateway_backend_seconds", "Backend latency (to the response headers)", &M.h[1]);
    hist(f, "gatehouse_gateway_request_seconds", "Total latency of API calls", &M.h[2]);
    fprintf(f, "# HELP gatehouse_events_total Change events published in this process\n"
               "# TYPE gatehouse_events_total counter\n");
    for (i = 1; i < GH_EV_KIND_MAX; ++i)
        fprintf(f, "gatehouse_events_total{kind=\"%zu\"} %llu\n", i,
                (unsigned long long)gh_events_count((gh_event_kind_t)i));
    fclose(f);
    return buf;
}
