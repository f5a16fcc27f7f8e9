/* The explicit list of what is built in (h2o src/main.c style): drivers, user stores, and the HTTP modules in
 * the order their setup() must run (schema before the user store bootstrap, which the key manager needs). */
#include "gatehouse/cluster.h"
#include "gatehouse/consoles.h"
#include "gatehouse/db.h"
#include "gatehouse/gateway.h"
#include "gatehouse/keymanager.h"
#include "gatehouse/portals.h"
#include "gatehouse/registry.h"
#include "gatehouse/schema.h"
#include "gatehouse/scim.h"
#include "gatehouse/userstore.h"

void gh_builtins_register(void)
{
    static int done;

    if (done)
        return;
    done = 1;
    gh_db_register_builtin();
    gh_us_register_builtin();
    /* server modules, in the order their setup() runs */
    gh_schema_register_module();
    gh_us_register_module();
    gh_km_register_builtin(); /* before SCIM, which accepts the key manager's tokens */
    gh_km_register_jwt_plugins();
    gh_scim_register_module();
    gh_portal_register_module(); /* after the key manager: it uses its tokens and clients */
    gh_gw_register_builtin(); /* after the key manager, whose validation it calls in-process */
    gh_consoles_register_module(); /* after the key manager and the user store, whose services it uses */
    gh_cluster_register_module(); /* last: its setup starts relaying what the others publish */
}
