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
    OPT_DEFINITIONS
};

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},     {"db", true, OPT_DB},
    {"metrics", true, OPT_METRICS}, {"by", true, OPT_BY},
    {"from", true, OPT_FROM},      {"to", true, OPT_TO},
    {"tz", true, OPT_TZ},          {"format", true, OPT_FORMAT},
    {"compare", true, OPT_COMPARE},
    {"read", true, OPT_READ},
    {"explain", false, OPT_EXPLAIN},
    {"timing", false, OPT_TIMING},
    {"definitions", true, OPT_DEFINITIONS},
    {NULL, false, 0},
};

/* Splits a comma-separated list and parses each name with `parse`
 * (cxm_metric_parse or cxm_dim_parse, both of the shape
 * cxm_rc f(const char *, int-enum *)). Returns false after printing. */
static bool parse_metrics(const char *list, cxm_metric *out, size_t cap,
                          size_t *n)
{
    char name[64];
    const char *p = list;

    *n = 0;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        cxm_metric m;
        if (len == 0 || len >= sizeof(name)) {
            cli_error("report", "bad --metrics list '%s'", list);
            return false;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        if (cxm_metric_parse(name, &m)) {
            cli_error("report", "unknown metric '%s' (see --help)", name);
            return false;
        }
        for (size_t i = 0; i < *n; i++) {
            if (out[i] == m) {
                cli_error("report", "metric '%s' named twice", name);
                return false;
            }
        }
        if (*n == cap) {
            cli_error("report", "too many metrics");
            return false;
        }
        out[(*n)++] = m;
        p += len;
        if (*p == ',')
            p++;
    }
    return true;
}

static bool parse_dims(const char *list, cxm_dim *out, size_t cap,
                       size_t *n)
{
    char name[64];
    const char *p = list;

    *n = 0;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        cxm_dim d;
        if (len == 0 || len >= sizeof(name)) {
            cli_error("report", "bad --by list '%s'", list);
            return false;
        }
        memcpy(name, p, len);
        name[len] = '\0';
        if (cxm_dim_parse(name, &d)) {
            cli_error("report", "unknown breakdown '%s' (see --help)", name);
            return false;
        }
        for (size_t i = 0; i < *n; i++) {
            if (out[i] == d) {
                cli_error("report", "breakdown '%s' named twice", name);
                return false;
            }
        }
        if (*n == cap) {
            cli_error("report", "at most %zu breakdown dimensions", cap);
            return false;
        }
        out[(*n)++] = d;
        p += len;
        if (*p == ',')
            p++;
    }
    return true;
}

int cmd_report(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    struct cxm_report_query q;
    cxm_metric metrics[CXM_METRIC_COUNT];
    cxm_dim by[CXM_REPORT_MAX_BY];
    cxm_format fmt = CXM_FORMAT_TABLE;
    cxm_report *r = NULL;
    cxm_store *st = NULL;
    char *err = NULL, *text = NULL;
    size_t text_len = 0;
    cxm_rc rc;
    int id, status = EXIT_USAGE;
    bool explain = false, timing = false;
    struct timespec t0;

    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.metrics = metrics;
    q.by = by;
    cli_opts_init(&o, "report", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        switch (id) {
        case OPT_HELP:
            cli_help("report");
            status = EXIT_OK_;
            goto out;
        case OPT_DB:
            env->db = o.arg;
            break;
        case OPT_METRICS:
            if (!parse_metrics(o.arg, metrics, CXM_METRIC_COUNT,
                               &q.n_metrics))
                goto out;
            break;
        case OPT_BY:
            if (!parse_dims(o.arg, by, CXM_REPORT_MAX_BY, &q.n_by))
                goto out;
            break;
        case OPT_FROM:
            if (!cli_parse_time(o.arg, &q.from_ms)) {
                cli_error("report", "--from: not a date or timestamp: '%s'",
                          o.arg);
                goto out;
            }
            q.has_from = true;
            break;
        case OPT_TO:
            if (!cli_parse_time(o.arg, &q.to_ms)) {
                cli_error("report", "--to: not a date or timestamp: '%s'",
                          o.arg);
                goto out;
            }
            q.has_to = true;
            break;
        case OPT_TZ:
            q.tz = o.arg;
            break;
        case OPT_COMPARE:
            if (strcmp(o.arg, "previous") != 0) {
                cli_error("report", "--compare: only 'previous' is known, "
                                    "not '%s'", o.arg);
                goto out;
            }
            q.compare = true;
            break;
        case OPT_READ:
            if (strcmp(o.arg, "auto") == 0)
                q.read = CXM_READ_AUTO;
            else if (strcmp(o.arg, "columns") == 0)
                q.read = CXM_READ_COLUMNS;
            else if (strcmp(o.arg, "rows") == 0)
                q.read = CXM_READ_ROWS;
            else {
                cli_error("report", "--read: auto, columns or rows, not "
                                    "'%s'", o.arg);
                goto out;
            }
            break;
        case OPT_EXPLAIN:
            explain = true;
            break;
        case OPT_TIMING:
            timing = true;
            break;
        case OPT_DEFINITIONS: {
            char *end;
            long v;
            errno = 0;
            v = strtol(o.arg, &end, 10);
            if (errno || *end || end == o.arg || v < 1 || v > 1000000000) {
                cli_error("report", "--definitions: not a version number: "
                                    "'%s'", o.arg);
                goto out;
            }
            q.definitions = (int)v;
            break;
        }
        case OPT_FORMAT:
            if (cxm_format_parse(o.arg, &fmt)) {
                cli_error("report", "unknown format '%s' (table, json, csv)",
                          o.arg);
                goto out;
            }
            break;
        }
    }
    if (id < 0)
        goto out;
    if (o.n_pos > 0) {
        cli_error("report", "unexpected argument '%s' (try --help)",
                  o.pos[0]);
        goto out;
    }
    if (q.has_from && q.has_to && q.from_ms >= q.to_ms) {
        cli_error("report", "--from must be before --to");
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    status = cli_open_store(env, "report", CXM_OPEN_READ, &st);
    if (status)
        goto out;
    status = EXIT_USAGE;
    rc = cxm_report_run(st, &q, &r);
    if (r && explain)
        cli_error("report", "survey answers read from: %s%s%s%s",
                  *cxm_report_answers_source(r)
                      ? cxm_report_answers_source(r)
                      : "none (no survey metric)",
                  *cxm_report_rollup_cells(r) ? " (" : "",
                  cxm_report_rollup_cells(r),
                  *cxm_report_rollup_cells(r) ? ")" : "");
    if (r) {
        for (size_t i = 0; i < cxm_report_n_warnings(r); i++)
            cli_error("report", "warning: %s", cxm_report_warning(r, i));
    }
    if (rc == CXM_ETOOBIG) {
        cli_error("report", "%s: narrow the period with --from/--to, or "
                            "break it down by a coarser time dimension",
                  cxm_report_errmsg(r));
        status = EXIT_USAGE;
        goto out;
    }
    if (rc == CXM_EUSAGE) {
        cli_error("report", "no requested metric applies to this "
                            "breakdown");
        status = EXIT_USAGE;
        goto out;
    }
    if (rc == CXM_ENOTFOUND) {
        cli_error("report", "no definitions version %d (see 'cxmeter "
                            "definitions history')", q.definitions);
        status = EXIT_INPUT;
        goto out;
    }
    if (rc == CXM_ENOTBUILT && !q.tz) {
        cli_error("report", "a calendar's time zone is not in this "
                            "system's tz database");
        status = EXIT_USAGE;
        goto out;
    }
    if (rc) {
        if (rc == CXM_ESTORE || rc == CXM_EINPUT)
            cli_error("report", "store error: %s", cxm_store_errmsg(st));
        else if (rc == CXM_ENOTBUILT)
            cli_error("report", "unknown time zone '%s' (an IANA name such "
                                "as Asia/Jakarta)",
                      q.tz ? q.tz : "");
        else
            cli_error("report", "%s", cxm_strerror(rc));
        status = cli_exit_for(rc);
        goto out;
    }
    rc = cxm_report_format(r, fmt, &text, &text_len);
    if (rc) {
        cli_error("report", "%s", cxm_strerror(rc));
        status = cli_exit_for(rc);
        goto out;
    }
    if (fwrite(text, 1, text_len, stdout) != text_len || fflush(stdout)) {
        cli_error("report", "cannot write the report");
        status = EXIT_INPUT;
        goto out;
    }
    status = EXIT_OK_;
    if (timing) {
        struct timespec t1;

        clock_gettime(CLOCK_MONOTONIC, &t1);
        cli_error("report", "opened, computed and written in %.3f ms",
                  (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    }
out:
    cxm_free(text);
    cxm_free(err);
    cxm_report_free(r);
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}
