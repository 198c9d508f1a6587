/* SPDX-License-Identifier: MIT
 *
 * alert_int.h — private to the library: the changes of cxmeter/alert.h's
 * rules inside a transaction the caller holds (the server's writer runs
 * them as jobs; cxm_alert_rule_add() and cxm_alert_rule_remove() wrap
 * them in their own).
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

#endif /* CXM_ALERT_INT_H */
