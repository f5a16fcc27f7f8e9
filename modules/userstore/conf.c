/* The user store's settings from user-mgt.xml: WSO2's UserStoreManager properties plus Gatehouse's own
 * (PasswordHashMethod, PasswordHashIterations, MaxFailedLoginAttempts, AccountLockDuration). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "us_int.h"
#include "gatehouse/conf.h"

/* WSO2's JDBC defaults when user-mgt.xml leaves a pattern out */
#define DEF_USER_RE "^[\\S]{3,30}$"
#define DEF_PASSWORD_RE "^[\\S]{5,30}$"
#define DEF_ROLE_RE "^[\\S]{3,30}$"

/* UserStoreManager properties first, then the realm's, so either place works */
static const char *prop(const gh_conf_user_mgt_t *um, const char *name)
{
    size_t i;

    for (i = 0; i < um->usm_props.n; ++i)
        if (strcmp(um->usm_props.items[i].name, name) == 0)
            return um->usm_props.items[i].value;
    for (i = 0; i < um->realm_props.n; ++i)
        if (strcmp(um->realm_props.items[i].name, name) == 0)
            return um->realm_props.items[i].value;
    return NULL;
}

static int get_bool(const gh_conf_user_mgt_t *um, const char *name, int def, int *out, gh_err_t *err)
{
    const char *v = prop(um, name);

    *out = def;
    if (v == NULL || *v == '\0')
        return GH_OK;
    if (strcasecmp(v, "true") == 0)
        *out = 1;
    else if (strcasecmp(v, "false") == 0)
        *out = 0;
    else
        return gh_err_set(err, GH_E_CONFIG, "user-mgt.xml: property %s must be true or false, not '%s'", name, v);
    return GH_OK;
}

static int get_int(const gh_conf_user_mgt_t *um, const char *name, long def, long lo, long hi, long *out,
                   gh_err_t *err)
{
    const char *v = prop(um, name);
    char *end;
    long n;

    *out = def;
    if (v == NULL || *v == '\0')
        return GH_OK;
    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || n < lo || n > hi)
        return gh_err_set(err, GH_E_CONFIG, "user-mgt.xml: property %s must be an integer in %ld..%ld, not '%s'",
                          name, lo, hi, v);
    *out = n;
    return GH_OK;
}

static int read_hashing(gh_us_settings_t *s, const gh_conf_user_mgt_t *um, gh_err_t *err)
{
    const char *v;
    long n;

    gh_us_pw_conf_init(&s->pw);
    if ((v = prop(um, "PasswordHashMethod")) != NULL && *v != '\0') {
        if (strcasecmp(v, "PBKDF2") == 0)
            s->pw.method = GH_US_PW_PBKDF2;
        else if (strcasecmp(v, "WSO2") == 0)
            s->pw.method = GH_US_PW_WSO2;
        else
            return gh_err_set(err, GH_E_CONFIG, "user-mgt.xml: PasswordHashMethod must be PBKDF2 or WSO2, not '%s'", v);
    }
    if (get_int(um, "PasswordHashIterations", GH_US_PBKDF2_DEFAULT_ITER, 1, GH_US_PBKDF2_MAX_ITER, &n, err) != GH_OK)
        return GH_ERR;
    s->pw.iterations = (unsigned)n;
    /* WSO2: an absent PasswordDigest means plain text; Gatehouse only ever reads such values */
    v = prop(um, "PasswordDigest");
    snprintf(s->pw.digest, sizeof(s->pw.digest), "%s", v != NULL && *v != '\0' ? v : "PLAIN_TEXT");
    return get_bool(um, "StoreSaltedPassword", 1, &s->pw.store_salted, err);
}

static int read_patterns(gh_us_settings_t *s, const gh_conf_user_mgt_t *um, gh_err_t *err)
{
    const char *re;

    re = prop(um, "UsernameJavaRegEx");
    if (gh_us_pattern_init(&s->user_re, "user name", re != NULL ? re : DEF_USER_RE,
                           prop(um, "UsernameJavaRegExViolationErrorMsg"), err) != GH_OK)
        return GH_ERR;
    re = prop(um, "PasswordJavaRegEx");
    if (gh_us_pattern_init(&s->password_re, "password", re != NULL ? re : DEF_PASSWORD_RE,
                           prop(um, "PasswordJavaRegExViolationErrorMsg"), err) != GH_OK)
        return GH_ERR;
    re = prop(um, "RolenameJavaRegEx");
    return gh_us_pattern_init(&s->role_re, "role name", re != NULL ? re : DEF_ROLE_RE,
                              prop(um, "RolenameJavaRegExViolationErrorMsg"), err);
}

int gh_us_settings_init(gh_us_settings_t *s, const gh_conf_user_mgt_t *um, gh_err_t *err)
{
    long n;
    const char *v;

    memset(s, 0, sizeof(*s));
    if (get_bool(um, "CaseInsensitiveUsername", 1, &s->case_insensitive, err) != GH_OK ||
        read_hashing(s, um, err) != GH_OK || read_patterns(s, um, err) != GH_OK)
        goto fail;
    if (get_int(um, "MaxFailedLoginAttempts", 5, 0, 1000, &n, err) != GH_OK)
        goto fail;
    s->max_failed = (int)n;
    if (get_int(um, "AccountLockDuration", 15, 0, 525600, &n, err) != GH_OK)
        goto fail;
    s->lock_minutes = (int)n;
    if (get_int(um, "LoginFailuresPerAddress", 20, 0, 100000, &n, err) != GH_OK)
        goto fail;
    s->throttle_addr = (int)n;
    if (get_int(um, "LoginFailuresPerAddressAndUser", s->max_failed > 1 ? s->max_failed - 1 : 1, 0, 100000, &n,
                err) != GH_OK)
        goto fail;
    s->throttle_addr_user = (int)n;
    if (get_int(um, "LoginFailureWindow", 15, 1, 525600, &n, err) != GH_OK)
        goto fail;
    s->throttle_window_min = (int)n;
    v = prop(um, "MultiAttributeSeparator");
    snprintf(s->separator, sizeof(s->separator), "%s", v != NULL && *v != '\0' ? v : ",");
    s->add_admin = um->add_admin;
    s->admin_user = um->admin_user != NULL ? um->admin_user : "admin";
    s->admin_password = um->admin_password != NULL ? um->admin_password : "admin";
    s->admin_role = um->admin_role != NULL ? um->admin_role : "admin";
    s->everyone_role = um->everyone_role != NULL ? um->everyone_role : "everyone";
    return GH_OK;
fail:
    gh_us_settings_dispose(s);
    return GH_ERR;
}

void gh_us_settings_dispose(gh_us_settings_t *s)
{
    gh_us_pattern_dispose(&s->user_re);
    gh_us_pattern_dispose(&s->password_re);
    gh_us_pattern_dispose(&s->role_re);
}
