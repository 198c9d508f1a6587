/* SPDX-License-Identifier: MIT
 *
 * alert.h — alert rules kept in the store ("CSAT of any team drops
 * significantly week over week", "backlog above 500"), their evaluation
 * over complete time windows with the report's own figures and tests, and
 * the firings recorded once per rule, group and window (docs/alerts.md).
 *
 * Nothing here prints or sends: a page lists firings with
 * cxm_alert_history() and cxm_alert_firing_json(); a mailer sends
 * cxm_alert_mail() of each firing cxm_alert_check() hands over.
 */
#ifndef CXMETER_ALERT_H
#define CXMETER_ALERT_H

#include <stdbool.h>

#include "cxmeter/base.h"
#include "cxmeter/metrics.h"
#include "cxmeter/report.h"
#include "cxmeter/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a rule watches for. */
typedef enum cxm_alert_kind {
    CXM_ALERT_DROP,  /* a significant fall from the previous window */
    CXM_ALERT_RISE,  /* a significant rise from the previous window */
    CXM_ALERT_ABOVE, /* the window's figure above `threshold` */
    CXM_ALERT_BELOW  /* the window's figure below `threshold` */
} cxm_alert_kind;

/** "drop", "rise", "above", "below"; "" for a bad value. */
CXM_API const char *cxm_alert_kind_name(cxm_alert_kind k);

/** Defaults of a drop or rise rule (docs/alerts.md). */
#define CXM_ALERT_ALPHA 0.01 /* family-wise, Holm over the groups */
#define CXM_ALERT_MIN_N 30   /* answers (or records) on each side */

/** A rule. Zero-initialise, set `size` to sizeof(struct cxm_alert_rule). */
struct cxm_alert_rule {
    size_t size;
    int64_t id;          /* set by the store (cxm_alert_rule_add) */
    cxm_alert_kind kind;
    cxm_metric metric;
    bool has_by;         /* one figure per value of `by`, else one */
    cxm_dim by;          /* not a time dimension */
    cxm_dim window;      /* CXM_BY_DAY, CXM_BY_WEEK (ISO) or CXM_BY_MONTH,
                            in UTC */
    double threshold;    /* ABOVE, BELOW */
    int64_t min_n;       /* figures on fewer are not looked at; 0 = the
                            default: CXM_ALERT_MIN_N for DROP and RISE and
                            for a threshold on a figure flagged low_n,
                            none otherwise */
    double alpha;        /* DROP, RISE: 0 = CXM_ALERT_ALPHA; in (0, 0.5] */
    double min_change;   /* DROP, RISE: |change| at least this (0: any) */
    int64_t created_at;  /* set by the store, ms */
};

/** Checks `r` (kind, metric, window, breakdown, alpha, threshold) and
 *  fills in the defaults. CXM_OK or CXM_EINVAL, with *why (static) saying
 *  what is wrong. */
CXM_API CXM_MUST_USE cxm_rc cxm_alert_rule_check(struct cxm_alert_rule *r,
                                                 const char **why);

/** Writes a one-line description of `r` ("csat by team drops week over
 *  week (Holm, alpha 0.01, n >= 30)") into dst[0..cap), NUL-terminated;
 *  returns the length it needed. */
CXM_API size_t cxm_alert_rule_describe(const struct cxm_alert_rule *r,
                                       char *dst, size_t cap);

/** Stores rule `r` (checked with cxm_alert_rule_check()) at `now_ms`;
 *  *id_out its id. CXM_OK, CXM_EINVAL, CXM_ESTORE, CXM_ENOMEM. */
CXM_API CXM_MUST_USE cxm_rc cxm_alert_rule_add(cxm_store *st,
                                               const struct cxm_alert_rule *r,
                                               int64_t now_ms,
                                               int64_t *id_out);

/** Removes rule `id` (its firings stay in the history). CXM_OK,
 *  CXM_ENOTFOUND, CXM_ESTORE. */
CXM_API CXM_MUST_USE cxm_rc cxm_alert_rule_remove(cxm_store *st, int64_t id,
                                                  int64_t now_ms);

typedef cxm_rc (*cxm_alert_rule_fn)(const struct cxm_alert_rule *r,
                                    void *ud);

/** Calls fn for every rule not removed, by id. A non-zero return of fn
 *  stops and is returned. */
CXM_API CXM_MUST_USE cxm_rc cxm_alert_rules(cxm_store *st,
                                            cxm_alert_rule_fn fn, void *ud);

/** One firing: a rule, a group, a window, and the figures and test that
 *  made it fire. Strings are borrowed for the callback. */
struct cxm_alert_firing {
    size_t size;
    int64_t id, rule_id;
    cxm_alert_kind kind;
    cxm_metric metric;
    bool has_by;
    cxm_dim by, window;
    const char *group;       /* the value of `by` ("" without one) */
    int64_t from_ms, to_ms;  /* the window: [from, to) */
    int64_t prev_from_ms;    /* DROP, RISE: the previous window
                                [prev_from, from) */
    double value;            /* the window's figure, as the report's */
    int64_t n;
    bool has_prev;           /* DROP, RISE */
    double prev_value;
    int64_t prev_n;
    double change;           /* value − prev_value */
    double threshold;        /* ABOVE, BELOW */
    const char *method;      /* the test: "two-proportion z test",
                                "NPS z test", "Welch t test",
                                "threshold" */
    bool has_test;           /* DROP, RISE */
    double statistic;        /* z (pooled, for proportions); for NPS and
                                means the signed z of the two-sided p */
    double p_value;          /* two-sided, as `report --compare` */
    double p_adjusted;       /* Holm-adjusted over `tests` groups */
    int64_t tests;           /* groups tested in the window */
    double alpha;
    int64_t fired_at;        /* when it was recorded, ms */
};

typedef cxm_rc (*cxm_alert_firing_fn)(const struct cxm_alert_firing *f,
                                      void *ud);

/** What cxm_alert_check() evaluates. Zero-initialise, set `size`. */
struct cxm_alert_check_opts {
    size_t size;
    int64_t at_ms;       /* the last complete window before this time */
    bool has_from;       /* every complete window ending in
                            (from_ms, at_ms] instead */
    int64_t from_ms;
    int64_t now_ms;      /* recorded as fired_at */
    int64_t rule_id;     /* 0: every rule */
    bool dry_run;        /* evaluate and report, record nothing */
    const char *email;   /* where new firings are mailed: addresses
                            separated by commas (as the setting
                            alerts.email takes them); NULL: the store's
                            alerts.email; "": nowhere */
};

/** Evaluates the rules over their windows (docs/alerts.md) and records
 *  each firing not recorded before (rule, group and window), in one
 *  transaction, which also queues one outbox message (kind "alert") per
 *  new firing and address of o->email (or alerts.email) for the sender
 *  (cxm_outbox_run(), `cxmeter serve`); calls fn for each such new firing, in window order, then
 *  rule, then group. With dry_run, fn gets every firing the data makes,
 *  recorded or not, and nothing is written. *n_fired: how many (may be
 *  NULL). CXM_OK, CXM_EINVAL, CXM_EINPUT (o->email is not a list of
 *  addresses), CXM_ESTORE, CXM_ENOMEM, CXM_ENOZONE; the
 *  error of a report (cxm_report_run()) otherwise. */
CXM_API CXM_MUST_USE cxm_rc cxm_alert_check(
    cxm_store *st, const struct cxm_alert_check_opts *o,
    cxm_alert_firing_fn fn, void *ud, size_t *n_fired);

/** Calls fn for every recorded firing (of rule `rule_id`, or all when 0),
 *  oldest window first. */
CXM_API CXM_MUST_USE cxm_rc cxm_alert_history(cxm_store *st,
                                              int64_t rule_id,
                                              cxm_alert_firing_fn fn,
                                              void *ud);

/** `f` as one JSON object (docs/alerts.md), in a new string the caller
 *  frees with cxm_free(); text escaped so that it may sit in an HTML
 *  <script> block. CXM_OK or CXM_ENOMEM. */
CXM_API CXM_MUST_USE cxm_rc cxm_alert_firing_json(
    const struct cxm_alert_firing *f, char **out);

/** `f` as one line of text for people ("csat by team: support-b dropped
 *  from 84.1 to 61.0 in 2026-W21 ..."), in a new string (cxm_free()). */
CXM_API CXM_MUST_USE cxm_rc cxm_alert_firing_text(
    const struct cxm_alert_firing *f, char **out);

/** The e-mail of `f`: a subject of one line and a plain-text body naming
 *  the rule, group, window, both figures, the test, its statistic and
 *  p-values. Two new strings the caller frees with cxm_free(). This is
 *  what the mailer sends and the dashboard shows. CXM_OK, CXM_ENOMEM. */
CXM_API CXM_MUST_USE cxm_rc cxm_alert_mail(const struct cxm_alert_firing *f,
                                           char **subject, char **body);

/** cxm_alert_mail() with a link to the dashboard's alerts page
 *  (`base_url`/alerts) at the end of the body when base_url (the
 *  server's public URL, no trailing slash) is neither NULL nor "". */
CXM_API CXM_MUST_USE cxm_rc cxm_alert_mail_url(
    const struct cxm_alert_firing *f, const char *base_url, char **subject,
    char **body);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_ALERT_H */
