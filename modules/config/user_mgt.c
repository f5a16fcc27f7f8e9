/* user-mgt.xml: the realm (admin user and roles), the primary user store and the authorization manager. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "conf_int.h"
#include "gatehouse/mem.h"
#include "gatehouse/registry.h"

#define F(field) offsetof(gh_conf_user_mgt_t, field)

static const gh_xml_directive_t cfg_rows[] = {
    {"AddAdmin", GH_XML_BOOL, F(add_admin), 0, 0, "true", 0},
    {"AdminRole", GH_XML_STRING, F(admin_role), 0, 0, "admin", 0},
    {"AdminUser/UserName", GH_XML_STRING, F(admin_user), 0, 0, "admin", 0},
    {"AdminUser/Password", GH_XML_STRING, F(admin_password), 0, 0, "admin", 0},
    {"EveryOneRoleName", GH_XML_STRING, F(everyone_role), 0, 0, "everyone", 0},
};

static const char *const known_root[] = {"Realm", NULL};
static const char *const known_realm[] = {"Configuration", "UserStoreManager", "AuthorizationManager", NULL};
static const char *const known_cfg[] = {"AddAdmin", "AdminRole",      "AdminUser",     "EveryOneRoleName",
                                        "Property", "SystemUserName", "AnonymousUser", NULL};

/* An int user-store property such as maxActive: absent leaves *out alone. */
static void prop_int(gh_xml_doc_t *x, const gh_conf_props_t *p, const char *name, long min, long max,
                     int *out)
{
    const char *v = gh_conf_prop(p, name);

    if (v == NULL || v[0] == '\0') return;
    if (gh_xml_parse_int(v, min, max, out) != 0)
        gh_diag_add(x->d, GH_DIAG_ERROR, x->file, gh_conf_prop_line(p, name), name,
                    "'%s' is not a whole number between %ld and %ld", v, min, max);
}

/* The WSO2 tutorial style: the JDBC user store names its own database instead of a dataSource. */
static gh_conf_datasource_t *own_datasource(gh_conf_ctx_t *c, gh_xml_doc_t *x, const gh_conf_props_t *p)
{
    gh_conf_datasource_t *ds;
    const char *url = gh_conf_prop(p, "url");

    if (url == NULL || url[0] == '\0') return NULL;
    ds = gh_calloc(1, sizeof(*ds));
    gh_conf_datasource_defaults(ds);
    ds->name = gh_xml_pool_strdup(c->pool, "userstore:PRIMARY");
    ds->type = gh_xml_pool_strdup(c->pool, "RDBMS");
    ds->url = gh_xml_pool_keep(c->pool, gh_conf_absolutize_url(url, c->conf->carbon_home));
    ds->username = gh_xml_pool_strdup(c->pool, gh_conf_prop(p, "userName"));
    ds->password = gh_xml_pool_strdup(c->pool, gh_conf_prop(p, "password"));
    ds->driver_class = gh_xml_pool_strdup(c->pool, gh_conf_prop(p, "driverName"));
    ds->validation_query = gh_xml_pool_strdup(c->pool, gh_conf_prop(p, "validationQuery"));
    prop_int(x, p, "maxActive", 1, 10000, &ds->max_active);
    prop_int(x, p, "maxWait", 0, 0x7fffffff, &ds->max_wait_ms);
    prop_int(x, p, "minIdle", 0, 10000, &ds->min_idle);
    ds->file = x->file;
    ds->line = gh_conf_prop_line(p, "url");
    return ds;
}

static void load_usm(gh_conf_ctx_t *c, gh_xml_doc_t *x, const xmlNode *realm)
{
    gh_conf_user_mgt_t *um = &c->conf->user_mgt;
    const xmlNode *usm = gh_xml_child(realm, "UserStoreManager"), *more;
    char *cls;

    if (usm == NULL) {
        gh_xml_error(x, realm, "UserStoreManager", "required element is missing (inside <Realm>)");
        return;
    }
    um->usm_line = (int)xmlGetLineNo(usm);
    if ((cls = gh_xml_attr(usm, "class")) == NULL || cls[0] == '\0')
        gh_xml_error(x, usm, "UserStoreManager",
                     "the class=\"...\" attribute is required, e.g. "
                     "org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager");
    um->usm_class = gh_xml_pool_strdup(c->pool, cls != NULL && cls[0] != '\0' ? cls : NULL);
    xmlFree(cls);
    gh_conf_check_class(x, usm, "UserStoreManager", GH_FAMILY_USERSTORE, um->usm_class);
    gh_conf_read_props(c, x, usm, &um->usm_props);
    for (more = usm; (more = gh_xml_next(realm, more, "UserStoreManager")) != NULL;)
        gh_xml_warn(x, more, "UserStoreManager",
                    "secondary user stores are not supported by Gatehouse; ignored");
    um->own_ds = own_datasource(c, x, &um->usm_props);
    if (um->own_ds != NULL)
        gh_conf_check_class(x, usm, "UserStoreManager/driverName", GH_FAMILY_DB_DRIVER,
                            um->own_ds->driver_class);
}

static void load_authz(gh_conf_ctx_t *c, gh_xml_doc_t *x, const xmlNode *realm)
{
    gh_conf_user_mgt_t *um = &c->conf->user_mgt;
    const xmlNode *az = gh_xml_child(realm, "AuthorizationManager");
    char *cls;

    if (az == NULL) return;
    cls = gh_xml_attr(az, "class");
    um->authz_class = gh_xml_pool_strdup(c->pool, cls != NULL && cls[0] != '\0' ? cls : NULL);
    xmlFree(cls);
    gh_conf_check_class(x, az, "AuthorizationManager", GH_FAMILY_AUTHZ_MANAGER, um->authz_class);
    gh_conf_read_props(c, x, az, &um->authz_props);
}

void gh_conf_user_mgt_load(gh_conf_ctx_t *c)
{
    gh_xml_doc_t x;
    gh_conf_user_mgt_t *um = &c->conf->user_mgt;
    const xmlNode *realm, *cfg;
    int line;

    if (gh_conf_open(c, &x, "user-mgt.xml", "UserManager", 1) != 1) return;
    um->line = (int)xmlGetLineNo(x.root);
    gh_xml_warn_unknown(&x, x.root, known_root);
    if ((realm = gh_xml_child(x.root, "Realm")) == NULL) {
        gh_xml_error(&x, x.root, "Realm", "required element is missing (inside <UserManager>)");
        goto out;
    }
    gh_xml_warn_unknown(&x, realm, known_realm);
    if ((cfg = gh_xml_child(realm, "Configuration")) == NULL) {
        gh_xml_error(&x, realm, "Configuration", "required element is missing (inside <Realm>)");
        goto out;
    }
    gh_xml_apply(&x, cfg, cfg_rows, GH_ARRAY_SIZE(cfg_rows), um);
    gh_xml_warn_unknown(&x, cfg, known_cfg);
    gh_conf_read_props(c, &x, cfg, &um->realm_props);
    um->datasource = (char *)gh_conf_prop(&um->realm_props, "dataSource");
    load_usm(c, &x, realm);
    load_authz(c, &x, realm);
    line = gh_conf_prop_line(&um->realm_props, "dataSource");
    if (um->own_ds == NULL) {
        if (um->datasource == NULL || um->datasource[0] == '\0')
            gh_xml_error(&x, cfg, "Property name=\"dataSource\"",
                         "the realm needs a datasource: add <Property "
                         "name=\"dataSource\">jdbc/WSO2CarbonDB</Property> "
                         "or give the user store its own url/userName/password/driverName properties");
        else
            gh_conf_add_ref(c, x.file, line, "Property name=\"dataSource\"", um->datasource);
    }
out:
    gh_xml_close(&x);
}
