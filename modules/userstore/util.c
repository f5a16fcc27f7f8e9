/* Helpers shared by the JDBC user store files: string lists, user and attribute lookups, transactions. */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "us_int.h"
#include "gatehouse/mem.h"

void gh_us_strlist_push(gh_us_strlist_t *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = gh_realloc(l->items, l->cap * sizeof(*l->items));
    }
    l->items[l->n++] = gh_strdup(s != NULL ? s : "");
}

int gh_us_strlist_contains(const gh_us_strlist_t *l, const char *s)
{
    size_t i;

    for (i = 0; i < l->n; ++i)
        if (strcmp(l->items[i], s) == 0)
            return 1;
    return 0;
}

void gh_us_strlist_dispose(gh_us_strlist_t *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < l->n; ++i)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

const char *gh_us_sql_user_eq(const gh_us_t *us)
{
    return us->s.case_insensitive ? "LOWER(UM_USER_NAME)=LOWER(?)" : "UM_USER_NAME=?";
}

#define SQL_FIND_CI "SELECT UM_ID, UM_USER_NAME FROM UM_USER WHERE LOWER(UM_USER_NAME)=LOWER(?) AND UM_TENANT_ID=? ORDER BY UM_ID"
#define SQL_FIND_CS "SELECT UM_ID, UM_USER_NAME FROM UM_USER WHERE UM_USER_NAME=? AND UM_TENANT_ID=?"

int gh_us_find_user(gh_us_t *us, gh_db_conn_t *c, const char *user, int64_t *id, char **stored_name,
                    gh_err_t *err)
{
    gh_db_stmt_t *st;
    int rc;

    if (gh_db_prepare(c, us->s.case_insensitive ? SQL_FIND_CI : SQL_FIND_CS, &st, err) != GH_OK ||
        gh_db_execute(st, GH_DB_ARGS(GH_DB_T(user), GH_DB_I(US_TENANT)), err) != GH_OK)
        return GH_ERR;
    if ((rc = gh_db_next(st, err)) == 1) {
        *id = gh_db_col_int(st, 0);
        if (stored_name != NULL)
            *stored_name = gh_strdup(gh_db_col_text(st, 1, NULL));
    }
    gh_db_reset(st);
    return rc;
}

int gh_us_need_user(gh_us_t *us, gh_db_conn_t *c, const char *user, int64_t *id, char **stored_name,
                    gh_err_t *err)
{
    int rc = gh_us_find_user(us, c, user, id, stored_name, err);

    if (rc == 0)
        return gh_err_set(err, GH_E_NOTFOUND, "user '%s' does not exist", user);
    return rc == 1 ? GH_OK : GH_ERR;
}

int gh_us_domain_id(gh_db_conn_t *c, const char *name, int64_t *out, gh_err_t *err)
{
    return gh_db_query_int(c, "SELECT UM_DOMAIN_ID FROM UM_DOMAIN WHERE UM_DOMAIN_NAME=? AND UM_TENANT_ID=?",
                           GH_DB_ARGS(GH_DB_T(name), GH_DB_I(US_TENANT)), out, err);
}

int gh_us_attr_get(gh_db_conn_t *c, int64_t uid, const char *attr, char **out, gh_err_t *err)
{
    gh_db_stmt_t *st;
    int rc;

    if (gh_db_prepare(c,
                      "SELECT UM_ATTR_VALUE FROM UM_USER_ATTRIBUTE WHERE UM_USER_ID=? AND UM_ATTR_NAME=? AND "
                      "UM_PROFILE_ID=? AND UM_TENANT_ID=?",
                      &st, err) != GH_OK ||
        gh_db_execute(st, GH_DB_ARGS(GH_DB_I(uid), GH_DB_T(attr), GH_DB_T(US_PROFILE), GH_DB_I(US_TENANT)),
                      err) != GH_OK)
        return GH_ERR;
    if ((rc = gh_db_next(st, err)) == 1)
        *out = gh_strdup(gh_db_col_text(st, 0, NULL));
    gh_db_reset(st);
    if (rc == 1 && *out == NULL)
        rc = 0;
    return rc;
}

int gh_us_attr_set(gh_db_conn_t *c, int64_t uid, const char *attr, const char *value, gh_err_t *err)
{
    int64_t n = 0;

    if (value == NULL)
        return gh_db_exec(c,
                          "DELETE FROM UM_USER_ATTRIBUTE WHERE UM_USER_ID=? AND UM_ATTR_NAME=? AND UM_PROFILE_ID=? "
                          "AND UM_TENANT_ID=?",
                          GH_DB_ARGS(GH_DB_I(uid), GH_DB_T(attr), GH_DB_T(US_PROFILE), GH_DB_I(US_TENANT)), NULL,
                          err);
    /* count first: MERGE/UPSERT syntax differs on all three databases */
    if (gh_db_query_int(c,
                        "SELECT COUNT(*) FROM UM_USER_ATTRIBUTE WHERE UM_USER_ID=? AND UM_ATTR_NAME=? AND "
                        "UM_PROFILE_ID=? AND UM_TENANT_ID=?",
                        GH_DB_ARGS(GH_DB_I(uid), GH_DB_T(attr), GH_DB_T(US_PROFILE), GH_DB_I(US_TENANT)), &n,
                        err) < 0)
        return GH_ERR;
    if (n > 0)
        return gh_db_exec(c,
                          "UPDATE UM_USER_ATTRIBUTE SET UM_ATTR_VALUE=? WHERE UM_USER_ID=? AND UM_ATTR_NAME=? AND "
                          "UM_PROFILE_ID=? AND UM_TENANT_ID=?",
                          GH_DB_ARGS(GH_DB_T(value), GH_DB_I(uid), GH_DB_T(attr), GH_DB_T(US_PROFILE),
                                     GH_DB_I(US_TENANT)),
                          NULL, err);
    return gh_db_exec(c,
                      "INSERT INTO UM_USER_ATTRIBUTE (UM_USER_ID, UM_ATTR_NAME, UM_ATTR_VALUE, UM_PROFILE_ID, "
                      "UM_TENANT_ID) VALUES (?, ?, ?, ?, ?)",
                      GH_DB_ARGS(GH_DB_I(uid), GH_DB_T(attr), GH_DB_T(value), GH_DB_T(US_PROFILE),
                                 GH_DB_I(US_TENANT)),
                      NULL, err);
}

int gh_us_lock_user_row(gh_db_conn_t *c, int64_t uid, gh_err_t *err)
{
    /* a no-op UPDATE takes the row lock on PostgreSQL and InnoDB; SQLite's BEGIN IMMEDIATE already serialises */
    return gh_db_exec(c, "UPDATE UM_USER SET UM_TENANT_ID = UM_TENANT_ID WHERE UM_ID = ?", GH_DB_ARGS(GH_DB_I(uid)),
                      NULL, err);
}

int gh_us_begin(gh_us_t *us, gh_db_conn_t **c, gh_err_t *err)
{
    *c = NULL;
    if (gh_db_borrow(us->pool, c, err) != GH_OK)
        return GH_ERR;
    if (gh_db_begin(*c, err) != GH_OK) {
        gh_db_return(*c);
        *c = NULL;
        return GH_ERR;
    }
    return GH_OK;
}

int gh_us_finish(gh_db_conn_t *c, int rc, gh_err_t *err)
{
    if (c == NULL)
        return rc;
    if (rc >= 0 && gh_db_in_transaction(c) && gh_db_commit(c, err) != GH_OK)
        rc = GH_ERR;
    if (rc < 0)
        (void)gh_db_rollback(c, NULL); /* keep the first error in err */
    gh_db_return(c);
    return rc;
}

int64_t gh_us_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void gh_us_iso_time(int64_t ms, char buf[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    /* the casts bound each field for -Wformat-truncation; the values are in range anyway */
    snprintf(buf, 32, "%04hu-%02hhu-%02hhuT%02hhu:%02hhu:%02hhu.%03huZ", (unsigned short)(tm.tm_year + 1900),
             (unsigned char)(tm.tm_mon + 1), (unsigned char)tm.tm_mday, (unsigned char)tm.tm_hour,
             (unsigned char)tm.tm_min, (unsigned char)tm.tm_sec, (unsigned short)(ms % 1000));
}

void gh_us_uuid(char buf[37])
{
    unsigned char b[16];

    if (RAND_bytes(b, sizeof(b)) != 1)
        abort(); /* no entropy: nothing safe left to do */
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
             b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int gh_us_collect(gh_db_conn_t *c, const char *sql, const gh_db_value_t *args, size_t n, const char *prefix,
                  gh_us_strlist_t *out, gh_err_t *err)
{
    gh_db_stmt_t *st;
    const char *v;
    char *joined;
    int rc;

    if (gh_db_prepare(c, sql, &st, err) != GH_OK || gh_db_execute(st, args, n, err) != GH_OK)
        return GH_ERR;
    while ((rc = gh_db_next(st, err)) == 1) {
        if ((v = gh_db_col_text(st, 0, NULL)) == NULL)
            continue;
        joined = gh_asprintf("%s%s", prefix != NULL ? prefix : "", v);
        if (!gh_us_strlist_contains(out, joined))
            gh_us_strlist_push(out, joined);
        free(joined);
    }
    gh_db_reset(st);
    return rc < 0 ? GH_ERR : GH_OK;
}

char *gh_us_like(const char *pre, const char *s, const char *post, int star_wild)
{
    size_t n = strlen(s), i, k = 0;
    char *buf = gh_malloc(strlen(pre) + 2 * n + strlen(post) + 1);

    memcpy(buf, pre, strlen(pre));
    k = strlen(pre);
    for (i = 0; i < n; ++i) {
        if (star_wild && s[i] == '*') {
            buf[k++] = '%';
            continue;
        }
        /* '!' is the ESCAPE character in every LIKE we write: backslash means different things to MySQL */
        if (s[i] == '%' || s[i] == '_' || s[i] == '!')
            buf[k++] = '!';
        buf[k++] = s[i];
    }
    memcpy(buf + k, post, strlen(post) + 1);
    return buf;
}
