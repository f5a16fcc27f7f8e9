/* The one authenticator of the portals' REST APIs: fills a gh_caller_t (include/gatehouse/caller.h).
 *  - Bearer: a key-manager access token; its scopes are those the token was granted (already narrowed to the
 *    user's roles by the key manager, modules/keymanager/store_scope.c).
 *  - Basic (scripts): a user of the store; its scopes are every REST scope (apim:*) bound to one of its roles,
 *    read from the same IDN_OAUTH2_SCOPE_BINDING table, so both paths grant the same things.
 * Roles and the admin flag of a user are cached for 10 s, Basic checks for 60 s under a keyed digest of the
 * credentials (the password KDF is slow on purpose and a script sends the same header every time). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "gatehouse/log.h"
#include "gatehouse/mem.h"
#include "portals_int.h"

#define CACHE_SIZE 256
#define BASIC_TTL_S 60
#define USER_TTL_S 10

typedef struct {
    unsigned char key[32];
    time_t until;
    int is_admin;
    char user[256];
    char scope[2048];
    char roles[1024];
} entry_t;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned char secret[32];
static entry_t cache[CACHE_SIZE];

static void make_secret(void)
{
    if (RAND_bytes(secret, sizeof(secret)) != 1)
        abort(); /* never cache under a guessable key */
}

static void digest(char kind, const char *a, const char *b, unsigned char out[32])
{
    unsigned int len = 32;
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    pthread_once(&once, make_secret);
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    EVP_DigestUpdate(md, secret, sizeof(secret));
    EVP_DigestUpdate(md, &kind, 1);
    EVP_DigestUpdate(md, a, strlen(a) + 1);
    if (b != NULL)
        EVP_DigestUpdate(md, b, strlen(b));
    EVP_DigestFinal_ex(md, out, &len);
    EVP_MD_CTX_free(md);
}

static int cache_get(const unsigned char key[32], entry_t *out)
{
    time_t now = time(NULL);
    size_t i = (size_t)key[0] % CACHE_SIZE;
    int hit = 0;

    pthread_mutex_lock(&mu);
    if (cache[i].until > now && CRYPTO_memcmp(cache[i].key, key, 32) == 0) {
        *out = cache[i];
        hit = 1;
    }
    pthread_mutex_unlock(&mu);
    return hit;
}

static void cache_put(const unsigned char key[32], entry_t *e, int ttl)
{
    size_t i = (size_t)key[0] % CACHE_SIZE;

    memcpy(e->key, key, 32);
    e->until = time(NULL) + ttl;
    pthread_mutex_lock(&mu);
    cache[i] = *e;
    pthread_mutex_unlock(&mu);
}

int gh_portal_roles_meet(const char *caller_roles, const char *roles)
{
    const char *p = roles;

    while (p != NULL && *p) {
        const char *e = strchr(p, ',');
        size_t len;
        char one[256], pat[260];
        while (*p == ' ')
            p++;
        len = e != NULL ? (size_t)(e - p) : strlen(p);
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (len > 0 && len < sizeof(one)) {
            memcpy(one, p, len);
            one[len] = '\0';
            gh_portal_lower(one, one, sizeof(one));
            snprintf(pat, sizeof(pat), ",%s,", one);
            {
                char have[1100];
                snprintf(have, sizeof(have), ",%s,", caller_roles);
                if (strstr(have, pat) != NULL)
                    return 1;
            }
        }
        p = e != NULL ? e + 1 : NULL;
    }
    return 0;
}

/* roles (lower-case list) and admin flag of user */
static int user_facts(gh_portal_job_t *j, const char *user, entry_t *e, gh_err_t *err)
{
    gh_us_strlist_t roles = {0};
    size_t i, o = 0;
    int rc;

    if (gh_us_user_roles(j->p->us, user, &roles, err) != GH_OK) {
        gh_us_strlist_dispose(&roles);
        if (err->code != GH_E_NOTFOUND)
            return GH_ERR;
        gh_err_clear(err); /* a deleted user holds no role */
    }
    e->roles[0] = '\0';
    for (i = 0; i < roles.n; ++i) {
        char low[256];
        gh_portal_lower(roles.items[i], low, sizeof(low));
        if (o + strlen(low) + 2 < sizeof(e->roles))
            o += (size_t)snprintf(e->roles + o, sizeof(e->roles) - o, "%s%s", o ? "," : "", low);
    }
    gh_us_strlist_dispose(&roles);
    if ((rc = gh_us_authorize(j->p->us, user, "/permission/admin", "ui.execute", err)) < 0)
        return GH_ERR;
    e->is_admin = rc == 1;
    return GH_OK;
}

/* the REST scopes bound to one of the roles */
static int role_scopes(gh_db_conn_t *c, entry_t *e, gh_err_t *err)
{
    gh_db_stmt_t *s;
    size_t o = 0;
    int rc;

    e->scope[0] = '\0';
    if (gh_db_prepare(c,
                      "SELECT s.NAME, b.SCOPE_BINDING FROM IDN_OAUTH2_SCOPE s JOIN IDN_OAUTH2_SCOPE_BINDING b ON "
                      "b.SCOPE_ID = s.SCOPE_ID WHERE s.TENANT_ID = ? AND s.NAME LIKE 'apim:%' ORDER BY s.NAME",
                      &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_I(GH_PORTAL_TENANT)), err) != GH_OK)
        return GH_ERR;
    while ((rc = gh_db_next(s, err)) == 1) {
        const char *name = gh_db_col_text(s, 0, NULL), *role = gh_db_col_text(s, 1, NULL);
        char pat[300];
        if (name == NULL || role == NULL || !gh_portal_roles_meet(e->roles, role))
            continue;
        snprintf(pat, sizeof(pat), " %s ", name);
        {
            char have[2100];
            snprintf(have, sizeof(have), " %s ", e->scope);
            if (strstr(have, pat) != NULL)
                continue;
        }
        if (o + strlen(name) + 2 < sizeof(e->scope))
            o += (size_t)snprintf(e->scope + o, sizeof(e->scope) - o, "%s%s", o ? " " : "", name);
    }
    gh_db_reset(s);
    return rc < 0 ? GH_ERR : GH_OK;
}

static int refuse(gh_portal_job_t *j, int64_t code, const char *msg, const char *desc)
{
    json_decref(j->out);
    j->status = 401;
    j->www_auth = 1;
    j->out = gh_http_rest_error(code, msg, desc, NULL, NULL);
    return -1;
}

static int basic(gh_portal_job_t *j, gh_db_conn_t *c, const char *user, const char *pw)
{
    unsigned char key[32];
    gh_err_t err = {0};
    entry_t e;

    if (j->p->us == NULL)
        return refuse(j, 900901, "Invalid Credentials", "HTTP Basic needs the user store in this process");
    digest('B', user, pw, key);
    if (!cache_get(key, &e)) {
        memset(&e, 0, sizeof(e));
        switch (gh_us_authenticate(j->p->us, user, pw, &err)) {
        case GH_US_AUTH_OK: break;
        case GH_US_AUTH_LOCKED: return refuse(j, 900901, "Invalid Credentials", "the account is locked");
        case GH_US_AUTH_BAD_CREDENTIALS:
            return refuse(j, 900901, "Invalid Credentials", "invalid user name or password");
        default: gh_portal_fail_db(j, "authentication", &err); return -1;
        }
        snprintf(e.user, sizeof(e.user), "%s", user);
        if (user_facts(j, user, &e, &err) != GH_OK || role_scopes(c, &e, &err) != GH_OK) {
            gh_portal_fail_db(j, "reading the caller's roles", &err);
            return -1;
        }
        cache_put(key, &e, BASIC_TTL_S);
    }
    j->caller.kind = GH_CALLER_BASIC;
    snprintf(j->caller.user, sizeof(j->caller.user), "%s", e.user);
    snprintf(j->caller.scope, sizeof(j->caller.scope), "%s", e.scope);
    j->caller.is_admin = e.is_admin;
    snprintf(j->roles, sizeof(j->roles), "%s", e.roles);
    OPENSSL_cleanse(&e, sizeof(e));
    return 1;
}

static int bearer(gh_portal_job_t *j, const char *token)
{
    gh_km_token_info_t ti;
    unsigned char key[32];
    gh_err_t err = {0};
    entry_t e;
    int rc;

    if (j->p->km == NULL)
        return refuse(j, 900901, "Invalid Credentials",
                      "bearer tokens need the key manager in this process; use HTTP Basic");
    if ((rc = gh_km_token_info(j->p->km, token, &ti, &err)) < 0) {
        gh_portal_fail_db(j, "token validation", &err);
        return -1;
    }
    if (rc == 0)
        return refuse(j, 900901, "Invalid Credentials",
                      "Invalid Credentials. Make sure you have given the correct access token");
    digest('U', ti.user, NULL, key);
    if (!cache_get(key, &e)) {
        memset(&e, 0, sizeof(e));
        if (j->p->us != NULL && user_facts(j, ti.user, &e, &err) != GH_OK) {
            gh_portal_fail_db(j, "reading the caller's roles", &err);
            return -1;
        }
        cache_put(key, &e, USER_TTL_S);
    }
    j->caller.kind = GH_CALLER_BEARER;
    snprintf(j->caller.user, sizeof(j->caller.user), "%s", ti.user);
    snprintf(j->caller.client_id, sizeof(j->caller.client_id), "%s", ti.client_id);
    snprintf(j->caller.scope, sizeof(j->caller.scope), "%s", ti.scope);
    j->caller.is_admin = e.is_admin;
    snprintf(j->roles, sizeof(j->roles), "%s", e.roles);
    return 1;
}

int gh_portal_authenticate(gh_portal_job_t *j, gh_db_conn_t *c)
{
    char *user = NULL, *pw = NULL, *tok;
    const char *t;
    size_t tlen;
    int rc;

    memset(&j->caller, 0, sizeof(j->caller));
    j->roles[0] = '\0';
    if (j->authz == NULL)
        return 0;
    if ((t = gh_bearer_token(j->authz, strlen(j->authz), &tlen)) != NULL) {
        tok = gh_strndup(t, tlen);
        rc = bearer(j, tok);
        gh_free_secret(tok);
        return rc;
    }
    rc = gh_basic_parse(j->authz, strlen(j->authz), 0, &user, &pw);
    if (rc != 1)
        return refuse(j, 900901, "Invalid Credentials", "the Authorization header must be Bearer or Basic");
    rc = basic(j, c, user, pw);
    free(user);
    gh_free_secret(pw);
    return rc;
}
