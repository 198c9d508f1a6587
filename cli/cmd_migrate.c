/* SPDX-License-Identifier: MIT
 *
 * cmd_migrate.c — `cxmeter migrate`: brings the store's schema up to date
 * (creating the store when there is none) and prints its version. Every
 * command that writes does the same on opening; on PostgreSQL the
 * migrations run under an advisory lock, so nodes started together do not
 * race (docs/scaling.md). This command does it ahead of a deployment.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

enum { OPT_HELP = 1, OPT_DB };

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},
    {"db", true, OPT_DB},
    {NULL, false, 0},
};

int cmd_migrate(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    cxm_store *st = NULL;
    int id, status = EXIT_USAGE;

    cli_opts_init(&o, "migrate", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        switch (id) {
        case OPT_HELP:
            cli_help("migrate");
            status = EXIT_OK_;
            goto out;
        case OPT_DB:
            env->db = o.arg;
            break;
        }
    }
    if (id < 0)
        goto out;
    if (o.n_pos != 0) {
        cli_error("migrate", "takes no arguments (try --help)");
        goto out;
    }
    status = cli_open_store(env, "migrate", CXM_OPEN_CREATE, &st);
    if (status != EXIT_OK_)
        goto out;
    printf("schema version %d\n", cxm_store_schema_version(st));
    status = EXIT_OK_;
out:
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}
