/* The portals' pure parts (no h2o, no SQL): the API object and its JSON mapping, Swagger / OpenAPI parsing and
 * production with WSO2's extensions, YAML to JSON, the lifecycle table, the `query` search parser, the v0.14
 * error and list bodies. Unit-tested in tests/unit/portals/. */
#ifndef GH_PORTAL_MODEL_H
#define GH_PORTAL_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "gatehouse/err.h"
#include "gatehouse/rest.h"

#define GH_PORTAL_MAX_RES 256
#define GH_PORTAL_MAX_SCOPES 64

/* One resource (AM_API_URL_MAPPING row). */
typedef struct st_gh_portal_res_t {
    char verb[8];         /* GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS */
    char *target;         /* URI template, "/menu/{id}" */
    char auth_scheme[20]; /* stored form: Any | Application | Application_User | None */
    char *throttling;     /* resource policy, "Unlimited" */
    char *scope;          /* scope key or NULL */
} gh_portal_res_t;

/* One API scope (IDN_OAUTH2_SCOPE + bindings). */
typedef struct st_gh_portal_scope_t {
    char *key, *name, *description;
    char *roles; /* comma separated, may be "" */
} gh_portal_scope_t;

/* An API as the Publisher sees it. Strings are heap, NULL when absent; gh_portal_api_dispose frees. */
typedef struct st_gh_portal_api_t {
    int64_t id;
    char uuid[40];
    char *name, *context, *version, *provider, *description;
    char *status, *visibility, *visible_roles, *tags, *transports, *tiers, *api_tier;
    char *endpoint_config, *production_url, *sandbox_url, *cors, *definition;
    int is_default;
    int64_t revision, created_ms, updated_ms;
    gh_portal_res_t *res;
    size_t nres;
    gh_portal_scope_t *scopes;
    size_t nscopes;
} gh_portal_api_t;

void gh_portal_api_dispose(gh_portal_api_t *a);

/* A refusal naming the offending field (v0.14 error body: error[{code: field, message}]). */
typedef struct st_gh_portal_ferr_t {
    char field[64];
    char msg[384];
} gh_portal_ferr_t;
/* Fill fe; always returns GH_ERR. */
int gh_portal_ferr(gh_portal_ferr_t *fe, const char *field, const char *fmt, ...) GH_PRINTF(3, 4);

/* api_json.c. Read an APIDetailed body into a (fresh: zeroed by the caller). When a carries an apiDefinition,
 * its resources and scopes are parsed too. GH_OK, or GH_ERR with fe naming the field. */
int gh_portal_api_from_json(const json_t *in, gh_portal_api_t *a, gh_portal_ferr_t *fe);
/* APIDetailed (publisher: context without the version), or APIInfo for lists (context with the version). */
json_t *gh_portal_api_to_json(const gh_portal_api_t *a, int detailed);
/* A context as WSO2 accepts it: leading '/', no '{version}' placeholder issue, no spaces or '?#'. */
int gh_portal_context_ok(const char *ctx);
/* "Application & Application User" -> "Any", ... ; NULL for an unknown type. And back. */
const char *gh_portal_auth_scheme(const char *x_auth_type);
const char *gh_portal_auth_type(const char *scheme);
/* Split "a,b, c" (or a JSON array) into a JSON array of strings. */
json_t *gh_portal_csv_to_json(const char *csv);
/* Join a JSON array of strings with ','; NULL when not an array of strings. Heap. */
char *gh_portal_json_to_csv(const json_t *arr);

/* swagger.c. Parse a Swagger 2.0 or OpenAPI 3.x document (JSON or YAML text) into a->res / a->scopes and keep
 * it (as JSON text) in a->definition. Operations without x-auth-type get "Any", without x-throttling-tier
 * "Unlimited". GH_OK, or GH_ERR with fe (field "apiDefinition"). */
int gh_portal_swagger_parse(const char *text, size_t len, gh_portal_api_t *a, gh_portal_ferr_t *fe);
/* The definition to hand out: the stored document (or a fresh Swagger 2.0 one) whose paths carry exactly a's
 * resources with x-auth-type, x-throttling-tier and x-scope, and x-wso2-security for the API's scopes. */
json_t *gh_portal_swagger_produce(const gh_portal_api_t *a);

/* yaml_json.c: YAML 1.1 text to JSON (plain scalars typed as YAML core: null, booleans, integers, floats).
 * NULL with msg on a syntax error, an alias or more than one document. */
json_t *gh_portal_yaml_to_json(const char *text, size_t len, char *msg, size_t msg_size);

/* lifecycle.c: APILifeCycle.xml. The state after action from state (both as WSO2 spells them: states upper-case,
 * actions "Publish", "Deploy as a Prototype", ...), or NULL when the action is not allowed there. */
const char *gh_portal_lc_next(const char *state, const char *action);
/* The actions allowed in state as a JSON array. */
json_t *gh_portal_lc_actions(const char *state);
/* 1 for a known state name. */
int gh_portal_lc_state_known(const char *state);

/* query.c: the `query` parameter of GET /apis ("name:pizza", "version:1.0.0 context:/pizza", "pizza", "tag:food").
 * Values are kept as given (search is case-insensitive substring, status exact). */
typedef struct st_gh_portal_query_t {
    char name[256], context[256], version[64], provider[256], status[32], description[256], tag[128];
} gh_portal_query_t;
/* GH_OK, or GH_ERR with msg for an unknown modifier or an over-long value. */
int gh_portal_query_parse(const char *q, gh_portal_query_t *out, char *msg, size_t msg_size);

/* rest_util.c: v0.14 bodies (the error body is gh_http_rest_error, include/gatehouse/http.h). */
/* {count, list, next, previous, pagination{offset, limit, total, next, previous}}; steals list. path is the
 * resource path for next/previous links ("/apis"), extra an already-encoded query suffix ("&query=x") or "". */
json_t *gh_portal_list_body(json_t *list, int64_t total, int64_t offset, int64_t limit, const char *base,
                            const char *extra);
/* Parse offset / limit (defaults 0 / 25, limit capped at 1000). GH_ERR with the field name in fe. */
int gh_portal_paging(const char *offset_s, const char *limit_s, int64_t *offset, int64_t *limit, gh_portal_ferr_t *fe);
/* A strict decimal integer in [min, max]: GH_OK / GH_ERR. */
int gh_portal_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);
/* The content of form field `name` of a multipart/form-data body (ctype carries the boundary): GH_OK with a
 * pointer into body and its length, or GH_ERR. */
int gh_portal_multipart_field(const char *body, size_t len, const char *ctype, const char *name, const char **out,
                              size_t *out_len);
/* Lower-case copy of s into out. */
void gh_portal_lower(const char *s, char *out, size_t size);

#endif
