/* Pure helpers of the key manager (no h2o, no database): random values, encodings, digests, form and
 * Authorization-header parsing, scope lists, PKCE. Unit-tested in tests/unit/keymanager/test_util.c. */
#ifndef GH_KM_UTIL_H
#define GH_KM_UTIL_H

#include "gatehouse/form.h"
#include <stddef.h>
#include <stdint.h>

#define GH_KM_HASH_HEX 65   /* SHA-256 hex + NUL */
#define GH_KM_TOKEN_LEN 44  /* 32 random bytes in base64url (43) + NUL */
#define GH_KM_UUID_LEN 37

/* Milliseconds since the epoch (wall clock). */
int64_t gh_km_now_ms(void);

/* Fill buf with n bytes from the OpenSSL CSPRNG; aborts if the CSPRNG fails (never hand out weak values). */
void gh_km_random(void *buf, size_t n);
/* A random (version 4) UUID string. */
void gh_km_uuid(char out[GH_KM_UUID_LEN]);
/* An opaque token, authorization code or client secret: 256 random bits as 43 base64url characters. */
void gh_km_token(char out[GH_KM_TOKEN_LEN]);
/* A client id: 128 random bits as 22 base64url characters (WSO2's are 28 characters of [A-Za-z0-9_]). */
void gh_km_client_id(char out[GH_KM_TOKEN_LEN]);

/* base64url without padding of in[0..n) into out (size >= 4*n/3+3); returns the length written. */
size_t gh_km_b64url(const void *in, size_t n, char *out, size_t size);
/* Standard base64 decode of in (len chars) into out; returns decoded length or -1 on bad input/overflow. */
long gh_km_b64_decode(const char *in, size_t len, unsigned char *out, size_t size);
void gh_km_hex(const unsigned char *in, size_t n, char *out);

/* Lower-case SHA-256 hex of s[0..n) (token and code storage: tokens carry 256 random bits, so an unkeyed
 * digest is enough and lets every key-manager process and tool find a row by hash). */
void gh_km_sha256_hex(const char *s, size_t n, char out[GH_KM_HASH_HEX]);
/* Lower-case HMAC-SHA256 hex of s under key (client-secret storage). */
void gh_km_hmac_hex(const unsigned char *key, size_t klen, const char *s, size_t n, char out[GH_KM_HASH_HEX]);
/* base64url(SHA-256(s)) without padding: PKCE S256 and OIDC at_hash (first half). out >= 44. */
void gh_km_sha256_b64url(const char *s, size_t n, size_t take, char *out);
/* WSO2 TOKEN_SCOPE_HASH: md5 hex of the space-joined sorted scopes. out >= 33. */
void gh_km_md5_hex(const char *s, size_t n, char out[33]);
/* Constant-time equality of two NUL-terminated strings (length leaks, content does not). */
int gh_km_streq_ct(const char *a, const char *b);

/* A scope list: space-separated, de-duplicated, sorted. */
typedef struct st_gh_km_scopes_t {
    char *items[64];
    size_t n;
} gh_km_scopes_t;

/* Parse s (may be NULL) into sc. GH_ERR on a bad character (RFC 6749 §3.3 scope-token syntax) or > 64 scopes. */
int gh_km_scopes_parse(gh_km_scopes_t *sc, const char *s);
int gh_km_scopes_has(const gh_km_scopes_t *sc, const char *name);
void gh_km_scopes_remove(gh_km_scopes_t *sc, size_t i);
/* Space-joined into out; GH_ERR when it does not fit. */
int gh_km_scopes_join(const gh_km_scopes_t *sc, char *out, size_t size);
void gh_km_scopes_dispose(gh_km_scopes_t *sc);

/* PKCE (RFC 7636): 1 when verifier matches challenge under method "S256", else 0 (plain is disabled). A verifier
 * outside 43..128 unreserved characters never matches. */
int gh_km_pkce_verify(const char *method, const char *challenge, const char *verifier);
/* An authorization request's PKCE parameters: 1 when method is S256 and challenge a 43-character base64url
 * SHA-256; else 0 with *why. An absent method would mean plain (RFC 7636 §4.3), which is disabled: refused. */
int gh_km_pkce_challenge_ok(const char *method, const char *challenge, const char **why);

/* HTML-escape s into a new heap string. */
char *gh_km_html_escape(const char *s);

#endif
