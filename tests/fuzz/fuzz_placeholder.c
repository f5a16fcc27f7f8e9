/* `?` -> `$n`: the count agrees with the translation, and the translation has exactly $1..$count. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db/placeholder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), *out;
    size_t n1, n2 = 0;

    memcpy(s, data, size);
    s[size] = '\0';
    n1 = gh_db_placeholder_count(s);
    out = gh_db_placeholder_to_dollar(s, &n2);
    if (out == NULL || n1 != n2)
        abort();
    if (n2 > 0) {
        char last[32];
        snprintf(last, sizeof(last), "$%zu", n2);
        if (strstr(out, last) == NULL)
            abort();
    }
    free(out);
    free(s);
    return 0;
}
