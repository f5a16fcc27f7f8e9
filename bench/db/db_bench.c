/* Prepared single-row INSERT/s and primary-key SELECT/s through the gh_db layer, one connection, one thread:
 *   db_bench --driver sqlite|postgresql|mysql --url JDBC_URL [--seconds N] [--user U --password P]
 * Each phase runs for N seconds (default 3). The BENCH_KV table is dropped and recreated. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "gatehouse/conf.h"
#include "gatehouse/db.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *ddl(const char *driver)
{
    if (strcmp(driver, "mysql") == 0)
        return "DROP TABLE IF EXISTS BENCH_KV;\nCREATE TABLE BENCH_KV (ID BIGINT PRIMARY KEY, V VARCHAR(255)) "
               "ENGINE=InnoDB;\n";
    return "DROP TABLE IF EXISTS BENCH_KV;\nCREATE TABLE BENCH_KV (ID BIGINT PRIMARY KEY, V VARCHAR(255));\n";
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"driver", 1, NULL, 'd'}, {"url", 1, NULL, 'u'}, {"seconds", 1, NULL, 's'},
                                         {"user", 1, NULL, 'U'},   {"password", 1, NULL, 'P'}, {NULL, 0, NULL, 0}};
    gh_conf_datasource_t ds = {.name = "BENCH", .max_active = 1, .max_wait_ms = 10000};
    const char *driver = NULL;
    double secs = 3, t0, ins_rate, sel_rate;
    gh_db_pool_t *pool = NULL;
    gh_db_conn_t *c = NULL;
    gh_db_stmt_t *ins, *sel;
    gh_err_t err;
    int64_t n = 0, i, reads = 0;
    unsigned seed = 12345;
    int ch, rc = 1;

    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': driver = optarg; break;
        case 'u': ds.url = optarg; break;
        case 's': secs = strtod(optarg, NULL); break;
        case 'U': ds.username = optarg; break;
        case 'P': ds.password = optarg; break;
        default: return 2;
        }
    }
    if (driver == NULL || ds.url == NULL || secs <= 0) {
        fprintf(stderr, "usage: db_bench --driver sqlite|postgresql|mysql --url JDBC_URL [--seconds N] "
                        "[--user U --password P]\n");
        return 2;
    }
    if (gh_db_pool_create(&ds, &pool, &err) != GH_OK || gh_db_borrow(pool, &c, &err) != GH_OK ||
        gh_db_exec_script(c, ddl(driver), &err) != GH_OK)
        goto out;
    if (strcmp(gh_db_dialect(c), driver) != 0) {
        fprintf(stderr, "--driver %s but the URL selects %s\n", driver, gh_db_dialect(c));
        goto out;
    }
    if (gh_db_prepare(c, "INSERT INTO BENCH_KV (ID, V) VALUES (?, ?)", &ins, &err) != GH_OK)
        goto out;
    t0 = now_s();
    do { /* check the clock every 64 rows: clock_gettime is cheap but not free */
        for (i = 0; i < 64; ++i, ++n)
            if (gh_db_execute(ins, GH_DB_ARGS(GH_DB_I(n), GH_DB_T("value-of-a-typical-short-column")), &err) != GH_OK)
                goto out;
    } while (now_s() - t0 < secs);
    ins_rate = (double)n / (now_s() - t0);
    if (gh_db_prepare(c, "SELECT V FROM BENCH_KV WHERE ID = ?", &sel, &err) != GH_OK)
        goto out;
    t0 = now_s();
    do {
        for (i = 0; i < 64; ++i, ++reads) {
            seed = seed * 1103515245u + 12345u; /* LCG: spreads reads over the table, no need for crypto */
            if (gh_db_execute(sel, GH_DB_ARGS(GH_DB_I((int64_t)(seed % (unsigned)n))), &err) != GH_OK ||
                gh_db_next(sel, &err) != 1)
                goto out;
        }
    } while (now_s() - t0 < secs);
    sel_rate = (double)reads / (now_s() - t0);
    gh_db_reset(sel);
    printf("%-11s %12.0f %12.0f %10.1f %10.1f\n", driver, ins_rate, sel_rate, 1e6 / ins_rate, 1e6 / sel_rate);
    gh_db_exec_script(c, "DROP TABLE BENCH_KV;\n", &err);
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr, "db_bench: %s\n", err.msg);
    gh_db_return(c);
    gh_db_pool_destroy(pool);
    return rc;
}
