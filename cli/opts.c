/* SPDX-License-Identifier: MIT
 *
 * opts.c — the option parser every subcommand uses (GNU style: options and
 * positionals in any order, `--name value` or `--name=value`, `--` ends
 * options), plus small helpers for messages and numbers.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    if (cmd && *cmd)
        fprintf(stderr, "cxmeter %s: ", cmd);
    else
        fputs("cxmeter: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_opts_init(struct cli_opts *o, const char *cmd, int argc,
                   char **argv, const struct cli_optspec *specs)
{
    memset(o, 0, sizeof(*o));
    o->cmd = cmd;
    o->argc = argc;
    o->argv = argv;
    o->i = 1;
    o->specs = specs;
    o->pos = calloc((size_t)argc + 1, sizeof(*o->pos));
}

void cli_opts_release(struct cli_opts *o)
{
    free(o->pos);
    o->pos = NULL;
}

static bool starts_number(char c)
{
    return (c >= '0' && c <= '9') || c == '.';
}

int cli_opt_next(struct cli_opts *o)
{
    if (!o->pos) {
        cli_error(o->cmd, "out of memory");
        return -1;
    }
    while (o->i < o->argc) {
        const char *a = o->argv[o->i++];
        const char *eq;
        size_t n;

        if (strcmp(a, "--") == 0) {
            while (o->i < o->argc)
                o->pos[o->n_pos++] = o->argv[o->i++];
            return 0;
        }
        /* "-" (standard input) and negative numbers ("-20", "-.5") are
         * values, not options. */
        if (a[0] != '-' || a[1] == '\0' || starts_number(a[1])) {
            o->pos[o->n_pos++] = a;
            continue;
        }
        if (strcmp(a, "-h") == 0)
            a = "--help";
        if (a[1] != '-') {
            cli_error(o->cmd, "unknown option %s (try --help)", a);
            return -1;
        }
        a += 2;
        eq = strchr(a, '=');
        n = eq ? (size_t)(eq - a) : strlen(a);
        for (const struct cli_optspec *s = o->specs; s->name; s++) {
            if (strlen(s->name) != n || strncmp(s->name, a, n) != 0)
                continue;
            if (!s->has_arg) {
                if (eq) {
                    cli_error(o->cmd, "--%s takes no value", s->name);
                    return -1;
                }
                o->arg = NULL;
                return s->id;
            }
            if (eq) {
                o->arg = eq + 1;
            } else if (o->i < o->argc) {
                o->arg = o->argv[o->i++];
            } else {
                cli_error(o->cmd, "--%s needs a value", s->name);
                return -1;
            }
            return s->id;
        }
        cli_error(o->cmd, "unknown option --%.*s (try --help)", (int)n, a);
        return -1;
    }
    return 0;
}

int cli_open_store(const struct cli_env *env, const char *cmd, int mode,
                   cxm_store **st)
{
    const char *db = mode == CXM_OPEN_READ && env->read_db ? env->read_db
                                                             : env->db;
    char *err = NULL;
    cxm_rc rc;

    *st = NULL;
    if (!db) {
        cli_error(cmd, "CXMETER_DB is set but empty: name a store, or unset "
                       "it for ./cxmeter.db");
        return EXIT_USAGE;
    }
    if (!*db) {
        cli_error(cmd, db == env->read_db ? "--read-db: empty path"
                                          : "--db: empty path");
        return EXIT_USAGE;
    }
    rc = cxm_store_open_ex(db, mode, st, &err);
    if (rc) {
        if (err && *err)
            cli_error(cmd, "%s", err);
        else
            cli_error(cmd, "cannot open the store %s: %s", db,
                      cxm_strerror(rc));
        cxm_free(err);
        *st = NULL;
        return cli_exit_at(rc, CLI_OPENING);
    }
    return EXIT_OK_;
}

/* A server's database without a store: opening it to read says "no
 * store at …" (cxmeter/store.h), as for a missing SQLite file. */
static bool no_store_at_dsn(const char *dsn)
{
    cxm_store *st = NULL;
    char *err = NULL;
    cxm_rc rc = cxm_store_open_ex(dsn, CXM_OPEN_READ, &st, &err);
    bool none = rc == CXM_ESTORE && err &&
                strncmp(err, "no store at ", 12) == 0;

    cxm_store_close(st);
    cxm_free(err);
    return none;
}

bool cli_no_store(const struct cli_env *env)
{
    const char *path = env->db;

    if (!path || !*path)
        return false;
    if (strstr(path, "://"))
        return no_store_at_dsn(path);
    if (strncmp(path, "sqlite:", 7) == 0)
        path += 7;
    else if (strncmp(path, "rowtest:", 8) == 0)
        path += 8; /* the test engine of a test build (store_int.h) */
    return *path && access(path, F_OK) != 0 && errno == ENOENT;
}

bool cli_parse_time(const char *s, int64_t *out)
{
    return cxm_time_parse(s, strlen(s), true, out, NULL) == CXM_OK;
}

const char *cli_thousands(uint64_t n, char *dst, size_t cap)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)n);
    size_t j = 0;

    for (int i = 0; i < len && j + 2 < cap; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            dst[j++] = ',';
        dst[j++] = tmp[i];
    }
    dst[j] = '\0';
    return dst;
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
    char *end;

    if (!*s || *s == '-' || *s == '+')
        return false;
    errno = 0;
    *out = strtoull(s, &end, 10);
    return errno == 0 && *end == '\0';
}

bool cli_parse_double(const char *s, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(s, &end);
    return !errno && end != s && !*end && isfinite(*out);
}

int64_t cli_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
