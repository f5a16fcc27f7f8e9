/* The "in-process" key-validation client: the key manager of this process, called directly on the job
 * worker (no SOAP, no Thrift, no socket). Split deployments will register an HTTP(S) client here. */
#include "gatehouse/keymanager.h"
#include "gatehouse/registry.h"
#include "gw_int.h"

static void *create(void *srv, gh_err_t *err)
{
    gh_km_t *km = gh_server_km(srv);

    if (km == NULL)
        gh_err_set(err, GH_E_CONFIG,
                   "the gateway validates keys in-process and this profile runs no key manager (add key-manager to "
                   "--profile)");
    return km;
}

static int validate(void *cls, const gh_keyval_req_t *req, gh_keyval_info_t *out, gh_err_t *err)
{
    return gh_km_validate_key(cls, req, out, err);
}

static void destroy(void *cls)
{
    (void)cls;
}

static const gh_keyval_client_t inproc = {.name = "in-process", .create = create, .validate = validate, .destroy = destroy};

void gw_register_kv_inproc(void)
{
    static const char *const classes[] = {"org.wso2.carbon.apimgt.keymgt.handlers.DefaultKeyValidationHandler", NULL};
    static const gh_plugin_t p = {GH_FAMILY_KEY_VALIDATION, "in-process", classes, &inproc};

    if (gh_registry_find(GH_FAMILY_KEY_VALIDATION, "in-process", NULL) == NULL)
        gh_registry_add(&p, NULL);
}
