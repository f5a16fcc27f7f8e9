/* Blocking conditions (WSO2's AM_BLOCK_CONDITIONS, the Admin "blacklist") as the gateway matches them: one hash
 * set per type, filled once when the API snapshot is loaded and only read afterwards, so a request pays a few
 * hash lookups. Values are put in one canonical form on both sides (when loaded and when looked up), so the ways
 * WSO2 and the Admin API spell the same thing match:
 *   API          the context with its version (/pizza/1.0.0) or without it (/pizza: every version); a trailing
 *                slash is ignored;
 *   APPLICATION  owner:name; the owner without its tenant domain and in lower case (user names are
 *                case-insensitive by default), the name as it is;
 *   USER         the user name with its tenant domain (alice@carbon.super, as WSO2 stores it; "alice" is read
 *                as alice@carbon.super), in lower case;
 *   IP           one IPv4 or IPv6 address; an IPv4-mapped IPv6 address is the IPv4 address.
 * Pure functions, unit-tested (tests/unit/gateway/test_block.c). */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/mem.h"
#include "gw_int.h"

#define KEY_MAX 1024

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (; *s != '\0'; ++s)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int set_has(const gw_strset_t *set, const char *key)
{
    size_t i;

    if (set->n == 0)
        return 0;
    for (i = hash(key) & (set->cap - 1); set->slot[i] != NULL; i = (i + 1) & (set->cap - 1))
        if (strcmp(set->slot[i], key) == 0)
            return 1;
    return 0;
}

static void set_put(gw_strset_t *set, char *key)
{
    size_t i;

    for (i = hash(key) & (set->cap - 1); set->slot[i] != NULL; i = (i + 1) & (set->cap - 1))
        ;
    set->slot[i] = key;
}

/* takes key (heap); load factor at most 1/2 */
static void set_add(gw_strset_t *set, char *key)
{
    if (set_has(set, key)) {
        free(key);
        return;
    }
    if (2 * (set->n + 1) > set->cap) {
        gw_strset_t big = {gh_calloc(set->cap ? 2 * set->cap : 16, sizeof(char *)), set->cap ? 2 * set->cap : 16,
                           set->n};
        size_t i;
        for (i = 0; i < set->cap; ++i)
            if (set->slot[i] != NULL)
                set_put(&big, set->slot[i]);
        free(set->slot);
        *set = big;
    }
    set_put(set, key);
    set->n++;
}

static void set_free(gw_strset_t *set)
{
    size_t i;

    for (i = 0; i < set->cap; ++i)
        free(set->slot[i]);
    free(set->slot);
    memset(set, 0, sizeof(*set));
}

int gw_block_ip_canon(const char *text, char *out, size_t size)
{
    struct in6_addr a6;
    struct in_addr a4;

    if (inet_pton(AF_INET, text, &a4) == 1)
        return inet_ntop(AF_INET, &a4, out, (socklen_t)size) != NULL ? 0 : -1;
    if (inet_pton(AF_INET6, text, &a6) != 1)
        return -1;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        memcpy(&a4, &a6.s6_addr[12], 4);
        return inet_ntop(AF_INET, &a4, out, (socklen_t)size) != NULL ? 0 : -1;
    }
    return inet_ntop(AF_INET6, &a6, out, (socklen_t)size) != NULL ? 0 : -1;
}

int gw_block_sockaddr_canon(const struct sockaddr *sa, char *out, size_t size)
{
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
    struct in_addr a4;

    if (sa->sa_family == AF_INET)
        return inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size) != NULL ? 0 : -1;
    if (sa->sa_family != AF_INET6)
        return -1;
    if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
        memcpy(&a4, &s6->sin6_addr.s6_addr[12], 4);
        return inet_ntop(AF_INET, &a4, out, (socklen_t)size) != NULL ? 0 : -1;
    }
    return inet_ntop(AF_INET6, &s6->sin6_addr, out, (socklen_t)size) != NULL ? 0 : -1;
}

/* 1 when s[0..len) ends with "@" domain */
static int at_domain(const char *s, size_t len, const char *domain, size_t dl)
{
    return dl > 0 && len > dl && s[len - dl - 1] == '@' && memcmp(s + len - dl, domain, dl) == 0;
}

/* user@domain in lower case; "user" alone belongs to domain (built by hand: this runs on every call) */
static int user_key(const char *user, const char *domain, char *out, size_t size)
{
    size_t ul = strlen(user), dl = domain != NULL ? strlen(domain) : 0, n = ul, i;

    if (ul == 0 || ul >= size)
        return -1;
    memcpy(out, user, ul);
    if (dl > 0 && !at_domain(user, ul, domain, dl)) {
        if (ul + 1 + dl >= size)
            return -1;
        out[n++] = '@';
        memcpy(out + n, domain, dl);
        n += dl;
    }
    out[n] = '\0';
    for (i = 0; i < n; ++i)
        out[i] = (char)tolower((unsigned char)out[i]);
    return 0;
}

/* owner:name with the owner lower-cased and without "@domain" */
static int app_key(const char *owner, size_t olen, const char *name, const char *domain, char *out, size_t size)
{
    size_t dl = domain != NULL ? strlen(domain) : 0, nl = strlen(name), i;

    if (at_domain(owner, olen, domain, dl))
        olen -= dl + 1;
    if (olen == 0 || nl == 0 || olen + 1 + nl >= size)
        return -1;
    for (i = 0; i < olen; ++i)
        out[i] = (char)tolower((unsigned char)owner[i]);
    out[olen] = ':';
    memcpy(out + olen + 1, name, nl + 1);
    return 0;
}

/* a context without its trailing slashes */
static int api_key(const char *context, char *out, size_t size)
{
    size_t l = strlen(context);

    while (l > 1 && context[l - 1] == '/')
        --l;
    if (l == 0 || l >= size)
        return -1;
    memcpy(out, context, l);
    out[l] = '\0';
    return 0;
}

int gw_block_add(gw_block_t *b, const char *type, const char *value, const char *domain)
{
    char key[KEY_MAX];
    const char *colon;
    gw_strset_t *set;

    if (type == NULL || value == NULL)
        return -1;
    if (strcasecmp(type, "API") == 0) {
        set = &b->api;
        if (api_key(value, key, sizeof(key)) != 0)
            return -1;
    } else if (strcasecmp(type, "APPLICATION") == 0) {
        set = &b->app;
        if ((colon = strchr(value, ':')) == NULL ||
            app_key(value, (size_t)(colon - value), colon + 1, domain, key, sizeof(key)) != 0)
            return -1;
    } else if (strcasecmp(type, "USER") == 0) {
        set = &b->user;
        if (user_key(value, domain, key, sizeof(key)) != 0)
            return -1;
    } else if (strcasecmp(type, "IP") == 0) {
        set = &b->ip;
        if (gw_block_ip_canon(value, key, sizeof(key)) != 0)
            return -1;
    } else {
        return -1; /* IPRANGE and the like: not accepted by the Admin API here */
    }
    set_add(set, gh_strdup(key));
    return 0;
}

void gw_block_free(gw_block_t *b)
{
    set_free(&b->api);
    set_free(&b->app);
    set_free(&b->user);
    set_free(&b->ip);
}

size_t gw_block_count(const gw_block_t *b)
{
    return b->api.n + b->app.n + b->user.n + b->ip.n;
}

gw_block_type_t gw_block_early(const gw_block_t *b, const char *context, const char *base_context, const char *ip)
{
    char key[KEY_MAX];

    if (ip != NULL && set_has(&b->ip, ip))
        return GW_BLOCK_IP;
    if (b->api.n == 0)
        return GW_BLOCK_NONE;
    if (context != NULL && api_key(context, key, sizeof(key)) == 0 && set_has(&b->api, key))
        return GW_BLOCK_API;
    if (base_context != NULL && api_key(base_context, key, sizeof(key)) == 0 && set_has(&b->api, key))
        return GW_BLOCK_API;
    return GW_BLOCK_NONE;
}

gw_block_type_t gw_block_late(const gw_block_t *b, const char *subscriber, const char *app_name,
                              const char *end_user, const char *domain)
{
    char key[KEY_MAX];

    if (b->app.n > 0 && subscriber != NULL && app_name != NULL &&
        app_key(subscriber, strlen(subscriber), app_name, domain, key, sizeof(key)) == 0 && set_has(&b->app, key))
        return GW_BLOCK_APPLICATION;
    if (b->user.n > 0 && end_user != NULL && user_key(end_user, domain, key, sizeof(key)) == 0 &&
        set_has(&b->user, key))
        return GW_BLOCK_USER;
    return GW_BLOCK_NONE;
}

const char *gw_block_type_name(gw_block_type_t t)
{
    switch (t) {
    case GW_BLOCK_API: return "API";
    case GW_BLOCK_APPLICATION: return "APPLICATION";
    case GW_BLOCK_IP: return "IP";
    case GW_BLOCK_USER: return "USER";
    default: return "-";
    }
}

/* --- where the client's address comes from: the TCP peer, or X-Forwarded-For behind trusted proxies --- */

int gw_cidr_parse(const char *text, size_t len, gw_cidr_t *out)
{
    char buf[64], *slash, *end;
    struct in_addr a4;
    long bits;
    int max;

    while (len > 0 && (*text == ' ' || *text == '\t'))
        ++text, --len;
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        --len;
    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    if ((slash = strchr(buf, '/')) != NULL)
        *slash = '\0';
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, buf, &a4) == 1) {
        out->addr[10] = out->addr[11] = 0xff; /* IPv4 as IPv4-mapped IPv6 */
        memcpy(out->addr + 12, &a4, 4);
        max = 32;
    } else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        max = 128;
    } else {
        return -1;
    }
    bits = max;
    if (slash != NULL) {
        bits = strtol(slash + 1, &end, 10);
        if (slash[1] == '\0' || *end != '\0' || bits < 0 || bits > max)
            return -1;
    }
    out->bits = (int)bits + (max == 32 ? 96 : 0);
    return 0;
}

int gw_cidr_list_parse(const char *list, gw_cidr_t **out, size_t *n)
{
    const char *p = list;

    *out = NULL;
    *n = 0;
    while (p != NULL && *p != '\0') {
        size_t l = strcspn(p, ", \t\n");
        if (l > 0) {
            *out = gh_realloc(*out, (*n + 1) * sizeof(**out));
            if (gw_cidr_parse(p, l, &(*out)[*n]) != 0) {
                free(*out);
                *out = NULL;
                *n = 0;
                return -1;
            }
            ++*n;
        }
        p += l;
        p += strspn(p, ", \t\n");
    }
    return 0;
}

int gw_cidr_match(const gw_cidr_t *list, size_t n, const char *ip)
{
    gw_cidr_t a;
    size_t i;

    if (n == 0 || ip == NULL || gw_cidr_parse(ip, strlen(ip), &a) != 0)
        return 0;
    for (i = 0; i < n; ++i) {
        int full = list[i].bits / 8, rest = list[i].bits % 8;
        if (memcmp(a.addr, list[i].addr, (size_t)full) != 0)
            continue;
        if (rest == 0 || ((a.addr[full] ^ list[i].addr[full]) & (0xff << (8 - rest)) & 0xff) == 0)
            return 1;
    }
    return 0;
}

/* the last comma-separated entry of v[0..*len), shortened off *len; NULL when none is left */
static const char *pop_entry(const char *v, size_t *len, size_t *elen)
{
    size_t end = *len, start;

    while (end > 0 && (v[end - 1] == ' ' || v[end - 1] == ',' || v[end - 1] == '\t'))
        --end;
    if (end == 0)
        return NULL;
    for (start = end; start > 0 && v[start - 1] != ','; --start)
        ;
    *len = start;
    while (start < end && (v[start] == ' ' || v[start] == '\t'))
        ++start;
    *elen = end - start;
    return v + start;
}

int gw_block_client_ip(const gw_cidr_t *trusted, size_t n_trusted, const char *peer, const h2o_iovec_t *xff,
                       size_t n_xff, char *out, size_t size)
{
    size_t h;

    if (peer == NULL || strlen(peer) >= size)
        return -1;
    strcpy(out, peer);
    /* each trusted hop appended the address it saw: from the right, the first one not trusted is the client.
     * Anything further left was written by the client and is not believed. */
    for (h = n_xff; h-- > 0 && gw_cidr_match(trusted, n_trusted, out);) {
        size_t len = xff[h].len, elen;
        const char *e;
        while (gw_cidr_match(trusted, n_trusted, out) && (e = pop_entry(xff[h].base, &len, &elen)) != NULL) {
            char text[64], canon[64];
            if (elen >= sizeof(text))
                return 0; /* not an address: keep the nearest hop we trust */
            memcpy(text, e, elen);
            text[elen] = '\0';
            if (gw_block_ip_canon(text, canon, sizeof(canon)) != 0 || strlen(canon) >= size)
                return 0;
            strcpy(out, canon);
        }
    }
    return 0;
}
