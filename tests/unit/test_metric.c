/* SPDX-License-Identifier: MIT
 *
 * test_metric.c — the metric table (src/stats/metric.h): every row is
 * whole, names are unique and parse back, and what the table says agrees
 * with what the report does: the breakdowns it accepts are the ones the
 * report computes, the definitions it lists are the only ones that move a
 * figure, and every figure of a demo data set lies in the metric's range.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cxmeter/cxmeter.h"
#include "metric.h"
#include "store_fixture.h"
#include "store_int.h"

static int setup(void **state)
{
    return store_fixture_setup(state, "metric");
}

static int teardown(void **state)
{
    return store_fixture_teardown(state);
}

/* Every metric has a name, a family, a shape, a range, a unit and
 * between one and CXM__METRIC_MAX_NEEDS distinct inputs, and can be
 * broken down by time. */
static void test_metric__every_row_is_whole(void **state)
{
    (void)state;
    for (int m = 0; m < CXM_METRIC_COUNT; m++) {
        const struct cxm__metric_info *mi = cxm__metric((cxm_metric)m);
        assert_non_null(mi->name);
        assert_true(mi->name[0] != '\0');
        assert_true(mi->family <= CXM__FAM_INVITE);
        assert_true(mi->shape <= CXM__SHAPE_RATING);
        assert_non_null(mi->unit);
        assert_true(mi->unit[0] != '\0');
        assert_true(mi->lo < mi->hi);
        assert_int_equal(mi->dims & CXM__DIMS_TIME, CXM__DIMS_TIME);
        assert_int_equal(mi->dims & ~((1u << CXM_BY_COUNT) - 1), 0);
        assert_true(mi->n_needs >= 1 &&
                    mi->n_needs <= CXM__METRIC_MAX_NEEDS);
        for (size_t i = 0; i < mi->n_needs; i++) {
            assert_true(mi->needs[i].kind >= 0 &&
                        mi->needs[i].kind < CXM_KIND_COUNT);
            assert_non_null(mi->needs[i].column);
            for (size_t j = 0; j < i; j++)
                assert_false(mi->needs[j].kind == mi->needs[i].kind &&
                             strcmp(mi->needs[j].column,
                                    mi->needs[i].column) == 0);
        }
        /* Only the mean scores of a survey take their range from the
         * scales of the stored answers. */
        assert_int_equal(mi->scale != NULL,
                         mi->family == CXM__FAM_SURVEY &&
                             mi->shape == CXM__SHAPE_MEAN);
    }
}

static void test_metric__names_are_unique_and_parse_back(void **state)
{
    cxm_metric back;
    char upper[64];

    (void)state;
    for (int m = 0; m < CXM_METRIC_COUNT; m++) {
        const char *name = cxm_metric_name((cxm_metric)m);
        assert_ptr_equal(name, cxm__metric((cxm_metric)m)->name);
        for (int k = 0; k < m; k++)
            assert_string_not_equal(name, cxm_metric_name((cxm_metric)k));
        assert_int_equal(cxm_metric_parse(name, &back), CXM_OK);
        assert_int_equal(back, m);
        snprintf(upper, sizeof(upper), "%s", name);
        for (char *c = upper; *c; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
        assert_int_equal(cxm_metric_parse(upper, &back), CXM_OK);
        assert_int_equal(back, m);
    }
    assert_string_equal(cxm_metric_name(CXM_METRIC_COUNT), "");
    assert_string_equal(cxm_metric_name((cxm_metric)-1), "");
    assert_int_equal(cxm_metric_parse("tickets", &back), CXM_ENOTFOUND);
}

/* exclude.* drops tickets and the answers about them: it moves exactly
 * the metrics computed from tickets or answers. */
static void test_metric__exclude_follows_the_inputs(void **state)
{
    (void)state;
    for (int m = 0; m < CXM_METRIC_COUNT; m++) {
        bool reads = cxm__metric_needs_kind((cxm_metric)m, CXM_KIND_TICKETS) ||
                     cxm__metric_needs_kind((cxm_metric)m,
                                            CXM_KIND_RESPONSES);
        assert_int_equal((cxm__metric((cxm_metric)m)->defs &
                          CXM__DEF_EXCLUDE) != 0,
                         reads);
    }
}

/* The report computes metric m by d exactly when the table says its
 * records carry d; otherwise a warning and, with no other metric, the
 * usage status. */
static void test_metric__dims_agree_with_the_report(void **state)
{
    struct store_fixture *sf = *state;

    for (int m = 0; m < CXM_METRIC_COUNT; m++) {
        for (int d = 0; d < CXM_BY_COUNT; d++) {
            cxm_metric ms[1] = {(cxm_metric)m};
            cxm_dim by[1] = {(cxm_dim)d};
            struct cxm_report_query q;
            cxm_report *r = NULL;
            bool applies = cxm__metric_has_dim((cxm_metric)m, (cxm_dim)d);
            bool warned = false;
            cxm_rc rc;

            memset(&q, 0, sizeof(q));
            q.size = sizeof(q);
            q.metrics = ms;
            q.n_metrics = 1;
            q.by = by;
            q.n_by = 1;
            rc = cxm_report_run(sf->st, &q, &r);
            assert_non_null(r);
            for (size_t i = 0; i < cxm_report_n_warnings(r); i++)
                warned |= strstr(cxm_report_warning(r, i),
                                 "does not apply to a breakdown by") !=
                          NULL;
            if (applies != (rc == CXM_OK) || applies == warned)
                fail_msg("%s by %s: table says %s, report rc %d",
                         cxm_metric_name((cxm_metric)m),
                         cxm_dim_name((cxm_dim)d),
                         applies ? "applies" : "does not apply", rc);
            assert_int_equal(rc, applies ? CXM_OK : CXM_EUSAGE);
            cxm_report_free(r);
        }
    }
}

/* ---- On a demo data set ---------------------------------------------- */

/* 40 invitations sent across the demo's period, the first 10 about
 * demo tickets (response_rate; the outbox has no CSV kind). */
static void sent_invitations(struct store_fixture *sf)
{
    cxm_store *st = sf->st;
    bool found = false;
    int64_t lo = 0, hi = 0;

    assert_int_equal(cxm__store_time_range(st, &found, &lo, &hi), CXM_OK);
    assert_true(found);
    assert_int_equal(cxm__store_begin(st), CXM_OK);
    for (int i = 0; i < 40; i++) {
        struct cxm__outbox_row o;
        char subject[16], ticket[16];
        int64_t id = 0;
        memset(&o, 0, sizeof(o));
        snprintf(subject, sizeof(subject), "S%d", i);
        snprintf(ticket, sizeof(ticket), "T%05d", i + 1);
        o.kind = "invite";
        o.moment = "resolved";
        o.subject_id = subject;
        o.status = "queued";
        o.survey = "support-csat";
        o.channel = "email";
        o.language = "en";
        o.ticket_id = i < 10 ? ticket : NULL;
        o.created_at = o.due_at = lo + (hi - lo) / 40 * i;
        assert_int_equal(st->ops->outbox_put(st, &o, &id), CXM_OK);
        assert_int_equal(st->ops->outbox_update(st, id, "sent", NULL, 0,
                                                o.due_at + 1),
                         CXM_OK);
    }
    assert_int_equal(cxm__store_commit(st), CXM_OK);
}

static void import_demo(struct store_fixture *sf)
{
    struct cxm_demo_opts o;
    struct cxm_import_result res;
    char *err = NULL;
    char path[400];

    memset(&o, 0, sizeof(o));
    o.size = sizeof(o);
    o.seed = 13;
    o.n_tickets = 3000;
    o.span_days = 365;
    assert_int_equal(cxm_demo_write(sf->dir, &o, &err), CXM_OK);
    for (int k = 0; k < CXM_KIND_COUNT; k++) {
        const char *paths[1] = {path};
        snprintf(path, sizeof(path), "%s/%s.csv", sf->dir,
                 cxm_kind_name((cxm_kind)k));
        assert_int_equal(cxm_import_files(sf->st, (cxm_kind)k, paths, 1,
                                          NULL, &res),
                         CXM_OK);
        assert_int_equal(res.n_rejected, 0);
        assert_true(res.n_imported > 0);
        unlink(path);
    }
    sent_invitations(sf);
}

/* All metrics, no breakdown, under definitions version `defs`. */
static cxm_report *report_all(struct store_fixture *sf, int defs)
{
    cxm_metric ms[CXM_METRIC_COUNT];
    struct cxm_report_query q;
    cxm_report *r = NULL;

    for (int m = 0; m < CXM_METRIC_COUNT; m++)
        ms[m] = (cxm_metric)m;
    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    q.metrics = ms;
    q.n_metrics = CXM_METRIC_COUNT;
    q.definitions = defs;
    assert_int_equal(cxm_report_run(sf->st, &q, &r), CXM_OK);
    assert_int_equal(cxm_report_n_rows(r), 1);
    assert_int_equal(cxm_report_n_metrics(r), CXM_METRIC_COUNT);
    return r;
}

static bool near(double a, double b)
{
    double d = a > b ? a - b : b - a;
    double s = (a < 0 ? -a : a) + (b < 0 ? -b : b);

    return d <= 1e-9 * (s > 1 ? s : 1);
}

static bool same_figure(const struct cxm_figure *a,
                        const struct cxm_figure *b)
{
    if (a->is_null != b->is_null)
        return false;
    if (a->is_null)
        return true;
    return a->value_is_null == b->value_is_null && near(a->value, b->value) &&
           a->n == b->n && a->has_ci == b->has_ci &&
           (!a->has_ci || (near(a->lo, b->lo) && near(a->hi, b->hi)));
}

/* Setting one definition away from its default changes no figure of a
 * metric whose row does not list it, and does change a figure of one
 * that does (business time: only the metrics that list calendars get
 * it). */
static void test_metric__definitions_move_only_their_metrics(void **state)
{
    static const struct {
        const char *key, *value;
        unsigned def;
        bool moves_value;
    } cases[] = {
        {"csat.satisfied", "top1", CXM__DEF_CSAT_SATISFIED, true},
        {"ces.agree", "7", CXM__DEF_CES_AGREE, true},
        {"fcr.rule", "repeat_contact", CXM__DEF_FCR, true},
        {"fcr.repeat_days", "30", CXM__DEF_FCR, false},
        {"exclude.status", "closed", CXM__DEF_EXCLUDE, true},
        {"exclude.tags", "vip", CXM__DEF_EXCLUDE, false},
        {"rating.agent", "ticket_assignee", CXM__DEF_RATING_AGENT, false},
        {"calendar.frontline", "tz=UTC; hours=mon-fri 09:00-17:00",
         CXM__DEF_CALENDAR, false},
    };
    struct store_fixture *sf = *state;
    cxm_report *base;

    import_demo(sf);
    base = report_all(sf, 1);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        cxm_definitions *d = NULL;
        cxm_report *r;
        char *err = NULL;
        int version = 0;
        bool moved = false;

        assert_int_equal(cxm_definitions_new(&d), CXM_OK);
        assert_int_equal(cxm_definitions_set(d, cases[c].key,
                                             cases[c].value, &err),
                         CXM_OK);
        assert_int_equal(cxm_definitions_store(sf->st, d, "test", NULL,
                                               &version),
                         CXM_OK);
        cxm_definitions_free(d);
        r = report_all(sf, version);
        for (int m = 0; m < CXM_METRIC_COUNT; m++) {
            const struct cxm_figure fig0 = report_fig(base, 0, (size_t)m);
            const struct cxm_figure fig1 = report_fig(r, 0, (size_t)m);
            const struct cxm_figure *f0 = &fig0, *f1 = &fig1;
            bool listed = (cxm__metric((cxm_metric)m)->defs &
                           cases[c].def) != 0;
            if (!listed && !same_figure(f0, f1))
                fail_msg("%s moved %s, which does not list it",
                         cases[c].key, cxm_metric_name((cxm_metric)m));
            moved |= listed && !same_figure(f0, f1);
            if (cases[c].def == CXM__DEF_CALENDAR)
                assert_int_equal(f1->has_business, listed);
        }
        if (cases[c].moves_value && !moved)
            fail_msg("%s moved none of its metrics", cases[c].key);
        cxm_report_free(r);
    }
    cxm_report_free(base);
}

/* Every figure of the demo data lies in its metric's range, and
 * cxm_metric_range() gives the table's range (a survey mean: the stored
 * scales, within the table's default here). */
static void test_metric__figures_lie_in_the_range(void **state)
{
    struct store_fixture *sf = *state;
    cxm_report *r;

    import_demo(sf);
    r = report_all(sf, 0);
    for (int m = 0; m < CXM_METRIC_COUNT; m++) {
        const struct cxm__metric_info *mi = cxm__metric((cxm_metric)m);
        const struct cxm_figure fig = report_fig(r, 0, (size_t)m);
        const struct cxm_figure *f = &fig;
        const char *unit = NULL;
        double lo, hi;

        assert_int_equal(cxm_metric_range(sf->st, (cxm_metric)m, &lo, &hi,
                                          &unit),
                         CXM_OK);
        assert_non_null(unit);
        if (!mi->scale) {
            assert_true(lo == mi->lo && hi == mi->hi);
            assert_string_equal(unit, mi->unit);
        }
        if (f->is_null)
            fail_msg("%s: no figure on the demo data", mi->name);
        if (!f->value_is_null && (f->value < lo || f->value > hi))
            fail_msg("%s = %g outside [%g, %g]", mi->name, f->value, lo,
                     hi);
    }
    cxm_report_free(r);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metric__every_row_is_whole),
        cmocka_unit_test(test_metric__names_are_unique_and_parse_back),
        cmocka_unit_test(test_metric__exclude_follows_the_inputs),
        T(test_metric__dims_agree_with_the_report),
        T(test_metric__definitions_move_only_their_metrics),
        T(test_metric__figures_lie_in_the_range),
    };
#undef T
    return cmocka_run_group_tests_name("metric", tests, NULL, NULL);
}
