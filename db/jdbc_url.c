/* JDBC URL parsing. Two shapes exist in WSO2 files:
 *   server: jdbc:postgresql://host[:port]/db[?k=v&...]   jdbc:mysql://...   jdbc:mariadb://...
 *   file:   jdbc:sqlite:PATH                            jdbc:h2:[file:]PATH[;OPT=V...]
 * H2 is served by SQLite: the H2 options (AUTO_SERVER, DB_CLOSE_ON_EXIT...) mean nothing there and are dropped,
 * and the file is PATH + ".db" (H2 itself would use PATH + ".h2.db" / ".mv.db"; the SQLite file must not be
 * mistaken for one of those). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "db/jdbc_url.h"
#include "gatehouse/mem.h"

typedef struct {
    const char *scheme;
    const char *driver;
    int server; /* 1: //host form, 0: file form */
    int default_port;
} scheme_t;

static const scheme_t schemes[] = {
    {"postgresql", "postgresql", 1, 5432},
    {"mysql", "mysql", 1, 3306},
    {"mariadb", "mysql", 1, 3306},
    {"sqlite", "sqlite", 0, 0},
    {"h2", "sqlite", 0, 0},
};

static void add_param(gh_db_url_t *u, const char *name, size_t nlen, const char *value, size_t vlen)
{
    u->params = gh_realloc(u->params, (u->n_params + 1) * sizeof(*u->params));
    u->params[u->n_params].name = gh_strndup(name, nlen);
    u->params[u->n_params].value = gh_strndup(value, vlen);
    u->n_params++;
}

/* "a=b<sep>c=d": a pair without '=' gets an empty value (JDBC drivers accept flags like that). */
static void parse_params(gh_db_url_t *u, const char *s, char sep)
{
    const char *end, *eq;

    while (*s != '\0') {
        end = strchr(s, sep);
        if (end == NULL)
            end = s + strlen(s);
        if (end > s) {
            eq = memchr(s, '=', (size_t)(end - s));
            if (eq != NULL)
                add_param(u, s, (size_t)(eq - s), eq + 1, (size_t)(end - eq - 1));
            else
                add_param(u, s, (size_t)(end - s), "", 0);
        }
        s = *end != '\0' ? end + 1 : end;
    }
}

static int parse_port(const char *s, size_t len, int *port)
{
    char buf[8];
    char *endp;
    long v;
    size_t i;

    if (len == 0 || len >= sizeof(buf))
        return GH_ERR;
    for (i = 0; i < len; ++i)
        if (!isdigit((unsigned char)s[i]))
            return GH_ERR;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    v = strtol(buf, &endp, 10);
    if (errno != 0 || *endp != '\0' || v < 1 || v > 65535)
        return GH_ERR;
    *port = (int)v;
    return GH_OK;
}

static int parse_server(const char *url, const char *rest, gh_db_url_t *u, gh_err_t *err)
{
    const char *p = rest, *host_end, *slash, *q, *port_s = NULL;
    size_t port_len = 0;

    if (strncmp(p, "//", 2) != 0)
        return gh_err_set(err, GH_E_CONFIG, "JDBC URL '%s': expected '//' after 'jdbc:%s:'", url, u->scheme);
    p += 2;
    if (*p == '[') { /* IPv6 literal */
        host_end = strchr(p, ']');
        if (host_end == NULL)
            return gh_err_set(err, GH_E_CONFIG, "JDBC URL '%s': unterminated '[' in IPv6 host", url);
        if (host_end == p + 1)
            return gh_err_set(err, GH_E_CONFIG, "JDBC URL '%s': missing host", url);
        u->host = gh_strndup(p + 1, (size_t)(host_end - p - 1));
        p = host_end + 1;
        if (*p != '\0' && *p != ':' && *p != '/' && *p != '?')
            return gh_err_set(err, GH_E_CONFIG, "JDBC URL '%s': unexpected text after ']'", url);
    } else {
        host_end = p + strcspn(p, ":/?");
        if (host_end == p)
            return gh_err_set(err, GH_E_CONFIG, "JDBC URL '%s': missing host (expected jdbc:%s://HOST[:PORT]/DB)",
                              url, u->scheme);
        u->host = gh_strndup(p, (size_t)(host_end - p));
        p = host_end;
    }
    if (*p == ':') {
        port_s = p + 1;
        port_len = strcspn(port_s, "/?");
        if (parse_port(port_s, port_len, &u->port) != GH_OK)
            return gh_err_set(err, GH_E_CONFIG, "JDBC URL '%s': bad port '%.*s' (expected 1-65535)", url,
                              (int)port_len, port_s);
        p = port_s + port_len;
    }
    if (*p != '/' || p[1] == '\0' || p[1] == '?')
        return gh_err_set(err, GH_E_CONFIG, "JDBC URL '%s': missing database name (expected jdbc:%s://HOST[:PORT]/DB)",
                          url, u->scheme);
    slash = p;
    q = strchr(slash, '?');
    u->database = q != NULL ? gh_strndup(slash + 1, (size_t)(q - slash - 1)) : gh_strdup(slash + 1);
    if (q != NULL)
        parse_params(u, q + 1, '&');
    return GH_OK;
}

static int parse_file(const char *url, const char *rest, gh_db_url_t *u, gh_err_t *err)
{
    size_t len;

    if (strcmp(u->scheme, "h2") == 0) {
        if (strncmp(rest, "file:", 5) == 0)
            rest += 5;
        else if (strncmp(rest, "mem:", 4) == 0 || strncmp(rest, "tcp:", 4) == 0 || strncmp(rest, "ssl:", 4) == 0)
            return gh_err_set(err, GH_E_CONFIG,
                              "JDBC URL '%s': H2 '%.3s:' databases are not supported; use a file path "
                              "(jdbc:h2:/path/to/DB) or jdbc:sqlite:/path/to/file.db",
                              url, rest);
        len = strcspn(rest, ";");
        if (len == 0)
            return gh_err_set(err, GH_E_CONFIG, "JDBC URL '%s': missing path (expected jdbc:h2:PATH)", url);
        u->path = gh_malloc(len + 4);
        memcpy(u->path, rest, len);
        memcpy(u->path + len, ".db", 4);
        if (rest[len] == ';')
            parse_params(u, rest + len + 1, ';');
        return GH_OK;
    }
    if (*rest == '\0')
        return gh_err_set(err, GH_E_CONFIG, "JDBC URL '%s': missing path (expected jdbc:sqlite:PATH)", url);
    u->path = gh_strdup(rest);
    return GH_OK;
}

int gh_db_url_parse(const char *url, gh_db_url_t *out, gh_err_t *err)
{
    const char *p, *colon;
    const scheme_t *s = NULL;
    size_t i, len;
    int rc;

    memset(out, 0, sizeof(*out));
    if (url == NULL || *url == '\0')
        return gh_err_set(err, GH_E_CONFIG, "JDBC URL is empty (expected e.g. jdbc:postgresql://HOST:5432/DB)");
    if (strncmp(url, "jdbc:", 5) != 0)
        return gh_err_set(err, GH_E_CONFIG, "'%s' is not a JDBC URL (it must start with 'jdbc:')", url);
    p = url + 5;
    colon = strchr(p, ':');
    len = colon != NULL ? (size_t)(colon - p) : strlen(p);
    for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); ++i)
        if (strlen(schemes[i].scheme) == len && strncmp(schemes[i].scheme, p, len) == 0)
            s = &schemes[i];
    if (s == NULL || colon == NULL)
        return gh_err_set(err, GH_E_CONFIG,
                          "JDBC URL '%s': unknown scheme 'jdbc:%.*s:'; known: jdbc:postgresql:, jdbc:mysql:, "
                          "jdbc:mariadb:, jdbc:sqlite:, jdbc:h2:",
                          url, (int)len, p);
    out->scheme = s->scheme;
    out->driver = s->driver;
    out->port = s->default_port;
    rc = s->server ? parse_server(url, colon + 1, out, err) : parse_file(url, colon + 1, out, err);
    if (rc != GH_OK)
        gh_db_url_dispose(out);
    return rc;
}

void gh_db_url_dispose(gh_db_url_t *u)
{
    size_t i;

    if (u == NULL)
        return;
    free(u->host);
    free(u->database);
    free(u->path);
    for (i = 0; i < u->n_params; ++i) {
        free(u->params[i].name);
        free(u->params[i].value);
    }
    free(u->params);
    memset(u, 0, sizeof(*u));
}

const char *gh_db_url_param(const gh_db_url_t *u, const char *name)
{
    size_t i;

    for (i = 0; i < u->n_params; ++i)
        if (strcasecmp(u->params[i].name, name) == 0)
            return u->params[i].value;
    return NULL;
}
