/* Background housekeeping on its own thread (never the event loop): expired and revoked token rows and used or
 * expired authorization codes are deleted in small batches, caches are swept, and the signing keys are
 * re-read so that a rotation by another process (or `gatehouse keys rotate`) is picked up within a minute. */
#include <stdlib.h>
#include <time.h>
#include "gatehouse/log.h"
#include "km_int.h"

#define PURGE_PERIOD_S 30 /* GH_KM_PURGE_SECONDS overrides it (tests) */
#define KEY_RELOAD_S 60
#define PURGE_BATCH 100

static void purge_codes(gh_km_t *km, gh_db_conn_t *c)
{
    gh_err_t err = {0};
    int64_t limit = gh_km_now_ms() - (int64_t)km->conf->identity.auth_code_validity_s * 1000 - 3600 * 1000;

    /* used codes are kept an hour so that a replay is still recognised (and revokes its tokens) */
    if (gh_db_exec(c, "DELETE FROM IDN_OAUTH2_AUTHORIZATION_CODE WHERE TIME_CREATED < ?", GH_DB_ARGS(GH_DB_TS(limit)),
                   NULL, &err) != GH_OK)
        gh_log(GH_LOG_WARN, "keymanager", "purging authorization codes failed: %s", err.msg);
    /* a jwt-bearer jti only needs remembering while its assertion could still be accepted */
    if (gh_db_exec(c, "DELETE FROM IDN_OIDC_JTI WHERE EXP_TIME < ?",
                   GH_DB_ARGS(GH_DB_TS(gh_km_now_ms() - (int64_t)km->conf->identity.timestamp_skew_s * 1000 - 60000)),
                   NULL, &err) != GH_OK)
        gh_log(GH_LOG_WARN, "keymanager", "purging used assertion ids failed: %s", err.msg);
}

static void purge_once(gh_km_t *km)
{
    gh_db_conn_t *c = NULL;
    gh_err_t err = {0};
    int n, rounds = 0;

    if (gh_db_borrow(km->pool, &c, &err) != GH_OK)
        return;
    /* small batches keep locks short; a bounded number of rounds per period keeps the thread polite */
    while (rounds++ < 20 && (n = gh_km_tok_purge(km, c, PURGE_BATCH, &err)) == PURGE_BATCH)
        ;
    if (err.code != GH_E_NONE)
        gh_log(GH_LOG_WARN, "keymanager", "purging tokens failed: %s", err.msg);
    purge_codes(km, c);
    gh_db_return(c);
}

static long period_s(void)
{
    const char *e = getenv("GH_KM_PURGE_SECONDS");
    char *end;
    long v;

    if (e == NULL)
        return PURGE_PERIOD_S;
    v = strtol(e, &end, 10);
    return *end == '\0' && v >= 1 && v <= 86400 ? v : PURGE_PERIOD_S;
}

static void *purge_main(void *arg)
{
    gh_km_t *km = arg;
    long period = period_s(), tick = period < 10 ? period : 10;
    int64_t last_purge = gh_km_now_ms(), last_reload = last_purge, now;
    struct timespec ts;

    pthread_mutex_lock(&km->purge_mu);
    while (km->purge_running) {
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += tick;
        pthread_cond_timedwait(&km->purge_cv, &km->purge_mu, &ts);
        if (!km->purge_running)
            break;
        pthread_mutex_unlock(&km->purge_mu);
        now = gh_km_now_ms();
        gh_km_cache_sweep(&km->tokens, now);
        gh_km_cache_sweep(&km->callers, now);
        gh_km_cache_sweep(&km->nonces, now);
        if (now - last_purge >= period * 1000) {
            purge_once(km);
            last_purge = now;
        }
        if (now - last_reload >= KEY_RELOAD_S * 1000) {
            gh_err_t err = {0};
            if (gh_km_keyring_reload(&km->keys, &err) != GH_OK)
                gh_log(GH_LOG_WARN, "keymanager", "reloading signing keys failed: %s", err.msg);
            last_reload = now;
        }
        pthread_mutex_lock(&km->purge_mu);
    }
    pthread_mutex_unlock(&km->purge_mu);
    return NULL;
}

void gh_km_purge_start(gh_km_t *km)
{
    pthread_mutex_init(&km->purge_mu, NULL);
    pthread_cond_init(&km->purge_cv, NULL);
    km->purge_running = 1;
    pthread_create(&km->purge_tid, NULL, purge_main, km);
}

void gh_km_purge_stop(gh_km_t *km)
{
    if (!km->purge_running)
        return;
    pthread_mutex_lock(&km->purge_mu);
    km->purge_running = 0;
    pthread_cond_signal(&km->purge_cv);
    pthread_mutex_unlock(&km->purge_mu);
    pthread_join(km->purge_tid, NULL);
    pthread_cond_destroy(&km->purge_cv);
    pthread_mutex_destroy(&km->purge_mu);
}
