/* gh_conf_load: read the six WSO2 files in a fixed order, then resolve cross references in one place. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "conf_int.h"
#include "gatehouse/gh.h"
#include "gatehouse/mem.h"

static char *parent_of(const char *dir)
{
    char *p = gh_strdup(dir);
    char *slash = strrchr(p, '/');

    if (slash == NULL) return p;
    if (slash == p)
        slash[1] = '\0';
    else
        *slash = '\0';
    return p;
}

/* CARBON_HOME/repository/conf is WSO2's layout; a bare conf/ folder's home is its parent. */
static char *default_home(const char *dir)
{
    size_t n = strlen(dir), k = strlen("/repository/conf");
    char *up, *home;

    if (n >= k && strcmp(dir + n - k, "/repository/conf") == 0) {
        up = parent_of(dir);
        home = parent_of(up);
        free(up);
        return home;
    }
    return parent_of(dir);
}

const gh_conf_datasource_t *gh_conf_find_datasource(const gh_conf_t *conf, const char *jndi_or_name)
{
    size_t i;
    const gh_conf_datasource_t *ds;

    if (jndi_or_name == NULL) return NULL;
    for (i = 0; i < conf->datasources.n; ++i) {
        ds = &conf->datasources.items[i];
        if ((ds->jndi_name != NULL && strcmp(ds->jndi_name, jndi_or_name) == 0) ||
            (ds->name != NULL && strcmp(ds->name, jndi_or_name) == 0))
            return ds;
    }
    return NULL;
}

static void resolve_ref(gh_conf_ctx_t *c, const gh_conf_ref_t *r)
{
    char known[600];
    size_t i, len = 0;
    const gh_conf_datasource_t *ds;

    if (gh_conf_find_datasource(c->conf, r->name) != NULL) return;
    known[0] = '\0';
    for (i = 0; i < c->conf->datasources.n && len < sizeof(known); ++i) {
        ds = &c->conf->datasources.items[i];
        len += (size_t)snprintf(known + len, sizeof(known) - len, "%s%s%s%s%s", len ? ", " : "",
                                ds->jndi_name ? ds->jndi_name : "", ds->jndi_name ? " (" : "",
                                ds->name ? ds->name : "?", ds->jndi_name ? ")" : "");
    }
    gh_diag_add(c->d, GH_DIAG_ERROR, r->file, r->line, r->element,
                "datasource '%s' is not defined in %s/datasources/master-datasources.xml; known: %s", r->name,
                c->dir_shown, known[0] ? known : "(none)");
}

/* Cross references between files, in one place (nginx merge_*_conf). */
static void finish(gh_conf_ctx_t *c)
{
    gh_conf_t *conf = c->conf;
    size_t i;

    for (i = 0; i < c->n_refs; ++i)
        resolve_ref(c, &c->refs[i]);
    if (conf->carbon.mgt_host_name == NULL) conf->carbon.mgt_host_name = conf->carbon.host_name;
}

static void reset_vars(gh_conf_ctx_t *c)
{
    gh_conf_t *conf = c->conf;

    gh_xml_vars_standard(&c->vars, conf->carbon_home, conf->carbon.host_name, conf->carbon.port_offset,
                         conf->user_mgt.admin_user, conf->user_mgt.admin_password);
}

static int set_dirs(gh_conf_t *conf, gh_xml_pool_t *pool, const char *dir, const char *carbon_home,
                    gh_diag_list_t *d)
{
    char real[PATH_MAX];
    struct stat st;

    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || realpath(dir, real) == NULL) {
        gh_diag_add(d, GH_DIAG_ERROR, dir, 0, NULL,
                    "the configuration folder does not exist or is not a folder; give the path of the folder "
                    "that holds carbon.xml (WSO2's repository/conf)");
        return GH_ERR;
    }
    conf->dir = gh_xml_pool_strdup(pool, real);
    if (carbon_home != NULL && realpath(carbon_home, real) != NULL)
        conf->carbon_home = gh_xml_pool_strdup(pool, real);
    else if (carbon_home != NULL)
        conf->carbon_home = gh_xml_pool_strdup(pool, carbon_home);
    else
        conf->carbon_home = gh_xml_pool_keep(pool, default_home(conf->dir));
    return GH_OK;
}

int gh_conf_load(const char *dir, const char *carbon_home, gh_conf_t *conf, gh_diag_list_t *d)
{
    gh_conf_ctx_t c;
    gh_xml_pool_t *pool = gh_calloc(1, sizeof(*pool));
    gh_diag_list_t local = {0};
    int rc;

    if (d == NULL) d = &local; /* the caller only wants the verdict */

    memset(conf, 0, sizeof(*conf));
    conf->_arena = pool;
    memset(&c, 0, sizeof(c));
    c.conf = conf;
    c.d = d;
    c.pool = pool;
    c.dir_shown = gh_xml_pool_strdup(pool, dir);
    if (set_dirs(conf, pool, dir, carbon_home, d) != GH_OK) {
        gh_diag_dispose(&local);
        return GH_ERR;
    }
    reset_vars(&c);
    gh_conf_carbon_load(&c); /* also refreshes the variables with HostName and Offset */
    gh_conf_datasources_load(&c);
    gh_conf_user_mgt_load(&c);
    reset_vars(&c); /* ${admin.username} / ${admin.password} come from user-mgt.xml */
    gh_conf_identity_load(&c);
    gh_conf_embedded_ldap_load(&c);
    gh_conf_apim_load(&c);
    finish(&c);
    gh_xml_vars_dispose(&c.vars);
    free(c.refs);
    rc = d->n_errors > 0 ? GH_ERR : GH_OK;
    gh_diag_dispose(&local);
    return rc;
}

static void free_ds_list(gh_conf_datasources_t *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

void gh_conf_dispose(gh_conf_t *conf)
{
    if (conf == NULL) return;
    free_ds_list(&conf->datasources);
    free(conf->user_mgt.realm_props.items);
    free(conf->user_mgt.usm_props.items);
    free(conf->user_mgt.authz_props.items);
    free(conf->user_mgt.own_ds);
    free(conf->identity.grant_types);
    if (conf->_arena != NULL) {
        gh_xml_pool_dispose(conf->_arena);
        free(conf->_arena);
    }
    memset(conf, 0, sizeof(*conf));
}
