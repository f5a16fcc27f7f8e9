/* Java-compatible name and password patterns (UsernameJavaRegEx...) compiled with PCRE2. Java's
 * String.matches() must match the whole input, so every match here is anchored at both ends. */
#ifndef GH_US_PATTERN_H
#define GH_US_PATTERN_H

#include "gatehouse/err.h"

typedef struct st_gh_us_pattern_t {
    void *code;   /* pcre2_code_8 *, NULL when no pattern is configured (everything matches) */
    char *source; /* the regex as configured */
    char *msg;    /* the ViolationErrorMsg, or a generic message */
} gh_us_pattern_t;

/* Compile regex (NULL or "" = no restriction). msg may be NULL. GH_E_CONFIG with the PCRE2 message on a
 * syntax error. */
int gh_us_pattern_init(gh_us_pattern_t *p, const char *what, const char *regex, const char *msg, gh_err_t *err);
/* 1 when s matches entirely (or there is no pattern), 0 otherwise (also for invalid UTF-8). */
int gh_us_pattern_match(const gh_us_pattern_t *p, const char *s);
void gh_us_pattern_dispose(gh_us_pattern_t *p); /* NULL-safe */

#endif
