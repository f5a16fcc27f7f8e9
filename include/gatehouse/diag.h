/* Configuration diagnostics: collected, not fatal on first sight, so --check-config reports every mistake at once. */
#ifndef GH_DIAG_H
#define GH_DIAG_H

#include <stddef.h>
#include <stdio.h>
#include "gatehouse/gh.h"

typedef enum { GH_DIAG_WARN = 1, GH_DIAG_ERROR = 2 } gh_diag_level_t;

typedef struct st_gh_diag_t {
    gh_diag_level_t level;
    char *file;    /* path as given to the loader, e.g. "conf/user-mgt.xml" */
    int line;      /* 0 when unknown */
    char *element; /* element path or name, may be NULL */
    char *msg;
} gh_diag_t;

typedef struct st_gh_diag_list_t {
    gh_diag_t *items;
    size_t n, cap;
    size_t n_errors, n_warnings;
} gh_diag_list_t;

/* Record a diagnostic; d may be NULL (then it is dropped). Prints as "file:line: error: <element>: msg". */
void gh_diag_add(gh_diag_list_t *d, gh_diag_level_t level, const char *file, int line, const char *element,
                 const char *fmt, ...) GH_PRINTF(6, 7);
/* Write every diagnostic, one per line, in the order recorded. */
void gh_diag_print(const gh_diag_list_t *d, FILE *out);
/* Format one diagnostic into buf (for tests). */
void gh_diag_format(const gh_diag_t *g, char *buf, size_t size);
void gh_diag_dispose(gh_diag_list_t *d);

#endif
