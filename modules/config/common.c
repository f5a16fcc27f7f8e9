/* Helpers shared by the loaders: opening a conf file, properties, class checks, datasource defaults. */
#include <stdlib.h>
#include <string.h>
#include "conf_int.h"
#include "gatehouse/err.h"
#include "gatehouse/mem.h"
#include "gatehouse/registry.h"

int gh_conf_open(gh_conf_ctx_t *c, gh_xml_doc_t *x, const char *rel, const char *root, int required)
{
    char *path = gh_asprintf("%s/%s", c->conf->dir, rel);
    int r;

    memset(x, 0, sizeof(*x));
    x->file = gh_xml_pool_keep(c->pool, gh_asprintf("%s/%s", c->dir_shown, rel));
    x->d = c->d;
    x->pool = c->pool;
    x->vars = &c->vars;
    x->base_dir = c->conf->carbon_home;
    r = gh_xml_open(x, path, root);
    if (r == 0 && required)
        gh_xml_error(x, NULL, NULL, "required file is missing: create %s/%s (see docs/configuration.md)",
                     c->dir_shown, rel);
    free(path);
    return r;
}

void gh_conf_add_ref(gh_conf_ctx_t *c, const char *file, int line, const char *element, const char *name)
{
    gh_conf_ref_t *r;

    if (name == NULL) return;
    if (c->n_refs == c->cap_refs) {
        c->cap_refs = c->cap_refs ? c->cap_refs * 2 : 8;
        c->refs = gh_realloc(c->refs, c->cap_refs * sizeof(*c->refs));
    }
    r = &c->refs[c->n_refs++];
    r->file = file;
    r->line = line;
    r->element = element;
    r->name = name;
}

int gh_conf_check_class(gh_xml_doc_t *x, const xmlNode *node, const char *element, const char *family,
                        const char *cls)
{
    gh_err_t err;

    if (cls == NULL || gh_registry_at(family, 0) == NULL) return 0;
    if (gh_registry_find(family, cls, &err) != NULL) return 0;
    gh_xml_error(x, node, element, "%s", err.msg);
    return -1;
}

const char *gh_conf_prop(const gh_conf_props_t *p, const char *name)
{
    size_t i;

    for (i = 0; p != NULL && i < p->n; ++i)
        if (strcmp(p->items[i].name, name) == 0) return p->items[i].value;
    return NULL;
}

int gh_conf_prop_line(const gh_conf_props_t *p, const char *name)
{
    size_t i;

    for (i = 0; p != NULL && i < p->n; ++i)
        if (strcmp(p->items[i].name, name) == 0) return p->items[i].line;
    return 0;
}

void gh_conf_read_props(gh_conf_ctx_t *c, gh_xml_doc_t *x, const xmlNode *parent, gh_conf_props_t *props)
{
    const xmlNode *n = NULL;
    char *name, *value;
    gh_conf_prop_t *p;

    while ((n = gh_xml_next(parent, n, "Property")) != NULL) {
        if ((name = gh_xml_attr(n, "name")) == NULL || name[0] == '\0') {
            gh_xml_error(x, n, "Property", "a <Property> needs a name=\"...\" attribute");
            xmlFree(name);
            continue;
        }
        if (gh_xml_text(x, n, name, &value) < 0) {
            xmlFree(name);
            continue;
        }
        props->items = gh_realloc(props->items, (props->n + 1) * sizeof(*props->items));
        p = &props->items[props->n++];
        p->name = gh_xml_pool_strdup(c->pool, name);
        p->value = value;
        p->line = (int)xmlGetLineNo(n);
        xmlFree(name);
    }
}

/* Where the file path starts in a jdbc:h2: URL, or NULL when it is not a local relative path. */
static const char *h2_path(const char *rest)
{
    static const char *const remote[] = {
        "mem:", "tcp:", "ssl:", "zip:", "split:", "nio", "async:", "retry:", NULL};
    size_t i;

    if (strncmp(rest, "file:", 5) == 0) rest += 5;
    for (i = 0; remote[i] != NULL; ++i)
        if (strncmp(rest, remote[i], strlen(remote[i])) == 0) return NULL;
    return rest[0] == '/' || rest[0] == '~' ? NULL : rest;
}

char *gh_conf_absolutize_url(const char *url, const char *carbon_home)
{
    const char *path = NULL;
    int prefix;

    if (strncmp(url, "jdbc:h2:", 8) == 0)
        path = h2_path(url + 8);
    else if (strncmp(url, "jdbc:sqlite:", 12) == 0) {
        path = url + 12;
        if (path[0] == '/' || path[0] == '\0' || strncmp(path, ":memory:", 8) == 0 ||
            strncmp(path, "file:", 5) == 0)
            path = NULL;
    }
    if (path == NULL || carbon_home == NULL) return gh_strdup(url);
    prefix = (int)(path - url);
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    return gh_asprintf("%.*s%s/%s", prefix, url, carbon_home, path);
}

void gh_conf_datasource_defaults(gh_conf_datasource_t *ds)
{
    ds->max_active = 50;
    ds->max_wait_ms = 60000;
    ds->min_idle = 0;
    ds->test_on_borrow = 0;
    ds->validation_interval_ms = 3000;
    ds->default_auto_commit = 1;
}
