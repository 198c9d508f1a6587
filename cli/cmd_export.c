/* SPDX-License-Identifier: MIT
 *
 * cmd_export.c — `cxmeter export answers [--format csv|json]`: every answer
 * given through a survey link (cxm_answers_export(), docs/survey.md), the
 * choice and text answers included, on stdout.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

enum { OPT_HELP = 1, OPT_DB, OPT_READ_DB, OPT_FORMAT };

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},
    {"db", true, OPT_DB},
    {"read-db", true, OPT_READ_DB},
    {"format", true, OPT_FORMAT},
    {NULL, false, 0},
};

int cmd_export(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    cxm_store *st = NULL;
    char *text = NULL;
    const char *fmt = "csv";
    size_t len = 0;
    int id, status = EXIT_USAGE;
    cxm_rc rc;

    cli_opts_init(&o, "export", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        switch (id) {
        case OPT_HELP:
            cli_help("export");
            status = EXIT_OK_;
            goto out;
        case OPT_DB:
            env->db = o.arg;
            break;
        case OPT_READ_DB:
            env->read_db = o.arg;
            break;
        case OPT_FORMAT:
            fmt = o.arg;
            break;
        }
    }
    if (id < 0)
        goto out;
    if (o.n_pos != 1 || strcmp(o.pos[0], "answers") != 0) {
        cli_error("export", "usage: cxmeter export answers [--format "
                            "csv|json] (try --help)");
        goto out;
    }
    if (strcmp(fmt, "csv") != 0 && strcmp(fmt, "json") != 0) {
        cli_error("export", "--format: csv or json, not '%s'", fmt);
        goto out;
    }
    status = cli_open_store(env, "export", CXM_OPEN_READ, &st);
    if (status != EXIT_OK_)
        goto out;
    status = EXIT_USAGE;
    rc = cxm_answers_export(st, fmt, &text, &len);
    if (rc) {
        cli_error("export", "%s", rc == CXM_ESTORE ? cxm_store_errmsg(st)
                                                   : cxm_strerror(rc));
        status = cli_exit_for(rc);
        goto out;
    }
    if (fwrite(text, 1, len, stdout) != len || fflush(stdout)) {
        cli_error("export", "cannot write the answers");
        status = EXIT_INPUT;
        goto out;
    }
    status = EXIT_OK_;
out:
    cxm_free(text);
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}
