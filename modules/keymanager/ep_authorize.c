/* GET|POST /oauth2/authorize: the authorization-code flow with PKCE behind a plain HTML login and consent page
 * (labels, no script). CSRF: the page carries HMAC(server secret, cookie value) and the POST must present the
 * cookie (SameSite=Strict, HttpOnly) and the matching field. Errors about the client or its redirect URI are
 * shown on the page (never redirected to an unverified URI); the others go back to the client (RFC 6749 §4.1.2.1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/http.h"
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "gatehouse/uri.h"
#include "km_int.h"

#define CSRF_COOKIE "gh_csrf"
static const char *const carried[] = {"response_type", "client_id", "redirect_uri", "scope", "state",
                                      "code_challenge", "code_challenge_method", "nonce", NULL};

static const char *param(gh_km_job_t *j, const char *name)
{
    const char *v = gh_form_get(&j->form, name);

    return v != NULL ? v : "";
}

static void page(gh_km_job_t *j, const gh_km_app_t *app, const char *error, int status)
{
    char cookie[GH_KM_TOKEN_LEN], csrf[GH_KM_HASH_HEX], *e, *buf, *p;
    size_t i, size = 16384, o = 0;
    gh_km_scopes_t sc;

    gh_km_token(cookie);
    gh_km_hmac_hex(j->km->secret, sizeof(j->km->secret), cookie, strlen(cookie), csrf);
    j->set_cookie = gh_asprintf(CSRF_COOKIE "=%s; Path=/oauth2/authorize; HttpOnly; SameSite=Strict%s", cookie,
                                j->listener == 0 ? "; Secure" : "");
    buf = gh_malloc(size);
#define OUT(...) o += (size_t)snprintf(buf + o, o < size ? size - o : 0, __VA_ARGS__)
    e = gh_km_html_escape(app->name);
    OUT("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in - %s</title>"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\n<body>\n<main>\n"
        "<h1>Sign in to continue to %s</h1>\n", e, e);
    free(e);
    if (error != NULL) {
        e = gh_km_html_escape(error);
        OUT("<p role=\"alert\" id=\"error\"><strong>%s</strong></p>\n", e);
        free(e);
    }
    OUT("<form method=\"post\" action=\"/oauth2/authorize\">\n");
    for (i = 0; carried[i] != NULL; ++i) {
        e = gh_km_html_escape(param(j, carried[i]));
        OUT("<input type=\"hidden\" name=\"%s\" value=\"%s\">\n", carried[i], e);
        free(e);
    }
    OUT("<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n", csrf);
    OUT("<p><label for=\"username\">User name</label><br><input id=\"username\" name=\"username\" type=\"text\" "
        "autocomplete=\"username\" required autofocus></p>\n"
        "<p><label for=\"password\">Password</label><br><input id=\"password\" name=\"password\" type=\"password\" "
        "autocomplete=\"current-password\" required></p>\n");
    if (gh_km_scopes_parse(&sc, param(j, "scope")) == GH_OK && sc.n > 0) {
        OUT("<fieldset><legend>%s asks for these permissions</legend><ul>\n", "The application");
        for (i = 0; i < sc.n; ++i) {
            e = gh_km_html_escape(sc.items[i]);
            OUT("<li>%s</li>\n", e);
            free(e);
        }
        OUT("</ul></fieldset>\n");
        gh_km_scopes_dispose(&sc);
    }
    OUT("<p><button type=\"submit\" name=\"consent\" value=\"approve\">Sign in and allow</button>\n"
        "<button type=\"submit\" name=\"consent\" value=\"deny\" formnovalidate>Deny</button></p>\n"
        "</form>\n</main>\n</body></html>\n");
#undef OUT
    if (o >= size) {
        free(buf);
        gh_km_job_fail(j, 400, "invalid_request", "the authorization request is too large");
        return;
    }
    p = buf;
    j->text = p;
    j->ctype = "text/html; charset=utf-8";
    j->status = status;
    gh_km_job_header(j, "content-security-policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'");
    gh_km_job_header(j, "x-frame-options", "DENY");
}

static void error_page(gh_km_job_t *j, int status, const char *msg)
{
    char *e = gh_km_html_escape(msg);

    j->text = gh_asprintf("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Authorization "
                          "error</title></head>\n<body><main><h1>Authorization error</h1><p role=\"alert\">%s</p>"
                          "</main></body></html>\n", e);
    free(e);
    j->ctype = "text/html; charset=utf-8";
    j->status = status;
}

static void redirect(gh_km_job_t *j, const char *uri, const char *k1, const char *v1, const char *k2, const char *v2)
{
    const char *state = param(j, "state");
    char *a = gh_urlencode(v1), *b = gh_urlencode(v2 ? v2 : ""), *s = gh_urlencode(state);

    j->location = gh_asprintf("%s%c%s=%s%s%s%s%s%s", uri, strchr(uri, '?') ? '&' : '?', k1, a, k2 ? "&" : "",
                              k2 ? k2 : "", k2 ? "=" : "", k2 ? b : "", "");
    if (state[0]) {
        char *l = gh_asprintf("%s&state=%s", j->location, s);
        free(j->location);
        j->location = l;
    }
    free(a);
    free(b);
    free(s);
}

/* Client and redirect URI first. Only a client whose grants redirect, and only to a registered URI that passes
 * the redirect-URI check (stored rows from before that check included), is ever sent to. */
static const char *checked_redirect(gh_km_job_t *j, gh_db_conn_t *c, gh_km_app_t *app)
{
    const char *cid = param(j, "client_id"), *uri = param(j, "redirect_uri"), *why = NULL;
    gh_err_t err = {0};
    int rc;

    if ((rc = gh_km_app_get(j->km, c, cid, app, &err)) <= 0) {
        error_page(j, rc < 0 ? 500 : 400, rc < 0 ? "The service is unavailable." : "Unknown client_id.");
        return NULL;
    }
    if (!gh_km_grants_redirect(app->grant_types)) {
        error_page(j, 400, "This client is not registered for a grant that uses the authorization endpoint.");
        return NULL;
    }
    if (uri[0] == '\0' && strncmp(app->callback, "regexp=", 7) != 0 && app->callback[0] != '\0')
        uri = app->callback;
    else if (!gh_km_callback_ok(app->callback, uri)) {
        error_page(j, 400, "The redirect_uri is not registered for this client.");
        return NULL;
    }
    if (!gh_uri_redirect_ok(uri, &why)) {
        gh_log(GH_LOG_WARN, "keymanager", "client %s: refused to redirect to its registered URI: %s", app->client_id,
               why);
        error_page(j, 400, "The redirect URI registered for this client is not valid.");
        return NULL;
    }
    return uri;
}

/* The request's own parameters. Checked before anyone signs in, so a failure is shown on the page rather than
 * redirected: otherwise any registered client would turn this endpoint into an open redirector (RFC 9700
 * §4.11.2). 1 ok, 0 answered with an error page. */
static int checked_request(gh_km_job_t *j, const gh_km_app_t *app, const char *uri)
{
    const char *m = param(j, "code_challenge_method"), *ch = param(j, "code_challenge"), *why = NULL;

    (void)uri;
    if (strcmp(param(j, "response_type"), "code") != 0)
        return error_page(j, 400, "unsupported_response_type: only response_type=code is supported."), 0;
    if (!gh_km_grant_listed(app->grant_types, "authorization_code"))
        return error_page(j, 400, "unauthorized_client: this client may not use the authorization code grant."), 0;
    if (!ch[0] && app->pkce_mandatory)
        return error_page(j, 400, "invalid_request: this client must send a PKCE code_challenge (S256)."), 0;
    if (!ch[0] && m[0])
        return error_page(j, 400, "invalid_request: code_challenge_method without a code_challenge."), 0;
    if (ch[0] && !gh_km_pkce_challenge_ok(m, ch, &why)) {
        char *msg = gh_asprintf("invalid_request: %s.", why);
        error_page(j, 400, msg);
        free(msg);
        return 0;
    }
    return 1;
}

static void run_get(gh_km_job_t *j, gh_db_conn_t *c)
{
    gh_km_app_t app;
    const char *uri = checked_redirect(j, c, &app);

    if (uri != NULL && checked_request(j, &app, uri))
        page(j, &app, NULL, 200);
}

static void issue_code(gh_km_job_t *j, gh_db_conn_t *c, const gh_km_app_t *app, const char *uri, const char *user)
{
    char raw[GH_KM_TOKEN_LEN];
    gh_km_scopes_t sc;
    gh_km_code_t code;
    gh_err_t err = {0};

    memset(&code, 0, sizeof(code));
    if (gh_km_scopes_parse(&sc, param(j, "scope")) != GH_OK)
        return redirect(j, uri, "error", "invalid_scope", NULL, NULL);
    if (gh_km_scopes_filter(j->km, c, user, &sc, &err) != GH_OK) {
        gh_km_scopes_dispose(&sc);
        return redirect(j, uri, "error", "server_error", NULL, NULL);
    }
    if (sc.n == 0)
        snprintf(code.scope, sizeof(code.scope), "default");
    else
        gh_km_scopes_join(&sc, code.scope, sizeof(code.scope));
    gh_km_scopes_dispose(&sc);
    gh_km_uuid(code.code_id);
    gh_km_token(raw);
    code.app_id = app->id;
    /* only a redirect_uri the request named is recorded: the token request must then repeat it (RFC 6749 §4.1.3) */
    snprintf(code.callback, sizeof(code.callback), "%s", param(j, "redirect_uri")[0] ? uri : "");
    snprintf(code.user, sizeof(code.user), "%s", user);
    snprintf(code.challenge, sizeof(code.challenge), "%s", param(j, "code_challenge"));
    snprintf(code.method, sizeof(code.method), "%s", code.challenge[0] ? "S256" : "");
    snprintf(code.nonce, sizeof(code.nonce), "%s", param(j, "nonce"));
    code.iat_ms = gh_km_now_ms();
    code.exp_ms = code.iat_ms + (int64_t)j->km->conf->identity.auth_code_validity_s * 1000;
    if (gh_km_code_insert(j->km, c, &code, raw, &err) != GH_OK) {
        gh_log(GH_LOG_ERR, "keymanager", "storing an authorization code failed: %s", err.msg);
        return redirect(j, uri, "error", "server_error", NULL, NULL);
    }
    redirect(j, uri, "code", raw, NULL, NULL);
}

static void run_post(gh_km_job_t *j, gh_db_conn_t *c)
{
    const char *user = param(j, "username"), *pw = param(j, "password");
    gh_err_t err = {0};
    gh_km_app_t app;
    const char *uri = checked_redirect(j, c, &app);

    if (uri == NULL || !checked_request(j, &app, uri))
        return;
    if (strcmp(param(j, "consent"), "approve") != 0)
        return redirect(j, uri, "error", "access_denied", NULL, NULL);
    if (j->km->us == NULL)
        return redirect(j, uri, "error", "temporarily_unavailable", NULL, NULL);
    switch (gh_us_authenticate_from(j->km->us, user, pw, j->peer, &err)) {
    case GH_US_AUTH_OK:
        return issue_code(j, c, &app, uri, user);
    case GH_US_AUTH_THROTTLED:
        return page(j, &app, "Too many failed sign-ins from this address. Try again later.", 429);
    case GH_US_AUTH_BAD_CREDENTIALS:
        return page(j, &app, "Wrong user name or password.", 200);
    case GH_US_AUTH_LOCKED:
        return page(j, &app, "This account is locked. Try again later.", 200);
    default:
        gh_log(GH_LOG_ERR, "keymanager", "user store failed: %s", err.msg);
        return redirect(j, uri, "error", "server_error", NULL, NULL);
    }
}

static int csrf_ok(gh_km_job_t *j, h2o_req_t *req)
{
    const h2o_iovec_t *ck = gh_http_header(req, "cookie");
    const char *field = gh_form_get(&j->form, "csrf"), *p;
    char val[128], mac[GH_KM_HASH_HEX];
    size_t n = 0;

    if (ck == NULL || field == NULL)
        return 0;
    for (p = ck->base; p + sizeof(CSRF_COOKIE) <= ck->base + ck->len; ++p)
        if ((p == ck->base || p[-1] == ' ' || p[-1] == ';') && strncmp(p, CSRF_COOKIE "=", sizeof(CSRF_COOKIE)) == 0) {
            p += sizeof(CSRF_COOKIE);
            while (p + n < ck->base + ck->len && p[n] != ';' && n + 1 < sizeof(val))
                n++;
            snprintf(val, sizeof(val), "%.*s", (int)n, p);
            gh_km_hmac_hex(j->km->secret, sizeof(j->km->secret), val, strlen(val), mac);
            return gh_km_streq_ct(mac, field);
        }
    return 0;
}

int gh_km_on_authorize(h2o_handler_t *self, h2o_req_t *req)
{
    gh_km_t *km = ((gh_route_t *)self)->data;
    gh_km_job_t *j;
    int post = gh_http_method_is(req, "POST");

    if (!post && !gh_http_method_is(req, "GET"))
        return -1;
    j = gh_km_job_new(km, req, post ? run_post : run_get);
    if (post) {
        if (gh_km_parse_form(j, req) != GH_OK)
            goto answer;
        if (!csrf_ok(j, req)) {
            error_page(j, 403, "The sign-in form expired or was not sent by this site. Go back to the application and "
                               "start again.");
            goto answer;
        }
    } else if (req->query_at != SIZE_MAX) {
        if (gh_form_parse(&j->form, req->path.base + req->query_at + 1, req->path.len - req->query_at - 1) != GH_OK ||
            j->form.dup) {
            error_page(j, 400, "The authorization request is malformed.");
            goto answer;
        }
    }
    gh_km_job_submit(j, req);
    return 0;
answer:
    gh_km_job_answer(j, req);
    return 0;
}
