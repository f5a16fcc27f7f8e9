/* Shared set-up for the integration suites: one datasource per `--driver sqlite|postgresql|mysql`, a fresh
 * SQLite file in a mkdtemp folder or the server URL from the environment (tests/support/dbservers.sh), a pool
 * built from it and probed. A missing database skips the suite (77) unless GH_TEST_REQUIRE_DBS=1 (then 1). */
#ifndef GH_TEST_SUPPORT_H
#define GH_TEST_SUPPORT_H

#include "gatehouse/conf.h"
#include "gatehouse/db.h"

typedef struct st_gh_test_ds_t {
    /* In: set before gh_test_ds_open; NULL or 0 keeps the default. */
    const char *prog;                /* names the suite in messages: "<prog> --driver <driver>: why" */
    const char *tmp_prefix;          /* mkdtemp template before "XXXXXX", e.g. "/tmp/gh-db-suite-" */
    const char *sqlite_scheme;       /* "jdbc:sqlite:" by default; "jdbc:h2:" for WSO2's H2 form */
    const char *sqlite_file;         /* URL tail after "<tmpdir>/": file name, may carry options */
    const char *sqlite_driver_class; /* ds.driver_class for sqlite, may be NULL */
    const char *mysql_driver_class;  /* ds.driver_class for mysql, may be NULL */
    gh_conf_datasource_t ds;         /* in: pool settings (max_active, min_idle, ...); out: name, url, credentials */
    /* Out. */
    const char *driver;              /* the driver argument */
    gh_db_pool_t *pool;              /* created and probed; gh_test_ds_close destroys it (set NULL to keep it) */
    char tmpdir[256];                /* the SQLite folder, "" for a server */
    char url[1024];
} gh_test_ds_t;

/* Fill t->ds for `driver` (its name is `name`; a server URL comes from the environment variable pg_env or
 * my_env, credentials from GH_TEST_DB_USER / GH_TEST_DB_PASSWORD), create t->pool and borrow one connection.
 * 0 on success; otherwise the exit code for main (77 skip, 1 failure, 2 usage), after printing why. */
int gh_test_ds_open(const char *driver, const char *name, const char *pg_env, const char *my_env, gh_test_ds_t *t);
/* Destroy t->pool (when not NULL) and remove the SQLite folder with everything in it. */
void gh_test_ds_close(gh_test_ds_t *t);
/* Remove a folder tree (no shell); 0 or -1. */
int gh_test_rm_tree(const char *dir);

#endif
