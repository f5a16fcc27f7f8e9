/* The checks on URIs and header values that come from clients or from storage: redirect (callback) URIs, the
 * browser's Origin, and response header values. Pure functions (no h2o): one definition each, fuzzed in
 * tests/fuzz/fuzz_uri.c, used by every module that registers clients, redirects or sets headers. */
#ifndef GH_URI_H
#define GH_URI_H

#include <stddef.h>

/* 1 when uri may be a redirect (callback) URI of a client that redirects (authorization_code, implicit):
 * absolute https://host..., http:// only to a loopback host (localhost, 127.0.0.0/8, [::1]), or a private-use
 * scheme with a dot (RFC 8252 §7.1: com.example.app:/cb); no control characters, spaces, fragment, user info,
 * or script-capable scheme (javascript:, data:, vbscript:, file:). Else 0, and *why (may be NULL) says why. */
int gh_uri_redirect_ok(const char *uri, const char **why);
/* 1 when every alternative of a stored callback is a valid redirect URI: one URI, or WSO2's
 * "regexp=(a|b)" list. */
int gh_uri_callback_ok(const char *callback, const char **why);
/* 1 when s[0..len) holds no control character (C0, DEL) and no NUL: safe as an HTTP header value. */
int gh_uri_header_value_ok(const char *s, size_t len);
/* 1 when the Origin header value origin[0..len) names exactly scheme://authority (case-insensitive, default
 * port implied), else 0. "null" and anything malformed are foreign. */
int gh_uri_same_origin(const char *origin, size_t len, const char *scheme, const char *authority, size_t alen);

#endif
