/* Helpers shared by the conf loader tests (see fixture.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fixture.h"
#include "gatehouse/mem.h"

const char *fx_data(const char *rel)
{
    static char buf[4096];

    snprintf(buf, sizeof(buf), "%s/%s", GH_TEST_CONF_DATA, rel);
    return buf;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *s;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    s = gh_malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    if (len != NULL) *len = (size_t)n;
    return s;
}

static void spit(const char *path, const char *s, size_t n)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void copy_tree(const char *src, const char *dst, int skip_expected)
{
    DIR *dir = opendir(src);
    struct dirent *e;
    struct stat st;
    char *s, *t, *data;
    size_t n;

    assert_non_null(dir);
    mkdir(dst, 0700);
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (skip_expected && strcmp(e->d_name, "expected.txt") == 0) continue;
        s = gh_asprintf("%s/%s", src, e->d_name);
        t = gh_asprintf("%s/%s", dst, e->d_name);
        assert_int_equal(stat(s, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            copy_tree(s, t, 0);
        } else {
            data = slurp(s, &n);
            spit(t, data, n);
            free(data);
        }
        free(s);
        free(t);
    }
    closedir(dir);
}

char *fx_copy(const char *rel)
{
    char *dir = gh_strdup("/tmp/gh-conf-test.XXXXXX");

    assert_non_null(mkdtemp(dir));
    if (rel != NULL) copy_tree(fx_data(rel), dir, 0);
    return dir;
}

void fx_overlay(const char *dir, const char *rel)
{
    copy_tree(fx_data(rel), dir, 1);
}

void fx_patch(const char *dir, const char *file, const char *from, const char *to)
{
    char *path = gh_asprintf("%s/%s", dir, file);
    char *s = slurp(path, NULL), *hit = strstr(s, from), *out;

    if (hit == NULL) fail_msg("fx_patch: '%s' not found in %s", from, file);
    out = gh_asprintf("%.*s%s%s", (int)(hit - s), s, to, hit + strlen(from));
    spit(path, out, strlen(out));
    free(out);
    free(s);
    free(path);
}

void fx_write(const char *dir, const char *file, const char *text)
{
    char *path = gh_asprintf("%s/%s", dir, file);

    spit(path, text, strlen(text));
    free(path);
}

static int on_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void fx_remove(char *dir)
{
    if (dir != NULL) nftw(dir, on_rm, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

size_t fx_count(const gh_diag_list_t *d, int level, const char *substr)
{
    char buf[2048];
    size_t i, n = 0;

    for (i = 0; i < d->n; ++i) {
        if (level != 0 && (int)d->items[i].level != level) continue;
        gh_diag_format(&d->items[i], buf, sizeof(buf));
        if (strstr(buf, substr) != NULL) n++;
    }
    return n;
}

void fx_dump(const gh_diag_list_t *d)
{
    gh_diag_print(d, stderr);
}

void fx_expect_file(const gh_diag_list_t *d, const char *expected_path)
{
    char *text = slurp(expected_path, NULL), *line, *save = NULL;
    size_t errors = 0;

    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '\0' || line[0] == '#') continue;
        if (strstr(line, ": error: ") != NULL) errors++;
        if (fx_count(d, 0, line) == 0) {
            fx_dump(d);
            fail_msg("%s: no diagnostic contains: %s", expected_path, line);
        }
    }
    if (d->n_errors != errors) {
        fx_dump(d);
        fail_msg("%s: expected %zu errors, got %zu", expected_path, errors, d->n_errors);
    }
    free(text);
}

int fx_load_patched(const char *base, const char *file, const char *from, const char *to, gh_conf_t *c,
                    gh_diag_list_t *d)
{
    char *dir = fx_copy(base);
    int rc;

    if (file != NULL) fx_patch(dir, file, from, to);
    rc = gh_conf_load(dir, NULL, c, d);
    fx_remove(dir);
    return rc;
}

int fx_load_with(const char *base, const char *file, const char *text, gh_conf_t *c, gh_diag_list_t *d)
{
    char *dir = fx_copy(base);
    int rc;

    fx_write(dir, file, text);
    rc = gh_conf_load(dir, NULL, c, d);
    fx_remove(dir);
    return rc;
}
