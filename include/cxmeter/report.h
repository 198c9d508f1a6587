/* SPDX-License-Identifier: MIT
 *
 * report.h — building a report (metrics × breakdown over a period) from a
 * store and writing it as a table, JSON or CSV in the shape of SPEC §4.
 */
#ifndef CXMETER_REPORT_H
#define CXMETER_REPORT_H

#include <stdbool.h>

#include "cxmeter/base.h"
#include "cxmeter/metrics.h"
#include "cxmeter/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Breakdown dimensions of SPEC §2. */
#define CXM_DIM_MAP(X)                                                     \
    X(DAY, "day")                                                          \
    X(WEEK, "week")                                                        \
    X(MONTH, "month")                                                      \
    X(QUARTER, "quarter")                                                  \
    X(YEAR, "year")                                                        \
    X(AGENT, "agent")                                                      \
    X(TEAM, "team")                                                        \
    X(CHANNEL, "channel")                                                  \
    X(LANGUAGE, "language")                                                \
    X(TOPIC, "topic")                                                      \
    X(SURVEY, "survey")                                                    \
    X(SEGMENT, "segment")                                                  \
    X(SOURCE, "source")

typedef enum cxm_dim {
#define CXM__DIM_ENUM(id, name) CXM_BY_##id,
    CXM_DIM_MAP(CXM__DIM_ENUM)
#undef CXM__DIM_ENUM
    CXM_BY_COUNT
} cxm_dim;

/** Sets *out to the dimension called `name`. CXM_OK or CXM_ENOTFOUND. */
CXM_API CXM_MUST_USE cxm_rc cxm_dim_parse(const char *name, cxm_dim *out);

/** The name of `d`. Static; "" for a bad value. */
CXM_API const char *cxm_dim_name(cxm_dim d);

/** Parses a comma-separated list of dimension names ("month,channel")
 *  into out[0..*n), at most `cap`, as cxm_metric_parse_list() does. */
CXM_API CXM_MUST_USE cxm_rc cxm_dim_parse_list(const char *list,
                                               cxm_dim *out, size_t cap,
                                               size_t *n,
                                               struct cxm_list_error *err);

#define CXM_REPORT_MAX_BY 6 /* dimensions crossed at most */

/** What to report. Zero-initialise, set `size` to sizeof(struct
 *  cxm_report_query). With n_metrics == 0 the report holds every metric
 *  that has data and applies to the breakdown. */
/** How a report may read survey answers: the fastest that can serve it
 *  (rollups, then column segments, then rows), or a slower one — the
 *  figures are the same; the choice is for cross-checks and benchmarks. */
typedef enum cxm_read {
    CXM_READ_AUTO,    /* rollups, else columns, else rows */
    CXM_READ_COLUMNS, /* column segments, else rows */
    CXM_READ_ROWS     /* the joined rows */
} cxm_read;

/** An equality filter of a report (struct cxm_report_query, where). */
struct cxm_report_where {
    cxm_dim dim;
    const char *value;
};

struct cxm_report_query {
    size_t size;
    const cxm_metric *metrics; /* borrowed for the call */
    size_t n_metrics;
    const cxm_dim *by; /* borrowed for the call; at most CXM_REPORT_MAX_BY */
    size_t n_by;
    bool has_from, has_to; /* else: the data's own range (SPEC §2) */
    int64_t from_ms;       /* inclusive */
    int64_t to_ms;         /* exclusive */
    const char *tz;        /* IANA zone of the time buckets; NULL = UTC.
                              A zone the system tz database lacks:
                              CXM_ENOZONE */
    bool compare;          /* also the previous period (--compare) */
    cxm_read read;         /* how survey answers may be read (--read) */
    int definitions;       /* the definitions version computed with
                              (cxmeter/definitions.h); 0 = the current.
                              A version not stored: CXM_ENOTFOUND */
    /* Only the rows whose label of where[i].dim is where[i].value: the
     * unfiltered report's matching rows, figures byte for byte, read
     * without the others where the store can (the dashboard's view
     * filters). Each dimension once, in `by`, not a time dimension;
     * else CXM_EINVAL. With n_metrics == 0: the metrics that have data
     * in the rows kept. Borrowed for the call. */
    const struct cxm_report_where *where;
    size_t n_where;
};

typedef struct cxm_report cxm_report;

/** Computes the report `q` asks of `st` and sets *out.
 *  Returns CXM_OK; CXM_EINVAL for a malformed query (from >= to, a
 *  dimension twice, too many dimensions); CXM_ETOOBIG when the period
 *  holds more time buckets, or the breakdown more rows, than a report
 *  builds (the report is still set, with its message,
 *  cxm_report_errmsg(), and its warnings); CXM_EUSAGE when no requested
 *  metric applies to the breakdown (the report is still set, with its
 *  warnings, for the caller to show); CXM_ENOZONE for a time zone (of
 *  q->tz or of a calendar of the definitions) the system tz database
 *  lacks; CXM_ESTORE; CXM_ENOMEM.
 *  The caller frees the result with cxm_report_free(). */
CXM_API CXM_MUST_USE cxm_rc cxm_report_run(cxm_store *st,
                                           const struct cxm_report_query *q,
                                           cxm_report **out);

/** Why cxm_report_run() refused with CXM_ETOOBIG: the report would build
 *  more time buckets or rows than its limits (docs/report-semantics.md,
 *  "Limits"); "" otherwise. Borrowed; valid until cxm_report_free(). */
CXM_API const char *cxm_report_errmsg(const cxm_report *r);

/** Frees a report. NULL-safe. */
CXM_API void cxm_report_free(cxm_report *r);

/** Warnings the report collected (a metric that does not apply to a
 *  dimension, …). Borrowed; valid until cxm_report_free(). */
CXM_API size_t cxm_report_n_warnings(const cxm_report *r);
CXM_API const char *cxm_report_warning(const cxm_report *r, size_t i);

/** Accessors for embedding programs. Borrowed; valid until
 *  cxm_report_free(). */
/** How the report's survey answers were read: "rollups" (rollups by
 *  day, month, year or over all time), "columns" (the column segments, on both cores),
 *  "rows" (joined rows), "postgresql push-down" (grouped by the
 *  PostgreSQL server: score histograms per group), or "" when no survey metric was computed
 *  (docs/performance.md). */
CXM_API const char *cxm_report_answers_source(const cxm_report *r);
/** Which rollup cells a report read from "rollups": "days", "months",
 *  "years", "years and months", "all time" (src/store/sqlite/sql/0007-rollup-years.sql)
 *  or "mixed" (a comparison period read others); "" for the other
 *  sources. */
CXM_API const char *cxm_report_rollup_cells(const cxm_report *r);
/** Where the ticket figures were read from: "ticket cells" (the engine's
 *  per-day statistics of tickets, with the rows of a period's ends inside
 *  a day), "postgresql push-down" (grouped by the PostgreSQL server: counts
 *  and durations per group and time segment), "rows", or "" when the
 *  report computed none (--explain). */
CXM_API const char *cxm_report_tickets_source(const cxm_report *r);
/** Where the QA scores were read from: "QA cells" or "rows"; "" when
 *  qa_score was not asked for. Static; for --explain. */
CXM_API const char *cxm_report_qa_source(const cxm_report *r);

CXM_API size_t cxm_report_n_rows(const cxm_report *r);
CXM_API size_t cxm_report_n_metrics(const cxm_report *r);
CXM_API cxm_metric cxm_report_metric(const cxm_report *r, size_t j);
CXM_API const char *cxm_report_dim_value(const cxm_report *r, size_t row,
                                         size_t k);
/** Copies the figure of metric j in row `row` into *out, whose `size` the
 *  caller has set (struct cxm_figure, CXM_FIGURE_INIT). Its pointers are
 *  borrowed; valid until cxm_report_free(). Returns CXM_OK; CXM_EINVAL
 *  for a row or metric out of range or a `size` smaller than the first
 *  struct cxm_figure's (*out untouched). */
CXM_API CXM_MUST_USE cxm_rc cxm_report_figure(const cxm_report *r,
                                              size_t row, size_t j,
                                              struct cxm_figure *out);

typedef enum cxm_format {
    CXM_FORMAT_TABLE,
    CXM_FORMAT_JSON,
    CXM_FORMAT_CSV
} cxm_format;

/** Sets *out to `fmt`'s name for `name` ("table", "json", "csv").
 *  CXM_OK or CXM_ENOTFOUND. */
CXM_API CXM_MUST_USE cxm_rc cxm_format_parse(const char *name,
                                             cxm_format *out);

/** Writes `r` as `fmt` into a new NUL-terminated string *out of *out_len
 *  bytes. JSON is one object shaped as SPEC §4; CSV is one line per row and
 *  metric, text fields escaped against spreadsheet formulas; the table is
 *  for people. Returns CXM_OK or CXM_ENOMEM. The caller frees *out with
 *  cxm_free(). */
CXM_API CXM_MUST_USE cxm_rc cxm_report_format(const cxm_report *r,
                                              cxm_format fmt, char **out,
                                              size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_REPORT_H */
