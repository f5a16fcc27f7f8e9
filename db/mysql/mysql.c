/* MySQL / MariaDB driver (MariaDB Connector/C): server-side prepared statements; results are stored
 * client-side (mysql_stmt_store_result) so several statements can be open on one connection at once, with
 * buffers sized from the result's max_length and grown with mysql_stmt_fetch_column on truncation. The
 * library's auto-reconnect stays off: a silent reconnect inside a transaction would commit half of it; db.c
 * reconnects itself, and only outside transactions. The session runs with time_zone '+00:00'. */
#include <mysql.h>
#include <errmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db/driver.h"
#include "gatehouse/mem.h"

typedef struct {
    MYSQL *my;
} mconn_t;

enum { K_STR, K_INT, K_TIME };

typedef struct {
    int kind;
    char *buf;
    unsigned long cap;
    unsigned long length;
    my_bool is_null, error;
    long long ival;
    MYSQL_TIME t;
    char text[GH_DB_TIME_BUFSZ]; /* K_INT / K_TIME rendered as text on demand */
} mcol_t;

typedef struct {
    mconn_t *c;
    MYSQL_STMT *st;
    unsigned ncols;
    MYSQL_BIND *binds; /* result binds, ncols */
    mcol_t *cols;
    int has_result;
    int64_t changes;
} mstmt_t;

/* Kinds: 1062 ER_DUP_ENTRY; 2006/2013/2055 (server gone / lost), 1927 (killed) and 4031 (disconnected for
 * inactivity) are a lost connection; 1205 lock wait timeout. */
static int kind_of(unsigned no)
{
    switch (no) {
    case 1062: return GH_DB_E_UNIQUE;
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case 1927:
    case 4031: return GH_DB_E_CONN_LOST;
    case 1205: return GH_DB_E_TIMEOUT;
    default: return GH_DB_E_OTHER;
    }
}

static int map_conn(mconn_t *c, const char *what, gh_err_t *err)
{
    unsigned no = mysql_errno(c->my);

    gh_err_set(err, kind_of(no), "%s: %s (%u)", what, mysql_error(c->my), no);
    err->native = (int)no;
    snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", mysql_sqlstate(c->my));
    return GH_ERR;
}

static int map_stmt(mstmt_t *s, const char *what, gh_err_t *err)
{
    unsigned no = mysql_stmt_errno(s->st);

    gh_err_set(err, kind_of(no), "%s: %s (%u)", what, mysql_stmt_error(s->st), no);
    err->native = (int)no;
    snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", mysql_stmt_sqlstate(s->st));
    return GH_ERR;
}

static int m_exec(void *conn, const char *sql, gh_err_t *err)
{
    mconn_t *c = conn;
    MYSQL_RES *res;

    if (mysql_real_query(c->my, sql, strlen(sql)) != 0)
        return map_conn(c, "statement failed", err);
    do { /* drain any result sets so the connection is usable again */
        res = mysql_store_result(c->my);
        mysql_free_result(res);
    } while (mysql_next_result(c->my) == 0);
    return GH_OK;
}

static void m_close(void *conn)
{
    mconn_t *c = conn;

    if (c == NULL)
        return;
    mysql_close(c->my);
    free(c);
}

static int m_connect(const gh_db_connect_args_t *a, void **out, gh_err_t *err)
{
    mconn_t *c = gh_calloc(1, sizeof(*c));
    my_bool off = 0;
    unsigned timeout = a->timeout_ms > 0 ? (unsigned)(a->timeout_ms + 999) / 1000 : 10;
    unsigned proto = MYSQL_PROTOCOL_TCP;

    if ((c->my = mysql_init(NULL)) == NULL) {
        free(c);
        return gh_err_set(err, GH_DB_E_OTHER, "mysql_init failed (out of memory)");
    }
    mysql_options(c->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(c->my, MYSQL_OPT_RECONNECT, &off);
    mysql_options(c->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    /* JDBC always speaks TCP; "localhost" must not silently mean the default unix socket */
    mysql_options(c->my, MYSQL_OPT_PROTOCOL, &proto);
    /* CLIENT_FOUND_ROWS: an UPDATE reports matched rows, as Connector/J and PostgreSQL do */
    if (mysql_real_connect(c->my, a->url->host, a->user, a->password, a->url->database, (unsigned)a->url->port, NULL,
                           CLIENT_FOUND_ROWS) == NULL) {
        gh_err_set(err, GH_DB_E_CONN_LOST, "connection to %s:%d failed: %s (%u)", a->url->host, a->url->port,
                   mysql_error(c->my), mysql_errno(c->my));
        err->native = (int)mysql_errno(c->my);
        m_close(c);
        return GH_ERR;
    }
    if (m_exec(c, "SET time_zone = '+00:00'", err) != GH_OK) {
        m_close(c);
        return GH_ERR;
    }
    *out = c;
    return GH_OK;
}

static int m_ping(void *conn, gh_err_t *err)
{
    mconn_t *c = conn;

    return mysql_ping(c->my) == 0 ? GH_OK : map_conn(c, "ping failed", err);
}

static void free_cols(mstmt_t *s)
{
    unsigned i;

    for (i = 0; i < s->ncols; ++i)
        free(s->cols[i].buf);
    free(s->cols);
    free(s->binds);
    s->cols = NULL;
    s->binds = NULL;
    s->ncols = 0;
}

static int m_prepare(void *conn, const char *sql, size_t nparams, void **out, gh_err_t *err)
{
    mconn_t *c = conn;
    mstmt_t *s = gh_calloc(1, sizeof(*s));
    my_bool on = 1;

    (void)nparams;
    s->c = c;
    if ((s->st = mysql_stmt_init(c->my)) == NULL) {
        map_conn(c, "prepare failed", err);
        free(s);
        return GH_ERR;
    }
    mysql_stmt_attr_set(s->st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
    if (mysql_stmt_prepare(s->st, sql, strlen(sql)) != 0) {
        map_stmt(s, "prepare failed", err);
        mysql_stmt_close(s->st);
        free(s);
        return GH_ERR;
    }
    *out = s;
    return GH_OK;
}

static void m_reset(void *stmt)
{
    mstmt_t *s = stmt;

    if (s->has_result)
        mysql_stmt_free_result(s->st);
    s->has_result = 0;
}

static void to_mysql_time(int64_t ms, MYSQL_TIME *t)
{
    int y, mon, d, h, mi, sec, msec;

    gh_db_time_to_civil(ms, &y, &mon, &d, &h, &mi, &sec, &msec);
    memset(t, 0, sizeof(*t));
    t->year = (unsigned)y, t->month = (unsigned)mon, t->day = (unsigned)d;
    t->hour = (unsigned)h, t->minute = (unsigned)mi, t->second = (unsigned)sec;
    t->second_part = (unsigned long)msec * 1000;
    t->time_type = MYSQL_TIMESTAMP_DATETIME;
}

static int64_t from_mysql_time(const MYSQL_TIME *t)
{
    return gh_db_time_from_civil((int)t->year, (int)t->month, (int)t->day, (int)t->hour, (int)t->minute,
                                 (int)t->second, (int)(t->second_part / 1000));
}

/* Bind the result columns, buffers sized from max_length (computed by store_result). */
static void bind_result(mstmt_t *s, MYSQL_RES *meta)
{
    unsigned i, n = mysql_num_fields(meta);
    MYSQL_FIELD *f;
    mcol_t *col;
    MYSQL_BIND *b;

    if (n != s->ncols) {
        free_cols(s);
        s->ncols = n;
        s->cols = gh_calloc(n, sizeof(*s->cols));
        s->binds = gh_calloc(n, sizeof(*s->binds));
    }
    for (i = 0; i < n; ++i) {
        f = mysql_fetch_field_direct(meta, i);
        col = &s->cols[i];
        b = &s->binds[i];
        memset(b, 0, sizeof(*b));
        b->is_null = &col->is_null;
        b->error = &col->error;
        b->length = &col->length;
        switch (f->type) {
        case MYSQL_TYPE_TINY:
        case MYSQL_TYPE_SHORT:
        case MYSQL_TYPE_LONG:
        case MYSQL_TYPE_INT24:
        case MYSQL_TYPE_LONGLONG:
        case MYSQL_TYPE_YEAR:
            col->kind = K_INT;
            b->buffer_type = MYSQL_TYPE_LONGLONG;
            b->buffer = &col->ival;
            b->is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
            break;
        case MYSQL_TYPE_TIMESTAMP:
        case MYSQL_TYPE_DATETIME:
        case MYSQL_TYPE_DATE:
            col->kind = K_TIME;
            b->buffer_type = MYSQL_TYPE_DATETIME;
            b->buffer = &col->t;
            b->buffer_length = sizeof(col->t);
            break;
        default:
            col->kind = K_STR;
            if (col->cap < f->max_length + 1) {
                free(col->buf);
                col->cap = f->max_length + 1;
                col->buf = gh_malloc(col->cap);
            }
            b->buffer_type = MYSQL_TYPE_STRING;
            b->buffer = col->buf;
            b->buffer_length = col->cap - 1; /* room for the NUL we add */
            break;
        }
    }
}

static int m_execute(void *stmt, const gh_db_value_t *args, size_t n, gh_err_t *err)
{
    mstmt_t *s = stmt;
    MYSQL_BIND *p = gh_calloc(n + 1, sizeof(*p));
    MYSQL_TIME *times = gh_calloc(n + 1, sizeof(*times));
    long long *ints = gh_calloc(n + 1, sizeof(*ints));
    unsigned long *lens = gh_calloc(n + 1, sizeof(*lens));
    MYSQL_RES *meta = NULL;
    int rc = GH_ERR;
    size_t i;

    m_reset(s);
    for (i = 0; i < n; ++i) {
        switch (args[i].type) {
        case GH_DB_NULL: p[i].buffer_type = MYSQL_TYPE_NULL; break;
        case GH_DB_INT:
            ints[i] = args[i].i;
            p[i].buffer_type = MYSQL_TYPE_LONGLONG;
            p[i].buffer = &ints[i];
            break;
        case GH_DB_TEXT:
        case GH_DB_BLOB:
            p[i].buffer_type = args[i].type == GH_DB_TEXT ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
            p[i].buffer = (void *)(args[i].p != NULL ? args[i].p : "");
            lens[i] = (unsigned long)args[i].len;
            p[i].buffer_length = lens[i];
            p[i].length = &lens[i];
            break;
        case GH_DB_TIME:
            to_mysql_time(args[i].i, &times[i]);
            p[i].buffer_type = MYSQL_TYPE_DATETIME;
            p[i].buffer = &times[i];
            break;
        }
    }
    if (n > 0 && mysql_stmt_bind_param(s->st, p) != 0) {
        map_stmt(s, "bind failed", err);
        goto out;
    }
    if (mysql_stmt_execute(s->st) != 0) {
        map_stmt(s, "statement failed", err);
        goto out;
    }
    s->changes = (int64_t)mysql_stmt_affected_rows(s->st);
    if ((meta = mysql_stmt_result_metadata(s->st)) != NULL) {
        if (mysql_stmt_store_result(s->st) != 0) {
            map_stmt(s, "reading the result failed", err);
            goto out;
        }
        s->has_result = 1;
        mysql_free_result(meta);
        /* max_length is only known after store_result, on a fresh copy of the metadata */
        meta = mysql_stmt_result_metadata(s->st);
        bind_result(s, meta);
        if (mysql_stmt_bind_result(s->st, s->binds) != 0) {
            map_stmt(s, "binding the result failed", err);
            goto out;
        }
    }
    rc = GH_OK;
out:
    if (meta != NULL)
        mysql_free_result(meta);
    if (rc != GH_OK)
        m_reset(s);
    free(p);
    free(times);
    free(ints);
    free(lens);
    return rc;
}

static int m_next(void *stmt, gh_err_t *err)
{
    mstmt_t *s = stmt;
    mcol_t *col;
    MYSQL_BIND b;
    unsigned i;
    int rc;

    if (!s->has_result)
        return 0;
    rc = mysql_stmt_fetch(s->st);
    if (rc == MYSQL_NO_DATA)
        return 0;
    if (rc == 1)
        return map_stmt(s, "fetch failed", err);
    for (i = 0; i < s->ncols; ++i) {
        col = &s->cols[i];
        if (col->kind != K_STR || col->is_null)
            continue;
        if (rc == MYSQL_DATA_TRUNCATED && col->length >= col->cap) {
            /* larger than max_length said: grow, then fetch the column again from offset 0 */
            free(col->buf);
            col->cap = col->length + 1;
            col->buf = gh_malloc(col->cap);
            b = s->binds[i];
            b.buffer = col->buf;
            b.buffer_length = col->cap - 1;
            if (mysql_stmt_fetch_column(s->st, &b, i, 0) != 0)
                return map_stmt(s, "fetching a large column failed", err);
            s->binds[i].buffer = col->buf;
            s->binds[i].buffer_length = col->cap - 1;
            mysql_stmt_bind_result(s->st, s->binds);
        }
        col->buf[col->length] = '\0';
    }
    return 1;
}

static size_t m_ncols(void *stmt)
{
    return ((mstmt_t *)stmt)->ncols;
}

static mcol_t *col_at(mstmt_t *s, size_t i)
{
    return s->has_result && i < s->ncols && !s->cols[i].is_null ? &s->cols[i] : NULL;
}

static int m_is_null(void *stmt, size_t i)
{
    return col_at(stmt, i) == NULL;
}

static int64_t m_int(void *stmt, size_t i)
{
    mcol_t *c = col_at(stmt, i);

    if (c == NULL)
        return 0;
    if (c->kind == K_INT)
        return c->ival;
    if (c->kind == K_TIME)
        return from_mysql_time(&c->t);
    return strtoll(c->buf, NULL, 10);
}

static const char *m_text(void *stmt, size_t i, size_t *len)
{
    mcol_t *c = col_at(stmt, i);

    if (c == NULL)
        return NULL;
    if (c->kind == K_INT)
        snprintf(c->text, sizeof(c->text), "%lld", c->ival);
    else if (c->kind == K_TIME)
        gh_db_time_format(from_mysql_time(&c->t), c->text);
    else {
        if (len != NULL)
            *len = c->length;
        return c->buf;
    }
    if (len != NULL)
        *len = strlen(c->text);
    return c->text;
}

static const void *m_blob(void *stmt, size_t i, size_t *len)
{
    return m_text(stmt, i, len);
}

static int64_t m_time(void *stmt, size_t i)
{
    mcol_t *c = col_at(stmt, i);
    int64_t ms = 0;

    if (c == NULL)
        return 0;
    if (c->kind == K_TIME)
        return from_mysql_time(&c->t);
    if (c->kind == K_INT)
        return c->ival;
    return gh_db_time_parse(c->buf, c->length, &ms) == GH_OK ? ms : 0;
}

static int64_t m_changes(void *stmt)
{
    return ((mstmt_t *)stmt)->changes;
}

static int m_last_id(void *conn, void *stmt, int64_t *out, gh_err_t *err)
{
    (void)conn;
    (void)err;
    *out = (int64_t)mysql_stmt_insert_id(((mstmt_t *)stmt)->st);
    return GH_OK;
}

static void m_finalize(void *stmt)
{
    mstmt_t *s = stmt;

    if (s == NULL)
        return;
    m_reset(s);
    mysql_stmt_close(s->st);
    free_cols(s);
    free(s);
}

static int m_begin(void *conn, gh_err_t *err)
{
    return m_exec(conn, "START TRANSACTION", err);
}

static int m_commit(void *conn, gh_err_t *err)
{
    return m_exec(conn, "COMMIT", err);
}

static int m_rollback(void *conn, gh_err_t *err)
{
    return m_exec(conn, "ROLLBACK", err);
}

static const char *const classes[] = {"com.mysql.jdbc.Driver", "com.mysql.cj.jdbc.Driver", "org.mariadb.jdbc.Driver",
                                      NULL};
static const char *const prefixes[] = {"jdbc:mysql:", "jdbc:mariadb:", NULL};

const gh_db_driver_t gh_db_driver_mysql = {
    .abi = GH_DB_DRIVER_ABI,
    .name = "mysql",
    .jdbc_classes = classes,
    .url_prefixes = prefixes,
    .caps = 0,
    .connect = m_connect,
    .close = m_close,
    .ping = m_ping,
    .prepare = m_prepare,
    .execute = m_execute,
    .next_row = m_next,
    .column_count = m_ncols,
    .col_is_null = m_is_null,
    .col_int = m_int,
    .col_text = m_text,
    .col_blob = m_blob,
    .col_time = m_time,
    .changes = m_changes,
    .last_insert_id = m_last_id,
    .reset = m_reset,
    .finalize = m_finalize,
    .begin = m_begin,
    .commit = m_commit,
    .rollback = m_rollback,
    .exec_script = m_exec,
};
