/* One line per event on stderr: ISO-8601 UTC time, level, subsystem, message. Never log secrets. */
#ifndef GH_LOG_H
#define GH_LOG_H

#include "gatehouse/gh.h"

typedef enum { GH_LOG_EMERG, GH_LOG_ALERT, GH_LOG_CRIT, GH_LOG_ERR, GH_LOG_WARN, GH_LOG_NOTICE, GH_LOG_INFO, GH_LOG_DEBUG } gh_log_level_t;

extern int gh_log_level; /* messages above this level are dropped before formatting */

void gh_log_write(gh_log_level_t lvl, const char *sub, const char *fmt, ...) GH_PRINTF(3, 4);
/* parse "error", "warn", "info", "debug"...; returns -1 when unknown */
int gh_log_parse_level(const char *s);

#define gh_log(lvl, sub, ...)                                                                                      \
    do {                                                                                                           \
        if ((int)(lvl) <= gh_log_level)                                                                            \
            gh_log_write((lvl), (sub), __VA_ARGS__);                                                               \
    } while (0)

#endif
