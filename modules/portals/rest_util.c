/* v0.14 bodies shared by every endpoint: the error object and the paged list. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "portal_model.h"

static json_t *link(const char *base, int64_t offset, int64_t limit, const char *extra)
{
    char buf[1024];

    snprintf(buf, sizeof(buf), "%s?limit=%lld&offset=%lld%s", base, (long long)limit, (long long)offset, extra);
    return json_string(buf);
}

json_t *gh_portal_list_body(json_t *list, int64_t total, int64_t offset, int64_t limit, const char *base,
                            const char *extra)
{
    json_t *next = offset + limit < total ? link(base, offset + limit, limit, extra) : json_string("");
    json_t *prev = offset > 0 ? link(base, offset > limit ? offset - limit : 0, limit, extra) : json_string("");
    json_t *o = json_object();

    json_object_set_new(o, "count", json_integer((json_int_t)json_array_size(list)));
    json_object_set(o, "next", next);
    json_object_set(o, "previous", prev);
    json_object_set_new(o, "list", list);
    json_object_set_new(o, "pagination", json_pack("{s:I,s:I,s:I,s:O,s:O}", "offset", (json_int_t)offset, "limit",
                                                   (json_int_t)limit, "total", (json_int_t)total, "next", next,
                                                   "previous", prev));
    json_decref(next);
    json_decref(prev);
    return o;
}

int gh_portal_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    if (s == NULL || *s == '\0' || (!isdigit((unsigned char)s[0]) && s[0] != '-'))
        return GH_ERR;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return GH_ERR;
    *out = v;
    return GH_OK;
}

int gh_portal_paging(const char *offset_s, const char *limit_s, int64_t *offset, int64_t *limit, gh_portal_ferr_t *fe)
{
    *offset = 0;
    *limit = 25;
    if (offset_s != NULL && gh_portal_parse_int(offset_s, 0, INT32_MAX, offset) != GH_OK)
        return gh_portal_ferr(fe, "offset", "offset must be an integer >= 0");
    if (limit_s != NULL && gh_portal_parse_int(limit_s, 1, 1000, limit) != GH_OK)
        return gh_portal_ferr(fe, "limit", "limit must be an integer from 1 to 1000");
    return GH_OK;
}

void gh_portal_lower(const char *s, char *out, size_t size)
{
    size_t i;

    for (i = 0; s != NULL && s[i] && i + 1 < size; ++i)
        out[i] = (char)tolower((unsigned char)s[i]);
    if (size > 0)
        out[i] = '\0';
}

int gh_portal_multipart_field(const char *body, size_t len, const char *ctype, const char *name, const char **out,
                              size_t *out_len)
{
    const char *b = strstr(ctype, "boundary="), *p, *end = body + len;
    char delim[256], want[300];
    size_t dl, bl;

    if (b == NULL)
        return GH_ERR;
    b += 9;
    if (*b == '"')
        b++;
    bl = strcspn(b, "\";, ");
    if (bl == 0 || bl > 200)
        return GH_ERR;
    dl = (size_t)snprintf(delim, sizeof(delim), "--%.*s", (int)bl, b);
    snprintf(want, sizeof(want), "name=\"%s\"", name);
    p = memmem(body, len, delim, dl);
    while (p != NULL) {
        const char *hdr = p + dl, *hend, *data, *next;
        if (hdr + 2 > end || memcmp(hdr, "--", 2) == 0)
            return GH_ERR;
        hend = memmem(hdr, (size_t)(end - hdr), "\r\n\r\n", 4);
        if (hend == NULL)
            return GH_ERR;
        data = hend + 4;
        next = memmem(data, (size_t)(end - data), delim, dl);
        if (next == NULL)
            return GH_ERR;
        if (memmem(hdr, (size_t)(hend - hdr), want, strlen(want)) != NULL) {
            size_t n = (size_t)(next - data);
            if (n >= 2 && data[n - 2] == '\r' && data[n - 1] == '\n')
                n -= 2;
            *out = data;
            *out_len = n;
            return GH_OK;
        }
        p = next;
    }
    return GH_ERR;
}
