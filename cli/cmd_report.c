/* SPDX-License-Identifier: MIT
 *
 * cmd_report.c — `cxmeter report`: parses the metrics, breakdown, period
 * and format, runs the report on the store and prints it on stdout;
 * warnings go to stderr.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    OPT_HELP = 1,
    OPT_DB,
    OPT_READ_DB,
    OPT_METRICS,
    OPT_BY,
    OPT_FROM,
    OPT_TO,
    OPT_TZ,
    OPT_FORMAT,
    OPT_COMPARE,
    OPT_READ,
    OPT_EXPLAIN,
    OPT_TIMING,
    OPT_DEFINITIONS,
    OPT_WHERE
};

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},     {"db", true, OPT_DB},
    {"read-db", true, OPT_READ_DB},
    {"metrics", true, OPT_METRICS}, {"by", true, OPT_BY},
    {"from", true, OPT_FROM},      {"to", true, OPT_TO},
    {"tz", true, OPT_TZ},          {"format", true, OPT_FORMAT},
    {"compare", true, OPT_COMPARE},
    {"read", true, OPT_READ},
    {"explain", false, OPT_EXPLAIN},
    {"timing", false, OPT_TIMING},
    {"definitions", true, OPT_DEFINITIONS},
    {"where", true, OPT_WHERE},
    {NULL, false, 0},
};

/* Prints why the list of option `opt` (names of `noun`s) was refused;
 * returns false. */
static bool bad_list(const char *opt, const char *noun, const char *list,
                     const struct cxm_list_error *e)
{
    int len = (int)e->len;
    const char *name = list + e->at;

    switch (e->fault) {
    case CXM_LIST_UNKNOWN:
        cli_error("report", "unknown %s '%.*s' (see --help)", noun, len,
                  name);
        break;
    case CXM_LIST_TWICE:
        cli_error("report", "%s '%.*s' named twice", noun, len, name);
        break;
    default:
        cli_error("report", "bad %s list '%s'", opt, list);
        break;
    }
    return false;
}

/* --metrics LIST into out[0..*n); false after printing. */
static bool take_metrics(const char *list, cxm_metric *out, size_t cap,
                         size_t *n)
{
    struct cxm_list_error e;

    if (cxm_metric_parse_list(list, out, cap, n, &e) == CXM_OK)
        return true;
    if (e.fault == CXM_LIST_FULL) {
        cli_error("report", "too many metrics");
        return false;
    }
    return bad_list("--metrics", "metric", list, &e);
}

/* --by LIST into out[0..*n); false after printing. */
static bool take_dims(const char *list, cxm_dim *out, size_t cap,
                      size_t *n)
{
    struct cxm_list_error e;

    if (cxm_dim_parse_list(list, out, cap, n, &e) == CXM_OK)
        return true;
    if (e.fault == CXM_LIST_FULL) {
        cli_error("report", "at most %zu breakdown dimensions", cap);
        return false;
    }
    return bad_list("--by", "breakdown", list, &e);
}

struct report_args {
    struct cxm_report_query q;
    cxm_metric metrics[CXM_METRIC_COUNT];
    cxm_dim by[CXM_REPORT_MAX_BY];
    struct cxm_report_where where[CXM_REPORT_MAX_BY];
    cxm_format fmt;
    bool explain, timing;
};

/* --read auto|columns|rows. */
static bool parse_read(const char *s, cxm_read *out)
{
    if (strcmp(s, "auto") == 0)
        *out = CXM_READ_AUTO;
    else if (strcmp(s, "columns") == 0)
        *out = CXM_READ_COLUMNS;
    else if (strcmp(s, "rows") == 0)
        *out = CXM_READ_ROWS;
    else {
        cli_error("report", "--read: auto, columns or rows, not '%s'", s);
        return false;
    }
    return true;
}

/* --definitions N: a version number. */
static bool parse_definitions(const char *s, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < 1 || v > 1000000000) {
        cli_error("report", "--definitions: not a version number: '%s'", s);
        return false;
    }
    *out = (int)v;
    return true;
}

/* --where DIM=VALUE (repeatable): rows whose DIM is VALUE. The value
 * points into argv. */
static bool take_where(const char *s, struct report_args *a)
{
    const char *eq = strchr(s, '=');
    char name[32];
    cxm_dim d;

    if (!eq || (size_t)(eq - s) >= sizeof(name)) {
        cli_error("report", "--where: DIM=VALUE, not '%s'", s);
        return false;
    }
    memcpy(name, s, (size_t)(eq - s));
    name[eq - s] = '\0';
    if (cxm_dim_parse(name, &d) != CXM_OK) {
        cli_error("report", "--where: unknown dimension '%s' (see --help)",
                  name);
        return false;
    }
    for (size_t i = 0; i < a->q.n_where; i++) {
        if (a->where[i].dim == d) {
            cli_error("report", "--where: %s named twice", name);
            return false;
        }
    }
    if (a->q.n_where == CXM_REPORT_MAX_BY) {
        cli_error("report", "--where: too many filters");
        return false;
    }
    a->where[a->q.n_where].dim = d;
    a->where[a->q.n_where++].value = eq + 1;
    return true;
}

/* Whether every --where dimension is a breakdown dimension other than a
 * time; false after printing. */
static bool check_where(const struct report_args *a)
{
    static const cxm_dim times[] = {CXM_BY_DAY, CXM_BY_WEEK, CXM_BY_MONTH,
                                    CXM_BY_QUARTER, CXM_BY_YEAR};

    for (size_t i = 0; i < a->q.n_where; i++) {
        cxm_dim d = a->where[i].dim;
        bool in_by = false;
        for (size_t k = 0; k < a->q.n_by; k++)
            in_by |= a->by[k] == d;
        for (size_t t = 0; t < sizeof(times) / sizeof(times[0]); t++) {
            if (times[t] == d) {
                cli_error("report", "--where: not a time dimension (%s)",
                          cxm_dim_name(d));
                return false;
            }
        }
        if (!in_by) {
            cli_error("report", "--where %s: %s is not in --by",
                      cxm_dim_name(d), cxm_dim_name(d));
            return false;
        }
    }
    return true;
}

/* --from or --to (`name`) into *ms and *has. */
static bool parse_bound(const char *name, const char *s, int64_t *ms,
                        bool *has)
{
    if (!cli_parse_time(s, ms)) {
        cli_error("report", "%s: not a date or timestamp: '%s'", name, s);
        return false;
    }
    *has = true;
    return true;
}

/* Takes option `id` (value o->arg) into `a`; false after printing. */
static bool take_option(struct cli_env *env, const struct cli_opts *o,
                        int id, struct report_args *a)
{
    struct cxm_report_query *q = &a->q;

    switch (id) {
    case OPT_DB:
        env->db = o->arg;
        return true;
    case OPT_READ_DB:
        env->read_db = o->arg;
        return true;
    case OPT_METRICS:
        return take_metrics(o->arg, a->metrics, CXM_METRIC_COUNT,
                            &q->n_metrics);
    case OPT_BY:
        return take_dims(o->arg, a->by, CXM_REPORT_MAX_BY, &q->n_by);
    case OPT_FROM:
        return parse_bound("--from", o->arg, &q->from_ms, &q->has_from);
    case OPT_TO:
        return parse_bound("--to", o->arg, &q->to_ms, &q->has_to);
    case OPT_TZ:
        q->tz = o->arg;
        return true;
    case OPT_COMPARE:
        if (strcmp(o->arg, "previous") != 0) {
            cli_error("report", "--compare: only 'previous' is known, "
                                "not '%s'", o->arg);
            return false;
        }
        q->compare = true;
        return true;
    case OPT_READ:
        return parse_read(o->arg, &q->read);
    case OPT_EXPLAIN:
        a->explain = true;
        return true;
    case OPT_TIMING:
        a->timing = true;
        return true;
    case OPT_DEFINITIONS:
        return parse_definitions(o->arg, &q->definitions);
    case OPT_WHERE:
        return take_where(o->arg, a);
    case OPT_FORMAT:
        if (cxm_format_parse(o->arg, &a->fmt)) {
            cli_error("report", "unknown format '%s' (table, json, csv)",
                      o->arg);
            return false;
        }
        return true;
    }
    return true;
}

/* Parses the command line into `a`. Returns -1 to go on, else the exit
 * status (0 after --help). */
static int parse_args(struct cli_env *env, int argc, char **argv,
                      struct report_args *a)
{
    struct cli_opts o;
    int id = 0, status = -1;

    memset(a, 0, sizeof(*a));
    a->q.size = sizeof(a->q);
    a->q.metrics = a->metrics;
    a->q.by = a->by;
    a->q.where = a->where;
    a->fmt = CXM_FORMAT_TABLE;
    cli_opts_init(&o, "report", argc, argv, specs);
    while (status < 0 && (id = cli_opt_next(&o)) > 0) {
        if (id == OPT_HELP) {
            cli_help("report");
            status = EXIT_OK_;
        } else if (!take_option(env, &o, id, a)) {
            status = EXIT_USAGE;
        }
    }
    if (status < 0 && id < 0)
        status = EXIT_USAGE;
    if (status < 0 && o.n_pos > 0) {
        cli_error("report", "unexpected argument '%s' (try --help)",
                  o.pos[0]);
        status = EXIT_USAGE;
    }
    if (status < 0 && a->q.has_from && a->q.has_to &&
        a->q.from_ms >= a->q.to_ms) {
        cli_error("report", "--from must be before --to");
        status = EXIT_USAGE;
    }
    if (status < 0 && !check_where(a))
        status = EXIT_USAGE;
    cli_opts_release(&o);
    return status;
}

/* The notes of a report on stderr: where answers were read from
 * (--explain), then its warnings. */
static void say_notes(const cxm_report *r, bool explain)
{
    const char *cells = cxm_report_rollup_cells(r);

    if (explain)
        cli_error("report", "survey answers read from: %s%s%s%s",
                  *cxm_report_answers_source(r)
                      ? cxm_report_answers_source(r)
                      : "none (no survey metric)",
                  *cells ? " (" : "", cells, *cells ? ")" : "");
    if (explain && *cxm_report_tickets_source(r))
        cli_error("report", "tickets read from: %s",
                  cxm_report_tickets_source(r));
    if (explain && *cxm_report_qa_source(r))
        cli_error("report", "QA scores read from: %s",
                  cxm_report_qa_source(r));
    for (size_t i = 0; i < cxm_report_n_warnings(r); i++)
        cli_error("report", "warning: %s", cxm_report_warning(r, i));
}

/* Says why the report was not made; returns the exit status. */
static int say_failure(cxm_store *st, const struct cxm_report_query *q,
                       const cxm_report *r, cxm_rc rc)
{
    if (rc == CXM_ETOOBIG)
        cli_error("report", "%s: narrow the period with --from/--to, or "
                            "break it down by a coarser time dimension",
                  cxm_report_errmsg(r));
    else if (rc == CXM_EUSAGE)
        cli_error("report", "no requested metric applies to this "
                            "breakdown");
    else if (rc == CXM_ENOTFOUND)
        cli_error("report", "no definitions version %d (see 'cxmeter "
                            "definitions history')", q->definitions);
    else if (rc == CXM_ENOZONE && !q->tz)
        cli_error("report", "a calendar's time zone is not in this "
                            "system's tz database");
    else if (rc == CXM_ENOZONE)
        cli_error("report", "unknown time zone '%s' (an IANA name such "
                            "as Asia/Jakarta)", q->tz);
    else if (rc == CXM_ESTORE || rc == CXM_EINPUT)
        cli_error("report", "store error: %s", cxm_store_errmsg(st));
    else
        cli_error("report", "%s", cxm_strerror(rc));
    return cli_exit_at(rc, CLI_REPORTING);
}

/* Prints `r` as `fmt` on stdout (main() checks the write). */
static int print_report(const cxm_report *r, cxm_format fmt)
{
    char *text = NULL;
    size_t len = 0;
    cxm_rc rc = cxm_report_format(r, fmt, &text, &len);

    if (rc) {
        cli_error("report", "%s", cxm_strerror(rc));
        return cli_exit_for(rc);
    }
    fwrite(text, 1, len, stdout);
    cxm_free(text);
    return EXIT_OK_;
}

static void say_timing(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    cli_error("report", "opened, computed and written in %.3f ms",
              (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
                  (double)(t1.tv_nsec - t0->tv_nsec) / 1e6);
}

int cmd_report(struct cli_env *env, int argc, char **argv)
{
    struct report_args a;
    cxm_report *r = NULL;
    cxm_store *st = NULL;
    struct timespec t0;
    cxm_rc rc;
    int status = parse_args(env, argc, argv, &a);

    if (status >= 0)
        return status;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    status = cli_open_store(env, "report", CXM_OPEN_READ, &st);
    if (status)
        return status;
    rc = cxm_report_run(st, &a.q, &r);
    if (r)
        say_notes(r, a.explain);
    status = rc ? say_failure(st, &a.q, r, rc) : print_report(r, a.fmt);
    if (status == EXIT_OK_ && a.timing) {
        fflush(stdout);
        say_timing(&t0);
    }
    cxm_report_free(r);
    cxm_store_close(st);
    return status;
}
