/* JDBC user store: reading a user (claims, roles, lock state) and writing claims. */
#include <stdlib.h>
#include <string.h>
#include "us_int.h"
#include "gatehouse/mem.h"

void gh_us_user_dispose(gh_us_user_t *u)
{
    if (u == NULL)
        return;
    free(u->name);
    free(u->id);
    free(u->created);
    free(u->modified);
    gh_us_strlist_dispose(&u->claim_uris);
    gh_us_strlist_dispose(&u->claim_values);
    gh_us_strlist_dispose(&u->roles);
    memset(u, 0, sizeof(*u));
}

const char *gh_us_user_claim(const gh_us_user_t *u, const char *uri)
{
    size_t i;

    for (i = 0; i < u->claim_uris.n; ++i)
        if (strcmp(u->claim_uris.items[i], uri) == 0)
            return u->claim_values.items[i];
    return NULL;
}

static char *join(const gh_us_strlist_t *l, const char *sep)
{
    size_t i, len = 1;
    char *s;

    for (i = 0; i < l->n; ++i)
        len += strlen(l->items[i]) + strlen(sep);
    s = gh_calloc(1, len);
    for (i = 0; i < l->n; ++i) {
        if (i > 0)
            strncat(s, sep, len - strlen(s) - 1);
        strncat(s, l->items[i], len - strlen(s) - 1);
    }
    return s;
}

/* every claim of uid: stored attributes mapped to URIs, then username and role */
static int load_claims(gh_us_t *us, gh_db_conn_t *c, int64_t uid, const char *name, const gh_us_strlist_t *roles,
                       gh_us_strlist_t *uris, gh_us_strlist_t *values, gh_err_t *err)
{
    gh_db_stmt_t *st;
    const char *attr, *val, *uri;
    char *joined;
    int rc;

    if (gh_db_prepare(c,
                      "SELECT UM_ATTR_NAME, UM_ATTR_VALUE FROM UM_USER_ATTRIBUTE WHERE UM_USER_ID=? AND "
                      "UM_PROFILE_ID=? AND UM_TENANT_ID=? ORDER BY UM_ATTR_NAME",
                      &st, err) != GH_OK ||
        gh_db_execute(st, GH_DB_ARGS(GH_DB_I(uid), GH_DB_T(US_PROFILE), GH_DB_I(US_TENANT)), err) != GH_OK)
        return GH_ERR;
    while ((rc = gh_db_next(st, err)) == 1) {
        attr = gh_db_col_text(st, 0, NULL);
        val = gh_db_col_text(st, 1, NULL);
        /* WSO2 drops empty values; attributes without a claim mapping are not claims */
        if (attr == NULL || val == NULL || *val == '\0' || (uri = gh_us_attr_claim(attr)) == NULL)
            continue;
        gh_us_strlist_push(uris, uri);
        gh_us_strlist_push(values, val);
    }
    gh_db_reset(st);
    if (rc < 0)
        return GH_ERR;
    (void)us;
    gh_us_strlist_push(uris, GH_US_CLAIM_USERNAME);
    gh_us_strlist_push(values, name);
    joined = join(roles, us->s.separator);
    gh_us_strlist_push(uris, GH_US_CLAIM_ROLE);
    gh_us_strlist_push(values, joined);
    free(joined);
    return GH_OK;
}

static int user_by_id(gh_db_conn_t *c, const char *id, char **name, gh_err_t *err)
{
    gh_db_stmt_t *st;
    int rc;

    if (gh_db_prepare(c,
                      "SELECT u.UM_USER_NAME FROM UM_USER u, UM_USER_ATTRIBUTE a WHERE a.UM_ATTR_NAME=? AND "
                      "a.UM_ATTR_VALUE=? AND a.UM_PROFILE_ID=? AND a.UM_TENANT_ID=? AND u.UM_ID=a.UM_USER_ID AND "
                      "u.UM_TENANT_ID=a.UM_TENANT_ID",
                      &st, err) != GH_OK ||
        gh_db_execute(st, GH_DB_ARGS(GH_DB_T("scimId"), GH_DB_T(id), GH_DB_T(US_PROFILE), GH_DB_I(US_TENANT)),
                      err) != GH_OK)
        return GH_ERR;
    if ((rc = gh_db_next(st, err)) == 1)
        *name = gh_strdup(gh_db_col_text(st, 0, NULL));
    gh_db_reset(st);
    return rc;
}

static void fill_fixed(gh_us_user_t *out)
{
    const char *v;

    if ((v = gh_us_user_claim(out, GH_US_CLAIM_USERID)) != NULL)
        out->id = gh_strdup(v);
    if ((v = gh_us_user_claim(out, GH_US_CLAIM_CREATED)) != NULL)
        out->created = gh_strdup(v);
    if ((v = gh_us_user_claim(out, GH_US_CLAIM_MODIFIED)) != NULL)
        out->modified = gh_strdup(v);
}

int gh_us_jdbc_get_user(gh_us_t *us, const char *key, int by_id, gh_us_user_t *out, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    char *byid = NULL;
    int64_t uid = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (gh_db_borrow(us->pool, &c, err) != GH_OK)
        return GH_ERR;
    if (by_id && (rc = user_by_id(c, key, &byid, err)) != 1)
        goto out;
    if ((rc = gh_us_find_user(us, c, by_id ? byid : key, &uid, &out->name, err)) != 1)
        goto out;
    if (gh_us_roles_of(us, c, out->name, &out->roles, err) != GH_OK ||
        load_claims(us, c, uid, out->name, &out->roles, &out->claim_uris, &out->claim_values, err) != GH_OK ||
        (out->locked = gh_us_lock_state(us, c, uid, err)) < 0) {
        rc = GH_ERR;
        goto out;
    }
    fill_fixed(out);
    rc = 1;
out:
    if (rc != 1)
        gh_us_user_dispose(out);
    free(byid);
    gh_db_return(c);
    return rc;
}

int gh_us_jdbc_get_claims(gh_us_t *us, const char *user, gh_us_strlist_t *uris, gh_us_strlist_t *values,
                          gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    gh_us_strlist_t roles = {0};
    char *name = NULL;
    int64_t uid = 0;
    int rc = GH_ERR;

    if (gh_db_borrow(us->pool, &c, err) != GH_OK)
        return GH_ERR;
    if (gh_us_need_user(us, c, user, &uid, &name, err) == GH_OK && gh_us_roles_of(us, c, name, &roles, err) == GH_OK)
        rc = load_claims(us, c, uid, name, &roles, uris, values, err);
    gh_us_strlist_dispose(&roles);
    free(name);
    gh_db_return(c);
    return rc;
}

int gh_us_jdbc_set_claims(gh_us_t *us, const char *user, const gh_us_claim_t *claims, size_t n, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int64_t uid = 0;
    int rc = GH_ERR;

    if (gh_us_begin(us, &c, err) != GH_OK)
        return GH_ERR;
    if (gh_us_need_user(us, c, user, &uid, NULL, err) == GH_OK)
        rc = gh_us_write_claims(us, c, uid, claims, n, err);
    return gh_us_finish(c, rc, err);
}

int gh_us_jdbc_user_exists(gh_us_t *us, const char *user, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int64_t uid;
    int rc;

    if (gh_db_borrow(us->pool, &c, err) != GH_OK)
        return GH_ERR;
    rc = gh_us_find_user(us, c, user, &uid, NULL, err);
    gh_db_return(c);
    return rc;
}
