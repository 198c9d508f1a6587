/* SPDX-License-Identifier: MIT
 *
 * cmd_config.c — `cxmeter config set KEY VALUE | get KEY | unset KEY |
 * list`: the settings kept in the store (include/cxmeter/config.h). An
 * unknown key or a missing argument is a usage error (exit 2), a bad
 * value bad input (exit 1).
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

static const char usage[] =
    "usage: cxmeter config set KEY VALUE | get KEY | unset KEY | list "
    "(try --help)";

static cxm_rc print_setting(const struct cxm_setting *s, void *ud)
{
    (void)ud;
    printf("%-22s %-12s %s\n", s->key, s->value,
           s->is_default ? "(default)" : "");
    return CXM_OK;
}

int cmd_config(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    cxm_store *st = NULL;
    char *value = NULL;
    const char *why = NULL, *verb, *key = NULL;
    int id, status = EXIT_USAGE, want;
    cxm_rc rc;

    cli_opts_init(&o, "config", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        switch (id) {
        case OPT_HELP:
            cli_help("config");
            status = EXIT_OK_;
            goto out;
        case OPT_DB:
            env->db = o.arg;
            break;
        }
    }
    if (id < 0)
        goto out;
    verb = o.n_pos > 0 ? o.pos[0] : "";
    want = strcmp(verb, "set") == 0                               ? 3
           : strcmp(verb, "get") == 0 || strcmp(verb, "unset") == 0 ? 2
           : strcmp(verb, "list") == 0                             ? 1
                                                                   : -1;
    if (want < 0 || o.n_pos != want) {
        cli_error("config", "%s", usage);
        goto out;
    }
    if (want > 1) {
        key = o.pos[1];
        if (!cxm_config_known(key)) {
            cli_error("config", "unknown key '%s' (cxmeter config list "
                                "shows the keys)",
                      key);
            goto out;
        }
    }
    if (want == 3 && cxm_config_check(key, o.pos[2], &why)) {
        cli_error("config", "bad value '%s': %s", o.pos[2], why);
        status = EXIT_INPUT;
        goto out;
    }
    /* Every verb may make the store: get and list show the defaults of a
     * store not made yet (tests/hostile/test_ingest_window.py). */
    status = cli_open_store(env, "config", CXM_OPEN_CREATE, &st);
    if (status)
        goto out;
    status = EXIT_USAGE;
    if (want == 3)
        rc = cxm_config_set(st, key, o.pos[2], &why);
    else if (strcmp(verb, "unset") == 0)
        rc = cxm_config_unset(st, key);
    else if (want == 2)
        rc = cxm_config_get(st, key, &value, NULL);
    else
        rc = cxm_config_list(st, print_setting, NULL);
    if (rc) {
        cli_error("config", "%s", rc == CXM_ESTORE ? cxm_store_errmsg(st)
                                                   : cxm_strerror(rc));
        status = cli_exit_for(rc);
        goto out;
    }
    if (value)
        printf("%s\n", value);
    else if (want == 3)
        printf("%s = %s\n", key, o.pos[2]);
    status = EXIT_OK_;
out:
    cxm_free(value);
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}
