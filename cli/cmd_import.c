/* SPDX-License-Identifier: MIT
 *
 * cmd_import.c — `cxmeter import [--db D] [--strict] KIND FILE...`, KIND a
 * record kind of SPEC §1 or zendesk / freshdesk: one transaction for all
 * the files; each rejected row named on stderr as
 * FILE:LINE:COL: COLUMN: reason; a summary line on stdout; a progress line
 * on stderr while it runs, when stderr is a terminal.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { OPT_HELP = 1, OPT_DB, OPT_STRICT, OPT_QUIET, OPT_EARLIEST,
       OPT_HORIZON, OPT_MAX_ERRORS };

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},
    {"db", true, OPT_DB},
    {"strict", false, OPT_STRICT},
    {"quiet", false, OPT_QUIET},
    {"earliest", true, OPT_EARLIEST},
    {"horizon-years", true, OPT_HORIZON},
    {"max-errors", true, OPT_MAX_ERRORS},
    {NULL, false, 0},
};

#define DEFAULT_MAX_ERRORS 100 /* diagnostics shown before a count */

struct import_ui {
    bool progress;      /* stderr is a terminal */
    bool progress_shown;
    double last;        /* monotonic seconds of the last progress line */
    uint64_t n_diags;
    uint64_t max_diags; /* shown at most; 0 = all */
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void clear_progress(struct import_ui *ui)
{
    if (ui->progress_shown) {
        fputs("\r\033[K", stderr);
        ui->progress_shown = false;
    }
}

static void on_diag(const struct cxm_diag *d, void *ud)
{
    struct import_ui *ui = ud;

    ui->n_diags++;
    if (ui->max_diags && ui->n_diags > ui->max_diags)
        return; /* counted; summed up after the import */
    clear_progress(ui);
    if (d->line <= 0)
        fprintf(stderr, "%s: %s\n", d->file, d->reason);
    else if (d->column > 0)
        fprintf(stderr, "%s:%ld:%d: %s: %s\n", d->file, d->line, d->column,
                d->column_name, d->reason);
    else if (d->column_name && *d->column_name)
        fprintf(stderr, "%s:%ld: %s: %s\n", d->file, d->line,
                d->column_name, d->reason);
    else
        fprintf(stderr, "%s:%ld: %s\n", d->file, d->line, d->reason);
}

static void on_progress(const char *file, uint64_t done, uint64_t total,
                        uint64_t rows, void *ud)
{
    struct import_ui *ui = ud;
    double t = now_s();
    char buf[32];

    if (!ui->progress || (t - ui->last < 0.2 && done < total))
        return;
    ui->last = t;
    fprintf(stderr, "\r\033[Kimporting %s: %3.0f%%, %s rows", file,
            total ? 100.0 * (double)done / (double)total : 0.0,
            cli_thousands(rows, buf, sizeof(buf)));
    ui->progress_shown = true;
}

struct import_args {
    struct cxm_import_opts io;
    bool quiet;
    uint64_t max_errors;
};

/* Parses the options into `a`; returns -1 to go on, else the exit
 * status (0 after --help). */
static int parse_options(struct cli_env *env, struct cli_opts *o,
                         struct import_args *a)
{
    int id;

    while ((id = cli_opt_next(o)) > 0) {
        switch (id) {
        case OPT_HELP:
            cli_help("import");
            return EXIT_OK_;
        case OPT_DB:
            env->db = o->arg;
            break;
        case OPT_STRICT:
            a->io.strict = true;
            break;
        case OPT_QUIET:
            a->quiet = true;
            break;
        case OPT_EARLIEST:
            a->io.earliest = o->arg;
            break;
        case OPT_HORIZON:
            a->io.horizon_years = o->arg;
            break;
        case OPT_MAX_ERRORS:
            if (!cli_parse_u64(o->arg, &a->max_errors)) {
                cli_error("import", "--max-errors takes a number (0 = "
                                    "all), not '%s'",
                          o->arg);
                return EXIT_USAGE;
            }
            break;
        }
    }
    return id < 0 ? EXIT_USAGE : -1;
}

/* Checks KIND FILE... and the window options; sets *is_helpdesk and
 * *kind or *vendor. Returns -1 to go on, else the exit status. */
static int check_args(const struct cli_opts *o, const struct import_args *a,
                      bool *is_helpdesk, cxm_kind *kind,
                      cxm_helpdesk *vendor)
{
    const char *why = NULL;

    if (o->n_pos < 2) {
        cli_error("import", "usage: cxmeter import [--db D] [--strict] "
                            "KIND FILE... (try --help)");
        return EXIT_USAGE;
    }
    if ((a->io.earliest &&
         cxm_config_check("import.earliest", a->io.earliest, &why)) ||
        (a->io.horizon_years &&
         cxm_config_check("import.horizon_years", a->io.horizon_years,
                          &why))) {
        cli_error("import", "%s (--earliest, --horizon-years)", why);
        return EXIT_USAGE;
    }
    *is_helpdesk = cxm_helpdesk_parse(o->pos[0], vendor) == CXM_OK;
    if (!*is_helpdesk && cxm_kind_parse(o->pos[0], kind)) {
        cli_error("import", "unknown record kind '%s' (one of tickets, "
                            "responses, customers, orders, selfservice, "
                            "agents, agent_hours, reviews, qa_scores, "
                            "zendesk, freshdesk)",
                  o->pos[0]);
        return EXIT_USAGE;
    }
    return -1;
}

/* The end of an import: the rows not shown, the failure, the summary
 * line. Returns the exit status. */
static int say_result(cxm_store *st, const struct import_ui *ui,
                      const struct import_args *a, cxm_rc rc,
                      const struct cxm_import_result *res)
{
    char n_imp[32], n_rej[32];

    if (ui->max_diags && ui->n_diags > ui->max_diags)
        fprintf(stderr, "... and %s more rejected rows or file errors not "
                        "shown (--max-errors 0 shows all)\n",
                cli_thousands(ui->n_diags - ui->max_diags, n_imp,
                              sizeof(n_imp)));
    if (rc == CXM_ESTORE)
        cli_error("import", "store error: %s", cxm_store_errmsg(st));
    else if (rc && rc != CXM_EINPUT && rc != CXM_EIO)
        cli_error("import", "%s", cxm_strerror(rc));
    cli_thousands(res->n_imported, n_imp, sizeof(n_imp));
    cli_thousands(res->n_rejected, n_rej, sizeof(n_rej));
    if (rc == CXM_OK)
        printf("imported %s rows, rejected %s\n", n_imp, n_rej);
    else if (rc == CXM_EINPUT && a->io.strict && res->n_rejected)
        printf("imported 0 rows, rejected %s (--strict: nothing stored)\n",
               n_rej);
    else
        printf("imported 0 rows, rejected %s (nothing stored: %s)\n", n_rej,
               cxm_strerror(rc));
    if (rc)
        return cli_exit_for(rc);
    return res->n_rejected ? EXIT_INPUT : EXIT_OK_;
}

int cmd_import(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    struct import_args a;
    struct cxm_import_result res;
    struct import_ui ui;
    cxm_store *st = NULL;
    bool is_helpdesk = false;
    cxm_kind kind = CXM_KIND_TICKETS;
    cxm_helpdesk vendor = CXM_HELPDESK_ZENDESK;
    const char *const *files;
    size_t n_files;
    cxm_rc rc;
    int status;

    memset(&a, 0, sizeof(a));
    a.io.size = sizeof(a.io);
    a.max_errors = DEFAULT_MAX_ERRORS;
    cli_opts_init(&o, "import", argc, argv, specs);
    status = parse_options(env, &o, &a);
    if (status < 0)
        status = check_args(&o, &a, &is_helpdesk, &kind, &vendor);
    if (status >= 0)
        goto out; /* --help, or a usage error */
    status = cli_open_store(env, "import", CXM_OPEN_CREATE, &st);
    if (status)
        goto out;
    memset(&ui, 0, sizeof(ui));
    ui.progress = !a.quiet && isatty(STDERR_FILENO);
    ui.max_diags = a.max_errors;
    a.io.on_diag = on_diag;
    a.io.on_progress = on_progress;
    a.io.ud = &ui;
    files = (const char *const *)(o.pos + 1);
    n_files = (size_t)(o.n_pos - 1);
    if (is_helpdesk)
        rc = cxm_import_helpdesk(st, vendor, files, n_files, &a.io, &res);
    else
        rc = cxm_import_files(st, kind, files, n_files, &a.io, &res);
    clear_progress(&ui);
    status = say_result(st, &ui, &a, rc, &res);
    if (rc == CXM_OK && res.n_imported)
        cli_alerts_after_import(st, "import", cli_now_ms());
out:
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}
