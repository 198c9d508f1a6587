/* SPDX-License-Identifier: MIT
 *
 * send.c — the settings of sending, the rules (send.h) and the trigger
 * pass: each ticket resolved recently and not yet decided on becomes one
 * queued invitation, per the first rule that fits it and survey fatigue
 * (fatigue.days per customer, invites.daily_cap per UTC day, unsubscribes
 * forever), or one skip with its reason (docs/sending.md). Everything the
 * pass writes is in the caller's transaction; the engine keeps it
 * (store_int.h, the sending hooks).
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "civil.h"
#include "invite.h"
#include "send_int.h"
#include "store_int.h"

static const char *const send_keys[] = {
    "public_url",    "smtp.url",          "smtp.from",
    "smtp.user",     "smtp.password",     "sms.url",
    "fatigue.days",  "invites.daily_cap", "invites.max_age_days",
    "invites.reminder_days", "hooks.secret", "alerts.email", NULL};

const char *const *cxm_send_keys(void) { return send_keys; }

/* ---- Settings. */

void cxm__send_cfg_release(struct cxm__send_cfg *cfg)
{
    cxm_free(cfg->public_url);
    cxm_free(cfg->smtp_url);
    cxm_free(cfg->smtp_from);
    cxm_free(cfg->smtp_user);
    if (cfg->smtp_password) {
        sodium_memzero(cfg->smtp_password, strlen(cfg->smtp_password));
        cxm_free(cfg->smtp_password);
    }
    cxm_free(cfg->sms_url);
    if (cfg->hooks_secret) {
        sodium_memzero(cfg->hooks_secret, strlen(cfg->hooks_secret));
        cxm_free(cfg->hooks_secret);
    }
    memset(cfg, 0, sizeof(*cfg));
}

/* The value of `key`: o's override (checked), else the store's. */
static cxm_rc setting(cxm_store *st, const struct cxm_send_opts *o,
                      const char *key, char **out)
{
    if (o && o->overrides) {
        for (const char *const *kv = o->overrides; kv[0]; kv += 2) {
            if (strcmp(kv[0], key) != 0 || !kv[1])
                continue;
            if (cxm_config_check(key, kv[1], NULL) != CXM_OK) {
                cxm__store_set_error(st, "a setting from the environment "
                                         "has a bad value");
                return CXM_EINPUT;
            }
            *out = cxm__strdup(kv[1]);
            return *out ? CXM_OK : CXM_ENOMEM;
        }
    }
    return cxm_config_get(st, key, out, NULL);
}

const char *cxm__send_override(const struct cxm_send_opts *o,
                               const char *key)
{
    for (const char *const *kv = o ? o->overrides : NULL; kv && kv[0];
         kv += 2) {
        if (strcmp(kv[0], key) == 0 && kv[1])
            return kv[1];
    }
    return NULL;
}

static cxm_rc setting_int(cxm_store *st, const struct cxm_send_opts *o,
                          const char *key, int64_t *out)
{
    char *v = NULL;
    cxm_rc rc = setting(st, o, key, &v);

    if (!rc && cxm__parse_i64(v, strlen(v), out))
        rc = CXM_EINPUT;
    cxm_free(v);
    return rc;
}

cxm_rc cxm__send_cfg_load(cxm_store *st, const struct cxm_send_opts *o,
                          const char *default_url, struct cxm__send_cfg *cfg)
{
    cxm_rc rc;

    memset(cfg, 0, sizeof(*cfg));
    if (o && o->size < sizeof(*o))
        return CXM_EINVAL;
    /* The server's own base (its --public-url, else the store's, else
     * its address) wins over the store's; an override over both. */
    rc = setting(st, o, "public_url", &cfg->public_url);
    if (!rc && default_url && *default_url &&
        !cxm__send_override(o, "public_url")) {
        cxm_free(cfg->public_url);
        cfg->public_url = cxm__strdup(default_url);
        rc = cfg->public_url ? CXM_OK : CXM_ENOMEM;
    }
    if (!rc)
        rc = setting(st, o, "smtp.url", &cfg->smtp_url);
    if (!rc)
        rc = setting(st, o, "smtp.from", &cfg->smtp_from);
    if (!rc)
        rc = setting(st, o, "smtp.user", &cfg->smtp_user);
    if (!rc)
        rc = setting(st, o, "smtp.password", &cfg->smtp_password);
    if (!rc)
        rc = setting(st, o, "sms.url", &cfg->sms_url);
    if (!rc)
        rc = setting(st, o, "hooks.secret", &cfg->hooks_secret);
    if (!rc)
        rc = setting_int(st, o, "fatigue.days", &cfg->fatigue_days);
    if (!rc)
        rc = setting_int(st, o, "invites.daily_cap", &cfg->daily_cap);
    if (!rc)
        rc = setting_int(st, o, "invites.max_age_days", &cfg->max_age_days);
    if (!rc)
        rc = setting_int(st, o, "invites.reminder_days",
                         &cfg->reminder_days);
    cfg->lease_ms = o && o->lease_ms > 0 ? o->lease_ms : CXM_SEND_LEASE_MS;
    if (o) {
        cfg->log = o->log;
        cfg->ud = o->ud;
    }
    if (rc)
        cxm__send_cfg_release(cfg);
    return rc;
}

/* ---- Rules. */

static bool good_channel(const char *c)
{
    return c && (strcmp(c, "email") == 0 || strcmp(c, "sms") == 0 ||
                 strcmp(c, "chat") == 0);
}

static bool good_moment(const char *m)
{
    static const char *const moments[] = {"resolved", "order",
                                          "new_customer", "quiet",
                                          "segment"};

    for (size_t i = 0; i < CXM_ARRAY_LEN(moments); i++) {
        if (strcmp(m, moments[i]) == 0)
            return true;
    }
    return false;
}

cxm_rc cxm_rule_add(cxm_store *st, const struct cxm_rule *r, int64_t *id_out,
                    const char **why)
{
    struct cxm__send_rule sr;
    const char *moment;
    cxm_survey *sv = NULL;
    int64_t id = 0;
    cxm_rc rc;

    if (!st || !r || r->size < sizeof(*r))
        return CXM_EINVAL;
    rc = cxm__store_sends(st);
    if (rc)
        return rc;
    moment = r->moment && *r->moment ? r->moment : "resolved";
    if (!good_channel(r->channel)) {
        if (why)
            *why = "--channel takes email, sms or chat";
        return CXM_EINPUT;
    }
    if (!good_moment(moment)) {
        if (why)
            *why = "--moment takes resolved, order, new_customer, quiet or "
                   "segment";
        return CXM_EINPUT;
    }
    if ((strcmp(moment, "segment") == 0) != (r->segment && *r->segment)) {
        if (why)
            *why = "--segment S goes with --moment segment, and only there";
        return CXM_EINPUT;
    }
    if (r->team && *r->team && strcmp(moment, "resolved") != 0) {
        if (why)
            *why = "--team goes with --moment resolved only";
        return CXM_EINPUT;
    }
    if (r->delay_ms < 0 || r->delay_ms > 3650 * CXM__MS_PER_DAY) {
        if (why)
            *why = "--delay takes 0 to 3650 days (90s, 30m, 24h, 7d)";
        return CXM_EINPUT;
    }
    rc = r->survey ? cxm_survey_get(st, r->survey, 0, &sv) : CXM_ENOTFOUND;
    cxm_survey_free(sv);
    if (rc == CXM_ENOTFOUND) {
        if (why)
            *why = "no such survey in the store (cxmeter survey add)";
        return CXM_EINPUT;
    }
    if (rc)
        return rc;
    memset(&sr, 0, sizeof(sr));
    sr.moment = moment;
    sr.segment = r->segment && *r->segment ? r->segment : NULL;
    sr.survey = r->survey;
    sr.channel = r->channel;
    sr.team = r->team && *r->team ? r->team : NULL;
    sr.delay_ms = r->delay_ms;
    sr.created_at = cxm__now_ms();
    rc = cxm__store_begin(st);
    if (rc)
        return rc;
    rc = st->ops->put_send_rule(st, &sr, &id);
    if (!rc)
        rc = cxm__store_commit(st);
    if (rc) {
        cxm__store_rollback(st);
        return rc;
    }
    if (id_out)
        *id_out = id;
    return CXM_OK;
}

struct rule_list {
    cxm_rule_fn fn;
    void *ud;
};

static cxm_rc on_rule(const struct cxm__send_rule *r, void *ud)
{
    struct rule_list *l = ud;
    struct cxm_rule out;

    memset(&out, 0, sizeof(out));
    out.size = sizeof(out);
    out.id = r->id;
    out.survey = r->survey;
    out.channel = r->channel;
    out.delay_ms = r->delay_ms;
    out.team = r->team;
    out.created_at = r->created_at;
    out.moment = r->moment;
    out.segment = r->segment;
    return l->fn(&out, l->ud);
}

cxm_rc cxm_rule_list(cxm_store *st, cxm_rule_fn fn, void *ud)
{
    struct rule_list l = {fn, ud};
    cxm_rc rc;

    if (!st || !fn)
        return CXM_EINVAL;
    rc = cxm__store_sends(st);
    return rc ? rc : st->ops->send_rules(st, on_rule, &l);
}

cxm_rc cxm_rule_remove(cxm_store *st, int64_t id)
{
    cxm_rc rc;

    if (!st)
        return CXM_EINVAL;
    rc = cxm__store_sends(st);
    if (!rc)
        rc = cxm__store_begin(st);
    if (rc)
        return rc;
    rc = st->ops->remove_send_rule(st, id, cxm__now_ms());
    if (!rc)
        rc = cxm__store_commit(st);
    if (rc)
        cxm__store_rollback(st);
    return rc;
}

/* ---- The trigger pass. */

#define MAX_RULES 64
#define MOMENTS_PER_QUERY 512

/* A rule as the pass keeps it, with its survey. */
struct rule {
    int64_t id, delay_ms, created_at;
    char *survey, *channel, *team, *moment, *segment;
    cxm_survey *sv; /* NULL: the survey is gone */
};

/* A moment copied out of the engine's callback (the pass writes while
 * the engine would still be reading). */
struct moment {
    char *subject_id;
    char *ticket_id, *customer_id, *agent_id, *team, *channel;
    char *email, *phone, *language;
    int64_t at;
};

struct pass {
    cxm_store *st;
    const struct cxm__send_cfg *cfg;
    int64_t now;
    struct rule rules[MAX_RULES];
    size_t n_rules;
    struct moment *m;
    size_t n, cap;
    struct cxm_send_counts *counts;
    bool chat;
    cxm__decision_fn fn;
    void *fn_ud;
    const char *key;              /* the outbox's moment being decided */
    const struct rule *group[MAX_RULES]; /* the rules deciding it */
    size_t n_group;
};

static char *dup_or_null(const char *s, bool *oom)
{
    char *d;

    if (!s || !*s)
        return NULL;
    d = cxm__strdup(s);
    if (!d)
        *oom = true;
    return d;
}

static cxm_rc keep_rule(const struct cxm__send_rule *r, void *ud)
{
    struct pass *p = ud;
    struct rule *k;
    bool oom = false;
    cxm_rc rc;

    if (p->n_rules == MAX_RULES)
        return CXM_OK; /* documented: the first 64 rules */
    k = &p->rules[p->n_rules++];
    k->id = r->id;
    k->delay_ms = r->delay_ms;
    k->created_at = r->created_at;
    k->survey = dup_or_null(r->survey, &oom);
    k->channel = dup_or_null(r->channel, &oom);
    k->team = dup_or_null(r->team, &oom);
    k->moment = dup_or_null(r->moment, &oom);
    k->segment = dup_or_null(r->segment, &oom);
    if (oom)
        return CXM_ENOMEM;
    rc = cxm_survey_get(p->st, k->survey, 0, &k->sv);
    return rc == CXM_ENOTFOUND ? CXM_OK : rc;
}

static void moment_release(struct moment *m)
{
    cxm__free(m->subject_id);
    cxm__free(m->ticket_id);
    cxm__free(m->customer_id);
    cxm__free(m->agent_id);
    cxm__free(m->team);
    cxm__free(m->channel);
    cxm__free(m->email);
    cxm__free(m->phone);
    cxm__free(m->language);
}

static cxm_rc keep_moment(const struct cxm__send_moment *m, void *ud)
{
    struct pass *p = ud;
    struct moment *k;
    bool oom = false;
    cxm_rc rc = cxm__grow((void **)&p->m, &p->cap, p->n + 1, sizeof(*p->m));

    if (rc)
        return rc;
    k = &p->m[p->n++];
    memset(k, 0, sizeof(*k));
    k->subject_id = dup_or_null(m->subject_id, &oom);
    k->ticket_id = dup_or_null(m->ticket_id, &oom);
    k->customer_id = dup_or_null(m->customer_id, &oom);
    k->agent_id = dup_or_null(m->agent_id, &oom);
    k->team = dup_or_null(m->team, &oom);
    k->channel = dup_or_null(m->channel, &oom);
    k->email = dup_or_null(m->email, &oom);
    k->phone = dup_or_null(m->phone, &oom);
    k->language = dup_or_null(m->language, &oom);
    k->at = m->at;
    return oom || !k->subject_id ? CXM_ENOMEM : CXM_OK;
}

/* An address the mail can go to (cxm__email_ok()). */
static bool good_email(const char *a)
{
    return a && cxm__email_ok(a, strlen(a));
}

/* A phone number an SMS can go to: + and 6 to 15 digits (E.164),
 * spaces and dashes ignored. */
static bool good_phone(const char *p)
{
    int digits = 0;

    if (!p)
        return false;
    for (const char *c = p + (*p == '+'); *c; c++) {
        if (cxm__is_digit((unsigned char)*c))
            digits++;
        else if (*c != ' ' && *c != '-')
            return false;
    }
    return digits >= 6 && digits <= 15;
}

/* The survey language for a customer's `lang`: itself, else its primary
 * subtag (fi-FI: fi), else NULL (the survey's default). */
static const char *language_for(const cxm_survey *sv, const char *lang,
                                char *buf, size_t cap)
{
    size_t n;

    if (!lang)
        return NULL;
    if (cxm_survey_has_language(sv, lang))
        return lang;
    n = strcspn(lang, "-_");
    if (n == 0 || n >= cap)
        return NULL;
    memcpy(buf, lang, n);
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)cxm__to_lower((unsigned char)buf[i]);
    return cxm_survey_has_language(sv, buf) ? buf : NULL;
}

/* Records the decision on moment m: rule r (NULL: none) and, for a skip,
 * the reason. */
static cxm_rc decide(struct pass *p, const struct moment *m,
                     const struct rule *r, const char *recipient,
                     int64_t due, const char *reason)
{
    struct cxm__outbox_row o;
    struct cxm_invitation inv;
    struct cxm_invitation_error err;
    char buf[16], link[72] = "";
    int64_t id;
    cxm_rc rc;

    memset(&o, 0, sizeof(o));
    memset(&inv, 0, sizeof(inv));
    o.kind = "invite";
    o.moment = p->key;
    o.subject_id = m->subject_id;
    o.rule_id = r ? r->id : 0;
    o.survey = r ? r->survey : NULL;
    o.channel = r ? r->channel : NULL;
    o.recipient = recipient;
    o.ticket_id = m->ticket_id;
    o.customer_id = m->customer_id;
    o.agent_id = m->agent_id;
    o.team = m->team;
    o.created_at = p->now;
    o.due_at = due;
    if (!reason) {
        struct cxm_invitation_req req;
        memset(&req, 0, sizeof(req));
        req.size = sizeof(req);
        req.survey = r->survey;
        req.language = language_for(r->sv, m->language, buf, sizeof(buf));
        req.ticket_id = m->ticket_id;
        req.customer_id = m->customer_id;
        req.agent_id = m->agent_id;
        req.team = m->team;
        req.channel = r->channel;
        rc = cxm_invitation_create(p->st, &req, &inv, &err);
        if (rc == CXM_EINPUT)
            reason = "the invitation was refused (a key value not usable)";
        else if (rc)
            return rc;
        sodium_memzero(inv.token, sizeof(inv.token)); /* never shown */
        o.invitation_id = reason ? NULL : inv.id;
        o.language = reason ? NULL
                     : req.language ? req.language
                                    : cxm_survey_default_language(r->sv);
    }
    o.status = reason ? "skipped" : "queued";
    o.reason = reason;
    rc = p->st->ops->outbox_put(p->st, &o, &id);
    if (!rc && reason)
        p->counts->skipped++;
    else if (!rc)
        p->counts->queued++;
    if (!rc && !reason && strcmp(r->channel, "chat") == 0) {
        /* handed to the helpdesk now, with a link of its own */
        rc = cxm__invite_new_link(p->st, inv.id, p->now, link, sizeof(link));
        if (!rc)
            rc = p->st->ops->outbox_update(p->st, id, "sent", NULL, 0,
                                           p->now);
        o.status = "sent";
    }
    if (!rc && p->fn && m->ticket_id)
        rc = p->fn(m->ticket_id, o.status, reason, o.invitation_id,
                   link[0] ? link : NULL, p->fn_ud);
    sodium_memzero(link, sizeof(link));
    return rc;
}

/* The fatigue rules for an invitation of m due at `due` to `recipient`;
 * NULL when it may go, else why not (into why[0..cap)). */
static cxm_rc fatigue(struct pass *p, const struct moment *m,
                      const char *recipient, int64_t due, char *why,
                      size_t cap, bool *ok)
{
    struct cxm__send_facts f;
    int64_t day = cxm__day_of_ms(due) * CXM__MS_PER_DAY;
    int64_t period = p->cfg->fatigue_days * CXM__MS_PER_DAY;
    cxm_rc rc = p->st->ops->send_facts(p->st, m->customer_id, recipient, due,
                                       day, day + CXM__MS_PER_DAY, &f);

    *ok = false;
    if (rc)
        return rc;
    if (f.unsubscribed)
        snprintf(why, cap, "unsubscribed");
    else if (f.has_last && period > 0 &&
             (f.last_due_at > due ? f.last_due_at - due
                                  : due - f.last_due_at) < period)
        snprintf(why, cap,
                 "fatigue: the customer has an invitation within %lld days",
                 (long long)p->cfg->fatigue_days);
    else if (p->cfg->daily_cap > 0 && f.day_count >= p->cfg->daily_cap)
        snprintf(why, cap, "daily cap: %lld invitations due that day",
                 (long long)p->cfg->daily_cap);
    else
        *ok = true;
    return CXM_OK;
}

static cxm_rc decide_moment(struct pass *p, const struct moment *m)
{
    const struct rule *fit = NULL;
    const char *reason = NULL, *recipient = NULL;
    char why[160];
    bool ok;
    cxm_rc rc;

    for (size_t i = 0; i < p->n_group; i++) {
        const struct rule *r = p->group[i];
        if (r->team && (!m->team || strcmp(r->team, m->team) != 0))
            continue;
        if (!fit) {
            fit = r; /* the reason of the first rule that fits is told */
            reason = "the survey of the rule is no longer in the store";
        }
        if (!r->sv)
            continue;
        if (strcmp(r->channel, "email") == 0) {
            if (!good_email(m->email)) {
                if (fit == r)
                    reason = m->email ? "the customer's email address is "
                                        "not usable"
                                      : "no email address for the customer";
                continue;
            }
            recipient = m->email;
        } else if (strcmp(r->channel, "sms") == 0) {
            if (!good_phone(m->phone)) {
                if (fit == r)
                    reason = "no usable phone number for the customer";
                continue;
            }
            recipient = m->phone;
        } else if (!p->chat) {
            if (fit == r)
                reason = "chat: the helpdesk posts the link (POST "
                         "/api/v1/tickets or /api/v1/invitations)";
            continue;
        }
        rc = fatigue(p, m, recipient, m->at + r->delay_ms, why, sizeof(why),
                     &ok);
        if (rc)
            return rc;
        return decide(p, m, r, recipient, m->at + r->delay_ms,
                      ok ? NULL : why);
    }
    if (!fit)
        reason = "no rule for the ticket's team";
    return decide(p, m, fit, NULL, m->at, reason);
}

/* Decides every moment of query q with the rules of p->group. */
static cxm_rc decide_all(struct pass *p, struct cxm__moment_query *q)
{
    cxm_rc rc = CXM_OK;

    p->key = q->key;
    q->limit = MOMENTS_PER_QUERY;
    while (!rc) {
        p->n = 0;
        rc = p->st->ops->send_moments(p->st, q, keep_moment, p);
        for (size_t i = 0; !rc && i < p->n; i++)
            rc = decide_moment(p, &p->m[i]);
        for (size_t i = 0; i < p->n; i++)
            moment_release(&p->m[i]);
        if (p->n < MOMENTS_PER_QUERY)
            break;
    }
    return rc;
}

/* The moments of every rule: resolved tickets, orders and new customers
 * decided by all the rules of their moment (the first that fits wins);
 * quiet customers and one-off sends rule by rule (their window is the
 * rule's). */
static cxm_rc decide_rules(struct pass *p)
{
    static const char *const shared[] = {"resolved", "order",
                                         "new_customer"};
    int64_t age = p->cfg->max_age_days * CXM__MS_PER_DAY;
    char key[48];
    cxm_rc rc = CXM_OK;

    for (size_t k = 0; !rc && k < CXM_ARRAY_LEN(shared); k++) {
        struct cxm__moment_query q = {shared[k], shared[k], NULL, 0,
                                      p->now + 1, 0};
        int64_t longest = 0; /* the window reaches back to the moments
                                due within invites.max_age_days */
        p->n_group = 0;
        for (size_t i = 0; i < p->n_rules; i++) {
            if (strcmp(p->rules[i].moment, shared[k]) == 0) {
                p->group[p->n_group++] = &p->rules[i];
                if (p->rules[i].delay_ms > longest)
                    longest = p->rules[i].delay_ms;
            }
        }
        q.from = p->now - age - longest;
        if (p->n_group)
            rc = decide_all(p, &q);
    }
    for (size_t i = 0; !rc && i < p->n_rules; i++) {
        const struct rule *r = &p->rules[i];
        struct cxm__moment_query q = {r->moment, r->moment, r->segment, 0, 0,
                                      0};
        if (strcmp(r->moment, "quiet") == 0) {
            q.from = p->now - r->delay_ms - age;
            q.to = p->now - r->delay_ms + 1;
        } else if (strcmp(r->moment, "segment") == 0) {
            snprintf(key, sizeof(key), "segment:%lld", (long long)r->id);
            q.key = key;
            q.from = r->created_at;
            q.to = r->created_at + 1;
        } else
            continue;
        p->group[0] = r;
        p->n_group = 1;
        rc = decide_all(p, &q);
    }
    return rc;
}

cxm_rc cxm__send_trigger_tx(cxm_store *st, const struct cxm__send_cfg *cfg,
                            int64_t now, bool chat, cxm__decision_fn fn,
                            void *fn_ud, struct cxm_send_counts *counts)
{
    struct pass p;
    cxm_rc rc = cxm__store_sends(st);

    if (rc)
        return rc;
    memset(&p, 0, sizeof(p));
    p.st = st;
    p.cfg = cfg;
    p.now = now;
    p.counts = counts;
    p.chat = chat;
    p.fn = fn;
    p.fn_ud = fn_ud;
    rc = st->ops->send_rules(st, keep_rule, &p);
    if (!rc)
        rc = decide_rules(&p);
    for (size_t i = 0; i < p.n_rules; i++) {
        cxm__free(p.rules[i].survey);
        cxm__free(p.rules[i].channel);
        cxm__free(p.rules[i].team);
        cxm__free(p.rules[i].moment);
        cxm__free(p.rules[i].segment);
        cxm_survey_free(p.rules[i].sv);
    }
    cxm__free(p.m);
    return rc;
}

cxm_rc cxm__trigger_job_run(cxm_store *st, void *ud)
{
    struct cxm__trigger_job *t = ud;

    return cxm__send_trigger_tx(st, t->cfg, t->now, false, NULL, NULL,
                                t->counts);
}

/* The command line's transaction runner: begin, the job, commit. */
static cxm_rc run_tx(void *runner_ud, cxm__tx_job fn, void *fn_ud)
{
    cxm_store *st = runner_ud;
    cxm_rc rc = cxm__store_begin(st);

    if (rc)
        return rc;
    rc = fn(st, fn_ud);
    if (!rc)
        rc = cxm__store_commit(st);
    if (rc)
        cxm__store_rollback(st);
    return rc;
}

static int64_t now_of(const struct cxm_send_opts *o)
{
    return o && o->now > 0 ? o->now : cxm__now_ms();
}

/* The trigger pass in one transaction, then (with `send`) every message
 * due. */
static cxm_rc trigger_and_send(cxm_store *st, const struct cxm_send_opts *o,
                               bool send, struct cxm_send_counts *out)
{
    struct cxm_send_counts counts;
    struct cxm__send_cfg cfg;
    struct cxm__trigger_job t;
    cxm_rc rc;

    if (!st)
        return CXM_EINVAL;
    memset(&counts, 0, sizeof(counts));
    rc = cxm__send_cfg_load(st, o, NULL, &cfg);
    if (rc)
        return rc;
    t.cfg = &cfg;
    t.now = now_of(o);
    t.counts = &counts;
    rc = run_tx(st, cxm__trigger_job_run, &t);
    if (!rc && send)
        rc = cxm__outbox_pump(st, &cfg, o ? o->now : 0, run_tx, st, NULL,
                              &counts);
    cxm__send_cfg_release(&cfg);
    if (out)
        *out = counts;
    return rc;
}

cxm_rc cxm_send_trigger(cxm_store *st, const struct cxm_send_opts *o,
                        struct cxm_send_counts *out)
{
    return trigger_and_send(st, o, false, out);
}

cxm_rc cxm_outbox_run(cxm_store *st, const struct cxm_send_opts *o,
                      struct cxm_send_counts *out)
{
    return trigger_and_send(st, o, true, out);
}
