/* Password hashing for the user store: PBKDF2-HMAC-SHA256 for new hashes, WSO2's salted digest readable
 * (and writable for compatibility). Private to modules/userstore and its unit test. */
#ifndef GH_US_PASSWORD_H
#define GH_US_PASSWORD_H

#include "gatehouse/err.h"

#define GH_US_PBKDF2_PREFIX "$pbkdf2-sha256$"
#define GH_US_PBKDF2_DEFAULT_ITER 600000u /* OWASP 2023 figure for PBKDF2-HMAC-SHA256 */
#define GH_US_PBKDF2_MAX_ITER 10000000u   /* a stored count above this is refused, not run */

typedef enum { GH_US_PW_PBKDF2 = 0, GH_US_PW_WSO2 = 1 } gh_us_pw_method_t;

typedef struct st_gh_us_pw_conf_t {
    gh_us_pw_method_t method; /* PasswordHashMethod: what new hashes use */
    unsigned iterations;      /* PasswordHashIterations */
    char digest[32];          /* PasswordDigest (Java name: SHA-256, SHA-1, MD5, PLAIN_TEXT...) for the WSO2 scheme */
    int store_salted;         /* StoreSaltedPassword */
} gh_us_pw_conf_t;

/* Defaults: PBKDF2, 600000 iterations, SHA-256, salted. */
void gh_us_pw_conf_init(gh_us_pw_conf_t *c);
/* Hash password with c's method. *hash and *salt are new strings (free *hash with gh_free_secret, *salt with
 * free); *salt is NULL when the scheme keeps the salt inside the hash. */
int gh_us_pw_hash(const gh_us_pw_conf_t *c, const char *password, char **hash, char **salt, gh_err_t *err);
/* Compare password with a stored hash (UM_USER_PASSWORD) and salt (UM_SALT_VALUE, may be NULL) in constant
 * time. Returns 1 match, 0 mismatch, GH_ERR for an unreadable stored value. *rehash (may be NULL) is set to 1
 * when the stored value is not in c's current scheme and should be replaced after a successful login. */
int gh_us_pw_verify(const gh_us_pw_conf_t *c, const char *password, const char *stored, const char *salt,
                    int *rehash, gh_err_t *err);
/* Spend what a verification costs, for users that do not exist. */
void gh_us_pw_dummy(const gh_us_pw_conf_t *c, const char *password);
/* WSO2's preparePassword: base64(digest(utf8(password || salt))) or, for PLAIN_TEXT, password || salt.
 * digest is a Java MessageDigest name. NULL when the digest is unknown. */
char *gh_us_pw_wso2(const char *digest, const char *password, const char *salt);
/* 16 random bytes, standard Base64 (24 chars), as WSO2's generateSaltValue. */
char *gh_us_pw_salt(void);

#endif
