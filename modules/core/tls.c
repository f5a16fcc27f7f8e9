/* TLS for the 9443/8243 listeners. WSO2 ships a JKS key store that C cannot read; Gatehouse takes PEM files from
 * carbon.xml, or generates a self-signed pair on first start and reuses it afterwards. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "core_int.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"

static const char *ssl_errstr(void)
{
    static __thread char buf[256];
    unsigned long e = ERR_get_error();

    if (e == 0)
        return "unknown OpenSSL error";
    ERR_error_string_n(e, buf, sizeof(buf));
    ERR_clear_error();
    return buf;
}

static int add_ext(X509 *cert, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ex;
    int ok;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    if ((ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
        return 0;
    ok = X509_add_ext(cert, ex, -1);
    X509_EXTENSION_free(ex);
    return ok;
}

static int write_pem(const char *path, int is_key, EVP_PKEY *pkey, X509 *cert, gh_err_t *err)
{
    FILE *fp;
    int fd, ok;

    /* the key is created 0600 from the start, never world-readable even for a moment */
    if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, is_key ? 0600 : 0644)) < 0)
        return gh_err_set(err, GH_E_CONFIG, "cannot write %s: %s", path, strerror(errno));
    if ((fp = fdopen(fd, "w")) == NULL) {
        close(fd);
        return gh_err_set(err, GH_E_CONFIG, "cannot write %s: %s", path, strerror(errno));
    }
    ok = is_key ? PEM_write_PrivateKey(fp, pkey, NULL, NULL, 0, NULL, NULL) : PEM_write_X509(fp, cert);
    if (fclose(fp) != 0 || !ok)
        return gh_err_set(err, GH_E_CONFIG, "cannot write %s", path);
    return GH_OK;
}

int gh_tls_generate_self_signed(const char *key_path, const char *cert_path, const char *host, gh_err_t *err)
{
    int rc = GH_ERR;
    EVP_PKEY *pkey = NULL;
    X509 *cert = NULL;
    X509_NAME *name;
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    char *san = NULL, ou[32];

    if ((pkey = EVP_RSA_gen(2048)) == NULL) {
        gh_err_set(err, GH_E_GENERIC, "generating the TLS key failed: %s", ssl_errstr());
        goto out;
    }
    if ((cert = X509_new()) == NULL || (bn = BN_new()) == NULL)
        goto ossl_fail;
    X509_set_version(cert, 2);
    if (RAND_bytes(serial, sizeof(serial)) != 1)
        goto ossl_fail;
    serial[0] &= 0x7f;
    BN_bin2bn(serial, sizeof(serial), bn);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 825L * 24 * 3600);
    X509_set_pubkey(cert, pkey);
    name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"Gatehouse", -1, -1, 0);
    /* a subject of its own per node: a trust store holding several nodes' certificates (a gateway trusting two
     * key managers) finds each issuer by subject, and identical subjects would hide all but the first */
    snprintf(ou, sizeof(ou), "node %02x%02x%02x%02x%02x%02x", serial[1], serial[2], serial[3], serial[4], serial[5],
             serial[6]);
    X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC, (const unsigned char *)ou, -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)host, -1, -1, 0);
    X509_set_issuer_name(cert, name);
    san = strcmp(host, "localhost") == 0 ? gh_strdup("DNS:localhost,IP:127.0.0.1")
                                         : gh_asprintf("DNS:%s,DNS:localhost,IP:127.0.0.1", host);
    if (!add_ext(cert, NID_subject_alt_name, san) || !add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") ||
        !add_ext(cert, NID_ext_key_usage, "serverAuth"))
        goto ossl_fail;
    if (X509_sign(cert, pkey, EVP_sha256()) == 0)
        goto ossl_fail;
    if (write_pem(key_path, 1, pkey, NULL, err) != GH_OK || write_pem(cert_path, 0, NULL, cert, err) != GH_OK)
        goto out;
    rc = GH_OK;
    goto out;
ossl_fail:
    gh_err_set(err, GH_E_GENERIC, "creating the self-signed certificate failed: %s", ssl_errstr());
out:
    free(san);
    BN_free(bn);
    X509_free(cert);
    EVP_PKEY_free(pkey);
    return rc;
}

/* Decide which PEM pair to use: the configured one, or conf/security/gatehouse-*.pem (made if missing). */
static int resolve_pair(const gh_conf_t *conf, char **key, char **cert, gh_err_t *err)
{
    char *dir;
    struct stat st;

    if (conf->carbon.key_file != NULL && conf->carbon.cert_file != NULL) {
        *key = gh_strdup(conf->carbon.key_file);
        *cert = gh_strdup(conf->carbon.cert_file);
        return GH_OK;
    }
    dir = gh_asprintf("%s/security", conf->dir);
    *key = gh_asprintf("%s/gatehouse-key.pem", dir);
    *cert = gh_asprintf("%s/gatehouse-cert.pem", dir);
    if (stat(*key, &st) == 0 && stat(*cert, &st) == 0) {
        free(dir);
        return GH_OK;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        gh_err_set(err, GH_E_CONFIG, "cannot create %s for the generated TLS key: %s", dir, strerror(errno));
        free(dir);
        return GH_ERR;
    }
    free(dir);
    gh_log(GH_LOG_NOTICE, "tls", "no key store configured: generating a self-signed certificate for %s in %s",
           conf->carbon.host_name ? conf->carbon.host_name : "localhost", *cert);
    return gh_tls_generate_self_signed(*key, *cert, conf->carbon.host_name ? conf->carbon.host_name : "localhost",
                                       err);
}

/* Mozilla's "intermediate" server configuration (v5.7): TLS 1.2 and 1.3; on TLS 1.2 only ECDHE/DHE key
 * exchange with AEAD ciphers (forward secrecy, no CBC, no SHA-1 MACs); X25519, P-256, P-384; the client's
 * order (every offered suite is strong); no compression, no renegotiation, no session tickets across keys.
 * Every HTTPS listener shares this one context. docs/security.md lists the suites. */
int gh_tls_policy(SSL_CTX *ctx, gh_err_t *err)
{
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_clear_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_set_cipher_list(ctx, GH_TLS12_CIPHERS) != 1 || SSL_CTX_set_ciphersuites(ctx, GH_TLS13_SUITES) != 1 ||
        SSL_CTX_set1_groups_list(ctx, "X25519:prime256v1:secp384r1") != 1)
        return gh_err_set(err, GH_E_GENERIC, "TLS cipher policy: %s", ssl_errstr());
    /* DHE suites use the RFC 7919 ffdhe2048 group OpenSSL picks for the key size */
    SSL_CTX_set_dh_auto(ctx, 1);
    return GH_OK;
}

SSL_CTX *gh_tls_server_ctx(const gh_conf_t *conf, gh_err_t *err)
{
    SSL_CTX *ctx = NULL;
    char *key = NULL, *cert = NULL;

    if (resolve_pair(conf, &key, &cert, err) != GH_OK)
        goto out;
    if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
        gh_err_set(err, GH_E_GENERIC, "SSL_CTX_new: %s", ssl_errstr());
        goto out;
    }
    if (gh_tls_policy(ctx, err) != GH_OK)
        goto fail;
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        gh_err_set(err, GH_E_CONFIG, "TLS certificate %s: %s", cert, ssl_errstr());
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        gh_err_set(err, GH_E_CONFIG, "TLS private key %s: %s", key, ssl_errstr());
        goto fail;
    }
    h2o_ssl_register_alpn_protocols(ctx, h2o_http2_alpn_protocols);
    goto out;
fail:
    SSL_CTX_free(ctx);
    ctx = NULL;
out:
    free(key);
    free(cert);
    return ctx;
}
