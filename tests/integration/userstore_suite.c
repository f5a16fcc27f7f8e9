/* The user store against real databases: `userstore_suite --driver sqlite|postgresql|mysql`. Server URLs
 * come from tests/support/dbservers.sh; without them the suite skips (77) unless GH_TEST_REQUIRE_DBS=1.
 * It owns the UM_* tables: drops and recreates them from dbscripts/<dialect>/um-0001.sql at its start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gatehouse/conf.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "userstore_suite.h"
#include "gh_test.h"

gh_db_pool_t *us_pool;
gh_us_t *us_strict, *us_permissive;
static const char *driver;
static gh_test_ds_t uds;

#define ADMIN_PW "Adm1n-Secret"
#define SALT "c2FsdHNhbHRzYWx0c2FsdA=="
#define WSO2_ADMIN_SHA256 "wcpYc6Iqx3k8rRp61TEEd91QnuRdxJpz77YEWyTjGrE=" /* sha256("admin" + SALT), base64 */

const char *const us_test_passwords[] = {ADMIN_PW, "Adm1n-Changed", "Pw-alice-7731", "Pw-bob-8842", "Pw-case-9953",
                                         "Pw-inject-1064", "Pw-srch-2175", "Pw-carol-3286", "Pw-dave-4397",
                                         "Pw-dave-5408", NULL};

static gh_conf_prop_t strict_props[] = {
    {"PasswordDigest", "SHA-256", 0},         {"StoreSaltedPassword", "true", 0},
    {"PasswordHashIterations", "1000", 0},    {"MaxFailedLoginAttempts", "3", 0},
    {"AccountLockDuration", "15", 0},         {"UsernameJavaRegEx", "^[\\S]{3,30}$", 0},
    {"UsernameJavaRegExViolationErrorMsg", "Username pattern policy violated", 0},
    {"PasswordJavaRegEx", "^[\\S]{5,30}$", 0}, {"CaseInsensitiveUsername", "true", 0},
};
static gh_conf_prop_t permissive_props[] = {
    {"PasswordDigest", "SHA-256", 0},      {"PasswordHashIterations", "1000", 0},
    {"MaxFailedLoginAttempts", "3", 0},    {"UsernameJavaRegEx", "^[\\s\\S]{1,100}$", 0},
    {"PasswordJavaRegEx", "^[\\S]{5,30}$", 0},
};

static gh_conf_user_mgt_t um(gh_conf_prop_t *props, size_t n)
{
    gh_conf_user_mgt_t u;

    memset(&u, 0, sizeof(u));
    u.add_admin = 1;
    u.admin_role = "admin";
    u.admin_user = "admin";
    u.admin_password = ADMIN_PW;
    u.everyone_role = "everyone";
    u.usm_class = "org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager";
    u.authz_class = "org.wso2.carbon.user.core.authorization.JDBCAuthorizationManager";
    u.usm_props.items = props;
    u.usm_props.n = n;
    return u;
}
static gh_conf_user_mgt_t um_strict, um_permissive;

int64_t us_count(const char *sql, const char *arg)
{
    gh_db_conn_t *c = NULL;
    int64_t n = -1;
    gh_err_t e;

    if (gh_db_borrow(us_pool, &c, &e) != GH_OK)
        fail_msg("borrow: %s", e.msg);
    if (arg != NULL ? gh_db_query_int(c, sql, GH_DB_ARGS(GH_DB_T(arg)), &n, &e) < 0
                    : gh_db_query_int(c, sql, GH_DB_NOARGS, &n, &e) < 0)
        fail_msg("%s: %s", sql, e.msg);
    gh_db_return(c);
    return n;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = gh_calloc(1, (size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

/* children before parents, so MariaDB's foreign keys allow every drop */
static const char *const tables[] = {
    "UM_HYBRID_REMEMBER_ME", "UM_SYSTEM_USER_ROLE", "UM_SYSTEM_ROLE", "UM_HYBRID_USER_ROLE", "UM_HYBRID_ROLE",
    "UM_CLAIM_BEHAVIOR", "UM_PROFILE_CONFIG", "UM_CLAIM", "UM_DIALECT", "UM_USER_ATTRIBUTE", "UM_ACCOUNT_MAPPING",
    "UM_SHARED_USER_ROLE", "UM_USER_ROLE", "UM_USER_PERMISSION", "UM_ROLE_PERMISSION", "UM_PERMISSION",
    "UM_MODULE_ACTIONS", "UM_MODULE", "UM_ROLE", "UM_SYSTEM_USER", "UM_USER", "UM_DOMAIN", "UM_TENANT", NULL};

static int setup(void **state)
{
    gh_db_conn_t *c = NULL;
    gh_err_t e;
    char path[1024], ddl[128], *script;
    size_t i;

    (void)state;
    if (gh_db_borrow(us_pool, &c, &e) != GH_OK)
        fail_msg("pool: %s", e.msg);
    for (i = 0; tables[i] != NULL; ++i) {
        snprintf(ddl, sizeof(ddl), "DROP TABLE IF EXISTS %s%s;\n", tables[i],
                 strcmp(driver, "postgresql") == 0 ? " CASCADE" : "");
        if (gh_db_exec_script(c, ddl, &e) != GH_OK)
            fail_msg("%s: %s", ddl, e.msg);
    }
    snprintf(path, sizeof(path), "%s/%s/um-0001.sql", GH_US_DBSCRIPTS, gh_db_dialect(c));
    if ((script = read_file(path)) == NULL)
        fail_msg("cannot read %s", path);
    if (gh_db_exec_script(c, script, &e) != GH_OK)
        fail_msg("%s: %s", path, e.msg);
    free(script);
    gh_db_return(c);
    um_strict = um(strict_props, GH_ARRAY_SIZE(strict_props));
    um_permissive = um(permissive_props, GH_ARRAY_SIZE(permissive_props));
    if ((us_strict = gh_us_create(&um_strict, us_pool, &e)) == NULL ||
        (us_permissive = gh_us_create(&um_permissive, us_pool, &e)) == NULL)
        fail_msg("gh_us_create: %s", e.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    gh_us_destroy(us_strict);
    gh_us_destroy(us_permissive);
    return 0;
}

static int64_t table_rows(const char *t)
{
    char sql[128];

    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", t);
    return us_count(sql, NULL);
}

static void test_bootstrap_idempotent(void **state)
{
    static const char *const watched[] = {"UM_DOMAIN", "UM_ROLE", "UM_HYBRID_ROLE", "UM_PERMISSION",
                                          "UM_ROLE_PERMISSION", "UM_USER", "UM_USER_ROLE", "UM_USER_ATTRIBUTE"};
    int64_t before[GH_ARRAY_SIZE(watched)];
    size_t i;

    (void)state;
    UOK(gh_us_bootstrap(us_strict, UERR));
    for (i = 0; i < GH_ARRAY_SIZE(watched); ++i)
        before[i] = table_rows(watched[i]);
    UOK(gh_us_bootstrap(us_strict, UERR));
    for (i = 0; i < GH_ARRAY_SIZE(watched); ++i)
        assert_int_equal(table_rows(watched[i]), before[i]);
    assert_int_equal(us_count("SELECT COUNT(*) FROM UM_DOMAIN WHERE UM_TENANT_ID=-1234", NULL), 3);
    assert_int_equal(us_count("SELECT COUNT(*) FROM UM_HYBRID_ROLE WHERE UM_TENANT_ID=-1234", NULL), 4);
    assert_int_equal(us_count("SELECT COUNT(*) FROM UM_USER WHERE UM_USER_NAME=?", "admin"), 1);
    assert_int_equal(gh_us_authenticate(us_strict, "admin", ADMIN_PW, NULL), GH_US_AUTH_OK);
    assert_int_equal(gh_us_authorize(us_strict, "admin", "/permission/admin/manage/api/create", "ui.execute", NULL), 1);
}

static void test_admin_password_kept(void **state)
{
    (void)state;
    UOK(gh_us_update_password(us_strict, "admin", "Adm1n-Changed", UERR));
    UOK(gh_us_bootstrap(us_strict, UERR));
    assert_int_equal(gh_us_authenticate(us_strict, "admin", "Adm1n-Changed", NULL), GH_US_AUTH_OK);
    assert_int_equal(gh_us_authenticate(us_strict, "admin", ADMIN_PW, NULL), GH_US_AUTH_BAD_CREDENTIALS);
    assert_int_equal(gh_us_authenticate(us_strict, "admin", "Adm1n-Changed", NULL), GH_US_AUTH_OK);
}

static void check_alice(const gh_us_user_t *u)
{
    assert_string_equal(u->name, "alice");
    assert_non_null(u->id);
    assert_int_equal(strlen(u->id), 36);
    assert_non_null(u->created);
    assert_string_equal(gh_us_user_claim(u, "http://wso2.org/claims/emailaddress"), "alice@example.com");
    assert_string_equal(gh_us_user_claim(u, "http://wso2.org/claims/givenname"), "Alice");
    assert_string_equal(gh_us_user_claim(u, GH_US_CLAIM_USERNAME), "alice");
    assert_string_equal(gh_us_user_claim(u, GH_US_CLAIM_USERID), u->id);
    assert_true(gh_us_strlist_contains(&u->roles, "dev"));
    assert_true(gh_us_strlist_contains(&u->roles, "Internal/subscriber"));
    assert_true(gh_us_strlist_contains(&u->roles, "Internal/everyone"));
    assert_non_null(strstr(gh_us_user_claim(u, GH_US_CLAIM_ROLE), "dev"));
    assert_false(u->locked);
}

static void test_user_claims_roles(void **state)
{
    const gh_us_claim_t claims[] = {{"http://wso2.org/claims/emailaddress", "alice@example.com"},
                                    {"http://wso2.org/claims/givenname", "Alice"},
                                    {"http://wso2.org/claims/lastname", "Liddell"}};
    const gh_us_claim_t update[] = {{"http://wso2.org/claims/emailaddress", "alice@wonder.land"}};
    const gh_us_claim_t bad[] = {{"http://wso2.org/claims/userid", "forged"}};
    const char *roles[] = {"dev", "Internal/subscriber"}, *alice[] = {"alice"};
    gh_us_user_t u, v;
    gh_us_strlist_t l = {0};
    gh_err_t e = {0};

    (void)state;
    UOK(gh_us_add_role(us_strict, "dev", UERR));
    assert_int_equal(gh_us_add_role(us_strict, "dev", &e), -1);
    assert_int_equal(e.code, GH_E_CONFLICT);
    UOK(gh_us_add_user(us_strict, "alice", "Pw-alice-7731", claims, 3, roles, 2, UERR));
    assert_int_equal(gh_us_authenticate(us_strict, "alice", "Pw-alice-7731", NULL), GH_US_AUTH_OK);
    assert_int_equal(gh_us_get_user(us_strict, "alice", &u, NULL), 1);
    check_alice(&u);
    assert_int_equal(gh_us_get_user_by_id(us_strict, u.id, &v, NULL), 1);
    assert_string_equal(v.name, "alice");
    gh_us_user_dispose(&v);
    assert_int_equal(gh_us_get_user_by_id(us_strict, "00000000-0000-4000-8000-000000000000", &v, NULL), 0);
    UOK(gh_us_set_claims(us_strict, "alice", update, 1, UERR));
    assert_int_equal(gh_us_set_claims(us_strict, "alice", bad, 1, &e), -1);
    assert_int_equal(e.code, GH_E_INPUT);
    assert_int_equal(gh_us_get_user(us_strict, "alice", &v, NULL), 1);
    assert_string_equal(gh_us_user_claim(&v, "http://wso2.org/claims/emailaddress"), "alice@wonder.land");
    assert_string_equal(v.id, u.id); /* the SCIM id is stable */
    gh_us_user_dispose(&v);
    gh_us_user_dispose(&u);
    /* role changes show up */
    UOK(gh_us_update_role_users(us_strict, "dev", NULL, 0, alice, 1, UERR));
    UOK(gh_us_user_roles(us_strict, "alice", &l, UERR));
    assert_false(gh_us_strlist_contains(&l, "dev"));
    assert_true(gh_us_strlist_contains(&l, "Internal/subscriber"));
    gh_us_strlist_dispose(&l);
    UOK(gh_us_update_role_users(us_strict, "dev", alice, 1, NULL, 0, UERR));
    UOK(gh_us_rename_role(us_strict, "dev", "devs", UERR));
    UOK(gh_us_role_users(us_strict, "devs", &l, UERR));
    assert_int_equal(l.n, 1);
    assert_string_equal(l.items[0], "alice");
    gh_us_strlist_dispose(&l);
    UOK(gh_us_list_roles(us_strict, "*", &l, UERR));
    assert_true(gh_us_strlist_contains(&l, "devs"));
    assert_true(gh_us_strlist_contains(&l, "admin"));
    assert_true(gh_us_strlist_contains(&l, "Internal/subscriber"));
    assert_false(gh_us_strlist_contains(&l, "dev"));
    gh_us_strlist_dispose(&l);
    assert_int_equal(gh_us_authorize(us_strict, "alice", "/permission/admin/manage/api/subscribe", "ui.execute", NULL), 1);
    assert_int_equal(gh_us_authorize(us_strict, "alice", "/permission/admin/manage/api/create", "ui.execute", NULL), 0);
    UOK(gh_us_delete_role(us_strict, "devs", UERR));
    UOK(gh_us_user_roles(us_strict, "alice", &l, UERR));
    assert_false(gh_us_strlist_contains(&l, "devs"));
    gh_us_strlist_dispose(&l);
}

static void test_lockout(void **state)
{
    gh_us_user_t u;
    int i;

    (void)state;
    UOK(gh_us_add_user(us_strict, "bob", "Pw-bob-8842", NULL, 0, NULL, 0, UERR));
    /* a success in between resets the count */
    assert_int_equal(gh_us_authenticate(us_strict, "bob", "wrong-1", NULL), GH_US_AUTH_BAD_CREDENTIALS);
    assert_int_equal(gh_us_authenticate(us_strict, "bob", "wrong-2", NULL), GH_US_AUTH_BAD_CREDENTIALS);
    assert_int_equal(gh_us_authenticate(us_strict, "bob", "Pw-bob-8842", NULL), GH_US_AUTH_OK);
    for (i = 0; i < 3; ++i)
        assert_int_equal(gh_us_authenticate(us_strict, "bob", "wrong-x", NULL), GH_US_AUTH_BAD_CREDENTIALS);
    /* locked now, even with the right password */
    assert_int_equal(gh_us_authenticate(us_strict, "bob", "Pw-bob-8842", NULL), GH_US_AUTH_LOCKED);
    assert_int_equal(gh_us_get_user(us_strict, "bob", &u, NULL), 1);
    assert_true(u.locked);
    assert_string_equal(gh_us_user_claim(&u, "http://wso2.org/claims/identity/accountLocked"), "true");
    gh_us_user_dispose(&u);
    UOK(gh_us_unlock_user(us_strict, "bob", UERR));
    assert_int_equal(gh_us_authenticate(us_strict, "bob", "Pw-bob-8842", NULL), GH_US_AUTH_OK);
    /* unknown users: bad credentials, nothing written */
    assert_int_equal(gh_us_authenticate(us_strict, "nobody-here", "Pw-bob-8842", NULL), GH_US_AUTH_BAD_CREDENTIALS);
}

static void test_injection_names(void **state)
{
    const char *evil = "o'brien\"; DROP TABLE UM_USER;--";
    gh_us_strlist_t l = {0};
    gh_us_query_t q = {.value = evil, .op = GH_US_OP_EQ};
    gh_err_t e = {0};
    gh_us_user_t u;
    size_t total = 0;

    (void)state;
    assert_int_equal(gh_us_add_user(us_strict, evil, "Pw-inject-1064", NULL, 0, NULL, 0, &e), -1);
    assert_int_equal(e.code, GH_E_INPUT);
    assert_string_equal(e.msg, "Username pattern policy violated");
    UOK(gh_us_add_user(us_permissive, evil, "Pw-inject-1064", NULL, 0, NULL, 0, UERR));
    assert_int_equal(us_count("SELECT COUNT(*) FROM UM_USER WHERE UM_USER_NAME=?", evil), 1);
    assert_int_equal(gh_us_get_user(us_permissive, evil, &u, NULL), 1);
    assert_string_equal(u.name, evil);
    gh_us_user_dispose(&u);
    assert_int_equal(gh_us_authenticate(us_permissive, evil, "Pw-inject-1064", NULL), GH_US_AUTH_OK);
    UOK(gh_us_search_users(us_permissive, &q, &l, &total, UERR));
    assert_int_equal(total, 1);
    assert_string_equal(l.items[0], evil);
    gh_us_strlist_dispose(&l);
    assert_true(us_count("SELECT COUNT(*) FROM UM_USER", NULL) > 3);
}

static void test_wso2_rehash(void **state)
{
    gh_db_conn_t *c = NULL;
    gh_db_stmt_t *st;
    gh_err_t e;

    (void)state;
    if (gh_db_borrow(us_pool, &c, &e) != GH_OK ||
        gh_db_exec(c,
                   "INSERT INTO UM_USER (UM_USER_NAME, UM_USER_PASSWORD, UM_SALT_VALUE, UM_CHANGED_TIME, UM_TENANT_ID) "
                   "VALUES (?, ?, ?, ?, ?)",
                   GH_DB_ARGS(GH_DB_T("legacy"), GH_DB_T(WSO2_ADMIN_SHA256), GH_DB_T(SALT), GH_DB_TS(1500000000000LL),
                              GH_DB_I(-1234)),
                   NULL, &e) != GH_OK)
        fail_msg("insert legacy: %s", e.msg);
    gh_db_return(c);
    assert_int_equal(gh_us_authenticate(us_strict, "legacy", "wrong-pw", NULL), GH_US_AUTH_BAD_CREDENTIALS);
    assert_int_equal(us_count("SELECT COUNT(*) FROM UM_USER WHERE UM_USER_PASSWORD='" WSO2_ADMIN_SHA256 "'", NULL), 1);
    assert_int_equal(gh_us_authenticate(us_strict, "legacy", "admin", NULL), GH_US_AUTH_OK);
    if (gh_db_borrow(us_pool, &c, &e) != GH_OK ||
        gh_db_prepare(c, "SELECT UM_USER_PASSWORD, UM_SALT_VALUE FROM UM_USER WHERE UM_USER_NAME=?", &st, &e) != GH_OK ||
        gh_db_execute(st, GH_DB_ARGS(GH_DB_T("legacy")), &e) != GH_OK || gh_db_next(st, &e) != 1)
        fail_msg("read legacy: %s", e.msg);
    assert_true(strncmp(gh_db_col_text(st, 0, NULL), "$pbkdf2-sha256$1000$", 20) == 0);
    assert_true(gh_db_col_is_null(st, 1));
    gh_db_reset(st);
    gh_db_return(c);
    assert_int_equal(gh_us_authenticate(us_strict, "legacy", "admin", NULL), GH_US_AUTH_OK);
    assert_int_equal(gh_us_authenticate(us_strict, "legacy", "admin2", NULL), GH_US_AUTH_BAD_CREDENTIALS);
}

static void test_case_insensitive(void **state)
{
    gh_err_t e = {0};
    gh_us_user_t u;

    (void)state;
    UOK(gh_us_add_user(us_strict, "CaseUser", "Pw-case-9953", NULL, 0, NULL, 0, UERR));
    assert_int_equal(gh_us_authenticate(us_strict, "caseuser", "Pw-case-9953", NULL), GH_US_AUTH_OK);
    assert_int_equal(gh_us_user_exists(us_strict, "CASEUSER", NULL), 1);
    assert_int_equal(gh_us_user_exists(us_strict, "caseuser2", NULL), 0);
    assert_int_equal(gh_us_add_user(us_strict, "caseuser", "Pw-case-9953", NULL, 0, NULL, 0, &e), -1);
    assert_int_equal(e.code, GH_E_CONFLICT);
    assert_int_equal(gh_us_get_user(us_strict, "cAsEuSeR", &u, NULL), 1);
    assert_string_equal(u.name, "CaseUser");
    gh_us_user_dispose(&u);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bootstrap_idempotent), cmocka_unit_test(test_admin_password_kept),
        cmocka_unit_test(test_user_claims_roles),    cmocka_unit_test(test_lockout),
        cmocka_unit_test(test_injection_names),      cmocka_unit_test(test_wso2_rehash),
        cmocka_unit_test(test_case_insensitive),     cmocka_unit_test(test_search_paging),
        cmocka_unit_test(test_permissions_tree), cmocka_unit_test(test_permissions_list_set),     cmocka_unit_test(test_cli),
        cmocka_unit_test(test_no_plaintext),
    };
    int rc;

    if (argc != 3 || strcmp(argv[1], "--driver") != 0) {
        fprintf(stderr, "usage: userstore_suite --driver sqlite|postgresql|mysql\n");
        return 2;
    }
    driver = argv[2];
    gh_log_level = GH_LOG_ERR;
    uds.prog = "userstore_suite";
    uds.tmp_prefix = "/tmp/gh-us-suite-";
    uds.sqlite_file = "um.db";
    uds.ds.max_active = 4;
    uds.ds.max_wait_ms = 10000;
    uds.ds.validation_interval_ms = 30000;
    if ((rc = gh_test_ds_open(driver, "US_TEST", "GH_TEST_PG_URL", "GH_TEST_MYSQL_URL", &uds)) != 0)
        return rc;
    us_pool = uds.pool; /* the probed pool; gh_test_ds_close destroys it */
    rc = cmocka_run_group_tests_name(driver, tests, setup, teardown);
    gh_test_ds_close(&uds);
    return rc;
}
