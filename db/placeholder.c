/* One scanner serves both counting and rewriting, so they can never disagree about what a placeholder is. */
#include <stdio.h>
#include <string.h>
#include "db/placeholder.h"
#include "gatehouse/mem.h"

typedef struct {
    char *out;  /* NULL: measure only */
    size_t len; /* bytes written (or needed) */
    size_t n;   /* placeholders seen */
} scan_t;

static void put(scan_t *s, const char *p, size_t len)
{
    if (s->out != NULL)
        memcpy(s->out + s->len, p, len);
    s->len += len;
}

static void scan(const char *sql, scan_t *s)
{
    const char *p = sql, *start;
    char num[24];
    int k;

    while (*p != '\0') {
        start = p;
        if (*p == '\'' || *p == '"') {
            /* 'it''s': the doubled quote closes and reopens the literal, so no special case is needed */
            const char *close = strchr(p + 1, *p);
            p = close != NULL ? close + 1 : p + strlen(p);
        } else if (p[0] == '-' && p[1] == '-') {
            p += strcspn(p, "\n");
        } else if (p[0] == '/' && p[1] == '*') {
            const char *close = strstr(p + 2, "*/");
            p = close != NULL ? close + 2 : p + strlen(p);
        } else if (*p == '?') {
            s->n++;
            k = snprintf(num, sizeof(num), "$%zu", s->n);
            put(s, num, (size_t)k);
            p++;
            continue;
        } else {
            p++;
        }
        put(s, start, (size_t)(p - start));
    }
}

size_t gh_db_placeholder_count(const char *sql)
{
    scan_t s = {NULL, 0, 0};

    scan(sql, &s);
    return s.n;
}

char *gh_db_placeholder_to_dollar(const char *sql, size_t *count)
{
    scan_t s = {NULL, 0, 0};

    scan(sql, &s);
    s.out = gh_malloc(s.len + 1);
    s.len = s.n = 0;
    scan(sql, &s);
    s.out[s.len] = '\0';
    if (count != NULL)
        *count = s.n;
    return s.out;
}
