/* SPDX-License-Identifier: MIT
 *
 * alert_int.h — private to the library: the changes of cxmeter/alert.h's
 * rules inside a transaction the caller holds, and the check with its
 * writes handed to a transaction runner (the server's writer runs them
 * as jobs; the public calls wrap them in transactions of their own).
 */
#ifndef CXM_ALERT_INT_H
#define CXM_ALERT_INT_H

#include "internal.h"

#include "cxmeter/alert.h"

/* cxm_alert_rule_add() in the open transaction. */
CXM_MUST_USE cxm_rc cxm__alert_rule_add_tx(cxm_store *st,
                                           const struct cxm_alert_rule *r,
                                           int64_t now_ms, int64_t *id_out);
/* cxm_alert_rule_remove() in the open transaction. */
CXM_MUST_USE cxm_rc cxm__alert_rule_remove_tx(cxm_store *st, int64_t id,
                                              int64_t now_ms);

/* Runs fn(st, fn_ud) in one transaction, committed before it returns
 * (the command line: begin and commit; the server: its writer). */
typedef cxm_rc (*cxm__alert_tx_job)(cxm_store *st, void *ud);
typedef cxm_rc (*cxm__alert_tx_runner)(void *runner_ud, cxm__alert_tx_job fn,
                                       void *fn_ud);

/* cxm_alert_check() that reads `st` (the server: a read connection) and
 * writes through `run`: the firings, and the outbox rows of their mail,
 * recorded in one job. */
CXM_MUST_USE cxm_rc cxm__alert_check_via(cxm_store *st,
                                         const struct cxm_alert_check_opts *o,
                                         cxm__alert_tx_runner run,
                                         void *run_ud,
                                         cxm_alert_firing_fn fn, void *ud,
                                         size_t *n_fired);

#endif /* CXM_ALERT_INT_H */
