/* Signing keys: generation into a folder, the two-key ring, JWKS contents and RS256 signatures that verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include "gatehouse/gh.h"
#include "km_keys.h"
#include "km_util.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/gh-km-keys-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int b64url_decode(const char *in, unsigned char *out, size_t size)
{
    char buf[2048];
    size_t n = strlen(in), i;
    long r;

    assert_true(n + 4 < sizeof(buf));
    for (i = 0; i < n; ++i)
        buf[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
    while (i % 4)
        buf[i++] = '=';
    r = gh_km_b64_decode(buf, i, out, size);
    assert_true(r > 0);
    return (int)r;
}

static void test_ring_sign_rotate(void **state)
{
    gh_km_keyring_t r;
    gh_err_t err = {0};
    json_t *jwks, *k0;
    char *s, *jwt, *dot1, *dot2, kid0[64];
    unsigned char sig[1024];
    int siglen;
    EVP_MD_CTX *ctx;
    char path[256];
    struct stat st;

    (void)state;
    snprintf(path, sizeof(path), "%s/oauth-keys", dir);
    assert_int_equal(gh_km_keyring_init(&r, path, NULL, NULL, &err), GH_OK);
    s = gh_km_keyring_jwks(&r);
    jwks = json_loads(s, 0, NULL);
    free(s);
    assert_int_equal(json_array_size(json_object_get(jwks, "keys")), 1);
    k0 = json_array_get(json_object_get(jwks, "keys"), 0);
    assert_string_equal(json_string_value(json_object_get(k0, "kty")), "RSA");
    assert_string_equal(json_string_value(json_object_get(k0, "e")), "AQAB");
    assert_string_equal(json_string_value(json_object_get(k0, "kid")), r.keys[0]->kid);
    snprintf(kid0, sizeof(kid0), "%s", r.keys[0]->kid);
    json_decref(jwks);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 077, 0); /* the key folder is private */

    /* a signature made by the ring verifies with the ring's public key */
    jwt = gh_km_jwt_sign(&r, "{\"sub\":\"alice\"}", "JWT");
    assert_non_null(jwt);
    dot1 = strchr(jwt, '.');
    dot2 = strrchr(jwt, '.');
    assert_true(dot1 != NULL && dot2 != dot1);
    siglen = b64url_decode(dot2 + 1, sig, sizeof(sig));
    ctx = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, r.keys[0]->pkey), 1);
    assert_int_equal(EVP_DigestVerify(ctx, sig, (size_t)siglen, (unsigned char *)jwt, (size_t)(dot2 - jwt)), 1);
    sig[10] ^= 1; /* and a tampered one does not */
    assert_int_not_equal(EVP_DigestVerify(ctx, sig, (size_t)siglen, (unsigned char *)jwt, (size_t)(dot2 - jwt)), 1);
    EVP_MD_CTX_free(ctx);
    free(jwt);

    /* rotation: a new current key, the old one stays published as previous */
    sleep(1);
    assert_int_equal(gh_km_keys_generate(path, 0, &err), GH_OK);
    assert_int_equal(gh_km_keyring_reload(&r, &err), GH_OK);
    assert_string_not_equal(r.keys[0]->kid, kid0);
    assert_non_null(r.keys[1]);
    assert_string_equal(r.keys[1]->kid, kid0);
    s = gh_km_keyring_jwks(&r);
    assert_non_null(strstr(s, kid0));
    free(s);
    gh_km_keyring_dispose(&r);
}

static void test_refuses_bad_key(void **state)
{
    gh_err_t err = {0};
    char path[256];
    FILE *f;

    (void)state;
    snprintf(path, sizeof(path), "%s/bad.pem", dir);
    f = fopen(path, "w");
    fputs("not a key\n", f);
    fclose(f);
    assert_null(gh_km_key_load(path, path, &err));
    assert_int_equal(err.code, GH_E_CONFIG);
    assert_non_null(strstr(err.msg, "bad.pem"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_sign_rotate),
        cmocka_unit_test(test_refuses_bad_key),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
