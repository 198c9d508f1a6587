/* SPDX-License-Identifier: MIT
 *
 * metric.c — the metric table of metric.h, made from CXM_METRIC_MAP (the
 * public ids and names) and CXM__METRIC_TABLE (the facts), with the
 * compile-time checks that the two list the same metrics in the same
 * order; and the metric names.
 */
#include "internal.h"

#include <math.h>
#include <string.h>

#include "metric.h"

/* Each row's id is a metric of CXM_METRIC_MAP, at its place: a row naming
 * no public metric fails here (CXM_METRIC_<id> undeclared), a row listed
 * twice fails (CXM__ROW_<id> redeclared), a row out of place fails the
 * assertion; with as many rows as metrics, no metric is left out. */
#define CXM__ROW_ENUM(id, ...) CXM__ROW_##id,
enum cxm__metric_row { CXM__METRIC_TABLE(CXM__ROW_ENUM) CXM__N_ROWS };
#undef CXM__ROW_ENUM

#define CXM__ROW_CHECK(id, ...)                                            \
    _Static_assert((int)CXM__ROW_##id == (int)CXM_METRIC_##id,             \
                   "CXM__METRIC_TABLE: " #id                               \
                   " out of the order of CXM_METRIC_MAP");
CXM__METRIC_TABLE(CXM__ROW_CHECK)
#undef CXM__ROW_CHECK

_Static_assert((int)CXM__N_ROWS == (int)CXM_METRIC_COUNT,
               "a metric of CXM_METRIC_MAP is missing from "
               "CXM__METRIC_TABLE (src/stats/metric.h)");

#define DEF(key) CXM__DEF_##key
#define NEED(kind, column) {CXM_KIND_##kind, column}
#define NEEDS(id, ...)                                                     \
    [CXM_METRIC_##id].n_needs =                                            \
        sizeof((struct cxm__metric_need[]){__VA_ARGS__}) /                 \
        sizeof(struct cxm__metric_need),                                   \
    [CXM_METRIC_##id].needs = {__VA_ARGS__}
#define RANGE(id, lo_, hi_, scale_, unit_)                                 \
    [CXM_METRIC_##id].lo = lo_, [CXM_METRIC_##id].hi = hi_,                \
    [CXM_METRIC_##id].scale = scale_, [CXM_METRIC_##id].unit = unit_
#define RANGE_OF(id, r) RANGE(id, r)
#define CXM__NAME(id, name_) [CXM_METRIC_##id].name = name_,
#define CXM__ROW(id, fam, shape_, dims_, defs_, range, ...)                \
    [CXM_METRIC_##id].family = CXM__FAM_##fam,                             \
    [CXM_METRIC_##id].shape = CXM__SHAPE_##shape_,                         \
    [CXM_METRIC_##id].dims = CXM__DIMS_##dims_,                            \
    [CXM_METRIC_##id].defs = (defs_),                                      \
    RANGE_OF(id, CXM__RANGE_##range),                                      \
    NEEDS(id, __VA_ARGS__),

const struct cxm__metric_info cxm__metrics[CXM_METRIC_COUNT] = {
    CXM_METRIC_MAP(CXM__NAME)
    CXM__METRIC_TABLE(CXM__ROW)
};

#undef CXM__ROW
#undef CXM__NAME
#undef RANGE_OF
#undef RANGE
#undef NEEDS
#undef NEED
#undef DEF

bool cxm__metric_needs_kind(cxm_metric m, cxm_kind kind)
{
    const struct cxm__metric_info *mi = cxm__metric(m);

    for (size_t i = 0; i < mi->n_needs; i++) {
        if (mi->needs[i].kind == kind)
            return true;
    }
    return false;
}

/* The names alone, for the one name lookup (cxm__name_index). */
static const char *const metric_names[CXM_METRIC_COUNT] = {
#define CXM__METRIC_NAME(id, name) name,
    CXM_METRIC_MAP(CXM__METRIC_NAME)
#undef CXM__METRIC_NAME
};

cxm_rc cxm_metric_parse(const char *name, cxm_metric *out)
{
    int m = cxm__name_index(metric_names, CXM_METRIC_COUNT, name,
                            strlen(name));

    if (m < 0)
        return CXM_ENOTFOUND;
    *out = (cxm_metric)m;
    return CXM_OK;
}

cxm_rc cxm_metric_parse_list(const char *list, cxm_metric *out, size_t cap,
                             size_t *n, struct cxm_list_error *err)
{
    /* Names are distinct, so no list holds more than CXM_METRIC_COUNT. */
    int ids[CXM_METRIC_COUNT];
    size_t room = cap < CXM_METRIC_COUNT ? cap : CXM_METRIC_COUNT;
    cxm_rc rc = cxm__parse_name_list(list, metric_names, CXM_METRIC_COUNT,
                                     ids, room, n, err);

    for (size_t i = 0; i < *n; i++)
        out[i] = (cxm_metric)ids[i];
    return rc;
}

const char *cxm_metric_name(cxm_metric m)
{
    if (m < 0 || m >= CXM_METRIC_COUNT)
        return "";
    return cxm__metrics[m].name;
}
