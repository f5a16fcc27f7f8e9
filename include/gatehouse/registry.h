/* One registry for every pluggable family (curl's available_backends[], Redis connTypeRegister):
 * an implementation is a const struct of function pointers, found by its short name or by the
 * WSO2 Java class names that select it in the XML files. */
#ifndef GH_REGISTRY_H
#define GH_REGISTRY_H

#include <stddef.h>
#include "gatehouse/err.h"

/* Families. A new family is a new string; the registry does not interpret them. */
#define GH_FAMILY_DB_DRIVER "db-driver"
#define GH_FAMILY_USERSTORE "userstore"
#define GH_FAMILY_AUTHZ_MANAGER "authorization-manager"
#define GH_FAMILY_TENANT_MANAGER "tenant-manager"
#define GH_FAMILY_CLAIMS "claims-retriever"
#define GH_FAMILY_KEY_VALIDATION "key-validation-client"
#define GH_FAMILY_JWT_GENERATOR "jwt-generator"
#define GH_FAMILY_TOKEN_PROCESSOR "token-persistence-processor"
#define GH_FAMILY_GRANT_HANDLER "grant-handler"
#define GH_FAMILY_MODULE "module"

typedef struct st_gh_plugin_t {
    const char *family;          /* GH_FAMILY_* */
    const char *name;            /* short unique name within the family: "sqlite", "jdbc" */
    const char *const *classes;  /* NULL-terminated WSO2 class names that select it; may be NULL */
    const void *ops;             /* the family's struct of function pointers (borrowed, static storage) */
} gh_plugin_t;

/* Add p (borrowed; must outlive the process). Fails on a duplicate name or class within the family. */
int gh_registry_add(const gh_plugin_t *p, gh_err_t *err);
/* Find by short name or class name. On a miss returns NULL and sets err to a message listing the known
 * names and classes of that family. */
const gh_plugin_t *gh_registry_find(const char *family, const char *name_or_class, gh_err_t *err);
/* Iterate a family: returns the i-th plugin or NULL past the end. */
const gh_plugin_t *gh_registry_at(const char *family, size_t i);
/* Register everything built in (drivers, user stores, claims retrievers...). Idempotent. */
void gh_builtins_register(void);
/* Drop everything (for tests). */
void gh_registry_reset(void);

#endif
