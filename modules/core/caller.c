/* The owner and scope checks of include/gatehouse/caller.h. */
#include <string.h>
#include "gatehouse/caller.h"

int gh_caller_owns(const gh_caller_t *c, const char *owner)
{
    if (c == NULL || c->kind == GH_CALLER_NONE)
        return 0;
    if (c->is_admin)
        return 1;
    if (owner == NULL || owner[0] == '\0' || c->user[0] == '\0')
        return 0;
    return strcmp(c->user, owner) == 0;
}

int gh_caller_has_scope(const gh_caller_t *c, const char *scope)
{
    size_t n;
    const char *p;

    if (c == NULL || c->kind == GH_CALLER_NONE || scope == NULL || (n = strlen(scope)) == 0)
        return 0;
    for (p = c->scope; *p != '\0';) {
        size_t len;
        while (*p == ' ')
            p++;
        len = strcspn(p, " ");
        if (len == n && memcmp(p, scope, n) == 0)
            return 1;
        p += len;
    }
    return 0;
}
