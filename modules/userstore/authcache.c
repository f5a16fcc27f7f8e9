/* Verified passwords, remembered so the deliberately slow KDF runs once per credential rather than once per
 * request (HTTP Basic clients send the same header every time). An entry proves only "this password matched
 * this stored hash": every login still reads the user's row and lock state, and a different stored hash (a
 * password change, from this process or any other) misses. Roles and permissions are never cached here. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include "us_int.h"
#include "gatehouse/mem.h"

#define SLOTS 1024
#define TTL_S 300

struct st_gh_us_authcache_t {
    pthread_mutex_t mu;
    unsigned char key[32];
    struct {
        unsigned char cred[32], stored[32];
        time_t until;
    } e[SLOTS];
};

gh_us_authcache_t *gh_us_authcache_new(void)
{
    gh_us_authcache_t *c = gh_calloc(1, sizeof(*c));

    pthread_mutex_init(&c->mu, NULL);
    if (RAND_bytes(c->key, sizeof(c->key)) != 1)
        abort(); /* no randomness: refuse to run rather than cache under a guessable key */
    return c;
}

void gh_us_authcache_free(gh_us_authcache_t *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->mu);
    OPENSSL_cleanse(c, sizeof(*c));
    free(c);
}

static void mac(const unsigned char key[32], const char *a, const char *b, const char *d, unsigned char out[32])
{
    EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0), OSSL_PARAM_construct_end()};
    size_t outl = 32;

    if (ctx == NULL || EVP_MAC_init(ctx, key, 32, params) != 1)
        abort();
    /* NUL separators: ("ab","c") and ("a","bc") differ */
    EVP_MAC_update(ctx, (const unsigned char *)a, strlen(a) + 1);
    EVP_MAC_update(ctx, (const unsigned char *)b, strlen(b) + 1);
    if (d != NULL)
        EVP_MAC_update(ctx, (const unsigned char *)d, strlen(d) + 1);
    EVP_MAC_final(ctx, out, &outl, 32);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(m);
}

int gh_us_authcache_hit(gh_us_authcache_t *c, const char *user, const char *password, const char *hash,
                        const char *salt)
{
    unsigned char cred[32], stored[32];
    size_t slot;
    int hit;

    if (c == NULL || hash == NULL)
        return 0;
    mac(c->key, user, password, NULL, cred);
    mac(c->key, hash, salt != NULL ? salt : "", "stored", stored);
    slot = ((size_t)cred[0] << 8 | cred[1]) % SLOTS;
    pthread_mutex_lock(&c->mu);
    hit = c->e[slot].until > time(NULL) && CRYPTO_memcmp(c->e[slot].cred, cred, 32) == 0 &&
          CRYPTO_memcmp(c->e[slot].stored, stored, 32) == 0;
    pthread_mutex_unlock(&c->mu);
    return hit;
}

void gh_us_authcache_put(gh_us_authcache_t *c, const char *user, const char *password, const char *hash,
                         const char *salt)
{
    unsigned char cred[32], stored[32];
    size_t slot;

    if (c == NULL || hash == NULL)
        return;
    mac(c->key, user, password, NULL, cred);
    mac(c->key, hash, salt != NULL ? salt : "", "stored", stored);
    slot = ((size_t)cred[0] << 8 | cred[1]) % SLOTS;
    pthread_mutex_lock(&c->mu);
    memcpy(c->e[slot].cred, cred, 32);
    memcpy(c->e[slot].stored, stored, 32);
    c->e[slot].until = time(NULL) + TTL_S;
    pthread_mutex_unlock(&c->mu);
}
