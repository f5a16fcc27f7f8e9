/* The server secret that keys client-secret hashes (HMAC-SHA256). It lives beside the conf so that every
 * key-manager process of one deployment shares it; losing it invalidates every stored client secret. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "km_int.h"

int gh_km_secret_load(const char *path, unsigned char out[32], gh_err_t *err)
{
    unsigned char buf[32];
    ssize_t n;
    int fd;

    if ((fd = open(path, O_RDONLY)) >= 0) {
        n = read(fd, out, 32);
        close(fd);
        if (n != 32)
            return gh_err_set(err, GH_E_CONFIG, "%s is damaged (expected 32 bytes); restore it from a backup: "
                              "client secrets hashed with it cannot be verified otherwise", path);
        return GH_OK;
    }
    if (errno != ENOENT)
        return gh_err_set(err, GH_E_CONFIG, "cannot read %s: %s", path, strerror(errno));
    gh_km_random(buf, sizeof(buf));
    /* O_EXCL: when two processes start together, the loser reads the winner's file */
    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) {
        if (errno == EEXIST) {
            usleep(100000);
            return gh_km_secret_load(path, out, err);
        }
        return gh_err_set(err, GH_E_CONFIG, "cannot create %s: %s", path, strerror(errno));
    }
    n = write(fd, buf, sizeof(buf));
    if (n != (ssize_t)sizeof(buf) || fsync(fd) != 0) {
        close(fd);
        unlink(path);
        return gh_err_set(err, GH_E_CONFIG, "cannot write %s", path);
    }
    close(fd);
    memcpy(out, buf, 32);
    return GH_OK;
}

void gh_km_secret_store_form(const gh_km_t *km, const char *secret, char *out, size_t size)
{
    char h[GH_KM_HASH_HEX];

    if (km->plain_secrets) {
        snprintf(out, size, "%s", secret);
        return;
    }
    gh_km_hmac_hex(km->secret, sizeof(km->secret), secret, strlen(secret), h);
    snprintf(out, size, "%s", h);
}

int gh_km_secret_matches(const gh_km_t *km, const char *stored, const char *secret)
{
    char form[160];

    gh_km_secret_store_form(km, secret, form, sizeof(form));
    return gh_km_streq_ct(stored, form);
}
