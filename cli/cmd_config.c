/* SPDX-License-Identifier: MIT
 *
 * cmd_config.c — `cxmeter config set KEY VALUE | get KEY | unset KEY |
 * list`: the settings kept in the store (include/cxmeter/config.h). An
 * unknown key or a missing argument is a usage error (exit 2), a bad
 * value bad input (exit 1). set and unset create the store; get and list
 * show the defaults where there is none, and create none.
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

/* The number of positionals `verb` takes with itself (set 3, get and
 * unset 2, list 1), or -1 for no verb of config. */
static int verb_args(const char *verb)
{
    return strcmp(verb, "set") == 0                                 ? 3
           : strcmp(verb, "get") == 0 || strcmp(verb, "unset") == 0 ? 2
           : strcmp(verb, "list") == 0                             ? 1
                                                                   : -1;
}

/* Checks the verb, the key and set's value before any store is opened.
 * Returns -1 to go on, else the exit status. */
static int check_args(const struct cli_opts *o)
{
    const char *verb = o->n_pos > 0 ? o->pos[0] : "", *why = NULL;
    int want = verb_args(verb);

    if (want < 0 || o->n_pos != want) {
        cli_error("config", "%s", usage);
        return EXIT_USAGE;
    }
    if (want > 1 && !cxm_config_known(o->pos[1])) {
        cli_error("config", "unknown key '%s' (cxmeter config list shows "
                            "the keys)",
                  o->pos[1]);
        return EXIT_USAGE;
    }
    if (want == 3 && cxm_config_check(o->pos[1], o->pos[2], &why)) {
        cli_error("config", "bad value '%s': %s", o->pos[2], why);
        return EXIT_INPUT;
    }
    return -1;
}

/* Runs the verb on `st` (NULL for get and list where there is no store
 * yet: the defaults). */
static int run_verb(cxm_store *st, const char *const *pos)
{
    char *value = NULL;
    const char *why = NULL;
    cxm_rc rc;

    if (strcmp(pos[0], "set") == 0)
        rc = cxm_config_set(st, pos[1], pos[2], &why);
    else if (strcmp(pos[0], "unset") == 0)
        rc = cxm_config_unset(st, pos[1]);
    else if (strcmp(pos[0], "get") == 0)
        rc = cxm_config_get(st, pos[1], &value, NULL);
    else
        rc = cxm_config_list(st, print_setting, NULL);
    if (rc) {
        cli_error("config", "%s", rc == CXM_ESTORE ? cxm_store_errmsg(st)
                                                   : cxm_strerror(rc));
        return cli_exit_at(rc, CLI_NAMING);
    }
    if (value)
        printf("%s\n", value);
    else if (strcmp(pos[0], "set") == 0)
        printf("%s = %s\n", pos[1], pos[2]);
    cxm_free(value);
    return EXIT_OK_;
}

int cmd_config(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    cxm_store *st = NULL;
    int id, status = EXIT_USAGE;
    bool writes;

    cli_opts_init(&o, "config", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        if (id == OPT_HELP) {
            cli_help("config");
            status = EXIT_OK_;
            goto out;
        }
        if (id == OPT_DB)
            env->db = o.arg;
    }
    if (id < 0 || (status = check_args(&o)) >= 0)
        goto out;
    /* set and unset make the store; get and list read an existing one,
     * or show the defaults where there is none (and make none). */
    writes = strcmp(o.pos[0], "set") == 0 || strcmp(o.pos[0], "unset") == 0;
    status = !writes && cli_no_store(env)
                 ? EXIT_OK_
                 : cli_open_store(env, "config",
                                  writes ? CXM_OPEN_CREATE : CXM_OPEN_READ,
                                  &st);
    if (status == EXIT_OK_)
        status = run_verb(st, (const char *const *)o.pos);
out:
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}
