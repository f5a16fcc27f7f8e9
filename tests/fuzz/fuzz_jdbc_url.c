/* JDBC URL parser: accepted URLs name a driver and either a file or a host; refusals carry a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "db/jdbc_url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    gh_db_url_t u;
    gh_err_t err = {0};

    memcpy(s, data, size);
    s[size] = '\0';
    memset(&u, 0, sizeof(u));
    if (gh_db_url_parse(s, &u, &err) == GH_OK) {
        if (u.driver == NULL || (u.path == NULL && u.host == NULL) || u.port < 0 || u.port > 65535)
            abort();
    } else if (err.msg[0] == '\0') {
        abort();
    }
    gh_db_url_dispose(&u);
    free(s);
    return 0;
}
