/* SPDX-License-Identifier: MIT
 *
 * send_int.h — private to the library: what the server (src/http/) uses of
 * the send room (send.h) to send continuously through its one writer:
 * the settings of sending, the trigger pass and the outbox's steps, each
 * transaction handed to a runner the caller provides.
 */
#ifndef CXM_SEND_INT_H
#define CXM_SEND_INT_H

#include "internal.h"

#include "cxmeter/send.h"

/* The settings of sending: the store's, overridden by opts. Owned. */
struct cxm__send_cfg {
    char *public_url, *smtp_url, *smtp_from, *smtp_user, *smtp_password;
    char *sms_url, *hooks_secret;
    int64_t fatigue_days, daily_cap, max_age_days, reminder_days;
    int64_t lease_ms;
    cxm_send_log_fn log;
    void *ud;
};

/* Loads the settings of `st` with o's overrides (o may be NULL);
 * public_url is `default_url` (the server's base of links) unless NULL or
 * overridden.
 * Release with cxm__send_cfg_release(). */
CXM_MUST_USE cxm_rc cxm__send_cfg_load(cxm_store *st,
                                       const struct cxm_send_opts *o,
                                       const char *default_url,
                                       struct cxm__send_cfg *cfg);
void cxm__send_cfg_release(struct cxm__send_cfg *cfg);
/* The override of `key` in o (o may be NULL), or NULL. */
const char *cxm__send_override(const struct cxm_send_opts *o,
                               const char *key);

/* Runs fn(st, fn_ud) in one transaction, committed before it returns (the
 * command line: begin and commit; the server: its writer). */
typedef cxm_rc (*cxm__tx_job)(cxm_store *st, void *ud);
typedef cxm_rc (*cxm__tx_runner)(void *runner_ud, cxm__tx_job fn,
                                 void *fn_ud);

/* One decision of the trigger pass: ticket_id's invitation
 * (invitation_id) or its skip (status "skipped", reason); `token` the
 * link of a chat invitation (the helpdesk posts it), else NULL. */
typedef cxm_rc (*cxm__decision_fn)(const char *ticket_id, const char *status,
                                   const char *reason,
                                   const char *invitation_id,
                                   const char *token, void *ud);

/* The trigger pass inside the open transaction (cxm_send_trigger()).
 * With `chat`, a chat rule makes the invitation and its link there and
 * then (the caller hands the link over: the API), else it is a skip.
 * fn (may be NULL) hears of every decision. */
CXM_MUST_USE cxm_rc cxm__send_trigger_tx(cxm_store *st,
                                         const struct cxm__send_cfg *cfg,
                                         int64_t now, bool chat,
                                         cxm__decision_fn fn, void *fn_ud,
                                         struct cxm_send_counts *out);

/* The trigger pass as a job of a transaction runner (no chat links, no
 * decisions told). */
struct cxm__trigger_job {
    const struct cxm__send_cfg *cfg;
    int64_t now;
    struct cxm_send_counts *counts;
};
cxm_rc cxm__trigger_job_run(cxm_store *st, void *ud);

/* ---- webhook.c: a helpdesk's ticket-updated JSON. */

enum cxm__helpdesk_hook { CXM__HOOK_ZENDESK, CXM__HOOK_FRESHDESK };

/* Reads body[0..len), a ticket event of `vendor` (docs/sending.md,
 * "Webhooks"), into `row`, a tickets record (ticket_id, created_at,
 * customer_id, agent_id, team, channel, status, resolved_at when the
 * status is solved, closed or resolved); `now` stands for a missing
 * time. CXM_OK; CXM_EINPUT (why[0..cap) says what is wrong); CXM_ENOMEM.
 * Release `row` in every case. */
struct cxm__kvrow;
CXM_MUST_USE cxm_rc cxm__webhook_ticket(enum cxm__helpdesk_hook vendor,
                                        const char *body, size_t len,
                                        int64_t now, struct cxm__kvrow *row,
                                        char *why, size_t cap);

/* Sends every message due at `now` (0: the clock when each is claimed)
 * through `run`'s transactions. *stop, when not NULL and set, ends the
 * loop after the message in hand. */
CXM_MUST_USE cxm_rc cxm__outbox_pump(cxm_store *st,
                                     const struct cxm__send_cfg *cfg,
                                     int64_t now, cxm__tx_runner run,
                                     void *run_ud, const volatile int *stop,
                                     struct cxm_send_counts *out);

/* ---- mail.c: one message as MIME and its hand-over. */

/* What the sender knows of one message to build it. Borrowed. */
struct cxm__mail {
    const char *from, *to, *language, *public_url, *token;
    const char *title, *intro, *question, *low_label, *high_label;
    int lo, hi;
    bool reminder;
    int64_t message_id, attempt, now;
    const char *text; /* not NULL: a plain-text mail (an alert), subject
                         `title`, body `text`; no links, no survey */
};

/* The hand-over's outcome. */
/* The hand-over's outcome: BOUNCED, the server refused the recipient
 * (a 5xx reply to RCPT TO), REFUSED, it refused the message otherwise. */
enum cxm__sent {
    CXM__SENT_OK,
    CXM__SENT_RETRY,
    CXM__SENT_REFUSED,
    CXM__SENT_BOUNCED
};

/* Builds the message (RFC 5322, MIME multipart/alternative, UTF-8; or,
 * with m->text, one text/plain part) into out. */
CXM_MUST_USE cxm_rc cxm__mail_build(const struct cxm__mail *m,
                                    struct cxm__buf *out);
/* Hands msg[0..len) to the SMTP server of cfg for m->to; *why (cap
 * bytes) says why not. `conn` (may be NULL) is the sender's libcurl
 * handle, kept across messages so that its connection to the server is
 * reused (cxm__mail_conn_new()). */
enum cxm__sent cxm__mail_send(const struct cxm__send_cfg *cfg, void *conn,
                              const struct cxm__mail *m, const char *msg,
                              size_t len, char *why, size_t why_cap);
void *cxm__mail_conn_new(void);
void cxm__mail_conn_free(void *conn);

/* Sends the SMS of m (m->to a phone number) through the gateway of
 * cfg->sms_url: {to} and {text} replaced, URL-encoded (sms.c). */
enum cxm__sent cxm__sms_send(const struct cxm__send_cfg *cfg,
                             const struct cxm__mail *m, char *why,
                             size_t why_cap);

/* The parts an SMS of UTF-8 `text` takes: 1 up to 160 GSM-7 or 70 UCS-2
 * characters, else 153 or 67 a part. */
size_t cxm__sms_parts(const char *text);

/* Unsubscribes the customer and address of the invitation whose link
 * token is token[0..len) (in the open transaction). CXM_ENOTFOUND for a
 * token that is not a link. */
CXM_MUST_USE cxm_rc cxm__send_unsubscribe(cxm_store *st, const char *token,
                                          size_t len, int64_t now);

/* Records that a link of invitation `invitation_id` was opened at `now`
 * (in the open transaction): its sent messages not yet opened are marked
 * opened. Nothing when the engine keeps no such mark. */
CXM_MUST_USE cxm_rc cxm__send_opened(cxm_store *st, const char *invitation_id,
                                     int64_t now);

/* A bounce reported after the hand-over (POST /hooks/bounce): message
 * `message_id` (its Message-ID header, with or without the angle
 * brackets, or its outbox id; NULL or "": none) or else the message sent
 * last to `recipient` becomes "bounced" with `reason`; its queued
 * reminder is skipped. CXM_ENOTFOUND when no sent message matches. */
CXM_MUST_USE cxm_rc cxm__send_bounce(cxm_store *st, const char *message_id,
                                     const char *recipient,
                                     const char *reason);

#endif /* CXM_SEND_INT_H */
