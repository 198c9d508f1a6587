/* SPDX-License-Identifier: MIT
 *
 * main.c — the cxmeter command: reads the environment (CXMETER_DB), picks
 * the subcommand and hands over, then checks that standard output was
 * written. Everything else is in cmd_*.c on top of the public API.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct command {
    const char *name;
    int (*run)(struct cli_env *env, int argc, char **argv);
};

static const struct command commands[] = {
    {"import", cmd_import},
    {"report", cmd_report},
    {"demo-data", cmd_demo_data},
    {"benchmark", cmd_benchmark},
    {"definitions", cmd_definitions},
    {"config", cmd_config},
    {"survey", cmd_survey},
    {"serve", cmd_serve},
    {"token", cmd_token},
    {"user", cmd_user},
    {"export", cmd_export},
    {"migrate", cmd_migrate},
    {"alert", cmd_alert},
    {"comments", cmd_comments},
    {"rule", cmd_rule},
    {"outbox", cmd_outbox},
    {NULL, NULL},
};

static int run(int argc, char **argv)
{
    struct cli_env env;
    const char *db = getenv("CXMETER_DB");

    /* Set but empty is a mistake, named when a command opens the store
     * (cli_open_store()), not a silent ./cxmeter.db. */
    env.db = !db ? "cxmeter.db" : *db ? db : NULL;
    env.read_db = getenv("CXMETER_READ_DB");
    if (env.read_db && !*env.read_db)
        env.read_db = NULL;
    env.argv0 = argv[0];
    if (argc < 2) {
        cli_help("");
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cli_help("");
        return EXIT_OK_;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("cxmeter %s\n", cxm_version());
        return EXIT_OK_;
    }
    if (strcmp(argv[1], "help") == 0) {
        const char *topic = argc > 2 ? argv[2] : "";
        if (!cli_has_help(topic)) {
            cli_error("help", "no command '%s' (try cxmeter --help)", topic);
            return EXIT_USAGE;
        }
        cli_help(topic);
        return EXIT_OK_;
    }
    for (const struct command *c = commands; c->name; c++) {
        if (strcmp(argv[1], c->name) == 0)
            return c->run(&env, argc - 1, argv + 1);
    }
    cli_error("", "unknown command '%s' (try cxmeter --help)", argv[1]);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    /* A closed pipe is a failed write, seen and reported once at the end
     * (cli_stdout_status()), not a silent death by SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    return cli_stdout_status(run(argc, argv));
}
