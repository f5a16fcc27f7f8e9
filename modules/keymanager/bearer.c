/* Access tokens for other modules: the same look-up (and cache) as introspection, without the HTTP. */
#include <stdio.h>
#include "gatehouse/keymanager.h"
#include "km_int.h"

int gh_km_bearer(gh_km_t *km, const char *token, char *user, size_t user_size, char *scope, size_t scope_size,
                 gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    gh_km_tok_t tok;
    int rc;

    if ((rc = gh_km_tok_active(km, NULL, token, &tok, err)) == -2) {
        if (gh_db_borrow(km->pool, &c, err) != GH_OK)
            return GH_ERR;
        rc = gh_km_tok_active(km, c, token, &tok, err);
        gh_db_return(c);
    }
    if (rc < 0)
        return GH_ERR;
    if (rc == 1) {
        snprintf(user, user_size, "%s", tok.user);
        snprintf(scope, scope_size, "%s", tok.scope);
    }
    return rc;
}
