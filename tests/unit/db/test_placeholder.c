/* `?` -> `$n` for PostgreSQL, and counting: literals, quoted identifiers and comments are not placeholders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "db/placeholder.h"

static void expect(const char *sql, const char *want, size_t n)
{
    size_t got_n = 999;
    char *got = gh_db_placeholder_to_dollar(sql, &got_n);

    assert_string_equal(got, want);
    assert_int_equal(got_n, n);
    assert_int_equal(gh_db_placeholder_count(sql), n);
    free(got);
}

static void test_translation(void **state)
{
    (void)state;
    expect("SELECT 1", "SELECT 1", 0);
    expect("", "", 0);
    expect("?", "$1", 1);
    expect("INSERT INTO T (A, B, C) VALUES (?, ?, ?)", "INSERT INTO T (A, B, C) VALUES ($1, $2, $3)", 3);
    expect("SELECT * FROM T WHERE A=? AND B=?", "SELECT * FROM T WHERE A=$1 AND B=$2", 2);
    expect("UPDATE T SET X=?,Y=?,Z=?,W=?,V=?,U=?,S=?,R=?,Q=?,P=? WHERE ID=?",
           "UPDATE T SET X=$1,Y=$2,Z=$3,W=$4,V=$5,U=$6,S=$7,R=$8,Q=$9,P=$10 WHERE ID=$11", 11);
    expect("SELECT ?::text", "SELECT $1::text", 1);
}

static void test_literals(void **state)
{
    (void)state;
    expect("SELECT '?' FROM T WHERE A=?", "SELECT '?' FROM T WHERE A=$1", 1);
    expect("SELECT 'it''s ?' , ?", "SELECT 'it''s ?' , $1", 1);
    expect("SELECT '''?''' , ?", "SELECT '''?''' , $1", 1);
    expect("SELECT \"odd?col\" FROM T WHERE \"x\"\"?\" = ?", "SELECT \"odd?col\" FROM T WHERE \"x\"\"?\" = $1", 1);
    expect("SELECT 'unterminated ?", "SELECT 'unterminated ?", 0);
}

static void test_comments(void **state)
{
    (void)state;
    expect("SELECT ? -- why? because\nFROM T WHERE A = ?", "SELECT $1 -- why? because\nFROM T WHERE A = $2", 2);
    expect("SELECT /* a ? here */ ?", "SELECT /* a ? here */ $1", 1);
    expect("SELECT 1 -- trailing ?", "SELECT 1 -- trailing ?", 0);
    expect("SELECT /* open ? comment", "SELECT /* open ? comment", 0);
    expect("SELECT 5-?", "SELECT 5-$1", 1);   /* a lone '-' is not a comment */
    expect("SELECT 6/?", "SELECT 6/$1", 1);   /* a lone '/' is not a comment */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_translation),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_comments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
