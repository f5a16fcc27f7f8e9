/* HTTP status texts and WSO2's REST API error body (modules/core/rest.c). */
#ifndef GH_REST_H
#define GH_REST_H

#include <stdint.h>
#include <jansson.h>

/* The reason phrase of an HTTP status ("Not Found"); "Internal Server Error" / "Error" for codes not listed. */
const char *gh_http_reason(int status);
/* WSO2's REST API (v0.14) error body: {"code","message","description","moreInfo","error":[{"code":field,
 * "message":field_msg}]}, the list empty without a field. A new reference. */
json_t *gh_http_rest_error(int64_t code, const char *message, const char *description, const char *field,
                           const char *field_msg);

#endif
