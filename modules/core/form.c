/* Forms, query strings and Authorization headers: one decoder for every module. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "gatehouse/form.h"
#include "gatehouse/gh.h"
#include "gatehouse/mem.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int gh_urldecode(char *s)
{
    char *o = s;

    for (; *s; ++s) {
        if (*s == '+') {
            *o++ = ' ';
        } else if (*s == '%') {
            int h = hexval((unsigned char)s[1]), l = h < 0 ? -1 : hexval((unsigned char)s[2]);
            if (h < 0 || l < 0 || (h == 0 && l == 0))
                return GH_ERR; /* a NUL byte would truncate the value silently */
            *o++ = (char)(h * 16 + l);
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return GH_OK;
}

char *gh_urlencode(const char *s)
{
    static const char digits[] = "0123456789ABCDEF";
    char *out = gh_malloc(strlen(s) * 3 + 1), *o = out;

    for (; *s; ++s) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = digits[c >> 4];
            *o++ = digits[c & 15];
        }
    }
    *o = '\0';
    return out;
}

int gh_form_parse(gh_form_t *f, const char *s, size_t len)
{
    char *p, *save = NULL, *pair;
    size_t i;

    memset(f, 0, sizeof(*f));
    f->buf = gh_strndup(s, len);
    for (pair = strtok_r(f->buf, "&", &save); pair != NULL; pair = strtok_r(NULL, "&", &save)) {
        if (f->n == GH_ARRAY_SIZE(f->names))
            return GH_ERR;
        p = strchr(pair, '=');
        if (p != NULL)
            *p++ = '\0';
        else
            p = pair + strlen(pair);
        if (gh_urldecode(pair) != GH_OK || gh_urldecode(p) != GH_OK)
            return GH_ERR;
        for (i = 0; i < f->n; ++i)
            if (strcmp(f->names[i], pair) == 0)
                f->dup = 1;
        f->names[f->n] = pair;
        f->values[f->n++] = p;
    }
    return GH_OK;
}

const char *gh_form_get(const gh_form_t *f, const char *name)
{
    size_t i;

    for (i = 0; i < f->n; ++i)
        if (strcmp(f->names[i], name) == 0)
            return f->values[i];
    return NULL;
}

void gh_form_dispose(gh_form_t *f)
{
    if (f->buf != NULL)
        gh_free_secret(f->buf); /* may hold passwords and secrets */
    memset(f, 0, sizeof(*f));
}

int gh_basic_parse(const char *hdr, size_t len, int urldecode, char **id, char **secret)
{
    unsigned char dec[1024];
    int n;
    char *colon, *s;

    *id = *secret = NULL;
    if (len < 6 || strncasecmp(hdr, "Basic ", 6) != 0)
        return 0;
    hdr += 6;
    len -= 6;
    while (len > 0 && *hdr == ' ')
        hdr++, len--;
    while (len > 0 && hdr[len - 1] == ' ')
        len--;
    if (len == 0 || len % 4 != 0 || len > sizeof(dec) - 1 ||
        (n = EVP_DecodeBlock(dec, (const unsigned char *)hdr, (int)len)) < 0)
        return -1;
    n -= (hdr[len - 1] == '=') + (hdr[len - 2] == '='); /* DecodeBlock counts the padding as zero bytes */
    dec[n] = '\0';
    if (memchr(dec, '\0', (size_t)n) != NULL || (colon = strchr((char *)dec, ':')) == NULL)
        return -1;
    *colon = '\0';
    s = gh_strdup((char *)dec);
    *id = s;
    *secret = gh_strdup(colon + 1);
    OPENSSL_cleanse(dec, sizeof(dec));
    /* RFC 6749 §2.3.1: both parts are form-urlencoded before base64 (openid-client does this) */
    if (urldecode && (gh_urldecode(*id) != GH_OK || gh_urldecode(*secret) != GH_OK)) {
        free(*id);
        gh_free_secret(*secret);
        *id = *secret = NULL;
        return -1;
    }
    return 1;
}

const char *gh_bearer_token(const char *hdr, size_t len, size_t *tlen)
{
    if (len < 8 || strncasecmp(hdr, "Bearer ", 7) != 0)
        return NULL;
    hdr += 7;
    len -= 7;
    while (len > 0 && *hdr == ' ')
        hdr++, len--;
    while (len > 0 && hdr[len - 1] == ' ')
        len--;
    if (len == 0)
        return NULL;
    *tlen = len;
    return hdr;
}
