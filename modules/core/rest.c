/* Status texts and WSO2's REST error body, shared by every module that answers REST calls (portals, consoles,
 * core). Pure: no server needed, so unit tests link it alone. */
#include "gatehouse/rest.h"

const char *gh_http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return status >= 500 ? "Internal Server Error" : "Error";
    }
}

json_t *gh_http_rest_error(int64_t code, const char *message, const char *description, const char *field,
                           const char *field_msg)
{
    json_t *e = json_array();

    if (field != NULL && field[0])
        json_array_append_new(e, json_pack("{s:s,s:s}", "code", field, "message", field_msg ? field_msg : ""));
    return json_pack("{s:I,s:s,s:s,s:s,s:o}", "code", (json_int_t)code, "message", message ? message : "",
                     "description", description ? description : (message ? message : ""), "moreInfo", "", "error", e);
}
