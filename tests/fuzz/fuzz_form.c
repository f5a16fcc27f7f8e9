/* Form bodies and query strings (gatehouse/form.h): no input may crash or leak; every parsed name is found again
 * by gh_form_get, and url-encoding then decoding gives the value back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/form.h"
#include "gatehouse/gh.h"
#include "gatehouse/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gh_form_t f;
    size_t i;

    if (gh_form_parse(&f, (const char *)data, size) == GH_OK) {
        for (i = 0; i < f.n; ++i) {
            char *enc, *dec;
            if (gh_form_get(&f, f.names[i]) == NULL)
                abort();
            enc = gh_urlencode(f.values[i]);
            dec = gh_strdup(enc);
            if (gh_urldecode(dec) != GH_OK || strcmp(dec, f.values[i]) != 0)
                abort(); /* encoding round-trips */
            free(enc);
            free(dec);
        }
    }
    gh_form_dispose(&f);
    return 0;
}
