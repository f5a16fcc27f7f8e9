/* The schema runner: applies the embedded dbscripts of one datasource's dialect, once per version, and
 * records what it applied in GH_SCHEMA_VERSION (docs/schema.md). */
#include <string.h>
#include <time.h>
#include "gatehouse/schema.h"
#include "gatehouse/db.h"
#include "gatehouse/log.h"

/* Same shape in every dialect; MySQL gets DATETIME(3) like every dbscript (its TIMESTAMP auto-updates). */
static const char SQL_VERSION_TABLE_MYSQL[] =
    "CREATE TABLE IF NOT EXISTS GH_SCHEMA_VERSION (\n"
    "    COMPONENT VARCHAR(64) NOT NULL PRIMARY KEY,\n"
    "    VERSION INTEGER NOT NULL,\n"
    "    APPLIED_TIME DATETIME(3)\n"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n";
static const char SQL_VERSION_TABLE[] = "CREATE TABLE IF NOT EXISTS GH_SCHEMA_VERSION (\n"
                                        "    COMPONENT VARCHAR(64) NOT NULL PRIMARY KEY,\n"
                                        "    VERSION INTEGER NOT NULL,\n"
                                        "    APPLIED_TIME TIMESTAMP\n"
                                        ");\n";
static const char SQL_GET[] = "SELECT VERSION FROM GH_SCHEMA_VERSION WHERE COMPONENT = ?";
static const char SQL_INSERT[] = "INSERT INTO GH_SCHEMA_VERSION (COMPONENT, VERSION, APPLIED_TIME) VALUES (?, ?, ?)";
static const char SQL_UPDATE[] = "UPDATE GH_SCHEMA_VERSION SET VERSION = ?, APPLIED_TIME = ? WHERE COMPONENT = ?";

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int gh_schema_latest_version(const char *dialect, const char *component)
{
    size_t i;
    int v = 0;

    for (i = 0; i < gh_dbscripts_count; ++i)
        if (strcmp(gh_dbscripts[i].dialect, dialect) == 0 && strcmp(gh_dbscripts[i].component, component) == 0 &&
            gh_dbscripts[i].version > v)
            v = gh_dbscripts[i].version;
    return v;
}

/* The script of dialect/component with the smallest version above `above`, or NULL. */
static const gh_dbscript_t *next_script(const char *dialect, const char *component, int above)
{
    const gh_dbscript_t *best = NULL;
    size_t i;

    for (i = 0; i < gh_dbscripts_count; ++i) {
        const gh_dbscript_t *s = &gh_dbscripts[i];
        if (strcmp(s->dialect, dialect) == 0 && strcmp(s->component, component) == 0 && s->version > above &&
            (best == NULL || s->version < best->version))
            best = s;
    }
    return best;
}

static int record(gh_db_conn_t *conn, const char *component, int version, int had_row, gh_err_t *err)
{
    if (had_row)
        return gh_db_exec(conn, SQL_UPDATE, GH_DB_ARGS(GH_DB_I(version), GH_DB_TS(now_ms()), GH_DB_T(component)),
                          NULL, err);
    return gh_db_exec(conn, SQL_INSERT, GH_DB_ARGS(GH_DB_T(component), GH_DB_I(version), GH_DB_TS(now_ms())), NULL,
                      err);
}

/* Apply one script and record its version, atomically where the dialect has transactional DDL. */
static int apply(gh_db_conn_t *conn, const gh_dbscript_t *s, int had_row, int transactional, gh_err_t *err)
{
    int rc;

    if (transactional && gh_db_begin(conn, err) != GH_OK)
        return GH_ERR;
    rc = gh_db_exec_script(conn, s->sql, err);
    if (rc == GH_OK)
        rc = record(conn, s->component, s->version, had_row, err);
    if (rc == GH_OK && transactional)
        rc = gh_db_commit(conn, err);
    if (rc != GH_OK && transactional)
        gh_db_rollback(conn, NULL);
    return rc;
}

static int setup_component(gh_db_conn_t *conn, const char *pool_name, const char *dialect, const char *component,
                           gh_err_t *err)
{
    const gh_dbscript_t *s;
    int64_t cur = 0;
    int found, had_row, applied = 0;
    int transactional = strcmp(dialect, "mysql") != 0;

    if (gh_schema_latest_version(dialect, component) == 0)
        return gh_err_set(err, GH_E_CONFIG, "no schema scripts for component '%s' in dialect %s", component,
                          dialect);
    if ((found = gh_db_query_int(conn, SQL_GET, GH_DB_ARGS(GH_DB_T(component)), &cur, err)) < 0)
        return GH_ERR;
    had_row = found == 1;
    while ((s = next_script(dialect, component, (int)cur)) != NULL) {
        gh_err_t e;
        gh_err_clear(&e);
        if (apply(conn, s, had_row, transactional, &e) != GH_OK) {
            return gh_err_set(err, e.code, "datasource %s: %s/%s-%04d.sql: %s", pool_name, dialect, component,
                              s->version, e.msg);
        }
        gh_log(GH_LOG_INFO, "schema", "datasource %s: applied %s/%s-%04d.sql", pool_name, dialect, component,
               s->version);
        cur = s->version;
        had_row = 1;
        applied++;
    }
    if (applied == 0)
        gh_log(GH_LOG_INFO, "schema", "datasource %s: %s is up to date (version %d)", pool_name, component, (int)cur);
    return GH_OK;
}

int gh_schema_setup(gh_db_pool_t *pool, const char *const *components, gh_err_t *err)
{
    gh_db_conn_t *conn = NULL;
    const char *dialect = gh_db_pool_dialect(pool), *name = gh_db_pool_name(pool);
    int rc = GH_ERR;
    size_t i;

    if (gh_db_borrow(pool, &conn, err) != GH_OK)
        goto out;
    if (gh_db_exec_script(conn, strcmp(dialect, "mysql") == 0 ? SQL_VERSION_TABLE_MYSQL : SQL_VERSION_TABLE, err) !=
        GH_OK)
        goto out;
    for (i = 0; components != NULL && components[i] != NULL; ++i)
        if (setup_component(conn, name, dialect, components[i], err) != GH_OK)
            goto out;
    rc = GH_OK;
out:
    gh_db_return(conn);
    return rc;
}
