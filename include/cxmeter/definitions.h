/* SPDX-License-Identifier: MIT
 *
 * definitions.h — the metric definitions a report computes with, as
 * versioned configuration: which scale points count as satisfied (CSAT)
 * and agree (CES), the FCR rule, which tickets are excluded, which agent a
 * rating belongs to, and business-hours calendars per team. Every choice
 * is explicit, stored append-only with who set it and when, and named in
 * every report (docs/report-semantics.md, "Definitions").
 *
 * Version 1 is SPEC §2 as written; it is implicit when nothing is stored.
 * Each cxm_definitions_store() adds the next version; nothing is ever
 * changed or removed.
 *
 * Settings are key/value strings, the same on the command line, in the
 * store and in reports:
 *
 *   csat.satisfied   top2 (default: 4–5 on 1–5; the top point alone on a
 *                    scale of fewer than five points) | topN | a list of
 *                    scores such as 5 or 4,5
 *   ces.agree        above_mid (default: 5–7 on 1–7, 4–5 on 1–5) | topN |
 *                    a list of scores such as 6,7
 *   fcr.rule         contacts (default: contacts = 1 and not reopened) |
 *                    one_touch (fewer than two agent replies) |
 *                    repeat_contact (not reopened, and no other ticket of
 *                    the same customer within fcr.repeat_days)
 *   fcr.repeat_days  1..365 (default 7)
 *   exclude.status   comma-separated ticket statuses left out of every
 *                    figure (default: none), e.g. spam,merged
 *   exclude.tags     comma-separated ticket tags, likewise
 *   rating.agent     response (default: the response's agent, else its
 *                    ticket's) | ticket_assignee (the ticket's agent, else
 *                    the response's)
 *   calendar.TEAM    business hours of TEAM ("*": every team without its
 *                    own), e.g. "tz=Asia/Jakarta; hours=mon-fri
 *                    09:00-17:00, sat 09:00-12:00; holidays=2026-03-19";
 *                    "none" removes it. With a calendar, art and frt also
 *                    report business time.
 */
#ifndef CXMETER_DEFINITIONS_H
#define CXMETER_DEFINITIONS_H

#include <stdbool.h>

#include "cxmeter/base.h"
#include "cxmeter/report.h"
#include "cxmeter/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cxm_definitions cxm_definitions;

/** Makes the SPEC §2 defaults (version 1) and sets *out. Returns CXM_OK or
 *  CXM_ENOMEM. The caller frees the result with cxm_definitions_free(). */
CXM_API CXM_MUST_USE cxm_rc cxm_definitions_new(cxm_definitions **out);

/** Frees `d`. NULL-safe. */
CXM_API void cxm_definitions_free(cxm_definitions *d);

/** Sets `key` to `value` in `d` after checking it (a calendar's zone must
 *  exist in the system tz database). Returns CXM_OK; CXM_ENOTFOUND for an
 *  unknown key; CXM_EINPUT for a bad value; CXM_ENOMEM. On failure `d` is
 *  unchanged and, if errmsg_out is not NULL, *errmsg_out says why: the
 *  caller frees it with cxm_free(). */
CXM_API CXM_MUST_USE cxm_rc cxm_definitions_set(cxm_definitions *d,
                                                const char *key,
                                                const char *value,
                                                char **errmsg_out);

/** Loads version `version` of the store's definitions (0: the current
 *  one, version 1 when nothing is stored) and sets *out.
 *  Returns CXM_OK; CXM_ENOTFOUND for a version not stored; CXM_ESTORE;
 *  CXM_EINPUT when a stored set no longer reads (cxm_store_errmsg says
 *  which); CXM_ENOMEM. The caller frees the result with
 *  cxm_definitions_free(). */
CXM_API CXM_MUST_USE cxm_rc cxm_definitions_load(cxm_store *st, int version,
                                                 cxm_definitions **out);

/** Checks setting `key` of `d` (NULL: every setting) against the answers
 *  stored in `st`: the scores listed in csat.satisfied and ces.agree must
 *  lie on every scale of the stored answers they apply to (the default
 *  scale, csat 1–5, ces 1–7, when none is stored), and topN must be no
 *  more points than the narrowest has; other keys need no data. Returns
 *  CXM_OK; CXM_EINPUT with the reason in *errmsg_out (if not NULL; the
 *  caller frees it with cxm_free()); CXM_EINVAL; CXM_ESTORE.
 *  cxm_definitions_store() checks the settings that differ from the
 *  current version's. */
CXM_API CXM_MUST_USE cxm_rc cxm_definitions_check(cxm_store *st,
                                                  const cxm_definitions *d,
                                                  const char *key,
                                                  char **errmsg_out);

/** Stores `d` as the next version, set by `set_by` (not NULL or empty)
 *  with the reason `note` (may be NULL), at the current time, and sets
 *  *version_out to it. Returns CXM_OK, CXM_EINVAL, CXM_ESTORE, or
 *  CXM_EINPUT when cxm_definitions_check() refuses `d` (the reason is
 *  then cxm_store_errmsg(st)). */
CXM_API CXM_MUST_USE cxm_rc cxm_definitions_store(cxm_store *st,
                                                  const cxm_definitions *d,
                                                  const char *set_by,
                                                  const char *note,
                                                  int *version_out);

/** Calls fn for every version, oldest first, version 1 (the defaults)
 *  included; a non-zero return from fn stops and is returned. `d` is
 *  borrowed for the call. Returns CXM_OK, CXM_ESTORE, CXM_EINPUT,
 *  CXM_ENOMEM or fn's code. */
typedef cxm_rc (*cxm_definitions_fn)(const cxm_definitions *d, void *ud);
CXM_API CXM_MUST_USE cxm_rc cxm_definitions_history(cxm_store *st,
                                                    cxm_definitions_fn fn,
                                                    void *ud);

/** The version of `d` (1 for the defaults). */
CXM_API int cxm_definitions_version(const cxm_definitions *d);

/** When and by whom `d` was stored, and why; 0 / "" for version 1.
 *  Borrowed; valid until cxm_definitions_free(). */
CXM_API int64_t cxm_definitions_set_at(const cxm_definitions *d);
CXM_API const char *cxm_definitions_set_by(const cxm_definitions *d);
CXM_API const char *cxm_definitions_note(const cxm_definitions *d);

/** Writes `d` as JSON (one object: version, set_at, set_by, note and every
 *  setting) or a table (one "key  value" line each) into a new string
 *  *out of *out_len bytes. Returns CXM_OK, CXM_EINVAL (CSV) or
 *  CXM_ENOMEM. The caller frees *out with cxm_free(). */
CXM_API CXM_MUST_USE cxm_rc cxm_definitions_format(const cxm_definitions *d,
                                                   cxm_format fmt,
                                                   char **out,
                                                   size_t *out_len);

/** The settings that differ between `a` and `b`, one "key: A -> B" line
 *  each ("" when none), in a new string *out. Returns CXM_OK or
 *  CXM_ENOMEM. The caller frees *out with cxm_free(). */
CXM_API CXM_MUST_USE cxm_rc cxm_definitions_diff(const cxm_definitions *a,
                                                 const cxm_definitions *b,
                                                 char **out);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_DEFINITIONS_H */
