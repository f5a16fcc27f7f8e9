/* APIKeyValidationInfoDTO as JSON, the body the key manager's validateKey endpoint answers and the gateway's
 * "ws-client" reads (include/gatehouse/keyval.h). Field names are WSO2's (the DTO's WSDL element names), so a
 * reader who knows the SOAP answer recognises this one. Shared by both sides so they cannot drift apart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "gatehouse/keyval.h"
#include "gatehouse/mem.h"

typedef struct {
    const char *name;
    size_t off, size;
} str_field_t;

#define F(n, m) {n, offsetof(gh_keyval_info_t, m), sizeof(((gh_keyval_info_t *)0)->m)}
static const str_field_t strs[] = {
    F("subscriber", subscriber),
    F("tier", tier),
    F("type", type),
    F("userType", user_type),
    F("endUserName", end_user),
    F("subscriberTenantDomain", end_user_tenant_domain),
    F("applicationId", application_id),
    F("applicationName", application_name),
    F("applicationTier", application_tier),
    F("consumerKey", consumer_key),
    F("apiName", api_name),
    F("apiPublisher", api_publisher),
    F("apiTier", api_tier),
    F("spikeArrestUnit", spike_arrest_unit),
    F("subscriptionStatus", subscription_status),
};
#undef F

char *gh_keyval_info_encode(const gh_keyval_info_t *in)
{
    json_t *o = json_object(), *sc = json_array();
    char *out, *copy, *p, *save = NULL;
    size_t i;

    json_object_set_new(o, "authorized", json_boolean(in->authorized));
    json_object_set_new(o, "validationStatus", json_integer(in->validation_status));
    for (i = 0; i < GH_ARRAY_SIZE(strs); ++i)
        json_object_set_new(o, strs[i].name, json_string((const char *)in + strs[i].off));
    json_object_set_new(o, "endUserTenantId", json_integer(in->end_user_tenant_id));
    json_object_set_new(o, "issuedTime", json_integer(in->issued_ms));
    json_object_set_new(o, "validityPeriod", json_integer(in->validity_ms));
    json_object_set_new(o, "spikeArrestLimit", json_integer(in->spike_arrest_limit));
    json_object_set_new(o, "stopOnQuotaReach", json_boolean(in->stop_on_quota_reach));
    copy = gh_strdup(in->scopes);
    for (p = strtok_r(copy, " ", &save); p != NULL; p = strtok_r(NULL, " ", &save))
        json_array_append_new(sc, json_string(p));
    free(copy);
    json_object_set_new(o, "scopes", sc);
    if (in->jwt != NULL)
        json_object_set_new(o, "endUserToken", json_string(in->jwt));
    out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return out;
}

int gh_keyval_info_decode(const char *body, size_t len, gh_keyval_info_t *out, gh_err_t *err)
{
    json_error_t je;
    json_t *o = json_loadb(body, len, 0, &je), *v, *sc;
    size_t i, at = 0;
    int rc = GH_ERR;

    memset(out, 0, sizeof(*out));
    if (o == NULL || !json_is_object(o)) {
        gh_err_set(err, GH_E_INPUT, "the key manager's answer is not a JSON object (%s)", o ? "not an object" : je.text);
        goto out;
    }
    if (!json_is_boolean(json_object_get(o, "authorized")) || !json_is_integer(json_object_get(o, "validationStatus"))) {
        gh_err_set(err, GH_E_INPUT, "the key manager's answer lacks authorized/validationStatus");
        goto out;
    }
    out->authorized = json_is_true(json_object_get(o, "authorized"));
    out->validation_status = (int)json_integer_value(json_object_get(o, "validationStatus"));
    for (i = 0; i < GH_ARRAY_SIZE(strs); ++i)
        if (json_is_string(v = json_object_get(o, strs[i].name)))
            snprintf((char *)out + strs[i].off, strs[i].size, "%s", json_string_value(v));
    out->end_user_tenant_id = (int)json_integer_value(json_object_get(o, "endUserTenantId"));
    out->issued_ms = json_integer_value(json_object_get(o, "issuedTime"));
    out->validity_ms = json_integer_value(json_object_get(o, "validityPeriod"));
    out->spike_arrest_limit = (int)json_integer_value(json_object_get(o, "spikeArrestLimit"));
    out->stop_on_quota_reach = json_is_true(json_object_get(o, "stopOnQuotaReach"));
    if (json_is_array(sc = json_object_get(o, "scopes")))
        json_array_foreach(sc, i, v) {
            const char *s = json_string_value(v);
            size_t l = s != NULL ? strlen(s) : 0;
            if (l == 0 || at + l + 2 > sizeof(out->scopes))
                continue;
            if (at > 0)
                out->scopes[at++] = ' ';
            memcpy(out->scopes + at, s, l + 1);
            at += l;
        }
    if (json_is_string(v = json_object_get(o, "endUserToken")))
        out->jwt = gh_strdup(json_string_value(v));
    rc = GH_OK;
out:
    json_decref(o);
    return rc;
}
