/* SQLite driver: "sqlite", also serving WSO2's embedded H2 URLs (see db/jdbc_url.c for the path mapping).
 * Settings favour a server workload: WAL (readers never block the writer), synchronous=NORMAL (durable at
 * checkpoints; a power cut may lose the last commits but never corrupts), busy_timeout = the pool's maxWait,
 * foreign keys on. Timestamps are stored as 'YYYY-MM-DD HH:MM:SS.mmm' UTC text like the servers' TIMESTAMP. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "db/driver.h"
#include "gatehouse/mem.h"

typedef struct {
    sqlite3 *db;
    char *path;
} lconn_t;

typedef struct {
    lconn_t *c;
    sqlite3_stmt *st;
    int pending; /* execute() already stepped onto the first row */
    int done;
    int64_t changes;
} lstmt_t;

/* One table maps SQLite's codes to the kinds callers act on. */
static int map(lconn_t *c, int rc, const char *what, gh_err_t *err)
{
    int ext = c != NULL && c->db != NULL ? sqlite3_extended_errcode(c->db) : rc;
    int code = GH_DB_E_OTHER;

    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        code = GH_DB_E_UNIQUE;
    else if ((ext & 0xff) == SQLITE_BUSY || (ext & 0xff) == SQLITE_LOCKED)
        code = GH_DB_E_TIMEOUT;
    gh_err_set(err, code, "%s: %s", what, c != NULL && c->db != NULL ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
    err->native = ext;
    return GH_ERR;
}

/* mkdir -p of the file's folder: WSO2 layouts expect repository/database/ to appear on first start */
static int make_parents(const char *path, gh_err_t *err)
{
    char *dir = gh_strdup(path), *p;
    int rc = GH_OK;

    for (p = dir + 1; *p != '\0'; ++p) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
            rc = gh_err_set(err, GH_DB_E_OTHER, "cannot create folder %s for %s: %s", dir, path, strerror(errno));
            break;
        }
        *p = '/';
    }
    free(dir);
    return rc;
}

static int l_exec(void *conn, const char *sql, gh_err_t *err)
{
    lconn_t *c = conn;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? GH_OK : map(c, rc, "statement failed", err);
}

static void l_close(void *conn)
{
    lconn_t *c = conn;

    if (c == NULL)
        return;
    sqlite3_close_v2(c->db);
    free(c->path);
    free(c);
}

static int l_connect(const gh_db_connect_args_t *a, void **out, gh_err_t *err)
{
    lconn_t *c;
    int rc;
    char what[300];

    if (strcmp(a->url->path, ":memory:") != 0 && make_parents(a->url->path, err) != GH_OK)
        return GH_ERR;
    c = gh_calloc(1, sizeof(*c));
    c->path = gh_strdup(a->url->path);
    /* NOMUTEX: a connection is used by one thread at a time (the pool guarantees it) */
    rc = sqlite3_open_v2(c->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(what, sizeof(what), "cannot open %.250s", c->path);
        map(c, rc, what, err);
        goto fail;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, a->timeout_ms > 0 ? a->timeout_ms : 60000);
    if (l_exec(c, "PRAGMA journal_mode=WAL", err) != GH_OK || l_exec(c, "PRAGMA synchronous=NORMAL", err) != GH_OK ||
        l_exec(c, "PRAGMA foreign_keys=ON", err) != GH_OK)
        goto fail;
    *out = c;
    return GH_OK;
fail:
    l_close(c);
    return GH_ERR;
}

static int l_ping(void *conn, gh_err_t *err)
{
    return l_exec(conn, "SELECT 1", err);
}

static int l_prepare(void *conn, const char *sql, size_t nparams, void **out, gh_err_t *err)
{
    lconn_t *c = conn;
    lstmt_t *s = gh_calloc(1, sizeof(*s));
    int rc;

    (void)nparams;
    s->c = c;
    rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
    if (rc != SQLITE_OK) {
        map(c, rc, "prepare failed", err);
        free(s);
        return GH_ERR;
    }
    *out = s;
    return GH_OK;
}

static int l_step(lstmt_t *s, gh_err_t *err)
{
    int rc = sqlite3_step(s->st);

    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE) {
        s->done = 1;
        return 0;
    }
    map(s->c, rc, "statement failed", err);
    sqlite3_reset(s->st);
    return GH_ERR;
}

static int l_execute(void *stmt, const gh_db_value_t *args, size_t n, gh_err_t *err)
{
    lstmt_t *s = stmt;
    char ts[GH_DB_TIME_BUFSZ];
    size_t i;
    int rc = SQLITE_OK, k;

    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
    s->pending = s->done = 0;
    for (i = 0; i < n && rc == SQLITE_OK; ++i) {
        k = (int)i + 1;
        switch (args[i].type) {
        case GH_DB_NULL: rc = sqlite3_bind_null(s->st, k); break;
        case GH_DB_INT: rc = sqlite3_bind_int64(s->st, k, args[i].i); break;
        case GH_DB_TEXT:
            /* an empty string must stay '' rather than NULL: SQLite treats a NULL pointer as NULL */
            rc = sqlite3_bind_text64(s->st, k, args[i].p ? args[i].p : "", args[i].len, SQLITE_TRANSIENT, SQLITE_UTF8);
            break;
        case GH_DB_BLOB:
            rc = sqlite3_bind_blob64(s->st, k, args[i].p ? args[i].p : "", args[i].len, SQLITE_TRANSIENT);
            break;
        case GH_DB_TIME:
            rc = sqlite3_bind_text(s->st, k, gh_db_time_format(args[i].i, ts), -1, SQLITE_TRANSIENT);
            break;
        }
    }
    if (rc != SQLITE_OK)
        return map(s->c, rc, "bind failed", err);
    if ((rc = l_step(s, err)) < 0)
        return GH_ERR;
    s->pending = rc == 1;
    s->changes = sqlite3_changes64(s->c->db);
    return GH_OK;
}

static int l_next(void *stmt, gh_err_t *err)
{
    lstmt_t *s = stmt;

    if (s->pending) {
        s->pending = 0;
        return 1;
    }
    if (s->done)
        return 0;
    return l_step(s, err);
}

static size_t l_ncols(void *stmt)
{
    return (size_t)sqlite3_column_count(((lstmt_t *)stmt)->st);
}

static int l_is_null(void *stmt, size_t i)
{
    return sqlite3_column_type(((lstmt_t *)stmt)->st, (int)i) == SQLITE_NULL;
}

static int64_t l_int(void *stmt, size_t i)
{
    return sqlite3_column_int64(((lstmt_t *)stmt)->st, (int)i);
}

static const char *l_text(void *stmt, size_t i, size_t *len)
{
    sqlite3_stmt *st = ((lstmt_t *)stmt)->st;
    const char *t;

    if (sqlite3_column_type(st, (int)i) == SQLITE_NULL)
        return NULL;
    t = (const char *)sqlite3_column_text(st, (int)i);
    if (len != NULL)
        *len = (size_t)sqlite3_column_bytes(st, (int)i);
    return t;
}

static const void *l_blob(void *stmt, size_t i, size_t *len)
{
    sqlite3_stmt *st = ((lstmt_t *)stmt)->st;
    const void *b;

    if (sqlite3_column_type(st, (int)i) == SQLITE_NULL)
        return NULL;
    b = sqlite3_column_blob(st, (int)i);
    if (len != NULL)
        *len = (size_t)sqlite3_column_bytes(st, (int)i);
    return b != NULL ? b : ""; /* a zero-length blob is not NULL */
}

static int64_t l_time(void *stmt, size_t i)
{
    sqlite3_stmt *st = ((lstmt_t *)stmt)->st;
    int64_t ms = 0;

    switch (sqlite3_column_type(st, (int)i)) {
    case SQLITE_INTEGER: return sqlite3_column_int64(st, (int)i); /* written as epoch ms by hand */
    case SQLITE_TEXT:
        if (gh_db_time_parse((const char *)sqlite3_column_text(st, (int)i), (size_t)sqlite3_column_bytes(st, (int)i),
                             &ms) != GH_OK)
            return 0;
        return ms;
    default: return 0;
    }
}

static int64_t l_changes(void *stmt)
{
    return ((lstmt_t *)stmt)->changes;
}

static int l_last_id(void *conn, void *stmt, int64_t *out, gh_err_t *err)
{
    (void)stmt;
    (void)err;
    *out = sqlite3_last_insert_rowid(((lconn_t *)conn)->db);
    return GH_OK;
}

static void l_reset(void *stmt)
{
    lstmt_t *s = stmt;

    sqlite3_reset(s->st);
    s->pending = 0;
    s->done = 1;
}

static void l_finalize(void *stmt)
{
    lstmt_t *s = stmt;

    if (s == NULL)
        return;
    sqlite3_finalize(s->st);
    free(s);
}

/* IMMEDIATE takes the write lock up front: a deferred transaction that later needs to write can fail with
 * SQLITE_BUSY without waiting (busy_timeout cannot resolve that deadlock). */
static int l_begin(void *conn, gh_err_t *err)
{
    return l_exec(conn, "BEGIN IMMEDIATE", err);
}

static int l_commit(void *conn, gh_err_t *err)
{
    return l_exec(conn, "COMMIT", err);
}

static int l_rollback(void *conn, gh_err_t *err)
{
    lconn_t *c = conn;

    if (sqlite3_get_autocommit(c->db))
        return GH_OK; /* the engine already rolled back (e.g. after SQLITE_FULL) */
    return l_exec(conn, "ROLLBACK", err);
}

static const char *const classes[] = {"org.sqlite.JDBC", "org.h2.Driver", NULL};
static const char *const prefixes[] = {"jdbc:sqlite:", "jdbc:h2:", NULL};

const gh_db_driver_t gh_db_driver_sqlite = {
    .abi = GH_DB_DRIVER_ABI,
    .name = "sqlite",
    .jdbc_classes = classes,
    .url_prefixes = prefixes,
    .caps = GH_DB_CAP_FILE,
    .connect = l_connect,
    .close = l_close,
    .ping = l_ping,
    .prepare = l_prepare,
    .execute = l_execute,
    .next_row = l_next,
    .column_count = l_ncols,
    .col_is_null = l_is_null,
    .col_int = l_int,
    .col_text = l_text,
    .col_blob = l_blob,
    .col_time = l_time,
    .changes = l_changes,
    .last_insert_id = l_last_id,
    .reset = l_reset,
    .finalize = l_finalize,
    .begin = l_begin,
    .commit = l_commit,
    .rollback = l_rollback,
    .exec_script = l_exec,
};
