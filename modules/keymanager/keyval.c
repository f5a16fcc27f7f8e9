/* Key validation as a service of the key manager (WSO2 APIKeyValidationService.validateKey with
 * DefaultKeyValidationHandler): the token, then the subscription of its application to the API, the key type,
 * the authentication level and, when asked, the scope; the answer is APIKeyValidationInfoDTO
 * (include/gatehouse/keyval.h), with the backend JWT when asked. Runs on a worker: it blocks on SQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gatehouse/keymanager.h"
#include "gatehouse/keyval.h"
#include "gatehouse/log.h"
#include "km_int.h"

#define SUB_SQL                                                                                                   \
    "SELECT SUB.TIER_ID, SUBS.USER_ID, SUB.SUB_STATUS, APP.APPLICATION_ID, APP.NAME, APP.APPLICATION_TIER, "       \
    "AKM.KEY_TYPE, API.API_NAME, API.API_TIER, API.API_PROVIDER, APS.RATE_LIMIT_COUNT, APS.RATE_LIMIT_TIME_UNIT, " \
    "CASE WHEN APS.STOP_ON_QUOTA_REACH THEN 1 ELSE 0 END FROM AM_SUBSCRIPTION SUB "                                                            \
    "JOIN AM_APPLICATION APP ON SUB.APPLICATION_ID = APP.APPLICATION_ID "                                          \
    "JOIN AM_SUBSCRIBER SUBS ON APP.SUBSCRIBER_ID = SUBS.SUBSCRIBER_ID "                                           \
    "JOIN AM_APPLICATION_KEY_MAPPING AKM ON AKM.APPLICATION_ID = APP.APPLICATION_ID "                              \
    "JOIN AM_API API ON API.API_ID = SUB.API_ID "                                                                  \
    "LEFT JOIN AM_POLICY_SUBSCRIPTION APS ON APS.NAME = SUB.TIER_ID AND APS.TENANT_ID = SUBS.TENANT_ID "          \
    "WHERE API.CONTEXT = ? AND AKM.CONSUMER_KEY = ? AND API.API_VERSION = ?"

void gh_keyval_info_dispose(gh_keyval_info_t *info)
{
    free(info->jwt);
    info->jwt = NULL;
}

const char *gh_keyval_message(int status)
{
    switch (status) {
    case GH_KV_GENERAL_ERROR: return "Unclassified Authentication Failure";
    case GH_KV_INVALID_CREDENTIALS: return "Invalid Credentials";
    case GH_KV_MISSING_CREDENTIALS: return "Missing Credentials";
    case GH_KV_TOKEN_EXPIRED: return "Access Token Expired";
    case GH_KV_TOKEN_INACTIVE: return "Access Token Inactive";
    case GH_KV_INCORRECT_TOKEN_TYPE: return "Incorrect Access Token Type is provided";
    case GH_KV_NO_MATCHING_RESOURCE: return "No matching resource found in the API for the given request";
    case GH_KV_API_BLOCKED: return "The requested API is temporarily blocked";
    case GH_KV_RESOURCE_FORBIDDEN: return "Resource forbidden ";
    case GH_KV_SUBSCRIPTION_INACTIVE: return "The subscription to the API is inactive";
    case GH_KV_INVALID_SCOPE: return "The access token does not allow you to access the requested resource";
    default: return "Unclassified Authentication Failure";
    }
}

static void col(gh_db_stmt_t *s, size_t i, char *dst, size_t size)
{
    const char *v = gh_db_col_text(s, i, NULL);

    snprintf(dst, size, "%s", v != NULL ? v : "");
}

static int refuse(gh_keyval_info_t *out, int status)
{
    out->authorized = 0;
    out->validation_status = status;
    return GH_OK;
}

/* 1 subscribed (out filled), 0 not, -1 error */
static int subscription(gh_db_conn_t *c, const gh_keyval_req_t *rq, gh_keyval_info_t *out, gh_err_t *err)
{
    gh_db_stmt_t *s;
    int rc;

    if (gh_db_prepare(c, SUB_SQL, &s, err) != GH_OK ||
        gh_db_execute(s, GH_DB_ARGS(GH_DB_T(rq->context), GH_DB_T(out->consumer_key), GH_DB_T(rq->version)), err) !=
            GH_OK)
        return -1;
    if ((rc = gh_db_next(s, err)) == 1) {
        col(s, 0, out->tier, sizeof(out->tier));
        col(s, 1, out->subscriber, sizeof(out->subscriber));
        col(s, 2, out->subscription_status, sizeof(out->subscription_status));
        snprintf(out->application_id, sizeof(out->application_id), "%lld", (long long)gh_db_col_int(s, 3));
        col(s, 4, out->application_name, sizeof(out->application_name));
        col(s, 5, out->application_tier, sizeof(out->application_tier));
        col(s, 6, out->type, sizeof(out->type));
        col(s, 7, out->api_name, sizeof(out->api_name));
        col(s, 8, out->api_tier, sizeof(out->api_tier));
        col(s, 9, out->api_publisher, sizeof(out->api_publisher));
        out->spike_arrest_limit = (int)gh_db_col_int(s, 10);
        col(s, 11, out->spike_arrest_unit, sizeof(out->spike_arrest_unit));
        out->stop_on_quota_reach = gh_db_col_int(s, 12) != 0;
    }
    gh_db_reset(s);
    return rc < 0 ? -1 : rc;
}

/* The subscription's state as validateSubscriptionDetails judges it: 0 usable, else the status code. */
static int subscription_state(const gh_keyval_info_t *out)
{
    const char *st = out->subscription_status;

    if (strcmp(st, "BLOCKED") == 0)
        return GH_KV_API_BLOCKED;
    if (strcmp(st, "PROD_ONLY_BLOCKED") == 0 && strcmp(out->type, "SANDBOX") != 0)
        return GH_KV_API_BLOCKED;
    if (strcmp(st, "ON_HOLD") == 0 || strcmp(st, "REJECTED") == 0)
        return GH_KV_SUBSCRIPTION_INACTIVE;
    return 0;
}

static int auth_level_ok(const char *level, const char *user_type)
{
    if (level == NULL || strcmp(level, "Any") == 0 || level[0] == '\0')
        return 1;
    if (strcmp(level, "Application_User") == 0 || strcmp(level, "Application User") == 0)
        return strcmp(user_type, "APPLICATION_USER") == 0;
    if (strcmp(level, "Application") == 0)
        return strcmp(user_type, "APPLICATION") == 0;
    return 1;
}

static void fill_token(gh_keyval_info_t *out, const gh_km_tok_t *tok)
{
    const char *at = strrchr(tok->user, '@');

    snprintf(out->consumer_key, sizeof(out->consumer_key), "%s", tok->client_id);
    snprintf(out->user_type, sizeof(out->user_type), "%s", tok->user_type);
    snprintf(out->scopes, sizeof(out->scopes), "%s", tok->scope);
    snprintf(out->end_user_tenant_domain, sizeof(out->end_user_tenant_domain), "carbon.super");
    out->end_user_tenant_id = GH_KM_TENANT;
    /* APIUtil.getUserNameWithTenantSuffix: the super tenant's users get @carbon.super */
    if (at != NULL && strcmp(at, "@carbon.super") == 0)
        snprintf(out->end_user, sizeof(out->end_user), "%s", tok->user);
    else
        snprintf(out->end_user, sizeof(out->end_user), "%.255s@carbon.super", tok->user);
    out->issued_ms = tok->iat_ms;
    out->validity_ms = tok->exp_ms < 0 ? -1 : tok->exp_ms - tok->iat_ms;
}

static int token(gh_km_t *km, const gh_keyval_req_t *rq, gh_km_tok_t *tok, gh_err_t *err)
{
    gh_db_conn_t *c = NULL;
    int rc;

    if ((rc = gh_km_tok_active(km, NULL, rq->token, tok, err)) != -2)
        return rc;
    if (gh_db_borrow(km->pool, &c, err) != GH_OK)
        return -1;
    rc = gh_km_tok_active(km, c, rq->token, tok, err);
    gh_db_return(c);
    return rc;
}

int gh_km_validate_key(gh_km_t *km, const gh_keyval_req_t *rq, gh_keyval_info_t *out, gh_err_t *err)
{
    gh_db_pool_t *am = km->conf->apim.datasource ? gh_server_pool(km->srv, km->conf->apim.datasource) : NULL;
    gh_db_conn_t *c = NULL;
    gh_km_tok_t tok;
    gh_km_scopes_t sc = {0};
    int rc, st;

    memset(out, 0, sizeof(*out));
    if (am == NULL)
        return gh_err_set(err, GH_E_CONFIG, "api-manager.xml: no datasource for the API tables");
    if ((rc = token(km, rq, &tok, err)) < 0)
        return GH_ERR;
    if (rc == 0)
        return refuse(out, GH_KV_INVALID_CREDENTIALS);
    fill_token(out, &tok);
    if (!auth_level_ok(rq->auth_level, tok.user_type))
        return refuse(out, GH_KV_INCORRECT_TOKEN_TYPE);
    if (gh_db_borrow(am, &c, err) != GH_OK)
        return GH_ERR;
    rc = subscription(c, rq, out, err);
    gh_db_return(c);
    if (rc < 0)
        return GH_ERR;
    if (rc == 0)
        return refuse(out, GH_KV_RESOURCE_FORBIDDEN);
    if ((st = subscription_state(out)) != 0)
        return refuse(out, st);
    if (rq->required_scope != NULL && rq->required_scope[0] != '\0') {
        gh_km_scopes_parse(&sc, tok.scope);
        rc = gh_km_scopes_has(&sc, rq->required_scope);
        gh_km_scopes_dispose(&sc);
        if (!rc)
            return refuse(out, GH_KV_INVALID_SCOPE);
    }
    out->authorized = 1;
    if (rq->with_jwt && gh_km_backend_jwt(km, rq, out, err) != GH_OK)
        return GH_ERR;
    return GH_OK;
}
