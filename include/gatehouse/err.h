/* The error struct every fallible call fills: fixed storage, so reporting never allocates (jansson json_error_t). */
#ifndef GH_ERR_H
#define GH_ERR_H

#include "gatehouse/gh.h"

/* Kinds of failure a caller can act on. Generic codes first; the SQL layer uses the GH_DB_E_* range. */
enum {
    GH_E_NONE = 0,
    GH_E_GENERIC = 1,  /* anything not listed */
    GH_E_CONFIG = 2,   /* bad or missing configuration */
    GH_E_NOTFOUND = 3, /* a looked-up object does not exist */
    GH_E_INPUT = 4,    /* a caller-supplied value was refused */
    GH_E_AUTH = 5,     /* authentication failed */
    GH_E_FORBIDDEN = 6,
    GH_E_CONFLICT = 7, /* already exists */
    GH_E_LOCKED = 8,   /* account locked */
    GH_E_UNAVAILABLE = 9, /* a remote service could not be reached, timed out, or answered 5xx */
    GH_DB_E_UNIQUE = 100,    /* unique or primary-key violation */
    GH_DB_E_CONN_LOST = 101, /* the connection died; safe to retry outside a transaction */
    GH_DB_E_TIMEOUT = 102,   /* pool wait (maxWait) or lock timeout */
    GH_DB_E_OTHER = 103,     /* any other driver error */
};

typedef struct st_gh_err_t {
    int code;          /* GH_E_* or GH_DB_E_*; GH_E_NONE when clear */
    int native;        /* driver error number (mysql_errno, sqlite extended code), 0 if none */
    char sqlstate[6];  /* SQLSTATE when the driver has one, else "" */
    char msg[512];     /* a message a user can act on */
} gh_err_t;

/* Fill err (NULL-safe) with code and a formatted message. Always returns GH_ERR, so callers can `return gh_err_set(...)`. */
int gh_err_set(gh_err_t *err, int code, const char *fmt, ...) GH_PRINTF(3, 4);
/* Reset err to "no error" (NULL-safe). */
void gh_err_clear(gh_err_t *err);

#endif
