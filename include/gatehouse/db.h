/* The driver-neutral SQL layer (JDBC-like). Modules see only this header; drivers implement db/driver.h.
 *
 * Rules:
 *  - every call here blocks: never call it on an event-loop thread (see docs/architecture.md, gh_job_submit);
 *  - SQL uses `?` placeholders only (translated to $n for PostgreSQL); values are always bound, never spliced;
 *  - statements are prepared once per connection and cached by their SQL text;
 *  - errors fill gh_err_t with code GH_DB_E_UNIQUE, GH_DB_E_CONN_LOST, GH_DB_E_TIMEOUT or GH_DB_E_OTHER,
 *    the SQLSTATE / native code when the driver has one, and the driver's message. */
#ifndef GH_DB_H
#define GH_DB_H

#include <stddef.h>
#include <stdint.h>
#include "gatehouse/err.h"

typedef struct st_gh_conf_datasource_t gh_conf_datasource_t;
typedef struct st_gh_db_pool_t gh_db_pool_t;
typedef struct st_gh_db_conn_t gh_db_conn_t;
typedef struct st_gh_db_stmt_t gh_db_stmt_t;

typedef enum {
    GH_DB_NULL = 0,
    GH_DB_INT,  /* 64-bit integer (also booleans: 0/1) */
    GH_DB_TEXT, /* UTF-8 text, not necessarily NUL-terminated when read back: use len */
    GH_DB_BLOB,
    GH_DB_TIME, /* a TIMESTAMP column, as epoch milliseconds UTC */
} gh_db_type_t;

typedef struct st_gh_db_value_t {
    gh_db_type_t type;
    int64_t i;     /* GH_DB_INT, GH_DB_TIME */
    const void *p; /* GH_DB_TEXT, GH_DB_BLOB (borrowed) */
    size_t len;
} gh_db_value_t;

/* Bind helpers. Text/blob pointers are borrowed for the duration of the call. GH_DB_T(NULL) binds NULL. */
#define GH_DB_I(v) ((gh_db_value_t){.type = GH_DB_INT, .i = (int64_t)(v)})
#define GH_DB_T(s) gh_db_text(s)
#define GH_DB_TN(s, n) ((gh_db_value_t){.type = GH_DB_TEXT, .p = (s), .len = (n)})
#define GH_DB_B(s, n) ((gh_db_value_t){.type = GH_DB_BLOB, .p = (s), .len = (n)})
#define GH_DB_TS(ms) ((gh_db_value_t){.type = GH_DB_TIME, .i = (int64_t)(ms)})
#define GH_DB_NUL ((gh_db_value_t){.type = GH_DB_NULL})
#define GH_DB_ARGS(...) ((const gh_db_value_t[]){__VA_ARGS__}), (sizeof((const gh_db_value_t[]){__VA_ARGS__}) / sizeof(gh_db_value_t))
#define GH_DB_NOARGS NULL, 0

gh_db_value_t gh_db_text(const char *s);

/* --- pools (one per datasource) --- */

/* Create a pool for ds (borrowed; copied). Resolves the driver by driverClassName, else by URL prefix;
 * an unknown driver or malformed URL fails with GH_E_CONFIG and a message listing what is known. Opens
 * minIdle connections eagerly; a server that is down is not an error here (the pool retries on borrow). */
int gh_db_pool_create(const gh_conf_datasource_t *ds, gh_db_pool_t **out, gh_err_t *err);
/* Close every idle connection and free the pool. All connections must have been returned. NULL-safe. */
void gh_db_pool_destroy(gh_db_pool_t *pool);
const char *gh_db_pool_name(const gh_db_pool_t *pool);   /* the datasource <name> */
const char *gh_db_pool_dialect(const gh_db_pool_t *pool); /* "sqlite" | "postgresql" | "mysql" */
/* Borrow a connection, run the validation query (or the driver's ping), return it. GH_OK when healthy. */
int gh_db_pool_check(gh_db_pool_t *pool, gh_err_t *err);

/* Borrow a connection. Waits up to maxWait when maxActive are in use, then fails with GH_DB_E_TIMEOUT.
 * With testOnBorrow, validates (at most once per validationInterval) and replaces a dead connection. */
int gh_db_borrow(gh_db_pool_t *pool, gh_db_conn_t **out, gh_err_t *err);
/* Return a connection (NULL-safe). A connection returned inside an open transaction is rolled back. */
void gh_db_return(gh_db_conn_t *conn);
const char *gh_db_dialect(const gh_db_conn_t *conn);

/* --- transactions --- */
int gh_db_begin(gh_db_conn_t *conn, gh_err_t *err);
int gh_db_commit(gh_db_conn_t *conn, gh_err_t *err);
int gh_db_rollback(gh_db_conn_t *conn, gh_err_t *err); /* NULL-safe, harmless outside a transaction */
int gh_db_in_transaction(const gh_db_conn_t *conn);

/* --- statements --- */

/* Prepare (or fetch from the connection's cache) the statement for sql. The statement is borrowed: owned by
 * the connection, valid until the connection is returned. One statement object may be in use once at a time. */
int gh_db_prepare(gh_db_conn_t *conn, const char *sql, gh_db_stmt_t **out, gh_err_t *err);
/* Bind args and execute. For a query, positions before the first row (call gh_db_next). If the connection
 * turns out dead and no transaction is open, reconnects and retries once, transparently. */
int gh_db_execute(gh_db_stmt_t *stmt, const gh_db_value_t *args, size_t n, gh_err_t *err);
/* Advance: 1 = a row is available, 0 = no more rows, GH_ERR on error. */
int gh_db_next(gh_db_stmt_t *stmt, gh_err_t *err);
/* Column accessors for the current row (0-based). Text is borrowed until the next gh_db_next/reset. */
size_t gh_db_column_count(gh_db_stmt_t *stmt);
int gh_db_col_is_null(gh_db_stmt_t *stmt, size_t i);
int64_t gh_db_col_int(gh_db_stmt_t *stmt, size_t i);                 /* 0 when NULL */
const char *gh_db_col_text(gh_db_stmt_t *stmt, size_t i, size_t *len); /* NUL-terminated; NULL when NULL */
const void *gh_db_col_blob(gh_db_stmt_t *stmt, size_t i, size_t *len);
int64_t gh_db_col_time(gh_db_stmt_t *stmt, size_t i);                /* epoch ms; 0 when NULL */
/* Rows changed by the last INSERT/UPDATE/DELETE. */
int64_t gh_db_changes(gh_db_stmt_t *stmt);
/* The key generated by the last INSERT on this statement's connection (auto-increment / sequence).
 * For PostgreSQL this uses lastval(), so call it right after the INSERT. */
int gh_db_last_insert_id(gh_db_stmt_t *stmt, int64_t *out, gh_err_t *err);
/* Finish with the current result set (frees driver result memory); the statement stays cached. NULL-safe. */
void gh_db_reset(gh_db_stmt_t *stmt);

/* --- conveniences built on the above --- */

/* prepare + execute + reset; *changes (may be NULL) gets the affected row count. */
int gh_db_exec(gh_db_conn_t *conn, const char *sql, const gh_db_value_t *args, size_t n, int64_t *changes,
               gh_err_t *err);
/* prepare + execute + read the first column of the first row as an integer. Returns 1 found, 0 no row, GH_ERR. */
int gh_db_query_int(gh_db_conn_t *conn, const char *sql, const gh_db_value_t *args, size_t n, int64_t *out,
                    gh_err_t *err);
/* Run a script of DDL statements separated by `;` lines (not prepared: for trusted schema files only). */
int gh_db_exec_script(gh_db_conn_t *conn, const char *script, gh_err_t *err);

/* Change notifications between the processes sharing a database (PostgreSQL LISTEN/NOTIFY); databases without
 * them (SQLite, MySQL/MariaDB) are polled instead, so each call below says what it does there. */
int gh_db_pool_can_notify(const gh_db_pool_t *pool);
/* Receive channel's notifications on this connection until it goes back to the pool. GH_ERR where the database
 * has none. A lost connection loses the LISTEN with it: wait_notify then fails and the caller listens again. */
int gh_db_listen(gh_db_conn_t *conn, const char *channel, gh_err_t *err);
/* Notify channel's listeners when the current transaction commits (at once outside one). GH_OK, doing nothing,
 * where the database has no notifications. */
int gh_db_notify(gh_db_conn_t *conn, const char *channel, gh_err_t *err);
/* Wait up to timeout_ms on a listening connection: 1 when notifications arrived (all consumed), 0 on timeout,
 * GH_ERR when the connection was lost or is not listening. */
int gh_db_wait_notify(gh_db_conn_t *conn, int timeout_ms, gh_err_t *err);

/* --- registry of drivers (see db/driver.h) --- */

/* Register the built-in drivers (sqlite, postgresql, mysql) in the plugin registry. Idempotent. */
void gh_db_register_builtin(void);

#endif
