/* SPDX-License-Identifier: MIT
 *
 * cmd_user.c — `cxmeter user add NAME --role admin|viewer | list |
 * remove NAME | passwd NAME`: the accounts of the dashboard
 * (cxmeter/serve.h, docs/dashboard.md). The password is read from the
 * terminal with echo off (asked twice), or as the first line of standard
 * input when that is not a terminal; it is never an argument (argv is
 * visible to every user of the machine).
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

enum { OPT_HELP = 1, OPT_DB, OPT_ROLE };

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},
    {"db", true, OPT_DB},
    {"role", true, OPT_ROLE},
    {NULL, false, 0},
};

static const char usage[] =
    "usage: cxmeter user add NAME --role admin|viewer | list | "
    "remove NAME | passwd NAME (try --help)";

#define PW_MAX 1100

/* One line of `in` into buf without its newline; false at EOF or when
 * longer than the buffer. */
static bool read_line(FILE *in, char *buf, size_t cap)
{
    size_t n;

    if (!fgets(buf, (int)cap, in))
        return false;
    n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (n == cap - 1)
        return false;
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return true;
}

/* Reads a password with the terminal's echo off. */
static bool prompt_password(const char *prompt, char *buf, size_t cap)
{
    struct termios old, quiet;
    bool ok;

    fprintf(stderr, "%s", prompt);
    fflush(stderr);
    if (tcgetattr(STDIN_FILENO, &old) != 0)
        return false;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
        return false;
    ok = read_line(stdin, buf, cap);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    return ok;
}

/* The new password into pw; prints why not and returns false. */
static bool get_password(char *pw, size_t cap)
{
    char again[PW_MAX];
    bool ok;

    if (!isatty(STDIN_FILENO)) {
        if (!read_line(stdin, pw, cap)) {
            cli_error("user", "expected the password as the first line of "
                              "standard input");
            return false;
        }
        return true;
    }
    if (!prompt_password("Password: ", pw, cap) ||
        !prompt_password("Again: ", again, sizeof(again))) {
        cli_error("user", "no password read");
        return false;
    }
    ok = strcmp(pw, again) == 0;
    memset(again, 0, sizeof(again));
    if (!ok)
        cli_error("user", "the two passwords differ");
    return ok;
}

static cxm_rc print_user(const struct cxm_user_info *u, void *ud)
{
    char created[40], updated[40];

    (void)ud;
    cxm_time_format(u->created_at - u->created_at % 1000, created,
                    sizeof(created));
    cxm_time_format(u->updated_at - u->updated_at % 1000, updated,
                    sizeof(updated));
    printf("%-24s %-7s created %s  password set %s\n", u->name, u->role,
           created, updated);
    return CXM_OK;
}

static int run_verb(struct cli_env *env, const char *verb, const char *name,
                    const char *role)
{
    bool list = strcmp(verb, "list") == 0;
    bool needs_pw = strcmp(verb, "add") == 0 || strcmp(verb, "passwd") == 0;
    char pw[PW_MAX];
    cxm_store *st = NULL;
    int status;
    cxm_rc rc;

    pw[0] = '\0';
    if (needs_pw && !get_password(pw, sizeof(pw)))
        return EXIT_INPUT;
    status = cli_open_store(env, "user",
                            list ? CXM_OPEN_READ : CXM_OPEN_CREATE, &st);
    if (status != EXIT_OK_) {
        memset(pw, 0, sizeof(pw));
        return status;
    }
    if (strcmp(verb, "add") == 0)
        rc = cxm_user_add(st, name, role, pw, strlen(pw));
    else if (strcmp(verb, "passwd") == 0)
        rc = cxm_user_passwd(st, name, pw, strlen(pw));
    else if (strcmp(verb, "remove") == 0)
        rc = cxm_user_remove(st, name);
    else
        rc = cxm_user_list(st, print_user, NULL);
    memset(pw, 0, sizeof(pw));
    if (rc == CXM_ENOTFOUND)
        cli_error("user", "no account named '%s'", name);
    else if (rc)
        cli_error("user", "%s", rc == CXM_EINPUT || rc == CXM_ESTORE
                                    ? cxm_store_errmsg(st)
                                    : cxm_strerror(rc));
    status = rc == CXM_ENOTFOUND ? EXIT_INPUT
             : rc                ? cli_exit_for(rc)
                                 : EXIT_OK_;
    cxm_store_close(st);
    return status;
}

int cmd_user(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    const char *verb, *role = NULL;
    int id, status = EXIT_USAGE;

    cli_opts_init(&o, "user", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        switch (id) {
        case OPT_HELP:
            cli_help("user");
            status = EXIT_OK_;
            goto out;
        case OPT_DB:
            env->db = o.arg;
            break;
        case OPT_ROLE:
            role = o.arg;
            break;
        }
    }
    if (id < 0)
        goto out;
    if (o.n_pos < 1) {
        cli_error("user", "%s", usage);
        goto out;
    }
    verb = o.pos[0];
    if (strcmp(verb, "add") == 0) {
        if (o.n_pos != 2 || !role) {
            cli_error("user", "add takes NAME and --role admin|viewer");
            goto out;
        }
        if (strcmp(role, "admin") != 0 && strcmp(role, "viewer") != 0) {
            cli_error("user", "--role takes admin or viewer");
            goto out;
        }
    } else if (strcmp(verb, "remove") == 0 || strcmp(verb, "passwd") == 0) {
        if (o.n_pos != 2 || role) {
            cli_error("user", "%s takes the account's NAME", verb);
            goto out;
        }
    } else if (strcmp(verb, "list") != 0 || o.n_pos != 1 || role) {
        cli_error("user", "%s", usage);
        goto out;
    }
    status = run_verb(env, verb, o.n_pos > 1 ? o.pos[1] : NULL, role);
out:
    cli_opts_release(&o);
    return status;
}
