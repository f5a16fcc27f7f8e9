/* PCRE2 behind the user store's Java patterns. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include "pattern.h"
#include "gatehouse/mem.h"

int gh_us_pattern_init(gh_us_pattern_t *p, const char *what, const char *regex, const char *msg, gh_err_t *err)
{
    int errcode = 0;
    PCRE2_SIZE off = 0;
    PCRE2_UCHAR buf[200];

    memset(p, 0, sizeof(*p));
    p->msg = msg != NULL && *msg != '\0' ? gh_strdup(msg) : gh_asprintf("%s does not match the required pattern", what);
    if (regex == NULL || *regex == '\0')
        return GH_OK;
    p->source = gh_strdup(regex);
    /* UTF: Java strings are Unicode; UCP: Java's \S and \w are ASCII by default, so no UCP */
    p->code = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &errcode, &off, NULL);
    if (p->code == NULL) {
        pcre2_get_error_message(errcode, buf, sizeof(buf));
        gh_err_set(err, GH_E_CONFIG, "%s pattern '%s' is not a valid regular expression at offset %zu: %s", what,
                   regex, (size_t)off, (const char *)buf);
        gh_us_pattern_dispose(p);
        return GH_ERR;
    }
    return GH_OK;
}

int gh_us_pattern_match(const gh_us_pattern_t *p, const char *s)
{
    pcre2_match_data *md;
    int rc;

    if (p->code == NULL)
        return 1;
    if (s == NULL)
        return 0;
    if ((md = pcre2_match_data_create_from_pattern(p->code, NULL)) == NULL)
        abort(); /* out of memory: same policy as gh_malloc */
    rc = pcre2_match(p->code, (PCRE2_SPTR)s, strlen(s), 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

void gh_us_pattern_dispose(gh_us_pattern_t *p)
{
    if (p == NULL)
        return;
    pcre2_code_free(p->code);
    free(p->source);
    free(p->msg);
    memset(p, 0, sizeof(*p));
}
