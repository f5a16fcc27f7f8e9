/* The string pool and the ${...} variables of WSO2 conf files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xml.h"
#include "gatehouse/conf.h"
#include "gatehouse/mem.h"

char *gh_xml_pool_keep(gh_xml_pool_t *p, char *s)
{
    if (s == NULL) return NULL;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 32;
        p->strs = gh_realloc(p->strs, p->cap * sizeof(*p->strs));
    }
    p->strs[p->n++] = s;
    return s;
}

char *gh_xml_pool_strdup(gh_xml_pool_t *p, const char *s)
{
    return gh_xml_pool_keep(p, gh_strdup(s));
}

void gh_xml_pool_dispose(gh_xml_pool_t *p)
{
    size_t i;

    /* passwords of datasources and admin users live here too */
    for (i = 0; i < p->n; ++i)
        gh_free_secret(p->strs[i]);
    free(p->strs);
    p->strs = NULL;
    p->n = p->cap = 0;
}

void gh_xml_vars_set(gh_xml_vars_t *v, const char *name, const char *value)
{
    size_t i;

    for (i = 0; i < v->n; ++i) {
        if (strcmp(v->names[i], name) == 0) {
            gh_free_secret(v->values[i]);
            v->values[i] = gh_strdup(value);
            return;
        }
    }
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 24;
        v->names = gh_realloc(v->names, v->cap * sizeof(*v->names));
        v->values = gh_realloc(v->values, v->cap * sizeof(*v->values));
    }
    v->names[v->n] = gh_strdup(name);
    v->values[v->n] = gh_strdup(value);
    v->n++;
}

const char *gh_xml_vars_get(const gh_xml_vars_t *v, const char *name)
{
    size_t i;

    for (i = 0; v != NULL && i < v->n; ++i)
        if (strcmp(v->names[i], name) == 0) return v->values[i];
    return NULL;
}

void gh_xml_vars_dispose(gh_xml_vars_t *v)
{
    size_t i;

    for (i = 0; i < v->n; ++i) {
        free(v->names[i]);
        gh_free_secret(v->values[i]); /* admin.password */
    }
    free(v->names);
    free(v->values);
    v->names = v->values = NULL;
    v->n = v->cap = 0;
}

static void set_port(gh_xml_vars_t *v, const char *name, int port)
{
    char buf[16];

    snprintf(buf, sizeof(buf), "%d", port);
    gh_xml_vars_set(v, name, buf);
}

void gh_xml_vars_standard(gh_xml_vars_t *v, const char *carbon_home, const char *host, int offset,
                          const char *admin_user, const char *admin_password)
{
    const char *h = host != NULL ? host : "localhost";

    gh_xml_vars_set(v, "carbon.home", carbon_home);
    gh_xml_vars_set(v, "carbon.context", "/");
    gh_xml_vars_set(v, "carbon.protocol", "https");
    gh_xml_vars_set(v, "carbon.local.ip", h);
    gh_xml_vars_set(v, "carbon.host", h);
    set_port(v, "mgt.transport.https.port", GH_PORT_MGT_HTTPS + offset);
    set_port(v, "mgt.transport.http.port", GH_PORT_MGT_HTTP + offset);
    set_port(v, "carbon.management.port", GH_PORT_MGT_HTTPS + offset);
    set_port(v, "https.nio.port", GH_PORT_GW_HTTPS + offset);
    set_port(v, "http.nio.port", GH_PORT_GW_HTTP + offset);
    set_port(v, "receiver.url.port", 9611 + offset);
    set_port(v, "auth.url.port", 9711 + offset);
    set_port(v, "jms.port", 5672 + offset);
    /* referenced by the LDAP user-store blocks of user-mgt.xml and by embedded-ldap.xml */
    set_port(v, "Ports.EmbeddedLDAP.LDAPServerPort", 10389 + offset);
    set_port(v, "Ports.EmbeddedLDAP.KDCServerPort", 8000 + offset);
    gh_xml_vars_set(v, "admin.username", admin_user != NULL ? admin_user : "admin");
    gh_xml_vars_set(v, "admin.password", admin_password != NULL ? admin_password : "admin");
}

/* Append n bytes of s to the growing buffer *buf (len/cap). */
static void append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = gh_realloc(*buf, *cap);
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
}

char *gh_xml_subst(gh_xml_doc_t *x, const xmlNode *node, const char *element, const char *in)
{
    size_t len = 0, cap = strlen(in) + 1;
    char *out = gh_malloc(cap);
    const char *p = in, *start, *end, *val;
    char name[128];
    int is_env;

    out[0] = '\0';
    while (*p != '\0') {
        is_env = strncmp(p, "$env{", 5) == 0;
        if (!(is_env || strncmp(p, "${", 2) == 0) || (end = strchr(p, '}')) == NULL) {
            append(&out, &len, &cap, p, 1);
            p++;
            continue;
        }
        start = p + (is_env ? 5 : 2);
        if ((size_t)(end - start) >= sizeof(name) || end == start) {
            append(&out, &len, &cap, p, (size_t)(end - p) + 1);
            p = end + 1;
            continue;
        }
        memcpy(name, start, (size_t)(end - start));
        name[end - start] = '\0';
        if (is_env) {
            if ((val = getenv(name)) == NULL) {
                gh_xml_error(x, node, element, "environment variable %s (from $env{%s}) is not set", name,
                             name);
                free(out);
                return NULL;
            }
        } else if ((val = gh_xml_vars_get(x->vars, name)) == NULL) {
            gh_xml_warn(x, node, element, "unknown variable ${%s} is kept literally", name);
            val = NULL;
        }
        if (val != NULL)
            append(&out, &len, &cap, val, strlen(val));
        else
            append(&out, &len, &cap, p, (size_t)(end - p) + 1);
        p = end + 1;
    }
    return out;
}
