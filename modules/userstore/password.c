/* Password hashes. New hashes: $pbkdf2-sha256$<iterations>$<salt b64>$<hash b64> in UM_USER_PASSWORD (salt column
 * NULL). WSO2's scheme (wso2.md 4.1) stays readable so an imported UM_USER table keeps working, and a user
 * who logs in with it is moved to PBKDF2 by the caller. Comparisons are constant-time. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "password.h"
#include "gatehouse/mem.h"

#define SALT_LEN 16
#define HASH_LEN 32

void gh_us_pw_conf_init(gh_us_pw_conf_t *c)
{
    memset(c, 0, sizeof(*c));
    c->method = GH_US_PW_PBKDF2;
    c->iterations = GH_US_PBKDF2_DEFAULT_ITER;
    snprintf(c->digest, sizeof(c->digest), "SHA-256");
    c->store_salted = 1;
}

static char *b64(const unsigned char *p, size_t n)
{
    char *out = gh_malloc(4 * ((n + 2) / 3) + 1);

    EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    return out;
}

/* standard Base64 with padding into out (cap bytes); decoded length or -1 */
static int unb64(const char *s, size_t len, unsigned char *out, size_t cap)
{
    unsigned char tmp[128];
    int n, pad = 0;

    if (len == 0 || len % 4 != 0 || len / 4 * 3 > sizeof(tmp))
        return -1;
    if ((n = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)len)) < 0)
        return -1;
    pad = (s[len - 1] == '=') + (s[len - 2] == '=');
    n -= pad;
    if (n < 0 || (size_t)n > cap)
        return -1;
    memcpy(out, tmp, (size_t)n);
    OPENSSL_cleanse(tmp, sizeof(tmp));
    return n;
}

char *gh_us_pw_salt(void)
{
    unsigned char raw[SALT_LEN];

    if (RAND_bytes(raw, sizeof(raw)) != 1)
        abort(); /* no entropy: nothing safe left to do */
    return b64(raw, sizeof(raw));
}

static const char *java_to_openssl(const char *d)
{
    if (strcmp(d, "SHA") == 0)
        return "SHA-1";
    return d;
}

char *gh_us_pw_wso2(const char *digest, const char *password, const char *salt)
{
    EVP_MD *md;
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int outlen = 0;
    char *joined, *res = NULL;

    joined = gh_asprintf("%s%s", password, salt != NULL ? salt : "");
    if (strcmp(digest, "PLAIN_TEXT") == 0)
        return joined;
    if ((md = EVP_MD_fetch(NULL, java_to_openssl(digest), NULL)) == NULL)
        goto out;
    if (EVP_Digest(joined, strlen(joined), out, &outlen, md, NULL) == 1)
        res = b64(out, outlen);
    EVP_MD_free(md);
out:
    gh_free_secret(joined);
    return res;
}

static int pbkdf2(const char *password, const unsigned char *salt, size_t salt_len, unsigned iter,
                  unsigned char out[HASH_LEN])
{
    return PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_len, (int)iter, EVP_sha256(),
                             HASH_LEN, out) == 1
               ? GH_OK
               : GH_ERR;
}

int gh_us_pw_hash(const gh_us_pw_conf_t *c, const char *password, char **hash, char **salt, gh_err_t *err)
{
    unsigned char s[SALT_LEN], h[HASH_LEN];
    char *sb = NULL, *hb = NULL;
    const char *digest = c->digest;

    *hash = *salt = NULL;
    if (c->method == GH_US_PW_WSO2) {
        /* Writing plain text is never done, whatever PasswordDigest says: fall back to SHA-256. */
        if (strcmp(digest, "PLAIN_TEXT") == 0)
            digest = "SHA-256";
        *salt = c->store_salted ? gh_us_pw_salt() : NULL;
        if ((*hash = gh_us_pw_wso2(digest, password, *salt)) == NULL) {
            free(*salt);
            *salt = NULL;
            return gh_err_set(err, GH_E_CONFIG, "PasswordDigest '%s' is not a digest OpenSSL knows", digest);
        }
        return GH_OK;
    }
    if (RAND_bytes(s, sizeof(s)) != 1 || pbkdf2(password, s, sizeof(s), c->iterations, h) != GH_OK)
        return gh_err_set(err, GH_E_GENERIC, "password hashing failed (OpenSSL)");
    sb = b64(s, sizeof(s));
    hb = b64(h, sizeof(h));
    *hash = gh_asprintf(GH_US_PBKDF2_PREFIX "%u$%s$%s", c->iterations, sb, hb);
    OPENSSL_cleanse(h, sizeof(h));
    free(sb);
    free(hb);
    return GH_OK;
}

/* parse $pbkdf2-sha256$iter$salt$hash; GH_OK or GH_ERR */
static int parse_pbkdf2(const char *stored, unsigned *iter, unsigned char *salt, size_t *salt_len,
                        unsigned char hash[HASH_LEN])
{
    const char *p = stored + strlen(GH_US_PBKDF2_PREFIX), *d1, *d2;
    char *end;
    unsigned long it;
    int n;

    it = strtoul(p, &end, 10);
    if (end == p || *end != '$' || it == 0 || it > GH_US_PBKDF2_MAX_ITER)
        return GH_ERR;
    d1 = end + 1;
    if ((d2 = strchr(d1, '$')) == NULL)
        return GH_ERR;
    if ((n = unb64(d1, (size_t)(d2 - d1), salt, 64)) < 8)
        return GH_ERR;
    *salt_len = (size_t)n;
    if (unb64(d2 + 1, strlen(d2 + 1), hash, HASH_LEN) != HASH_LEN)
        return GH_ERR;
    *iter = (unsigned)it;
    return GH_OK;
}

static int verify_pbkdf2(const gh_us_pw_conf_t *c, const char *password, const char *stored, int *rehash,
                         gh_err_t *err)
{
    unsigned char salt[64], want[HASH_LEN], got[HASH_LEN];
    size_t salt_len = 0;
    unsigned iter = 0;
    int rc;

    if (parse_pbkdf2(stored, &iter, salt, &salt_len, want) != GH_OK)
        return gh_err_set(err, GH_E_GENERIC, "stored password hash is malformed; reset the password");
    if (pbkdf2(password, salt, salt_len, iter, got) != GH_OK)
        return gh_err_set(err, GH_E_GENERIC, "password hashing failed (OpenSSL)");
    rc = CRYPTO_memcmp(want, got, HASH_LEN) == 0;
    OPENSSL_cleanse(got, sizeof(got));
    /* never downgrade to the WSO2 scheme; do follow a changed iteration count */
    if (rehash != NULL)
        *rehash = c->method == GH_US_PW_PBKDF2 && iter != c->iterations;
    return rc;
}

int gh_us_pw_verify(const gh_us_pw_conf_t *c, const char *password, const char *stored, const char *salt,
                    int *rehash, gh_err_t *err)
{
    char *mine;
    size_t n;
    int rc;

    if (rehash != NULL)
        *rehash = 0;
    if (stored == NULL)
        return gh_err_set(err, GH_E_GENERIC, "no stored password");
    if (strncmp(stored, GH_US_PBKDF2_PREFIX, strlen(GH_US_PBKDF2_PREFIX)) == 0)
        return verify_pbkdf2(c, password, stored, rehash, err);
    /* WSO2: the salt column is used only when StoreSaltedPassword is on, as in JDBCUserStoreManager */
    if ((mine = gh_us_pw_wso2(c->digest, password, c->store_salted ? salt : NULL)) == NULL)
        return gh_err_set(err, GH_E_CONFIG, "PasswordDigest '%s' is not a digest OpenSSL knows", c->digest);
    n = strlen(stored);
    rc = strlen(mine) == n && CRYPTO_memcmp(mine, stored, n) == 0;
    gh_free_secret(mine);
    if (rehash != NULL)
        *rehash = c->method == GH_US_PW_PBKDF2 || strcmp(c->digest, "PLAIN_TEXT") == 0;
    return rc;
}

void gh_us_pw_dummy(const gh_us_pw_conf_t *c, const char *password)
{
    static const unsigned char salt[SALT_LEN] = "gatehouse-dummy";
    unsigned char out[HASH_LEN];
    char *h;

    if (c->method == GH_US_PW_PBKDF2) {
        (void)pbkdf2(password, salt, sizeof(salt), c->iterations, out);
        OPENSSL_cleanse(out, sizeof(out));
        return;
    }
    if ((h = gh_us_pw_wso2(c->digest, password, "AAAAAAAAAAAAAAAAAAAAAA==")) != NULL)
        gh_free_secret(h);
}
