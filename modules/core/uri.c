/* Redirect URIs, Origin and header values (include/gatehouse/uri.h). */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "gatehouse/uri.h"

static int set_why(const char **why, const char *msg)
{
    if (why != NULL)
        *why = msg;
    return 0;
}

int gh_uri_header_value_ok(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; ++i) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            return 0;
    }
    return 1;
}

/* 127.d.d.d with decimal octets */
static int is_loopback_v4(const char *h, size_t n)
{
    int parts = 0, digits = 0, val = 0;
    size_t i;

    if (n < 9 || strncmp(h, "127.", 4) != 0)
        return 0;
    for (i = 0; i <= n; ++i) {
        if (i == n || h[i] == '.') {
            if (digits == 0 || val > 255)
                return 0;
            parts++;
            digits = val = 0;
        } else if (isdigit((unsigned char)h[i]) && digits < 3) {
            val = val * 10 + (h[i] - '0');
            digits++;
        } else {
            return 0;
        }
    }
    return parts == 4;
}

/* host[:port] of an http(s) URI: non-empty host, no user info, numeric port */
static int authority_ok(const char *a, size_t n, int loopback_only, const char **why)
{
    const char *host = a, *colon;
    size_t hlen, i;

    if (n == 0)
        return set_why(why, "the URI has no host");
    if (memchr(a, '@', n) != NULL)
        return set_why(why, "user information is not allowed in a redirect URI");
    if (a[0] == '[') {
        const char *close = memchr(a, ']', n);
        if (close == NULL)
            return set_why(why, "malformed IPv6 host");
        hlen = (size_t)(close - a) + 1;
        colon = hlen < n ? a + hlen : NULL;
        if (colon != NULL && *colon != ':')
            return set_why(why, "malformed host");
    } else {
        colon = memchr(a, ':', n);
        hlen = colon != NULL ? (size_t)(colon - a) : n;
    }
    if (hlen == 0)
        return set_why(why, "the URI has no host");
    if (colon != NULL) {
        size_t plen = n - (size_t)(colon - a) - 1;
        long port = 0;
        if (plen == 0 || plen > 5)
            return set_why(why, "malformed port");
        for (i = 1; i <= plen; ++i) {
            if (!isdigit((unsigned char)colon[i]))
                return set_why(why, "malformed port");
            port = port * 10 + (colon[i] - '0');
        }
        if (port == 0 || port > 65535)
            return set_why(why, "malformed port");
    }
    if (loopback_only && !(hlen == 9 && strncasecmp(host, "localhost", 9) == 0) &&
        !(hlen == 5 && memcmp(host, "[::1]", 5) == 0) && !is_loopback_v4(host, hlen))
        return set_why(why, "http is allowed only for a loopback host (localhost, 127.0.0.1, [::1]); use https");
    return 1;
}

int gh_uri_redirect_ok(const char *uri, const char **why)
{
    size_t n, slen, i;
    const char *p;

    if (uri == NULL || (n = strlen(uri)) == 0)
        return set_why(why, "the URI is empty");
    if (!gh_uri_header_value_ok(uri, n) || strchr(uri, '\t') != NULL)
        return set_why(why, "control characters are not allowed in a URI");
    /* characters a URI never holds unencoded, plus '|' and ')' that would break WSO2's regexp=(a|b) list */
    if (strpbrk(uri, " \"<>\\^`{}|)") != NULL)
        return set_why(why, "the URI holds characters that must be percent-encoded");
    if (strchr(uri, '#') != NULL)
        return set_why(why, "a redirect URI must not have a fragment (RFC 6749 §3.1.2)");
    if (!isalpha((unsigned char)uri[0]))
        return set_why(why, "the URI must be absolute");
    for (slen = 1; isalnum((unsigned char)uri[slen]) || uri[slen] == '+' || uri[slen] == '-' || uri[slen] == '.'; ++slen)
        ;
    if (uri[slen] != ':')
        return set_why(why, "the URI must be absolute");
    if ((slen == 5 && strncasecmp(uri, "https", 5) == 0) || (slen == 4 && strncasecmp(uri, "http", 4) == 0)) {
        if (strncmp(uri + slen, "://", 3) != 0)
            return set_why(why, "an http(s) redirect URI must have a host");
        p = uri + slen + 3;
        i = strcspn(p, "/?");
        return authority_ok(p, i, slen == 4, why);
    }
    /* RFC 8252 §7.1 private-use schemes are reverse domain names: they always hold a dot, which javascript:,
     * data:, vbscript:, file: and other schemes a browser would act on never do */
    if (memchr(uri, '.', slen) == NULL)
        return set_why(why, "the scheme must be https, http on loopback, or a private-use scheme like com.example.app");
    if (uri[slen + 1] == '\0')
        return set_why(why, "the URI has no path");
    return 1;
}

int gh_uri_callback_ok(const char *cb, const char **why)
{
    char one[1024];
    const char *p, *e;

    if (cb == NULL || strncmp(cb, "regexp=(", 8) != 0)
        return gh_uri_redirect_ok(cb, why);
    for (p = cb + 8;; p = e + 1) {
        e = strpbrk(p, "|)");
        if (e == NULL || (size_t)(e - p) >= sizeof(one))
            return set_why(why, "malformed callback list");
        memcpy(one, p, (size_t)(e - p));
        one[e - p] = '\0';
        if (!gh_uri_redirect_ok(one, why))
            return 0;
        if (*e == ')')
            return e[1] == '\0' ? 1 : set_why(why, "malformed callback list");
    }
}

/* the length of hostport without a default port for scheme */
static size_t strip_default_port(const char *hp, size_t n, int https)
{
    const char *dp = https ? ":443" : ":80";
    size_t dl = strlen(dp);

    if (n > dl && memcmp(hp + n - dl, dp, dl) == 0)
        return n - dl;
    return n;
}

int gh_uri_same_origin(const char *origin, size_t len, const char *scheme, const char *authority, size_t alen)
{
    size_t sl = strlen(scheme), hl, al;
    const char *hp;
    int https;

    if (origin == NULL || authority == NULL || alen == 0 || !gh_uri_header_value_ok(origin, len))
        return 0;
    if (len < sl + 4 || strncasecmp(origin, scheme, sl) != 0 || memcmp(origin + sl, "://", 3) != 0)
        return 0;
    https = sl == 5 && strncasecmp(scheme, "https", 5) == 0;
    hp = origin + sl + 3;
    hl = len - sl - 3;
    if (hl == 0 || memchr(hp, '/', hl) != NULL || memchr(hp, '@', hl) != NULL)
        return 0;
    hl = strip_default_port(hp, hl, https);
    al = strip_default_port(authority, alen, https);
    return hl == al && strncasecmp(hp, authority, hl) == 0;
}
