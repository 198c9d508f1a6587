/* SPDX-License-Identifier: MIT
 *
 * replay.c — a plain-C main for a fuzz target: runs its
 * LLVMFuzzerTestOneInput() over every file of the directories (in name
 * order) or files given, so that committed corpora are regression tests
 * under ctest even in builds without libFuzzer. A finding aborts the
 * program, as under libFuzzer; the input's name is printed before it runs.
 * Usage: replay_<target> DIR|FILE...
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs the target over one file. Returns 0, or 1 if it cannot be read. */
static int run_file(const char *path)
{
    struct stat sb;
    uint8_t *buf = NULL;
    size_t len;
    FILE *fp;

    fp = fopen(path, "rb");
    if (!fp || fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fprintf(stderr, "replay: cannot read %s: %s\n", path,
                fp ? "not a regular file" : strerror(errno));
        if (fp)
            fclose(fp);
        return 1;
    }
    len = (size_t)sb.st_size;
    /* Exactly `len` bytes, so ASan sees any read past the input. */
    buf = malloc(len ? len : 1);
    if (!buf || fread(buf, 1, len, fp) != len) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(buf);
        fclose(fp);
        return 1;
    }
    fclose(fp);
    printf("replay: %s (%zu bytes)\n", path, len);
    fflush(stdout);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

static int skip_dots(const struct dirent *e) { return e->d_name[0] != '.'; }

/* Runs every file of `dir`; adds the count to *n. Returns 0 or 1. */
static int run_dir(const char *dir, int *n)
{
    struct dirent **names = NULL;
    int count, failed = 0;

    count = scandir(dir, &names, skip_dots, alphasort);
    if (count < 0) {
        fprintf(stderr, "replay: cannot list %s: %s\n", dir, strerror(errno));
        return 1;
    }
    for (int i = 0; i < count; i++) {
        size_t len = strlen(dir) + strlen(names[i]->d_name) + 2;
        char *path = malloc(len);
        if (!path) {
            failed = 1;
        } else {
            snprintf(path, len, "%s/%s", dir, names[i]->d_name);
            failed |= run_file(path);
            (*n)++;
            free(path);
        }
        free(names[i]);
    }
    free(names);
    return failed;
}

int main(int argc, char **argv)
{
    int failed = 0, n = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) != 0) {
            fprintf(stderr, "replay: no such path %s\n", argv[i]);
            return 1;
        }
        if (S_ISDIR(sb.st_mode)) {
            failed |= run_dir(argv[i], &n);
        } else {
            failed |= run_file(argv[i]);
            n++;
        }
    }
    if (n == 0) {
        fprintf(stderr, "replay: no inputs (an empty corpus?)\n");
        return 1;
    }
    printf("replay: %d inputs%s\n", n, failed ? ", some unreadable" : "");
    return failed;
}
