/* Response helpers with the standard error bodies. Every response sets content_length: on libh2o 2.2.5 a
 * non-200 response without it is sent with Connection: close. Strings are copied into req->pool. */
#ifndef GH_HTTP_H
#define GH_HTTP_H

#include <h2o.h>
#include <jansson.h>
#include "gatehouse/rest.h"

/* Send body (copied) with the given content type. */
void gh_http_send(h2o_req_t *req, int status, const char *ctype, const char *body, size_t len);
/* Serialise and send json (borrowed: the caller still owns its reference). */
void gh_http_send_json(h2o_req_t *req, int status, json_t *json);
/* RFC 6749 §5.2 error: {"error":..., "error_description":...}; adds Cache-Control: no-store. */
void gh_http_send_oauth_error(h2o_req_t *req, int status, const char *error, const char *description);
/* RFC 7644 §3.12 error body. scim_type may be NULL. */
void gh_http_send_scim_error(h2o_req_t *req, int status, const char *scim_type, const char *detail);
/* WSO2 fault JSON: {"fault":{"code":900901,"message":"...","description":"..."}}. */
void gh_http_send_fault(h2o_req_t *req, int status, int code, const char *message, const char *description);

/* Request helpers. */
int gh_http_method_is(h2o_req_t *req, const char *method);
/* The value of a request header (case-insensitive name), or NULL. Borrowed (req lifetime). */
const h2o_iovec_t *gh_http_header(h2o_req_t *req, const char *name);
/* Copy the request body into a NUL-terminated pool string; NULL when the body exceeds max. */
char *gh_http_body(h2o_req_t *req, size_t max, size_t *len);

/* The value of query parameter `name` (decoded by gh_form_parse, copied into req->pool), or NULL. */
char *gh_http_query_param(h2o_req_t *req, const char *name);
/* gh_basic_parse on the request's Authorization header, the results copied into req->pool. 1 found, 0 absent,
 * -1 malformed. */
int gh_http_basic_auth(h2o_req_t *req, int urldecode, char **user, char **password);

/* Add a response header whose value comes from storage or from a client (a redirect Location, a cookie, a
 * name echoed back): the one place such values become headers. GH_ERR and nothing added when the name or the
 * value holds a control character (CR/LF would split the response); GH_OK otherwise. Copies into req->pool. */
int gh_http_add_header(h2o_req_t *req, const char *name, const char *value);
/* The CSRF guard of state-changing JSON endpoints (POST, PUT, PATCH, DELETE): a body must be declared JSON
 * (application/json, application/scim+json or any application/...+json), and a browser's Origin header, when
 * sent, must be this server's own scheme://host. 0 when the request passes; else 415 or 403, with *why. Safe
 * methods (GET, HEAD, OPTIONS) always pass. */
int gh_http_json_write_check(h2o_req_t *req, const char **why);
/* The client's address as text ("127.0.0.1", "::1") into buf (>= 64); "" when unknown. */
void gh_http_peer(h2o_req_t *req, char *buf, size_t size);

#endif
