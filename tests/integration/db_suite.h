/* Shared by the db_suite sources: one suite, split in two files (data round trips; pool and connection loss). */
#ifndef GH_TEST_DB_SUITE_H
#define GH_TEST_DB_SUITE_H

#include <stdint.h>
#include "gatehouse/conf.h"
#include "gatehouse/db.h"

extern const char *driver;     /* "sqlite" | "postgresql" | "mysql" */
extern gh_conf_datasource_t ds; /* the suite's datasource (DBS_TEST) */
extern gh_db_pool_t *pool;      /* the shared pool built from ds */

#define OK(call)                                                                                                   \
    do {                                                                                                           \
        gh_err_t e_;                                                                                               \
        gh_err_clear(&e_);                                                                                         \
        if ((call) < 0)                                                                                            \
            fail_msg("%s failed: %s", #call, e_.msg);                                                              \
    } while (0)
/* OK() needs the callee to write into e_: pass ERR as the err argument */
#define ERR (&e_)

int64_t now_ms(void);
/* fork+exec argv from /, wait; the exit status or -1 */
int run_cmd(char *const argv[]);

void test_pool_waits(void **state);
void test_pool_timeout(void **state);
void test_server_restart(void **state);
void test_test_on_borrow(void **state);

#endif
