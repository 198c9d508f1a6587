/* SPDX-License-Identifier: MIT
 *
 * cmd_benchmark.c — `cxmeter benchmark set METRIC VALUE --label L`: stores
 * a reference figure (an industry CSAT, a competitor's NPS); every report
 * then shows each figure's gap to it.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_HELP = 1, OPT_DB, OPT_LABEL };

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},
    {"db", true, OPT_DB},
    {"label", true, OPT_LABEL},
    {NULL, false, 0},
};

int cmd_benchmark(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    const char *label = NULL;
    cxm_store *st = NULL;
    char *err = NULL, *end;
    cxm_metric m;
    double value;
    cxm_rc rc;
    int id, status = EXIT_USAGE;

    cli_opts_init(&o, "benchmark", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        switch (id) {
        case OPT_HELP:
            cli_help("benchmark");
            status = EXIT_OK_;
            goto out;
        case OPT_DB:
            env->db = o.arg;
            break;
        case OPT_LABEL:
            label = o.arg;
            break;
        }
    }
    if (id < 0)
        goto out;
    if (o.n_pos != 3 || strcmp(o.pos[0], "set") != 0 || !label ||
        !*label) {
        cli_error("benchmark", "usage: cxmeter benchmark set METRIC VALUE "
                               "--label LABEL");
        goto out;
    }
    if (cxm_metric_parse(o.pos[1], &m)) {
        cli_error("benchmark", "unknown metric '%s'", o.pos[1]);
        goto out;
    }
    errno = 0;
    value = strtod(o.pos[2], &end);
    if (errno || *end || end == o.pos[2] || !isfinite(value)) {
        cli_error("benchmark", "not a number: '%s'", o.pos[2]);
        goto out;
    }
    rc = cxm_store_open(env->db, &st, &err);
    if (!rc)
        rc = cxm_benchmark_set(st, m, value, label);
    if (rc) {
        cli_error("benchmark", "%s", err ? err
                                 : st     ? cxm_store_errmsg(st)
                                          : cxm_strerror(rc));
        status = cli_exit_for(rc);
        goto out;
    }
    printf("benchmark %s = %g (%s) stored\n", cxm_metric_name(m), value,
           label);
    status = EXIT_OK_;
out:
    cxm_free(err);
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}
