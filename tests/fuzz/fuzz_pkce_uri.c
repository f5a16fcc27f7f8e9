/* PKCE and the URI checks (gatehouse/uri.h): redirect and callback URIs, callback matching, Origin, header
 * values. The input is two strings split at the first newline. No input may crash; an accepted redirect URI
 * holds no control character, space, fragment or script scheme; an accepted challenge is 43 base64url chars. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "gatehouse/uri.h"
#include "../../modules/keymanager/km_app.h"
#include "../../modules/keymanager/km_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), *a, *b, *nl;
    const char *why = NULL;
    size_t i;

    memcpy(buf, data, size);
    buf[size] = '\0';
    a = buf;
    nl = strchr(buf, '\n');
    b = nl != NULL ? (*nl = '\0', nl + 1) : buf + strlen(buf);
    if (gh_uri_redirect_ok(a, &why)) {
        if (!gh_uri_header_value_ok(a, strlen(a)) || strpbrk(a, " #") != NULL || strncasecmp(a, "javascript:", 11) == 0 ||
            strncasecmp(a, "data:", 5) == 0 || strncasecmp(a, "vbscript:", 9) == 0)
            abort();
    } else if (why == NULL) {
        abort();
    }
    (void)gh_uri_callback_ok(a, NULL);
    (void)gh_km_callback_ok(a, b);
    (void)gh_uri_same_origin(a, strlen(a), "https", b, strlen(b));
    (void)gh_uri_same_origin(a, strlen(a), "http", b, strlen(b));
    if (gh_km_pkce_challenge_ok(a, b, &why)) {
        if (strcmp(a, "S256") != 0 || strlen(b) != 43)
            abort();
        for (i = 0; i < 43; ++i)
            if (!isalnum((unsigned char)b[i]) && b[i] != '-' && b[i] != '_')
                abort();
    }
    (void)gh_km_pkce_verify(a, b, b);
    (void)gh_km_pkce_verify("S256", a, b);
    free(buf);
    return 0;
}
