/* SPDX-License-Identifier: MIT
 *
 * demo.h — a realistic, deterministic demo data set of all nine record
 * kinds of SPEC §1, written as CSV files.
 */
#ifndef CXMETER_DEMO_H
#define CXMETER_DEMO_H

#include "cxmeter/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Options; zero-initialise, then set `size` to sizeof(struct
 *  cxm_demo_opts). */
struct cxm_demo_opts {
    size_t size;
    uint64_t seed;      /* same seed, same options: byte-identical files */
    uint64_t n_tickets; /* tickets over the whole span; 0 = 5000 */
    int64_t end_ms;     /* data ends here; 0 = 2026-11-01T00:00:00Z */
    int span_days;      /* length of the data; 0 = 730 (two years) */
};

/** Writes tickets.csv, responses.csv, customers.csv, orders.csv,
 *  selfservice.csv, agents.csv, agent_hours.csv, reviews.csv and
 *  qa_scores.csv into the existing directory `dir`, replacing files of those
 *  names. Returns CXM_OK, CXM_EINVAL (bad options), CXM_EIO (a file could
 *  not be written; *errmsg_out, if not NULL, says which: the caller frees it
 *  with cxm_free()), or CXM_ENOMEM. */
CXM_API CXM_MUST_USE cxm_rc cxm_demo_write(const char *dir,
                                           const struct cxm_demo_opts *opts,
                                           char **errmsg_out);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_DEMO_H */
