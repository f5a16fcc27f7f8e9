/* Private to modules/consoles: the embedded files, the consoles served, and the user-management API. */
#ifndef GH_CONSOLES_INT_H
#define GH_CONSOLES_INT_H

#include <stddef.h>
#include "gatehouse/server.h"
#include "gatehouse/userstore.h"

/* One file of www/, compiled in by embed.cmake. */
typedef struct st_gh_console_asset_t {
    const char *path;  /* relative to www/: "carbon/index.html", "common/app.css" */
    const char *ctype;
    const char *data;
    size_t len;
    const char *etag;  /* quoted strong validator */
} gh_console_asset_t;

extern const gh_console_asset_t gh_console_assets[];
extern const size_t gh_console_assets_count;

/* A console served under a path prefix. */
typedef struct st_gh_console_site_t {
    const char *path;      /* "/store" */
    const char *dir;       /* its folder under www/: "store" */
    const char *client_id; /* its public OAuth client */
    const char *scope;     /* what it asks for at sign-in */
    unsigned role;         /* GH_ROLE_* that serves it */
    char *csp;             /* Content-Security-Policy, built at set-up */
    char *config;          /* config.json, built at set-up */
} gh_console_site_t;

/* The asset at path (relative to www/), or NULL. */
const gh_console_asset_t *gh_console_asset(const char *path, size_t len);
/* Route handler for a site (data: gh_console_site_t). */
int gh_console_on_site(h2o_handler_t *self, h2o_req_t *req);
/* The headers every console response carries (CSP, frame and sniffing protections, no referrer). */
void gh_console_security_headers(h2o_req_t *req, const char *csp);

/* usermgt.c: /carbon/api (data: gh_console_um_t) */
typedef struct st_gh_km_t gh_km_t;
typedef struct st_gh_console_um_t {
    gh_us_t *us;
    gh_km_t *km;
} gh_console_um_t;
int gh_console_on_usermgt(h2o_handler_t *self, h2o_req_t *req);

#endif
