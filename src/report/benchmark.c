/* SPDX-License-Identifier: MIT
 *
 * benchmark.c — reference figures a report compares with (cxmeter
 * benchmark set|list|remove), the range of values each metric's figure can
 * take (a benchmark outside it is refused), and the scales the stored
 * survey answers are on, which that range and the definitions' points
 * (definitions.c) are checked against.
 */
#include "internal.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "cxmeter/benchmark.h"
#include "metric.h"
#include "store_int.h"

struct scales_ctx {
    const char *survey;
    struct cxm__scales *out;
};

static cxm_rc on_scale(const struct cxm__row *row, void *ud)
{
    struct scales_ctx *c = ud;
    struct cxm__scales *s = c->out;
    int lo, hi;

    if (row->is_null[0] || row->is_null[1] || row->is_null[2] ||
        strcmp(row->text[0], c->survey) != 0)
        return CXM_OK;
    lo = (int)row->i64[1];
    hi = (int)row->i64[2];
    if (s->n == CXM__MAX_SCALES) {
        /* No room: the last scale widens to take this one in. */
        s->lo[s->n - 1] = lo < s->lo[s->n - 1] ? lo : s->lo[s->n - 1];
        s->hi[s->n - 1] = hi > s->hi[s->n - 1] ? hi : s->hi[s->n - 1];
        return CXM_OK;
    }
    s->lo[s->n] = lo;
    s->hi[s->n] = hi;
    s->n++;
    s->stored = true;
    return CXM_OK;
}

cxm_rc cxm__survey_scales(cxm_store *st, const char *survey,
                          struct cxm__scales *out)
{
    struct scales_ctx c = {survey, out};
    cxm_rc rc = CXM_OK;

    memset(out, 0, sizeof(*out));
    if (st)
        rc = cxm__store_query(st, CXM__Q_SCALES, on_scale, &c);
    if (rc || out->n)
        return rc;
    /* SPEC §1's default scales. */
    out->n = 1;
    out->lo[0] = strcmp(survey, "nps") == 0 ? 0 : 1;
    out->hi[0] = strcmp(survey, "nps") == 0   ? 10
                 : strcmp(survey, "ces") == 0 ? 7
                                              : 5;
    return CXM_OK;
}

cxm_rc cxm_metric_range(cxm_store *st, cxm_metric m, double *lo, double *hi,
                        const char **unit)
{
    const struct cxm__metric_info *mi;
    const char *u;
    struct cxm__scales sc;
    cxm_rc rc;

    if (m < 0 || m >= CXM_METRIC_COUNT || !lo || !hi)
        return CXM_EINVAL;
    mi = cxm__metric(m);
    *lo = mi->lo;
    *hi = mi->hi;
    u = mi->unit;
    if (mi->scale) {
        /* A mean score: on the scales of the stored answers. */
        rc = cxm__survey_scales(st, mi->scale, &sc);
        if (rc)
            return rc;
        *lo = sc.lo[0];
        *hi = sc.hi[0];
        for (int i = 1; i < sc.n; i++) {
            *lo = sc.lo[i] < *lo ? sc.lo[i] : *lo;
            *hi = sc.hi[i] > *hi ? sc.hi[i] : *hi;
        }
        u = sc.stored ? "a mean score on the scales of the stored answers"
                      : "a mean score on the default scale";
    }
    if (unit)
        *unit = u;
    return CXM_OK;
}

cxm_rc cxm_benchmark_set(cxm_store *st, cxm_metric m, double value,
                         const char *label)
{
    struct timespec ts;
    double lo, hi;
    cxm_rc rc;

    if (!st || m < 0 || m >= CXM_METRIC_COUNT || !label || !*label ||
        !isfinite(value))
        return CXM_EINVAL;
    rc = cxm_metric_range(st, m, &lo, &hi, NULL);
    if (rc)
        return rc;
    if (value < lo || value > hi)
        return CXM_EINPUT;
    clock_gettime(CLOCK_REALTIME, &ts);
    return cxm__store_put_benchmark(st, cxm_metric_name(m), label, value,
                                    (int64_t)ts.tv_sec * 1000 +
                                        ts.tv_nsec / 1000000);
}

struct bench_row {
    char *metric, *label; /* owned */
    double value;
    int64_t set_at;
};

struct list_ctx {
    struct bench_row *rows;
    size_t n, cap;
};

static cxm_rc on_bench_row(const struct cxm__row *row, void *ud)
{
    struct list_ctx *c = ud;
    struct bench_row *b;
    cxm_rc rc;

    if (row->is_null[0] || row->is_null[1])
        return CXM_OK;
    rc = cxm__grow((void **)&c->rows, &c->cap, c->n + 1, sizeof(*c->rows));
    if (rc)
        return rc;
    b = &c->rows[c->n];
    b->metric = cxm__strdup(row->text[0]);
    b->label = cxm__strdup(row->text[1]);
    b->value = row->real[2];
    b->set_at = row->i64[3];
    c->n++;
    return b->metric && b->label ? CXM_OK : CXM_ENOMEM;
}

cxm_rc cxm_benchmark_list(cxm_store *st, cxm_benchmark_fn fn, void *ud)
{
    struct list_ctx c;
    cxm_rc rc;

    if (!st || !fn)
        return CXM_EINVAL;
    memset(&c, 0, sizeof(c));
    rc = cxm__store_query(st, CXM__Q_BENCHMARKS, on_bench_row, &c);
    for (size_t i = 0; !rc && i < c.n; i++) {
        bool in_use = true;

        /* The latest of its metric: no later row of the same metric. */
        for (size_t j = i + 1; in_use && j < c.n; j++)
            in_use = strcmp(c.rows[j].metric, c.rows[i].metric) != 0;
        rc = fn(c.rows[i].metric, c.rows[i].label, c.rows[i].value,
                c.rows[i].set_at, in_use, ud);
    }
    for (size_t i = 0; i < c.n; i++) {
        cxm__free(c.rows[i].metric);
        cxm__free(c.rows[i].label);
    }
    cxm__free(c.rows);
    return rc;
}

cxm_rc cxm_benchmark_remove(cxm_store *st, cxm_metric m, const char *label,
                            int64_t *removed)
{
    if (!st || m < 0 || m >= CXM_METRIC_COUNT || (label && !*label) ||
        !removed)
        return CXM_EINVAL;
    *removed = 0;
    return cxm__store_remove_benchmarks(st, cxm_metric_name(m), label,
                                        removed);
}
