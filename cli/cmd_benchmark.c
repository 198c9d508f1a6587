/* SPDX-License-Identifier: MIT
 *
 * cmd_benchmark.c — `cxmeter benchmark set|list|remove`: reference figures
 * (an industry CSAT, a competitor's NPS) every report then shows each
 * figure's gap to. A value outside what the metric's figure can take is
 * refused (cxm_metric_range()).
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_HELP = 1, OPT_DB, OPT_LABEL };

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},
    {"db", true, OPT_DB},
    {"label", true, OPT_LABEL},
    {NULL, false, 0},
};

#define USAGE                                                              \
    "usage: cxmeter benchmark set METRIC VALUE --label LABEL\n"            \
    "       cxmeter benchmark list\n"                                      \
    "       cxmeter benchmark remove METRIC [--label LABEL]"

static int store_failed(cxm_store *st, cxm_rc rc)
{
    const char *msg = st ? cxm_store_errmsg(st) : "";

    cli_error("benchmark", "%s", *msg ? msg : cxm_strerror(rc));
    return cli_exit_for(rc);
}

/* "from 0 to 100", "at least 0". */
static void say_range(char *dst, size_t cap, double lo, double hi)
{
    if (isinf(hi))
        snprintf(dst, cap, "at least %g", lo);
    else
        snprintf(dst, cap, "from %g to %g", lo, hi);
}

/* VALUE of `m` as a number within the metric's range on `st` (NULL: on
 * the default scales), else the message and false. */
static bool check_value(cxm_store *st, cxm_metric m, const char *text,
                        double *value, int *status)
{
    char *end, range[96];
    const char *unit = "";
    double lo, hi;
    cxm_rc rc;

    errno = 0;
    *value = strtod(text, &end);
    if (errno || *end || end == text || !isfinite(*value)) {
        cli_error("benchmark", "not a number: '%s'", text);
        *status = EXIT_USAGE;
        return false;
    }
    rc = cxm_metric_range(st, m, &lo, &hi, &unit);
    if (rc) {
        *status = store_failed(st, rc);
        return false;
    }
    if (*value < lo || *value > hi) {
        say_range(range, sizeof(range), lo, hi);
        cli_error("benchmark", "%s %s is out of range: %s is %s, %s",
                  cxm_metric_name(m), text, cxm_metric_name(m), unit, range);
        *status = EXIT_USAGE;
        return false;
    }
    return true;
}

static int do_set(cxm_store *st, cxm_metric m, const char *text,
                  const char *label)
{
    double value;
    int status = EXIT_OK_;
    cxm_rc rc;

    if (!check_value(st, m, text, &value, &status))
        return status;
    rc = cxm_benchmark_set(st, m, value, label);
    if (rc)
        return store_failed(st, rc);
    printf("benchmark %s = %g (%s) stored\n", cxm_metric_name(m), value,
           label);
    return EXIT_OK_;
}

static cxm_rc on_benchmark(const char *metric, const char *label,
                           double value, int64_t set_at_ms, bool in_use,
                           void *ud)
{
    char t[40] = "";
    int *n = ud;

    cxm_time_format(set_at_ms, t, sizeof(t));
    printf("%-24s %12g  %s  %s%s\n", metric, value, t, label,
           in_use ? "" : "  (replaced by a later one)");
    (*n)++;
    return CXM_OK;
}

static int do_list(cxm_store *st)
{
    int n = 0;
    cxm_rc rc = cxm_benchmark_list(st, on_benchmark, &n);

    if (rc)
        return store_failed(st, rc);
    if (!n)
        printf("no benchmark stored (cxmeter benchmark set METRIC VALUE "
               "--label LABEL)\n");
    return EXIT_OK_;
}

static int do_remove(cxm_store *st, cxm_metric m, const char *label)
{
    int64_t removed = 0;
    cxm_rc rc;

    if (cxm_store_read_only(st)) {
        cli_error("benchmark", "the store is read-only here: nothing "
                               "removed (Permission denied)");
        return EXIT_STORE;
    }
    rc = cxm_benchmark_remove(st, m, label, &removed);
    if (rc)
        return store_failed(st, rc);
    if (!removed) {
        cli_error("benchmark", "no benchmark of %s%s%s%s to remove (see "
                               "'cxmeter benchmark list')",
                  cxm_metric_name(m), label ? " labelled '" : "",
                  label ? label : "", label ? "'" : "");
        return EXIT_INPUT;
    }
    printf("removed %lld benchmark%s of %s\n", (long long)removed,
           removed == 1 ? "" : "s", cxm_metric_name(m));
    return EXIT_OK_;
}

/* The number of positionals subcommand `sub` takes (with itself), or -1
 * after printing. */
static int subcommand_args(const char *sub)
{
    int want = strcmp(sub, "set") == 0      ? 3
               : strcmp(sub, "list") == 0   ? 1
               : strcmp(sub, "remove") == 0 ? 2
                                            : -1;

    if (want < 0)
        cli_error("benchmark", "unknown subcommand '%s' (set, list, remove)",
                  sub);
    return want;
}

/* Checks the positionals and --label; sets *want (as subcommand_args())
 * and *m (the METRIC of set and remove). False after printing. */
static bool check_args(const struct cli_opts *o, const char *label,
                       int *want, cxm_metric *m)
{
    if (o->n_pos < 1) {
        cli_error("benchmark", "%s", USAGE);
        return false;
    }
    *want = subcommand_args(o->pos[0]);
    if (*want < 0)
        return false;
    if (o->n_pos != *want || (*want == 1 && label)) {
        cli_error("benchmark", "%s", USAGE);
        return false;
    }
    if (*want == 3 && !label) {
        cli_error("benchmark", "set needs --label LABEL (where the figure "
                               "comes from)");
        return false;
    }
    if (*want > 1 && cxm_metric_parse(o->pos[1], m)) {
        cli_error("benchmark", "unknown metric '%s'", o->pos[1]);
        return false;
    }
    return true;
}

/* Parses the options; returns -1 to go on, else the exit status. */
static int parse_options(struct cli_env *env, struct cli_opts *o,
                         const char **label)
{
    int id;

    while ((id = cli_opt_next(o)) > 0) {
        if (id == OPT_HELP) {
            cli_help("benchmark");
            return EXIT_OK_;
        }
        if (id == OPT_DB)
            env->db = o->arg;
        if (id == OPT_LABEL && !*o->arg) {
            cli_error("benchmark", "--label: empty label (name where the "
                                   "figure comes from)");
            return EXIT_USAGE;
        }
        if (id == OPT_LABEL)
            *label = o->arg;
    }
    return id < 0 ? EXIT_USAGE : -1;
}

int cmd_benchmark(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    const char *label = NULL;
    cxm_store *st = NULL;
    cxm_metric m = CXM_METRIC_CSAT;
    int status, want = 0;
    double v;

    cli_opts_init(&o, "benchmark", argc, argv, specs);
    status = parse_options(env, &o, &label);
    if (status >= 0)
        goto out;
    status = EXIT_USAGE;
    if (!check_args(&o, label, &want, &m))
        goto out;
    /* A value no store could take is refused before a store is made;
     * the mean scores' range depends on the stored answers' scales, so
     * theirs is checked on the store when there is one. */
    if (want == 3 &&
        ((m != CXM_METRIC_CSAT_MEAN && m != CXM_METRIC_CES) ||
         cli_no_store(env)) &&
        !check_value(NULL, m, o.pos[2], &v, &status))
        goto out;
    status = cli_open_store(env, "benchmark",
                            want == 3 ? CXM_OPEN_CREATE : CXM_OPEN_READ, &st);
    if (status)
        goto out;
    status = want == 3   ? do_set(st, m, o.pos[2], label)
             : want == 1 ? do_list(st)
                         : do_remove(st, m, label);
out:
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}
