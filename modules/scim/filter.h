/* SCIM 2.0 filters (RFC 7644 §3.4.2.2): parse into a tree, evaluate against a resource's JSON. */
#ifndef GH_SCIM_FILTER_H
#define GH_SCIM_FILTER_H

#include <jansson.h>
#include "gatehouse/err.h"

typedef enum { GH_SCIM_CMP, GH_SCIM_AND, GH_SCIM_OR, GH_SCIM_NOT, GH_SCIM_VALUEPATH } gh_scim_node_kind_t;
typedef enum { GH_SCIM_EQ, GH_SCIM_NE, GH_SCIM_CO, GH_SCIM_SW, GH_SCIM_EW, GH_SCIM_PR, GH_SCIM_GT, GH_SCIM_GE,
               GH_SCIM_LT, GH_SCIM_LE } gh_scim_op_t;

typedef struct st_gh_scim_filter_t gh_scim_filter_t;
struct st_gh_scim_filter_t {
    gh_scim_node_kind_t kind;
    gh_scim_op_t op;      /* GH_SCIM_CMP */
    char *attr;           /* GH_SCIM_CMP: attribute path, e.g. "name.familyName", "emails.value", schema URN prefix removed */
    json_t *value;        /* GH_SCIM_CMP: comparison value (string, number, boolean, null); NULL for pr */
    gh_scim_filter_t *l, *r; /* AND/OR: both; NOT: l; VALUEPATH: attr[l] */
};

/* Parse text; on error returns NULL and sets err (GH_E_INPUT) with the position and what was expected. */
gh_scim_filter_t *gh_scim_filter_parse(const char *text, gh_err_t *err);
void gh_scim_filter_free(gh_scim_filter_t *f);
/* 1 when resource (a SCIM JSON object) matches. String comparisons are case-insensitive (caseExact=false). */
int gh_scim_filter_match(const gh_scim_filter_t *f, json_t *resource);
const char *gh_scim_op_name(gh_scim_op_t op);

#endif
