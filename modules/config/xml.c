/* libxml2 helpers: safe parsing with diagnostics, navigation by local name, typed getters returning
 * 1 found / 0 absent / -1 error (libvirt virXMLProp*), and the directive-table walker. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include "xml.h"
#include "gatehouse/mem.h"

static void vreport(gh_xml_doc_t *x, gh_diag_level_t lvl, const xmlNode *node, const char *element,
                    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void vreport(gh_xml_doc_t *x, gh_diag_level_t lvl, const xmlNode *node, const char *element,
                    const char *fmt, va_list ap)
{
    char msg[1024];
    int line = node != NULL ? (int)xmlGetLineNo(node) : 0;

    vsnprintf(msg, sizeof(msg), fmt, ap);
    gh_diag_add(x->d, lvl, x->file, line > 0 ? line : 0, element, "%s", msg);
    if (lvl == GH_DIAG_ERROR) x->n_errors++;
}

void gh_xml_error(gh_xml_doc_t *x, const xmlNode *node, const char *element, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(x, GH_DIAG_ERROR, node, element, fmt, ap);
    va_end(ap);
}

void gh_xml_warn(gh_xml_doc_t *x, const xmlNode *node, const char *element, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(x, GH_DIAG_WARN, node, element, fmt, ap);
    va_end(ap);
}

/* libxml2's structured error callback for this parser context: each parse error becomes a diagnostic
 * carrying libxml2's own line number. userData is the parser context (libxml2's default). */
static void on_xml_error(void *user, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = user;
    gh_xml_doc_t *x = ctxt != NULL ? ctxt->_private : NULL;
    char msg[512];
    size_t n;

    if (x == NULL || e == NULL || e->level < XML_ERR_ERROR) return;
    snprintf(msg, sizeof(msg), "%s", e->message != NULL ? e->message : "parse error");
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    gh_diag_add(x->d, GH_DIAG_ERROR, x->file, e->line, NULL, "malformed XML: %s", msg);
    x->n_errors++;
}

int gh_xml_open(gh_xml_doc_t *x, const char *path, const char *root_name)
{
    xmlParserCtxtPtr ctxt;
    int before = x->n_errors;

    if (access(path, F_OK) != 0) return 0;
    if (access(path, R_OK) != 0) {
        gh_xml_error(x, NULL, NULL, "cannot read the file: %s", strerror(errno));
        return -1;
    }
    if ((ctxt = xmlNewParserCtxt()) == NULL) {
        gh_xml_error(x, NULL, NULL, "cannot create an XML parser (out of memory?)");
        return -1;
    }
    ctxt->_private = x;
    ctxt->sax->serror = on_xml_error;
    /* Never XML_PARSE_NOENT / XML_PARSE_DTDLOAD: entity expansion could read host files (LSN-2014-0003). */
    x->doc = xmlCtxtReadFile(ctxt, path, NULL, XML_PARSE_NONET | XML_PARSE_NOWARNING);
    xmlFreeParserCtxt(ctxt);
    if (x->doc == NULL || x->n_errors > before) {
        if (x->n_errors == before) gh_xml_error(x, NULL, NULL, "malformed XML: the file could not be parsed");
        gh_xml_close(x);
        return -1;
    }
    x->root = xmlDocGetRootElement(x->doc);
    if (x->root == NULL || !gh_xml_is(x->root, root_name)) {
        gh_xml_error(x, x->root, x->root != NULL ? (const char *)x->root->name : NULL,
                     "the root element must be <%s>; is this the right file?", root_name);
        gh_xml_close(x);
        return -1;
    }
    return 1;
}

void gh_xml_close(gh_xml_doc_t *x)
{
    if (x->doc != NULL) xmlFreeDoc(x->doc);
    x->doc = NULL;
    x->root = NULL;
}

int gh_xml_is(const xmlNode *n, const char *name)
{
    return n != NULL && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

xmlNode *gh_xml_next(const xmlNode *parent, const xmlNode *prev, const char *name)
{
    xmlNode *c = prev != NULL ? prev->next : (parent != NULL ? parent->children : NULL);

    for (; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && (name == NULL || strcmp((const char *)c->name, name) == 0))
            return c;
    return NULL;
}

xmlNode *gh_xml_child(const xmlNode *parent, const char *name)
{
    return gh_xml_next(parent, NULL, name);
}

xmlNode *gh_xml_find(const xmlNode *parent, const char *path)
{
    char step[128];
    const char *p = path, *slash;
    const xmlNode *n = parent;
    size_t len;

    while (n != NULL && *p != '\0') {
        slash = strchr(p, '/');
        len = slash != NULL ? (size_t)(slash - p) : strlen(p);
        if (len >= sizeof(step)) return NULL;
        memcpy(step, p, len);
        step[len] = '\0';
        n = gh_xml_child(n, step);
        p += len + (slash != NULL);
    }
    return (xmlNode *)n;
}

char *gh_xml_attr(const xmlNode *n, const char *name)
{
    const xmlAttr *a;

    for (a = n->properties; a != NULL; a = a->next)
        if (strcmp((const char *)a->name, name) == 0) return (char *)xmlNodeGetContent((const xmlNode *)a);
    return NULL;
}

/* Secure Vault: the value is an alias resolved by a Java keystore we cannot read. */
static int is_vault(const xmlNode *node)
{
    char *enc = gh_xml_attr(node, "encrypted");
    char *alias = gh_xml_attr(node, "secretAlias");
    int r = alias != NULL || (enc != NULL && strcasecmp(enc, "true") == 0);

    xmlFree(enc);
    xmlFree(alias);
    return r;
}

int gh_xml_text(gh_xml_doc_t *x, const xmlNode *node, const char *element, char **out)
{
    const xmlNode *c;
    size_t len = 0, n;
    char *raw = gh_strdup(""), *s, *e, *res;

    if (is_vault(node)) {
        gh_xml_error(
            x, node, element,
            "Secure Vault values (encrypted=\"true\" or svns:secretAlias) are not supported by Gatehouse; "
            "write the plain value in the element, or $env{VARIABLE} to take it from the environment");
        free(raw);
        return -1;
    }
    /* comments inside text are skipped: stock files write jdbc:h2:...<!-- ... -->;AUTO_SERVER=TRUE */
    for (c = node->children; c != NULL; c = c->next) {
        if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) || c->content == NULL) continue;
        n = strlen((const char *)c->content);
        raw = gh_realloc(raw, len + n + 1);
        memcpy(raw + len, c->content, n + 1);
        len += n;
    }
    for (s = raw; *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'; ++s)
        ;
    for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'); --e)
        ;
    *e = '\0';
    res = gh_xml_subst(x, node, element, s);
    free(raw);
    if (res == NULL) return -1;
    *out = gh_xml_pool_keep(x->pool, res);
    return 1;
}

int gh_xml_parse_bool(const char *s, int *out)
{
    if (strcasecmp(s, "true") == 0)
        *out = 1;
    else if (strcasecmp(s, "false") == 0)
        *out = 0;
    else
        return -1;
    return 0;
}

int gh_xml_parse_int(const char *s, long min, long max, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max) return -1;
    *out = (int)v;
    return 0;
}

char *gh_xml_abspath(const char *base, const char *rel)
{
    if (rel[0] == '/' || base == NULL) return gh_strdup(rel);
    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    return gh_asprintf("%s/%s", base, rel);
}

/* Shared front half of the getters: find the element, report a missing required one, read its text.
 * Returns 1 with *node and *text, 0 absent, -1 error. Empty text counts as absent when empty_is_absent. */
static int lookup(gh_xml_doc_t *x, const xmlNode *parent, const char *path, int flags, int empty_is_absent,
                  xmlNode **node, char **text)
{
    *node = gh_xml_find(parent, path);
    if (*node != NULL) {
        if (gh_xml_text(x, *node, path, text) < 0) return -1;
        if (!empty_is_absent || (*text)[0] != '\0') return 1;
    }
    if (flags & GH_XML_REQUIRED)
        gh_xml_error(x, *node != NULL ? *node : parent, path,
                     "required element is missing or empty (inside <%s>)", (const char *)parent->name);
    return 0;
}

int gh_xml_get_str(gh_xml_doc_t *x, const xmlNode *parent, const char *path, int flags, char **out)
{
    xmlNode *node;
    char *text;
    int r = lookup(x, parent, path, flags, flags & GH_XML_REQUIRED, &node, &text);

    if (r == 1) *out = text;
    return r;
}

int gh_xml_get_int(gh_xml_doc_t *x, const xmlNode *parent, const char *path, int flags, long min, long max,
                   int *out)
{
    xmlNode *node;
    char *text;
    int r = lookup(x, parent, path, flags, 1, &node, &text);

    if (r != 1) return r;
    if (gh_xml_parse_int(text, min, max, out) != 0) {
        gh_xml_error(x, node, path, "'%s' is not a whole number between %ld and %ld", text, min, max);
        return -1;
    }
    return 1;
}

int gh_xml_get_bool(gh_xml_doc_t *x, const xmlNode *parent, const char *path, int flags, int *out)
{
    xmlNode *node;
    char *text;
    int r = lookup(x, parent, path, flags, 1, &node, &text);

    if (r != 1) return r;
    if (gh_xml_parse_bool(text, out) != 0) {
        gh_xml_error(x, node, path, "'%s' is not a boolean; use true or false", text);
        return -1;
    }
    return 1;
}

int gh_xml_get_path(gh_xml_doc_t *x, const xmlNode *parent, const char *path, int flags, char **out)
{
    char *s;
    int r = gh_xml_get_str(x, parent, path, flags, &s);

    if (r != 1) return r;
    if (s[0] == '\0') return 0; /* an empty path means "not set" */
    *out = gh_xml_pool_keep(x->pool, gh_xml_abspath(x->base_dir, s));
    return 1;
}

static int apply_default(gh_xml_doc_t *x, const gh_xml_directive_t *r, void *field)
{
    int *ip = field;
    char **sp = field;

    switch (r->type) {
    case GH_XML_INT:
        *ip = 0;
        return r->def == NULL || gh_xml_parse_int(r->def, r->min, r->max, ip) == 0 ? 0 : -1;
    case GH_XML_BOOL:
        *ip = 0;
        return r->def == NULL || gh_xml_parse_bool(r->def, ip) == 0 ? 0 : -1;
    case GH_XML_STRING:
        *sp = gh_xml_pool_strdup(x->pool, r->def);
        return 0;
    case GH_XML_PATH:
        *sp = r->def != NULL ? gh_xml_pool_keep(x->pool, gh_xml_abspath(x->base_dir, r->def)) : NULL;
        return 0;
    }
    return -1;
}

int gh_xml_apply(gh_xml_doc_t *x, const xmlNode *parent, const gh_xml_directive_t *rows, size_t n, void *base)
{
    size_t i;
    int before = x->n_errors, flags;
    void *field;

    for (i = 0; i < n; ++i) {
        field = (char *)base + rows[i].offset;
        flags = rows[i].required ? GH_XML_REQUIRED : GH_XML_OPTIONAL;
        /* the default goes in first so that a bad or absent value leaves a usable one behind */
        if (apply_default(x, &rows[i], field) != 0)
            gh_xml_error(x, parent, rows[i].path, "internal: bad default '%s'", rows[i].def);
        switch (rows[i].type) {
        case GH_XML_INT:
            gh_xml_get_int(x, parent, rows[i].path, flags, rows[i].min, rows[i].max, field);
            break;
        case GH_XML_BOOL:
            gh_xml_get_bool(x, parent, rows[i].path, flags, field);
            break;
        case GH_XML_STRING:
            gh_xml_get_str(x, parent, rows[i].path, flags, field);
            break;
        case GH_XML_PATH:
            gh_xml_get_path(x, parent, rows[i].path, flags, field);
            break;
        }
    }
    return x->n_errors - before;
}

void gh_xml_warn_unknown(gh_xml_doc_t *x, const xmlNode *parent, const char *const *known)
{
    const xmlNode *c = NULL;
    const char *const *k;

    while ((c = gh_xml_next(parent, c, NULL)) != NULL) {
        for (k = known; *k != NULL && strcmp(*k, (const char *)c->name) != 0; ++k)
            ;
        if (*k == NULL)
            gh_xml_warn(x, c, (const char *)c->name, "not used by Gatehouse (inside <%s>); ignored",
                        (const char *)parent->name);
    }
}

static int listed(const char *const *list, const char *name)
{
    for (; *list != NULL; ++list)
        if (strcmp(*list, name) == 0)
            return 1;
    return 0;
}

void gh_xml_note_unused(gh_xml_doc_t *x, const xmlNode *parent, const char *const *known, const char *const *used)
{
    const xmlNode *c = NULL, *d;
    char names[900];
    size_t len = 0;

    names[0] = '\0';
    while ((c = gh_xml_next(parent, c, NULL)) != NULL && len < sizeof(names)) {
        const char *n = (const char *)c->name;
        int seen = 0;
        if (!listed(known, n) || listed(used, n))
            continue;
        for (d = gh_xml_next(parent, NULL, NULL); d != c; d = gh_xml_next(parent, d, NULL))
            seen |= strcmp((const char *)d->name, n) == 0;
        if (!seen)
            len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", len ? ", " : "", n);
    }
    if (len > 0)
        gh_xml_warn(x, parent, (const char *)parent->name, "read by WSO2 but not used by Gatehouse, ignored: %s",
                    names);
}
