/* SCIM request bodies as the handlers read them: the claims a user body sets (scim_user_claims), group ids from
 * the path, paging parameters. No input may crash or leak; a refused body carries a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../modules/scim/scim_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    char detail[512] = "", *s, *role, *id;
    size_t off, lim;
    int all;

    if (j != NULL) {
        for (all = 0; all < 2; ++all) {
            gh_us_strlist_t uris = {0}, values = {0};
            if (scim_user_claims(j, all, &uris, &values, detail, sizeof(detail)) != 0 && detail[0] == '\0')
                abort();
            if (uris.n != values.n)
                abort();
            gh_us_strlist_dispose(&uris);
            gh_us_strlist_dispose(&values);
        }
        json_decref(j);
    }
    s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    if ((role = scim_group_role(s)) != NULL) {
        id = scim_group_id(role);
        free(id);
        free(role);
    }
    scim_paging(s, s, &off, &lim);
    if (lim > SCIM_MAX_COUNT)
        abort();
    free(s);
    return 0;
}
