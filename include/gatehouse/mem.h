/* Allocation wrappers: out of memory aborts (Redis zmalloc), so callers never test for NULL. */
#ifndef GH_MEM_H
#define GH_MEM_H

#include <stddef.h>

void *gh_malloc(size_t n);
void *gh_calloc(size_t n, size_t size);
void *gh_realloc(void *p, size_t n);
/* new copy of s, or NULL when s is NULL */
char *gh_strdup(const char *s);
char *gh_strndup(const char *s, size_t n);
/* printf into a new heap string */
char *gh_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Wipe (OPENSSL_cleanse) then free a NUL-terminated secret; NULL-safe. */
void gh_free_secret(char *s);

#endif
