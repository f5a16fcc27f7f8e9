/* userstore_suite, second half: search and paging, the permission tree, the CLI, and the final scan that
 * no password was stored in plain text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gatehouse/mem.h"
#include "userstore_suite.h"

static size_t search(const char *claim, gh_us_op_t op, const char *value, size_t offset, size_t limit,
                     gh_us_strlist_t *out)
{
    gh_us_query_t q = {.claim_uri = claim, .op = op, .value = value, .offset = offset, .limit = limit};
    size_t total = 0;

    UOK(gh_us_search_users(us_strict, &q, out, &total, UERR));
    return total;
}

void test_search_paging(void **state)
{
    const char *mail = "http://wso2.org/claims/emailaddress";
    gh_us_strlist_t l = {0};
    gh_us_claim_t cl[1];
    char name[32], addr[64];
    int i;

    (void)state;
    for (i = 1; i <= 5; ++i) {
        snprintf(name, sizeof(name), "srch%02d", i);
        snprintf(addr, sizeof(addr), "Srch%02d@Srch.Test", i);
        cl[0].uri = mail;
        cl[0].value = addr;
        UOK(gh_us_add_user(us_strict, name, "Pw-srch-2175", cl, 1, NULL, 0, UERR));
    }
    assert_int_equal(search(NULL, GH_US_OP_SW, "srch", 0, 2, &l), 5);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0], "srch01");
    assert_string_equal(l.items[1], "srch02");
    gh_us_strlist_dispose(&l);
    assert_int_equal(search(NULL, GH_US_OP_SW, "SRCH", 4, 2, &l), 5);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0], "srch05");
    gh_us_strlist_dispose(&l);
    assert_int_equal(search(NULL, GH_US_OP_CO, "RCH0", 0, 0, &l), 5);
    assert_int_equal(l.n, 5);
    gh_us_strlist_dispose(&l);
    assert_int_equal(search(NULL, GH_US_OP_EQ, "SRCH03", 0, 0, &l), 1);
    assert_string_equal(l.items[0], "srch03");
    gh_us_strlist_dispose(&l);
    assert_int_equal(search(GH_US_CLAIM_USERNAME, GH_US_OP_SW, "rch", 0, 0, &l), 0);
    gh_us_strlist_dispose(&l);
    /* by claim value, case-insensitive */
    assert_int_equal(search(mail, GH_US_OP_EQ, "srch02@srch.test", 0, 0, &l), 1);
    assert_string_equal(l.items[0], "srch02");
    gh_us_strlist_dispose(&l);
    assert_int_equal(search(mail, GH_US_OP_CO, "@SRCH.", 1, 3, &l), 5);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.items[0], "srch02");
    gh_us_strlist_dispose(&l);
    assert_int_equal(search(mail, GH_US_OP_SW, "srch04", 0, 0, &l), 1);
    gh_us_strlist_dispose(&l);
    /* LIKE metacharacters are literal */
    assert_int_equal(search(mail, GH_US_OP_CO, "%", 0, 0, &l), 0);
    assert_int_equal(search(NULL, GH_US_OP_SW, "srch_", 0, 0, &l), 0);
    assert_int_equal(l.n, 0);
    /* every user, paged */
    assert_true(search(NULL, GH_US_OP_EQ, NULL, 0, 1, &l) >= 8);
    assert_int_equal(l.n, 1);
    gh_us_strlist_dispose(&l);
}

void test_permissions_tree(void **state)
{
    const char *carol[] = {"carol"}, *act = "ui.execute";
    const char *roles[] = {"ops"};

    (void)state;
    UOK(gh_us_add_role(us_strict, "ops", UERR));
    UOK(gh_us_add_user(us_strict, "carol", "Pw-carol-3286", NULL, 0, roles, 1, UERR));
    assert_int_equal(gh_us_authorize(us_strict, "carol", "/permission/admin/manage/api/publish", act, NULL), 0);
    UOK(gh_us_grant(us_strict, "ops", "/permission/admin/manage", act, UERR));
    UOK(gh_us_grant(us_strict, "ops", "/permission/admin/manage", act, UERR)); /* twice: no duplicate */
    assert_int_equal(gh_us_authorize(us_strict, "carol", "/permission/admin/manage/api/publish", act, NULL), 1);
    assert_int_equal(gh_us_authorize(us_strict, "carol", "/permission/admin/manage", act, NULL), 1);
    assert_int_equal(gh_us_authorize(us_strict, "carol", "/permission/admin/login", act, NULL), 0);
    assert_int_equal(gh_us_authorize(us_strict, "carol", "/permission/admin/manager", act, NULL), 0);
    assert_int_equal(gh_us_authorize(us_strict, "carol", "/permission/admin/manage/api/publish", "other", NULL), 0);
    /* a hybrid role's grant reaches its members */
    UOK(gh_us_update_role_users(us_strict, "Internal/creator", carol, 1, NULL, 0, UERR));
    assert_int_equal(gh_us_authorize(us_strict, "carol", "/permission/admin/login", act, NULL), 1);
    UOK(gh_us_revoke(us_strict, "ops", "/permission/admin/manage", act, UERR));
    assert_int_equal(gh_us_authorize(us_strict, "carol", "/permission/admin/manage/api/publish", act, NULL), 0);
    assert_int_equal(gh_us_authorize(us_strict, "carol", "/permission/admin/manage/api/create", act, NULL), 1);
    /* the admin role holds /permission */
    assert_int_equal(gh_us_authorize(us_strict, "admin", "/permission/admin/manage/anything/deep", act, NULL), 1);
    assert_int_equal(gh_us_authorize(us_strict, "nobody-here", "/permission/admin/login", act, NULL), 0);
}

/* the /carbon console's view of the tree: list it, list a role's part, replace a role's part in one go */
void test_permissions_list_set(void **state)
{
    const char *act = "ui.execute", *perms[] = {"/permission/admin/login", "/permission/admin/manage/api/create"};
    const char *bad[] = {"/permission/admin/login", "/etc/passwd"}, *roles[] = {"Internal/editors"};
    gh_us_strlist_t l = {0};
    gh_err_t err = {0};
    size_t i;

    (void)state;
    UOK(gh_us_list_permissions(us_strict, NULL, &l, UERR));
    assert_true(gh_us_strlist_contains(&l, "/permission"));
    assert_true(gh_us_strlist_contains(&l, "/permission/admin/manage/api/subscribe"));
    for (i = 1; i < l.n; ++i)
        assert_true(strcmp(l.items[i - 1], l.items[i]) < 0);
    gh_us_strlist_dispose(&l);
    UOK(gh_us_list_permissions(us_strict, "Internal/subscriber", &l, UERR));
    assert_int_equal(l.n, 2);
    assert_string_equal(l.items[0], "/permission/admin/login");
    assert_string_equal(l.items[1], "/permission/admin/manage/api/subscribe");
    gh_us_strlist_dispose(&l);

    UOK(gh_us_add_role(us_strict, "Internal/editors", UERR));
    UOK(gh_us_add_user(us_strict, "erin", "Pw-erin-5519", NULL, 0, roles, 1, UERR));
    UOK(gh_us_set_role_permissions(us_strict, "Internal/editors", perms, 2, UERR));
    assert_int_equal(gh_us_authorize(us_strict, "erin", "/permission/admin/manage/api/create", act, NULL), 1);
    UOK(gh_us_set_role_permissions(us_strict, "Internal/editors", perms, 1, UERR)); /* replaces, not adds */
    assert_int_equal(gh_us_authorize(us_strict, "erin", "/permission/admin/manage/api/create", act, NULL), 0);
    assert_int_equal(gh_us_authorize(us_strict, "erin", "/permission/admin/login", act, NULL), 1);
    UOK(gh_us_list_permissions(us_strict, "Internal/editors", &l, UERR));
    assert_int_equal(l.n, 1);
    gh_us_strlist_dispose(&l);

    /* refusals leave the role as it was (one transaction) */
    assert_int_equal(gh_us_set_role_permissions(us_strict, "Internal/editors", bad, 2, &err), GH_ERR);
    assert_int_equal(err.code, GH_E_INPUT);
    gh_err_clear(&err);
    assert_int_equal(gh_us_set_role_permissions(us_strict, "Internal/nobody", perms, 1, &err), GH_ERR);
    assert_int_equal(err.code, GH_E_NOTFOUND);
    gh_err_clear(&err);
    assert_int_equal(gh_us_set_role_permissions(us_strict, "admin", perms, 0, &err), GH_ERR);
    assert_int_equal(err.code, GH_E_FORBIDDEN);
    assert_int_equal(gh_us_authorize(us_strict, "admin", "/permission/admin/manage/api/publish", act, NULL), 1);
    UOK(gh_us_list_permissions(us_strict, "Internal/editors", &l, UERR));
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0], "/permission/admin/login");
    gh_us_strlist_dispose(&l);
    UOK(gh_us_set_role_permissions(us_strict, "Internal/editors", perms, 0, UERR));
    assert_int_equal(gh_us_authorize(us_strict, "erin", "/permission/admin/login", act, NULL), 0);
}

static int cli(const char *line)
{
    char *copy = gh_strdup(line), *argv[16], *save = NULL, *tok;
    int argc = 0, rc;

    for (tok = strtok_r(copy, " ", &save); tok != NULL && argc < 15; tok = strtok_r(NULL, " ", &save))
        argv[argc++] = tok;
    argv[argc] = NULL;
    rc = gh_us_cli_main(us_strict, argc, argv);
    free(copy);
    return rc;
}

void test_cli(void **state)
{
    gh_us_user_t u;

    (void)state;
    assert_int_equal(cli("user add dave --password Pw-dave-4397 --role Internal/subscriber "
                         "--claim http://wso2.org/claims/emailaddress=dave@x.io"),
                     0);
    assert_int_equal(gh_us_get_user(us_strict, "dave", &u, NULL), 1);
    assert_string_equal(gh_us_user_claim(&u, "http://wso2.org/claims/emailaddress"), "dave@x.io");
    assert_true(gh_us_strlist_contains(&u.roles, "Internal/subscriber"));
    gh_us_user_dispose(&u);
    assert_int_equal(cli("user add dave --password Pw-dave-4397"), 1); /* exists */
    assert_int_equal(cli("user add ab --password Pw-dave-4397"), 1);   /* pattern */
    assert_int_equal(cli("user add"), 2);
    assert_int_equal(cli("user add x --bogus"), 2);
    assert_int_equal(cli("user passwd dave --password Pw-dave-5408"), 0);
    assert_int_equal(gh_us_authenticate(us_strict, "dave", "Pw-dave-5408", NULL), GH_US_AUTH_OK);
    assert_int_equal(cli("user passwd nosuchuser --password Pw-dave-5408"), 1);
    /* --password-stdin reads one line and drops its newline */
    {
        char path[] = "/tmp/gh-us-stdin-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "Pw-dave-4397\n", 13), 13);
        close(fd);
        assert_non_null(freopen(path, "r", stdin));
        assert_int_equal(cli("user passwd dave --password-stdin"), 0);
        unlink(path);
        assert_int_equal(gh_us_authenticate(us_strict, "dave", "Pw-dave-4397", NULL), GH_US_AUTH_OK);
        assert_int_equal(gh_us_authenticate(us_strict, "dave", "Pw-dave-5408", NULL), GH_US_AUTH_BAD_CREDENTIALS);
    }
    assert_int_equal(cli("user role add qateam"), 0);
    assert_int_equal(cli("user role add qateam"), 1);
    assert_int_equal(cli("user role assign dave qateam"), 0);
    assert_int_equal(cli("user role assign dave nosuchrole"), 1);
    assert_int_equal(cli("user role list"), 0);
    assert_int_equal(cli("user list dav"), 0);
    assert_int_equal(cli("user list"), 0);
    assert_int_equal(cli("user unlock dave"), 0);
    assert_int_equal(cli("user del dave"), 0);
    assert_int_equal(gh_us_user_exists(us_strict, "dave", NULL), 0);
    assert_int_equal(cli("user del dave"), 1);
    assert_int_equal(cli("user del admin"), 1);
    assert_int_equal(cli("user frobnicate"), 2);
    assert_int_equal(cli("users add x"), 2);
}

static const char *const um_tables[] = {
    "UM_TENANT", "UM_DOMAIN", "UM_USER", "UM_SYSTEM_USER", "UM_ROLE", "UM_MODULE", "UM_MODULE_ACTIONS",
    "UM_PERMISSION", "UM_ROLE_PERMISSION", "UM_USER_PERMISSION", "UM_USER_ROLE", "UM_SHARED_USER_ROLE",
    "UM_ACCOUNT_MAPPING", "UM_USER_ATTRIBUTE", "UM_DIALECT", "UM_CLAIM", "UM_PROFILE_CONFIG", "UM_CLAIM_BEHAVIOR",
    "UM_HYBRID_ROLE", "UM_HYBRID_USER_ROLE", "UM_SYSTEM_ROLE", "UM_SYSTEM_USER_ROLE", "UM_HYBRID_REMEMBER_ME", NULL};

void test_no_plaintext(void **state)
{
    gh_db_conn_t *c = NULL;
    gh_db_stmt_t *st;
    gh_err_t e;
    char sql[128];
    const char *v;
    size_t t, i, k, rows = 0;
    int rc;

    (void)state;
    if (gh_db_borrow(us_pool, &c, &e) != GH_OK)
        fail_msg("borrow: %s", e.msg);
    for (t = 0; um_tables[t] != NULL; ++t) {
        snprintf(sql, sizeof(sql), "SELECT * FROM %s", um_tables[t]);
        if (gh_db_prepare(c, sql, &st, &e) != GH_OK || gh_db_execute(st, GH_DB_NOARGS, &e) != GH_OK)
            fail_msg("%s: %s", sql, e.msg);
        while ((rc = gh_db_next(st, &e)) == 1) {
            rows++;
            for (i = 0; i < gh_db_column_count(st); ++i) {
                if (gh_db_col_is_null(st, i) || (v = gh_db_col_text(st, i, NULL)) == NULL)
                    continue;
                for (k = 0; us_test_passwords[k] != NULL; ++k)
                    if (strstr(v, us_test_passwords[k]) != NULL)
                        fail_msg("password '%s' found in %s column %zu", us_test_passwords[k], um_tables[t], i);
            }
        }
        assert_int_equal(rc, 0);
        gh_db_reset(st);
    }
    gh_db_return(c);
    assert_true(rows > 50); /* the scan saw the suite's data */
}
