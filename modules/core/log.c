#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/time.h>
#include "gatehouse/log.h"

int gh_log_level = GH_LOG_INFO;

static const char *const level_names[] = {"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"};

int gh_log_parse_level(const char *s)
{
    size_t i;

    for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); ++i)
        if (strcasecmp(s, level_names[i]) == 0)
            return (int)i;
    if (strcasecmp(s, "warning") == 0)
        return GH_LOG_WARN;
    return -1;
}

void gh_log_write(gh_log_level_t lvl, const char *sub, const char *fmt, ...)
{
    char line[2048], ts[32];
    struct timeval tv;
    struct tm tm;
    va_list ap;
    int n;

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    n = snprintf(line, sizeof(line), "%s.%03dZ [%s] %s: ", ts, (int)(tv.tv_usec / 1000),
                 level_names[(unsigned)lvl < 8 ? lvl : GH_LOG_DEBUG], sub);
    if (n < 0 || (size_t)n >= sizeof(line))
        n = 0;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    /* one write per event so lines from several threads never interleave */
    n = (int)strlen(line);
    line[n++] = '\n';
    fwrite(line, 1, (size_t)n, stderr);
}
