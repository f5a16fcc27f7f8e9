#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "gatehouse/mem.h"

/* Out of memory is not an input error we can report usefully; like Redis and h2o we stop. */
static void oom(size_t n)
{
    fprintf(stderr, "gatehouse: out of memory allocating %zu bytes\n", n);
    abort();
}

void *gh_malloc(size_t n)
{
    void *p = malloc(n == 0 ? 1 : n);
    if (p == NULL)
        oom(n);
    return p;
}

void *gh_calloc(size_t n, size_t size)
{
    void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
    if (p == NULL)
        oom(n * size);
    return p;
}

void *gh_realloc(void *p, size_t n)
{
    void *q = realloc(p, n == 0 ? 1 : n);
    if (q == NULL)
        oom(n);
    return q;
}

char *gh_strdup(const char *s)
{
    return s == NULL ? NULL : gh_strndup(s, strlen(s));
}

char *gh_strndup(const char *s, size_t n)
{
    char *d;

    if (s == NULL)
        return NULL;
    d = gh_malloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *gh_asprintf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom(0);
    s = gh_malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void gh_free_secret(char *s)
{
    if (s == NULL)
        return;
    OPENSSL_cleanse(s, strlen(s));
    free(s);
}
