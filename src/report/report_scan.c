/* SPDX-License-Identifier: MIT
 *
 * report_scan.c — the scan path of a report: reads the rows of each record
 * kind the wanted metrics need and adds them to the sufficient statistics
 * of their groups (report_int.h). Events count in the period of their own
 * timestamp; states (backlog, active customers, headcount) are taken per
 * row period, i.e. per segment of the builder (docs/report-semantics.md).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "period.h"
#include "report_int.h"
#include "store_int.h"

#define MS_30_DAYS (30 * CXM__MS_PER_DAY)
#define MS_365_DAYS (365 * CXM__MS_PER_DAY)

static bool in_period(const struct cxm__builder *b, int64_t ms)
{
    return ms >= b->from && ms < b->to;
}

static bool want_any(const struct cxm__builder *b, const cxm_metric *ms,
                     size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b->want[ms[i]])
            return true;
    }
    return false;
}

/* Whether a wanted metric is computed from records of `kind`. */
static bool want_kind(const struct cxm__builder *b, cxm_kind kind)
{
    for (int m = 0; m < CXM_METRIC_COUNT; m++) {
        if (b->want[m] && cxm__metric_needs_kind((cxm_metric)m, kind))
            return true;
    }
    return false;
}

/* ---- Customers and their orders -------------------------------------- */

struct customer {
    bool known;           /* in the customers table */
    int64_t acquired_at;
    bool has_churned;
    int64_t churned_at;
    char *segment;        /* owned; NULL when missing */
    int64_t *order_at;    /* owned; ascending */
    double *amount;       /* owned; parallel to order_at */
    size_t *cur;          /* owned; parallel: the currency code index */
    size_t n_orders, orders_cap, amount_cap, cur_cap;
};

struct cxm__customers {
    struct cxm__strmap index; /* customer_id -> position */
    struct customer *v;
    size_t n, cap;
    struct cxm__strmap cur_index; /* currency -> code index */
    char **codes;                 /* owned; "" when an order named none */
    size_t n_codes, codes_cap;
};

static void customers_free(struct cxm__customers *cs)
{
    if (!cs)
        return;
    for (size_t i = 0; i < cs->n; i++) {
        cxm__free(cs->v[i].segment);
        cxm__free(cs->v[i].order_at);
        cxm__free(cs->v[i].amount);
        cxm__free(cs->v[i].cur);
    }
    cxm__free(cs->v);
    cxm__strmap_release(&cs->index);
    for (size_t i = 0; i < cs->n_codes; i++)
        cxm__free(cs->codes[i]);
    cxm__free(cs->codes);
    cxm__strmap_release(&cs->cur_index);
    cxm__free(cs);
}

static cxm_rc customer_get(struct cxm__customers *cs, const char *id,
                           struct customer **out)
{
    size_t pos;
    bool inserted;
    cxm_rc rc = cxm__strmap_upsert(&cs->index, id, strlen(id), cs->n, &pos,
                                   NULL, &inserted);

    if (rc)
        return rc;
    if (inserted) {
        rc = cxm__grow((void **)&cs->v, &cs->cap, cs->n + 1, sizeof(*cs->v));
        if (rc)
            return rc;
        memset(&cs->v[cs->n], 0, sizeof(cs->v[0]));
        cs->n++;
    }
    *out = &cs->v[pos];
    return CXM_OK;
}

static struct customer *customer_find(const struct cxm__customers *cs,
                                      const char *id)
{
    size_t pos;

    if (!cs || !id || !cxm__strmap_get(&cs->index, id, strlen(id), &pos))
        return NULL;
    return &cs->v[pos];
}

static cxm_rc on_customer_row(const struct cxm__row *row, void *ud)
{
    struct cxm__customers *cs = ud;
    struct customer *c;
    cxm_rc rc;

    if (row->is_null[0])
        return CXM_OK;
    rc = customer_get(cs, row->text[0], &c);
    if (rc)
        return rc;
    c->known = true;
    c->acquired_at = row->i64[1];
    c->has_churned = !row->is_null[2];
    c->churned_at = row->i64[2];
    if (!row->is_null[3]) {
        c->segment = cxm__strdup(row->text[3]);
        if (!c->segment)
            return CXM_ENOMEM;
    }
    return CXM_OK;
}

/* The index of currency `cur` among the codes read, added when new. */
static cxm_rc currency_code(struct cxm__customers *cs, const char *cur,
                            size_t *out)
{
    bool inserted;
    cxm_rc rc = cxm__strmap_upsert(&cs->cur_index, cur, strlen(cur),
                                   cs->n_codes, out, NULL, &inserted);

    if (rc || !inserted)
        return rc;
    rc = cxm__grow((void **)&cs->codes, &cs->codes_cap, cs->n_codes + 1,
                   sizeof(*cs->codes));
    if (rc)
        return rc;
    cs->codes[cs->n_codes] = cxm__strdup(cur);
    if (!cs->codes[cs->n_codes])
        return CXM_ENOMEM;
    cs->n_codes++;
    return CXM_OK;
}

static cxm_rc on_order_row(const struct cxm__row *row, void *ud)
{
    struct cxm__customers *cs = ud;
    struct customer *c;
    size_t cap2, code;
    cxm_rc rc;

    if (row->is_null[0])
        return CXM_OK;
    rc = customer_get(cs, row->text[0], &c);
    if (rc)
        return rc;
    cap2 = c->amount_cap;
    rc = cxm__grow((void **)&c->order_at, &c->orders_cap, c->n_orders + 1,
                   sizeof(*c->order_at));
    if (!rc)
        rc = cxm__grow((void **)&c->amount, &cap2, c->n_orders + 1,
                       sizeof(*c->amount));
    if (!rc)
        rc = cxm__grow((void **)&c->cur, &c->cur_cap, c->n_orders + 1,
                       sizeof(*c->cur));
    if (!rc)
        rc = currency_code(cs, row->text[3] ? row->text[3] : "", &code);
    if (rc)
        return rc;
    c->amount_cap = cap2;
    c->order_at[c->n_orders] = row->i64[1];
    c->amount[c->n_orders] = row->is_null[2] ? 0 : row->real[2];
    c->cur[c->n_orders] = code;
    c->n_orders++;
    return CXM_OK;
}

const char *const *cxm__report_scan_currencies(const struct cxm__builder *b,
                                               size_t *n)
{
    *n = b->customers ? b->customers->n_codes : 0;
    return b->customers ? (const char *const *)b->customers->codes : NULL;
}

/* Adds `amount` in currency `code` to the sums v[0..*n). */
static cxm_rc money_add(struct cxm__money_sum **v, size_t *n, size_t *cap,
                        size_t code, double amount)
{
    size_t i;
    cxm_rc rc;

    for (i = 0; i < *n && (*v)[i].code != code; i++)
        ;
    if (i == *n) {
        rc = cxm__grow((void **)v, cap, *n + 1, sizeof(**v));
        if (rc)
            return rc;
        (*v)[i].code = code;
        (*v)[i].sum = 0;
        (*v)[i].n = 0;
        (*n)++;
    }
    (*v)[i].sum += amount;
    (*v)[i].n++;
    return CXM_OK;
}

static cxm_rc load_customers(struct cxm__builder *b)
{
    cxm_rc rc;

    b->customers = cxm__calloc(1, sizeof(*b->customers));
    if (!b->customers)
        return CXM_ENOMEM;
    rc = cxm__store_query(b->st, CXM__Q_CUSTOMERS, on_customer_row,
                          b->customers);
    if (!rc)
        rc = cxm__store_query(b->st, CXM__Q_ORDERS, on_order_row,
                              b->customers);
    return rc;
}

/* Index of the first of the ascending v[0..n) at or after `ms`. */
static size_t first_at_or_after(const int64_t *v, size_t n, int64_t ms)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] >= ms)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Index of the first order at or after `ms`. */
static size_t order_at_or_after(const struct customer *c, int64_t ms)
{
    return first_at_or_after(c->order_at, c->n_orders, ms);
}

/* Per segment: churn, active customers, buyers; per event: revenue. */
static cxm_rc scan_customers(struct cxm__builder *b)
{
    static const cxm_metric state[] = {
        CXM_METRIC_CHURN, CXM_METRIC_RETENTION,
        CXM_METRIC_COMPLAINTS_PER_1000, CXM_METRIC_REPURCHASE_RATE,
        CXM_METRIC_REVENUE_AT_RISK};
    bool want_state = want_any(b, state, CXM_ARRAY_LEN(state));
    struct cxm__group *g;
    cxm_rc rc;

    for (size_t ci = 0; ci < b->customers->n; ci++) {
        const struct customer *c = &b->customers->v[ci];
        cxm__builder_clear(b);
        cxm__builder_dim(b, CXM_BY_SEGMENT, c->segment);
        if (b->want[CXM_METRIC_REVENUE]) {
            for (size_t i = 0; i < c->n_orders; i++) {
                if (!in_period(b, c->order_at[i]))
                    continue;
                cxm__builder_time(b, c->order_at[i]);
                rc = cxm__builder_group(b, &g);
                if (rc)
                    return rc;
                g->st.more->has_orders = true;
                g->st.more->n_orders++;
                g->st.more->revenue += c->amount[i];
                rc = money_add(&g->st.more->rev, &g->st.more->n_rev,
                               &g->st.more->rev_cap, c->cur[i],
                               c->amount[i]);
                if (rc)
                    return rc;
            }
        }
        if (!want_state)
            continue;
        for (size_t s = 0; s < b->n_segs; s++) {
            int64_t s0 = b->seg_start[s], s1 = b->seg_end[s];
            bool known_active_start, churned_here, churned_any, active_any;
            size_t n_before;
            cxm__builder_time(b, s0);
            rc = cxm__builder_group(b, &g);
            if (rc)
                return rc;
            g->st.more->has_customers = true;
            /* SPEC §2: active at s = acquired_at ≤ s and (churned_at
             * missing or ≥ s); churned = churned_at in [s, e). */
            known_active_start = c->known && c->acquired_at <= s0 &&
                                 (!c->has_churned || c->churned_at >= s0);
            churned_here = known_active_start && c->has_churned &&
                           c->churned_at < s1;
            /* revenue_at_risk: every customer who churned in [s, e), also
             * one acquired after s (SPEC §2: "customers who churned in
             * period"; churn's own base is those active at s). */
            churned_any = c->known && c->has_churned &&
                          c->churned_at >= s0 && c->churned_at < s1;
            /* complaints_per_1000: acquired before the end and not churned
             * before the start. */
            active_any = c->known && c->acquired_at < s1 &&
                         (!c->has_churned || c->churned_at >= s0);
            g->st.more->active_start += known_active_start;
            g->st.more->churned += churned_here;
            g->st.more->churned_any += churned_any;
            g->st.more->active_any += active_any;
            /* repurchase_rate: orders before the period's end. */
            n_before = order_at_or_after(c, s1);
            g->st.more->buyers += n_before >= 1;
            g->st.more->repeat_buyers += n_before >= 2;
            if (churned_any) {
                /* revenue_at_risk: the 12 months before churning. */
                size_t i = order_at_or_after(c, c->churned_at - MS_365_DAYS);
                for (; i < c->n_orders && c->order_at[i] < c->churned_at;
                     i++) {
                    g->st.more->revenue_at_risk += c->amount[i];
                    rc = money_add(&g->st.more->risk, &g->st.more->n_risk,
                                   &g->st.more->risk_cap, c->cur[i],
                                   c->amount[i]);
                    if (rc)
                        return rc;
                }
            }
        }
    }
    return CXM_OK;
}

/* ---- Repeat contacts (fcr.rule repeat_contact) ----------------------- */

struct repeat_list {
    int64_t *at; /* owned; created_at of the customer's tickets, sorted */
    size_t n, cap;
};

struct cxm__repeats {
    struct cxm__strmap index; /* customer_id -> position */
    struct repeat_list *v;
    size_t n, cap;
};

static void repeats_free(struct cxm__repeats *rp)
{
    if (!rp)
        return;
    for (size_t i = 0; i < rp->n; i++)
        cxm__free(rp->v[i].at);
    cxm__free(rp->v);
    cxm__strmap_release(&rp->index);
    cxm__free(rp);
}

static cxm_rc on_repeat_ticket(const struct cxm__ticket_row *t, void *ud)
{
    struct cxm__builder *b = ud;
    struct cxm__repeats *rp = b->repeats;
    struct repeat_list *l;
    size_t pos;
    bool inserted;
    cxm_rc rc;

    if (!t->customer_id ||
        cxm__definitions_excluded(b->r->defs, t->status, t->tags))
        return CXM_OK;
    rc = cxm__strmap_upsert(&rp->index, t->customer_id,
                            strlen(t->customer_id), rp->n, &pos, NULL,
                            &inserted);
    if (rc)
        return rc;
    if (inserted) {
        rc = cxm__grow((void **)&rp->v, &rp->cap, rp->n + 1, sizeof(*rp->v));
        if (rc)
            return rc;
        memset(&rp->v[rp->n++], 0, sizeof(rp->v[0]));
    }
    l = &rp->v[pos];
    rc = cxm__grow((void **)&l->at, &l->cap, l->n + 1, sizeof(*l->at));
    if (rc)
        return rc;
    l->at[l->n++] = t->created_at;
    return CXM_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* Every (kept) ticket's created_at, per customer, sorted. */
static cxm_rc load_repeats(struct cxm__builder *b)
{
    cxm_rc rc;

    b->repeats = cxm__calloc(1, sizeof(*b->repeats));
    if (!b->repeats)
        return CXM_ENOMEM;
    rc = cxm__store_scan_tickets(b->st, on_repeat_ticket, b);
    for (size_t i = 0; !rc && i < b->repeats->n; i++)
        qsort(b->repeats->v[i].at, b->repeats->v[i].n, sizeof(int64_t),
              cmp_i64);
    return rc;
}

/* docs/report-semantics.md: another ticket of the same customer created
 * in [created_at, resolved_at + N days] (the ticket itself excluded) is a
 * repeat contact. */
static bool repeat_contact(const struct cxm__builder *b,
                           const struct cxm__ticket_row *t)
{
    const struct cxm__repeats *rp = b->repeats;
    const struct repeat_list *l;
    int64_t until = t->resolved_at +
                    (int64_t)b->r->defs->repeat_days * CXM__MS_PER_DAY;
    size_t pos;

    if (!t->customer_id || !rp ||
        !cxm__strmap_get(&rp->index, t->customer_id, strlen(t->customer_id),
                         &pos))
        return false;
    l = &rp->v[pos];
    return first_at_or_after(l->at, l->n, until + 1) -
               first_at_or_after(l->at, l->n, t->created_at) >=
           2;
}

/* Whether a resolved ticket counts as resolved on first contact under
 * the definitions' fcr.rule. */
static bool is_fcr(const struct cxm__builder *b,
                   const struct cxm__ticket_row *t)
{
    /* SPEC §2: missing contacts count as 1, missing reopened as false. */
    bool contacts_rule = (!t->has_contacts || t->contacts == 1) &&
                         t->reopened != 1;

    switch (b->r->defs->fcr_rule) {
    case CXM__FCR_ONE_TOUCH:
        /* Zendesk's one-touch: fewer than two agent replies; a ticket
         * without `replies` is judged by the contacts rule. */
        return t->has_replies ? t->replies < 2 : contacts_rule;
    case CXM__FCR_REPEAT_CONTACT:
        return t->reopened != 1 && !repeat_contact(b, t);
    case CXM__FCR_CONTACTS:
        break;
    }
    return contacts_rule;
}

/* Adds the business time of [t0, t1) on the ticket's calendar to d. */
static cxm_rc push_business(const struct cxm__builder *b,
                            const struct cxm__ticket_row *t, int64_t t0,
                            int64_t t1, struct cxm__qsketch *d)
{
    const struct cxm__calendar *c;

    if (!b->r->defs->n_calendars)
        return CXM_OK;
    c = cxm__definitions_calendar(b->r->defs, t->team);
    if (!c)
        return CXM_OK;
    return cxm__qsketch_add(d, (double)cxm__calendar_business_ms(c, t0, t1) /
                                   1e3);
}

/* ---- Tickets --------------------------------------------------------- */

static void label_ticket(struct cxm__builder *b,
                         const struct cxm__ticket_row *t)
{
    cxm__builder_clear(b);
    cxm__builder_dim(b, CXM_BY_AGENT, t->agent_id);
    cxm__builder_dim(b, CXM_BY_TEAM, t->team);
    cxm__builder_dim(b, CXM_BY_CHANNEL, t->channel);
    cxm__builder_dim(b, CXM_BY_TOPIC, t->topic);
    cxm__builder_dim(b, CXM_BY_SEGMENT, t->segment);
}

/* Adds an agent to the group's distinct agents (productivity). */
static cxm_rc count_agent(struct cxm__builder *b, struct cxm__group *g,
                          const char *agent)
{
    struct cxm__buf k = CXM__BUF_INIT(4096);
    size_t pos;
    bool inserted;
    cxm_rc rc = cxm__buf_addf(&k, "%zu\x1f%s", (size_t)(g - b->groups),
                              agent);

    if (!rc)
        rc = cxm__strmap_upsert(&b->pairs, k.data, k.len, 0, &pos, NULL,
                                &inserted);
    cxm__buf_release(&k);
    if (rc)
        return rc;
    g->st.more->prod_agents += inserted;
    return CXM_OK;
}

static cxm_rc ticket_created(struct cxm__builder *b,
                             const struct cxm__ticket_row *t)
{
    struct cxm__group *g;
    const struct customer *c;
    cxm_rc rc;

    cxm__builder_time(b, t->created_at);
    rc = cxm__builder_group(b, &g);
    if (rc)
        return rc;
    g->st.more->has_tickets = true;
    g->st.more->created++;
    g->st.more->created_resolved += t->has_resolved;
    g->st.more->escalated += t->escalated == 1;
    g->st.more->complaints += t->complaint == 1;
    if (!b->want[CXM_METRIC_CONVERSION_RATE] || !t->customer_id)
        return CXM_OK;
    /* SPEC §2: tickets from customers with no order before the ticket;
     * converted when the first order follows within 30 days. */
    c = customer_find(b->customers, t->customer_id);
    if (c && c->n_orders && c->order_at[0] < t->created_at)
        return CXM_OK;
    g->st.more->conv_base++;
    g->st.more->conv_hits += c && c->n_orders &&
                             c->order_at[0] - t->created_at <= MS_30_DAYS;
    return CXM_OK;
}

static cxm_rc ticket_resolved(struct cxm__builder *b,
                              const struct cxm__ticket_row *t)
{
    struct cxm__group *g;
    const struct customer *c;
    cxm_rc rc;

    cxm__builder_time(b, t->resolved_at);
    rc = cxm__builder_group(b, &g);
    if (rc)
        return rc;
    g->st.more->has_tickets = true;
    g->st.more->resolved++;
    g->st.more->fcr += is_fcr(b, t);
    if (b->want[CXM_METRIC_ART]) {
        struct cxm__group_durations *dur = cxm__group_durations(g->st.more);
        if (!dur)
            return CXM_ENOMEM;
        rc = cxm__qsketch_add(&dur->art,
                              (double)(t->resolved_at - t->created_at) / 1e3);
        if (!rc)
            rc = push_business(b, t, t->created_at, t->resolved_at,
                               &dur->art_bus);
        if (rc)
            return rc;
    }
    if (t->agent_id && b->want[CXM_METRIC_AGENT_PRODUCTIVITY]) {
        g->st.more->prod_tickets++;
        rc = count_agent(b, g, t->agent_id);
        if (rc)
            return rc;
    }
    if (!b->want[CXM_METRIC_POST_SERVICE_REPURCHASE] || !t->customer_id)
        return CXM_OK;
    g->st.more->ps_base++;
    c = customer_find(b->customers, t->customer_id);
    if (c) {
        size_t i = order_at_or_after(c, t->resolved_at);
        g->st.more->ps_hits += i < c->n_orders &&
                               c->order_at[i] - t->resolved_at <= MS_30_DAYS;
    }
    return CXM_OK;
}

/* SPEC §2: backlog at t = created_at < t and (unresolved or resolved ≥ t),
 * for t the end of each row period. */
static cxm_rc ticket_backlog(struct cxm__builder *b,
                             const struct cxm__ticket_row *t)
{
    size_t i0 = cxm__builder_seg_after(b, t->created_at);
    size_t i1 = t->has_resolved ? cxm__builder_seg_after(b, t->resolved_at)
                                : b->n_segs;
    struct cxm__group *g;
    cxm_rc rc;

    for (size_t i = i0; i < i1; i++) {
        cxm__builder_time(b, b->seg_start[i]);
        rc = cxm__builder_group(b, &g);
        if (rc)
            return rc;
        g->st.more->has_tickets = true;
        g->st.more->backlog++;
    }
    return CXM_OK;
}

static cxm_rc on_ticket(const struct cxm__ticket_row *t, void *ud)
{
    struct cxm__builder *b = ud;
    struct cxm__group_durations *dur;
    struct cxm__group *g;
    cxm_rc rc;

    /* Excluded tickets (definitions exclude.*) count nowhere. */
    if (cxm__definitions_excluded(b->r->defs, t->status, t->tags))
        return CXM_OK;
    label_ticket(b, t);
    if (in_period(b, t->created_at)) {
        rc = ticket_created(b, t);
        if (rc)
            return rc;
    }
    if (t->has_resolved && in_period(b, t->resolved_at)) {
        rc = ticket_resolved(b, t);
        if (rc)
            return rc;
    }
    if (t->has_first_response && in_period(b, t->first_response_at) &&
        b->want[CXM_METRIC_FRT]) {
        cxm__builder_time(b, t->first_response_at);
        rc = cxm__builder_group(b, &g);
        if (rc)
            return rc;
        g->st.more->has_tickets = true;
        dur = cxm__group_durations(g->st.more);
        if (!dur)
            return CXM_ENOMEM;
        rc = cxm__qsketch_add(&dur->frt,
                              (double)(t->first_response_at - t->created_at) /
                                  1e3);
        if (!rc)
            rc = push_business(b, t, t->created_at, t->first_response_at,
                               &dur->frt_bus);
        if (rc)
            return rc;
    }
    if (b->want[CXM_METRIC_BACKLOG])
        return ticket_backlog(b, t);
    return CXM_OK;
}

/* ---- Survey answers -------------------------------------------------- */

/* The statistics of the survey of `row` in the group of its labels
 * (answered by `agent`), made when new. Rows and rollup cells alike. */
static cxm_rc answer_stat(struct cxm__builder *b,
                          const struct cxm__response_row *row,
                          const char *agent, struct cxm_survey_stat **out)
{
    struct cxm__group *g;
    cxm_rc rc;

    cxm__builder_clear(b);
    cxm__builder_dim(b, CXM_BY_AGENT, agent);
    cxm__builder_dim(b, CXM_BY_TEAM, row->team);
    cxm__builder_dim(b, CXM_BY_CHANNEL, row->channel);
    cxm__builder_dim(b, CXM_BY_LANGUAGE, row->language);
    cxm__builder_dim(b, CXM_BY_TOPIC, row->topic);
    cxm__builder_dim(b, CXM_BY_SURVEY, row->survey);
    cxm__builder_dim(b, CXM_BY_SEGMENT, row->segment);
    cxm__builder_time(b, row->responded_at);
    rc = cxm__builder_group(b, &g);
    if (!rc) {
        *out = cxm__group_survey(g, row->survey);
        if (!*out)
            rc = CXM_ENOMEM;
    }
    return rc;
}

static cxm_rc on_response(const struct cxm__response_row *row, void *ud)
{
    struct cxm__builder *b = ud;
    struct cxm_survey_stat *s;
    const char *agent = row->agent_id;
    cxm_rc rc;

    /* Custom surveys feed no metric of a report. */
    if (!row->has_score || (strcmp(row->survey, "csat") != 0 &&
                            strcmp(row->survey, "nps") != 0 &&
                            strcmp(row->survey, "ces") != 0))
        return CXM_OK;
    /* An answer about an excluded ticket is excluded with it. */
    if (row->has_ticket && cxm__definitions_excluded(b->r->defs,
                                                     row->ticket_status,
                                                     row->ticket_tags))
        return CXM_OK;
    /* rating.agent: whose answer it is. */
    if (b->r->defs->rating_agent == CXM__RATING_TICKET_ASSIGNEE &&
        row->ticket_agent_id)
        agent = row->ticket_agent_id;
    rc = answer_stat(b, row, agent, &s);
    if (rc)
        return rc;
    cxm_survey_stat_add(s, row->survey, row->score, row->scale_min,
                        row->scale_max);
    return CXM_OK;
}

/* A rollup cell: a histogram of answers alike (0004-rollups.sql). */
static cxm_rc on_rollup(const struct cxm__response_row *row,
                        const int64_t *hist, void *ud)
{
    struct cxm__builder *b = ud;
    struct cxm_survey_stat *s;
    cxm_rc rc;

    rc = answer_stat(b, row, row->agent_id, &s);
    if (rc)
        return rc;
    for (int k = 0; k <= row->scale_max - row->scale_min; k++) {
        if (hist[k])
            cxm_survey_stat_add_n(s, row->survey, row->scale_min + k,
                                  row->scale_min, row->scale_max, hist[k]);
    }
    return CXM_OK;
}

/* Whether no answer lies in [from, to) (an empty range: none). */
static cxm_rc no_answers(struct cxm__builder *b, int64_t from, int64_t to,
                         bool *none)
{
    bool any = false;
    cxm_rc rc = cxm__store_responses_between(b->st, from, to, &any);

    *none = !any;
    return rc;
}

/* Which rollup cells a report reads: one cube, and the cells of up to
 * three spans of first days [from_t, to_t), each of one grain. */
struct rollup_plan {
    int cube; /* -1: no rollup serves */
    size_t n_spans;
    struct {
        int grain;
        int64_t from_t, to_t;
    } span[3];
    const char *cells; /* the grains read, for --explain */
};

static void plan_span(struct rollup_plan *p, int grain, int64_t from_ms,
                      int64_t to_ms)
{
    if (from_ms >= to_ms)
        return;
    p->span[p->n_spans].grain = grain;
    p->span[p->n_spans].from_t = cxm__day_of_ms(from_ms);
    p->span[p->n_spans].to_t = cxm__day_of_ms(to_ms);
    p->n_spans++;
}

/* Month cells [first, end) (month starts, UTC), or coarser cells where a
 * breakdown without a time dimension finer than a year allows: the
 * all-time cells when no answer lies outside [first, end), else the years
 * inside it and the months at its ends. */
static cxm_rc plan_months(struct cxm__builder *b, struct rollup_plan *p,
                          int64_t first, int64_t end, int coarse)
{
    int64_t y0, y1;
    bool none = false;
    cxm_rc rc;

    if (coarse == 2) {
        rc = no_answers(b, INT64_MIN, first, &none);
        if (!rc && none)
            rc = no_answers(b, end, INT64_MAX, &none);
        if (rc)
            return rc;
        if (none) {
            p->span[0].grain = 3;
            p->span[0].from_t = 0;
            p->span[0].to_t = 1;
            p->n_spans = 1;
            p->cells = "all time";
            return CXM_OK;
        }
    }
    y0 = cxm__bucket_start(CXM_BY_YEAR, first);
    if (y0 < first)
        y0 = cxm__bucket_next(CXM_BY_YEAR, y0);
    y1 = cxm__bucket_start(CXM_BY_YEAR, end);
    if (coarse && y0 < y1) {
        plan_span(p, 1, first, y0);
        plan_span(p, 2, y0, y1);
        plan_span(p, 1, y1, end);
        p->cells = p->n_spans > 1 ? "years and months" : "years";
        return CXM_OK;
    }
    plan_span(p, 1, first, end);
    p->cells = "months";
    return CXM_OK;
}

/* What a rollup cell costs a report, in answers of the column scan, and
 * what starting the scan costs (mapping the segment file, the
 * dictionaries), likewise; docs/performance.md has the measurements. */
#define CELL_COST_ANSWERS 200
#define SCAN_START_ANSWERS 500000

/* Whether the cells of p cost less than counting the answers of the
 * months of [b->from, b->to) in their column segments. The cells are
 * counted only up to the point where the scan wins. */
static cxm_rc cells_cheaper(struct cxm__builder *b,
                            const struct rollup_plan *p, bool *cheaper)
{
    int64_t answers = 0, cells = 0, limit, n = 0;
    cxm_rc rc = cxm__store_segment_answers(
        b->st, cxm__day_of_ms(cxm__bucket_start(CXM_BY_MONTH, b->from)),
        cxm__day_of_ms(b->to - 1) + 1, &answers);

    *cheaper = true;
    if (rc)
        return rc;
    limit = (answers + SCAN_START_ANSWERS) / CELL_COST_ANSWERS + 1;
    for (size_t i = 0; !rc && i < p->n_spans && cells < limit; i++) {
        rc = cxm__store_rollup_cells(b->st, p->span[i].grain, p->cube,
                                     p->span[i].from_t, p->span[i].to_t,
                                     limit - cells, &n);
        cells += n;
    }
    *cheaper = cells < limit;
    return rc;
}

/* Whether the answers of [b->from, b->to) can be read from rollups, and
 * which: every breakdown one a cube keeps, buckets in UTC (rollup cells
 * are UTC days, months and years), and no answer in the parts of the
 * first and last cell outside the period. Months (and years, and all
 * time: plan_months()) serve a breakdown without day or week; days serve
 * the rest, on fewer cubes; but not when the column scan would be
 * cheaper (cells_cheaper()). Else p->cube = -1: the scan path
 * (docs/performance.md, "Rollups"). */
static cxm_rc choose_rollup(struct cxm__builder *b, struct rollup_plan *p)
{
    unsigned dims = 0;
    bool fine = false, none = false;
    int coarse = 2; /* 2: all time serves, 1: years, 0: neither */
    cxm_rc rc = CXM_OK;

    memset(p, 0, sizeof(*p));
    p->cube = -1;
    if (b->r->read != CXM_READ_AUTO || b->r->zone || b->from >= b->to)
        return CXM_OK;
    /* Rollups count every answer under the answer's own agent: exclusions
     * and ticket-assignee attribution need the rows. */
    if (b->r->defs->n_ex_status || b->r->defs->n_ex_tags ||
        b->r->defs->rating_agent != CXM__RATING_RESPONSE)
        return CXM_OK;
    for (size_t k = 0; k < b->r->n_by; k++) {
        switch (b->r->by[k]) {
        case CXM_BY_DAY:
        case CXM_BY_WEEK: fine = true; break;
        case CXM_BY_MONTH:
        case CXM_BY_QUARTER: coarse = 0; break;
        case CXM_BY_YEAR: coarse = coarse ? 1 : 0; break;
        case CXM_BY_SURVEY: break;
        case CXM_BY_AGENT: dims |= CXM__CUBE_AGENT; break;
        case CXM_BY_TEAM: dims |= CXM__CUBE_TEAM; break;
        case CXM_BY_CHANNEL: dims |= CXM__CUBE_CHANNEL; break;
        case CXM_BY_LANGUAGE: dims |= CXM__CUBE_LANGUAGE; break;
        case CXM_BY_TOPIC: dims |= CXM__CUBE_TOPIC; break;
        default: return CXM_OK; /* segment, source: not in a cube */
        }
    }
    for (int g = fine ? 0 : 1; g >= 0; g--) {
        cxm_dim cell = g ? CXM_BY_MONTH : CXM_BY_DAY;
        int64_t first = cxm__bucket_start(cell, b->from);
        int64_t end = cxm__bucket_next(cell, cxm__bucket_start(cell,
                                                               b->to - 1));
        int cube = -1;
        rc = cxm__store_rollup_cube(b->st, g, dims, &cube);
        if (rc || cube < 0)
            continue;
        rc = no_answers(b, first, b->from, &none);
        if (!rc && none)
            rc = no_answers(b, b->to, end, &none);
        if (rc)
            return rc;
        if (!none)
            continue;
        p->cube = cube;
        if (g) {
            rc = plan_months(b, p, first, end, coarse);
        } else {
            plan_span(p, 0, first, end);
            p->cells = "days";
        }
        /* Many cells (day cells over a long period): the scan. */
        if (!rc)
            rc = cells_cheaper(b, p, &none);
        if (!rc && !none)
            p->cube = -1;
        return rc;
    }
    return rc;
}

static cxm_rc scan_answers(struct cxm__builder *b)
{
    struct rollup_plan p;
    bool done = false;
    cxm_rc rc = choose_rollup(b, &p);

    if (rc)
        return rc;
    /* Every cell's checksum first: a damaged cell (CXM_EINPUT, with a
     * note) sends the report to the segments or the rows, before any
     * cell reached a group. */
    for (size_t i = 0; !rc && p.cube >= 0 && i < p.n_spans; i++)
        rc = cxm__store_scan_rollup(b->st, p.span[i].grain, p.cube,
                                    p.span[i].from_t, p.span[i].to_t, NULL,
                                    NULL);
    if (rc == CXM_EINPUT) {
        rc = CXM_OK;
        p.cube = -1;
    }
    if (rc)
        return rc;
    if (p.cube >= 0) {
        b->answers_path = CXM__PATH_ROLLUPS;
        b->rollup_cells = p.cells;
        for (size_t i = 0; !rc && i < p.n_spans; i++)
            rc = cxm__store_scan_rollup(b->st, p.span[i].grain, p.cube,
                                        p.span[i].from_t, p.span[i].to_t,
                                        on_rollup, b);
        return rc;
    }
    rc = cxm__report_scan_columns(b, &done);
    if (rc || done) {
        b->answers_path = CXM__PATH_COLUMNS;
        return rc;
    }
    b->answers_path = CXM__PATH_ROWS;
    return cxm__store_scan_responses(b->st, b->from, b->to, on_response, b);
}

/* ---- Self-service, agents, hours, reviews, QA ------------------------ */

static cxm_rc on_session(const struct cxm__row *row, void *ud)
{
    struct cxm__builder *b = ud;
    struct cxm__group *g;
    cxm_rc rc;

    if (!in_period(b, row->i64[0]))
        return CXM_OK;
    cxm__builder_clear(b);
    cxm__builder_dim(b, CXM_BY_TOPIC, row->text[2]);
    cxm__builder_dim(b, CXM_BY_SEGMENT, row->text[3]);
    cxm__builder_time(b, row->i64[0]);
    rc = cxm__builder_group(b, &g);
    if (rc)
        return rc;
    g->st.more->sessions++;
    g->st.more->sessions_resolved += !row->is_null[1] && row->i64[1] != 0;
    return CXM_OK;
}

/* Per segment: agents who left, and agent-time employed. */
static cxm_rc on_agent(const struct cxm__row *row, void *ud)
{
    struct cxm__builder *b = ud;
    struct cxm__group *g;
    bool has_left = !row->is_null[3];
    int64_t hired = row->is_null[2] ? INT64_MIN : row->i64[2];
    int64_t left = has_left ? row->i64[3] : INT64_MAX;
    cxm_rc rc;

    cxm__builder_clear(b);
    cxm__builder_dim(b, CXM_BY_TEAM, row->text[1]);
    for (size_t s = 0; s < b->n_segs; s++) {
        int64_t s0 = b->seg_start[s], s1 = b->seg_end[s];
        int64_t lo = hired > s0 ? hired : s0, hi = left < s1 ? left : s1;
        cxm__builder_time(b, s0);
        rc = cxm__builder_group(b, &g);
        if (rc)
            return rc;
        g->st.more->has_agents = true;
        g->st.more->period_ms = s1 - s0;
        if (hi > lo)
            g->st.more->headcount_ms += (double)(hi - lo);
        g->st.more->agents_left += has_left && left >= s0 && left < s1;
    }
    return CXM_OK;
}

static cxm_rc on_hours(const struct cxm__row *row, void *ud)
{
    struct cxm__builder *b = ud;
    struct cxm__group *g;
    cxm_rc rc;

    if (!in_period(b, row->i64[2]))
        return CXM_OK;
    cxm__builder_clear(b);
    cxm__builder_dim(b, CXM_BY_AGENT, row->text[0]);
    cxm__builder_dim(b, CXM_BY_TEAM, row->text[1]);
    cxm__builder_time(b, row->i64[2]);
    rc = cxm__builder_group(b, &g);
    if (rc)
        return rc;
    g->st.more->has_hours = true;
    g->st.more->hours += row->real[3];
    return CXM_OK;
}

static void moments_add(struct cxm__moments *m, double x)
{
    m->n++;
    m->sum += x;
    m->sum_sq += x * x;
}

static cxm_rc on_review(const struct cxm__row *row, void *ud)
{
    struct cxm__builder *b = ud;
    struct cxm__group *g;
    double max = row->is_null[2] ? 5 : row->real[2], norm;
    cxm_rc rc;

    if (!in_period(b, row->i64[0]) || max <= 1)
        return CXM_OK;
    cxm__builder_clear(b);
    cxm__builder_dim(b, CXM_BY_SOURCE, row->text[3]);
    cxm__builder_dim(b, CXM_BY_LANGUAGE, row->text[4]);
    cxm__builder_time(b, row->i64[0]);
    rc = cxm__builder_group(b, &g);
    if (rc)
        return rc;
    /* SPEC §2: normalised to 1–5 as 1 + (r − 1)·4 / (scale_max − 1). */
    norm = 1 + (row->real[1] - 1) * 4 / (max - 1);
    moments_add(&g->st.more->review, norm);
    g->st.more->reviews_positive += norm >= 4 - 1e-9;
    return CXM_OK;
}

static cxm_rc on_qa(const struct cxm__row *row, void *ud)
{
    struct cxm__builder *b = ud;
    struct cxm__group *g;
    double max = row->is_null[2] ? 100 : row->real[2];
    cxm_rc rc;

    if (row->is_null[0] || !in_period(b, row->i64[0]) || max <= 0)
        return CXM_OK;
    cxm__builder_clear(b);
    cxm__builder_dim(b, CXM_BY_AGENT, row->text[3]);
    cxm__builder_dim(b, CXM_BY_TEAM, row->text[4]);
    cxm__builder_dim(b, CXM_BY_CHANNEL, row->text[5]);
    cxm__builder_dim(b, CXM_BY_TOPIC, row->text[6]);
    cxm__builder_dim(b, CXM_BY_SEGMENT, row->text[7]);
    cxm__builder_time(b, row->i64[0]);
    rc = cxm__builder_group(b, &g);
    if (rc)
        return rc;
    moments_add(&g->st.more->qa, 100.0 * row->real[1] / max);
    return CXM_OK;
}

/* An invitation sent (response_rate): counted in the group of its
 * survey, channel, language, agent and team at its sending time. */
static cxm_rc on_invitation(const struct cxm__row *row, void *ud)
{
    struct cxm__builder *b = ud;
    struct cxm__group *g;
    cxm_rc rc;

    if (row->is_null[0] || !in_period(b, row->i64[0]))
        return CXM_OK;
    /* An invitation about an excluded ticket is excluded with it. */
    if (row->i64[7] &&
        cxm__definitions_excluded(b->r->defs, row->text[8], row->text[9]))
        return CXM_OK;
    cxm__builder_clear(b);
    cxm__builder_dim(b, CXM_BY_SURVEY, row->text[2]);
    cxm__builder_dim(b, CXM_BY_CHANNEL, row->text[3]);
    cxm__builder_dim(b, CXM_BY_LANGUAGE, row->text[4]);
    cxm__builder_dim(b, CXM_BY_AGENT, row->text[5]);
    cxm__builder_dim(b, CXM_BY_TEAM, row->text[6]);
    cxm__builder_time(b, row->i64[0]);
    rc = cxm__builder_group(b, &g);
    if (rc)
        return rc;
    g->st.more->invited++;
    g->st.more->invited_answered += row->i64[1] != 0;
    return CXM_OK;
}

/* The invitations sent; none when the engine keeps no outbox. */
static cxm_rc invitations(struct cxm__builder *b)
{
    if (cxm__store_sends(b->st) != CXM_OK)
        return CXM_OK;
    return cxm__store_query(b->st, CXM__Q_INVITATIONS, on_invitation, b);
}

/* ---- Which scans ------------------------------------------------------ */

cxm_rc cxm__report_scan(struct cxm__builder *b)
{
    cxm_rc rc = CXM_OK;

    /* Each scan reads the records of the kinds the wanted metrics are
     * computed from (their needs in the metric table, metric.h). */
    if (want_kind(b, CXM_KIND_CUSTOMERS) || want_kind(b, CXM_KIND_ORDERS)) {
        rc = load_customers(b);
        if (!rc)
            rc = scan_customers(b);
    }
    if (!rc && want_kind(b, CXM_KIND_RESPONSES))
        rc = scan_answers(b);
    if (!rc && b->want[CXM_METRIC_FCR] &&
        b->r->defs->fcr_rule == CXM__FCR_REPEAT_CONTACT)
        rc = load_repeats(b);
    if (!rc && want_kind(b, CXM_KIND_TICKETS))
        rc = cxm__store_scan_tickets(b->st, on_ticket, b);
    if (!rc && want_kind(b, CXM_KIND_SELFSERVICE))
        rc = cxm__store_query(b->st, CXM__Q_SELFSERVICE, on_session, b);
    if (!rc && want_kind(b, CXM_KIND_AGENTS))
        rc = cxm__store_query(b->st, CXM__Q_AGENTS, on_agent, b);
    if (!rc && b->want[CXM_METRIC_AGENT_PRODUCTIVITY] && b->hours_apply)
        rc = cxm__store_query(b->st, CXM__Q_AGENT_HOURS, on_hours, b);
    if (!rc && want_kind(b, CXM_KIND_REVIEWS))
        rc = cxm__store_query(b->st, CXM__Q_REVIEWS, on_review, b);
    if (!rc && want_kind(b, CXM_KIND_QA_SCORES))
        rc = cxm__store_query(b->st, CXM__Q_QA, on_qa, b);
    if (!rc && b->want[CXM_METRIC_RESPONSE_RATE])
        rc = invitations(b);
    return rc;
}

void cxm__report_scan_release(struct cxm__builder *b)
{
    customers_free(b->customers);
    b->customers = NULL;
    repeats_free(b->repeats);
    b->repeats = NULL;
}

static cxm_rc on_benchmark(const struct cxm__row *row, void *ud)
{
    cxm_report *r = ud;
    cxm_metric m;

    if (row->is_null[0] || row->is_null[1] ||
        cxm_metric_parse(row->text[0], &m))
        return CXM_OK; /* a metric this version does not know */
    cxm__free(r->bench_labels[m]);
    r->bench_labels[m] = cxm__strdup(row->text[1]);
    if (!r->bench_labels[m])
        return CXM_ENOMEM;
    r->bench_values[m] = row->real[2];
    return CXM_OK;
}

cxm_rc cxm__report_benchmarks(struct cxm_store *st, cxm_report *r)
{
    return cxm__store_query(st, CXM__Q_BENCHMARKS, on_benchmark, r);
}
