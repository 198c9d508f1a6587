/* SPDX-License-Identifier: MIT
 *
 * report_format.c — writes a report as JSON (one object, SPEC §4), CSV
 * (one line per row and metric, text fields escaped against spreadsheet
 * formulas) or an aligned table for people (percentages, durations in
 * h m, intervals, low_n marks). JSON and CSV numbers are written with a
 * '.' whatever the program's locale (cxm__buf_add_num); the table, text
 * for people, writes them in the program's LC_NUMERIC.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "civil.h"
#include "report_int.h"

#define OUT_CAP ((size_t)1 << 30) /* 1 GiB: no report is that large */
#define JSON_DECIMALS 6

cxm_rc cxm_format_parse(const char *name, cxm_format *out)
{
    static const char *const names[] = {"table", "json", "csv"};

    for (size_t i = 0; i < CXM_ARRAY_LEN(names); i++) {
        if (cxm__eq_nocase(name, strlen(name), names[i])) {
            *out = (cxm_format)i;
            return CXM_OK;
        }
    }
    return CXM_ENOTFOUND;
}

/* ---- JSON ------------------------------------------------------------ */

static cxm_rc json_str(struct cxm__buf *b, const char *s)
{
    return cxm__json_str(b, s);
}

static cxm_rc json_time(struct cxm__buf *b, int64_t ms)
{
    char t[40];

    cxm_time_format(ms, t, sizeof(t));
    return json_str(b, t);
}

static cxm_rc json_num(struct cxm__buf *b, double v)
{
    return cxm__buf_add_num(b, v, JSON_DECIMALS);
}

/* ---- The fields of a figure: one description for JSON and CSV ------- */

/* Every field a figure may carry, in the order JSON writes them and CSV
 * lays out its columns. Which apply depends on the metric's shape and the
 * report (a comparison, a benchmark, a calendar), never on the data, so a
 * CSV has the same columns in every row. */
enum fid {
    F_VALUE, F_N, F_LO, F_HI, F_LOW_N, F_MEDIAN, F_P90, /* CSV's first */
    F_CURRENCY, F_BY_CURRENCY,
    F_AGENTS, F_PER_HOUR, F_HOURS,
    F_HEADCOUNT,
    F_POSITIVE, F_POSITIVE_LO, F_POSITIVE_HI,
    F_BUS_VALUE, F_BUS_MEDIAN, F_BUS_P90, F_BUS_N,
    F_PREV_VALUE, F_PREV_N, F_CHANGE, F_P_VALUE, F_SIGNIFICANT,
    F_BENCH_LABEL, F_BENCH_VALUE, F_BENCH_GAP,
    F_COUNT
};

/* JSON key (inside "previous" or "benchmark" for those groups) and CSV
 * column of each field. F_BY_CURRENCY has no column: CSV writes a line
 * per currency instead, naming it in `currency`. */
static const struct {
    const char *json, *csv;
    int group; /* 0: the figure, 1: "previous", 2: "benchmark" */
} fields[F_COUNT] = {
    [F_VALUE] = {"value", "value", 0},
    [F_N] = {"n", "n", 0},
    [F_LO] = {"lo", "lo", 0},
    [F_HI] = {"hi", "hi", 0},
    [F_LOW_N] = {"low_n", "low_n", 0},
    [F_MEDIAN] = {"median", "median", 0},
    [F_P90] = {"p90", "p90", 0},
    [F_CURRENCY] = {"currency", "currency", 0},
    [F_BY_CURRENCY] = {"by_currency", NULL, 0},
    [F_AGENTS] = {"agents", "agents", 0},
    [F_PER_HOUR] = {"per_hour", "per_hour", 0},
    [F_HOURS] = {"hours", "hours", 0},
    [F_HEADCOUNT] = {"headcount", "headcount", 0},
    [F_POSITIVE] = {"positive", "positive", 0},
    [F_POSITIVE_LO] = {"positive_lo", "positive_lo", 0},
    [F_POSITIVE_HI] = {"positive_hi", "positive_hi", 0},
    [F_BUS_VALUE] = {"business_value", "business_value", 0},
    [F_BUS_MEDIAN] = {"business_median", "business_median", 0},
    [F_BUS_P90] = {"business_p90", "business_p90", 0},
    [F_BUS_N] = {"business_n", "business_n", 0},
    [F_PREV_VALUE] = {"value", "previous", 1},
    [F_PREV_N] = {"n", "previous_n", 1},
    [F_CHANGE] = {"change", "change", 0},
    [F_P_VALUE] = {"p_value", "p_value", 0},
    [F_SIGNIFICANT] = {"significant", "significant", 0},
    [F_BENCH_LABEL] = {"label", "benchmark_label", 2},
    [F_BENCH_VALUE] = {"value", "benchmark", 2},
    [F_BENCH_GAP] = {"gap", "benchmark_gap", 2},
};

/* Whether field id belongs to the figures of metric m in report r. */
static bool field_applies(const cxm_report *r, cxm_metric m, enum fid id)
{
    enum cxm__shape sh = cxm__metric_shape(m);
    bool interval = sh == CXM__SHAPE_PROPORTION || sh == CXM__SHAPE_MEAN ||
                    sh == CXM__SHAPE_SCORE || sh == CXM__SHAPE_RATING ||
                    sh == CXM__SHAPE_DURATION;
    bool money = sh == CXM__SHAPE_MONEY;

    switch (id) {
    case F_VALUE:
        return true;
    case F_N:
        return sh != CXM__SHAPE_COUNT;
    case F_LO:
    case F_HI:
    case F_LOW_N:
        return interval;
    case F_MEDIAN:
    case F_P90:
        return sh == CXM__SHAPE_DURATION;
    case F_CURRENCY:
    case F_BY_CURRENCY:
        return money;
    case F_AGENTS:
    case F_PER_HOUR:
    case F_HOURS:
        return sh == CXM__SHAPE_PRODUCTIVITY;
    case F_HEADCOUNT:
        return sh == CXM__SHAPE_TURNOVER;
    case F_POSITIVE:
    case F_POSITIVE_LO:
    case F_POSITIVE_HI:
        return sh == CXM__SHAPE_RATING;
    case F_BUS_VALUE:
    case F_BUS_MEDIAN:
    case F_BUS_P90:
    case F_BUS_N:
        return sh == CXM__SHAPE_DURATION && r->defs->n_calendars > 0;
    case F_PREV_VALUE:
    case F_PREV_N:
    case F_CHANGE:
    case F_P_VALUE:
    case F_SIGNIFICANT:
        return r->has_compare;
    case F_BENCH_LABEL:
    case F_BENCH_VALUE:
    case F_BENCH_GAP:
        return r->bench_labels[m] != NULL;
    case F_COUNT:
        break;
    }
    return false;
}

/* A field's value: null, a number, an integer, a boolean or a text. */
struct fval {
    enum { V_NULL, V_NUM, V_INT, V_BOOL, V_TEXT } t;
    double num;
    int64_t i;
    const char *text;
};

static void fv_num(struct fval *v, bool has, double x)
{
    v->t = has ? V_NUM : V_NULL;
    v->num = x;
}

static void fv_int(struct fval *v, bool has, int64_t x)
{
    v->t = has ? V_INT : V_NULL;
    v->i = x;
}

/* The value of field id of figure f (metric m), f not null. */
static void field_value(cxm_metric m, const struct cxm_figure *f,
                        enum fid id, struct fval *v)
{
    bool bh = f->has_business && !f->business_is_null;
    bool prev = f->has_compare && !f->prev_is_null;

    v->t = V_NULL;
    switch (id) {
    case F_VALUE:
        if (cxm__metric_shape(m) == CXM__SHAPE_COUNT)
            fv_int(v, true, f->n); /* an integer */
        else
            fv_num(v, !f->value_is_null, f->value);
        return;
    case F_N: fv_int(v, true, f->n); return;
    case F_LO: fv_num(v, f->has_ci, f->lo); return;
    case F_HI: fv_num(v, f->has_ci, f->hi); return;
    case F_LOW_N:
        v->t = V_BOOL;
        v->i = f->low_n;
        return;
    case F_MEDIAN: fv_num(v, f->has_quantiles, f->median); return;
    case F_P90: fv_num(v, f->has_quantiles, f->p90); return;
    case F_CURRENCY:
        if (f->n_currencies == 1 && f->currencies[0].currency[0]) {
            v->t = V_TEXT;
            v->text = f->currencies[0].currency;
        }
        return;
    case F_AGENTS: fv_int(v, true, f->n_agents); return;
    case F_PER_HOUR: fv_num(v, f->has_per_hour, f->per_hour); return;
    case F_HOURS: fv_num(v, f->has_per_hour, f->hours); return;
    case F_HEADCOUNT: fv_num(v, true, f->headcount); return;
    case F_POSITIVE: fv_num(v, f->has_positive, f->positive); return;
    case F_POSITIVE_LO: fv_num(v, f->has_positive, f->positive_lo); return;
    case F_POSITIVE_HI: fv_num(v, f->has_positive, f->positive_hi); return;
    case F_BUS_VALUE: fv_num(v, bh, f->business_value); return;
    case F_BUS_MEDIAN: fv_num(v, bh, f->business_median); return;
    case F_BUS_P90: fv_num(v, bh, f->business_p90); return;
    case F_BUS_N: fv_int(v, f->has_business, f->business_n); return;
    case F_PREV_VALUE: fv_num(v, prev, f->prev_value); return;
    case F_PREV_N: fv_int(v, prev, f->prev_n); return;
    case F_CHANGE:
        fv_num(v, prev && !f->value_is_null, f->change);
        return;
    case F_P_VALUE: fv_num(v, f->has_p, f->p_value); return;
    case F_SIGNIFICANT:
        v->t = V_BOOL;
        v->i = f->significant;
        return;
    case F_BENCH_LABEL:
        v->t = V_TEXT;
        v->text = f->benchmark_label;
        return;
    case F_BENCH_VALUE: fv_num(v, f->has_benchmark, f->benchmark); return;
    case F_BENCH_GAP:
        fv_num(v, f->has_benchmark && !f->value_is_null,
               f->value - f->benchmark);
        return;
    case F_BY_CURRENCY:
    case F_COUNT:
        return;
    }
}

static cxm_rc json_value(struct cxm__buf *b, const struct fval *v)
{
    switch (v->t) {
    case V_NUM: return json_num(b, v->num);
    case V_INT: return cxm__buf_addf(b, "%lld", (long long)v->i);
    case V_BOOL: return cxm__buf_adds(b, v->i ? "true" : "false");
    case V_TEXT: return json_str(b, v->text);
    case V_NULL: break;
    }
    return cxm__buf_adds(b, "null");
}

/* {"EUR": {"value": 12.5, "n": 3}, …} */
static cxm_rc json_currencies(struct cxm__buf *b, const struct cxm_figure *f)
{
    cxm_rc rc = cxm__buf_addc(b, '{');

    for (size_t i = 0; !rc && i < f->n_currencies; i++) {
        const struct cxm_money *c = &f->currencies[i];
        rc = cxm__buf_adds(b, i ? ", " : "");
        if (!rc)
            rc = json_str(b, c->currency);
        if (!rc)
            rc = cxm__buf_adds(b, ": {\"value\": ");
        if (!rc)
            rc = json_num(b, c->value);
        if (!rc)
            rc = cxm__buf_addf(b, ", \"n\": %lld}", (long long)c->n);
    }
    return rc ? rc : cxm__buf_addc(b, '}');
}

/* A figure as one JSON value: null when it has no data (SPEC §4), with
 * or without a comparison; else an object of the fields that apply. */
static cxm_rc json_figure(const cxm_report *r, struct cxm__buf *b,
                          cxm_metric m, const struct cxm_figure *f)
{
    int open = 0; /* the group whose object is open */
    bool first = true;
    cxm_rc rc = CXM_OK;

    if (f->is_null)
        return cxm__buf_adds(b, "null");
    rc = cxm__buf_addc(b, '{');
    for (int id = 0; !rc && id < F_COUNT; id++) {
        struct fval v;
        int g = fields[id].group;
        if (!field_applies(r, m, (enum fid)id))
            continue;
        if (g != (open < 0 ? -open : open)) {
            /* Leaving a group's object, or entering one. */
            if (open > 0)
                rc = cxm__buf_addc(b, '}');
            first = first && open == 0;
            open = g;
            if (!rc && g) {
                bool none = g == 1 ? f->prev_is_null : !f->has_benchmark;
                rc = cxm__buf_addf(b, "%s\"%s\": %s", first ? "" : ", ",
                                   g == 1 ? "previous" : "benchmark",
                                   none ? "null" : "{");
                first = !none;
                if (none)
                    open = -g; /* its fields are skipped */
            }
        }
        if (rc || open < 0)
            continue;
        rc = cxm__buf_addf(b, "%s\"%s\": ", first ? "" : ", ",
                           fields[id].json);
        first = false;
        if (!rc && id == F_BY_CURRENCY) {
            rc = json_currencies(b, f);
            continue;
        }
        field_value(m, f, (enum fid)id, &v);
        if (!rc)
            rc = json_value(b, &v);
    }
    if (!rc && open > 0)
        rc = cxm__buf_addc(b, '}');
    return rc ? rc : cxm__buf_addc(b, '}');
}

static cxm_rc write_json(const cxm_report *r, struct cxm__buf *b)
{
    cxm_rc rc = cxm__buf_adds(b, "{\"from\": ");

    if (!rc)
        rc = json_time(b, r->from_ms);
    if (!rc)
        rc = cxm__buf_adds(b, ", \"to\": ");
    if (!rc)
        rc = json_time(b, r->to_ms);
    if (!rc)
        rc = cxm__buf_adds(b, ", \"tz\": ");
    if (!rc)
        rc = json_str(b, r->tz);
    if (!rc)
        rc = cxm__buf_adds(b, ",\n \"definitions\": ");
    if (!rc)
        rc = cxm__definitions_json(r->defs, b);
    if (!rc && r->has_compare) {
        rc = cxm__buf_adds(b, ",\n \"compare\": {\"from\": ");
        if (!rc)
            rc = json_time(b, r->prev_from_ms);
        if (!rc)
            rc = cxm__buf_adds(b, ", \"to\": ");
        if (!rc)
            rc = json_time(b, r->prev_to_ms);
        if (!rc)
            rc = cxm__buf_addc(b, '}');
    }
    if (!rc)
        rc = cxm__buf_adds(b, ",\n \"by\": [");
    for (size_t k = 0; !rc && k < r->n_by; k++) {
        if (k)
            rc = cxm__buf_adds(b, ", ");
        if (!rc)
            rc = json_str(b, cxm_dim_name(r->by[k]));
    }
    if (!rc)
        rc = cxm__buf_adds(b, "],\n \"rows\": [");
    for (size_t i = 0; !rc && i < r->n_rows; i++) {
        bool first = true;
        rc = cxm__buf_adds(b, i ? ",\n   {" : "\n   {");
        for (size_t k = 0; !rc && k < r->n_by; k++) {
            rc = cxm__buf_adds(b, first ? "" : ", ");
            first = false;
            if (!rc)
                rc = json_str(b, cxm_dim_name(r->by[k]));
            if (!rc)
                rc = cxm__buf_adds(b, ": ");
            if (!rc)
                rc = json_str(b, r->dims[i * r->n_by + k]);
        }
        for (size_t j = 0; !rc && j < r->n_metrics; j++) {
            rc = cxm__buf_adds(b, first ? "" : ",\n    ");
            first = false;
            if (!rc)
                rc = json_str(b, cxm_metric_name(r->metrics[j]));
            if (!rc)
                rc = cxm__buf_adds(b, ": ");
            if (!rc)
                rc = json_figure(r, b, r->metrics[j],
                                 &r->figures[i * r->n_metrics + j]);
        }
        if (!rc)
            rc = cxm__buf_addc(b, '}');
    }
    if (!rc)
        rc = cxm__buf_adds(b, r->n_rows ? "\n ]}\n" : "]}\n");
    return rc;
}

/* ---- CSV ------------------------------------------------------------- */

/* RFC 4180 quoting, and a leading ' on text a spreadsheet would take for a
 * formula (=, +, -, @, tab, CR). */
static cxm_rc csv_text(struct cxm__buf *b, const char *s)
{
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' ||
                   s[0] == '@' || s[0] == '\t' || s[0] == '\r';
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    cxm_rc rc = CXM_OK;

    if (quote)
        rc = cxm__buf_addc(b, '"');
    if (!rc && formula)
        rc = cxm__buf_addc(b, '\'');
    for (; !rc && *s; s++) {
        rc = cxm__buf_addc(b, *s);
        if (!rc && *s == '"')
            rc = cxm__buf_addc(b, '"');
    }
    if (!rc && quote)
        rc = cxm__buf_addc(b, '"');
    return rc;
}

cxm_rc cxm__csv_text(struct cxm__buf *b, const char *s)
{
    return csv_text(b, s);
}

/* The fields of figures of metric m that are CSV columns. */
static bool csv_column(const cxm_report *r, cxm_metric m, enum fid id)
{
    return fields[id].csv && field_applies(r, m, id);
}

static cxm_rc csv_value(struct cxm__buf *b, const struct fval *v)
{
    switch (v->t) {
    case V_NUM: return cxm__buf_add_num(b, v->num, JSON_DECIMALS);
    case V_INT: return cxm__buf_addf(b, "%lld", (long long)v->i);
    case V_BOOL: return cxm__buf_adds(b, v->i ? "true" : "false");
    case V_TEXT: return csv_text(b, v->text);
    case V_NULL: break;
    }
    return CXM_OK;
}

/* One line of row i, metric j; with `money`, the line of that currency
 * (value and n are its own). */
static cxm_rc csv_line(const cxm_report *r, size_t i, size_t j,
                       const bool *cols, const struct cxm_money *money,
                       struct cxm__buf *b)
{
    const struct cxm_figure *f = &r->figures[i * r->n_metrics + j];
    cxm_metric m = r->metrics[j];
    cxm_rc rc = CXM_OK;

    for (size_t k = 0; !rc && k < r->n_by; k++) {
        rc = csv_text(b, r->dims[i * r->n_by + k]);
        if (!rc)
            rc = cxm__buf_addc(b, ',');
    }
    if (!rc)
        rc = cxm__buf_adds(b, cxm_metric_name(m));
    for (int id = 0; !rc && id < F_COUNT; id++) {
        struct fval v;
        if (!cols[id])
            continue;
        rc = cxm__buf_addc(b, ',');
        if (rc || f->is_null || !csv_column(r, m, (enum fid)id))
            continue;
        field_value(m, f, (enum fid)id, &v);
        if (money && id == F_VALUE)
            fv_num(&v, true, money->value);
        else if (money && id == F_N)
            fv_int(&v, true, money->n);
        else if (money && id == F_CURRENCY) {
            v.t = V_TEXT;
            v.text = money->currency;
        }
        rc = csv_value(b, &v);
    }
    return rc ? rc : cxm__buf_addc(b, '\n');
}

/* CSV: one line per row and metric (per row, metric and currency for
 * amounts of money), the columns the fields of every metric of the
 * report, in the order of `fields` (value,n,lo,hi,low_n,median,p90
 * always first). */
static cxm_rc write_csv(const cxm_report *r, struct cxm__buf *b)
{
    bool cols[F_COUNT] = {false};
    cxm_rc rc = CXM_OK;

    /* Definitions other than SPEC §2's are named in a comment line; at
     * version 1 the CSV stays one header and one line per figure. */
    if (r->defs->version != 1)
        rc = cxm__buf_addf(b, "# definitions version %d\n",
                           r->defs->version);
    for (int id = 0; id < F_COUNT; id++) {
        cols[id] = id <= F_P90;
        for (size_t j = 0; !cols[id] && j < r->n_metrics; j++)
            cols[id] = csv_column(r, r->metrics[j], (enum fid)id);
    }
    for (size_t k = 0; !rc && k < r->n_by; k++) {
        rc = cxm__buf_adds(b, cxm_dim_name(r->by[k]));
        if (!rc)
            rc = cxm__buf_addc(b, ',');
    }
    if (!rc)
        rc = cxm__buf_adds(b, "metric");
    for (int id = 0; !rc && id < F_COUNT; id++) {
        if (cols[id])
            rc = cxm__buf_addf(b, ",%s", fields[id].csv);
    }
    if (!rc)
        rc = cxm__buf_addc(b, '\n');
    for (size_t i = 0; !rc && i < r->n_rows; i++) {
        for (size_t j = 0; !rc && j < r->n_metrics; j++) {
            const struct cxm_figure *f = &r->figures[i * r->n_metrics + j];
            if (f->is_null || f->n_currencies <= 1) {
                rc = csv_line(r, i, j, cols, NULL, b);
                continue;
            }
            for (size_t c = 0; !rc && c < f->n_currencies; c++)
                rc = csv_line(r, i, j, cols, &f->currencies[c], b);
        }
    }
    return rc;
}

/* ---- Table ----------------------------------------------------------- */

/* Copies s into dst (cap bytes, cut at a character) with control
 * characters, C0, DEL and C1 (ANSI escapes among them), written as
 * \xNN or \u00NN: a value in a table cannot move the cursor, clear the
 * screen or change its colours. */
static void escape(const char *s, char *dst, size_t cap)
{
    size_t o = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        char tmp[8];
        size_t used, n = cxm__escape_at(p, tmp, &used);
        if (o + n >= cap)
            break;
        memcpy(dst + o, tmp, n);
        o += n;
        p += used;
    }
    if (cap)
        dst[o] = '\0';
}

/* "2h 05m", "45m 10s", "38s", "3d 4h". */
static void fmt_duration(double s, char *dst, size_t cap)
{
    long long t = (long long)llround(s);

    if (t < 60)
        snprintf(dst, cap, "%llds", t);
    else if (t < 3600)
        snprintf(dst, cap, "%lldm %02llds", t / 60, t % 60);
    else if (t < CXM__S_PER_DAY)
        snprintf(dst, cap, "%lldh %02lldm", t / 3600, t % 3600 / 60);
    else
        snprintf(dst, cap, "%lldd %02lldh", t / CXM__S_PER_DAY,
                 t % CXM__S_PER_DAY / 3600);
}

/* Writes one number with one decimal into dst ("72.0"). */
static void fmt1(double v, char *dst, size_t cap)
{
    snprintf(dst, cap, "%.1f", fabs(v) < 0.05 ? 0.0 : v);
}

/* The value and detail columns of one table cell. */
static void table_cell(cxm_metric m, const struct cxm_figure *f,
                       char *value, char *detail, size_t cap)
{
    char a[32], b[32], c[32];
    const char *unit = "";

    detail[0] = '\0';
    if (f->is_null) {
        snprintf(value, cap, "-");
        return;
    }
    switch (cxm__metric_shape(m)) {
    case CXM__SHAPE_COUNT:
        snprintf(value, cap, "%lld", (long long)f->n);
        return;
    case CXM__SHAPE_DURATION: {
        size_t len;
        fmt_duration(f->value, a, sizeof(a));
        snprintf(value, cap, "%s", a);
        if (f->has_ci) {
            /* The t interval of the mean, as for every other mean. */
            fmt_duration(f->lo, a, sizeof(a));
            fmt_duration(f->hi, b, sizeof(b));
            snprintf(detail, cap, "(%s - %s)  ", a, b);
        }
        fmt_duration(f->median, b, sizeof(b));
        fmt_duration(f->p90, c, sizeof(c));
        len = strlen(detail);
        snprintf(detail + len, cap - len, "median %s, p90 %s  n=%lld%s", b,
                 c, (long long)f->n, f->low_n ? "  low n" : "");
        if (f->has_business && !f->business_is_null) {
            len = strlen(detail);
            fmt_duration(f->business_value, a, sizeof(a));
            fmt_duration(f->business_median, b, sizeof(b));
            snprintf(detail + len, cap - len,
                     "  | business %s, median %s  n=%lld", a, b,
                     (long long)f->business_n);
        }
        return;
    }
    case CXM__SHAPE_RATE:
    case CXM__SHAPE_MONEY:
        snprintf(value, cap, "%.1f", f->value);
        snprintf(detail, cap, "n=%lld", (long long)f->n);
        if (f->n_currencies == 1 && f->currencies[0].currency[0]) {
            escape(f->currencies[0].currency, a, sizeof(a));
            snprintf(value, cap, "%.1f %s", f->value, a);
        } else if (f->n_currencies > 1) {
            /* Never added across currencies (SPEC §2). */
            size_t len;
            snprintf(value, cap, "%zu currencies", f->n_currencies);
            detail[0] = '\0';
            for (size_t i = 0; i < f->n_currencies; i++) {
                const struct cxm_money *mo = &f->currencies[i];
                escape(*mo->currency ? mo->currency : "(none)", a,
                       sizeof(a));
                len = strlen(detail);
                snprintf(detail + len, cap - len, "%s%s %.1f n=%lld",
                         i ? ", " : "", a, mo->value, (long long)mo->n);
            }
        }
        return;
    case CXM__SHAPE_PRODUCTIVITY:
        fmt1(f->value, a, sizeof(a));
        snprintf(value, cap, "%s", f->value_is_null ? "-" : a);
        if (f->has_per_hour)
            snprintf(detail, cap, "per agent; %.2f per hour  n=%lld "
                                  "agents=%lld", f->per_hour,
                     (long long)f->n, (long long)f->n_agents);
        else
            snprintf(detail, cap, "per agent  n=%lld agents=%lld",
                     (long long)f->n, (long long)f->n_agents);
        return;
    case CXM__SHAPE_TURNOVER:
        fmt1(f->value, a, sizeof(a));
        snprintf(value, cap, "%s %%", a);
        snprintf(detail, cap, "left=%lld  mean headcount %.1f",
                 (long long)f->n, f->headcount);
        return;
    case CXM__SHAPE_PROPORTION:
        unit = " %";
        break;
    case CXM__SHAPE_SCORE:
    case CXM__SHAPE_MEAN:
    case CXM__SHAPE_RATING:
        break;
    }
    fmt1(f->value, a, sizeof(a));
    if (cxm__metric_shape(m) == CXM__SHAPE_SCORE && f->value > 0.05)
        snprintf(value, cap, "+%s%s", a, unit);
    else
        snprintf(value, cap, "%s%s", a, unit);
    if (f->has_ci) {
        fmt1(f->lo, b, sizeof(b));
        fmt1(f->hi, c, sizeof(c));
        snprintf(detail, cap, "%s - %s  n=%lld%s", b, c, (long long)f->n,
                 f->low_n ? "  low n" : "");
    } else {
        snprintf(detail, cap, "n=%lld%s", (long long)f->n,
                 f->low_n ? "  low n" : "");
    }
    if (f->has_positive) {
        size_t len = strlen(detail);
        snprintf(detail + len, cap - len, "  %.1f %% 4-5 stars",
                 f->positive);
    }
}

/* The comparison and benchmark columns of a cell. */
static void table_extras(cxm_metric m, const struct cxm_figure *f,
                         char *dst, size_t cap)
{
    char a[32], b[32];
    size_t len;

    dst[0] = '\0';
    if (f->has_compare && cxm__metric_shape(m) == CXM__SHAPE_DURATION &&
        !f->prev_is_null && !f->is_null) {
        char p[32] = "";
        fmt_duration(f->prev_value, a, sizeof(a));
        fmt_duration(fabs(f->change), b, sizeof(b));
        /* No test without two durations a side: no p, as in JSON. */
        if (f->has_p)
            snprintf(p, sizeof(p), " (p=%.3f)", f->p_value);
        snprintf(dst, cap, "  | prev %s, %s%s%s%s", a,
                 f->change < 0 ? "-" : "+", b, p,
                 f->significant ? " *" : "");
    } else if (f->has_compare) {
        if (f->prev_is_null || f->is_null)
            snprintf(dst, cap, "  | prev -");
        else if (f->has_p)
            snprintf(dst, cap, "  | prev %.1f, %+.1f (p=%.3f)%s",
                     f->prev_value, f->change, f->p_value,
                     f->significant ? " *" : "");
        else
            snprintf(dst, cap, "  | prev %.1f, %+.1f", f->prev_value,
                     f->change);
    }
    if (f->has_benchmark && !f->is_null && !f->value_is_null) {
        char label[128];
        escape(f->benchmark_label, label, sizeof(label));
        len = strlen(dst);
        snprintf(dst + len, cap - len, "  | %s %.1f: %+.1f", label,
                 f->benchmark, f->value - f->benchmark);
    }
}

/* Display width of a UTF-8 string (code points; good enough for the
 * labels and numbers in a table). */
static size_t width(const char *s)
{
    size_t w = 0;

    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static cxm_rc pad_to(struct cxm__buf *b, const char *s, size_t w)
{
    cxm_rc rc = cxm__buf_adds(b, s);
    size_t have = width(s);

    if (!rc && have < w)
        rc = cxm__buf_pad(b, w - have);
    return rc;
}

/* Appends s to b escaped as escape() does, padded to display width w. */
static cxm_rc pad_escaped(struct cxm__buf *b, const char *s, size_t w)
{
    char chunk[256];
    size_t have = 0, n = strlen(s);
    cxm_rc rc = CXM_OK;

    /* In pieces that end on a character, so none is split. */
    while (!rc && n) {
        size_t take = n < 48 ? n : 48;
        char piece[64];
        while (take < n && ((unsigned char)s[take] & 0xC0) == 0x80)
            take++;
        if (take < n && (unsigned char)s[take - 1] == 0xc2)
            take++; /* keep a C1 pair whole */
        memcpy(piece, s, take);
        piece[take] = '\0';
        escape(piece, chunk, sizeof(chunk));
        rc = cxm__buf_adds(b, chunk);
        have += width(chunk);
        s += take;
        n -= take;
    }
    if (!rc && have < w)
        rc = cxm__buf_pad(b, w - have);
    return rc;
}

/* The display width of s escaped. */
static size_t escaped_width(const char *s)
{
    size_t w = width(s);

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            w += 3;
        else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            w += 5;
    }
    return w;
}

static cxm_rc write_table(const cxm_report *r, struct cxm__buf *b)
{
    size_t wdim[CXM_REPORT_MAX_BY], wmetric = 6, wvalue = 5;
    char from[40], to[40], value[128], detail[256], extras[256];
    cxm_rc rc;

    cxm_time_format(r->from_ms, from, sizeof(from));
    cxm_time_format(r->to_ms, to, sizeof(to));
    rc = cxm__buf_addf(b, "cxmeter report  %s .. %s  (%s)  definitions "
                          "version %d%s\n\n",
                       from, to, r->tz, r->defs->version,
                       r->defs->version == 1 ? " (SPEC defaults)" : "");
    if (rc)
        return rc;
    if (r->n_rows == 0 || r->n_metrics == 0)
        return cxm__buf_adds(b, "no data in this period\n");
    for (size_t k = 0; k < r->n_by; k++) {
        wdim[k] = width(cxm_dim_name(r->by[k]));
        for (size_t i = 0; i < r->n_rows; i++) {
            size_t w = escaped_width(r->dims[i * r->n_by + k]);
            if (w > wdim[k])
                wdim[k] = w;
        }
        if (wdim[k] > 40)
            wdim[k] = 40;
    }
    for (size_t j = 0; j < r->n_metrics; j++) {
        size_t w = strlen(cxm_metric_name(r->metrics[j]));
        if (w > wmetric)
            wmetric = w;
        for (size_t i = 0; i < r->n_rows; i++) {
            table_cell(r->metrics[j], &r->figures[i * r->n_metrics + j],
                       value, detail, sizeof(value));
            if (strlen(value) > wvalue)
                wvalue = strlen(value);
        }
    }
    for (size_t k = 0; !rc && k < r->n_by; k++) {
        rc = pad_to(b, cxm_dim_name(r->by[k]), wdim[k] + 2);
    }
    if (!rc)
        rc = pad_to(b, "metric", wmetric + 2);
    if (!rc)
        rc = cxm__buf_pad(b, wvalue > 5 ? wvalue - 5 : 0);
    if (!rc)
        rc = cxm__buf_adds(b, "value  95 % interval\n");
    for (size_t i = 0; !rc && i < r->n_rows; i++) {
        for (size_t j = 0; !rc && j < r->n_metrics; j++) {
            for (size_t k = 0; !rc && k < r->n_by; k++) {
                const char *l = r->dims[i * r->n_by + k];
                if (j > 0)
                    rc = cxm__buf_pad(b, wdim[k] + 2);
                else
                    rc = pad_escaped(b, *l ? l : "(none)", wdim[k] + 2);
            }
            table_cell(r->metrics[j], &r->figures[i * r->n_metrics + j],
                       value, detail, sizeof(value));
            if (!rc)
                rc = pad_to(b, cxm_metric_name(r->metrics[j]), wmetric + 2);
            if (!rc)
                rc = cxm__buf_pad(b, wvalue - strlen(value));
            if (!rc)
                rc = cxm__buf_adds(b, value);
            table_extras(r->metrics[j], &r->figures[i * r->n_metrics + j], extras,
                         sizeof(extras));
            if (!rc && detail[0])
                rc = cxm__buf_addf(b, "  %s", detail);
            if (!rc && extras[0])
                rc = cxm__buf_adds(b, extras);
            if (!rc)
                rc = cxm__buf_addc(b, '\n');
        }
    }
    if (!rc && r->has_compare)
        rc = cxm__buf_adds(b, "\n| prev: the previous period; p: two-sided "
                              "p-value of the change; * p < 0.05 on 30 or "
                              "more answers\n");
    return rc;
}

cxm_rc cxm_report_format(const cxm_report *r, cxm_format fmt, char **out,
                         size_t *out_len)
{
    struct cxm__buf b = CXM__BUF_INIT(OUT_CAP);
    cxm_rc rc;

    switch (fmt) {
    case CXM_FORMAT_JSON:
        rc = write_json(r, &b);
        break;
    case CXM_FORMAT_CSV:
        rc = write_csv(r, &b);
        break;
    case CXM_FORMAT_TABLE:
        rc = write_table(r, &b);
        break;
    default:
        return CXM_EINVAL;
    }
    if (rc) {
        cxm__buf_release(&b);
        return rc;
    }
    *out = cxm__buf_take(&b, out_len);
    return CXM_OK;
}
