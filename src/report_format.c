/* SPDX-License-Identifier: MIT
 *
 * report_format.c — writes a report as JSON (one object, SPEC §4), CSV
 * (one line per row and metric, text fields escaped against spreadsheet
 * formulas) or an aligned table for people (percentages, durations in
 * h m, intervals, low_n marks). Numbers are written without the locale.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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

/* Appends `, "name": v` (or null). */
static cxm_rc json_field(struct cxm__buf *b, const char *name, bool has,
                         double v)
{
    cxm_rc rc = cxm__buf_addf(b, ", \"%s\": ", name);

    if (!rc)
        rc = has ? json_num(b, v) : cxm__buf_adds(b, "null");
    return rc;
}

/* The fields every figure may add: the comparison and the benchmark. */
static cxm_rc json_extras(struct cxm__buf *b, const struct cxm_figure *f)
{
    cxm_rc rc = CXM_OK;

    if (f->has_compare) {
        if (f->prev_is_null) {
            rc = cxm__buf_adds(b, ", \"previous\": null");
        } else {
            rc = cxm__buf_adds(b, ", \"previous\": {\"value\": ");
            if (!rc)
                rc = json_num(b, f->prev_value);
            if (!rc)
                rc = cxm__buf_addf(b, ", \"n\": %lld}",
                                   (long long)f->prev_n);
        }
        if (!rc)
            rc = json_field(b, "change", !f->prev_is_null && !f->is_null,
                            f->change);
        if (!rc)
            rc = json_field(b, "p_value", f->has_p, f->p_value);
        if (!rc)
            rc = cxm__buf_addf(b, ", \"significant\": %s",
                               f->significant ? "true" : "false");
    }
    if (!rc && f->has_benchmark) {
        rc = cxm__buf_adds(b, ", \"benchmark\": {\"label\": ");
        if (!rc)
            rc = json_str(b, f->benchmark_label);
        if (!rc)
            rc = json_field(b, "value", true, f->benchmark);
        if (!rc)
            rc = json_field(b, "gap", true, f->value - f->benchmark);
        if (!rc)
            rc = cxm__buf_addc(b, '}');
    }
    return rc;
}

static cxm_rc json_figure(struct cxm__buf *b, cxm_metric m,
                          const struct cxm_figure *f)
{
    cxm_rc rc;

    if (f->is_null && !f->has_compare)
        return cxm__buf_adds(b, "null");
    rc = cxm__buf_adds(b, "{\"value\": ");
    if (!rc && f->is_null)
        rc = cxm__buf_adds(b, "null");
    else if (!rc && cxm__metric_shape(m) == CXM__SHAPE_COUNT)
        rc = cxm__buf_addf(b, "%lld", (long long)f->n); /* an integer */
    else if (!rc)
        rc = json_num(b, f->value);
    switch (cxm__metric_shape(m)) {
    case CXM__SHAPE_COUNT:
        break;
    case CXM__SHAPE_DURATION:
        if (!rc)
            rc = json_field(b, "median", !f->is_null, f->median);
        if (!rc)
            rc = json_field(b, "p90", !f->is_null, f->p90);
        if (!rc)
            rc = cxm__buf_addf(b, ", \"n\": %lld", (long long)f->n);
        if (!rc && f->has_business) {
            bool bh = !f->business_is_null;
            rc = json_field(b, "business_value", bh, f->business_value);
            if (!rc)
                rc = json_field(b, "business_median", bh, f->business_median);
            if (!rc)
                rc = json_field(b, "business_p90", bh, f->business_p90);
            if (!rc)
                rc = cxm__buf_addf(b, ", \"business_n\": %lld",
                                   (long long)f->business_n);
        }
        break;
    case CXM__SHAPE_AMOUNT:
        if (!rc)
            rc = cxm__buf_addf(b, ", \"n\": %lld", (long long)f->n);
        break;
    case CXM__SHAPE_PRODUCTIVITY:
        if (!rc)
            rc = cxm__buf_addf(b, ", \"n\": %lld, \"agents\": %lld",
                               (long long)f->n, (long long)f->n_agents);
        if (!rc)
            rc = json_field(b, "per_hour", f->has_per_hour, f->per_hour);
        if (!rc)
            rc = json_field(b, "hours", f->has_per_hour, f->hours);
        break;
    case CXM__SHAPE_TURNOVER:
        if (!rc)
            rc = cxm__buf_addf(b, ", \"n\": %lld", (long long)f->n);
        if (!rc)
            rc = json_field(b, "headcount", true, f->headcount);
        break;
    case CXM__SHAPE_PROPORTION:
    case CXM__SHAPE_MEAN:
    case CXM__SHAPE_SCORE:
    case CXM__SHAPE_RATING:
        if (!rc)
            rc = cxm__buf_addf(b, ", \"n\": %lld", (long long)f->n);
        if (!rc)
            rc = json_field(b, "lo", f->has_ci, f->lo);
        if (!rc)
            rc = json_field(b, "hi", f->has_ci, f->hi);
        if (!rc)
            rc = cxm__buf_addf(b, ", \"low_n\": %s",
                               f->low_n ? "true" : "false");
        if (!rc && f->has_positive) {
            rc = json_field(b, "positive", true, f->positive);
            if (!rc)
                rc = json_field(b, "positive_lo", true, f->positive_lo);
            if (!rc)
                rc = json_field(b, "positive_hi", true, f->positive_hi);
        }
        break;
    }
    if (!rc)
        rc = json_extras(b, f);
    if (!rc)
        rc = cxm__buf_addc(b, '}');
    return rc;
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
                rc = json_figure(b, r->metrics[j],
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

static cxm_rc csv_num(struct cxm__buf *b, bool has, double v)
{
    cxm_rc rc = cxm__buf_addc(b, ',');

    if (!rc && has)
        rc = cxm__buf_add_num(b, v, JSON_DECIMALS);
    return rc;
}

/* One CSV line of a duration's business time ("art_business"). */
static cxm_rc csv_business(const cxm_report *r, size_t i, cxm_metric m,
                           const struct cxm_figure *f, struct cxm__buf *b)
{
    bool has = !f->business_is_null;
    cxm_rc rc = CXM_OK;

    for (size_t k = 0; !rc && k < r->n_by; k++) {
        rc = csv_text(b, r->dims[i * r->n_by + k]);
        if (!rc)
            rc = cxm__buf_addc(b, ',');
    }
    if (!rc)
        rc = cxm__buf_addf(b, "%s_business", cxm_metric_name(m));
    if (!rc)
        rc = csv_num(b, has, f->business_value);
    if (!rc)
        rc = cxm__buf_addf(b, ",%lld,,,", (long long)f->business_n);
    if (!rc)
        rc = csv_num(b, has, f->business_median);
    if (!rc)
        rc = csv_num(b, has, f->business_p90);
    return rc ? rc : cxm__buf_addc(b, '\n');
}

static cxm_rc write_csv(const cxm_report *r, struct cxm__buf *b)
{
    cxm_rc rc = CXM_OK;

    /* Definitions other than SPEC §2's are named in a comment line; at
     * version 1 the CSV stays one header and one line per figure. */
    if (r->defs->version != 1)
        rc = cxm__buf_addf(b, "# definitions version %d\n",
                           r->defs->version);

    for (size_t k = 0; !rc && k < r->n_by; k++) {
        rc = cxm__buf_adds(b, cxm_dim_name(r->by[k]));
        if (!rc)
            rc = cxm__buf_addc(b, ',');
    }
    if (!rc)
        rc = cxm__buf_adds(b, "metric,value,n,lo,hi,low_n,median,p90\n");
    for (size_t i = 0; !rc && i < r->n_rows; i++) {
        for (size_t j = 0; !rc && j < r->n_metrics; j++) {
            const struct cxm_figure *f = &r->figures[i * r->n_metrics + j];
            enum cxm__shape sh = cxm__metric_shape(r->metrics[j]);
            bool has = !f->is_null;
            for (size_t k = 0; !rc && k < r->n_by; k++) {
                rc = csv_text(b, r->dims[i * r->n_by + k]);
                if (!rc)
                    rc = cxm__buf_addc(b, ',');
            }
            if (!rc)
                rc = cxm__buf_adds(b, cxm_metric_name(r->metrics[j]));
            if (!rc && sh == CXM__SHAPE_COUNT) {
                if (has)
                    rc = cxm__buf_addf(b, ",%lld", (long long)f->n);
                else
                    rc = cxm__buf_addc(b, ',');
                if (!rc)
                    rc = cxm__buf_adds(b, ",,,,,,\n");
                continue;
            }
            if (rc)
                break;
            rc = csv_num(b, has, f->value);
            if (!rc)
                rc = cxm__buf_addc(b, ',');
            if (!rc && has)
                rc = cxm__buf_addf(b, "%lld", (long long)f->n);
            if (!rc)
                rc = csv_num(b, has && f->has_ci, f->lo);
            if (!rc)
                rc = csv_num(b, has && f->has_ci, f->hi);
            if (!rc)
                rc = cxm__buf_adds(b, ",");
            if (!rc && has && f->has_low_n)
                rc = cxm__buf_adds(b, f->low_n ? "true" : "false");
            if (!rc)
                rc = csv_num(b, has && f->has_quantiles, f->median);
            if (!rc)
                rc = csv_num(b, has && f->has_quantiles, f->p90);
            if (!rc)
                rc = cxm__buf_addc(b, '\n');
            if (!rc && f->has_business)
                rc = csv_business(r, i, r->metrics[j], f, b);
        }
    }
    return rc;
}

/* ---- Table ----------------------------------------------------------- */

/* "2h 05m", "45m 10s", "38s", "3d 4h". */
static void fmt_duration(double s, char *dst, size_t cap)
{
    long long t = (long long)llround(s);

    if (t < 60)
        snprintf(dst, cap, "%llds", t);
    else if (t < 3600)
        snprintf(dst, cap, "%lldm %02llds", t / 60, t % 60);
    else if (t < 86400)
        snprintf(dst, cap, "%lldh %02lldm", t / 3600, t % 3600 / 60);
    else
        snprintf(dst, cap, "%lldd %02lldh", t / 86400, t % 86400 / 3600);
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
    case CXM__SHAPE_DURATION:
        fmt_duration(f->value, a, sizeof(a));
        fmt_duration(f->median, b, sizeof(b));
        fmt_duration(f->p90, c, sizeof(c));
        snprintf(value, cap, "%s", a);
        snprintf(detail, cap, "median %s, p90 %s  n=%lld", b, c,
                 (long long)f->n);
        if (f->has_business && !f->business_is_null) {
            size_t len = strlen(detail);
            fmt_duration(f->business_value, a, sizeof(a));
            fmt_duration(f->business_median, b, sizeof(b));
            snprintf(detail + len, cap - len,
                     "  | business %s, median %s  n=%lld", a, b,
                     (long long)f->business_n);
        }
        return;
    case CXM__SHAPE_AMOUNT:
        snprintf(value, cap, "%.1f", f->value);
        snprintf(detail, cap, "n=%lld", (long long)f->n);
        return;
    case CXM__SHAPE_PRODUCTIVITY:
        fmt1(f->value, a, sizeof(a));
        snprintf(value, cap, "%s", a);
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
        fmt_duration(f->prev_value, a, sizeof(a));
        fmt_duration(fabs(f->change), b, sizeof(b));
        snprintf(dst, cap, "  | prev %s, %s%s (p=%.3f)%s", a,
                 f->change < 0 ? "-" : "+", b, f->has_p ? f->p_value : 1.0,
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
    if (f->has_benchmark && !f->is_null) {
        len = strlen(dst);
        snprintf(dst + len, cap - len, "  | %s %.1f: %+.1f",
                 f->benchmark_label, f->benchmark,
                 f->value - f->benchmark);
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
            size_t w = width(r->dims[i * r->n_by + k]);
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
                    rc = pad_to(b, *l ? l : "(none)", wdim[k] + 2);
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
