/* Shared by the userstore_suite sources: one suite, run once per driver. */
#ifndef GH_TEST_USERSTORE_SUITE_H
#define GH_TEST_USERSTORE_SUITE_H

#include <stdint.h>
#include "gatehouse/db.h"
#include "gatehouse/userstore.h"

extern gh_db_pool_t *us_pool;
extern gh_us_t *us_strict;     /* WSO2's default patterns */
extern gh_us_t *us_permissive; /* any name, same tables */

#define UOK(call)                                                                                                  \
    do {                                                                                                           \
        gh_err_t e_;                                                                                               \
        gh_err_clear(&e_);                                                                                         \
        if ((call) < 0)                                                                                            \
            fail_msg("%s failed: %s", #call, e_.msg);                                                              \
    } while (0)
#define UERR (&e_)

/* every password the suite ever sets: none may appear in any UM_ column */
extern const char *const us_test_passwords[];

int64_t us_count(const char *sql, const char *arg);

void test_search_paging(void **state);
void test_permissions_tree(void **state);
void test_permissions_list_set(void **state);
void test_cli(void **state);
void test_no_plaintext(void **state);

#endif
