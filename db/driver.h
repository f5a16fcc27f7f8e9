/* What a SQL driver implements (curl lib/vtls/vtls_int.h, SQLite sqlite3_vfs). Only db/ includes this.
 *
 * A driver is one const struct with designated initialisers, registered in the plugin registry under
 * GH_FAMILY_DB_DRIVER with its short name and JDBC class names. The struct is append-only: new members go at
 * the end and bump GH_DB_DRIVER_ABI, so a driver built against an older layout is refused, not misread.
 *
 * Contract for every function: `err` is never NULL (db.c passes its own and adds the datasource prefix), the
 * message is the driver's own words ("connection to 127.0.0.1:5432 failed: Connection refused"), the code is
 * one of GH_DB_E_*. Handles are opaque to db.c. A connection handle is used by one thread at a time. */
#ifndef GH_DB_DRIVER_H
#define GH_DB_DRIVER_H

#include <stddef.h>
#include <stdint.h>
#include "gatehouse/db.h"
#include "db/jdbc_url.h"

#define GH_DB_DRIVER_ABI 2

enum {
    GH_DB_CAP_DOLLAR_PARAMS = 1u << 0, /* wants `$1..$n` instead of `?` (db.c translates) */
    GH_DB_CAP_FILE = 1u << 1,          /* embedded, file based: no server to lose (no reconnect case) */
};

/* What connect() needs; all borrowed for the duration of the call. */
typedef struct st_gh_db_connect_args_t {
    const gh_db_url_t *url;
    const char *user;     /* may be NULL */
    const char *password; /* may be NULL; never logged */
    int timeout_ms;       /* connect / busy timeout (the datasource's maxWait; <= 0: driver default) */
} gh_db_connect_args_t;

typedef struct st_gh_db_driver_t {
    int abi;                          /* GH_DB_DRIVER_ABI */
    const char *name;                 /* "sqlite": also gh_db_pool_dialect() */
    const char *const *jdbc_classes;  /* NULL-terminated */
    const char *const *url_prefixes;  /* NULL-terminated, e.g. "jdbc:sqlite:" */
    unsigned caps;                    /* GH_DB_CAP_* */

    int (*connect)(const gh_db_connect_args_t *args, void **conn, gh_err_t *err);
    void (*close)(void *conn); /* NULL-safe; must work on a dead connection */
    int (*ping)(void *conn, gh_err_t *err);

    /* sql already has the driver's placeholder syntax; nparams is the number of placeholders. */
    int (*prepare)(void *conn, const char *sql, size_t nparams, void **stmt, gh_err_t *err);
    /* Bind and run; a query positions before its first row. */
    int (*execute)(void *stmt, const gh_db_value_t *args, size_t n, gh_err_t *err);
    int (*next_row)(void *stmt, gh_err_t *err); /* 1 row, 0 end, GH_ERR */
    size_t (*column_count)(void *stmt);
    int (*col_is_null)(void *stmt, size_t i);
    int64_t (*col_int)(void *stmt, size_t i);
    const char *(*col_text)(void *stmt, size_t i, size_t *len);
    const void *(*col_blob)(void *stmt, size_t i, size_t *len);
    int64_t (*col_time)(void *stmt, size_t i);
    int64_t (*changes)(void *stmt);
    int (*last_insert_id)(void *conn, void *stmt, int64_t *out, gh_err_t *err);
    void (*reset)(void *stmt);    /* free the result set; keep the prepared statement */
    void (*finalize)(void *stmt); /* NULL-safe; must work on a dead connection */

    int (*begin)(void *conn, gh_err_t *err);
    int (*commit)(void *conn, gh_err_t *err);
    int (*rollback)(void *conn, gh_err_t *err);
    /* Run ONE statement of a trusted schema script, unprepared (db.c splits scripts; see gh_db_exec_script). */
    int (*exec_script)(void *conn, const char *sql, gh_err_t *err);

    /* ABI 2: change notifications (PostgreSQL LISTEN/NOTIFY); all three NULL when the database has none.
     * listen: receive channel's notifications on this session, or stop receiving any (channel NULL).
     * notify: send one on channel when the current transaction commits (at once outside one).
     * wait_notify: wait up to timeout_ms; 1 when notifications arrived (all consumed), 0 on timeout, GH_ERR
     * (GH_DB_E_CONN_LOST when the session is gone). */
    int (*listen)(void *conn, const char *channel, gh_err_t *err);
    int (*notify)(void *conn, const char *channel, gh_err_t *err);
    int (*wait_notify)(void *conn, int timeout_ms, gh_err_t *err);
} gh_db_driver_t;

extern const gh_db_driver_t gh_db_driver_sqlite;
extern const gh_db_driver_t gh_db_driver_postgresql;
extern const gh_db_driver_t gh_db_driver_mysql;

/* Shared helpers for drivers (db/time.c). Timestamps travel as 'YYYY-MM-DD HH:MM:SS.mmm' UTC text. */
#define GH_DB_TIME_BUFSZ 64 /* 24 used; room for any int fields keeps -Wformat-truncation quiet */
/* Format epoch ms as 'YYYY-MM-DD HH:MM:SS.mmm' (UTC) into buf (>= GH_DB_TIME_BUFSZ). Returns buf. */
char *gh_db_time_format(int64_t ms, char *buf);
/* Parse 'YYYY-MM-DD[ T]HH:MM:SS[.fraction][Z|+hh[:mm]|-hh[:mm]]' (or just the date) into epoch ms.
 * GH_OK or GH_ERR on anything else. */
int gh_db_time_parse(const char *s, size_t len, int64_t *ms);
/* Broken-down UTC <-> epoch ms without the process time zone (timegm is not C11). */
int64_t gh_db_time_from_civil(int y, int mon, int d, int h, int mi, int s, int msec);
void gh_db_time_to_civil(int64_t ms, int *y, int *mon, int *d, int *h, int *mi, int *s, int *msec);

#endif
