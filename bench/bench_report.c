/* SPDX-License-Identifier: MIT
 *
 * bench_report.c — a report's cost inside a process that keeps the store
 * open, as an embedding program (or `cxmeter serve`) would: opens the
 * store once, computes and formats the same report RUNS + 1 times through
 * the public API, and prints the milliseconds of each run and the median
 * of the last RUNS (the first pays for the first reads of the store's
 * pages and the column segment file). The figure is the one to set beside
 * DuckDB's query times, which are taken in a process that has loaded its
 * table once; `cxmeter report --timing` adds opening the store and
 * `bench/run.sh`'s whole-process times add starting the program.
 * A program, not a test: it prints, it does not judge.
 *
 * Usage: bench_report DB RUNS BY READ [FROM TO]
 *   BY    comma-separated dimensions (month,channel), or "-" for none
 *   READ  auto | columns | rows
 *   FROM, TO  ISO 8601 dates, the period (default: the data's own range)
 * The metrics are csat, nps and ces; the format is JSON, as bench/run.sh
 * asks of the cxmeter program.
 */
#include <cxmeter/cxmeter.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RUNS 1000

static double now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_report DB RUNS BY READ [FROM TO]\n");
    return 2;
}

/* Parses "a,b,c" into by[]; "-" is no dimension. */
static int parse_by(const char *s, cxm_dim *by, size_t *n_by)
{
    char buf[256];
    char *save = NULL;

    *n_by = 0;
    if (strcmp(s, "-") == 0)
        return 0;
    if (strlen(s) >= sizeof(buf))
        return -1;
    strcpy(buf, s);
    for (char *t = strtok_r(buf, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        if (*n_by == CXM_REPORT_MAX_BY || cxm_dim_parse(t, &by[*n_by]))
            return -1;
        (*n_by)++;
    }
    return 0;
}

/* One report: computed, formatted, freed. Returns its milliseconds, or a
 * negative number on failure. */
static double one_run(cxm_store *st, const struct cxm_report_query *q,
                      size_t *out_len)
{
    double t0 = now_ms(), t1;
    cxm_report *r = NULL;
    char *text = NULL;
    cxm_rc rc = cxm_report_run(st, q, &r);

    if (!rc)
        rc = cxm_report_format(r, CXM_FORMAT_JSON, &text, out_len);
    t1 = now_ms();
    cxm_free(text);
    cxm_report_free(r);
    if (rc) {
        fprintf(stderr, "bench_report: %s\n", cxm_strerror(rc));
        return -1;
    }
    return t1 - t0;
}

int main(int argc, char **argv)
{
    static const cxm_metric metrics[] = {CXM_METRIC_CSAT, CXM_METRIC_NPS,
                                         CXM_METRIC_CES};
    struct cxm_report_query q;
    cxm_dim by[CXM_REPORT_MAX_BY];
    double ms[MAX_RUNS + 1], t_open;
    cxm_store *st = NULL;
    char *err = NULL;
    size_t n_by = 0, len = 0;
    long runs;

    if (argc != 5 && argc != 7)
        return usage();
    runs = strtol(argv[2], NULL, 10);
    if (runs < 1 || runs > MAX_RUNS || parse_by(argv[3], by, &n_by))
        return usage();
    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.metrics = metrics;
    q.n_metrics = sizeof(metrics) / sizeof(metrics[0]);
    q.by = by;
    q.n_by = n_by;
    if (strcmp(argv[4], "auto") == 0)
        q.read = CXM_READ_AUTO;
    else if (strcmp(argv[4], "columns") == 0)
        q.read = CXM_READ_COLUMNS;
    else if (strcmp(argv[4], "rows") == 0)
        q.read = CXM_READ_ROWS;
    else
        return usage();
    if (argc == 7) {
        if (cxm_time_parse(argv[5], strlen(argv[5]), true, &q.from_ms,
                           NULL) ||
            cxm_time_parse(argv[6], strlen(argv[6]), true, &q.to_ms, NULL))
            return usage();
        q.has_from = q.has_to = true;
    }
    t_open = now_ms();
    /* An existing store only: a typo is an error, not an empty store. */
    if (cxm_store_open_ex(argv[1], CXM_OPEN_READ, &st, &err)) {
        fprintf(stderr, "bench_report: %s\n", err ? err : "cannot open");
        cxm_free(err);
        return 1;
    }
    t_open = now_ms() - t_open;
    for (long i = 0; i <= runs; i++) {
        ms[i] = one_run(st, &q, &len);
        if (ms[i] < 0) {
            cxm_store_close(st);
            return 1;
        }
    }
    cxm_store_close(st);
    printf("open %.3f ms; first run %.3f ms;", t_open, ms[0]);
    for (long i = 1; i <= runs; i++)
        printf(" %.3f", ms[i]);
    qsort(ms + 1, (size_t)runs, sizeof(ms[0]), cmp_double);
    printf(" ms; median of %ld %.3f ms; %zu bytes of JSON\n", runs,
           runs % 2 ? ms[1 + runs / 2]
                    : (ms[runs / 2] + ms[1 + runs / 2]) / 2,
           len);
    return 0;
}
