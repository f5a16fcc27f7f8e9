/* The plugin registry: a flat array, filled once at start-up before threads exist and read-only after. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "gatehouse/registry.h"
#include "gatehouse/mem.h"

static const gh_plugin_t **plugins;
static size_t n_plugins, cap_plugins;

static int matches(const gh_plugin_t *p, const char *name)
{
    const char *const *c;

    if (strcmp(p->name, name) == 0)
        return 1;
    for (c = p->classes; c != NULL && *c != NULL; ++c)
        if (strcmp(*c, name) == 0)
            return 1;
    return 0;
}

static const gh_plugin_t *lookup(const char *family, const char *name)
{
    size_t i;

    for (i = 0; i < n_plugins; ++i)
        if (strcmp(plugins[i]->family, family) == 0 && matches(plugins[i], name))
            return plugins[i];
    return NULL;
}

int gh_registry_add(const gh_plugin_t *p, gh_err_t *err)
{
    const char *const *c;
    const gh_plugin_t *dup;

    if ((dup = lookup(p->family, p->name)) != NULL)
        return gh_err_set(err, GH_E_CONFLICT, "%s '%s' is already registered", p->family, p->name);
    for (c = p->classes; c != NULL && *c != NULL; ++c)
        if ((dup = lookup(p->family, *c)) != NULL)
            return gh_err_set(err, GH_E_CONFLICT, "%s class '%s' is already registered by '%s'", p->family, *c,
                              dup->name);
    if (n_plugins == cap_plugins) {
        cap_plugins = cap_plugins ? cap_plugins * 2 : 32;
        plugins = gh_realloc(plugins, cap_plugins * sizeof(*plugins));
    }
    plugins[n_plugins++] = p;
    return GH_OK;
}

const gh_plugin_t *gh_registry_find(const char *family, const char *name_or_class, gh_err_t *err)
{
    const gh_plugin_t *p;
    char known[400];
    size_t i, len = 0;
    const char *const *c;

    if (name_or_class != NULL && (p = lookup(family, name_or_class)) != NULL)
        return p;
    known[0] = '\0';
    for (i = 0; i < n_plugins && len < sizeof(known); ++i) {
        if (strcmp(plugins[i]->family, family) != 0)
            continue;
        len += (size_t)snprintf(known + len, sizeof(known) - len, "%s%s", len ? ", " : "", plugins[i]->name);
        for (c = plugins[i]->classes; c != NULL && *c != NULL && len < sizeof(known); ++c)
            len += (size_t)snprintf(known + len, sizeof(known) - len, ", %s", *c);
    }
    gh_err_set(err, GH_E_NOTFOUND, "unknown %s '%s'; known: %s", family, name_or_class ? name_or_class : "(none)",
               known[0] ? known : "(none registered)");
    return NULL;
}

const gh_plugin_t *gh_registry_at(const char *family, size_t i)
{
    size_t k;

    for (k = 0; k < n_plugins; ++k)
        if (strcmp(plugins[k]->family, family) == 0 && i-- == 0)
            return plugins[k];
    return NULL;
}

void gh_registry_reset(void)
{
    free(plugins);
    plugins = NULL;
    n_plugins = cap_plugins = 0;
}
