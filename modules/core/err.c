#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/err.h"

int gh_err_set(gh_err_t *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return GH_ERR;
    err->code = code;
    err->native = 0;
    err->sqlstate[0] = '\0';
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return GH_ERR;
}

void gh_err_clear(gh_err_t *err)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof(*err));
}

void gh_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "gatehouse: assertion failed: %s (%s:%d)\n", expr, file, line);
    abort();
}
