/* SPDX-License-Identifier: MIT
 *
 * tz.h — private: IANA time zones read from the system tz database (TZif
 * files, RFC 8536 / RFC 9636), for bucketing report periods by a zone
 * (SPEC §2, `cxmeter report --tz ZONE`). Never looks at the TZ variable, the
 * C library's zone functions or the process zone: a zone is an explicit,
 * immutable object.
 *
 * A loaded zone is the transition table of the file plus, for version 2+
 * files, the POSIX TZ rule of its footer, which decides every instant after
 * the last transition (DST included). Before the first transition the
 * file's first time type applies. All times are Unix milliseconds (POSIX
 * time, no leap seconds); leap-second records of "right/" files are
 * skipped.
 *
 * Example, the UTC start of the local day holding `utc_ms`:
 *
 *     int64_t local = cxm__tz_to_local(tz, utc_ms);
 *     int64_t day = cxm__day_of_ms(local) * CXM__MS_PER_DAY;
 *     int64_t start = cxm__tz_from_local(tz, day);
 */
#ifndef CXM_TZ_H
#define CXM_TZ_H

#include "internal.h"

/* Where zones are looked up when the caller names no directory. */
#define CXM__TZ_DEFAULT_DIR "/usr/share/zoneinfo"
/* Largest TZif file read (real ones are under 4 KiB). */
#define CXM__TZ_MAX_FILE (1u << 20)
/* Longest zone name accepted (the longest IANA name has 32 bytes). */
#define CXM__TZ_MAX_NAME 255

/* A time zone. Immutable once made, so one zone may be shared by any
 * number of threads without locking. */
struct cxm__tz;

/* Loads zone `name` ("UTC", "Asia/Jakarta", "Europe/Helsinki", ...) from
 * the TZif file `zoneinfo_dir`/`name`; `zoneinfo_dir` NULL or "" means
 * CXM__TZ_DEFAULT_DIR. "UTC" and "Etc/UTC" are built in and work without a
 * tz database.
 *
 * `name` must be 1..CXM__TZ_MAX_NAME bytes of [A-Za-z0-9_+/-], with no
 * leading, trailing or doubled '/', so it can never leave the directory
 * ("..", "/etc/passwd" are refused).
 *
 * Returns CXM_OK; CXM_EINVAL for a name that is not a zone name;
 * CXM_ENOTFOUND when there is no such zone (no file, or not a regular
 * file); CXM_EINPUT when the file is not valid TZif; CXM_ETOOBIG for a file
 * over CXM__TZ_MAX_FILE; CXM_EIO when it cannot be read; CXM_ENOMEM.
 * On failure *out is set to NULL. The caller frees the result with
 * cxm__tz_free(). */
CXM_MUST_USE cxm_rc cxm__tz_load(const char *name, const char *zoneinfo_dir,
                                 struct cxm__tz **out);

/* Makes a zone from the bytes of a TZif file (version 1, 2, 3 or 4; any
 * later version is read as version 4). `data` is outside input: every count
 * is checked against `len`. The zone's name is "". Returns CXM_OK,
 * CXM_EINPUT for anything malformed (truncated, counts that do not fit,
 * unsorted transitions, an offset beyond ±26 h, a bad footer TZ string), or
 * CXM_ENOMEM; on failure *out is set to NULL. The caller frees the result
 * with cxm__tz_free(). */
CXM_MUST_USE cxm_rc cxm__tz_parse(const unsigned char *data, size_t len,
                                  struct cxm__tz **out);

/* NULL-safe. */
void cxm__tz_free(struct cxm__tz *tz);

/* The offset from UTC, in seconds east of Greenwich, in effect at the UTC
 * instant `utc_ms` (Helsinki in summer: 10800). */
int32_t cxm__tz_offset(const struct cxm__tz *tz, int64_t utc_ms);

/* The local wall-clock time of `utc_ms`, as milliseconds since
 * 1970-01-01T00:00 local: utc_ms plus the offset (saturating at the ends
 * of int64_t). */
int64_t cxm__tz_to_local(const struct cxm__tz *tz, int64_t utc_ms);

/* The UTC instant at which local wall-clock time is `local_ms`. A local
 * time skipped by a forward jump (a DST gap) gives the instant the gap
 * ends, the first valid instant after it (Helsinki 2026-03-29T03:30 gives
 * 01:00Z, which is local 04:00). A local time that occurs twice (a fold)
 * gives the earlier instant (Helsinki 2026-10-25T03:30 gives 00:30Z).
 * Used to turn local bucket boundaries (midnight, the first of a month)
 * back into UTC. */
int64_t cxm__tz_from_local(const struct cxm__tz *tz, int64_t local_ms);

/* The name the zone was loaded under ("" from cxm__tz_parse()). Borrowed;
 * valid until cxm__tz_free(). */
const char *cxm__tz_name(const struct cxm__tz *tz);

#endif /* CXM_TZ_H */
