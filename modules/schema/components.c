/* Which schema components each configured datasource carries, from the WSO2 conf files, and the
 * `--setup` driver that sets up every such datasource. */
#include <string.h>
#include "gatehouse/schema.h"
#include "gatehouse/conf.h"
#include "gatehouse/db.h"
#include "gatehouse/log.h"

#define CARBON_DB_JNDI "jdbc/WSO2CarbonDB"
#define CARBON_DB_NAME "WSO2_CARBON_DB"

static int eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Does the reference `ref` (a JNDI name or a datasource <name>, as the conf files use) name ds? */
static int names(const gh_conf_datasource_t *ds, const char *ref)
{
    return eq(ds->jndi_name, ref) || eq(ds->name, ref);
}

int gh_schema_components_for(const gh_conf_t *conf, const gh_conf_datasource_t *ds, const char **out, size_t max)
{
    const gh_conf_datasource_t *own = conf->user_mgt.own_ds;
    /* WSO2's defaults when an element is absent: the realm uses the carbon DB. */
    const char *realm = conf->user_mgt.datasource != NULL ? conf->user_mgt.datasource : CARBON_DB_JNDI;
    int carries[4];
    static const char *const order[4] = {"registry", "um", "identity", "apimgt"};
    size_t i, n = 0;

    if (max == 0)
        return 0;
    carries[0] = names(ds, CARBON_DB_JNDI) || names(ds, CARBON_DB_NAME);
    /* A user store with its own url keeps UM_USER & co there; the realm datasource still carries the hybrid
     * roles and permissions, so both get the um tables. */
    carries[1] = names(ds, realm) || (own != NULL && (ds == own || eq(ds->name, own->name)));
    carries[2] = names(ds, conf->identity.datasource);
    carries[3] = names(ds, conf->apim.datasource);
    for (i = 0; i < 4 && n + 1 < max; ++i)
        if (carries[i])
            out[n++] = order[i];
    out[n] = NULL;
    return (int)n;
}

static int setup_ds(const gh_conf_t *conf, const gh_conf_datasource_t *ds, gh_err_t *err)
{
    const char *comps[5];
    gh_db_pool_t *pool = NULL;
    int rc;

    if (gh_schema_components_for(conf, ds, comps, 5) == 0) {
        gh_log(GH_LOG_DEBUG, "schema", "datasource %s carries no Gatehouse tables; skipped", ds->name);
        return GH_OK;
    }
    if (gh_db_pool_create(ds, &pool, err) != GH_OK)
        return GH_ERR;
    rc = gh_schema_setup(pool, comps, err);
    gh_db_pool_destroy(pool);
    return rc;
}

int gh_schema_setup_all(const gh_conf_t *conf, gh_err_t *err)
{
    size_t i;

    gh_db_register_builtin();
    for (i = 0; i < conf->datasources.n; ++i)
        if (setup_ds(conf, &conf->datasources.items[i], err) != GH_OK)
            return GH_ERR;
    if (conf->user_mgt.own_ds != NULL && setup_ds(conf, conf->user_mgt.own_ds, err) != GH_OK)
        return GH_ERR;
    return GH_OK;
}
