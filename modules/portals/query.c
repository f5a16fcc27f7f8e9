/* The `query` parameter of GET /apis (Publisher and Store v0.14): space-separated "modifier:value" terms; a
 * term without a modifier searches the name. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "portal_model.h"

int gh_portal_query_parse(const char *q, gh_portal_query_t *out, char *msg, size_t msg_size)
{
    static const struct {
        const char *mod;
        size_t off, size;
    } mods[] = {
        {"name", offsetof(gh_portal_query_t, name), sizeof(out->name)},
        {"context", offsetof(gh_portal_query_t, context), sizeof(out->context)},
        {"version", offsetof(gh_portal_query_t, version), sizeof(out->version)},
        {"provider", offsetof(gh_portal_query_t, provider), sizeof(out->provider)},
        {"status", offsetof(gh_portal_query_t, status), sizeof(out->status)},
        {"description", offsetof(gh_portal_query_t, description), sizeof(out->description)},
        {"tag", offsetof(gh_portal_query_t, tag), sizeof(out->tag)},
        {"tags", offsetof(gh_portal_query_t, tag), sizeof(out->tag)},
    };
    const char *p = q;

    memset(out, 0, sizeof(*out));
    while (p != NULL && *p) {
        const char *e, *colon, *val;
        char *dst = out->name;
        size_t dsize = sizeof(out->name), i, vlen;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            break;
        e = p;
        while (*e && !isspace((unsigned char)*e))
            e++;
        colon = memchr(p, ':', (size_t)(e - p));
        val = p;
        if (colon != NULL) {
            for (i = 0; i < GH_ARRAY_SIZE(mods); ++i)
                if (strlen(mods[i].mod) == (size_t)(colon - p) && strncasecmp(p, mods[i].mod, (size_t)(colon - p)) == 0)
                    break;
            if (i == GH_ARRAY_SIZE(mods)) {
                snprintf(msg, msg_size, "unknown search modifier '%.*s': use name, context, version, provider, status, "
                         "description or tag", (int)(colon - p) > 40 ? 40 : (int)(colon - p), p);
                return GH_ERR;
            }
            dst = (char *)out + mods[i].off;
            dsize = mods[i].size;
            val = colon + 1;
        }
        vlen = (size_t)(e - val);
        if (vlen == 0) {
            snprintf(msg, msg_size, "empty search value");
            return GH_ERR;
        }
        if (vlen >= dsize) {
            snprintf(msg, msg_size, "search value longer than %zu characters", dsize - 1);
            return GH_ERR;
        }
        memcpy(dst, val, vlen);
        dst[vlen] = '\0';
        p = e;
    }
    for (char *s = out->status; *s; ++s)
        *s = (char)toupper((unsigned char)*s);
    return GH_OK;
}
