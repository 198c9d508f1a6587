/* SPDX-License-Identifier: MIT
 *
 * send.h — sending surveys (docs/sending.md): rules that turn a moment (a
 * ticket resolved) into an invitation, survey fatigue, and the durable
 * outbox that sends invitations and one reminder by mail (SMTP through
 * libcurl).
 *
 * The library reads no environment: settings come from the store
 * (cxmeter/config.h) unless `overrides` in struct cxm_send_opts gives a
 * value for the key (the program fills it from CXMETER_SMTP_URL, …).
 */
#ifndef CXMETER_SEND_H
#define CXMETER_SEND_H

#include <stdbool.h>
#include <stdint.h>

#include "cxmeter/base.h"
#include "cxmeter/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Rules. */

/** A rule: send survey `survey` on `channel` ("email", "sms" or "chat")
 *  delay_ms after the moment `moment` (NULL: "resolved"):
 *    resolved      a ticket resolved, for tickets of `team` (NULL: every
 *                  team);
 *    order         an order (post-purchase);
 *    new_customer  a customer's acquisition (onboarding);
 *    quiet         delay_ms after a customer's last order, ticket or
 *                  acquisition, when nothing came since (churn
 *                  prevention);
 *    segment       once to every customer of `segment`, delay_ms after
 *                  the rule was added (a one-off send).
 *  Zero-initialise, set `size`. */
struct cxm_rule {
    size_t size;
    int64_t id;          /* set by cxm_rule_list() */
    const char *survey;
    const char *channel;
    int64_t delay_ms;
    const char *team;
    int64_t created_at;  /* set by cxm_rule_list() */
    const char *moment;
    const char *segment;
};

/** Adds a rule; *id_out (may be NULL) its id. Returns CXM_OK; CXM_EINPUT
 *  for a bad rule (*why, if not NULL, a static sentence: an unknown survey,
 *  channel or a negative delay); CXM_ESTORE; CXM_ENOTBUILT; CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_rule_add(cxm_store *st,
                                         const struct cxm_rule *r,
                                         int64_t *id_out, const char **why);
typedef cxm_rc (*cxm_rule_fn)(const struct cxm_rule *r, void *ud);
/** Calls fn for each rule, oldest first. */
CXM_API CXM_MUST_USE cxm_rc cxm_rule_list(cxm_store *st, cxm_rule_fn fn,
                                          void *ud);
/** Removes rule `id`; CXM_ENOTFOUND when there is none. */
CXM_API CXM_MUST_USE cxm_rc cxm_rule_remove(cxm_store *st, int64_t id);

/* ---- Triggers and the outbox. */

/** One line about what the sender did (no newline). */
typedef void (*cxm_send_log_fn)(const char *line, void *ud);

/** Options of cxm_send_trigger() and cxm_outbox_run(). Zero-initialise,
 *  set `size`. */
struct cxm_send_opts {
    size_t size;
    int64_t now;        /* ms since the epoch; 0: the clock */
    /* key, value, key, value, …, NULL: values that win over the store's
     * settings (a key given with value NULL is ignored). */
    const char *const *overrides;
    /* A message left "sending" (its sender died in the hand-over) is sent
     * again this long after it was claimed; 0: CXM_SEND_LEASE_MS. */
    int64_t lease_ms;
    cxm_send_log_fn log; /* may be NULL */
    void *ud;
};
#define CXM_SEND_LEASE_MS 300000 /* five minutes: past every timeout */

/** What a call did. */
struct cxm_send_counts {
    int64_t queued;  /* invitations queued by the rules */
    int64_t skipped; /* moments the rules skipped (reason in the outbox) */
    int64_t sent;    /* messages handed over */
    int64_t retried; /* transient failures, queued again */
    int64_t failed;  /* permanent failures (reason in the outbox) */
    int64_t bounced; /* recipients refused by the server (reason in the
                        outbox) */
};

/** Decides every ticket resolved in the last invites.max_age_days that
 *  has no decision yet: an invitation queued per the rules and survey
 *  fatigue, or a skip with its reason. One transaction. out may be NULL.
 *  Returns CXM_OK, CXM_ESTORE, CXM_ENOTBUILT, CXM_ENOMEM, CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_send_trigger(cxm_store *st,
                                             const struct cxm_send_opts *o,
                                             struct cxm_send_counts *out);

/** cxm_send_trigger(), then sends every message due now, one at a time
 *  (each marked "sending" and committed before the hand-over, "sent"
 *  after), and returns. Failures of a message are in the outbox, not in
 *  the return value. */
CXM_API CXM_MUST_USE cxm_rc cxm_outbox_run(cxm_store *st,
                                           const struct cxm_send_opts *o,
                                           struct cxm_send_counts *out);

/** One row of the outbox, for cxm_outbox_list(). Borrowed. */
struct cxm_outbox_entry {
    int64_t id;
    const char *kind;    /* "invite" or "reminder" */
    const char *status;  /* queued, sending, sent, bounced, failed,
                            skipped */
    const char *reason;  /* NULL when none */
    const char *channel, *recipient, *survey, *language;
    const char *invitation_id, *ticket_id, *customer_id, *agent_id, *team;
    int64_t rule_id, created_at, due_at, sent_at, attempts;
    bool answered;       /* its invitation has an answer */
    int64_t opened_at;   /* its survey page first opened after it was
                            sent (ms); 0: not opened */
};
typedef cxm_rc (*cxm_outbox_fn)(const struct cxm_outbox_entry *e, void *ud);

/** Calls fn for each row with `status` (NULL: any) of ticket `ticket_id`
 *  (NULL: any), oldest first. */
CXM_API CXM_MUST_USE cxm_rc cxm_outbox_list(cxm_store *st,
                                            const char *status,
                                            const char *ticket_id,
                                            cxm_outbox_fn fn, void *ud);

/** The configuration keys of sending, for the program's environment
 *  overrides: NULL-terminated. */
CXM_API const char *const *cxm_send_keys(void);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_SEND_H */
