/* Authorization headers: Basic (RFC 7617 users, and RFC 6749 §2.3.1 form-encoded clients) and Bearer. No input
 * may crash or leak; a parsed Basic header yields two strings, a Bearer token lies inside the header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/form.h"
#include "gatehouse/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *hdr = (const char *)data, *tok;
    char *user = NULL, *pw = NULL;
    size_t tlen = 0;
    int decode, rc;

    for (decode = 0; decode < 2; ++decode) {
        rc = gh_basic_parse(hdr, size, decode, &user, &pw);
        if (rc == 1 && (user == NULL || pw == NULL))
            abort();
        if (rc != 1 && (user != NULL || pw != NULL))
            abort(); /* nothing handed out on failure */
        free(user);
        gh_free_secret(pw);
        user = pw = NULL;
    }
    if ((tok = gh_bearer_token(hdr, size, &tlen)) != NULL && (tok < hdr || tok + tlen > hdr + size))
        abort();
    return 0;
}
