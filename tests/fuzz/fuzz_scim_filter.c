/* SCIM filter parser + matcher: no input may crash, leak or hang; a parsed filter must match or not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../modules/scim/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    gh_err_t err = {0};
    gh_scim_filter_t *f;
    json_t *u = json_pack("{s:s,s:{s:s},s:[{s:s,s:s}],s:b}", "userName", "fuzz", "name", "givenName", "F", "emails",
                          "value", "f@x", "type", "work", "active", 1);

    memcpy(s, data, size);
    s[size] = '\0';
    if ((f = gh_scim_filter_parse(s, &err)) != NULL) {
        int m = gh_scim_filter_match(f, u);
        if (m != 0 && m != 1)
            abort();
        gh_scim_filter_free(f);
    } else if (err.code != GH_E_INPUT || err.msg[0] == '\0') {
        abort(); /* every refusal carries a message */
    }
    json_decref(u);
    free(s);
    return 0;
}
