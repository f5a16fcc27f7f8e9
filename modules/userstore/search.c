/* JDBC user store: user search by name or claim value (eq / co / sw, case-insensitive) with paging, the
 * shape SCIM 2.0 filters need. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "us_int.h"
#include "gatehouse/mem.h"

#define N_FROM " FROM UM_USER WHERE UM_TENANT_ID=?"
#define N_ALL N_FROM
#define N_EQ N_FROM " AND LOWER(UM_USER_NAME)=LOWER(?)"
#define N_LIKE N_FROM " AND LOWER(UM_USER_NAME) LIKE LOWER(?) ESCAPE '!'"
#define C_FROM                                                                                                   \
    " FROM UM_USER u, UM_USER_ATTRIBUTE a WHERE u.UM_TENANT_ID=? AND a.UM_ATTR_NAME=? AND a.UM_PROFILE_ID=? AND " \
    "a.UM_TENANT_ID=u.UM_TENANT_ID AND a.UM_USER_ID=u.UM_ID"
#define C_EQ C_FROM " AND LOWER(a.UM_ATTR_VALUE)=LOWER(?)"
#define C_LIKE C_FROM " AND LOWER(a.UM_ATTR_VALUE) LIKE LOWER(?) ESCAPE '!'"
#define PAGE(w, col) "SELECT " col w " ORDER BY " col " LIMIT ? OFFSET ?"
#define COUNT(w) "SELECT COUNT(*)" w

typedef struct {
    const char *page, *count;
} sql_t;

static const sql_t by_name[] = {{PAGE(N_ALL, "UM_USER_NAME"), COUNT(N_ALL)},
                                {PAGE(N_EQ, "UM_USER_NAME"), COUNT(N_EQ)},
                                {PAGE(N_LIKE, "UM_USER_NAME"), COUNT(N_LIKE)}};
static const sql_t by_claim[] = {{PAGE(C_FROM, "u.UM_USER_NAME"), COUNT(C_FROM)},
                                 {PAGE(C_EQ, "u.UM_USER_NAME"), COUNT(C_EQ)},
                                 {PAGE(C_LIKE, "u.UM_USER_NAME"), COUNT(C_LIKE)}};

int gh_us_jdbc_search_users(gh_us_t *us, const gh_us_query_t *q, gh_us_strlist_t *names, size_t *total,
                            gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    gh_db_value_t args[6];
    const sql_t *sql;
    const char *attr = NULL;
    char *pattern = NULL;
    size_t n = 0, kind;
    int64_t count = 0, limit = q->limit > 0 ? (int64_t)q->limit : INT64_MAX;
    int rc = GH_ERR;

    kind = q->value == NULL ? 0 : q->op == GH_US_OP_EQ ? 1 : 2;
    if (q->claim_uri != NULL && strcmp(q->claim_uri, GH_US_CLAIM_USERNAME) != 0 &&
        ((attr = gh_us_claim_attr(q->claim_uri)) == NULL || strcmp(q->claim_uri, GH_US_CLAIM_ROLE) == 0))
        return gh_err_set(err, GH_E_INPUT, "users cannot be searched by claim '%s'", q->claim_uri);
    if (kind == 2)
        pattern = gh_us_like(q->op == GH_US_OP_CO ? "%" : "", q->value, "%", 0);
    sql = attr != NULL ? &by_claim[kind] : &by_name[kind];
    args[n++] = GH_DB_I(US_TENANT);
    if (attr != NULL) {
        args[n++] = GH_DB_T(attr);
        args[n++] = GH_DB_T(US_PROFILE);
    }
    if (kind > 0)
        args[n++] = GH_DB_T(kind == 1 ? q->value : pattern);
    if (gh_db_borrow(us->pool, &c, err) != GH_OK)
        goto out;
    if (total != NULL) {
        if (gh_db_query_int(c, sql->count, args, n, &count, err) < 0)
            goto out;
        *total = (size_t)count;
    }
    args[n++] = GH_DB_I(limit);
    args[n++] = GH_DB_I(q->offset);
    rc = gh_us_collect(c, sql->page, args, n, NULL, names, err);
out:
    free(pattern);
    gh_db_return(c);
    return rc;
}
