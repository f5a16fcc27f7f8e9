/* The backend JWT (X-JWT-Assertion) as WSO2 2.x's JWTGenerator builds it at the key manager: iss
 * wso2.org/products/am, exp, the subscription's claims under the ConsumerDialectURI, then the end user's claims
 * from the claims retriever (never overwriting a standard one). Signed RS256 with the key manager's current
 * key (kid and x5t as in /oauth2/jwks), or unsigned (alg none) with SignatureAlgorithm NONE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <jansson.h>
#include "gatehouse/keymanager.h"
#include "gatehouse/keyval.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/registry.h"
#include "km_int.h"

static int default_claims(gh_us_t *us, const char *user, const char *dialect, gh_us_strlist_t *uris,
                          gh_us_strlist_t *values, gh_err_t *err)
{
    gh_us_user_t u = {0};
    size_t i, dl = strlen(dialect);
    int rc;

    if (us == NULL)
        return GH_OK;
    if ((rc = gh_us_get_user(us, user, &u, err)) < 0)
        return GH_ERR;
    if (rc == 0)
        return GH_OK; /* an application's owner may be gone: no user claims */
    for (i = 0; i < u.claim_uris.n && i < u.claim_values.n; ++i)
        if (strncmp(u.claim_uris.items[i], dialect, dl) == 0 && u.claim_values.items[i] != NULL) {
            gh_us_strlist_push(uris, u.claim_uris.items[i]);
            gh_us_strlist_push(values, u.claim_values.items[i]);
        }
    gh_us_user_dispose(&u);
    return GH_OK;
}

static const gh_claims_retriever_t default_retriever = {.claims = default_claims};
static const gh_jwt_generator_t urlsafe_gen = {.urlsafe = 1}, wso2_gen = {.urlsafe = 0};

void gh_km_register_jwt_plugins(void)
{
    static const char *const claims_classes[] = {"org.wso2.carbon.apimgt.impl.token.DefaultClaimsRetriever", NULL};
    static const char *const urlsafe_classes[] = {"org.wso2.carbon.apimgt.keymgt.token.URLSafeJWTGenerator", NULL};
    static const char *const wso2_classes[] = {"org.wso2.carbon.apimgt.keymgt.token.JWTGenerator", NULL};
    static const gh_plugin_t plugins[] = {
        {GH_FAMILY_CLAIMS, "default", claims_classes, &default_retriever},
        {GH_FAMILY_JWT_GENERATOR, "urlsafe", urlsafe_classes, &urlsafe_gen},
        {GH_FAMILY_JWT_GENERATOR, "wso2", wso2_classes, &wso2_gen},
    };
    size_t i;

    for (i = 0; i < GH_ARRAY_SIZE(plugins); ++i)
        if (gh_registry_find(plugins[i].family, plugins[i].name, NULL) == NULL)
            gh_registry_add(&plugins[i], NULL);
}

static char *encode(const void *in, size_t n, int urlsafe)
{
    char *out = gh_malloc(n * 4 / 3 + 8);

    if (urlsafe)
        gh_km_b64url(in, n, out, n * 4 / 3 + 8);
    else
        EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    return out;
}

/* A claim value: split on the MultiAttributeSeparator (",") into a JSON array when it holds one. */
static json_t *claim_value(const char *v)
{
    json_t *a;
    const char *p = v, *q;

    if (strchr(v, ',') == NULL)
        return json_string(v);
    a = json_array();
    for (;;) {
        q = strchr(p, ',');
        json_array_append_new(a, json_stringn(p, q ? (size_t)(q - p) : strlen(p)));
        if (q == NULL)
            return a;
        p = q + 1;
    }
}

static void put(json_t *o, const char *dialect, const char *name, const char *value)
{
    char key[512];

    snprintf(key, sizeof(key), "%s/%s", dialect, name);
    json_object_set_new(o, key, json_string(value));
}

static int user_claims(gh_km_t *km, json_t *o, const gh_keyval_info_t *info, const char *dialect, gh_err_t *err)
{
    const gh_conf_apim_t *a = &km->conf->apim;
    const gh_plugin_t *p;
    gh_us_strlist_t uris = {0}, values = {0};
    char user[288];
    char *at;
    size_t i;
    int rc;

    if (a->claims_retriever_class == NULL)
        return GH_OK;
    if ((p = gh_registry_find(GH_FAMILY_CLAIMS, a->claims_retriever_class, err)) == NULL)
        return GH_ERR;
    snprintf(user, sizeof(user), "%s", info->end_user);
    if ((at = strrchr(user, '@')) != NULL && strcmp(at, "@carbon.super") == 0)
        *at = '\0';
    rc = ((const gh_claims_retriever_t *)p->ops)->claims(km->us, user, dialect, &uris, &values, err);
    for (i = 0; rc == GH_OK && i < uris.n; ++i)
        if (json_object_get(o, uris.items[i]) == NULL) /* "Skip already existing claim" */
            json_object_set_new(o, uris.items[i], claim_value(values.items[i]));
    gh_us_strlist_dispose(&uris);
    gh_us_strlist_dispose(&values);
    return rc;
}

static json_t *claims(gh_km_t *km, const gh_keyval_req_t *rq, const gh_keyval_info_t *info, gh_err_t *err)
{
    const gh_conf_apim_t *a = &km->conf->apim;
    const char *d = a->consumer_dialect != NULL ? a->consumer_dialect : "http://wso2.org/claims";
    json_t *o = json_object();
    char tenant[16];

    json_object_set_new(o, "iss", json_string("wso2.org/products/am"));
    json_object_set_new(o, "exp", json_integer(gh_km_now_ms() / 1000 + a->jwt_expiry_s));
    put(o, d, "subscriber", info->subscriber);
    put(o, d, "applicationid", info->application_id);
    put(o, d, "applicationname", info->application_name);
    put(o, d, "applicationtier", info->application_tier);
    put(o, d, "apicontext", rq->context);
    put(o, d, "version", rq->version);
    put(o, d, "tier", info->tier);
    put(o, d, "keytype", info->type);
    put(o, d, "usertype", info->user_type);
    put(o, d, "enduser", info->end_user);
    snprintf(tenant, sizeof(tenant), "%d", info->end_user_tenant_id);
    put(o, d, "enduserTenantId", tenant);
    if (user_claims(km, o, info, d, err) != GH_OK) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The current key (a reference) with its kid and x5t, read together so the header names the key that signs. */
static EVP_PKEY *current_key(gh_km_t *km, char *kid, char *x5t)
{
    EVP_PKEY *pkey = NULL;

    pthread_mutex_lock(&km->keys.mu);
    if (km->keys.keys[0] != NULL) {
        pkey = km->keys.keys[0]->pkey;
        EVP_PKEY_up_ref(pkey);
        snprintf(kid, 48, "%s", km->keys.keys[0]->kid);
        snprintf(x5t, 32, "%s", km->keys.keys[0]->x5t);
    }
    pthread_mutex_unlock(&km->keys.mu);
    return pkey;
}

static int sign(EVP_PKEY *pkey, const char *input, unsigned char *sig, size_t *siglen)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
             EVP_DigestSign(ctx, sig, siglen, (const unsigned char *)input, strlen(input)) == 1;

    EVP_MD_CTX_free(ctx);
    return ok ? GH_OK : GH_ERR;
}

int gh_km_backend_jwt(gh_km_t *km, const gh_keyval_req_t *rq, gh_keyval_info_t *info, gh_err_t *err)
{
    const gh_conf_apim_t *a = &km->conf->apim;
    const gh_plugin_t *gen = a->jwt_generator_class ? gh_registry_find(GH_FAMILY_JWT_GENERATOR, a->jwt_generator_class, NULL) : NULL;
    int urlsafe = gen == NULL || ((const gh_jwt_generator_t *)gen->ops)->urlsafe;
    int none = a->jwt_signature_algorithm != NULL && strcmp(a->jwt_signature_algorithm, "NONE") == 0;
    json_t *body;
    char *payload = NULL, *hdr = NULL, *h64 = NULL, *p64 = NULL, *input = NULL, *s64 = NULL;
    char kid[48] = "", x5t[32] = "";
    unsigned char sig[1024];
    size_t siglen = sizeof(sig);
    EVP_PKEY *pkey = NULL;
    int rc = GH_ERR;

    if ((body = claims(km, rq, info, err)) == NULL)
        return GH_ERR;
    payload = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (none) {
        hdr = gh_strdup("{\"typ\":\"JWT\",\"alg\":\"none\"}");
    } else {
        if ((pkey = current_key(km, kid, x5t)) == NULL) {
            gh_err_set(err, GH_E_GENERIC, "no signing key");
            goto out;
        }
        hdr = gh_asprintf("{\"typ\":\"JWT\",\"alg\":\"RS256\",\"x5t\":\"%s\",\"kid\":\"%s\"}", x5t, kid);
    }
    h64 = encode(hdr, strlen(hdr), urlsafe);
    p64 = encode(payload, strlen(payload), urlsafe);
    input = gh_asprintf("%s.%s", h64, p64);
    if (none) {
        info->jwt = gh_asprintf("%s.", input);
        rc = GH_OK;
        goto out;
    }
    if (sign(pkey, input, sig, &siglen) != GH_OK) {
        gh_err_set(err, GH_E_GENERIC, "signing the backend JWT failed");
        goto out;
    }
    s64 = encode(sig, siglen, urlsafe);
    info->jwt = gh_asprintf("%s.%s", input, s64);
    rc = GH_OK;
out:
    EVP_PKEY_free(pkey);
    free(payload);
    free(hdr);
    free(h64);
    free(p64);
    free(input);
    free(s64);
    return rc;
}
