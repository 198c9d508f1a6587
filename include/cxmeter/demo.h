/* SPDX-License-Identifier: MIT
 *
 * demo.h — a realistic, deterministic demo data set of all nine record
 * kinds of SPEC §1, written as CSV files.
 */
#ifndef CXMETER_DEMO_H
#define CXMETER_DEMO_H

#include <stdbool.h>

#include "cxmeter/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Options; zero-initialise, then set `size` to sizeof(struct
 *  cxm_demo_opts). Zero fields take the defaults. */
struct cxm_demo_opts {
    size_t size;
    uint64_t seed;      /* same seed, same options: byte-identical files */
    uint64_t n_tickets; /* tickets over the whole span; 0 = 5000; at most
                           10^9 */
    int64_t end_ms;     /* data ends here (exclusive); 0 =
                           2026-11-01T00:00:00Z; before 9000-01-01 */
    int span_days;      /* length of the data; 0 = 730 (two years);
                           1..36500 */
};

/** Writes tickets.csv, responses.csv, customers.csv, orders.csv,
 *  selfservice.csv, agents.csv, agent_hours.csv, reviews.csv and
 *  qa_scores.csv into the existing directory `dir`, replacing files of those
 *  names. Every file has the header row and all columns of SPEC §1, LF line
 *  ends, and imports with no rejected row.
 *
 *  The data covers [end_ms - span_days, end_ms): about 1 survey answer and
 *  1.5 self-service sessions per ticket, n_tickets / 3 customers with a few
 *  orders each, max(8, n_tickets / 500) agents (at most 400) in 4-6 teams,
 *  a review per 20 tickets, QA scores for 4 % of resolved tickets. Only
 *  resolved_at may lie after end_ms (tickets created near the end). The
 *  output depends on the options alone: the same bytes on every platform
 *  and compiler (no libm approximation, locale or time zone involved).
 *  Memory: about four bytes per customer plus 6 MiB of buffers.
 *
 *  `opts` may be NULL for all defaults (seed 0).
 *  Returns CXM_OK; CXM_EINVAL (NULL or empty `dir`, `size` too small, an
 *  option out of range, or a span reaching before 1970); CXM_EIO (a file
 *  could not be written: *errmsg_out, if not NULL, names it; the caller
 *  frees it with cxm_free()); or CXM_ENOMEM. On failure the files already
 *  opened are removed. *errmsg_out is NULL unless CXM_EIO. */
CXM_API CXM_MUST_USE cxm_rc cxm_demo_write(const char *dir,
                                           const struct cxm_demo_opts *opts,
                                           char **errmsg_out);

/** The incident planted in the demo data (docs/alerts.md): one team is
 *  short of staff for three ISO weeks (about three in five of its agents
 *  away: no hours, no tickets), so its tickets wait longer, more of them
 *  stay open (its backlog grows) and its CSAT falls week after week.
 *  Spans shorter than 120 days have none. */
struct cxm_demo_incident {
    size_t size;        /* sizeof(struct cxm_demo_incident) */
    bool planted;
    const char *team;   /* static */
    int64_t from_ms;    /* the gap: [from_ms, to_ms), Monday 00:00 UTC */
    int64_t to_ms;
};

/** Fills *out with the incident cxm_demo_write() plants with `opts`
 *  (NULL: the defaults). CXM_OK or CXM_EINVAL (as cxm_demo_write()). */
CXM_API CXM_MUST_USE cxm_rc cxm_demo_incident(
    const struct cxm_demo_opts *opts, struct cxm_demo_incident *out);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_DEMO_H */
