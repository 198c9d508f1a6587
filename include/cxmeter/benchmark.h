/* SPDX-License-Identifier: MIT
 *
 * benchmark.h — stored benchmarks (an industry figure, a competitor's
 * NPS…) that reports compare each figure with, and the range of values a
 * metric's figure, and so its benchmark, can take.
 */
#ifndef CXMETER_BENCHMARK_H
#define CXMETER_BENCHMARK_H

#include <stdbool.h>

#include "cxmeter/base.h"
#include "cxmeter/metrics.h"
#include "cxmeter/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The values a figure of `m` can take, [*lo, *hi] (-HUGE_VAL or HUGE_VAL
 *  where unbounded): a percentage 0–100; nps −100–100; a count, a
 *  duration, a rate per 1000 or per agent ≥ 0; review_rating 1–5;
 *  csat_mean and ces from the lowest to the highest point of the scales
 *  of the answers stored in `st` (the SPEC default scale, 1–5 and 1–7,
 *  when none is stored or `st` is NULL); revenue any value. When `unit`
 *  is not NULL, *unit names the kind of value ("a percentage", "a mean
 *  score", …; static). Returns CXM_OK, CXM_EINVAL or CXM_ESTORE. */
CXM_API CXM_MUST_USE cxm_rc cxm_metric_range(cxm_store *st, cxm_metric m,
                                             double *lo, double *hi,
                                             const char **unit);

/** Stores `value` as the benchmark of metric `m` (an industry figure, a
 *  competitor's NPS…) under `label` (not empty); reports show each
 *  figure's gap to the latest benchmark of its metric. Returns CXM_OK;
 *  CXM_EINVAL for a bad argument or an empty label; CXM_EINPUT for a value
 *  outside cxm_metric_range(); CXM_ESTORE. */
CXM_API CXM_MUST_USE cxm_rc cxm_benchmark_set(cxm_store *st, cxm_metric m,
                                              double value,
                                              const char *label);

/** One stored benchmark: its metric's name, label, value and when it was
 *  set (ms since the epoch); in_use when it is the latest of its metric,
 *  the one reports compare with. Strings borrowed for the call. */
typedef cxm_rc (*cxm_benchmark_fn)(const char *metric, const char *label,
                                   double value, int64_t set_at_ms,
                                   bool in_use, void *ud);

/** Calls fn for every stored benchmark, oldest first; a non-zero return
 *  stops and is returned. Returns CXM_OK, CXM_EINVAL, CXM_ESTORE,
 *  CXM_ENOMEM or fn's code. */
CXM_API CXM_MUST_USE cxm_rc cxm_benchmark_list(cxm_store *st,
                                               cxm_benchmark_fn fn,
                                               void *ud);

/** Removes the benchmarks of `m` (only those labelled `label` when it is
 *  not NULL; an empty label is CXM_EINVAL) and sets *removed to how many.
 *  Returns CXM_OK (*removed may be 0), CXM_EINVAL, CXM_ESTORE. */
CXM_API CXM_MUST_USE cxm_rc cxm_benchmark_remove(cxm_store *st,
                                                 cxm_metric m,
                                                 const char *label,
                                                 int64_t *removed);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_BENCHMARK_H */
