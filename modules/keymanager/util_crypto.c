/* Random values, encodings and digests for tokens, secrets and hashes (OpenSSL 3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include "gatehouse/gh.h"
#include "km_util.h"

int64_t gh_km_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void gh_km_random(void *buf, size_t n)
{
    /* a failing CSPRNG must never degrade into predictable tokens */
    if (RAND_bytes(buf, (int)n) != 1)
        gh_assert_fail("RAND_bytes failed", __FILE__, __LINE__);
}

void gh_km_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; ++i) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void gh_km_uuid(char out[GH_KM_UUID_LEN])
{
    unsigned char b[16];
    char h[33];

    gh_km_random(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    gh_km_hex(b, 16, h);
    snprintf(out, GH_KM_UUID_LEN, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

size_t gh_km_b64url(const void *in, size_t n, char *out, size_t size)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const unsigned char *p = in;
    size_t i, o = 0;

    gh_assert(size >= (n * 4 + 2) / 3 + 1);
    for (i = 0; i + 2 < n; i += 3) {
        out[o++] = tab[p[i] >> 2];
        out[o++] = tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
        out[o++] = tab[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
        out[o++] = tab[p[i + 2] & 63];
    }
    if (n - i == 1) {
        out[o++] = tab[p[i] >> 2];
        out[o++] = tab[(p[i] & 3) << 4];
    } else if (n - i == 2) {
        out[o++] = tab[p[i] >> 2];
        out[o++] = tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
        out[o++] = tab[(p[i + 1] & 15) << 2];
    }
    out[o] = '\0';
    return o;
}

long gh_km_b64_decode(const char *in, size_t len, unsigned char *out, size_t size)
{
    unsigned char *tmp;
    int n, pad = 0;

    if (len % 4 != 0 || len / 4 * 3 > size + 2)
        return -1;
    if (len == 0)
        return 0;
    tmp = malloc(len / 4 * 3 + 1);
    n = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)len);
    if (n < 0) {
        free(tmp);
        return -1;
    }
    if (in[len - 1] == '=')
        pad++;
    if (len > 1 && in[len - 2] == '=')
        pad++;
    n -= pad;
    if ((size_t)n > size) {
        free(tmp);
        return -1;
    }
    memcpy(out, tmp, (size_t)n);
    free(tmp);
    return n;
}

void gh_km_token(char out[GH_KM_TOKEN_LEN])
{
    unsigned char b[32];

    gh_km_random(b, sizeof(b));
    gh_km_b64url(b, sizeof(b), out, GH_KM_TOKEN_LEN);
}

void gh_km_client_id(char out[GH_KM_TOKEN_LEN])
{
    unsigned char b[16];

    gh_km_random(b, sizeof(b));
    gh_km_b64url(b, sizeof(b), out, GH_KM_TOKEN_LEN);
}

void gh_km_sha256_hex(const char *s, size_t n, char out[GH_KM_HASH_HEX])
{
    unsigned char md[32];

    EVP_Digest(s, n, md, NULL, EVP_sha256(), NULL);
    gh_km_hex(md, 32, out);
}

void gh_km_hmac_hex(const unsigned char *key, size_t klen, const char *s, size_t n, char out[GH_KM_HASH_HEX])
{
    unsigned char md[32];
    unsigned int mdlen = 32;

    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)s, n, md, &mdlen);
    gh_km_hex(md, 32, out);
}

void gh_km_sha256_b64url(const char *s, size_t n, size_t take, char *out)
{
    unsigned char md[32];

    EVP_Digest(s, n, md, NULL, EVP_sha256(), NULL);
    gh_km_b64url(md, take > 32 ? 32 : take, out, 44);
}

void gh_km_md5_hex(const char *s, size_t n, char out[33])
{
    unsigned char md[16];

    EVP_Digest(s, n, md, NULL, EVP_md5(), NULL);
    gh_km_hex(md, 16, out);
}

int gh_km_streq_ct(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}
