/* Test helpers for the conf loaders: temp copies of fixture trees, patching, diagnostics matching. */
#ifndef GH_TEST_CONFIG_FIXTURE_H
#define GH_TEST_CONFIG_FIXTURE_H

#include <stddef.h>
#include "gatehouse/conf.h"

/* Absolute path of tests/data/conf/<rel>; static buffer, valid until the next call. */
const char *fx_data(const char *rel);
/* New temp dir holding a copy of tests/data/conf/<rel> (rel NULL = empty dir). Caller frees with fx_remove.
 */
char *fx_copy(const char *rel);
/* Copy every file of tests/data/conf/<rel> except expected.txt over dir (a bad case onto good/minimal). */
void fx_overlay(const char *dir, const char *rel);
/* Replace the first occurrence of `from` by `to` in dir/file; fails the test when `from` is absent. */
void fx_patch(const char *dir, const char *file, const char *from, const char *to);
void fx_write(const char *dir, const char *file, const char *text);
/* Delete the tree and free dir. */
void fx_remove(char *dir);
/* How many diagnostics of that level (0 = any) contain substr once formatted. */
size_t fx_count(const gh_diag_list_t *d, int level, const char *substr);
/* Every non-empty line of the file must be a substring of some diagnostic, and the number of errors in d
 * must equal the number of lines containing ": error: ". */
void fx_expect_file(const gh_diag_list_t *d, const char *expected_path);
/* Copy tests/data/conf/<base> to a temp dir, replace `from` by `to` in `file` (file NULL: no patch), load it
 * with the default carbon home, delete the copy. Returns gh_conf_load's result; c must be disposed. */
int fx_load_patched(const char *base, const char *file, const char *from, const char *to, gh_conf_t *c,
                    gh_diag_list_t *d);
/* Same, but `file` gets the whole `text` (a new file or a replacement). */
int fx_load_with(const char *base, const char *file, const char *text, gh_conf_t *c, gh_diag_list_t *d);
/* Print d to stderr (for failing tests). */
void fx_dump(const gh_diag_list_t *d);

#endif
