/* SPDX-License-Identifier: MIT
 *
 * record.h — private: the columns of each record kind of SPEC §1 and the
 * validation of one CSV row into typed values (record.c).
 */
#ifndef CXM_RECORD_H
#define CXM_RECORD_H

#include "internal.h"

#include "csv.h"

enum cxm__coltype {
    CXM__COL_ID,     /* required text key: trimmed, no control character */
    CXM__COL_KEY,    /* optional key or dimension value: as CXM__COL_ID;
                      * empty (after trimming) = NULL */
    CXM__COL_TEXT,   /* free text, kept as written: no control character
                      * but TAB, LF, CR; empty = NULL */
    CXM__COL_TS,     /* SPEC timestamp -> ms */
    CXM__COL_DATE,   /* timestamp or plain YYYY-MM-DD -> ms */
    CXM__COL_DAY,    /* a calendar day: timestamp or plain date -> ms of
                      * 00:00Z of the date as written (time and offset
                      * dropped), so one day is one key */
    CXM__COL_CURRENCY, /* ISO 4217 form: three ASCII letters, stored upper
                        * case; empty = NULL */
    CXM__COL_INT,    /* integer */
    CXM__COL_BOOL,   /* 1/0, true/false, yes/no -> 0/1 */
    CXM__COL_NUM,    /* decimal -> double */
    CXM__COL_SCALE,  /* "MIN-MAX" -> i (min), i2 (max) */
    CXM__COL_SURVEY  /* survey id; csat/nps/ces folded to lower case */
};

struct cxm__colspec {
    const char *name; /* header name, lower case */
    enum cxm__coltype type;
    bool required;    /* header must have it and the value must be set */
};

struct cxm__kindspec {
    const char *name;
    const struct cxm__colspec *cols;
    size_t n_cols;
};

/* The spec of `kind`. Static. */
const struct cxm__kindspec *cxm__kind_spec(cxm_kind kind);

enum cxm__vtype { CXM__V_NULL, CXM__V_INT, CXM__V_REAL, CXM__V_TEXT };

/* One typed value; text is borrowed from the CSV record. */
struct cxm__value {
    enum cxm__vtype type;
    int64_t i;     /* INT; also scale min */
    int64_t i2;    /* scale max */
    double d;      /* REAL */
    const char *s; /* TEXT; NUL-terminated when read from a CSV record */
    size_t len;
};

/* The plausibility window of timestamps, [lo, hi) in ms since the epoch
 * (SPEC Conventions: 1970-01-01 .. ten years after the import unless the
 * store's settings widen it; config.c computes it). */
struct cxm__window {
    int64_t lo, hi;
};

/* The window of an import into `st` at `now_ms`: from `earliest` (a
 * date, NULL: the store's import.earliest) to the end of the day
 * `horizon_years` (NULL: the store's import.horizon_years) years after
 * now's UTC day (config.c). Returns CXM_OK, CXM_EINPUT for a bad value
 * (*why says which key takes what), CXM_ESTORE, CXM_ENOMEM. */
CXM_MUST_USE cxm_rc cxm__config_window(cxm_store *st, const char *earliest,
                                       const char *horizon_years,
                                       int64_t now_ms,
                                       struct cxm__window *out,
                                       const char **why);

/* The window of an import into `st` with `opts` (its overrides, else
 * the store's settings) at the current time (import.c). Returns CXM_OK,
 * CXM_EINVAL for a bad override, CXM_ESTORE, CXM_ENOMEM. */
CXM_MUST_USE cxm_rc cxm__import_window(cxm_store *st,
                                       const struct cxm_import_opts *opts,
                                       struct cxm__window *win);

/* A validation failure: which spec column (-1 = the whole row) and why. */
struct cxm__reject {
    int col;                /* index into the kind's cols, or -1 */
    struct cxm__buf reason; /* owned; reused between rows */
};

/* Validates `rec` of `kind`: `colmap[j]` is the CSV field index of spec
 * column j, or -1 when the header lacks it; `n_header` the number of header
 * fields; `win` the window every timestamp must lie in (NULL: any instant
 * cxm_time_parse() takes). Fills vals[0..n_cols); a text value points
 * into the record, trimmed, and may have been rewritten in place (survey
 * names folded to lower case, currencies to upper case). Returns CXM_OK,
 * CXM_EINPUT (rej says why) or CXM_ENOMEM. */
CXM_MUST_USE cxm_rc cxm__record_validate(cxm_kind kind,
                                         const struct cxm__csv_rec *rec,
                                         const int *colmap, size_t n_header,
                                         const struct cxm__window *win,
                                         struct cxm__value *vals,
                                         struct cxm__reject *rej);

/* Default scale of a survey kind (SPEC §1): csat 1–5, nps 0–10, ces 1–7,
 * anything else 1–5. */
void cxm__survey_default_scale(const char *survey, int *lo, int *hi);

#endif /* CXM_RECORD_H */
