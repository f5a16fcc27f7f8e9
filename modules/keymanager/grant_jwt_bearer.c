/* The urn:ietf:params:oauth:grant-type:jwt-bearer grant (RFC 7523 §2.1): an RS256 assertion from a trusted
 * issuer names the user in `sub`. Trust is explicit: conf/security/trusted-issuers/NAME.json holds
 * {"issuer": "<iss>", "certificate_file": "<PEM certificate, relative to that folder>"} (WSO2 registers such an
 * issuer as an Identity Provider with its certificate). `jti` is required and single-use (IDN_OIDC_JTI). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/pem.h>
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "km_int.h"

#define GRANT "urn:ietf:params:oauth:grant-type:jwt-bearer"

static int load_one(gh_km_t *km, const char *dir, const char *file, gh_err_t *err)
{
    char *path = gh_asprintf("%s/%s", dir, file), *cpath = NULL;
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    const char *iss, *cf;
    X509 *cert = NULL;
    FILE *f;
    int rc = GH_ERR;

    if (j == NULL || !json_is_string(json_object_get(j, "issuer")) ||
        !json_is_string(json_object_get(j, "certificate_file"))) {
        gh_err_set(err, GH_E_CONFIG, "%s: expected {\"issuer\": \"...\", \"certificate_file\": \"...\"}%s%s", path,
                   j == NULL ? ": " : "", j == NULL ? jerr.text : "");
        goto out;
    }
    iss = json_string_value(json_object_get(j, "issuer"));
    cf = json_string_value(json_object_get(j, "certificate_file"));
    cpath = cf[0] == '/' ? gh_strdup(cf) : gh_asprintf("%s/%s", dir, cf);
    if ((f = fopen(cpath, "r")) == NULL || (cert = PEM_read_X509(f, NULL, NULL, NULL)) == NULL) {
        if (f != NULL)
            fclose(f);
        gh_err_set(err, GH_E_CONFIG, "%s: cannot read a PEM certificate from %s", path, cpath);
        goto out;
    }
    fclose(f);
    km->issuers = gh_realloc(km->issuers, (km->n_issuers + 1) * sizeof(*km->issuers));
    km->issuers[km->n_issuers].iss = gh_strdup(iss);
    km->issuers[km->n_issuers++].key = X509_get_pubkey(cert);
    rc = GH_OK;
out:
    X509_free(cert);
    json_decref(j);
    free(path);
    free(cpath);
    return rc;
}

int gh_km_issuers_load(gh_km_t *km, const char *dir, gh_err_t *err)
{
    struct dirent **list = NULL;
    int n, i, rc = GH_OK;

    if ((n = scandir(dir, &list, NULL, alphasort)) < 0)
        return GH_OK;
    for (i = 0; i < n; ++i) {
        size_t l = strlen(list[i]->d_name);
        if (rc == GH_OK && l > 5 && strcmp(list[i]->d_name + l - 5, ".json") == 0)
            rc = load_one(km, dir, list[i]->d_name, err);
        free(list[i]);
    }
    free(list);
    return rc;
}

void gh_km_issuers_dispose(gh_km_t *km)
{
    size_t i;

    for (i = 0; i < km->n_issuers; ++i) {
        free(km->issuers[i].iss);
        EVP_PKEY_free(km->issuers[i].key);
    }
    free(km->issuers);
    km->issuers = NULL;
    km->n_issuers = 0;
}

static json_t *b64url_json(const char *s, size_t n)
{
    char *b = gh_malloc(n + 4);
    unsigned char *out = gh_malloc(n + 4);
    size_t i;
    long len;
    json_t *j = NULL;

    for (i = 0; i < n; ++i)
        b[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
    while (i % 4)
        b[i++] = '=';
    if ((len = gh_km_b64_decode(b, i, out, n + 4)) > 0)
        j = json_loadb((const char *)out, (size_t)len, 0, NULL);
    free(b);
    free(out);
    return j;
}

static int sig_ok(EVP_PKEY *key, const char *jwt, size_t signed_len, const char *sig64)
{
    size_t n = strlen(sig64), i;
    char *b = gh_malloc(n + 4);
    unsigned char sig[1024];
    EVP_MD_CTX *ctx;
    long len;
    int ok = 0;

    for (i = 0; i < n; ++i)
        b[i] = sig64[i] == '-' ? '+' : sig64[i] == '_' ? '/' : sig64[i];
    while (i % 4)
        b[i++] = '=';
    len = gh_km_b64_decode(b, i, sig, sizeof(sig));
    free(b);
    if (len <= 0)
        return 0;
    ctx = EVP_MD_CTX_new();
    ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
         EVP_DigestVerify(ctx, sig, (size_t)len, (const unsigned char *)jwt, signed_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

static int aud_ok(gh_km_t *km, const json_t *aud)
{
    char tok[2][300];
    size_t i, k;

    for (k = 0; k < 2; ++k)
        snprintf(tok[k], sizeof(tok[k]), "%s/oauth2/token", km->base[k]);
    if (json_is_string(aud)) {
        for (k = 0; k < 2; ++k)
            if (strcmp(json_string_value(aud), tok[k]) == 0 || strcmp(json_string_value(aud), km->iss[k]) == 0)
                return 1;
        return 0;
    }
    for (i = 0; json_is_array(aud) && i < json_array_size(aud); ++i)
        if (aud_ok(km, json_array_get(aud, i)))
            return 1;
    return 0;
}

/* Verify the assertion; on success *claims is the payload (caller decrefs). */
static int verify(gh_km_job_t *j, const char *a, json_t **claims)
{
    const char *d1 = strchr(a, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL, *iss;
    json_t *h = NULL, *c = NULL;
    int64_t now = gh_km_now_ms() / 1000, skew = j->km->conf->identity.timestamp_skew_s;
    size_t i;
    int rc = GH_ERR;

    if (d2 == NULL || strchr(d2 + 1, '.') != NULL || (h = b64url_json(a, (size_t)(d1 - a))) == NULL ||
        (c = b64url_json(d1 + 1, (size_t)(d2 - d1 - 1))) == NULL) {
        gh_km_job_fail(j, 400, "invalid_grant", "the assertion is not a JWS compact JWT");
        goto out;
    }
    if (!json_is_string(json_object_get(h, "alg")) || strcmp(json_string_value(json_object_get(h, "alg")), "RS256") != 0) {
        gh_km_job_fail(j, 400, "invalid_grant", "the assertion must be signed with RS256");
        goto out;
    }
    iss = json_string_value(json_object_get(c, "iss"));
    for (i = 0; iss != NULL && i < j->km->n_issuers; ++i)
        if (strcmp(j->km->issuers[i].iss, iss) == 0)
            break;
    if (iss == NULL || i == j->km->n_issuers || !sig_ok(j->km->issuers[i].key, a, (size_t)(d2 - a), d2 + 1)) {
        gh_km_job_fail(j, 400, "invalid_grant", "the assertion is not signed by a trusted issuer");
        goto out;
    }
    if (!json_is_integer(json_object_get(c, "exp")) || json_integer_value(json_object_get(c, "exp")) + skew <= now ||
        (json_is_integer(json_object_get(c, "nbf")) && json_integer_value(json_object_get(c, "nbf")) - skew > now)) {
        gh_km_job_fail(j, 400, "invalid_grant", "the assertion is expired or not yet valid");
        goto out;
    }
    if (!aud_ok(j->km, json_object_get(c, "aud"))) {
        gh_km_job_fail(j, 400, "invalid_grant", "the assertion's aud must name this token endpoint");
        goto out;
    }
    if (!json_is_string(json_object_get(c, "sub")) || json_string_length(json_object_get(c, "sub")) == 0 ||
        json_string_length(json_object_get(c, "sub")) >= 256 || !json_is_string(json_object_get(c, "jti")) ||
        json_string_length(json_object_get(c, "jti")) >= 255) {
        gh_km_job_fail(j, 400, "invalid_grant", "the assertion needs sub and jti");
        goto out;
    }
    *claims = c;
    c = NULL;
    rc = GH_OK;
out:
    json_decref(h);
    json_decref(c);
    return rc;
}

void gh_km_grant_jwt_bearer(gh_km_job_t *j, gh_db_conn_t *c, const gh_km_app_t *app)
{
    const char *a = gh_form_get(&j->form, "assertion");
    json_t *claims = NULL;
    gh_km_scopes_t sc;
    gh_err_t err = {0};
    gh_km_tok_t tok;
    int64_t now = gh_km_now_ms();

    if (a == NULL || a[0] == '\0')
        return (void)gh_km_job_fail(j, 400, "invalid_request", "assertion is required");
    if (verify(j, a, &claims) != GH_OK)
        return;
    /* single use: the primary key of IDN_OIDC_JTI refuses a replay, across every key-manager process */
    if (gh_db_exec(c, "INSERT INTO IDN_OIDC_JTI (JWT_ID, EXP_TIME, TIME_CREATED) VALUES (?, ?, ?)",
                   GH_DB_ARGS(GH_DB_T(json_string_value(json_object_get(claims, "jti"))),
                              GH_DB_TS(json_integer_value(json_object_get(claims, "exp")) * 1000), GH_DB_TS(now)),
                   NULL, &err) != GH_OK) {
        json_decref(claims);
        if (err.code == GH_DB_E_UNIQUE)
            return (void)gh_km_job_fail(j, 400, "invalid_grant", "the assertion was already used (jti)");
        gh_log(GH_LOG_ERR, "keymanager", "recording a jti failed: %s", err.msg);
        return (void)gh_km_job_fail(j, 500, "server_error", "the assertion could not be recorded");
    }
    memset(&tok, 0, sizeof(tok));
    snprintf(tok.user, sizeof(tok.user), "%s", json_string_value(json_object_get(claims, "sub")));
    json_decref(claims);
    snprintf(tok.user_type, sizeof(tok.user_type), "APPLICATION_USER");
    snprintf(tok.grant_type, sizeof(tok.grant_type), "%s", GRANT);
    if (gh_km_scopes_parse(&sc, gh_form_get(&j->form, "scope")) != GH_OK)
        return (void)gh_km_job_fail(j, 400, "invalid_scope", "malformed scope parameter");
    if (gh_km_scopes_filter(j->km, c, tok.user, &sc, &err) != GH_OK) {
        gh_km_scopes_dispose(&sc);
        return (void)gh_km_job_fail(j, 500, "server_error", "scope look-up failed");
    }
    if (sc.n == 0 || gh_km_scopes_join(&sc, tok.scope, sizeof(tok.scope)) != GH_OK)
        snprintf(tok.scope, sizeof(tok.scope), "default");
    gh_km_scopes_dispose(&sc);
    gh_km_issue(j, c, app, &tok, 0, NULL);
}
