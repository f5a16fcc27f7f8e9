/* Signing keys of the key manager: RSA keys with a self-signed certificate (for x5t), kept as PEM files in
 * <conf>/security/oauth-keys/ so that every key-manager process on the same conf shares them. The newest file
 * is the current key, the next one the previous key (still published in the JWKS). With no file, the
 * carbon.xml key store (KeyFile/CertFile) is the current key; with neither, one is generated. */
#ifndef GH_KM_KEYS_H
#define GH_KM_KEYS_H

#include <pthread.h>
#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "gatehouse/err.h"

typedef struct st_gh_km_key_t {
    EVP_PKEY *pkey;
    X509 *cert;
    char kid[48];  /* base64url(SHA-256(certificate DER)), first 16 bytes */
    char x5t[32];  /* base64url(SHA-1(certificate DER)) */
    char x5t256[48];
    char name[256]; /* file name, or "keystore" */
} gh_km_key_t;

typedef struct st_gh_km_keyring_t {
    pthread_mutex_t mu;
    gh_km_key_t *keys[2]; /* [0] current, [1] previous or NULL */
    char *jwks;           /* rendered JWKS JSON */
    char *dir;            /* <conf>/security/oauth-keys */
    char *ks_key, *ks_cert; /* carbon.xml key store, may be NULL */
} gh_km_keyring_t;

/* Load the ring from dir (creating the folder; generating a key when there is none). Strings are copied. */
int gh_km_keyring_init(gh_km_keyring_t *r, const char *dir, const char *ks_key, const char *ks_cert, gh_err_t *err);
/* Re-read the folder (another process may have rotated). */
int gh_km_keyring_reload(gh_km_keyring_t *r, gh_err_t *err);
void gh_km_keyring_dispose(gh_km_keyring_t *r);
/* A copy of the JWKS JSON (heap). */
char *gh_km_keyring_jwks(gh_km_keyring_t *r);

/* Sign a JWS compact RS256 token over payload (JSON text) with the current key; returns a heap string or NULL. */
char *gh_km_jwt_sign(gh_km_keyring_t *r, const char *payload_json, const char *typ);

/* Generate a new key pair + certificate and write it to dir/<unix-time>-<random>.pem (0600). Deletes key
 * files beyond the newest two once they are older than max_age_s (0: keep all). */
int gh_km_keys_generate(const char *dir, long max_age_s, gh_err_t *err);

/* Load a key from PEM files (key and cert may be the same file). NULL on error (err says why). */
gh_km_key_t *gh_km_key_load(const char *key_path, const char *cert_path, gh_err_t *err);
void gh_km_key_free(gh_km_key_t *k);

#endif
