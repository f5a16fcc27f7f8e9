/* Timestamps: epoch ms <-> 'YYYY-MM-DD HH:MM:SS.mmm' UTC, computed by hand so the process TZ never matters
 * (Howard Hinnant's days_from_civil / civil_from_days). */
#include <stdio.h>
#include <string.h>
#include "db/driver.h"

static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t gh_db_time_from_civil(int y, int mon, int d, int h, int mi, int s, int msec)
{
    return ((days_from_civil(y, mon, d) * 86400) + h * 3600 + mi * 60 + s) * 1000 + msec;
}

void gh_db_time_to_civil(int64_t ms, int *y, int *mon, int *d, int *h, int *mi, int *s, int *msec)
{
    int64_t z, era, doe, yoe, doy, mp, secs, days;

    days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    secs = (ms - days * 86400000) / 1000;
    *msec = (int)((ms - days * 86400000) % 1000);
    *h = (int)(secs / 3600);
    *mi = (int)(secs / 60 % 60);
    *s = (int)(secs % 60);
    z = days + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mon = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*mon <= 2));
}

char *gh_db_time_format(int64_t ms, char *buf)
{
    int y, mon, d, h, mi, s, msec;

    gh_db_time_to_civil(ms, &y, &mon, &d, &h, &mi, &s, &msec);
    snprintf(buf, GH_DB_TIME_BUFSZ, "%04d-%02d-%02d %02d:%02d:%02d.%03d", y, mon, d, h, mi, s, msec);
    return buf;
}

/* n digits at *p into *v; advances *p */
static int digits(const char **p, const char *end, int n, int *v)
{
    *v = 0;
    while (n-- > 0) {
        if (*p >= end || **p < '0' || **p > '9')
            return GH_ERR;
        *v = *v * 10 + (**p - '0');
        (*p)++;
    }
    return GH_OK;
}

int gh_db_time_parse(const char *str, size_t len, int64_t *ms)
{
    const char *p = str, *end = str + len;
    int y, mon, d, h = 0, mi = 0, s = 0, frac = 0, scale = 100, tzh = 0, tzm = 0, sign = 0;

    if (digits(&p, end, 4, &y) || p >= end || *p++ != '-' || digits(&p, end, 2, &mon) || p >= end ||
        *p++ != '-' || digits(&p, end, 2, &d))
        return GH_ERR;
    if (p < end && (*p == ' ' || *p == 'T')) {
        p++;
        if (digits(&p, end, 2, &h) || p >= end || *p++ != ':' || digits(&p, end, 2, &mi))
            return GH_ERR;
        if (p < end && *p == ':' && (p++, digits(&p, end, 2, &s)))
            return GH_ERR;
        if (p < end && *p == '.') {
            for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
                frac += scale * (*p - '0');
                scale /= 10; /* digits past milliseconds are truncated */
            }
        }
    }
    if (p < end && *p == 'Z') {
        p++;
    } else if (p < end && (*p == '+' || *p == '-')) {
        sign = *p++ == '-' ? -1 : 1;
        if (digits(&p, end, 2, &tzh))
            return GH_ERR;
        if (p < end && *p == ':')
            p++;
        if (p < end && digits(&p, end, 2, &tzm))
            return GH_ERR;
    }
    if (p != end || mon < 1 || mon > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return GH_ERR;
    *ms = gh_db_time_from_civil(y, mon, d, h, mi, s, frac) - (int64_t)sign * (tzh * 3600 + tzm * 60) * 1000;
    return GH_OK;
}
