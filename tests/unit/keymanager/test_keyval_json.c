/* APIKeyValidationInfoDTO as JSON (keyval_json.c): what the key manager encodes the gateway decodes to the same
 * DTO, with WSO2's field names on the wire; malformed answers are errors, not "unauthorized". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "gatehouse/keyval.h"

static void test_round_trip(void **state)
{
    gh_keyval_info_t in, out;
    char *txt;

    (void)state;
    memset(&in, 0, sizeof(in));
    in.authorized = 1;
    snprintf(in.subscriber, sizeof(in.subscriber), "admin");
    snprintf(in.tier, sizeof(in.tier), "Gold");
    snprintf(in.type, sizeof(in.type), "PRODUCTION");
    snprintf(in.user_type, sizeof(in.user_type), "APPLICATION_USER");
    snprintf(in.end_user, sizeof(in.end_user), "alice@carbon.super");
    snprintf(in.application_id, sizeof(in.application_id), "42");
    snprintf(in.application_name, sizeof(in.application_name), "app \"quoted\"");
    snprintf(in.consumer_key, sizeof(in.consumer_key), "ck");
    snprintf(in.scopes, sizeof(in.scopes), "openid read write");
    in.issued_ms = 1700000000123LL;
    in.validity_ms = -1;
    in.spike_arrest_limit = 10;
    in.stop_on_quota_reach = 1;
    in.end_user_tenant_id = -1234;
    in.jwt = strdup("a.b.c");
    txt = gh_keyval_info_encode(&in);
    assert_non_null(strstr(txt, "\"endUserName\":\"alice@carbon.super\""));
    assert_non_null(strstr(txt, "\"validationStatus\":0"));
    assert_non_null(strstr(txt, "\"scopes\":[\"openid\",\"read\",\"write\"]"));
    assert_non_null(strstr(txt, "\"endUserToken\":\"a.b.c\""));
    assert_int_equal(gh_keyval_info_decode(txt, strlen(txt), &out, NULL), GH_OK);
    assert_int_equal(out.authorized, 1);
    assert_string_equal(out.end_user, "alice@carbon.super");
    assert_string_equal(out.application_name, "app \"quoted\"");
    assert_string_equal(out.scopes, "openid read write");
    assert_true(out.issued_ms == 1700000000123LL);
    assert_true(out.validity_ms == -1);
    assert_int_equal(out.spike_arrest_limit, 10);
    assert_int_equal(out.stop_on_quota_reach, 1);
    assert_int_equal(out.end_user_tenant_id, -1234);
    assert_string_equal(out.jwt, "a.b.c");
    free(txt);
    gh_keyval_info_dispose(&in);
    gh_keyval_info_dispose(&out);
}

static void test_refusal_and_errors(void **state)
{
    const char *no = "{\"authorized\":false,\"validationStatus\":900901}";
    gh_keyval_info_t out;
    gh_err_t err = {0};

    (void)state;
    assert_int_equal(gh_keyval_info_decode(no, strlen(no), &out, &err), GH_OK);
    assert_int_equal(out.authorized, 0);
    assert_int_equal(out.validation_status, 900901);
    assert_null(out.jwt);
    assert_int_equal(gh_keyval_info_decode("<html>", 6, &out, &err), GH_ERR);
    assert_int_equal(gh_keyval_info_decode("{\"authorized\":true}", 19, &out, &err), GH_ERR);
    assert_non_null(strstr(err.msg, "validationStatus"));
    assert_int_equal(gh_keyval_info_decode("[]", 2, &out, &err), GH_ERR);
}

/* gh_keyval_info_dispose lives with the key manager's service; the codec test needs only this */
void gh_keyval_info_dispose(gh_keyval_info_t *info)
{
    free(info->jwt);
    info->jwt = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refusal_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
