/* SPDX-License-Identifier: MIT
 *
 * cmd_definitions.c — `cxmeter definitions show|set|history`: the metric
 * definitions reports compute with, as versioned configuration
 * (cxmeter/definitions.h). `set` stores a new version from the current
 * one with the changed keys, who set it (--by, else $USER, else the login
 * name) and why (--note).
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_HELP = 1, OPT_DB, OPT_VERSION, OPT_FORMAT, OPT_BY, OPT_NOTE };

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},     {"db", true, OPT_DB},
    {"version", true, OPT_VERSION}, {"format", true, OPT_FORMAT},
    {"by", true, OPT_BY},          {"note", true, OPT_NOTE},
    {NULL, false, 0},
};

#define USAGE                                                              \
    "usage: cxmeter definitions show [--version N] [--format json|table]\n" \
    "       cxmeter definitions set KEY VALUE [KEY VALUE...] [--by NAME]\n" \
    "                               [--note TEXT]\n"                        \
    "       cxmeter definitions history [--format json|table]"

/* A strict positive int. */
static bool parse_version(const char *s, int *out)
{
    char *end;
    long v;

    if (!*s || *s == '-' || *s == '+')
        return false;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < 1 || v > 1000000000)
        return false;
    *out = (int)v;
    return true;
}

static int store_failed(cxm_store *st, const char *err, cxm_rc rc)
{
    cli_error("definitions", "%s", err ? err
                                   : st ? cxm_store_errmsg(st)
                                        : cxm_strerror(rc));
    return cli_exit_for(rc);
}

static int do_show(cxm_store *st, int version, cxm_format fmt)
{
    cxm_definitions *d = NULL;
    char *text = NULL;
    size_t len = 0;
    int status;
    cxm_rc rc = cxm_definitions_load(st, version, &d);

    if (rc == CXM_ENOTFOUND) {
        cli_error("definitions", "no definitions version %d (see "
                                 "'cxmeter definitions history')", version);
        return cli_exit_for(rc);
    }
    if (rc)
        return store_failed(st, NULL, rc);
    rc = cxm_definitions_format(d, fmt, &text, &len);
    if (rc)
        cli_error("definitions", "%s", cxm_strerror(rc));
    else
        fwrite(text, 1, len, stdout);
    status = cli_exit_for(rc);
    cxm_free(text);
    cxm_definitions_free(d);
    return status;
}

/* Who sets the definitions: --by, else $USER, else the login name. */
static const char *who(const char *by)
{
    const char *u;

    if (by)
        return by;
    u = getenv("USER");
    if (u && *u)
        return u;
    u = getlogin();
    return u && *u ? u : "unknown";
}

static int do_set(cxm_store *st, const char *const *kv, int n,
                  const char *by, const char *note)
{
    cxm_definitions *d = NULL;
    char *err = NULL, *diff = NULL;
    cxm_definitions *before = NULL;
    int version = 0, status = EXIT_OK_;
    cxm_rc rc = cxm_definitions_load(st, 0, &d);

    if (!rc)
        rc = cxm_definitions_load(st, 0, &before);
    if (rc) {
        status = store_failed(st, NULL, rc);
        goto out;
    }
    for (int i = 0; i < n; i += 2) {
        rc = cxm_definitions_set(d, kv[i], kv[i + 1], &err);
        /* A key given is checked against the stored answers even when
         * its value is the current one. */
        if (!rc)
            rc = cxm_definitions_check(st, d, kv[i], &err);
        if (rc) {
            cli_error("definitions", "%s", err ? err : cxm_strerror(rc));
            status = cli_exit_at(rc, CLI_NAMING);
            goto out;
        }
    }
    rc = cxm_definitions_store(st, d, who(by), note, &version);
    if (rc) {
        status = store_failed(st, NULL, rc);
        goto out;
    }
    rc = cxm_definitions_diff(before, d, &diff);
    printf("definitions version %d stored\n%s", version,
           !rc && diff && *diff ? diff : "(no setting changed)\n");
out:
    cxm_free(err);
    cxm_free(diff);
    cxm_definitions_free(d);
    cxm_definitions_free(before);
    return status;
}

struct history_ctx {
    cxm_format fmt;
    int n;                 /* versions printed */
    cxm_store *st;
};

static cxm_rc on_version(const cxm_definitions *d, void *ud)
{
    struct history_ctx *h = ud;
    char *text = NULL, *diff = NULL, t[40] = "";
    size_t len;
    cxm_definitions *prev = NULL;
    cxm_rc rc;

    if (h->fmt == CXM_FORMAT_JSON) {
        rc = cxm_definitions_format(d, CXM_FORMAT_JSON, &text, &len);
        if (rc)
            return rc;
        /* One array, one version an element. */
        if (len && text[len - 1] == '\n')
            text[--len] = '\0';
        printf("%s%s", h->n++ ? ",\n " : "[", text);
        cxm_free(text);
        return CXM_OK;
    }
    if (cxm_definitions_version(d) == 1) {
        printf("version 1  SPEC defaults\n");
        h->n++;
        return CXM_OK;
    }
    cxm_time_format(cxm_definitions_set_at(d), t, sizeof(t));
    printf("version %d  %s  by %s%s%s\n", cxm_definitions_version(d), t,
           cxm_definitions_set_by(d), *cxm_definitions_note(d) ? ": " : "",
           cxm_definitions_note(d));
    rc = cxm_definitions_load(h->st, cxm_definitions_version(d) - 1, &prev);
    if (!rc)
        rc = cxm_definitions_diff(prev, d, &diff);
    if (!rc && diff) {
        const char *p = diff;
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            printf("  %.*s\n", (int)n, p);
            p += n + (nl ? 1 : 0);
        }
    }
    cxm_free(diff);
    cxm_definitions_free(prev);
    h->n++;
    return rc;
}

static int do_history(cxm_store *st, cxm_format fmt)
{
    struct history_ctx h;
    cxm_rc rc;

    memset(&h, 0, sizeof(h));
    h.fmt = fmt;
    h.st = st;
    rc = cxm_definitions_history(st, on_version, &h);
    if (fmt == CXM_FORMAT_JSON && h.n)
        printf("]\n");
    return rc ? store_failed(st, NULL, rc) : EXIT_OK_;
}

struct def_args {
    const char *by, *note;
    cxm_format fmt;
    int version;
    bool has_version, has_format, has_set_opts;
};

/* Takes option `id` (value o->arg) into `a`; false after printing. */
static bool take_option(struct cli_env *env, const struct cli_opts *o,
                        int id, struct def_args *a)
{
    switch (id) {
    case OPT_DB:
        env->db = o->arg;
        break;
    case OPT_VERSION:
        if (!parse_version(o->arg, &a->version)) {
            cli_error("definitions", "--version: not a version number: "
                                     "'%s'", o->arg);
            return false;
        }
        a->has_version = true;
        break;
    case OPT_FORMAT:
        if (cxm_format_parse(o->arg, &a->fmt) || a->fmt == CXM_FORMAT_CSV) {
            cli_error("definitions", "unknown format '%s' (table, json)",
                      o->arg);
            return false;
        }
        a->has_format = true;
        break;
    case OPT_BY:
        if (!*o->arg) {
            cli_error("definitions", "--by: empty name");
            return false;
        }
        a->by = o->arg;
        a->has_set_opts = true;
        break;
    case OPT_NOTE:
        a->note = o->arg;
        a->has_set_opts = true;
        break;
    }
    return true;
}

/* Whether the subcommand pos[0] has the arguments and options it takes;
 * false after printing. */
static bool check_subcommand(const struct cli_opts *o,
                             const struct def_args *a)
{
    const char *sub = o->n_pos > 0 ? o->pos[0] : NULL;
    bool ok;

    if (!sub)
        ok = false;
    else if (strcmp(sub, "show") == 0)
        ok = o->n_pos == 1 && !a->has_set_opts;
    else if (strcmp(sub, "set") == 0)
        ok = o->n_pos >= 3 && (o->n_pos - 1) % 2 == 0 && !a->has_version &&
             !a->has_format;
    else if (strcmp(sub, "history") == 0)
        ok = o->n_pos == 1 && !a->has_version && !a->has_set_opts;
    else {
        cli_error("definitions", "unknown subcommand '%s' (show, set, "
                                 "history)", sub);
        return false;
    }
    if (!ok)
        cli_error("definitions", "%s", USAGE);
    return ok;
}

int cmd_definitions(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    struct def_args a;
    const char *sub;
    int id, status = EXIT_USAGE;
    cxm_store *st = NULL;

    memset(&a, 0, sizeof(a));
    a.fmt = CXM_FORMAT_TABLE;
    cli_opts_init(&o, "definitions", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        if (id == OPT_HELP) {
            cli_help("definitions");
            status = EXIT_OK_;
            goto out;
        }
        if (!take_option(env, &o, id, &a))
            goto out;
    }
    if (id < 0 || !check_subcommand(&o, &a))
        goto out;
    sub = o.pos[0];
    status = cli_open_store(env, "definitions",
                            strcmp(sub, "set") == 0 ? CXM_OPEN_CREATE
                                                    : CXM_OPEN_READ,
                            &st);
    if (status)
        goto out;
    if (strcmp(sub, "show") == 0)
        status = do_show(st, a.version, a.fmt);
    else if (strcmp(sub, "set") == 0)
        status = do_set(st, o.pos + 1, o.n_pos - 1, a.by, a.note);
    else
        status = do_history(st, a.fmt);
out:
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}
