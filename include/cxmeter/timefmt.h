/* SPDX-License-Identifier: MIT
 *
 * timefmt.h — the timestamps of SPEC §1: parsing and formatting instants.
 *
 * Instants are int64 milliseconds since 1970-01-01T00:00:00Z (UTC), which
 * covers years 0000–9999 with room to spare.
 */
#ifndef CXMETER_TIMEFMT_H
#define CXMETER_TIMEFMT_H

#include <stdbool.h>

#include "cxmeter/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Parses `YYYY-MM-DD[T ]hh:mm:ss[.fff][Z|±hh:mm|±hhmm]` (no offset = UTC)
 *  from the `len` bytes at `s` (no NUL needed) into *out_ms. Fractions past
 *  milliseconds are truncated. With `allow_date`, a plain `YYYY-MM-DD` is
 *  accepted as that day's 00:00:00Z.
 *  Returns CXM_OK, or CXM_EINPUT (then *why, if not NULL, points to a static
 *  reason such as "month out of range"). */
CXM_API CXM_MUST_USE cxm_rc cxm_time_parse(const char *s, size_t len,
                                           bool allow_date, int64_t *out_ms,
                                           const char **why);

/** Writes `ms` as `YYYY-MM-DDThh:mm:ssZ` (whole seconds, milliseconds
 *  appended as `.fff` only when not zero) into `dst`, which holds `cap` bytes
 *  (32 always suffice). Returns the length written, without the NUL. */
CXM_API size_t cxm_time_format(int64_t ms, char *dst, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_TIMEFMT_H */
