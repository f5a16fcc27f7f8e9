/* Connection pools, one per datasource, with the Tomcat JDBC pool's knobs as WSO2 files set them:
 * maxActive, maxWait, minIdle, testOnBorrow + validationQuery + validationInterval. Connections are opened
 * and validated outside the lock, so a slow server never blocks threads that only return connections. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "db/db_int.h"
#include "gatehouse/conf.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/thread.h"
#include "gatehouse/registry.h"

int64_t gh_db_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const gh_db_driver_t *by_prefix(const char *url)
{
    const gh_plugin_t *p;
    const gh_db_driver_t *d;
    const char *const *pre;
    size_t i;

    for (i = 0; (p = gh_registry_at(GH_FAMILY_DB_DRIVER, i)) != NULL; ++i) {
        d = p->ops;
        for (pre = d->url_prefixes; pre != NULL && *pre != NULL; ++pre)
            if (strncmp(url, *pre, strlen(*pre)) == 0)
                return d;
    }
    return NULL;
}

static int resolve_driver(const gh_conf_datasource_t *ds, gh_db_pool_t *pool, gh_err_t *err)
{
    const gh_plugin_t *p;
    const gh_db_driver_t *d;
    gh_err_t e;

    if (ds->driver_class != NULL && ds->driver_class[0] != '\0') {
        if ((p = gh_registry_find(GH_FAMILY_DB_DRIVER, ds->driver_class, &e)) == NULL)
            return gh_err_set(err, GH_E_CONFIG, "datasource %s: driverClassName: %s", ds->name, e.msg);
        d = p->ops;
        if (by_prefix(ds->url) != d)
            return gh_err_set(err, GH_E_CONFIG, "datasource %s: driverClassName %s (driver %s) does not match URL '%s'",
                              ds->name, ds->driver_class, d->name, ds->url);
    } else if ((d = by_prefix(ds->url)) == NULL) {
        return gh_err_set(err, GH_E_CONFIG, "datasource %s: no driver for URL '%s'", ds->name, ds->url);
    }
    if (d->abi != GH_DB_DRIVER_ABI)
        return gh_err_set(err, GH_E_CONFIG, "datasource %s: driver %s has ABI %d, this build needs %d", ds->name,
                          d->name, d->abi, GH_DB_DRIVER_ABI);
    pool->drv = d;
    return GH_OK;
}

static gh_db_conn_t *conn_new(gh_db_pool_t *pool)
{
    gh_db_conn_t *c = gh_calloc(1, sizeof(*c));

    c->pool = pool;
    return c;
}

static void push_idle(gh_db_pool_t *pool, gh_db_conn_t *c)
{
    c->next_idle = pool->idle;
    pool->idle = c;
    pool->n_idle++;
}

int gh_db_pool_create(const gh_conf_datasource_t *ds, gh_db_pool_t **out, gh_err_t *err)
{
    gh_db_pool_t *pool;
    pthread_condattr_t ca;
    gh_db_conn_t *c;
    gh_err_t e;
    const char *name = ds->name != NULL ? ds->name : "(unnamed)";
    int i;

    *out = NULL;
    gh_db_register_builtin();
    pool = gh_calloc(1, sizeof(*pool));
    pool->name = gh_strdup(name);
    if (gh_db_url_parse(ds->url, &pool->url, &e) != GH_OK) {
        gh_err_set(err, GH_E_CONFIG, "datasource %s: %s", name, e.msg);
        goto fail;
    }
    if (resolve_driver(ds, pool, err) != GH_OK)
        goto fail;
    pool->user = gh_strdup(ds->username != NULL && ds->username[0] ? ds->username : gh_db_url_param(&pool->url, "user"));
    pool->password = gh_strdup(ds->password != NULL && ds->password[0] ? ds->password
                                                                      : gh_db_url_param(&pool->url, "password"));
    pool->validation_query = gh_strdup(ds->validation_query != NULL && ds->validation_query[0] ? ds->validation_query
                                                                                               : NULL);
    pool->max_active = ds->max_active;
    pool->max_wait_ms = ds->max_wait_ms;
    pool->min_idle = ds->min_idle;
    pool->test_on_borrow = ds->test_on_borrow;
    pool->validation_interval_ms = ds->validation_interval_ms;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&pool->cond, &ca);
    pthread_condattr_destroy(&ca);
    for (i = 0; i < pool->min_idle && (pool->max_active <= 0 || i < pool->max_active); ++i) {
        c = conn_new(pool);
        if (gh_db_conn_open(c, &e) != GH_OK) {
            /* a server that is down at start is retried on borrow; say so once */
            gh_log(GH_LOG_WARN, "db", "%s; the pool will retry when a connection is needed", e.msg);
            gh_db_conn_free(c);
            break;
        }
        push_idle(pool, c);
        pool->n_open++;
    }
    *out = pool;
    return GH_OK;
fail:
    gh_db_url_dispose(&pool->url);
    free(pool->name);
    free(pool);
    return GH_ERR;
}

void gh_db_pool_destroy(gh_db_pool_t *pool)
{
    gh_db_conn_t *c, *next;

    if (pool == NULL)
        return;
    if (pool->n_open != pool->n_idle)
        gh_log(GH_LOG_ERR, "db", "%s: pool destroyed with %d connection(s) still borrowed", pool->name,
               pool->n_open - pool->n_idle);
    for (c = pool->idle; c != NULL; c = next) {
        next = c->next_idle;
        gh_db_conn_free(c);
    }
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->cond);
    gh_db_url_dispose(&pool->url);
    free(pool->name);
    free(pool->user);
    gh_free_secret(pool->password);
    free(pool->validation_query);
    free(pool);
}

const char *gh_db_pool_name(const gh_db_pool_t *pool)
{
    return pool->name;
}

const char *gh_db_pool_dialect(const gh_db_pool_t *pool)
{
    return pool->drv->name;
}

/* Run the validation query, or the driver's ping; a dead connection is replaced (reopened). */
static int validate(gh_db_conn_t *c, gh_err_t *err)
{
    gh_db_stmt_t *s = NULL;
    gh_err_t e;
    int rc;

    if (c->h == NULL)
        return gh_db_conn_open(c, err);
    if (c->pool->validation_query != NULL) {
        /* gh_db_execute reconnects and retries once when the connection is dead */
        rc = gh_db_prepare(c, c->pool->validation_query, &s, err) == GH_OK && gh_db_execute(s, NULL, 0, err) == GH_OK &&
                     gh_db_next(s, err) >= 0
                 ? GH_OK
                 : GH_ERR;
        gh_db_reset(s);
    } else {
        gh_err_clear(&e);
        rc = c->pool->drv->ping(c->h, &e);
        if (rc != GH_OK) {
            gh_db_conn_drop(c);
            rc = gh_db_conn_open(c, err);
        }
    }
    if (rc == GH_OK)
        c->validated_at = gh_db_now_ms();
    return rc;
}

/* Wait for an idle connection or a free slot. Returns the idle connection, or NULL with *slot = 1 when the
 * caller may open a new one, or NULL with *slot = 0 on timeout. Called with the lock held. */
static gh_db_conn_t *wait_for_conn(gh_db_pool_t *pool, int *slot)
{
    struct timespec deadline;
    gh_db_conn_t *c;
    int64_t ms;

    clock_gettime(CLOCK_MONOTONIC, &deadline);
    ms = pool->max_wait_ms > 0 ? pool->max_wait_ms : 0;
    deadline.tv_sec += (time_t)(ms / 1000);
    deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    *slot = 0;
    for (;;) {
        if ((c = pool->idle) != NULL) {
            pool->idle = c->next_idle;
            c->next_idle = NULL;
            pool->n_idle--;
            return c;
        }
        if (pool->max_active <= 0 || pool->n_open < pool->max_active) {
            pool->n_open++;
            *slot = 1;
            return NULL;
        }
        if (pool->max_wait_ms <= 0)
            pthread_cond_wait(&pool->cond, &pool->lock);
        else if (pthread_cond_timedwait(&pool->cond, &pool->lock, &deadline) == ETIMEDOUT)
            return NULL;
    }
}

int gh_db_borrow(gh_db_pool_t *pool, gh_db_conn_t **out, gh_err_t *err)
{
    gh_db_conn_t *c;
    int slot;

    *out = NULL;
    gh_thread_assert_not_loop("gh_db_borrow");
    pthread_mutex_lock(&pool->lock);
    c = wait_for_conn(pool, &slot);
    pthread_mutex_unlock(&pool->lock);
    if (c == NULL && !slot)
        return gh_err_set(err, GH_DB_E_TIMEOUT,
                          "%s (%s): no connection available after waiting %d ms (maxActive=%d, all in use); raise "
                          "maxActive or maxWait in the datasource, or look for connections not returned",
                          pool->name, pool->drv->name, pool->max_wait_ms, pool->max_active);
    if (c == NULL) {
        c = conn_new(pool);
        if (gh_db_conn_open(c, err) != GH_OK)
            goto fail;
    } else if (c->h == NULL) {
        if (gh_db_conn_open(c, err) != GH_OK)
            goto fail;
    } else if (pool->test_on_borrow && gh_db_now_ms() - c->validated_at >= pool->validation_interval_ms) {
        if (validate(c, err) != GH_OK)
            goto fail;
    }
    *out = c;
    return GH_OK;
fail:
    /* give the slot back; the connection object (closed) is freed rather than kept */
    gh_db_conn_free(c);
    pthread_mutex_lock(&pool->lock);
    pool->n_open--;
    pthread_cond_signal(&pool->cond);
    pthread_mutex_unlock(&pool->lock);
    return GH_ERR;
}

void gh_db_return(gh_db_conn_t *conn)
{
    gh_db_pool_t *pool;
    gh_err_t e;

    if (conn == NULL)
        return;
    pool = conn->pool;
    gh_db_conn_reset_all(conn);
    if (conn->in_tx && gh_db_rollback(conn, &e) != GH_OK) {
        gh_log(GH_LOG_WARN, "db", "%s; closing the connection", e.msg);
        gh_db_conn_drop(conn);
    }
    /* the next borrower must not receive (and pile up) this one's notifications */
    if (conn->listening && conn->h != NULL && pool->drv->listen(conn->h, NULL, &e) != GH_OK)
        gh_db_conn_drop(conn);
    conn->listening = 0;
    pthread_mutex_lock(&pool->lock);
    push_idle(pool, conn);
    pthread_cond_signal(&pool->cond);
    pthread_mutex_unlock(&pool->lock);
}

int gh_db_pool_check(gh_db_pool_t *pool, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int rc = GH_ERR;

    if (gh_db_borrow(pool, &c, err) != GH_OK)
        goto out;
    rc = validate(c, err);
out:
    gh_db_return(c);
    return rc;
}
