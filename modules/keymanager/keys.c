/* Signing-key files: generation (RSA 3072 + self-signed certificate), loading and the two-key ring. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/bn.h>
#include "gatehouse/mem.h"
#include "km_keys.h"
#include "km_util.h"

static X509 *self_sign(EVP_PKEY *pkey)
{
    X509 *x = X509_new();
    X509_NAME *name;
    unsigned char serial[16];
    BIGNUM *bn;

    gh_km_random(serial, sizeof(serial));
    serial[0] &= 0x7f;
    bn = BN_bin2bn(serial, sizeof(serial), NULL);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
    BN_free(bn);
    X509_set_version(x, 2);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 24 * 3600);
    X509_set_pubkey(x, pkey);
    name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"gatehouse-oauth-signing", -1, -1, 0);
    X509_set_issuer_name(x, name);
    if (X509_sign(x, pkey, EVP_sha256()) == 0) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int prune(const char *dir, long max_age_s)
{
    struct dirent **list = NULL;
    int n, i, kept = 0;
    time_t now = time(NULL);

    n = scandir(dir, &list, NULL, alphasort);
    for (i = n - 1; i >= 0; --i) {
        const char *f = list[i]->d_name;
        size_t l = strlen(f);
        if (l > 4 && strcmp(f + l - 4, ".pem") == 0) {
            kept++;
            if (kept > 2 && max_age_s > 0) {
                char *p = gh_asprintf("%s/%s", dir, f);
                struct stat st;
                if (stat(p, &st) == 0 && now - st.st_mtime > max_age_s)
                    unlink(p);
                free(p);
            }
        }
        free(list[i]);
    }
    free(list);
    return GH_OK;
}

int gh_km_keys_generate(const char *dir, long max_age_s, gh_err_t *err)
{
    EVP_PKEY *pkey = NULL;
    X509 *cert = NULL;
    FILE *f = NULL;
    char *path = NULL, *tmp = NULL, rnd[GH_KM_TOKEN_LEN];
    int fd, rc = GH_ERR;

    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return gh_err_set(err, GH_E_CONFIG, "cannot create %s: %s", dir, strerror(errno));
    if ((pkey = EVP_RSA_gen(3072)) == NULL || (cert = self_sign(pkey)) == NULL) {
        gh_err_set(err, GH_E_GENERIC, "RSA key generation failed");
        goto out;
    }
    gh_km_client_id(rnd);
    rnd[8] = '\0';
    path = gh_asprintf("%s/%010lld-%s.pem", dir, (long long)time(NULL), rnd);
    tmp = gh_asprintf("%s.tmp", path);
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 || (f = fdopen(fd, "w")) == NULL) {
        gh_err_set(err, GH_E_CONFIG, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (!PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) || !PEM_write_X509(f, cert)) {
        gh_err_set(err, GH_E_GENERIC, "cannot write the key to %s", tmp);
        goto out;
    }
    if (fclose(f) != 0) {
        f = NULL;
        gh_err_set(err, GH_E_CONFIG, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    f = NULL;
    /* rename: other processes never read a half-written key */
    if (rename(tmp, path) != 0) {
        gh_err_set(err, GH_E_CONFIG, "cannot rename %s: %s", tmp, strerror(errno));
        goto out;
    }
    prune(dir, max_age_s);
    rc = GH_OK;
out:
    if (f != NULL)
        fclose(f);
    if (rc != GH_OK && tmp != NULL)
        unlink(tmp);
    free(path);
    free(tmp);
    EVP_PKEY_free(pkey);
    X509_free(cert);
    return rc;
}

static void digest_b64(X509 *cert, const EVP_MD *md, size_t take, char *out, size_t size)
{
    unsigned char d[64];
    unsigned int n = sizeof(d);

    X509_digest(cert, md, d, &n);
    gh_km_b64url(d, take < n ? take : n, out, size);
}

gh_km_key_t *gh_km_key_load(const char *key_path, const char *cert_path, gh_err_t *err)
{
    gh_km_key_t *k = gh_calloc(1, sizeof(*k));
    FILE *f;

    if ((f = fopen(key_path, "r")) == NULL) {
        gh_err_set(err, GH_E_CONFIG, "cannot read signing key %s: %s", key_path, strerror(errno));
        goto fail;
    }
    k->pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if ((f = fopen(cert_path, "r")) == NULL) {
        gh_err_set(err, GH_E_CONFIG, "cannot read certificate %s: %s", cert_path, strerror(errno));
        goto fail;
    }
    k->cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (k->pkey == NULL || k->cert == NULL || EVP_PKEY_get_base_id(k->pkey) != EVP_PKEY_RSA) {
        gh_err_set(err, GH_E_CONFIG, "%s: expected a PEM RSA private key and certificate", key_path);
        goto fail;
    }
    if (EVP_PKEY_get_bits(k->pkey) < 2048) {
        gh_err_set(err, GH_E_CONFIG, "%s: RSA keys below 2048 bits are refused", key_path);
        goto fail;
    }
    digest_b64(k->cert, EVP_sha256(), 16, k->kid, sizeof(k->kid));
    digest_b64(k->cert, EVP_sha1(), 20, k->x5t, sizeof(k->x5t));
    digest_b64(k->cert, EVP_sha256(), 32, k->x5t256, sizeof(k->x5t256));
    return k;
fail:
    gh_km_key_free(k);
    return NULL;
}

void gh_km_key_free(gh_km_key_t *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey);
    X509_free(k->cert);
    free(k);
}

static json_t *bn_json(EVP_PKEY *pkey, const char *which)
{
    BIGNUM *bn = NULL;
    unsigned char buf[1024];
    char out[1400];
    int n;

    if (!EVP_PKEY_get_bn_param(pkey, which, &bn))
        return json_string("");
    n = BN_bn2bin(bn, buf);
    BN_free(bn);
    gh_km_b64url(buf, (size_t)n, out, sizeof(out));
    return json_string(out);
}

static json_t *jwk_of(const gh_km_key_t *k)
{
    unsigned char *der = NULL;
    int n = i2d_X509(k->cert, &der);
    char *x5c = gh_malloc((size_t)n * 2 + 8);
    json_t *j;

    EVP_EncodeBlock((unsigned char *)x5c, der, n);
    OPENSSL_free(der);
    j = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:[s]}", "kty", "RSA", "alg", "RS256", "use", "sig", "kid", k->kid,
                  "n", bn_json(k->pkey, "n"), "e", bn_json(k->pkey, "e"), "x5t", k->x5t, "x5t#S256", k->x5t256,
                  "x5c", x5c);
    free(x5c);
    return j;
}

/* The two newest key files (names sort by creation time). */
static int newest_files(const char *dir, char *out[2])
{
    struct dirent **list = NULL;
    int n, i, got = 0;

    out[0] = out[1] = NULL;
    n = scandir(dir, &list, NULL, alphasort);
    for (i = n - 1; i >= 0; --i) {
        const char *f = list[i]->d_name;
        size_t l = strlen(f);
        if (got < 2 && l > 4 && strcmp(f + l - 4, ".pem") == 0 && f[0] != '.')
            out[got++] = gh_asprintf("%s/%s", dir, f);
        free(list[i]);
    }
    free(list);
    return got;
}

int gh_km_keyring_reload(gh_km_keyring_t *r, gh_err_t *err)
{
    gh_km_key_t *keys[2] = {NULL, NULL}, *old[2];
    char *files[2];
    json_t *jwks;
    char *s;
    int n, i, got = 0;

    n = newest_files(r->dir, files);
    for (i = 0; i < n; ++i) {
        if ((keys[got] = gh_km_key_load(files[i], files[i], err)) != NULL) {
            snprintf(keys[got]->name, sizeof(keys[got]->name), "%s", files[i]);
            got++;
        }
        free(files[i]);
    }
    if (got < 2 && r->ks_key != NULL && r->ks_cert != NULL &&
        (keys[got] = gh_km_key_load(r->ks_key, r->ks_cert, err)) != NULL)
        snprintf(keys[got++]->name, sizeof(keys[0]->name), "keystore");
    if (got == 0)
        return GH_ERR;
    gh_err_clear(err);
    jwks = json_pack("{s:[]}", "keys");
    for (i = 0; i < got; ++i)
        json_array_append_new(json_object_get(jwks, "keys"), jwk_of(keys[i]));
    s = json_dumps(jwks, JSON_COMPACT);
    json_decref(jwks);
    pthread_mutex_lock(&r->mu);
    old[0] = r->keys[0];
    old[1] = r->keys[1];
    r->keys[0] = keys[0];
    r->keys[1] = keys[1];
    free(r->jwks);
    r->jwks = s;
    pthread_mutex_unlock(&r->mu);
    gh_km_key_free(old[0]);
    gh_km_key_free(old[1]);
    return GH_OK;
}

int gh_km_keyring_init(gh_km_keyring_t *r, const char *dir, const char *ks_key, const char *ks_cert, gh_err_t *err)
{
    char *files[2];
    int n, i;

    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->mu, NULL);
    r->dir = gh_strdup(dir);
    r->ks_key = gh_strdup(ks_key);
    r->ks_cert = gh_strdup(ks_cert);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return gh_err_set(err, GH_E_CONFIG, "cannot create %s: %s", dir, strerror(errno));
    n = newest_files(dir, files);
    for (i = 0; i < n; ++i)
        free(files[i]);
    if (n == 0 && (ks_key == NULL || ks_cert == NULL) && gh_km_keys_generate(dir, 0, err) != GH_OK)
        return GH_ERR;
    return gh_km_keyring_reload(r, err);
}

void gh_km_keyring_dispose(gh_km_keyring_t *r)
{
    gh_km_key_free(r->keys[0]);
    gh_km_key_free(r->keys[1]);
    free(r->jwks);
    free(r->dir);
    free(r->ks_key);
    free(r->ks_cert);
    pthread_mutex_destroy(&r->mu);
    memset(r, 0, sizeof(*r));
}

char *gh_km_keyring_jwks(gh_km_keyring_t *r)
{
    char *s;

    pthread_mutex_lock(&r->mu);
    s = gh_strdup(r->jwks != NULL ? r->jwks : "{\"keys\":[]}");
    pthread_mutex_unlock(&r->mu);
    return s;
}

char *gh_km_jwt_sign(gh_km_keyring_t *r, const char *payload_json, const char *typ)
{
    EVP_PKEY *pkey;
    EVP_MD_CTX *ctx = NULL;
    char kid[48], *hdr, *input = NULL, *out = NULL;
    char *h64, *p64;
    unsigned char sig[1024];
    size_t siglen = sizeof(sig), hl, pl;

    pthread_mutex_lock(&r->mu);
    if (r->keys[0] == NULL) {
        pthread_mutex_unlock(&r->mu);
        return NULL;
    }
    pkey = r->keys[0]->pkey;
    EVP_PKEY_up_ref(pkey);
    snprintf(kid, sizeof(kid), "%s", r->keys[0]->kid);
    pthread_mutex_unlock(&r->mu);

    hdr = gh_asprintf("{\"alg\":\"RS256\",\"typ\":\"%s\",\"kid\":\"%s\"}", typ, kid);
    hl = strlen(hdr);
    pl = strlen(payload_json);
    h64 = gh_malloc(hl * 2 + 4);
    p64 = gh_malloc(pl * 2 + 4);
    gh_km_b64url(hdr, hl, h64, hl * 2 + 4);
    gh_km_b64url(payload_json, pl, p64, pl * 2 + 4);
    input = gh_asprintf("%s.%s", h64, p64);
    ctx = EVP_MD_CTX_new();
    if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
        EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)input, strlen(input)) == 1) {
        char s64[1400];
        gh_km_b64url(sig, siglen, s64, sizeof(s64));
        out = gh_asprintf("%s.%s", input, s64);
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    free(hdr);
    free(h64);
    free(p64);
    free(input);
    return out;
}
