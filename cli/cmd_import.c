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

int cmd_import(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    struct cxm_import_opts io;
    struct cxm_import_result res;
    struct import_ui ui;
    cxm_store *st = NULL;
    bool quiet = false, is_helpdesk;
    cxm_kind kind = CXM_KIND_TICKETS;
    cxm_helpdesk vendor = CXM_HELPDESK_ZENDESK;
    cxm_rc rc;
    int id, status;
    char a[32], b[32];
    const char *why = NULL;
    uint64_t max_errors = DEFAULT_MAX_ERRORS;

    memset(&io, 0, sizeof(io));
    io.size = sizeof(io);
    cli_opts_init(&o, "import", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        switch (id) {
        case OPT_HELP:
            cli_help("import");
            cli_opts_release(&o);
            return EXIT_OK_;
        case OPT_DB:
            env->db = o.arg;
            break;
        case OPT_STRICT:
            io.strict = true;
            break;
        case OPT_QUIET:
            quiet = true;
            break;
        case OPT_EARLIEST:
            io.earliest = o.arg;
            break;
        case OPT_HORIZON:
            io.horizon_years = o.arg;
            break;
        case OPT_MAX_ERRORS:
            if (!cli_parse_u64(o.arg, &max_errors)) {
                cli_error("import", "--max-errors takes a number (0 = "
                                    "all), not '%s'",
                          o.arg);
                id = -1;
            }
            break;
        }
        if (id < 0)
            break;
    }
    if (id < 0) {
        cli_opts_release(&o);
        return EXIT_USAGE;
    }
    if (o.n_pos < 2) {
        cli_error("import", "usage: cxmeter import [--db D] [--strict] "
                            "KIND FILE... (try --help)");
        cli_opts_release(&o);
        return EXIT_USAGE;
    }
    if ((io.earliest &&
         cxm_config_check("import.earliest", io.earliest, &why)) ||
        (io.horizon_years &&
         cxm_config_check("import.horizon_years", io.horizon_years, &why))) {
        cli_error("import", "%s (--earliest, --horizon-years)", why);
        cli_opts_release(&o);
        return EXIT_USAGE;
    }
    is_helpdesk = cxm_helpdesk_parse(o.pos[0], &vendor) == CXM_OK;
    if (!is_helpdesk && cxm_kind_parse(o.pos[0], &kind)) {
        cli_error("import", "unknown record kind '%s' (one of tickets, "
                            "responses, customers, orders, selfservice, "
                            "agents, agent_hours, reviews, qa_scores, "
                            "zendesk, freshdesk)",
                  o.pos[0]);
        cli_opts_release(&o);
        return EXIT_USAGE;
    }
    status = cli_open_store(env, "import", CXM_OPEN_CREATE, &st);
    if (status) {
        cli_opts_release(&o);
        return status;
    }
    memset(&ui, 0, sizeof(ui));
    ui.progress = !quiet && isatty(STDERR_FILENO);
    ui.max_diags = max_errors;
    io.on_diag = on_diag;
    io.on_progress = on_progress;
    io.ud = &ui;
    if (is_helpdesk)
        rc = cxm_import_helpdesk(st, vendor, (const char *const *)(o.pos + 1),
                                 (size_t)(o.n_pos - 1), &io, &res);
    else
        rc = cxm_import_files(st, kind, (const char *const *)(o.pos + 1),
                              (size_t)(o.n_pos - 1), &io, &res);
    clear_progress(&ui);
    if (ui.max_diags && ui.n_diags > ui.max_diags)
        fprintf(stderr, "... and %s more rejected rows or file errors not "
                        "shown (--max-errors 0 shows all)\n",
                cli_thousands(ui.n_diags - ui.max_diags, a, sizeof(a)));
    if (rc == CXM_ESTORE)
        cli_error("import", "store error: %s", cxm_store_errmsg(st));
    else if (rc && rc != CXM_EINPUT && rc != CXM_EIO)
        cli_error("import", "%s", cxm_strerror(rc));
    cli_thousands(res.n_imported, a, sizeof(a));
    cli_thousands(res.n_rejected, b, sizeof(b));
    if (rc == CXM_OK)
        printf("imported %s rows, rejected %s\n", a, b);
    else if (rc == CXM_EINPUT && io.strict && res.n_rejected)
        printf("imported 0 rows, rejected %s (--strict: nothing stored)\n",
               b);
    else
        printf("imported 0 rows, rejected %s (nothing stored: %s)\n", b,
               cxm_strerror(rc));
    if (rc)
        status = cli_exit_for(rc);
    else
        status = res.n_rejected ? EXIT_INPUT : EXIT_OK_;
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}
