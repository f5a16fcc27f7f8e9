/* Private structs shared by db/ sources (SQLite's *Int.h). Nothing outside db/ includes this. */
#ifndef GH_DB_INT_H
#define GH_DB_INT_H

#include <pthread.h>
#include <stdint.h>
#include "db/driver.h"
#include "db/jdbc_url.h"

#define GH_DB_STMT_BUCKETS 64

struct st_gh_db_stmt_t {
    gh_db_conn_t *conn;
    char *sql;            /* the caller's text (the cache key) */
    char *driver_sql;     /* after placeholder translation */
    size_t nparams;
    void *h;              /* driver handle; NULL after a reconnect until re-prepared */
    int active;           /* executed and not reset: holds a result set */
    uint32_t hash;
    gh_db_stmt_t *next;   /* bucket chain */
};

struct st_gh_db_conn_t {
    gh_db_pool_t *pool;
    void *h;              /* driver handle; NULL when closed (connect failed or was lost) */
    int in_tx;
    int listening;        /* LISTEN issued on this session (undone when the connection goes back to the pool) */
    int64_t validated_at; /* monotonic ms of the last successful validation */
    gh_db_stmt_t *buckets[GH_DB_STMT_BUCKETS];
    size_t n_stmts;
    gh_db_conn_t *next_idle;
};

struct st_gh_db_pool_t {
    const gh_db_driver_t *drv;
    gh_db_url_t url;
    char *name;           /* datasource <name> */
    char *user;
    char *password;
    char *validation_query;
    int max_active;       /* <= 0: unlimited */
    int max_wait_ms;      /* <= 0: wait forever (Tomcat's negative maxWait) */
    int min_idle;
    int test_on_borrow;
    int validation_interval_ms;

    pthread_mutex_t lock;
    pthread_cond_t cond;  /* signalled when a connection is returned or a slot frees */
    gh_db_conn_t *idle;   /* stack of idle connections */
    int n_open;           /* connections that exist or are being opened (idle + borrowed) */
    int n_idle;
};

/* pool.c / db.c shared helpers */
int64_t gh_db_now_ms(void);
/* Open the driver connection of conn (conn->h must be NULL). Errors prefixed with the datasource. */
int gh_db_conn_open(gh_db_conn_t *conn, gh_err_t *err);
/* Drop the driver connection and every cached statement handle (statement objects stay valid). */
void gh_db_conn_drop(gh_db_conn_t *conn);
/* Free conn and its statement cache. NULL-safe. */
void gh_db_conn_free(gh_db_conn_t *conn);
/* Reset every statement holding a result set. */
void gh_db_conn_reset_all(gh_db_conn_t *conn);
/* Copy the driver's error e into err with the "NAME (driver): " prefix, keeping code/native/sqlstate. */
int gh_db_fail(const gh_db_pool_t *pool, const gh_err_t *e, gh_err_t *err);

#endif
