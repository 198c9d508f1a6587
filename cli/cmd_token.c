/* SPDX-License-Identifier: MIT
 *
 * cmd_token.c — `cxmeter token create --name N | list | revoke NAME`: the
 * bearer tokens of the JSON API (cxmeter/serve.h). `create` prints the new
 * token alone on stdout, the only time it is shown: the store keeps its
 * digest.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum { OPT_HELP = 1, OPT_DB, OPT_NAME };

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},
    {"db", true, OPT_DB},
    {"name", true, OPT_NAME},
    {NULL, false, 0},
};

static const char usage[] =
    "usage: cxmeter token create --name NAME | list | revoke NAME "
    "(try --help)";

static cxm_rc print_token(const struct cxm_api_token_info *t, void *ud)
{
    char created[40], revoked[40];

    (void)ud;
    cxm_time_format(t->created_at - t->created_at % 1000, created,
                    sizeof(created));
    if (t->revoked)
        cxm_time_format(t->revoked_at - t->revoked_at % 1000, revoked,
                        sizeof(revoked));
    printf("%-24s created %s%s%s\n", t->name, created,
           t->revoked ? "  revoked " : "", t->revoked ? revoked : "");
    return CXM_OK;
}

/* Opens the store and does `verb` (create, revoke, list) with `name`.
 * Returns the exit status. */
static int run_verb(struct cli_env *env, const char *verb, const char *name)
{
    bool list = strcmp(verb, "list") == 0;
    cxm_store *st = NULL;
    char *token = NULL;
    int status;
    cxm_rc rc;

    status = cli_open_store(env, "token",
                            list ? CXM_OPEN_READ : CXM_OPEN_CREATE, &st);
    if (status != EXIT_OK_)
        return status;
    if (strcmp(verb, "create") == 0) {
        rc = cxm_api_token_create(st, name, &token);
        if (!rc)
            printf("%s\n", token);
    } else if (!list) {
        rc = cxm_api_token_revoke(st, name);
        if (rc == CXM_ENOTFOUND)
            cli_error("token", "no live token named '%s'", name);
    } else {
        rc = cxm_api_token_list(st, print_token, NULL);
    }
    if (rc && rc != CXM_ENOTFOUND)
        cli_error("token", "%s", rc == CXM_EINPUT || rc == CXM_ESTORE
                                     ? cxm_store_errmsg(st)
                                     : cxm_strerror(rc));
    status = rc ? cli_exit_for(rc) : EXIT_OK_;
    if (token)
        memset(token, 0, strlen(token));
    cxm_free(token);
    cxm_store_close(st);
    return status;
}

int cmd_token(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    const char *verb, *name = NULL;
    int id, status = EXIT_USAGE;

    cli_opts_init(&o, "token", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        switch (id) {
        case OPT_HELP:
            cli_help("token");
            status = EXIT_OK_;
            goto out;
        case OPT_DB:
            env->db = o.arg;
            break;
        case OPT_NAME:
            name = o.arg;
            break;
        }
    }
    if (id < 0)
        goto out;
    if (o.n_pos < 1) {
        cli_error("token", "%s", usage);
        goto out;
    }
    verb = o.pos[0];
    if (strcmp(verb, "create") == 0) {
        if (!name || o.n_pos != 1) {
            cli_error("token", "create takes --name NAME");
            goto out;
        }
    } else if (strcmp(verb, "revoke") == 0) {
        if (o.n_pos != 2 && !(o.n_pos == 1 && name)) {
            cli_error("token", "revoke takes the token's NAME");
            goto out;
        }
        if (o.n_pos == 2)
            name = o.pos[1];
    } else if (strcmp(verb, "list") != 0 || o.n_pos != 1) {
        cli_error("token", "%s", usage);
        goto out;
    }
    status = run_verb(env, verb, name);
out:
    cli_opts_release(&o);
    return status;
}
