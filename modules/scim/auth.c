/* HTTP Basic for /scim2: the caller must be a user of the store; Users and Groups need the user-management
 * permission (the admin role has it). A successful check is cached for a minute by a keyed digest of the
 * credentials, because the password KDF is deliberately slow and a client sends the same header every time. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "scim_int.h"
#include "gatehouse/keymanager.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"

#define CACHE_SIZE 64
#define CACHE_TTL_S 60

static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static struct {
    pthread_mutex_t mu;
    unsigned char key[32];
    struct {
        unsigned char digest[32];
        time_t until;
        int admin;
    } e[CACHE_SIZE];
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void make_key(void)
{
    if (RAND_bytes(cache.key, sizeof(cache.key)) != 1)
        abort(); /* no randomness: refuse to run rather than cache under a guessable key */
}

static void digest_of(const char *user, const char *password, unsigned char out[32])
{
    unsigned int len = 32;
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    pthread_once(&key_once, make_key);
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    EVP_DigestUpdate(md, cache.key, sizeof(cache.key));
    EVP_DigestUpdate(md, user, strlen(user) + 1);
    EVP_DigestUpdate(md, password, strlen(password));
    EVP_DigestFinal_ex(md, out, &len);
    EVP_MD_CTX_free(md);
}

static int cache_get(const unsigned char d[32], int *admin)
{
    time_t now = time(NULL);
    int i, hit = 0;

    pthread_mutex_lock(&cache.mu);
    for (i = 0; i < CACHE_SIZE; ++i)
        if (cache.e[i].until > now && CRYPTO_memcmp(cache.e[i].digest, d, 32) == 0) {
            *admin = cache.e[i].admin;
            hit = 1;
            break;
        }
    pthread_mutex_unlock(&cache.mu);
    return hit;
}

static void cache_put(const unsigned char d[32], int admin)
{
    time_t now = time(NULL);
    int i, victim = 0;

    pthread_mutex_lock(&cache.mu);
    for (i = 0; i < CACHE_SIZE; ++i) {
        if (cache.e[i].until <= now) {
            victim = i;
            break;
        }
        if (cache.e[i].until < cache.e[victim].until)
            victim = i;
    }
    memcpy(cache.e[victim].digest, d, 32);
    cache.e[victim].until = now + CACHE_TTL_S;
    cache.e[victim].admin = admin;
    pthread_mutex_unlock(&cache.mu);
}

void scim_auth_cache_clear(void)
{
    pthread_mutex_lock(&cache.mu);
    memset(cache.e, 0, sizeof(cache.e));
    pthread_mutex_unlock(&cache.mu);
}

/* An access token of this key manager acts for the user it was issued to (for client_credentials, the
 * application's owner); permissions are then the user's own. */
static int bearer_user(scim_job_t *j)
{
    char user[256], scope[1024];
    gh_err_t err = {0};
    int rc;

    if (j->km == NULL)
        return scim_fail(j, 401, NULL, "bearer tokens need the key manager in this process; use HTTP Basic"), 0;
    if ((rc = gh_km_bearer(j->km, j->bearer, user, sizeof(user), scope, sizeof(scope), &err)) < 0)
        return scim_fail_err(j, &err), 0;
    if (rc == 0)
        return scim_fail(j, 401, "invalid_token", "the access token is not active"), 0;
    j->auth_user = gh_strdup(user);
    return 1;
}

int scim_authorize(scim_job_t *j, int needs_admin)
{
    unsigned char d[32];
    gh_err_t err = {0};
    int admin = 0, rc;

    if (j->bearer != NULL) {
        if (!bearer_user(j))
            return 0;
        if ((rc = gh_us_authorize(j->us, j->auth_user, SCIM_PERMISSION, "ui.execute", &err)) < 0)
            return scim_fail_err(j, &err), 0;
        if (needs_admin && rc != 1)
            return scim_fail(j, 403, NULL, "user %s lacks the permission %s", j->auth_user, SCIM_PERMISSION), 0;
        return 1;
    }
    if (j->auth_user == NULL)
        return scim_fail(j, 401, NULL, "authentication required: use HTTP Basic or a bearer token"), 0;
    digest_of(j->auth_user, j->auth_password, d);
    if (!cache_get(d, &admin)) {
        switch (gh_us_authenticate(j->us, j->auth_user, j->auth_password, &err)) {
        case GH_US_AUTH_OK: break;
        case GH_US_AUTH_LOCKED: return scim_fail(j, 401, NULL, "account is locked"), 0;
        case GH_US_AUTH_BAD_CREDENTIALS: return scim_fail(j, 401, NULL, "invalid user name or password"), 0;
        default: return scim_fail_err(j, &err), 0;
        }
        if ((rc = gh_us_authorize(j->us, j->auth_user, SCIM_PERMISSION, "ui.execute", &err)) < 0)
            return scim_fail_err(j, &err), 0;
        admin = rc == 1;
        cache_put(d, admin);
    }
    if (needs_admin && !admin)
        return scim_fail(j, 403, NULL, "user %s lacks the permission %s", j->auth_user, SCIM_PERMISSION), 0;
    return 1;
}
