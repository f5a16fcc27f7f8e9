/* Replays a fuzz corpus as an ordinary test (jansson test/ossfuzz, SQLite fuzzcheck): every file under the
 * directories given on the command line goes through LLVMFuzzerTestOneInput once, under ASan/UBSan. With
 * clang and -DGH_FUZZ=ON the same targets link against libFuzzer instead of this file. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "cannot read %s\n", path);
        if (f != NULL)
            fclose(f);
        return 1;
    }
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return 1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int i, files = 0, rc = 0;

    for (i = 1; i < argc; ++i) {
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        if (d == NULL) {
            rc |= run_file(argv[i]);
            files++;
            continue;
        }
        while ((e = readdir(d)) != NULL) {
            char path[4096];
            struct stat st;
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                rc |= run_file(path);
                files++;
            }
        }
        closedir(d);
    }
    printf("%d input(s) replayed\n", files);
    return rc != 0 || files == 0;
}
