/* Form bodies, query strings, Authorization headers, scope lists, PKCE and HTML escaping. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "gatehouse/gh.h"
#include "gatehouse/mem.h"
#include "km_util.h"

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

int gh_km_urldecode(char *s)
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

char *gh_km_urlencode(const char *s)
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

int gh_km_form_parse(gh_km_form_t *f, const char *s, size_t len)
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
        if (gh_km_urldecode(pair) != GH_OK || gh_km_urldecode(p) != GH_OK)
            return GH_ERR;
        for (i = 0; i < f->n; ++i)
            if (strcmp(f->names[i], pair) == 0)
                f->dup = 1;
        f->names[f->n] = pair;
        f->values[f->n++] = p;
    }
    return GH_OK;
}

const char *gh_km_form_get(const gh_km_form_t *f, const char *name)
{
    size_t i;

    for (i = 0; i < f->n; ++i)
        if (strcmp(f->names[i], name) == 0)
            return f->values[i];
    return NULL;
}

void gh_km_form_dispose(gh_km_form_t *f)
{
    if (f->buf != NULL)
        gh_free_secret(f->buf); /* may hold passwords and secrets */
    memset(f, 0, sizeof(*f));
}

int gh_km_basic_parse(const char *hdr, size_t len, char **id, char **secret)
{
    unsigned char dec[1024];
    long n;
    char *colon, *s;

    *id = *secret = NULL;
    if (len < 6 || strncasecmp(hdr, "Basic ", 6) != 0)
        return 0;
    hdr += 6;
    len -= 6;
    while (len > 0 && *hdr == ' ')
        hdr++, len--;
    if ((n = gh_km_b64_decode(hdr, len, dec, sizeof(dec) - 1)) < 0)
        return -1;
    dec[n] = '\0';
    if (memchr(dec, '\0', (size_t)n) != NULL || (colon = strchr((char *)dec, ':')) == NULL)
        return -1;
    *colon = '\0';
    s = gh_strdup((char *)dec);
    *id = s;
    *secret = gh_strdup(colon + 1);
    memset(dec, 0, sizeof(dec));
    /* RFC 6749 §2.3.1: both parts are form-urlencoded before base64 (openid-client does this) */
    if (gh_km_urldecode(*id) != GH_OK || gh_km_urldecode(*secret) != GH_OK) {
        free(*id);
        gh_free_secret(*secret);
        *id = *secret = NULL;
        return -1;
    }
    return 1;
}

const char *gh_km_bearer_token(const char *hdr, size_t len, size_t *tlen)
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

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int gh_km_scopes_parse(gh_km_scopes_t *sc, const char *s)
{
    const char *p = s, *e;
    size_t i, j;

    memset(sc, 0, sizeof(*sc));
    while (p != NULL && *p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        for (e = p; *e && *e != ' '; ++e)
            if (*e < 0x21 || *e == '"' || *e == '\\' || *e > 0x7e)
                goto bad;
        if (sc->n == GH_ARRAY_SIZE(sc->items))
            goto bad;
        sc->items[sc->n++] = gh_strndup(p, (size_t)(e - p));
        p = e;
    }
    qsort(sc->items, sc->n, sizeof(char *), cmp_str);
    for (i = 0, j = 0; i < sc->n; ++i) {
        if (j > 0 && strcmp(sc->items[j - 1], sc->items[i]) == 0)
            free(sc->items[i]);
        else
            sc->items[j++] = sc->items[i];
    }
    sc->n = j;
    return GH_OK;
bad:
    gh_km_scopes_dispose(sc);
    return GH_ERR;
}

int gh_km_scopes_has(const gh_km_scopes_t *sc, const char *name)
{
    size_t i;

    for (i = 0; i < sc->n; ++i)
        if (strcmp(sc->items[i], name) == 0)
            return 1;
    return 0;
}

void gh_km_scopes_remove(gh_km_scopes_t *sc, size_t i)
{
    free(sc->items[i]);
    memmove(&sc->items[i], &sc->items[i + 1], (sc->n - i - 1) * sizeof(char *));
    sc->n--;
}

int gh_km_scopes_join(const gh_km_scopes_t *sc, char *out, size_t size)
{
    size_t i, o = 0, l;

    if (size == 0)
        return GH_ERR;
    out[0] = '\0';
    for (i = 0; i < sc->n; ++i) {
        l = strlen(sc->items[i]);
        if (o + l + (i > 0) + 1 > size)
            return GH_ERR;
        if (i > 0)
            out[o++] = ' ';
        memcpy(out + o, sc->items[i], l);
        o += l;
        out[o] = '\0';
    }
    return GH_OK;
}

void gh_km_scopes_dispose(gh_km_scopes_t *sc)
{
    size_t i;

    for (i = 0; i < sc->n; ++i)
        free(sc->items[i]);
    sc->n = 0;
}

static int verifier_ok(const char *v)
{
    size_t n = strlen(v), i;

    if (n < 43 || n > 128)
        return 0;
    for (i = 0; i < n; ++i)
        if (!isalnum((unsigned char)v[i]) && v[i] != '-' && v[i] != '.' && v[i] != '_' && v[i] != '~')
            return 0;
    return 1;
}

int gh_km_pkce_verify(const char *method, const char *challenge, const char *verifier)
{
    char calc[48];

    if (challenge == NULL || verifier == NULL || !verifier_ok(verifier))
        return 0;
    if (method == NULL || strcmp(method, "plain") == 0)
        return gh_km_streq_ct(challenge, verifier);
    if (strcmp(method, "S256") != 0)
        return 0;
    gh_km_sha256_b64url(verifier, strlen(verifier), 32, calc);
    return gh_km_streq_ct(challenge, calc);
}

char *gh_km_html_escape(const char *s)
{
    char *out = gh_malloc(strlen(s) * 6 + 1), *o = out;

    for (; *s; ++s) {
        const char *r = NULL;
        switch (*s) {
        case '&': r = "&amp;"; break;
        case '<': r = "&lt;"; break;
        case '>': r = "&gt;"; break;
        case '"': r = "&quot;"; break;
        case '\'': r = "&#39;"; break;
        default: *o++ = *s; continue;
        }
        memcpy(o, r, strlen(r));
        o += strlen(r);
    }
    *o = '\0';
    return out;
}
