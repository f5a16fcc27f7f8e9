/* application/x-www-form-urlencoded bodies and query strings, and the Basic / Bearer Authorization headers.
 * Pure functions (no h2o), shared by every module that reads a form or a credential. */
#ifndef GH_FORM_H
#define GH_FORM_H

#include <stddef.h>

/* Decode in place ('+' -> space, %XX); GH_OK, or GH_ERR on a bad escape or an encoded NUL. */
int gh_urldecode(char *s);
/* Percent-encode s (unreserved characters kept). New heap string. */
char *gh_urlencode(const char *s);

/* A parsed form: names and values decoded, pointing into the copied buffer. */
typedef struct st_gh_form_t {
    char *buf;
    size_t n;
    char *names[32];
    char *values[32];
    int dup; /* 1 when a parameter appears twice (RFC 6749 §3.1: such requests are invalid) */
} gh_form_t;

/* Parse s[0..len) into f (copies it). GH_OK, or GH_ERR on a bad escape or more than 32 parameters; dispose f in
 * both cases. */
int gh_form_parse(gh_form_t *f, const char *s, size_t len);
/* Decoded value or NULL. Borrowed from f. */
const char *gh_form_get(const gh_form_t *f, const char *name);
/* Wipes the buffer (it may hold passwords and secrets). */
void gh_form_dispose(gh_form_t *f);

/* Parse "Basic base64(user:password)". With urldecode, both parts are form-urldecoded as RFC 6749 §2.3.1 wants
 * for OAuth clients (plain RFC 7617 users must not be decoded). 1 parsed (*user and *password are new heap
 * strings; free the password with gh_free_secret), 0 not a Basic header, -1 malformed. */
int gh_basic_parse(const char *hdr, size_t len, int urldecode, char **user, char **password);
/* "Bearer <token>": pointer to the token inside hdr and its length, or NULL. */
const char *gh_bearer_token(const char *hdr, size_t len, size_t *tlen);

#endif
