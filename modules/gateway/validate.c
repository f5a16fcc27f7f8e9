/* A cache miss suspends that request alone: its token goes to the key-validation client on a job worker and
 * the request resumes on its loop when the answer comes back. Per loop, concurrent misses for the same token
 * and API share one validation, and at most gw->max_inflight validations run at once; the rest wait in a
 * bounded queue, so a burst of unknown tokens cannot take every worker from the cached traffic of other loops
 * nor grow without limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "gatehouse/job.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gw_int.h"

#define GW_PENDING_MAX 4096
#define GW_NEGATIVE_TTL_MS 10000

typedef struct st_waiter_t {
    struct st_waiter_t *next;
    gw_req_t *r; /* NULL once the request went away */
} waiter_t;

typedef struct st_vjob_t {
    gh_job_t super;
    struct st_vjob_t *next;
    gh_gw_t *gw;
    char key[96];
    char *token;
    char *context, *version;
    waiter_t *waiters;
    int rc;
    gh_err_t err;
    gw_entry_t *entry;
    int64_t t0;
    uint64_t epoch; /* gw_cache_epoch() when the validation began */
} vjob_t;

static __thread struct {
    vjob_t *running, *pending;
    int n_running, n_pending;
} L;

static void on_work(gh_job_t *job)
{
    vjob_t *j = (vjob_t *)job;
    gh_keyval_req_t rq = {.token = j->token,
                          .context = j->context,
                          .version = j->version,
                          .auth_level = "Any",
                          .with_jwt = j->gw->conf->apim.jwt_enabled};

    gh_keyval_info_t *in = &j->entry->info;
    char hash[65];

    j->rc = j->gw->kv->validate(j->gw->kv_cls, &rq, in, &j->err);
    /* here on the worker, not in on_done: the tombstones are scanned off the event loop */
    snprintf(hash, sizeof(hash), "%.*s", (int)strcspn(j->key, ":"), j->key);
    if (j->rc == GH_OK && in->authorized && gw_cache_revoked(hash, in->consumer_key, in->issued_ms, gh_gw_now_ms())) {
        /* revoked here, still active at a key manager that has not heard of it yet */
        in->authorized = 0;
        in->validation_status = GH_KV_INVALID_CREDENTIALS;
    }
}

static void unlink_job(vjob_t **list, vjob_t *j)
{
    for (; *list != NULL; list = &(*list)->next)
        if (*list == j) {
            *list = j->next;
            return;
        }
}

static void submit(vjob_t *j)
{
    j->next = L.running;
    L.running = j;
    L.n_running++;
    j->t0 = gw_now_us();
    j->epoch = gw_cache_epoch();
    gh_job_submit(&j->super, NULL);
}

static int64_t entry_expiry(gh_gw_t *gw, const gw_entry_t *e, int64_t now)
{
    const gh_conf_apim_t *a = &gw->conf->apim;
    int64_t exp = now + (int64_t)a->token_cache_expiry_s * 1000;

    if (!e->info.authorized)
        return now + GW_NEGATIVE_TTL_MS < exp ? now + GW_NEGATIVE_TTL_MS : exp;
    if (a->jwt_enabled && now + (int64_t)a->jwt_expiry_s * 1000 < exp)
        exp = now + (int64_t)a->jwt_expiry_s * 1000; /* the cached JWT must not outlive its exp */
    if (e->token_exp_ms > 0 && e->token_exp_ms < exp)
        exp = e->token_exp_ms;
    return exp;
}

static void free_job(vjob_t *j)
{
    waiter_t *w, *n;

    for (w = j->waiters; w != NULL; w = n) {
        n = w->next;
        free(w);
    }
    if (j->token != NULL) {
        OPENSSL_cleanse(j->token, strlen(j->token));
        free(j->token);
    }
    free(j->context);
    free(j->version);
    gw_entry_unref(j->entry);
    free(j);
}

static void on_done(gh_job_t *job)
{
    vjob_t *j = (vjob_t *)job;
    int64_t now = gh_gw_now_ms();
    waiter_t *w;

    unlink_job(&L.running, j);
    L.n_running--;
    gw_metrics_latency(0, gw_now_us() - j->t0);
    if (j->rc != GH_OK) {
        gh_log(GH_LOG_ERR, "gateway", "key validation failed: %s", j->err.msg);
        j->entry->info.authorized = 0;
        j->entry->info.validation_status = GH_KV_GENERAL_ERROR;
        j->entry->km_unreachable = j->err.code == GH_E_UNAVAILABLE;
    } else {
        gw_entry_t *e = j->entry;
        /* a revocation that came after on_work's look at the tombstones moved the epoch on: not cached */
        e->token_exp_ms = e->info.validity_ms < 0 ? 0 : e->info.issued_ms + e->info.validity_ms;
        e->expires_ms = entry_expiry(j->gw, e, now);
        if (j->gw->conf->apim.gateway_token_cache && gw_cache_epoch() == j->epoch)
            gw_cache_put(j->key, e);
    }
    for (w = j->waiters; w != NULL; w = w->next) {
        gw_req_t *r = w->r;
        if (r == NULL)
            continue;
        r->waiter = NULL;
        atomic_fetch_add(&j->entry->refs, 1);
        r->entry = j->entry;
        r->t_validate_us = gw_now_us() - j->t0;
        gw_pipeline_run(r, gw_phase_index_after_authn());
    }
    free_job(j);
    /* the next queued validation takes the freed slot */
    if (L.pending != NULL && L.n_running < L.pending->gw->max_inflight) {
        vjob_t *p = L.pending;
        L.pending = p->next;
        L.n_pending--;
        submit(p);
    }
}

static vjob_t *find(vjob_t *list, const char *key)
{
    for (; list != NULL; list = list->next)
        if (strcmp(list->key, key) == 0)
            return list;
    return NULL;
}

static void add_waiter(vjob_t *j, gw_req_t *r)
{
    waiter_t *w = gh_calloc(1, sizeof(*w));

    w->r = r;
    w->next = j->waiters;
    j->waiters = w;
    r->waiter = w;
}

void gw_validate_forget(gw_req_t *r)
{
    if (r->waiter != NULL) {
        ((waiter_t *)r->waiter)->r = NULL;
        r->waiter = NULL;
    }
}

int gw_validate_suspend(gw_req_t *r)
{
    gh_gw_t *gw = r->gw;
    vjob_t *j;

    if ((j = find(L.running, r->key)) != NULL || (j = find(L.pending, r->key)) != NULL) {
        add_waiter(j, r);
        return GW_SUSPENDED;
    }
    if (L.n_running >= gw->max_inflight && L.n_pending >= GW_PENDING_MAX) {
        gw_fault(r, 503, 900900, "Unclassified Authentication Failure",
                 "Too many access tokens are being validated; try again later");
        return GW_DONE;
    }
    j = gh_calloc(1, sizeof(*j));
    j->super.work = on_work;
    j->super.done = on_done;
    j->gw = gw;
    memcpy(j->key, r->key, strnlen(r->key, sizeof(j->key) - 1));
    j->token = gh_strndup(r->token, r->token_len);
    j->context = gh_strdup(r->api->context);
    j->version = gh_strdup(r->api->version != NULL ? r->api->version : "");
    j->entry = gh_calloc(1, sizeof(*j->entry));
    atomic_init(&j->entry->refs, 1);
    add_waiter(j, r);
    if (L.n_running < gw->max_inflight) {
        submit(j);
    } else {
        vjob_t **pp = &L.pending; /* FIFO */
        while (*pp != NULL)
            pp = &(*pp)->next;
        *pp = j;
        L.n_pending++;
    }
    return GW_SUSPENDED;
}
