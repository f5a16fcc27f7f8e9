/* Dynamic Client Registration bodies (RFC 7591 and API Manager v0.14) as JSON from the wire. No input may
 * crash or leak; an accepted client that redirects has valid redirect URIs and no control characters anywhere. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "gatehouse/uri.h"
#include "../../modules/keymanager/km_app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const gh_km_dcr_t *d)
{
    if (!gh_uri_header_value_ok(d->callback, strlen(d->callback)) || !gh_uri_header_value_ok(d->name, strlen(d->name)))
        abort();
    if (gh_km_grants_redirect(d->grant_types) && !gh_uri_callback_ok(d->callback, NULL))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = json_loadb((const char *)data, size, 0, NULL);
    gh_err_t err = {0};
    gh_km_dcr_t d;

    if (j == NULL)
        return 0;
    if (gh_km_dcr_parse_rfc7591(j, &d, &err) == GH_OK)
        check(&d);
    else if (err.msg[0] == '\0')
        abort();
    if (gh_km_dcr_parse_apim(j, &d, &err) == GH_OK)
        check(&d);
    json_decref(j);
    return 0;
}
