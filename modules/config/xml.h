/* Private to modules/config/ (and its unit tests): libxml2 helpers shared by the WSO2 file loaders.
 * Nothing outside modules/config/ sees libxml2 types (include/gatehouse/conf.h is libxml2-free). */
#ifndef GH_CONFIG_XML_H
#define GH_CONFIG_XML_H

#include <stddef.h>
#include <libxml/tree.h>
#include "gatehouse/diag.h"

/* A bag of strings freed together: the conf's arena. Values may be secrets, so they are wiped on dispose. */
typedef struct st_gh_xml_pool_t {
    char **strs;
    size_t n, cap;
} gh_xml_pool_t;

/* Take ownership of s (heap, may be NULL) and return it. */
char *gh_xml_pool_keep(gh_xml_pool_t *p, char *s);
/* Copy s (NULL gives NULL) into the pool. */
char *gh_xml_pool_strdup(gh_xml_pool_t *p, const char *s);
/* Wipe and free every string; p can be reused afterwards. */
void gh_xml_pool_dispose(gh_xml_pool_t *p);

/* The ${name} variables of WSO2 conf files (wso2.md §1). Names and values are copies owned by the table. */
typedef struct st_gh_xml_vars_t {
    char **names;
    char **values;
    size_t n, cap;
} gh_xml_vars_t;

/* Add or replace a variable. */
void gh_xml_vars_set(gh_xml_vars_t *v, const char *name, const char *value);
/* Borrowed value, or NULL when undefined. */
const char *gh_xml_vars_get(const gh_xml_vars_t *v, const char *name);
void gh_xml_vars_dispose(gh_xml_vars_t *v);
/* Fill the standard variables from carbon.home, the host name, the port offset and the admin credentials
 * (host may be NULL = "localhost"; admin_user/admin_password may be NULL = "admin"). */
void gh_xml_vars_standard(gh_xml_vars_t *v, const char *carbon_home, const char *host, int offset,
                          const char *admin_user, const char *admin_password);

/* One open XML file and where its messages go. All pointers are borrowed from the caller. */
typedef struct st_gh_xml_doc_t {
    xmlDoc *doc;
    xmlNode *root;
    const char *file; /* path used in messages */
    gh_diag_list_t *d;
    gh_xml_pool_t *pool;       /* strings returned by the getters live here */
    const gh_xml_vars_t *vars; /* may be NULL: then every ${...} stays literal with a warning */
    const char *base_dir;      /* relative GH_XML_PATH values are made absolute against it (${carbon.home}) */
    int n_errors;              /* errors this document added to d */
} gh_xml_doc_t;

/* Parse path (without network access or entity loading) and check the root element's local name.
 * x must be zero-initialised with file/d/pool/vars/base_dir set. Returns 1 when parsed, 0 when the file
 * does not exist (nothing reported: the caller knows whether it is optional), -1 after reporting
 * malformed XML (with libxml2's line) or a wrong root. */
int gh_xml_open(gh_xml_doc_t *x, const char *path, const char *root_name);
/* Free the document (NULL-safe on an unopened x). */
void gh_xml_close(gh_xml_doc_t *x);

/* Record an error/warning at node's line (node may be NULL: no line). Errors bump x->n_errors. */
void gh_xml_error(gh_xml_doc_t *x, const xmlNode *node, const char *element, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void gh_xml_warn(gh_xml_doc_t *x, const xmlNode *node, const char *element, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Local name of an element (namespaces are ignored: carbon.xml and identity.xml declare one). */
int gh_xml_is(const xmlNode *n, const char *name);
/* First element child named name, or NULL. */
xmlNode *gh_xml_child(const xmlNode *parent, const char *name);
/* Element child after `prev` (NULL = first) with that name (NULL = any element). */
xmlNode *gh_xml_next(const xmlNode *parent, const xmlNode *prev, const char *name);
/* Follow a "A/B/C" path of first children; NULL when a step is missing. */
xmlNode *gh_xml_find(const xmlNode *parent, const char *path);
/* Attribute value (new heap string via xmlGetProp, free with xmlFree) matched by local name, or NULL. */
char *gh_xml_attr(const xmlNode *n, const char *name);

/* Substitute ${var} (unknown: warning, kept literally) and $env{VAR} (unset: error). Returns a new heap
 * string, or NULL after an error was reported. line/element only locate messages. */
char *gh_xml_subst(gh_xml_doc_t *x, const xmlNode *node, const char *element, const char *in);

/* The value of an element: its text and CDATA children concatenated (comments skipped), trimmed, variables
 * substituted; refuses Secure Vault values (encrypted="true", svns:secretAlias). Returns 1 and *out (pool
 * string) or -1 after reporting. */
int gh_xml_text(gh_xml_doc_t *x, const xmlNode *node, const char *element, char **out);

enum { GH_XML_OPTIONAL = 0, GH_XML_REQUIRED = 1 };

/* Typed getters for the element at `path` below parent: 1 found (*out set), 0 absent (*out untouched;
 * an error is reported when flags has GH_XML_REQUIRED, and 0 is still returned), -1 bad value (reported). */
int gh_xml_get_str(gh_xml_doc_t *x, const xmlNode *parent, const char *path, int flags, char **out);
int gh_xml_get_int(gh_xml_doc_t *x, const xmlNode *parent, const char *path, int flags, long min, long max,
                   int *out);
int gh_xml_get_bool(gh_xml_doc_t *x, const xmlNode *parent, const char *path, int flags, int *out);
/* A file path: relative values are made absolute against x->base_dir. */
int gh_xml_get_path(gh_xml_doc_t *x, const xmlNode *parent, const char *path, int flags, char **out);

/* Parse helpers shared with the property-list readers ("true"/"false" any case; decimal in range). */
int gh_xml_parse_bool(const char *s, int *out);
int gh_xml_parse_int(const char *s, long min, long max, int *out);
/* rel joined to base unless rel is absolute; new heap string. */
char *gh_xml_abspath(const char *base, const char *rel);

/* Directive table (nginx ngx_command_t, Redis standardConfig): one row per regular element. */
typedef enum { GH_XML_INT, GH_XML_BOOL, GH_XML_STRING, GH_XML_PATH } gh_xml_type_t;

typedef struct st_gh_xml_directive_t {
    const char *path; /* below the node given to the walker, e.g. "Ports/Offset" */
    gh_xml_type_t type;
    size_t offset;   /* offsetof() the int or char * field */
    long min, max;   /* GH_XML_INT bounds */
    const char *def; /* default as text (parsed like a value); NULL: int 0 / string NULL */
    int required;
} gh_xml_directive_t;

/* Apply every row to the struct at base; missing optional values take their default. Returns the number
 * of errors reported (0 = all good). */
int gh_xml_apply(gh_xml_doc_t *x, const xmlNode *parent, const gh_xml_directive_t *rows, size_t n,
                 void *base);

/* Warn "not used by Gatehouse" for each element child of parent whose name is not in known (NULL-terminated).
 */
void gh_xml_warn_unknown(gh_xml_doc_t *x, const xmlNode *parent, const char *const *known);
/* One warning on parent listing its children that WSO2 reads (in known) but Gatehouse does not use (not in
 * used), so an operator bringing stock files sees what is ignored without one line per element. */
void gh_xml_note_unused(gh_xml_doc_t *x, const xmlNode *parent, const char *const *known, const char *const *used);

#endif
