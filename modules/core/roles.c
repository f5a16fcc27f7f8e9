/* --profile: Gatehouse role names, plus WSO2 2.x profile names as aliases so operators' scripts keep working. */
#include <stdio.h>
#include <string.h>
#include "gatehouse/server.h"

static const struct {
    const char *name;
    unsigned roles;
} names[] = {
    {"all", GH_ROLE_ALL},
    {"default", GH_ROLE_ALL},
    {"gateway", GH_ROLE_GATEWAY},
    {"gateway-worker", GH_ROLE_GATEWAY},
    {"key-manager", GH_ROLE_KM},
    {"api-key-manager", GH_ROLE_KM},
    {"publisher", GH_ROLE_PUBLISHER},
    {"api-publisher", GH_ROLE_PUBLISHER},
    {"devportal", GH_ROLE_DEVPORTAL},
    {"api-store", GH_ROLE_DEVPORTAL},
    {"api-devportal", GH_ROLE_DEVPORTAL},
    {"admin", GH_ROLE_ADMIN},
};

int gh_roles_parse(const char *s, unsigned *out, gh_err_t *err)
{
    unsigned roles = 0;
    const char *p = s, *end;
    size_t i, len;

    for (;;) {
        end = strchr(p, ',');
        len = end ? (size_t)(end - p) : strlen(p);
        for (i = 0; i < sizeof(names) / sizeof(names[0]); ++i)
            if (strlen(names[i].name) == len && strncmp(names[i].name, p, len) == 0)
                break;
        if (i == sizeof(names) / sizeof(names[0]))
            return gh_err_set(err, GH_E_INPUT,
                              "unknown profile '%.*s': use all, gateway, key-manager, publisher, devportal, admin "
                              "(or a comma-separated list)",
                              (int)len, p);
        roles |= names[i].roles;
        if (end == NULL)
            break;
        p = end + 1;
    }
    *out = roles;
    return GH_OK;
}

void gh_roles_format(unsigned roles, char *buf, size_t size)
{
    static const char *const order[] = {"gateway", "key-manager", "publisher", "devportal", "admin"};
    size_t i, len = 0;

    buf[0] = '\0';
    for (i = 0; i < 5 && len < size; ++i)
        if (roles & (1u << i))
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "", order[i]);
}
