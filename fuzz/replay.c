/* SPDX-License-Identifier: MIT
 *
 * replay.c — runs a fuzz target over every file of the directories or
 * files given, so committed corpora are regression tests under ctest even
 * in builds without libFuzzer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf;
    long len;

    if (!fp) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    buf = malloc(len > 0 ? (size_t)len : 1);
    if (!buf || (len > 0 && fread(buf, 1, (size_t)len, fp) != (size_t)len)) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(buf);
        fclose(fp);
        return 1;
    }
    fclose(fp);
    LLVMFuzzerTestOneInput(buf, (size_t)len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int failed = 0, n = 0;

    for (int i = 1; i < argc; i++) {
        struct stat sb;
        DIR *d;
        struct dirent *e;
        if (stat(argv[i], &sb) != 0) {
            fprintf(stderr, "replay: no such path %s\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(sb.st_mode)) {
            failed |= run_file(argv[i]);
            n++;
            continue;
        }
        d = opendir(argv[i]);
        if (!d)
            return 1;
        while ((e = readdir(d)) != NULL) {
            char path[4096];
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            failed |= run_file(path);
            n++;
        }
        closedir(d);
    }
    printf("replay: %d inputs\n", n);
    return failed;
}
