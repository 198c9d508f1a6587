/* SPDX-License-Identifier: MIT
 *
 * outbox.c — the durable outbox (send.h, docs/sending.md): one message at
 * a time is claimed ("sending", committed) before it is handed over, and
 * marked "sent" after, so a sender that dies sends at most the message in
 * its hands again (SMTP has no idempotency key). A transient failure
 * queues the message again with exponential backoff; a permanent refusal
 * (an SMTP 5xx reply, a gateway's 4xx) fails it with its reason. A
 * message a reminder follows queues the reminder when it is sent; a
 * reminder whose invitation was answered is skipped.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "civil.h"
#include "cxmeter/alert.h"
#include "invite.h"
#include "send_int.h"
#include "store_int.h"

#define MAX_ATTEMPTS 8
#define BACKOFF_FIRST_MS 60000      /* one minute, doubled each time */
#define BACKOFF_MAX_MS (6 * 3600000) /* at most six hours */
#define REQUEUE_MS 3600000           /* no transport configured: an hour */

/* One message in the sender's hands. Strings owned. */
struct msg {
    const struct cxm__send_cfg *cfg;
    int64_t now;
    bool found, to_send;
    int64_t id, rule_id, attempts;
    char *kind, *moment, *subject_id, *invitation_id, *survey, *language;
    char *channel, *recipient, *ticket_id, *customer_id, *agent_id, *team;
    bool answered;
    char token[72];
    char *title, *intro, *question, *low, *high;
    char *text; /* an alert's body (its subject is `title`) */
    int lo, hi;
    enum cxm__sent result;
    char why[256];
    void *conn; /* the mail connection, kept across messages */
};

static char *dup_opt(const char *s, bool *oom)
{
    char *d;

    if (!s)
        return NULL;
    d = cxm__strdup(s);
    if (!d)
        *oom = true;
    return d;
}

static void msg_release(struct msg *m)
{
    char **s[] = {&m->kind,        &m->moment,      &m->subject_id,
                  &m->invitation_id, &m->survey,    &m->language,
                  &m->channel,     &m->recipient,   &m->ticket_id,
                  &m->customer_id, &m->agent_id,    &m->team,
                  &m->title,       &m->intro,       &m->question,
                  &m->low,         &m->high,        &m->text};

    for (size_t i = 0; i < CXM_ARRAY_LEN(s); i++) {
        cxm__free(*s[i]);
        *s[i] = NULL;
    }
    sodium_memzero(m->token, sizeof(m->token));
}

static cxm_rc take_row(const struct cxm__outbox_row *r, void *ud)
{
    struct msg *m = ud;
    bool oom = false;

    m->id = r->id;
    m->rule_id = r->rule_id;
    m->attempts = r->attempts;
    m->answered = r->answered;
    m->kind = dup_opt(r->kind, &oom);
    m->moment = dup_opt(r->moment, &oom);
    m->subject_id = dup_opt(r->subject_id, &oom);
    m->invitation_id = dup_opt(r->invitation_id, &oom);
    m->survey = dup_opt(r->survey, &oom);
    m->language = dup_opt(r->language, &oom);
    m->channel = dup_opt(r->channel, &oom);
    m->recipient = dup_opt(r->recipient, &oom);
    m->ticket_id = dup_opt(r->ticket_id, &oom);
    m->customer_id = dup_opt(r->customer_id, &oom);
    m->agent_id = dup_opt(r->agent_id, &oom);
    m->team = dup_opt(r->team, &oom);
    return oom ? CXM_ENOMEM : CXM_OK;
}

/* Copies the texts of the mail out of the survey: its title and intro,
 * its first rating question, scale and end labels. */
static cxm_rc take_texts(cxm_store *st, struct msg *m)
{
    cxm_survey *sv = NULL;
    const cxm_survey_question *q = NULL;
    bool oom = false;
    cxm_rc rc = cxm_survey_get(st, m->survey, 0, &sv);

    if (rc)
        return rc;
    for (size_t i = 0; !q && i < cxm_survey_n_questions(sv); i++) {
        const cxm_survey_question *c = cxm_survey_question_at(sv, i);
        if (cxm_question_type_of(c) == CXM_QUESTION_RATING)
            q = c;
    }
    m->title = dup_opt(cxm_survey_title(sv, m->language), &oom);
    m->intro = dup_opt(cxm_survey_intro(sv, m->language), &oom);
    if (q) {
        m->question = dup_opt(cxm_question_text(q, m->language), &oom);
        m->low = dup_opt(cxm_question_label_low(q, m->language), &oom);
        m->high = dup_opt(cxm_question_label_high(q, m->language), &oom);
        cxm_question_scale(q, &m->lo, &m->hi);
    } else
        m->lo = 0, m->hi = -1; /* no scale: the link alone */
    cxm_survey_free(sv);
    return oom ? CXM_ENOMEM : CXM_OK;
}

/* The alert firing of message m (outbox kind "alert": subject_id the
 * firing's id, rule_id its rule), found in the rule's history. */
struct firing_find {
    struct msg *m;
    int64_t id;
    bool found;
    cxm_rc rc;
};

static cxm_rc find_firing(const struct cxm_alert_firing *f, void *ud)
{
    struct firing_find *ff = ud;

    if (f->id != ff->id)
        return CXM_OK;
    ff->found = true;
    ff->rc = cxm_alert_mail_url(f, ff->m->cfg->public_url, &ff->m->title,
                                &ff->m->text);
    return CXM_OK;
}

/* Readies the mail of an alert firing: its subject and text. */
static cxm_rc take_alert(cxm_store *st, struct msg *m, bool *found)
{
    struct firing_find ff = {m, 0, false, CXM_OK};
    cxm_rc rc = m->subject_id ? cxm__parse_i64(m->subject_id,
                                               strlen(m->subject_id), &ff.id)
                              : CXM_EINPUT;

    *found = false;
    if (rc)
        return CXM_OK; /* not a firing's id: nothing to send */
    rc = cxm_alert_history(st, m->rule_id, find_firing, &ff);
    *found = ff.found;
    return rc ? rc : ff.rc;
}

/* Marks the claimed message `status` with `reason` and leaves it. */
static cxm_rc settle(cxm_store *st, struct msg *m, const char *status,
                     const char *reason, int64_t due)
{
    return st->ops->outbox_update(st, m->id, status, reason, due, 0);
}

/* Readies the claimed mail of an alert firing (no link, no survey, no
 * unsubscribe: it goes to the people of alerts.email). */
static cxm_rc claim_alert(cxm_store *st, struct msg *m)
{
    const struct cxm__send_cfg *cfg = m->cfg;
    bool found;
    cxm_rc rc;

    if (!m->recipient)
        return settle(st, m, "failed", "nothing to send", 0);
    if (!*cfg->smtp_url || !*cfg->smtp_from)
        return settle(st, m, "queued", "smtp.url and smtp.from are not set",
                      m->now + REQUEUE_MS);
    rc = take_alert(st, m, &found);
    if (!rc && !found)
        return settle(st, m, "failed", "the alert firing is gone", 0);
    if (!rc)
        m->to_send = true;
    return rc;
}

/* Claims the next message due, inside the runner's transaction, and
 * readies it: a new link, the survey's texts. A message that may no
 * longer go is settled here. */
static cxm_rc claim_job(cxm_store *st, void *ud)
{
    struct msg *m = ud;
    const struct cxm__send_cfg *cfg = m->cfg;
    struct cxm__send_facts f;
    bool mail;
    cxm_rc rc;

    m->found = m->to_send = false;
    rc = st->ops->outbox_claim(st, m->now, m->now - cfg->lease_ms, take_row,
                               m, &m->found);
    if (rc || !m->found)
        return rc;
    if (strcmp(m->kind, "alert") == 0)
        return claim_alert(st, m);
    if (!m->invitation_id || !m->channel || !m->recipient)
        return settle(st, m, "failed", "nothing to send", 0);
    rc = st->ops->send_facts(st, m->customer_id, m->recipient, m->now, 0, 0,
                             &f);
    if (rc)
        return rc;
    if (f.unsubscribed)
        return settle(st, m, "skipped", "unsubscribed", 0);
    if (m->answered)
        return settle(st, m, "skipped", "answered already", 0);
    mail = strcmp(m->channel, "email") == 0;
    if (mail ? !*cfg->smtp_url || !*cfg->smtp_from : !*cfg->sms_url)
        return settle(st, m, "queued",
                      mail ? "smtp.url and smtp.from are not set"
                           : "sms.url is not set",
                      m->now + REQUEUE_MS);
    if (!*cfg->public_url)
        return settle(st, m, "queued",
                      "public_url is not set (the links need it)",
                      m->now + REQUEUE_MS);
    rc = take_texts(st, m);
    if (rc == CXM_ENOTFOUND)
        return settle(st, m, "failed", "the survey is gone", 0);
    if (!rc)
        rc = cxm__invite_new_link(st, m->invitation_id, m->now, m->token,
                                  sizeof(m->token));
    if (!rc)
        m->to_send = true;
    return rc;
}

/* Records the outcome of the hand-over. */
static cxm_rc finish_job(cxm_store *st, void *ud)
{
    struct msg *m = ud;
    const struct cxm__send_cfg *cfg = m->cfg;
    cxm_rc rc;

    if (m->result == CXM__SENT_OK) {
        rc = st->ops->outbox_update(st, m->id, "sent", NULL, 0, m->now);
        if (!rc && strcmp(m->kind, "invite") == 0 && cfg->reminder_days > 0) {
            struct cxm__outbox_row r;
            int64_t id;
            memset(&r, 0, sizeof(r));
            r.kind = "reminder";
            r.moment = m->moment;
            r.subject_id = m->subject_id;
            r.status = "queued";
            r.rule_id = m->rule_id;
            r.invitation_id = m->invitation_id;
            r.survey = m->survey;
            r.language = m->language;
            r.channel = m->channel;
            r.recipient = m->recipient;
            r.ticket_id = m->ticket_id;
            r.customer_id = m->customer_id;
            r.agent_id = m->agent_id;
            r.team = m->team;
            r.created_at = m->now;
            r.due_at = m->now + cfg->reminder_days * CXM__MS_PER_DAY;
            rc = st->ops->outbox_put(st, &r, &id);
        }
        return rc;
    }
    if (m->result == CXM__SENT_RETRY && m->attempts < MAX_ATTEMPTS) {
        int64_t wait = BACKOFF_FIRST_MS;
        for (int64_t i = 1; i < m->attempts && wait < BACKOFF_MAX_MS; i++)
            wait *= 2;
        if (wait > BACKOFF_MAX_MS)
            wait = BACKOFF_MAX_MS;
        return settle(st, m, "queued", m->why, m->now + wait);
    }
    if (m->result == CXM__SENT_RETRY) {
        char why[320];
        snprintf(why, sizeof(why), "gave up after %d attempts: %s",
                 MAX_ATTEMPTS, m->why);
        return settle(st, m, "failed", why, 0);
    }
    return settle(st, m, m->result == CXM__SENT_BOUNCED ? "bounced" : "failed",
                  m->why, 0);
}

/* Builds and hands over the claimed message (no transaction open). */
static void hand_over(struct msg *m)
{
    struct cxm__mail mail;
    struct cxm__buf body = CXM__BUF_INIT(1u << 20);

    memset(&mail, 0, sizeof(mail));
    mail.from = m->cfg->smtp_from;
    mail.to = m->recipient;
    mail.language = m->language;
    mail.public_url = m->cfg->public_url;
    mail.token = m->token;
    mail.title = m->title;
    mail.intro = m->intro;
    mail.question = m->question;
    mail.low_label = m->low;
    mail.high_label = m->high;
    mail.lo = m->lo;
    mail.hi = m->hi;
    mail.reminder = strcmp(m->kind, "reminder") == 0;
    mail.message_id = m->id;
    mail.attempt = m->attempts;
    mail.now = m->now;
    mail.text = m->text;
    m->why[0] = '\0';
    if (strcmp(m->channel, "sms") == 0)
        m->result = cxm__sms_send(m->cfg, &mail, m->why, sizeof(m->why));
    else if (cxm__mail_build(&mail, &body) != CXM_OK) {
        m->result = CXM__SENT_RETRY;
        snprintf(m->why, sizeof(m->why), "out of memory building the mail");
    } else
        m->result = cxm__mail_send(m->cfg, m->conn, &mail, body.data,
                                   body.len, m->why, sizeof(m->why));
    cxm__buf_release(&body);
}

static void log_msg(const struct msg *m)
{
    char line[512];

    if (!m->cfg->log)
        return;
    snprintf(line, sizeof(line), "outbox: message %lld (%s, ticket %s) to "
                                 "%s: %s%s%s",
             (long long)m->id, m->kind, m->ticket_id ? m->ticket_id : "-",
             m->recipient,
             m->result == CXM__SENT_OK      ? "sent"
             : m->result == CXM__SENT_RETRY   ? "will retry"
             : m->result == CXM__SENT_BOUNCED ? "bounced"
                                              : "refused",
             m->why[0] ? ": " : "", m->why);
    m->cfg->log(line, m->cfg->ud);
}

cxm_rc cxm__outbox_pump(cxm_store *st, const struct cxm__send_cfg *cfg,
                        int64_t now, cxm__tx_runner run, void *run_ud,
                        const volatile int *stop,
                        struct cxm_send_counts *out)
{
    void *conn = NULL;
    cxm_rc rc = cxm__store_sends(st);

    while (!rc && !(stop && *stop)) {
        struct msg m;
        memset(&m, 0, sizeof(m));
        if (!conn)
            conn = cxm__mail_conn_new(); /* NULL: one per message */
        m.conn = conn;
        m.cfg = cfg;
        m.now = now ? now : cxm__now_ms(); /* 0: the clock, each time */
        rc = run(run_ud, claim_job, &m);
        if (!rc && m.to_send) {
            hand_over(&m);
            log_msg(&m);
            rc = run(run_ud, finish_job, &m);
            if (!rc && out) {
                out->sent += m.result == CXM__SENT_OK;
                out->retried += m.result == CXM__SENT_RETRY &&
                                m.attempts < MAX_ATTEMPTS;
                out->bounced += m.result == CXM__SENT_BOUNCED;
                out->failed += m.result == CXM__SENT_REFUSED ||
                               (m.result == CXM__SENT_RETRY &&
                                m.attempts >= MAX_ATTEMPTS);
            }
        }
        msg_release(&m);
        if (!m.found)
            break;
    }
    cxm__mail_conn_free(conn);
    return rc;
}

/* ---- The list. */

struct list {
    cxm_outbox_fn fn;
    void *ud;
};

static cxm_rc on_row(const struct cxm__outbox_row *r, void *ud)
{
    struct list *l = ud;
    struct cxm_outbox_entry e;

    memset(&e, 0, sizeof(e));
    e.id = r->id;
    e.kind = r->kind;
    e.status = r->status;
    e.reason = r->reason;
    e.channel = r->channel;
    e.recipient = r->recipient;
    e.survey = r->survey;
    e.language = r->language;
    e.invitation_id = r->invitation_id;
    e.ticket_id = r->ticket_id;
    e.customer_id = r->customer_id;
    e.agent_id = r->agent_id;
    e.team = r->team;
    e.rule_id = r->rule_id;
    e.created_at = r->created_at;
    e.due_at = r->due_at;
    e.sent_at = r->sent_at;
    e.attempts = r->attempts;
    e.answered = r->answered;
    e.opened_at = r->opened_at;
    return l->fn(&e, l->ud);
}

cxm_rc cxm_outbox_list(cxm_store *st, const char *status,
                       const char *ticket_id, cxm_outbox_fn fn, void *ud)
{
    struct list l = {fn, ud};
    cxm_rc rc;

    if (!st || !fn)
        return CXM_EINVAL;
    rc = cxm__store_sends(st);
    return rc ? rc : st->ops->outbox_scan(st, status, ticket_id, on_row, &l);
}

cxm_rc cxm__send_unsubscribe(cxm_store *st, const char *token, size_t len,
                             int64_t now)
{
    struct cxm__invite inv;
    bool found = false;
    cxm_rc rc = cxm__store_sends(st);

    if (!rc)
        rc = cxm__invite_load(st, token, len, &inv);
    if (rc)
        return rc;
    rc = st->ops->put_unsubscribe(st, inv.id, now, &found);
    cxm__invite_release(&inv);
    return !rc && !found ? CXM_ENOTFOUND : rc;
}

cxm_rc cxm__send_opened(cxm_store *st, const char *invitation_id, int64_t now)
{
    if (!st->ops->outbox_opened)
        return CXM_OK;
    return st->ops->outbox_opened(st, invitation_id, now);
}

/* The outbox id in a Message-ID of ours (<cxm.ID.ATTEMPT.RANDOM@DOMAIN>,
 * mail.c) or in a plain number; 0 when it is neither. */
static int64_t message_number(const char *s)
{
    int64_t v = 0;
    const char *p;

    if (*s == '<')
        s++;
    if (strncmp(s, "cxm.", 4) == 0)
        s += 4;
    for (p = s; *p >= '0' && *p <= '9' && p - s < 18; p++)
        v = v * 10 + (*p - '0');
    if (p == s || (*p && *p != '.' && *p != '>'))
        return 0;
    return v;
}

cxm_rc cxm__send_bounce(cxm_store *st, const char *message_id,
                        const char *recipient, const char *reason)
{
    int64_t id = message_id && *message_id ? message_number(message_id) : 0;
    int64_t n = 0;
    cxm_rc rc = cxm__store_sends(st);

    if (rc)
        return rc;
    if (!st->ops->outbox_bounce) {
        cxm__store_set_error(st, "this engine keeps no outbox");
        return CXM_ENOTBUILT;
    }
    if (!id && (message_id && *message_id))
        return CXM_ENOTFOUND;
    if (!id && (!recipient || !*recipient))
        return CXM_ENOTFOUND;
    rc = st->ops->outbox_bounce(st, id, id ? NULL : recipient, reason, &n);
    return !rc && !n ? CXM_ENOTFOUND : rc;
}
