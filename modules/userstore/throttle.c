/* Failed logins counted per source address and per (address, user) for a window of minutes, in this process's
 * memory: enough to stop one client from locking accounts or guessing passwords at will, without a database
 * write per failure. A bounded table: when full, the oldest window in a probe run is replaced. */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "us_int.h"
#include "gatehouse/mem.h"

#define SLOTS 8192
#define PROBE 8

struct st_gh_us_throttle_t {
    pthread_mutex_t mu;
    struct {
        unsigned char key[32];
        time_t start;
        int count;
    } e[SLOTS];
};

gh_us_throttle_t *gh_us_throttle_new(void)
{
    gh_us_throttle_t *t = gh_calloc(1, sizeof(*t));

    pthread_mutex_init(&t->mu, NULL);
    return t;
}

void gh_us_throttle_free(gh_us_throttle_t *t)
{
    if (t == NULL)
        return;
    pthread_mutex_destroy(&t->mu);
    free(t);
}

/* SHA-256 of "addr\0user" (user lower-cased: the store's names are case-insensitive by default) */
static void key_of(const char *addr, const char *user, unsigned char out[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int len = 32;
    char lc[256];
    size_t i;

    for (i = 0; user != NULL && user[i] != '\0' && i + 1 < sizeof(lc); ++i)
        lc[i] = (char)tolower((unsigned char)user[i]);
    lc[i] = '\0';
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    EVP_DigestUpdate(md, addr, strlen(addr) + 1);
    EVP_DigestUpdate(md, user != NULL ? "u" : "a", 1);
    EVP_DigestUpdate(md, lc, strlen(lc));
    EVP_DigestFinal_ex(md, out, &len);
    EVP_MD_CTX_free(md);
}

static size_t home_of(const unsigned char k[32])
{
    return ((size_t)k[0] << 16 | (size_t)k[1] << 8 | k[2]) % SLOTS;
}

int gh_us_throttle_count(gh_us_throttle_t *t, const char *addr, const char *user, int window_min)
{
    unsigned char k[32];
    time_t now = time(NULL);
    size_t h, i;
    int n = 0;

    if (t == NULL || addr == NULL || *addr == '\0')
        return 0;
    key_of(addr, user, k);
    h = home_of(k);
    pthread_mutex_lock(&t->mu);
    for (i = 0; i < PROBE; ++i) {
        size_t s = (h + i) % SLOTS;
        if (t->e[s].count > 0 && CRYPTO_memcmp(t->e[s].key, k, 32) == 0) {
            if (now - t->e[s].start < (time_t)window_min * 60)
                n = t->e[s].count;
            break;
        }
    }
    pthread_mutex_unlock(&t->mu);
    return n;
}

void gh_us_throttle_fail(gh_us_throttle_t *t, const char *addr, const char *user, int window_min)
{
    unsigned char k[32];
    time_t now = time(NULL);
    size_t h, i, victim;

    if (t == NULL || addr == NULL || *addr == '\0')
        return;
    key_of(addr, user, k);
    h = victim = home_of(k);
    pthread_mutex_lock(&t->mu);
    for (i = 0; i < PROBE; ++i) {
        size_t s = (h + i) % SLOTS;
        if (t->e[s].count > 0 && CRYPTO_memcmp(t->e[s].key, k, 32) == 0) {
            victim = s;
            break;
        }
        if (t->e[s].count == 0 || t->e[s].start < t->e[victim].start)
            victim = s;
    }
    if (t->e[victim].count == 0 || CRYPTO_memcmp(t->e[victim].key, k, 32) != 0 ||
        now - t->e[victim].start >= (time_t)window_min * 60) {
        memcpy(t->e[victim].key, k, 32);
        t->e[victim].start = now;
        t->e[victim].count = 0;
    }
    t->e[victim].count++;
    pthread_mutex_unlock(&t->mu);
}
