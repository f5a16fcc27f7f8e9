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
    char line[2048], msg[2048], ts[32];
    const char *p;
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
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* user names, client names and paths reach messages: control characters are escaped so nobody can forge
     * a log line (CR/LF) or a terminal escape; one write per event so threads never interleave */
    for (p = msg; *p != '\0' && (size_t)n + 5 < sizeof(line); ++p) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || ch == 0x7f)
            n += snprintf(line + n, sizeof(line) - (size_t)n, "\\x%02x", ch);
        else
            line[n++] = (char)ch;
    }
    line[n] = '\0';
    line[n++] = '\n';
    fwrite(line, 1, (size_t)n, stderr);
}
