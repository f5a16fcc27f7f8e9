/* The built-in drivers, registered in the plugin registry so that the config loader can validate a
 * driverClassName with gh_registry_find(GH_FAMILY_DB_DRIVER, "org.postgresql.Driver", &err). */
#include <stddef.h>
#include "db/driver.h"
#include "gatehouse/log.h"
#include "gatehouse/registry.h"

static const gh_db_driver_t *const builtin[] = {&gh_db_driver_sqlite, &gh_db_driver_postgresql, &gh_db_driver_mysql};

static const gh_plugin_t plugins[] = {
    {.family = GH_FAMILY_DB_DRIVER, .name = "sqlite", .classes = NULL, .ops = &gh_db_driver_sqlite},
    {.family = GH_FAMILY_DB_DRIVER, .name = "postgresql", .classes = NULL, .ops = &gh_db_driver_postgresql},
    {.family = GH_FAMILY_DB_DRIVER, .name = "mysql", .classes = NULL, .ops = &gh_db_driver_mysql},
};

/* Class lists live in the drivers; the plugin rows are filled from them once. */
static gh_plugin_t rows[sizeof(plugins) / sizeof(plugins[0])];

void gh_db_register_builtin(void)
{
    size_t i;
    gh_err_t err;

    for (i = 0; i < sizeof(plugins) / sizeof(plugins[0]); ++i) {
        /* idempotent, and survives gh_registry_reset() between tests */
        if (gh_registry_find(GH_FAMILY_DB_DRIVER, plugins[i].name, NULL) != NULL)
            continue;
        rows[i] = plugins[i];
        rows[i].classes = builtin[i]->jdbc_classes;
        if (gh_registry_add(&rows[i], &err) != GH_OK)
            gh_log(GH_LOG_ERR, "db", "cannot register driver %s: %s", rows[i].name, err.msg);
    }
}
