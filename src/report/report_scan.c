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
                rc = cxm__builder_group_at(b, c->order_at[i], &g);
                if (rc)
                    return rc;
                if (!g)
                    continue;
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
            rc = cxm__builder_group_at(b, s0, &g);
            if (rc)
                return rc;
            if (!g)
                continue;
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

/* Adds the time from t's creation to `end` to d, and its business time
 * to bus. */
static cxm_rc add_duration(const struct cxm__builder *b,
                           const struct cxm__ticket_row *t, int64_t end,
                           struct cxm__qsketch *d, struct cxm__msum *ms,
                           struct cxm__qsketch *bus)
{
    cxm_rc rc = cxm__qsketch_add(d, (double)(end - t->created_at) / 1e3);

    if (!rc)
        cxm__msum_add(ms, end - t->created_at);
    return rc ? rc : push_business(b, t, t->created_at, end, bus);
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

/* The group of the current labels at `ms`, as one of tickets. */
static cxm_rc ticket_group(struct cxm__builder *b, int64_t ms,
                           struct cxm__group **out)
{
    cxm_rc rc = cxm__builder_group_at(b, ms, out);

    if (!rc && *out)
        (*out)->st.more->has_tickets = true;
    return rc;
}

/* A ticket created in the period, in its group g. */
static void ticket_created(const struct cxm__builder *b,
                           const struct cxm__ticket_row *t,
                           struct cxm__group *g)
{
    const struct customer *c;

    g->st.more->created++;
    g->st.more->created_resolved += t->has_resolved;
    g->st.more->escalated += t->escalated == 1;
    g->st.more->complaints += t->complaint == 1;
    if (!b->want[CXM_METRIC_CONVERSION_RATE] || !t->customer_id)
        return;
    /* SPEC §2: tickets from customers with no order before the ticket;
     * converted when the first order follows within 30 days. */
    c = customer_find(b->customers, t->customer_id);
    if (c && c->n_orders && c->order_at[0] < t->created_at)
        return;
    g->st.more->conv_base++;
    g->st.more->conv_hits += c && c->n_orders &&
                             c->order_at[0] - t->created_at <= MS_30_DAYS;
}

/* A ticket resolved in the period, in its group g. */
static cxm_rc ticket_resolved(struct cxm__builder *b,
                              const struct cxm__ticket_row *t,
                              struct cxm__group *g)
{
    const struct customer *c;
    cxm_rc rc;

    g->st.more->resolved++;
    g->st.more->fcr += is_fcr(b, t);
    if (b->want[CXM_METRIC_ART]) {
        struct cxm__group_durations *dur = cxm__group_durations(g->st.more);
        rc = dur ? add_duration(b, t, t->resolved_at, &dur->art,
                                &dur->art_ms, &dur->art_bus)
                 : CXM_ENOMEM;
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
        rc = ticket_group(b, b->seg_start[i], &g);
        if (rc)
            return rc;
        if (g)
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
        rc = ticket_group(b, t->created_at, &g);
        if (rc)
            return rc;
        if (!g)
            return CXM_OK; /* filtered out: every event is (same labels) */
        ticket_created(b, t, g);
    }
    if (t->has_resolved && in_period(b, t->resolved_at)) {
        rc = ticket_group(b, t->resolved_at, &g);
        if (!rc && g)
            rc = ticket_resolved(b, t, g);
        if (rc)
            return rc;
    }
    if (t->has_first_response && in_period(b, t->first_response_at) &&
        b->want[CXM_METRIC_FRT]) {
        rc = ticket_group(b, t->first_response_at, &g);
        if (!rc && !g)
            return CXM_OK;
        dur = rc ? NULL : cxm__group_durations(g->st.more);
        if (!rc)
            rc = dur ? add_duration(b, t, t->first_response_at, &dur->frt,
                                    &dur->frt_ms, &dur->frt_bus)
                     : CXM_ENOMEM;
        if (rc)
            return rc;
    }
    if (b->want[CXM_METRIC_BACKLOG])
        return ticket_backlog(b, t);
    return CXM_OK;
}

/* ---- Tickets from the engine's groups -------------------------------- */

/* The backlog's steps of one combination of the report's ticket
 * dimensions: step[i] tickets opened minus closed at row period i's end
 * (cxm__builder_seg_after()); the backlog of period i is their sum up to
 * i, as ticket_backlog() counts it ticket by ticket. */
struct backlog_key {
    char *dim[CXM__TDIM_COUNT]; /* owned; NULL when not in the report */
    int64_t *step;              /* owned; n_segs */
};

struct tscan {
    struct cxm__builder *b;
    bool in_by[CXM__TDIM_COUNT];  /* the report breaks down by it */
    struct cxm__strmap index;     /* dimensions -> keys */
    struct backlog_key *keys;
    size_t n_keys, keys_cap;
    struct cxm__buf kb;
};

static const cxm_dim tdim_dim[CXM__TDIM_COUNT] = {
    [CXM__TDIM_AGENT] = CXM_BY_AGENT,     [CXM__TDIM_TEAM] = CXM_BY_TEAM,
    [CXM__TDIM_CHANNEL] = CXM_BY_CHANNEL, [CXM__TDIM_TOPIC] = CXM_BY_TOPIC,
    [CXM__TDIM_SEGMENT] = CXM_BY_SEGMENT};

static void tscan_release(struct tscan *ts)
{
    for (size_t i = 0; i < ts->n_keys; i++) {
        for (int d = 0; d < CXM__TDIM_COUNT; d++)
            cxm__free(ts->keys[i].dim[d]);
        cxm__free(ts->keys[i].step);
    }
    cxm__free(ts->keys);
    cxm__strmap_release(&ts->index);
    cxm__buf_release(&ts->kb);
}

static void label_tgroup(struct cxm__builder *b, const char *const *dim)
{
    cxm__builder_clear(b);
    for (int d = 0; d < CXM__TDIM_COUNT; d++)
        cxm__builder_dim(b, tdim_dim[d], dim[d]);
}

static cxm_rc backlog_step(struct tscan *ts,
                           const struct cxm__ticket_group *tg)
{
    struct cxm__builder *b = ts->b;
    struct backlog_key *k;
    size_t pos, seg;
    bool inserted;
    cxm_rc rc = CXM_OK;

    cxm__buf_reset(&ts->kb);
    for (int d = 0; !rc && d < CXM__TDIM_COUNT; d++) {
        if (ts->in_by[d])
            rc = cxm__buf_add(&ts->kb, tg->dim[d] ? tg->dim[d] : "",
                              strlen(tg->dim[d] ? tg->dim[d] : "") + 1);
    }
    if (!rc)
        rc = cxm__strmap_upsert(&ts->index, ts->kb.data ? ts->kb.data : "",
                                ts->kb.len, ts->n_keys, &pos, NULL,
                                &inserted);
    if (rc)
        return rc;
    if (inserted) {
        rc = cxm__grow((void **)&ts->keys, &ts->keys_cap, ts->n_keys + 1,
                       sizeof(*ts->keys));
        if (rc)
            return rc;
        k = &ts->keys[ts->n_keys++];
        memset(k, 0, sizeof(*k));
        k->step = cxm__calloc(b->n_segs + 1, sizeof(*k->step));
        if (!k->step)
            return CXM_ENOMEM;
        for (int d = 0; d < CXM__TDIM_COUNT; d++) {
            if (!ts->in_by[d])
                continue;
            k->dim[d] = cxm__strdup(tg->dim[d] ? tg->dim[d] : "");
            if (!k->dim[d])
                return CXM_ENOMEM;
        }
    }
    k = &ts->keys[pos];
    seg = cxm__builder_seg_after(b, tg->at);
    k->step[seg] += tg->opened - tg->closed;
    return CXM_OK;
}

/* The backlog of every row period from the steps. */
static cxm_rc backlog_groups(struct tscan *ts)
{
    struct cxm__builder *b = ts->b;
    struct cxm__group *g;
    cxm_rc rc;

    for (size_t i = 0; i < ts->n_keys; i++) {
        const struct backlog_key *k = &ts->keys[i];
        int64_t open = 0;
        for (size_t s = 0; s < b->n_segs; s++) {
            open += k->step[s];
            if (open <= 0)
                continue;
            label_tgroup(b, (const char *const *)k->dim);
            rc = ticket_group(b, b->seg_start[s], &g);
            if (rc)
                return rc;
            if (g)
                g->st.more->backlog += open;
        }
    }
    return CXM_OK;
}

/* Merges a group's durations into the builder group's. */
static cxm_rc merge_durations(struct cxm__qsketch *d, struct cxm__msum *ms,
                              const struct cxm__qsketch *src,
                              const struct cxm__msum *src_ms)
{
    cxm_rc rc = src ? cxm__qsketch_merge(d, src) : CXM_OK;

    if (!rc && src_ms)
        cxm__msum_merge(ms, src_ms);
    return rc;
}

/* A group of ticket events from the engine: what on_ticket() does for
 * each of its tickets' events. */
static cxm_rc on_ticket_group(const struct cxm__ticket_group *tg, void *ud)
{
    struct tscan *ts = ud;
    struct cxm__builder *b = ts->b;
    bool frt = b->want[CXM_METRIC_FRT] && tg->frt;
    struct cxm__group_durations *dur;
    struct cxm__group_more *x;
    struct cxm__group *g;
    cxm_rc rc;

    if (tg->in_period && (tg->created || tg->resolved || frt)) {
        label_tgroup(b, tg->dim);
        rc = ticket_group(b, tg->at, &g);
        if (rc)
            return rc;
        if (!g)
            goto backlog;
        x = g->st.more;
        x->created += tg->created;
        x->created_resolved += tg->created_resolved;
        x->escalated += tg->escalated;
        x->complaints += tg->complaints;
        x->resolved += tg->resolved;
        x->fcr += b->r->defs->fcr_rule == CXM__FCR_ONE_TOUCH ? tg->fcr_touch
                                                             : tg->fcr;
        if (b->want[CXM_METRIC_ART] && tg->art) {
            dur = cxm__group_durations(x);
            rc = dur ? merge_durations(&dur->art, &dur->art_ms, tg->art,
                                       tg->art_ms)
                     : CXM_ENOMEM;
            if (rc)
                return rc;
        }
        if (frt) {
            dur = cxm__group_durations(x);
            rc = dur ? merge_durations(&dur->frt, &dur->frt_ms, tg->frt,
                                       tg->frt_ms)
                     : CXM_ENOMEM;
            if (rc)
                return rc;
        }
        if (tg->with_agent && b->want[CXM_METRIC_AGENT_PRODUCTIVITY]) {
            x->prod_tickets += tg->with_agent;
            rc = count_agent(b, g, tg->dim[CXM__TDIM_AGENT]);
            if (rc)
                return rc;
        }
    }
backlog:
    if (b->want[CXM_METRIC_BACKLOG] && tg->opened != tg->closed)
        return backlog_step(ts, tg);
    return CXM_OK;
}

/* Whether the engine's ticket groups can give this report's ticket
 * figures: definitions the stored statistics follow (no exclusions, no
 * business calendar, fcr.rule contacts or one_touch), no figure joining
 * tickets with customers' orders, and not --read rows. */
static bool tickets_by_groups(const struct cxm__builder *b)
{
    const cxm_definitions *d = b->r->defs;

    return b->r->read != CXM_READ_ROWS && !d->n_ex_status &&
           !d->n_ex_tags && !d->n_calendars &&
           d->fcr_rule != CXM__FCR_REPEAT_CONTACT &&
           !b->want[CXM_METRIC_CONVERSION_RATE] &&
           !b->want[CXM_METRIC_POST_SERVICE_REPURCHASE];
}

/* The time buckets of the report's breakdown, for the engine. */
static void ticket_grains(const struct cxm__builder *b,
                          struct cxm__ticket_query *q)
{
    for (size_t k = 0; k < b->r->n_by; k++) {
        enum cxm__grain gr;
        if (cxm__grain_of(b->r->by[k], &gr))
            q->grain[q->n_grains++] = gr;
    }
}

/* The tickets' figures: from the engine's groups when it serves, else
 * ticket by ticket. */
static cxm_rc scan_tickets(struct cxm__builder *b)
{
    struct cxm__ticket_query q;
    struct tscan ts;
    bool served = false;
    const char *detail = NULL;
    cxm_rc rc = CXM_OK;

    b->tickets_path = CXM__PATH_ROWS;
    if (tickets_by_groups(b)) {
        memset(&q, 0, sizeof(q));
        memset(&ts, 0, sizeof(ts));
        ts.b = b;
        ts.kb = (struct cxm__buf)CXM__BUF_INIT(1 << 20);
        q.from = b->from;
        q.to = b->to;
        q.zone = b->r->zone;
        q.read = b->r->read;
        q.want_backlog = b->want[CXM_METRIC_BACKLOG];
        q.want_art = b->want[CXM_METRIC_ART];
        q.want_frt = b->want[CXM_METRIC_FRT];
        ticket_grains(b, &q);
        for (int d = 0; d < CXM__TDIM_COUNT; d++) {
            for (size_t k = 0; k < b->r->n_by; k++) {
                if (b->r->by[k] == tdim_dim[d]) {
                    ts.in_by[d] = true;
                    q.dims |= 1u << d;
                    q.where[d] = b->r->where[k];
                }
            }
        }
        /* Distinct agents of a group (productivity) need the agent. */
        if (b->want[CXM_METRIC_AGENT_PRODUCTIVITY])
            q.dims |= 1u << CXM__TDIM_AGENT;
        rc = cxm__store_ticket_groups(b->st, &q, on_ticket_group, &ts,
                                      &served, &detail);
        if (!rc && served && b->want[CXM_METRIC_BACKLOG])
            rc = backlog_groups(&ts);
        tscan_release(&ts);
        if (rc || served) {
            b->tickets_path =
                detail && strcmp(detail, CXM__TICKETS_PUSHDOWN) == 0
                    ? CXM__PATH_PUSHDOWN
                    : CXM__PATH_ROLLUPS;
            return rc;
        }
    }
    return cxm__store_scan_tickets(b->st, on_ticket, b);
}

/* ---- Survey answers -------------------------------------------------- */

/* A group of answers of one survey and scale, from the engine. */
static cxm_rc on_answer_group(const struct cxm__answer_group *ag, void *ud)
{
    struct cxm__builder *b = ud;
    struct cxm_survey_stat *s;
    struct cxm__group *g;
    cxm_rc rc;

    if (ag->same_group && b->last_answers < b->n_groups) {
        g = &b->groups[b->last_answers];
    } else {
        cxm__builder_clear(b);
        for (int d = 0; d < CXM__ADIM_COUNT; d++)
            cxm__builder_dim(b, cxm__adim_dim((enum cxm__answer_dim)d),
                             ag->dim[d]);
        rc = cxm__builder_group_at(b, ag->at, &g);
        if (rc || !g) {
            b->last_answers = SIZE_MAX;
            return rc;
        }
        b->last_answers = (size_t)(g - b->groups);
    }
    s = cxm__group_survey(g, ag->survey);
    if (!s)
        return CXM_ENOMEM;
    for (size_t k = 0; k < ag->n_bins; k++) {
        if (ag->hist[k])
            cxm_survey_stat_add_n(s, ag->survey, ag->lo + (int)k,
                                  ag->scale_min, ag->scale_max, ag->hist[k]);
    }
    return CXM_OK;
}

static bool answer_excluded(const void *ud, const char *status,
                            const char *tags)
{
    return cxm__definitions_excluded(ud, status, tags);
}

/* The answers of the period by the report's breakdown, from the engine
 * (which reads whatever of its forms serves: store_int.h). */
static cxm_rc scan_answers(struct cxm__builder *b)
{
    const cxm_definitions *defs = b->r->defs;
    struct cxm__answer_query q;
    struct cxm__answer_how how;
    cxm_rc rc;

    memset(&q, 0, sizeof(q));
    q.from = b->from;
    q.to = b->to;
    q.zone = b->r->zone;
    q.read = b->r->read;
    q.agent = defs->rating_agent == CXM__RATING_RESPONSE
                  ? CXM__AGENT_RESPONSE
                  : CXM__AGENT_TICKET;
    if (defs->n_ex_status || defs->n_ex_tags) {
        q.excluded = answer_excluded;
        q.excluded_ud = defs;
    }
    for (size_t k = 0; k < b->r->n_by; k++) {
        enum cxm__grain gr;
        enum cxm__answer_dim ad;
        if (cxm__grain_of(b->r->by[k], &gr))
            q.grain[q.n_grains++] = gr;
        else if (cxm__adim_of(b->r->by[k], &ad)) {
            q.dims |= 1u << ad;
            q.where[ad] = b->r->where[k];
        }
    }
    b->last_answers = SIZE_MAX;
    rc = cxm__store_answer_groups(b->st, &q, on_answer_group, b, &how);
    b->answers_path = how.path;
    b->answers_detail = how.detail;
    return rc;
}

/* ---- Self-service, agents, hours, reviews, QA ------------------------ */

/* A dimension of the report and the column of a named query's row that
 * labels it. */
struct dim_col {
    cxm_dim dim;
    int col;
};

/* The group of a named query's row whose event time is column `at`
 * (NULL when outside the period), labelled by the columns of dc[0..n). */
static cxm_rc row_group(struct cxm__builder *b, const struct cxm__row *row,
                        int at, const struct dim_col *dc, size_t n,
                        struct cxm__group **out)
{
    *out = NULL;
    if (!in_period(b, row->i64[at]))
        return CXM_OK;
    cxm__builder_clear(b);
    for (size_t i = 0; i < n; i++)
        cxm__builder_dim(b, dc[i].dim, row->text[dc[i].col]);
    return cxm__builder_group_at(b, row->i64[at], out);
}

static cxm_rc on_session(const struct cxm__row *row, void *ud)
{
    static const struct dim_col dc[] = {{CXM_BY_TOPIC, 2},
                                        {CXM_BY_SEGMENT, 3}};
    struct cxm__builder *b = ud;
    struct cxm__group *g;
    cxm_rc rc = row_group(b, row, 0, dc, CXM_ARRAY_LEN(dc), &g);

    if (rc || !g)
        return rc;
    g->st.more->sessions++;
    g->st.more->sessions_resolved += !row->is_null[1] && row->i64[1] != 0;
    return CXM_OK;
}

/* A group of sessions from the engine: what on_session() does for each
 * of its sessions. */
static cxm_rc on_session_group(const struct cxm__ticket_group *sg, void *ud)
{
    struct cxm__builder *b = ud;
    struct cxm__group *g;
    cxm_rc rc;

    if (!sg->sessions)
        return CXM_OK;
    cxm__builder_clear(b);
    cxm__builder_dim(b, CXM_BY_TOPIC, sg->dim[CXM__TDIM_TOPIC]);
    cxm__builder_dim(b, CXM_BY_SEGMENT, sg->dim[CXM__TDIM_SEGMENT]);
    rc = cxm__builder_group_at(b, sg->at, &g);
    if (rc || !g)
        return rc;
    g->st.more->sessions += sg->sessions;
    g->st.more->sessions_resolved += sg->sessions_resolved;
    return CXM_OK;
}

/* The sessions of the period: from the engine's groups when it serves,
 * else session by session. */
static cxm_rc scan_sessions(struct cxm__builder *b)
{
    struct cxm__ticket_query q;
    bool served = false;
    cxm_rc rc = CXM_OK;

    if (b->r->read != CXM_READ_ROWS) {
        memset(&q, 0, sizeof(q));
        q.from = b->from;
        q.to = b->to;
        q.zone = b->r->zone;
        q.read = b->r->read;
        ticket_grains(b, &q);
        for (size_t k = 0; k < b->r->n_by; k++) {
            if (b->r->by[k] == CXM_BY_TOPIC)
                q.dims |= 1u << CXM__TDIM_TOPIC;
            else if (b->r->by[k] == CXM_BY_SEGMENT)
                q.dims |= 1u << CXM__TDIM_SEGMENT;
        }
        rc = cxm__store_session_groups(b->st, &q, on_session_group, b,
                                       &served);
        if (rc || served)
            return rc;
    }
    return cxm__store_query(b->st, CXM__Q_SELFSERVICE, on_session, b);
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
        rc = cxm__builder_group_at(b, s0, &g);
        if (rc)
            return rc;
        if (!g)
            continue;
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
    static const struct dim_col dc[] = {{CXM_BY_AGENT, 0}, {CXM_BY_TEAM, 1}};
    struct cxm__builder *b = ud;
    struct cxm__group *g;
    cxm_rc rc = row_group(b, row, 2, dc, CXM_ARRAY_LEN(dc), &g);

    if (rc || !g)
        return rc;
    g->st.more->has_hours = true;
    g->st.more->hours += row->real[3];
    return CXM_OK;
}

/* The agents' hours of the period; with a where on the agent, only
 * theirs (the others' groups are dropped in any case). */
static cxm_rc scan_hours(struct cxm__builder *b)
{
    for (size_t k = 0; k < b->r->n_by; k++) {
        if (b->r->by[k] == CXM_BY_AGENT && b->r->where[k])
            return cxm__store_query_agent(b->st, CXM__Q_AGENT_HOURS_OF,
                                          b->from, b->to, b->r->where[k],
                                          on_hours, b);
    }
    return cxm__store_query_span(b->st, CXM__Q_AGENT_HOURS, b->from, b->to,
                                 on_hours, b);
}

static void moments_add(struct cxm__moments *m, double x)
{
    m->n++;
    m->sum += x;
    m->sum_sq += x * x;
}

static cxm_rc on_review(const struct cxm__row *row, void *ud)
{
    static const struct dim_col dc[] = {{CXM_BY_SOURCE, 3},
                                        {CXM_BY_LANGUAGE, 4}};
    struct cxm__builder *b = ud;
    struct cxm__group *g = NULL;
    double max = row->is_null[2] ? 5 : row->real[2], norm;
    cxm_rc rc = max <= 1 ? CXM_OK
                         : row_group(b, row, 0, dc, CXM_ARRAY_LEN(dc), &g);

    if (rc || !g)
        return rc;
    /* SPEC §2: normalised to 1–5 as 1 + (r − 1)·4 / (scale_max − 1). */
    norm = 1 + (row->real[1] - 1) * 4 / (max - 1);
    moments_add(&g->st.more->review, norm);
    g->st.more->reviews_positive += norm >= 4 - 1e-9;
    return CXM_OK;
}

static cxm_rc on_qa(const struct cxm__row *row, void *ud)
{
    static const struct dim_col dc[] = {
        {CXM_BY_AGENT, 3}, {CXM_BY_TEAM, 4}, {CXM_BY_CHANNEL, 5},
        {CXM_BY_TOPIC, 6}, {CXM_BY_SEGMENT, 7}};
    struct cxm__builder *b = ud;
    struct cxm__group *g = NULL;
    struct cxm__group_more *m;
    double x = 0;
    cxm_rc rc = row->is_null[0] ||
                        !cxm__qa_value(row->real[1], row->is_null[2],
                                       row->real[2], &x)
                    ? CXM_OK
                    : row_group(b, row, 0, dc, CXM_ARRAY_LEN(dc), &g);

    if (rc || !g)
        return rc;
    /* Exact sums: the QA cells' merge gives the same doubles. */
    m = g->st.more;
    m->qa_n++;
    rc = cxm__fsum_add(&m->qa_sum, x);
    return rc ? rc : cxm__fsum_add(&m->qa_sq, x * x);
}

/* A group of QA scores from the engine (the QA cells). */
static cxm_rc on_qa_group(const struct cxm__qa_group *qg, void *ud)
{
    struct cxm__builder *b = ud;
    struct cxm__group *g;
    cxm_rc rc;

    cxm__builder_clear(b);
    for (int d = 0; d < CXM__TDIM_COUNT; d++)
        cxm__builder_dim(b, tdim_dim[d], qg->dim[d]);
    rc = cxm__builder_group_at(b, qg->at, &g);
    if (rc || !g)
        return rc;
    g->st.more->qa_n += qg->n;
    rc = cxm__fsum_merge(&g->st.more->qa_sum, qg->sum);
    return rc ? rc : cxm__fsum_merge(&g->st.more->qa_sq, qg->sum_sq);
}

/* The QA scores of the period: from the engine's groups when it serves
 * (where the ticket cells would: tickets_by_groups()), else the rows. */
static cxm_rc scan_qa(struct cxm__builder *b)
{
    struct cxm__ticket_query q;
    bool served = false;
    const char *detail = NULL;
    cxm_rc rc;

    b->qa_path = CXM__PATH_ROWS;
    if (tickets_by_groups(b)) {
        memset(&q, 0, sizeof(q));
        q.from = b->from;
        q.to = b->to;
        q.zone = b->r->zone;
        q.read = b->r->read;
        ticket_grains(b, &q);
        for (int d = 0; d < CXM__TDIM_COUNT; d++) {
            for (size_t k = 0; k < b->r->n_by; k++) {
                if (b->r->by[k] == tdim_dim[d]) {
                    q.dims |= 1u << d;
                    q.where[d] = b->r->where[k];
                }
            }
        }
        rc = cxm__store_qa_groups(b->st, &q, on_qa_group, b, &served,
                                  &detail);
        if (rc || served) {
            b->qa_path = CXM__PATH_ROLLUPS;
            return rc;
        }
    }
    return cxm__store_query_span(b->st, CXM__Q_QA, b->from, b->to, on_qa, b);
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
    if (rc || !g)
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
        rc = scan_tickets(b);
    if (!rc && want_kind(b, CXM_KIND_SELFSERVICE))
        rc = scan_sessions(b);
    if (!rc && want_kind(b, CXM_KIND_AGENTS))
        rc = cxm__store_query(b->st, CXM__Q_AGENTS, on_agent, b);
    if (!rc && b->want[CXM_METRIC_AGENT_PRODUCTIVITY] && b->hours_apply)
        rc = scan_hours(b);
    if (!rc && want_kind(b, CXM_KIND_REVIEWS))
        rc = cxm__store_query(b->st, CXM__Q_REVIEWS, on_review, b);
    if (!rc && want_kind(b, CXM_KIND_QA_SCORES))
        rc = scan_qa(b);
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
