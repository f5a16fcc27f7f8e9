/* Scope lists, PKCE and HTML escaping. (Forms and Authorization headers: include/gatehouse/form.h.) */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "gatehouse/gh.h"
#include "gatehouse/mem.h"
#include "km_util.h"

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

int gh_km_pkce_challenge_ok(const char *method, const char *challenge, const char **why)
{
    size_t n, i;

    if (method == NULL || method[0] == '\0') {
        /* RFC 7636 §4.3 makes an absent method mean "plain"; plain is disabled here, so it is refused */
        *why = "code_challenge_method is required: only S256 is supported (plain is disabled)";
        return 0;
    }
    if (strcmp(method, "S256") != 0) {
        *why = "code_challenge_method must be S256 (plain is disabled)";
        return 0;
    }
    /* base64url(SHA-256) without padding: 43 characters, the last carrying 4 bits */
    n = challenge != NULL ? strlen(challenge) : 0;
    for (i = 0; i < n; ++i)
        if (!isalnum((unsigned char)challenge[i]) && challenge[i] != '-' && challenge[i] != '_')
            break;
    if (n != 43 || i != n || strchr("AEIMQUYcgkosw048", challenge[42]) == NULL) {
        *why = "code_challenge must be the base64url SHA-256 of the code_verifier (43 characters)";
        return 0;
    }
    return 1;
}

int gh_km_pkce_verify(const char *method, const char *challenge, const char *verifier)
{
    char calc[48];

    if (challenge == NULL || verifier == NULL || !verifier_ok(verifier))
        return 0;
    if (method == NULL || strcmp(method, "S256") != 0)
        return 0; /* plain is disabled */
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
