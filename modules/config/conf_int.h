/* Private to modules/config/: the state shared by the per-file loaders during one gh_conf_load(). */
#ifndef GH_CONFIG_CONF_INT_H
#define GH_CONFIG_CONF_INT_H

#include "gatehouse/conf.h"
#include "xml.h"

/* A `jdbc/...` name one file uses and master-datasources.xml must define; checked in the finish step. */
typedef struct st_gh_conf_ref_t {
    const char *file; /* pool string */
    int line;
    const char *element; /* static */
    const char *name;    /* pool string */
} gh_conf_ref_t;

typedef struct st_gh_conf_ctx_t {
    gh_conf_t *conf;
    const char *dir_shown; /* the conf folder as the caller spelled it: messages name files below it */
    gh_diag_list_t *d;
    gh_xml_pool_t *pool; /* the conf's arena */
    gh_xml_vars_t vars;
    gh_conf_ref_t *refs;
    size_t n_refs, cap_refs;
} gh_conf_ctx_t;

/* Open conf->dir/rel as x (display path, pool, vars, carbon_home filled in). Returns like gh_xml_open, but
 * reports a missing file as an error when required. */
int gh_conf_open(gh_conf_ctx_t *c, gh_xml_doc_t *x, const char *rel, const char *root, int required);

/* Remember a datasource reference for the finish step. */
void gh_conf_add_ref(gh_conf_ctx_t *c, const char *file, int line, const char *element, const char *name);

/* Check cls against the registry family, only when that family has at least one plugin registered (so the
 * loaders work before every module exists). Reports an error at node. Returns 0 ok/unchecked, -1 unknown. */
int gh_conf_check_class(gh_xml_doc_t *x, const xmlNode *node, const char *element, const char *family,
                        const char *cls);

/* Read <Property name="...">value</Property> children of parent into props (strings in the pool). */
void gh_conf_read_props(gh_conf_ctx_t *c, gh_xml_doc_t *x, const xmlNode *parent, gh_conf_props_t *props);
/* Line of the named property, 0 when absent. */
int gh_conf_prop_line(const gh_conf_props_t *p, const char *name);

/* jdbc:h2: and jdbc:sqlite: URLs with a relative path are made absolute against carbon_home (WSO2 resolves
 * repository/database/... against CARBON_HOME). New heap string. */
char *gh_conf_absolutize_url(const char *url, const char *carbon_home);

/* Defaults of a datasource (Tomcat pool / conf.h). */
void gh_conf_datasource_defaults(gh_conf_datasource_t *ds);

/* The per-file loaders, called in this order by gh_conf_load(). Each reports into c->d and keeps going. */
void gh_conf_carbon_load(gh_conf_ctx_t *c);
void gh_conf_datasources_load(gh_conf_ctx_t *c);
void gh_conf_user_mgt_load(gh_conf_ctx_t *c);
void gh_conf_identity_load(gh_conf_ctx_t *c);
void gh_conf_embedded_ldap_load(gh_conf_ctx_t *c);
void gh_conf_apim_load(gh_conf_ctx_t *c);

#endif
