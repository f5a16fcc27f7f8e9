/* PostgreSQL driver (libpq): server-side prepared statements with a per-connection name, text results
 * (bytea unescaped on demand), blobs sent in binary format so NUL bytes survive. The session runs in UTC so
 * TIMESTAMP and TIMESTAMPTZ columns read back as the same epoch ms that was written. */
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db/driver.h"
#include "gatehouse/mem.h"

typedef struct {
    PGconn *pg;
    unsigned next_id; /* statement names s1, s2... unique per connection */
} pconn_t;

typedef struct {
    pconn_t *c;
    char name[24];
    int nparams;
    PGresult *res;
    int row;  /* current row, -1 before the first */
    int nrows;
    unsigned char *blob; /* unescaped bytea of the last col_blob() call */
} pstmt_t;

/* Kinds: 23505 unique_violation; class 08 connection exceptions and 57P01-03 (server shutting down or
 * restarting: the session is gone) are a lost connection, as is a socket libpq already marked bad. */
static int map(pconn_t *c, const PGresult *res, const char *what, gh_err_t *err)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res != NULL && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(c->pg);
    int code = GH_DB_E_OTHER;
    size_t len = strlen(msg);

    if (PQstatus(c->pg) == CONNECTION_BAD)
        code = GH_DB_E_CONN_LOST;
    else if (state != NULL && strcmp(state, "23505") == 0)
        code = GH_DB_E_UNIQUE;
    else if (state != NULL && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0))
        code = GH_DB_E_CONN_LOST;
    else if (state != NULL && (strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0))
        code = GH_DB_E_TIMEOUT; /* lock_not_available, query_canceled (statement_timeout) */
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    gh_err_set(err, code, "%s: %.*s", what, (int)len, msg);
    if (state != NULL)
        snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
    return GH_ERR;
}

static int ok(const PGresult *res)
{
    ExecStatusType st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static int p_exec(void *conn, const char *sql, gh_err_t *err)
{
    pconn_t *c = conn;
    PGresult *res = PQexec(c->pg, sql);
    int rc = ok(res) ? GH_OK : map(c, res, "statement failed", err);

    PQclear(res);
    return rc;
}

/* NOTICEs ("table does not exist, skipping") are not errors; libpq would print them on stderr */
static void on_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static void p_close(void *conn)
{
    pconn_t *c = conn;

    if (c == NULL)
        return;
    PQfinish(c->pg);
    free(c);
}

static int p_connect(const gh_db_connect_args_t *a, void **out, gh_err_t *err)
{
    const char *keys[12], *vals[12];
    char port[8], timeout[16];
    const char *msg;
    size_t n = 0, len;
    pconn_t *c;

    snprintf(port, sizeof(port), "%d", a->url->port);
    /* libpq wants whole seconds; maxWait bounds how long a borrower waits, so the connect fits inside it */
    snprintf(timeout, sizeof(timeout), "%d", a->timeout_ms > 0 ? (a->timeout_ms + 999) / 1000 : 10);
    keys[n] = "host", vals[n++] = a->url->host;
    keys[n] = "port", vals[n++] = port;
    keys[n] = "dbname", vals[n++] = a->url->database;
    keys[n] = "connect_timeout", vals[n++] = timeout;
    keys[n] = "application_name", vals[n++] = "gatehouse";
    keys[n] = "options", vals[n++] = "-c TimeZone=UTC";
    if (a->user != NULL)
        keys[n] = "user", vals[n++] = a->user;
    if (a->password != NULL)
        keys[n] = "password", vals[n++] = a->password;
    if (gh_db_url_param(a->url, "sslmode") != NULL)
        keys[n] = "sslmode", vals[n++] = gh_db_url_param(a->url, "sslmode");
    keys[n] = NULL, vals[n] = NULL;
    c = gh_calloc(1, sizeof(*c));
    c->pg = PQconnectdbParams(keys, vals, 0);
    if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
        msg = c->pg != NULL ? PQerrorMessage(c->pg) : "out of memory";
        /* libpq prefixes 'connection to server at "h" (ip), port p failed: '; keep only the reason */
        if (strstr(msg, "failed: ") != NULL)
            msg = strstr(msg, "failed: ") + 8;
        len = strcspn(msg, "\n");
        gh_err_set(err, GH_DB_E_CONN_LOST, "connection to %s:%d failed: %.*s", a->url->host, a->url->port, (int)len,
                   msg);
        p_close(c);
        return GH_ERR;
    }
    PQsetNoticeProcessor(c->pg, on_notice, NULL);
    *out = c;
    return GH_OK;
}

static int p_ping(void *conn, gh_err_t *err)
{
    return p_exec(conn, "SELECT 1", err);
}

static int p_prepare(void *conn, const char *sql, size_t nparams, void **out, gh_err_t *err)
{
    pconn_t *c = conn;
    pstmt_t *s = gh_calloc(1, sizeof(*s));
    PGresult *res;

    s->c = c;
    s->nparams = (int)nparams;
    s->row = -1;
    snprintf(s->name, sizeof(s->name), "gh%u", ++c->next_id);
    res = PQprepare(c->pg, s->name, sql, s->nparams, NULL);
    if (!ok(res)) {
        map(c, res, "prepare failed", err);
        PQclear(res);
        free(s);
        return GH_ERR;
    }
    PQclear(res);
    *out = s;
    return GH_OK;
}

static void p_reset(void *stmt)
{
    pstmt_t *s = stmt;

    PQclear(s->res);
    s->res = NULL;
    PQfreemem(s->blob);
    s->blob = NULL;
    s->row = -1;
    s->nrows = 0;
}

static int p_execute(void *stmt, const gh_db_value_t *args, size_t n, gh_err_t *err)
{
    pstmt_t *s = stmt;
    const char **vals = gh_calloc(n + 1, sizeof(*vals));
    int *lens = gh_calloc(n + 1, sizeof(*lens)), *fmts = gh_calloc(n + 1, sizeof(*fmts));
    char(*bufs)[GH_DB_TIME_BUFSZ] = gh_calloc(n + 1, sizeof(*bufs));
    char **copies = gh_calloc(n + 1, sizeof(*copies));
    int rc = GH_OK;
    size_t i;

    p_reset(s);
    for (i = 0; i < n; ++i) {
        switch (args[i].type) {
        case GH_DB_NULL: vals[i] = NULL; break;
        case GH_DB_INT:
            snprintf(bufs[i], sizeof(bufs[i]), "%lld", (long long)args[i].i);
            vals[i] = bufs[i];
            break;
        case GH_DB_TEXT:
            /* text format (so the server may convert to the column's type) needs a NUL-terminated copy:
             * GH_DB_TN values need not be terminated */
            vals[i] = copies[i] = gh_strndup(args[i].p != NULL ? args[i].p : "", args[i].len);
            break;
        case GH_DB_BLOB:
            vals[i] = args[i].p != NULL ? args[i].p : "";
            lens[i] = (int)args[i].len;
            fmts[i] = 1;
            break;
        case GH_DB_TIME: vals[i] = gh_db_time_format(args[i].i, bufs[i]); break;
        }
    }
    s->res = PQexecPrepared(s->c->pg, s->name, (int)n, vals, lens, fmts, 0);
    if (!ok(s->res)) {
        rc = map(s->c, s->res, "statement failed", err);
        PQclear(s->res);
        s->res = NULL;
    } else {
        s->nrows = PQntuples(s->res);
    }
    for (i = 0; i < n; ++i)
        free(copies[i]);
    free(copies);
    free(vals);
    free(lens);
    free(fmts);
    free(bufs);
    return rc;
}

static int p_next(void *stmt, gh_err_t *err)
{
    pstmt_t *s = stmt;

    (void)err;
    if (s->res == NULL || s->row + 1 >= s->nrows)
        return 0;
    s->row++;
    PQfreemem(s->blob);
    s->blob = NULL;
    return 1;
}

static size_t p_ncols(void *stmt)
{
    pstmt_t *s = stmt;

    return s->res != NULL ? (size_t)PQnfields(s->res) : 0;
}

static int valid(pstmt_t *s, size_t i)
{
    return s->res != NULL && s->row >= 0 && s->row < s->nrows && (int)i < PQnfields(s->res);
}

static int p_is_null(void *stmt, size_t i)
{
    pstmt_t *s = stmt;

    return !valid(s, i) || PQgetisnull(s->res, s->row, (int)i);
}

static int64_t p_int(void *stmt, size_t i)
{
    pstmt_t *s = stmt;
    const char *v;

    if (p_is_null(s, i))
        return 0;
    v = PQgetvalue(s->res, s->row, (int)i);
    if (v[0] == 't' || v[0] == 'f') /* boolean */
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static const char *p_text(void *stmt, size_t i, size_t *len)
{
    pstmt_t *s = stmt;

    if (p_is_null(s, i))
        return NULL;
    if (len != NULL)
        *len = (size_t)PQgetlength(s->res, s->row, (int)i);
    return PQgetvalue(s->res, s->row, (int)i);
}

static const void *p_blob(void *stmt, size_t i, size_t *len)
{
    pstmt_t *s = stmt;
    size_t n = 0;

    if (p_is_null(s, i))
        return NULL;
    if (PQftype(s->res, (int)i) != 17 /* BYTEAOID */)
        return p_text(s, i, len);
    PQfreemem(s->blob);
    s->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, (int)i), &n);
    if (len != NULL)
        *len = s->blob != NULL ? n : 0;
    return s->blob;
}

static int64_t p_time(void *stmt, size_t i)
{
    pstmt_t *s = stmt;
    int64_t ms = 0;

    if (p_is_null(s, i))
        return 0;
    if (gh_db_time_parse(PQgetvalue(s->res, s->row, (int)i), (size_t)PQgetlength(s->res, s->row, (int)i), &ms) !=
        GH_OK)
        return 0;
    return ms;
}

static int64_t p_changes(void *stmt)
{
    pstmt_t *s = stmt;
    const char *t = s->res != NULL ? PQcmdTuples(s->res) : "";

    return t[0] != '\0' ? strtoll(t, NULL, 10) : 0;
}

static int p_last_id(void *conn, void *stmt, int64_t *out, gh_err_t *err)
{
    pconn_t *c = conn;
    PGresult *res = PQexec(c->pg, "SELECT lastval()");
    int rc = GH_OK;

    (void)stmt;
    if (!ok(res) || PQntuples(res) != 1)
        rc = map(c, res, "lastval() failed (was the INSERT's table keyed by a sequence?)", err);
    else
        *out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return rc;
}

static void p_finalize(void *stmt)
{
    pstmt_t *s = stmt;
    char sql[48];
    PGresult *res;

    if (s == NULL)
        return;
    p_reset(s);
    if (PQstatus(s->c->pg) == CONNECTION_OK) {
        snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
        res = PQexec(s->c->pg, sql);
        PQclear(res);
    }
    free(s);
}

static int p_begin(void *conn, gh_err_t *err)
{
    return p_exec(conn, "BEGIN", err);
}

static int p_commit(void *conn, gh_err_t *err)
{
    pconn_t *c = conn;
    PGresult *res = PQexec(c->pg, "COMMIT");
    int rc = GH_OK;

    /* a COMMIT of a failed transaction "succeeds" with tag ROLLBACK: report it, the work is gone */
    if (!ok(res))
        rc = map(c, res, "commit failed", err);
    else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
        rc = gh_err_set(err, GH_DB_E_OTHER, "commit failed: the transaction had failed earlier and was rolled back");
    PQclear(res);
    return rc;
}

static int p_rollback(void *conn, gh_err_t *err)
{
    return p_exec(conn, "ROLLBACK", err);
}

static int p_listen(void *conn, const char *channel, gh_err_t *err)
{
    pconn_t *c = conn;
    char *id, sql[256];

    if (channel == NULL)
        return p_exec(conn, "UNLISTEN *", err);
    /* LISTEN takes an identifier, not a parameter: quoted by libpq */
    if ((id = PQescapeIdentifier(c->pg, channel, strlen(channel))) == NULL)
        return map(c, NULL, "LISTEN", err);
    snprintf(sql, sizeof(sql), "LISTEN %s", id);
    PQfreemem(id);
    return p_exec(conn, sql, err);
}

static int p_notify(void *conn, const char *channel, gh_err_t *err)
{
    pconn_t *c = conn;
    const char *vals[1] = {channel};
    PGresult *res = PQexecParams(c->pg, "SELECT pg_notify($1, '')", 1, NULL, vals, NULL, NULL, 0);
    int rc = ok(res) ? GH_OK : map(c, res, "NOTIFY", err);

    PQclear(res);
    return rc;
}

/* Consume what the socket holds; 1 when it held notifications. */
static int drain(pconn_t *c, gh_err_t *err)
{
    PGnotify *n;
    int got = 0;

    if (PQconsumeInput(c->pg) == 0)
        return map(c, NULL, "waiting for notifications", err);
    while ((n = PQnotifies(c->pg)) != NULL) {
        PQfreemem(n);
        got = 1;
    }
    return got;
}

static int p_wait_notify(void *conn, int timeout_ms, gh_err_t *err)
{
    pconn_t *c = conn;
    struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
    int rc;

    if ((rc = drain(c, err)) != 0) /* queries on this session may have received some already */
        return rc;
    if (pfd.fd < 0)
        return gh_err_set(err, GH_DB_E_CONN_LOST, "waiting for notifications: the connection is closed");
    rc = poll(&pfd, 1, timeout_ms);
    if (rc < 0)
        return errno == EINTR ? 0 : gh_err_set(err, GH_DB_E_OTHER, "waiting for notifications: %s", strerror(errno));
    return rc == 0 ? 0 : drain(c, err);
}

static const char *const classes[] = {"org.postgresql.Driver", NULL};
static const char *const prefixes[] = {"jdbc:postgresql:", NULL};

const gh_db_driver_t gh_db_driver_postgresql = {
    .abi = GH_DB_DRIVER_ABI,
    .name = "postgresql",
    .jdbc_classes = classes,
    .url_prefixes = prefixes,
    .caps = GH_DB_CAP_DOLLAR_PARAMS,
    .connect = p_connect,
    .close = p_close,
    .ping = p_ping,
    .prepare = p_prepare,
    .execute = p_execute,
    .next_row = p_next,
    .column_count = p_ncols,
    .col_is_null = p_is_null,
    .col_int = p_int,
    .col_text = p_text,
    .col_blob = p_blob,
    .col_time = p_time,
    .changes = p_changes,
    .last_insert_id = p_last_id,
    .reset = p_reset,
    .finalize = p_finalize,
    .begin = p_begin,
    .commit = p_commit,
    .rollback = p_rollback,
    .exec_script = p_exec,
    .listen = p_listen,
    .notify = p_notify,
    .wait_notify = p_wait_notify,
};
