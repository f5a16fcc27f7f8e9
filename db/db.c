/* The public statement API: a per-connection statement cache keyed by SQL text, and one transparent
 * reconnect-and-retry when a connection turns out dead outside a transaction (a restarted server, a killed
 * session, a firewall that dropped an idle socket). Inside a transaction a lost connection is reported:
 * replaying half a transaction on a fresh session would silently lose the first half. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db/db_int.h"
#include "db/placeholder.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"

#define DRV(conn) ((conn)->pool->drv)

gh_db_value_t gh_db_text(const char *s)
{
    gh_db_value_t v = {.type = GH_DB_NULL};

    if (s != NULL) {
        v.type = GH_DB_TEXT;
        v.p = s;
        v.len = strlen(s);
    }
    return v;
}

int gh_db_fail(const gh_db_pool_t *pool, const gh_err_t *e, gh_err_t *err)
{
    gh_err_t tmp = *e; /* e and err may be the same struct */

    if (err == NULL)
        return GH_ERR;
    *err = tmp;
    snprintf(err->msg, sizeof(err->msg), "%s (%s): %.*s", pool->name, pool->drv->name, (int)(sizeof(err->msg) - 64),
             tmp.msg);
    return GH_ERR;
}

static uint32_t hash_sql(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (; *s != '\0'; ++s)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int gh_db_conn_open(gh_db_conn_t *conn, gh_err_t *err)
{
    gh_db_pool_t *pool = conn->pool;
    gh_db_connect_args_t a = {&pool->url, pool->user, pool->password, pool->max_wait_ms};
    gh_err_t e;

    gh_err_clear(&e);
    if (pool->drv->connect(&a, &conn->h, &e) != GH_OK) {
        conn->h = NULL;
        return gh_db_fail(pool, &e, err);
    }
    conn->validated_at = gh_db_now_ms();
    return GH_OK;
}

void gh_db_conn_drop(gh_db_conn_t *conn)
{
    size_t b;
    gh_db_stmt_t *s;

    for (b = 0; b < GH_DB_STMT_BUCKETS; ++b)
        for (s = conn->buckets[b]; s != NULL; s = s->next) {
            DRV(conn)->finalize(s->h);
            s->h = NULL;
            s->active = 0;
        }
    DRV(conn)->close(conn->h);
    conn->h = NULL;
    conn->listening = 0;
}

void gh_db_conn_free(gh_db_conn_t *conn)
{
    size_t b;
    gh_db_stmt_t *s, *next;

    if (conn == NULL)
        return;
    gh_db_conn_drop(conn);
    for (b = 0; b < GH_DB_STMT_BUCKETS; ++b)
        for (s = conn->buckets[b]; s != NULL; s = next) {
            next = s->next;
            free(s->sql);
            free(s->driver_sql);
            free(s);
        }
    free(conn);
}

void gh_db_conn_reset_all(gh_db_conn_t *conn)
{
    size_t b;
    gh_db_stmt_t *s;

    for (b = 0; b < GH_DB_STMT_BUCKETS; ++b)
        for (s = conn->buckets[b]; s != NULL; s = s->next)
            gh_db_reset(s);
}

const char *gh_db_dialect(const gh_db_conn_t *conn)
{
    return conn->pool->drv->name;
}

/* Make sure the connection is open and the statement prepared on it. Driver errors land in e. */
static int ensure_prepared(gh_db_stmt_t *s, gh_err_t *e)
{
    gh_db_conn_t *conn = s->conn;

    if (conn->h == NULL) {
        if (conn->in_tx)
            return gh_err_set(e, GH_DB_E_CONN_LOST,
                              "the connection was lost inside a transaction; roll back and retry the transaction");
        if (gh_db_conn_open(conn, e) != GH_OK)
            return GH_ERR; /* already prefixed: see run_once */
    }
    if (s->h == NULL)
        return DRV(conn)->prepare(conn->h, s->driver_sql, s->nparams, &s->h, e);
    return GH_OK;
}

/* A lost connection outside a transaction is worth exactly one fresh attempt. */
static int lost_and_retryable(gh_db_conn_t *conn, const gh_err_t *e)
{
    if (e->code != GH_DB_E_CONN_LOST)
        return 0;
    if (conn->h != NULL)
        gh_db_conn_drop(conn);
    if (conn->in_tx)
        return 0;
    gh_log(GH_LOG_WARN, "db", "%s (%s): connection lost (%s); reconnecting and retrying once", conn->pool->name,
           DRV(conn)->name, e->msg);
    return 1;
}

/* The connection-open path already prefixes its message; everything else gets the prefix here. */
static int fail(gh_db_conn_t *conn, gh_err_t *e, gh_err_t *err)
{
    char ds[128];

    snprintf(ds, sizeof(ds), "%s (%s): ", conn->pool->name, DRV(conn)->name);
    if (strncmp(e->msg, ds, strlen(ds)) == 0) {
        if (err != NULL)
            *err = *e;
        return GH_ERR;
    }
    return gh_db_fail(conn->pool, e, err);
}

int gh_db_prepare(gh_db_conn_t *conn, const char *sql, gh_db_stmt_t **out, gh_err_t *err)
{
    uint32_t h = hash_sql(sql);
    gh_db_stmt_t *s;
    gh_err_t e;

    for (s = conn->buckets[h % GH_DB_STMT_BUCKETS]; s != NULL; s = s->next)
        if (s->hash == h && strcmp(s->sql, sql) == 0) {
            gh_db_reset(s);
            *out = s;
            return GH_OK;
        }
    s = gh_calloc(1, sizeof(*s));
    s->conn = conn;
    s->sql = gh_strdup(sql);
    s->hash = h;
    if (DRV(conn)->caps & GH_DB_CAP_DOLLAR_PARAMS) {
        s->driver_sql = gh_db_placeholder_to_dollar(sql, &s->nparams);
    } else {
        s->driver_sql = gh_strdup(sql);
        s->nparams = gh_db_placeholder_count(sql);
    }
    gh_err_clear(&e);
    if (ensure_prepared(s, &e) != GH_OK && (!lost_and_retryable(conn, &e) || ensure_prepared(s, &e) != GH_OK)) {
        DRV(conn)->finalize(s->h);
        free(s->sql);
        free(s->driver_sql);
        free(s);
        return fail(conn, &e, err);
    }
    s->next = conn->buckets[h % GH_DB_STMT_BUCKETS];
    conn->buckets[h % GH_DB_STMT_BUCKETS] = s;
    conn->n_stmts++;
    *out = s;
    return GH_OK;
}

static int run_once(gh_db_stmt_t *s, const gh_db_value_t *args, size_t n, gh_err_t *e)
{
    if (ensure_prepared(s, e) != GH_OK)
        return GH_ERR;
    return DRV(s->conn)->execute(s->h, args, n, e);
}

int gh_db_execute(gh_db_stmt_t *stmt, const gh_db_value_t *args, size_t n, gh_err_t *err)
{
    gh_err_t e;

    if (n != stmt->nparams) {
        gh_err_set(&e, GH_DB_E_OTHER, "%zu values bound to a statement with %zu placeholders: %.200s", n,
                   stmt->nparams, stmt->sql);
        return gh_db_fail(stmt->conn->pool, &e, err);
    }
    gh_db_reset(stmt);
    gh_err_clear(&e);
    if (run_once(stmt, args, n, &e) != GH_OK &&
        (!lost_and_retryable(stmt->conn, &e) || run_once(stmt, args, n, &e) != GH_OK))
        return fail(stmt->conn, &e, err);
    stmt->active = 1;
    return GH_OK;
}

int gh_db_next(gh_db_stmt_t *stmt, gh_err_t *err)
{
    gh_err_t e;
    int rc;

    if (!stmt->active || stmt->h == NULL)
        return 0;
    gh_err_clear(&e);
    rc = DRV(stmt->conn)->next_row(stmt->h, &e);
    if (rc < 0) {
        if (e.code == GH_DB_E_CONN_LOST)
            gh_db_conn_drop(stmt->conn);
        return fail(stmt->conn, &e, err);
    }
    return rc;
}

size_t gh_db_column_count(gh_db_stmt_t *stmt)
{
    return stmt->h != NULL ? DRV(stmt->conn)->column_count(stmt->h) : 0;
}

int gh_db_col_is_null(gh_db_stmt_t *stmt, size_t i)
{
    return stmt->active ? DRV(stmt->conn)->col_is_null(stmt->h, i) : 1;
}

int64_t gh_db_col_int(gh_db_stmt_t *stmt, size_t i)
{
    return stmt->active ? DRV(stmt->conn)->col_int(stmt->h, i) : 0;
}

const char *gh_db_col_text(gh_db_stmt_t *stmt, size_t i, size_t *len)
{
    if (len != NULL)
        *len = 0;
    return stmt->active ? DRV(stmt->conn)->col_text(stmt->h, i, len) : NULL;
}

const void *gh_db_col_blob(gh_db_stmt_t *stmt, size_t i, size_t *len)
{
    if (len != NULL)
        *len = 0;
    return stmt->active ? DRV(stmt->conn)->col_blob(stmt->h, i, len) : NULL;
}

int64_t gh_db_col_time(gh_db_stmt_t *stmt, size_t i)
{
    return stmt->active ? DRV(stmt->conn)->col_time(stmt->h, i) : 0;
}

int64_t gh_db_changes(gh_db_stmt_t *stmt)
{
    return stmt->active ? DRV(stmt->conn)->changes(stmt->h) : 0;
}

int gh_db_last_insert_id(gh_db_stmt_t *stmt, int64_t *out, gh_err_t *err)
{
    gh_err_t e;

    gh_err_clear(&e);
    if (stmt->conn->h == NULL || stmt->h == NULL) {
        gh_err_set(&e, GH_DB_E_CONN_LOST, "no open connection to read the last insert id from");
        return fail(stmt->conn, &e, err);
    }
    if (DRV(stmt->conn)->last_insert_id(stmt->conn->h, stmt->h, out, &e) != GH_OK)
        return fail(stmt->conn, &e, err);
    return GH_OK;
}

void gh_db_reset(gh_db_stmt_t *stmt)
{
    if (stmt == NULL || !stmt->active)
        return;
    if (stmt->h != NULL)
        DRV(stmt->conn)->reset(stmt->h);
    stmt->active = 0;
}

/* --- transactions --- */

static int open_if_closed(gh_db_conn_t *conn, gh_err_t *e)
{
    return conn->h != NULL ? GH_OK : gh_db_conn_open(conn, e);
}

int gh_db_begin(gh_db_conn_t *conn, gh_err_t *err)
{
    gh_err_t e;

    gh_err_clear(&e);
    if (conn->in_tx) {
        gh_err_set(&e, GH_DB_E_OTHER, "a transaction is already open on this connection (no nesting)");
        return fail(conn, &e, err);
    }
    if ((open_if_closed(conn, &e) != GH_OK || DRV(conn)->begin(conn->h, &e) != GH_OK) &&
        (!lost_and_retryable(conn, &e) || open_if_closed(conn, &e) != GH_OK || DRV(conn)->begin(conn->h, &e) != GH_OK))
        return fail(conn, &e, err);
    conn->in_tx = 1;
    return GH_OK;
}

int gh_db_commit(gh_db_conn_t *conn, gh_err_t *err)
{
    gh_err_t e;

    gh_err_clear(&e);
    if (!conn->in_tx) {
        gh_err_set(&e, GH_DB_E_OTHER, "commit without a transaction (call gh_db_begin first)");
        return fail(conn, &e, err);
    }
    if (conn->h == NULL) {
        conn->in_tx = 0;
        gh_err_set(&e, GH_DB_E_CONN_LOST, "the connection was lost inside the transaction; nothing was committed");
        return fail(conn, &e, err);
    }
    if (DRV(conn)->commit(conn->h, &e) != GH_OK) {
        if (e.code == GH_DB_E_CONN_LOST)
            gh_db_conn_drop(conn);
        else
            DRV(conn)->rollback(conn->h, &(gh_err_t){0});
        conn->in_tx = 0;
        return fail(conn, &e, err);
    }
    conn->in_tx = 0;
    return GH_OK;
}

int gh_db_rollback(gh_db_conn_t *conn, gh_err_t *err)
{
    gh_err_t e;

    if (conn == NULL || !conn->in_tx)
        return GH_OK;
    conn->in_tx = 0;
    if (conn->h == NULL)
        return GH_OK; /* the server already dropped the transaction with the session */
    gh_err_clear(&e);
    if (DRV(conn)->rollback(conn->h, &e) != GH_OK) {
        if (e.code == GH_DB_E_CONN_LOST) {
            gh_db_conn_drop(conn);
            return GH_OK;
        }
        return fail(conn, &e, err);
    }
    return GH_OK;
}

int gh_db_in_transaction(const gh_db_conn_t *conn)
{
    return conn->in_tx;
}

/* --- conveniences --- */

int gh_db_exec(gh_db_conn_t *conn, const char *sql, const gh_db_value_t *args, size_t n, int64_t *changes,
               gh_err_t *err)
{
    gh_db_stmt_t *s = NULL;
    int rc = GH_ERR;

    if (gh_db_prepare(conn, sql, &s, err) != GH_OK || gh_db_execute(s, args, n, err) != GH_OK)
        goto out;
    if (changes != NULL)
        *changes = gh_db_changes(s);
    rc = GH_OK;
out:
    gh_db_reset(s);
    return rc;
}

int gh_db_query_int(gh_db_conn_t *conn, const char *sql, const gh_db_value_t *args, size_t n, int64_t *out,
                    gh_err_t *err)
{
    gh_db_stmt_t *s = NULL;
    int rc = GH_ERR;

    if (gh_db_prepare(conn, sql, &s, err) != GH_OK || gh_db_execute(s, args, n, err) != GH_OK)
        goto out;
    rc = gh_db_next(s, err);
    if (rc == 1)
        *out = gh_db_col_int(s, 0);
out:
    gh_db_reset(s);
    return rc;
}

/* --- notifications --- */

int gh_db_pool_can_notify(const gh_db_pool_t *pool)
{
    return pool->drv->wait_notify != NULL;
}

int gh_db_listen(gh_db_conn_t *conn, const char *channel, gh_err_t *err)
{
    gh_err_t e;

    gh_err_clear(&e);
    if (DRV(conn)->listen == NULL) {
        gh_err_set(&e, GH_DB_E_OTHER, "this database has no change notifications (LISTEN)");
        return fail(conn, &e, err);
    }
    if ((open_if_closed(conn, &e) != GH_OK || DRV(conn)->listen(conn->h, channel, &e) != GH_OK) &&
        (!lost_and_retryable(conn, &e) || open_if_closed(conn, &e) != GH_OK ||
         DRV(conn)->listen(conn->h, channel, &e) != GH_OK))
        return fail(conn, &e, err);
    conn->listening = 1;
    return GH_OK;
}

int gh_db_notify(gh_db_conn_t *conn, const char *channel, gh_err_t *err)
{
    gh_err_t e;

    if (DRV(conn)->notify == NULL)
        return GH_OK;
    gh_err_clear(&e);
    if (conn->h == NULL) {
        gh_err_set(&e, GH_DB_E_CONN_LOST, "the connection was lost");
        return fail(conn, &e, err);
    }
    if (DRV(conn)->notify(conn->h, channel, &e) != GH_OK) {
        if (e.code == GH_DB_E_CONN_LOST)
            gh_db_conn_drop(conn);
        return fail(conn, &e, err);
    }
    return GH_OK;
}

int gh_db_wait_notify(gh_db_conn_t *conn, int timeout_ms, gh_err_t *err)
{
    gh_err_t e;
    int rc;

    gh_err_clear(&e);
    if (DRV(conn)->wait_notify == NULL || conn->h == NULL || !conn->listening) {
        gh_err_set(&e, GH_DB_E_CONN_LOST, "not listening (the connection was lost, or LISTEN was never issued)");
        return fail(conn, &e, err);
    }
    if ((rc = DRV(conn)->wait_notify(conn->h, timeout_ms, &e)) < 0) {
        if (e.code == GH_DB_E_CONN_LOST)
            gh_db_conn_drop(conn);
        return fail(conn, &e, err);
    }
    return rc;
}
