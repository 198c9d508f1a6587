/* SPDX-License-Identifier: MIT
 *
 * cmd_demo.c — `cxmeter demo-data --seed S --tickets N --out DIR`.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { OPT_HELP = 1, OPT_SEED, OPT_TICKETS, OPT_DAYS, OPT_OUT };

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},
    {"seed", true, OPT_SEED},
    {"tickets", true, OPT_TICKETS},
    {"days", true, OPT_DAYS},
    {"out", true, OPT_OUT},
    {NULL, false, 0},
};

/* Names the incident planted in the data (cxm_demo_incident()). */
static void say_incident(const struct cxm_demo_opts *d)
{
    struct cxm_demo_incident inc;
    char from[40], to[40];

    memset(&inc, 0, sizeof(inc));
    inc.size = sizeof(inc);
    if (cxm_demo_incident(d, &inc) || !inc.planted)
        return;
    cxm_time_format(inc.from_ms, from, sizeof(from));
    cxm_time_format(inc.to_ms, to, sizeof(to));
    printf("planted incident: team %s short of staff from %s to %s "
           "(its CSAT falls, its backlog grows)\n",
           inc.team, from, to);
}

int cmd_demo_data(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    struct cxm_demo_opts d;
    const char *out = NULL;
    char *err = NULL;
    uint64_t v;
    cxm_rc rc;
    int id;

    (void)env;
    memset(&d, 0, sizeof(d));
    d.size = sizeof(d);
    d.seed = 1;
    cli_opts_init(&o, "demo-data", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        switch (id) {
        case OPT_HELP:
            cli_help("demo-data");
            cli_opts_release(&o);
            return EXIT_OK_;
        case OPT_SEED:
            if (!cli_parse_u64(o.arg, &d.seed))
                goto bad_number;
            break;
        case OPT_TICKETS:
            if (!cli_parse_u64(o.arg, &d.n_tickets) || d.n_tickets == 0)
                goto bad_number;
            break;
        case OPT_DAYS:
            if (!cli_parse_u64(o.arg, &v) || v == 0 || v > 36500)
                goto bad_number;
            d.span_days = (int)v;
            break;
        case OPT_OUT:
            out = o.arg;
            break;
        }
    }
    if (id < 0 || o.n_pos > 0 || !out) {
        if (id >= 0)
            cli_error("demo-data", "usage: cxmeter demo-data [--seed S] "
                                   "[--tickets N] --out DIR");
        cli_opts_release(&o);
        return EXIT_USAGE;
    }
    cli_opts_release(&o);
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        cli_error("demo-data", "cannot create %s: %s", out, strerror(errno));
        return EXIT_INPUT;
    }
    rc = cxm_demo_write(out, &d, &err);
    if (rc) {
        cli_error("demo-data", "%s", err ? err : cxm_strerror(rc));
        cxm_free(err);
        return cli_exit_for(rc);
    }
    say_incident(&d);
    return EXIT_OK_;

bad_number:
    cli_error("demo-data", "not a valid number: '%s'", o.arg);
    cli_opts_release(&o);
    return EXIT_USAGE;
}
