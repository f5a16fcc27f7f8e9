/* JDBC URLs as written in WSO2's master-datasources.xml, parsed into parts (private to db/ and its tests). */
#ifndef GH_DB_JDBC_URL_H
#define GH_DB_JDBC_URL_H

#include <stddef.h>
#include "gatehouse/err.h"

typedef struct st_gh_db_url_param_t {
    char *name;
    char *value;
} gh_db_url_param_t;

typedef struct st_gh_db_url_t {
    const char *driver;  /* "sqlite" | "postgresql" | "mysql" (static) */
    const char *scheme;  /* "sqlite" | "h2" | "postgresql" | "mysql" | "mariadb" (static) */
    char *host;          /* server forms; IPv6 without brackets */
    int port;            /* explicit port or the scheme's default */
    char *database;
    char *path;          /* file forms: the SQLite file (for h2: PATH + ".db") */
    gh_db_url_param_t *params; /* ?a=b&c=d (server forms) or ;A=B (h2, kept for reference only) */
    size_t n_params;
} gh_db_url_t;

/* Parse url into out (zeroed first). On failure returns GH_ERR with GH_E_CONFIG and a message quoting the
 * problem ("missing host", "bad port", "unknown scheme", "empty"); out is then already disposed. */
int gh_db_url_parse(const char *url, gh_db_url_t *out, gh_err_t *err);
void gh_db_url_dispose(gh_db_url_t *u); /* NULL-safe */
/* Value of a parameter (case-insensitive name) or NULL. Borrowed. */
const char *gh_db_url_param(const gh_db_url_t *u, const char *name);

#endif
