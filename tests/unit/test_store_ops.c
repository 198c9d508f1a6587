/* SPDX-License-Identifier: MIT
 *
 * test_store_ops.c — the engine table (struct cxm__store_ops, store_int.h):
 * an engine may leave every optional hook NULL and still imports and
 * reports the same figures (store.c stands in: n puts for put_rows, the
 * answers' groups from the rows, nothing to refresh); its survey hooks
 * missing answer CXM_ENOTBUILT with a sentence.
 */
#include <string.h>

#include "store_fixture.h"

#include "internal.h"
#include "store_int.h"

static const char tickets_csv[] =
    "ticket_id,created_at,agent_id,team,channel,topic,status\n"
    "t1,2025-01-02T10:00:00Z,a1,north,email,billing,solved\n"
    "t2,2025-01-03T10:00:00Z,a2,,chat,login,solved\n"
    "t3,2025-01-04T10:00:00Z,,,phone,,open\n";
static const char agents_csv[] = "agent_id,team\na1,north\na2,south\n";
/* r2 takes team south from agent a2 of its ticket; r3 its ticket's
 * channel; r4 has no ticket. */
static const char responses_csv[] =
    "response_id,survey,responded_at,score,scale,ticket_id,team\n"
    "r1,csat,2025-01-05T10:00:00Z,5,1-5,t1,\n"
    "r2,csat,2025-01-05T11:00:00Z,2,1-5,t2,\n"
    "r3,csat,2025-01-06T11:00:00Z,4,1-5,t3,west\n"
    "r4,csat,2025-02-06T11:00:00Z,4,1-5,,\n"
    "r5,csat,2025-02-07T11:00:00Z,1,1-5,t1,\n";

/* Imports the same records into sf and reports csat by team. */
static cxm_report *csat_by_team(struct store_fixture *sf, cxm_read read)
{
    const cxm_metric ms[] = {CXM_METRIC_CSAT, CXM_METRIC_CSAT_MEAN};
    const cxm_dim by[] = {CXM_BY_TEAM};

    store_fixture_import(sf, CXM_KIND_AGENTS, agents_csv);
    store_fixture_import(sf, CXM_KIND_TICKETS, tickets_csv);
    store_fixture_import(sf, CXM_KIND_RESPONSES, responses_csv);
    return store_fixture_report(sf, ms, 2, by, 1, read);
}

static cxm_rc count_survey(const cxm_survey *sv, void *ud)
{
    (void)sv;
    ++*(int *)ud;
    return CXM_OK;
}

static void optional_hooks_may_be_null(void **state)
{
    struct store_fixture full, bare;
    struct cxm__store_ops ops;
    cxm_report *a, *b;
    cxm_survey *sv = NULL;
    int n = 0;

    (void)state;
    store_fixture_open(&full, "ops-full");
    store_fixture_open(&bare, "ops-bare");
    ops = *bare.st->ops;
    ops.import_end = NULL;
    ops.put_rows = NULL;
    ops.rollup_flush = NULL;
    ops.answer_groups = NULL;
    ops.col_refresh = NULL;
    ops.survey_defs = NULL;
    ops.put_survey_def = NULL;
    ops.remove_survey_def = NULL;
    bare.st->ops = &ops;

    a = csat_by_team(&full, CXM_READ_AUTO);
    b = csat_by_team(&bare, CXM_READ_AUTO);
    assert_string_equal(cxm_report_answers_source(b), "rows");
    assert_int_equal(cxm_report_n_rows(a), cxm_report_n_rows(b));
    assert_int_equal(cxm_report_n_rows(b), 4); /* north south west, none */
    for (size_t i = 0; i < cxm_report_n_rows(a); i++) {
        assert_string_equal(cxm_report_dim_value(a, i, 0),
                            cxm_report_dim_value(b, i, 0));
        for (size_t j = 0; j < 2; j++) {
            const struct cxm_figure figa = report_fig(a, i, j);
            const struct cxm_figure figb = report_fig(b, i, j);
            const struct cxm_figure *fa = &figa, *fb = &figb;
            assert_int_equal(fa->n, fb->n);
            assert_int_equal(fa->is_null, fb->is_null);
            assert_float_equal(fa->value, fb->value, 1e-12);
        }
    }
    cxm_report_free(a);
    cxm_report_free(b);

    assert_int_equal(cxm_survey_list(bare.st, count_survey, &n),
                     CXM_ENOTBUILT);
    assert_non_null(strstr(cxm_store_errmsg(bare.st), "survey"));
    assert_int_equal(cxm_survey_get(bare.st, "x", 0, &sv), CXM_ENOTBUILT);
    assert_int_equal(cxm_survey_remove(bare.st, "x"), CXM_ENOTBUILT);
    assert_int_equal(n, 0);
    store_fixture_remove(&full);
    store_fixture_remove(&bare);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(optional_hooks_may_be_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
