/* Shared set-up for the integration suites (see gh_test.h). */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gatehouse/gh.h"
#include "gh_test.h"

static int unavailable(const gh_test_ds_t *t, const char *why)
{
    const char *req = getenv("GH_TEST_REQUIRE_DBS");

    fprintf(stderr, "%s --driver %s: %s\n", t->prog != NULL ? t->prog : "test", t->driver, why);
    return req != NULL && strcmp(req, "1") == 0 ? 1 : 77;
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return (type == FTW_DP ? rmdir(path) : unlink(path)) == 0 ? 0 : -1;
}

int gh_test_rm_tree(const char *dir)
{
    return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

int gh_test_ds_open(const char *driver, const char *name, const char *pg_env, const char *my_env, gh_test_ds_t *t)
{
    gh_db_conn_t *c = NULL;
    gh_err_t err;
    const char *env;

    t->driver = driver;
    t->pool = NULL;
    t->tmpdir[0] = '\0';
    t->ds.name = (char *)name;
    t->ds.username = getenv("GH_TEST_DB_USER");
    t->ds.password = getenv("GH_TEST_DB_PASSWORD");
    if (strcmp(driver, "sqlite") == 0) {
        snprintf(t->tmpdir, sizeof(t->tmpdir), "%sXXXXXX", t->tmp_prefix != NULL ? t->tmp_prefix : "/tmp/gh-test-");
        if (mkdtemp(t->tmpdir) == NULL) {
            perror(t->tmpdir);
            t->tmpdir[0] = '\0';
            return 1;
        }
        snprintf(t->url, sizeof(t->url), "%s%s/%s", t->sqlite_scheme != NULL ? t->sqlite_scheme : "jdbc:sqlite:",
                 t->tmpdir, t->sqlite_file != NULL ? t->sqlite_file : "test.db");
        t->ds.driver_class = (char *)t->sqlite_driver_class;
        t->ds.username = t->ds.password = NULL;
    } else if (strcmp(driver, "postgresql") == 0 || strcmp(driver, "mysql") == 0) {
        env = getenv(strcmp(driver, "postgresql") == 0 ? pg_env : my_env);
        if (env == NULL || *env == '\0')
            return unavailable(t, "no database URL in the environment (run tests/support/dbservers.sh start DIR "
                                  "and source DIR/env)");
        snprintf(t->url, sizeof(t->url), "%s", env);
        t->ds.driver_class = strcmp(driver, "mysql") == 0 ? (char *)t->mysql_driver_class : NULL;
    } else {
        fprintf(stderr, "unknown driver '%s'\n", driver);
        return 2;
    }
    t->ds.url = t->url;
    if (gh_db_pool_create(&t->ds, &t->pool, &err) != GH_OK) {
        fprintf(stderr, "%s\n", err.msg);
        t->pool = NULL;
        gh_test_ds_close(t);
        return 1;
    }
    if (gh_db_borrow(t->pool, &c, &err) != GH_OK) {
        gh_test_ds_close(t);
        return unavailable(t, err.msg);
    }
    gh_db_return(c);
    return 0;
}

void gh_test_ds_close(gh_test_ds_t *t)
{
    if (t->pool != NULL)
        gh_db_pool_destroy(t->pool);
    t->pool = NULL;
    if (t->tmpdir[0] != '\0')
        (void)gh_test_rm_tree(t->tmpdir);
    t->tmpdir[0] = '\0';
}
