/* The key-manager server module: state built at start-up (storage mode, server secret, signing keys, caches,
 * seeded scopes, issuers), its routes on the management listeners, and the identity.xml classes it accepts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/crypto.h>
#include "gatehouse/conf.h"
#include "gatehouse/keymanager.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/registry.h"
#include "km_int.h"

static gh_km_t *instance;

static int storage_mode(gh_km_t *km, gh_err_t *err)
{
    const gh_conf_identity_t *id = &km->conf->identity;
    const gh_plugin_t *p;

    if (id->token_persistence_processor != NULL) {
        if ((p = gh_registry_find(GH_FAMILY_TOKEN_PROCESSOR, id->token_persistence_processor, err)) == NULL)
            return gh_err_set(err, GH_E_CONFIG, "identity.xml TokenPersistenceProcessor: %s", err->msg);
        km->plain_tokens = strcmp(p->name, "plain") == 0;
    }
    /* WSO2's plain storage needs both switches; anything else hashes (docs/keymanager.md) */
    km->plain_secrets = km->plain_tokens && !id->enable_client_secret_hash;
    return GH_OK;
}

static void issuers(gh_km_t *km)
{
    const gh_conf_t *conf = km->conf;
    const char *host = conf->carbon.mgt_host_name ? conf->carbon.mgt_host_name : conf->carbon.host_name;
    int hs = gh_server_port(km->srv, GH_LST_MGT_HTTPS), hp = gh_server_port(km->srv, GH_LST_MGT_HTTP);
    char *def;

    km->base[0] = gh_asprintf("https://%s:%d", host, hs);
    km->base[1] = gh_asprintf("http://%s:%d", host, hp);
    def = gh_asprintf("%s/oauth2/token", km->base[0]);
    if (conf->identity.id_token_issuer == NULL || strcmp(conf->identity.id_token_issuer, def) == 0) {
        /* the stock value names the https listener; the http listener gets its own, matching its discovery */
        km->iss[0] = def;
        km->iss[1] = gh_asprintf("%s/oauth2/token", km->base[1]);
    } else {
        free(def);
        km->iss[0] = gh_strdup(conf->identity.id_token_issuer);
        km->iss[1] = gh_strdup(conf->identity.id_token_issuer);
    }
}

static int seed(gh_km_t *km, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int rc;

    if (gh_db_borrow(km->pool, &c, err) != GH_OK)
        rc = GH_ERR;
    else
        rc = gh_km_scopes_seed(km, c, err);
    gh_db_return(c);
    if (rc != GH_OK && (err->code == GH_DB_E_CONN_LOST || err->code == GH_DB_E_TIMEOUT)) {
        gh_log(GH_LOG_ERR, "keymanager", "scopes not seeded, datasource unreachable: %s", err->msg);
        gh_err_clear(err);
        rc = GH_OK;
    }
    return rc;
}

static int add_routes(gh_km_t *km, gh_err_t *err)
{
    static const struct {
        const char *path, *methods;
        gh_route_fn fn;
    } routes[] = {
        {"/oauth2/token", "POST", gh_km_on_token},
        {"/oauth2/revoke", "POST", gh_km_on_revoke},
        {"/oauth2/introspect", "POST", gh_km_on_introspect},
        {"/oauth2/jwks", "GET", gh_km_on_jwks},
        {"/oauth2/authorize", "GET POST", gh_km_on_authorize},
        {"/oauth2/userinfo", "GET POST", gh_km_on_userinfo},
        {"/oauth2/token/.well-known/openid-configuration", "GET", gh_km_on_discovery},
        {"/oauth2/oidcdiscovery/.well-known/openid-configuration", "GET", gh_km_on_discovery},
        {"/.well-known/openid-configuration", "GET", gh_km_on_discovery},
        {"/api/identity/oauth2/dcr/v1.1/register", "GET POST PUT DELETE", gh_km_on_dcr},
        {"/client-registration/v0.14/register", "POST", gh_km_on_apim_dcr},
        {"/services/APIKeyValidationService/validateKey", "POST", gh_km_on_keyval},
    };
    size_t i;

    for (i = 0; i < GH_ARRAY_SIZE(routes); ++i)
        if (gh_server_route_methods(km->srv, GH_ON_MGT, routes[i].path, routes[i].methods, routes[i].fn, km, err) !=
            GH_OK)
            return GH_ERR;
    return GH_OK;
}

/* A portal node's key manager works on the same clients and tokens as the key managers of the deployment, so it
 * must hash secrets and sign with their key material: it never makes its own. */
static int missing_key_material(const gh_km_t *km, const char *sec_dir, gh_err_t *err)
{
    char *secret = gh_asprintf("%s/gatehouse-secret.key", sec_dir), *keys = gh_asprintf("%s/oauth-keys", sec_dir);
    struct stat st;
    int missing = stat(secret, &st) != 0 || (km->conf->carbon.key_file == NULL && stat(keys, &st) != 0);

    if (missing)
        gh_err_set(err, GH_E_CONFIG,
                   "this process runs the publisher, devportal or admin without the key-manager role, so it serves "
                   "their tokens, keys and sign-in with the deployment's key material, which must come from a key "
                   "manager node: copy its security/gatehouse-secret.key and security/oauth-keys/ to %s before the "
                   "first start (docs/deployment.md)",
                   sec_dir);
    free(secret);
    free(keys);
    return missing;
}

static int on_setup(gh_server_t *srv, gh_err_t *err)
{
    const gh_conf_t *conf = gh_server_conf(srv);
    gh_km_t *km = gh_calloc(1, sizeof(*km));
    char *sec_dir = gh_asprintf("%s/security", conf->dir), *path = NULL;
    int rc = GH_ERR;

    instance = km;
    km->srv = srv;
    km->conf = conf;
    gh_km_cache_init(&km->tokens, sizeof(gh_km_tok_t), 200000);
    gh_km_cache_init(&km->apps, sizeof(gh_km_app_t), 10000);
    gh_km_cache_init(&km->callers, sizeof(unsigned), 10000);
    gh_km_cache_init(&km->nonces, 256, 100000);
    if ((km->pool = gh_server_pool(srv, conf->identity.datasource)) == NULL) {
        gh_err_set(err, GH_E_CONFIG, "identity.xml: the datasource %s is not open",
                   conf->identity.datasource ? conf->identity.datasource : "(none)");
        goto out;
    }
    km->apim_tables = conf->apim.datasource != NULL && gh_server_pool(srv, conf->apim.datasource) == km->pool;
    if ((km->us = gh_server_userstore(srv)) == NULL)
        gh_log(GH_LOG_WARN, "keymanager", "no user store: the password grant and DCR are unavailable");
    if (storage_mode(km, err) != GH_OK)
        goto out;
    if (mkdir(sec_dir, 0700) != 0 && errno != EEXIST) {
        gh_err_set(err, GH_E_CONFIG, "cannot create %s: %s", sec_dir, strerror(errno));
        goto out;
    }
    path = gh_asprintf("%s/gatehouse-secret.key", sec_dir);
    if (!(gh_server_roles(srv) & GH_ROLE_KM) && missing_key_material(km, sec_dir, err))
        goto out;
    if (gh_km_secret_load(path, km->secret, err) != GH_OK)
        goto out;
    free(path);
    path = gh_asprintf("%s/oauth-keys", sec_dir);
    if (gh_km_keyring_init(&km->keys, path, conf->carbon.key_file, conf->carbon.cert_file, err) != GH_OK)
        goto out;
    issuers(km);
    free(path);
    path = gh_asprintf("%s/trusted-issuers", sec_dir);
    if (gh_km_issuers_load(km, path, err) != GH_OK)
        goto out;
    if (seed(km, err) != GH_OK || add_routes(km, err) != GH_OK)
        goto out;
    gh_km_purge_start(km);
    gh_km_events_start(km);
    gh_server_set_km(srv, km);
    gh_log(GH_LOG_INFO, "keymanager", "tokens stored %s, client secrets %s, signing key %s",
           km->plain_tokens ? "plain" : "hashed", km->plain_secrets ? "plain" : "HMAC-SHA256", km->keys.keys[0]->kid);
    rc = GH_OK;
out:
    free(sec_dir);
    free(path);
    return rc;
}

static void on_dispose(gh_server_t *srv)
{
    gh_km_t *km = instance;
    int i;

    (void)srv;
    if (km == NULL)
        return;
    gh_km_events_stop(km);
    gh_km_purge_stop(km);
    gh_km_cache_dispose(&km->tokens);
    gh_km_cache_dispose(&km->apps);
    gh_km_cache_dispose(&km->callers);
    gh_km_cache_dispose(&km->nonces);
    if (km->keys.dir != NULL)
        gh_km_keyring_dispose(&km->keys);
    gh_km_issuers_dispose(km);
    for (i = 0; i < 2; ++i) {
        free(km->iss[i]);
        free(km->base[i]);
    }
    OPENSSL_cleanse(km->secret, sizeof(km->secret));
    free(km);
    instance = NULL;
}

/* The portals and consoles need a key manager too (bearer tokens, generate-keys, sign-in): a publisher, devportal or
 * admin process without the key-manager role runs one for them over the shared database (on_setup). */
static const gh_module_t km_module = {.name = "keymanager",
                                      .roles = GH_ROLE_KM | GH_ROLE_PUBLISHER | GH_ROLE_DEVPORTAL | GH_ROLE_ADMIN,
                                      .setup = on_setup,
                                      .dispose = on_dispose};

/* The token persistence processors of identity.xml: the registry resolves the class, the module reads the name. */
static const int processor_ops;
static const char *const plain_classes[] = {"org.wso2.carbon.identity.oauth.tokenprocessor.PlainTextPersistenceProcessor",
                                            NULL};
static const char *const hash_classes[] = {"org.wso2.carbon.identity.oauth.tokenprocessor.HashingPersistenceProcessor",
                                           NULL};

void gh_km_register_builtin(void)
{
    static const gh_plugin_t plugins[] = {
        {.family = GH_FAMILY_MODULE, .name = "keymanager", .ops = &km_module},
        {.family = GH_FAMILY_TOKEN_PROCESSOR, .name = "plain", .classes = plain_classes, .ops = &processor_ops},
        {.family = GH_FAMILY_TOKEN_PROCESSOR, .name = "hashing", .classes = hash_classes, .ops = &processor_ops},
    };
    size_t i;

    for (i = 0; i < GH_ARRAY_SIZE(plugins); ++i)
        gh_registry_add(&plugins[i], NULL);
}

int gh_km_keys_rotate(const gh_conf_t *conf, long max_age_s, gh_err_t *err)
{
    char *sec = gh_asprintf("%s/security", conf->dir), *dir = gh_asprintf("%s/oauth-keys", sec);
    int rc;

    if (mkdir(sec, 0700) != 0 && errno != EEXIST)
        rc = gh_err_set(err, GH_E_CONFIG, "cannot create %s: %s", sec, strerror(errno));
    else
        rc = gh_km_keys_generate(dir, max_age_s, err);
    free(sec);
    free(dir);
    return rc;
}
