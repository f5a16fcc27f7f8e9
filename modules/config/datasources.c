/* datasources/master-datasources.xml: the named JDBC pools every other file refers to. */
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "conf_int.h"
#include "gatehouse/mem.h"
#include "gatehouse/registry.h"

#define F(field) offsetof(gh_conf_datasource_t, field)

static const gh_xml_directive_t ds_rows[] = {
    {"name", GH_XML_STRING, F(name), 0, 0, NULL, 1},
    {"jndiConfig/name", GH_XML_STRING, F(jndi_name), 0, 0, NULL, 0},
};

/* Tomcat JDBC pool attributes (inside <configuration>) that Gatehouse's pool implements. */
static const gh_xml_directive_t cfg_rows[] = {
    {"url", GH_XML_STRING, F(url), 0, 0, NULL, 1},
    {"username", GH_XML_STRING, F(username), 0, 0, NULL, 0},
    {"password", GH_XML_STRING, F(password), 0, 0, NULL, 0},
    {"driverClassName", GH_XML_STRING, F(driver_class), 0, 0, NULL, 0},
    {"maxActive", GH_XML_INT, F(max_active), 1, 10000, "50", 0},
    {"maxWait", GH_XML_INT, F(max_wait_ms), 0, INT_MAX, "60000", 0},
    {"minIdle", GH_XML_INT, F(min_idle), 0, 10000, "0", 0},
    {"testOnBorrow", GH_XML_BOOL, F(test_on_borrow), 0, 0, "false", 0},
    {"validationQuery", GH_XML_STRING, F(validation_query), 0, 0, NULL, 0},
    {"validationInterval", GH_XML_INT, F(validation_interval_ms), 0, INT_MAX, "3000", 0},
    {"defaultAutoCommit", GH_XML_BOOL, F(default_auto_commit), 0, 0, "true", 0},
};

/* Other Tomcat pool attributes: accepted silently (Gatehouse's pool has no equivalent knob). */
static const char *const known_cfg[] = {"url",
                                        "username",
                                        "password",
                                        "driverClassName",
                                        "maxActive",
                                        "maxWait",
                                        "minIdle",
                                        "testOnBorrow",
                                        "validationQuery",
                                        "validationInterval",
                                        "defaultAutoCommit",
                                        "maxIdle",
                                        "initialSize",
                                        "defaultReadOnly",
                                        "defaultTransactionIsolation",
                                        "defaultCatalog",
                                        "dataSourceClassName",
                                        "dataSourceProps",
                                        "testOnReturn",
                                        "testWhileIdle",
                                        "timeBetweenEvictionRunsMillis",
                                        "numTestsPerEvictionRun",
                                        "minEvictableIdleTimeMillis",
                                        "removeAbandoned",
                                        "removeAbandonedTimeout",
                                        "logAbandoned",
                                        "jdbcInterceptors",
                                        "validatorClassName",
                                        "validationQueryTimeout",
                                        "initSQL",
                                        "connectionProperties",
                                        "maxAge",
                                        "suspectTimeout",
                                        "fairQueue",
                                        "abandonWhenPercentageFull",
                                        "useEquals",
                                        "alternateUsernameAllowed",
                                        "commitOnReturn",
                                        "rollbackOnReturn",
                                        "jmxEnabled",
                                        "useDisposableConnectionFacade",
                                        "logValidationErrors",
                                        "propagateInterruptState",
                                        "ignoreExceptionOnPreLoad",
                                        NULL};

static const char *const known_ds[] = {"name", "description", "jndiConfig", "definition", NULL};
static const char *const known_root[] = {"providers", "datasources", NULL};

/* A datasource name or JNDI name already used by an earlier entry: Carbon would refuse to start. */
static void check_duplicate(gh_xml_doc_t *x, const xmlNode *node, const gh_conf_datasources_t *l, size_t idx)
{
    size_t i;
    const gh_conf_datasource_t *o, *ds = &l->items[idx];

    for (i = 0; i < idx; ++i) {
        o = &l->items[i];
        if (ds->name != NULL && o->name != NULL && strcmp(o->name, ds->name) == 0)
            gh_xml_error(x, node, "name",
                         "duplicate datasource name '%s' (first defined at line %d); rename one", ds->name,
                         o->line);
        else if (ds->jndi_name != NULL && o->jndi_name != NULL && strcmp(o->jndi_name, ds->jndi_name) == 0)
            gh_xml_error(x, node, "jndiConfig/name",
                         "duplicate JNDI name '%s' (first used at line %d by '%s')", ds->jndi_name, o->line,
                         o->name ? o->name : "?");
    }
}

static void load_one(gh_conf_ctx_t *c, gh_xml_doc_t *x, const xmlNode *node, gh_conf_datasource_t *ds)
{
    const xmlNode *def, *cfg;
    char *type = NULL;

    gh_conf_datasource_defaults(ds);
    ds->file = x->file;
    ds->line = (int)xmlGetLineNo(node);
    gh_xml_apply(x, node, ds_rows, GH_ARRAY_SIZE(ds_rows), ds);
    gh_xml_warn_unknown(x, node, known_ds);
    if ((def = gh_xml_child(node, "definition")) == NULL) {
        gh_xml_error(x, node, "definition", "required element is missing (inside <datasource>)");
        return;
    }
    type = gh_xml_attr(def, "type");
    ds->type = gh_xml_pool_strdup(c->pool, type != NULL ? type : "RDBMS");
    xmlFree(type);
    if (strcmp(ds->type, "RDBMS") != 0) {
        gh_xml_error(x, def, "definition",
                     "type '%s' is not supported; Gatehouse reads RDBMS datasources only", ds->type);
        return;
    }
    if ((cfg = gh_xml_child(def, "configuration")) == NULL) {
        gh_xml_error(x, def, "definition/configuration", "required element is missing (inside <definition>)");
        return;
    }
    gh_xml_apply(x, cfg, cfg_rows, GH_ARRAY_SIZE(cfg_rows), ds);
    gh_xml_warn_unknown(x, cfg, known_cfg);
    if (ds->url != NULL)
        ds->url = gh_xml_pool_keep(c->pool, gh_conf_absolutize_url(ds->url, c->conf->carbon_home));
    /* without driverClassName the URL picks the driver later: nothing to check here */
    gh_conf_check_class(x, gh_xml_child(cfg, "driverClassName"), "driverClassName", GH_FAMILY_DB_DRIVER,
                        ds->driver_class);
}

void gh_conf_datasources_load(gh_conf_ctx_t *c)
{
    gh_xml_doc_t x;
    gh_conf_datasources_t *l = &c->conf->datasources;
    const xmlNode *list, *n = NULL;
    size_t count = 0, i;

    if (gh_conf_open(c, &x, "datasources/master-datasources.xml", "datasources-configuration", 1) != 1)
        return;
    gh_xml_warn_unknown(&x, x.root, known_root);
    if ((list = gh_xml_child(x.root, "datasources")) == NULL) {
        gh_xml_error(&x, x.root, "datasources",
                     "required element is missing (inside <datasources-configuration>)");
        gh_xml_close(&x);
        return;
    }
    while ((n = gh_xml_next(list, n, NULL)) != NULL)
        count++;
    l->items = gh_calloc(count ? count : 1, sizeof(*l->items));
    for (n = NULL; (n = gh_xml_next(list, n, NULL)) != NULL;) {
        if (!gh_xml_is(n, "datasource")) {
            gh_xml_warn(&x, n, (const char *)n->name,
                        "not used by Gatehouse (inside <datasources>); ignored");
            continue;
        }
        load_one(c, &x, n, &l->items[l->n]);
        l->n++;
    }
    for (i = 0, n = NULL; (n = gh_xml_next(list, n, "datasource")) != NULL && i < l->n; ++i)
        check_duplicate(&x, gh_xml_child(n, "name") ? gh_xml_child(n, "name") : n, l, i);
    gh_xml_close(&x);
}
