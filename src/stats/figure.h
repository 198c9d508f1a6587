/* SPDX-License-Identifier: MIT
 *
 * figure.h — the figures of stat.c for the library's own struct
 * cxm_figure (all its fields, `size` not read), and the copy into a
 * caller's versioned one.
 */
#ifndef CXM_FIGURE_H
#define CXM_FIGURE_H

#include "cxmeter/metrics.h"

/* As cxm_figure_proportion(), cxm_figure_nps() and cxm_figure_mean() of
 * cxmeter/metrics.h, on a figure of the library's size. */
void cxm__figure_proportion(int64_t k, int64_t n, struct cxm_figure *out);
void cxm__figure_nps(const struct cxm_survey_stat *s, struct cxm_figure *out);
void cxm__figure_mean(int64_t n, double sum, double sum_sq,
                      struct cxm_figure *out);

/* Copies f into the caller's *out of out->size bytes: the fields that fit,
 * zeroes past the library's own. CXM_OK, or CXM_EINVAL (out untouched)
 * when out->size is below the first struct cxm_figure's. */
CXM_MUST_USE cxm_rc cxm__figure_copy(struct cxm_figure *out,
                                     const struct cxm_figure *f);

#endif /* CXM_FIGURE_H */
