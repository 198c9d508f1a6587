/* SPDX-License-Identifier: MIT
 *
 * test_alert.c — the alert library's seams (cxmeter/alert.h): a rule's
 * check and defaults, its description, rules kept in a store, and a
 * firing as JSON and as the e-mail the mailer sends (a subject of one
 * line whatever the group's name holds, HTML-safe JSON). The evaluation
 * itself is tested end to end in tests/hostile/test_alerts.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cxmeter/cxmeter.h"
#include "store_fixture.h"

static struct cxm_alert_rule drop_rule(void)
{
    struct cxm_alert_rule r;

    memset(&r, 0, sizeof(r));
    r.size = sizeof(r);
    r.kind = CXM_ALERT_DROP;
    r.metric = CXM_METRIC_CSAT;
    r.has_by = true;
    r.by = CXM_BY_TEAM;
    r.window = CXM_BY_WEEK;
    return r;
}

static void test_alert__check_fills_defaults_and_refuses(void **state)
{
    struct cxm_alert_rule r = drop_rule();
    const char *why = NULL;

    (void)state;
    assert_int_equal(cxm_alert_rule_check(&r, &why), CXM_OK);
    assert_true(r.alpha == CXM_ALERT_ALPHA);
    assert_int_equal(r.min_n, CXM_ALERT_MIN_N);
    r = drop_rule();
    r.metric = CXM_METRIC_BACKLOG; /* a count: the report tests no change */
    assert_int_equal(cxm_alert_rule_check(&r, &why), CXM_EINVAL);
    assert_non_null(strstr(why, "proportion"));
    r = drop_rule();
    r.window = CXM_BY_MONTH;
    assert_int_equal(cxm_alert_rule_check(&r, &why), CXM_EINVAL);
    r = drop_rule();
    r.by = CXM_BY_WEEK;
    assert_int_equal(cxm_alert_rule_check(&r, &why), CXM_EINVAL);
    r = drop_rule();
    r.alpha = 0.7;
    assert_int_equal(cxm_alert_rule_check(&r, &why), CXM_EINVAL);
    r = drop_rule();
    r.metric = CXM_METRIC_CHURN;
    r.by = CXM_BY_CHANNEL; /* customers carry no channel */
    assert_int_equal(cxm_alert_rule_check(&r, &why), CXM_EINVAL);
}

static void test_alert__describe(void **state)
{
    struct cxm_alert_rule r = drop_rule();
    const char *why;
    char d[256], tiny[8];

    (void)state;
    assert_int_equal(cxm_alert_rule_check(&r, &why), CXM_OK);
    cxm_alert_rule_describe(&r, d, sizeof(d));
    assert_string_equal(d, "csat of any team drops significantly week over "
                           "week (two-proportion z test, Holm, alpha 0.01, "
                           "n >= 30 each side)");
    assert_int_equal(cxm_alert_rule_describe(&r, tiny, sizeof(tiny)),
                     strlen(d));
    assert_string_equal(tiny, "csat of");
}

struct seen {
    int n;
    int64_t last_id;
};

static cxm_rc count_rule(const struct cxm_alert_rule *r, void *ud)
{
    struct seen *s = ud;

    s->n++;
    s->last_id = r->id;
    return CXM_OK;
}

static void test_alert__rules_in_a_store(void **state)
{
    struct store_fixture sf;
    struct cxm_alert_rule r = drop_rule();
    struct cxm_alert_check_opts o;
    struct seen s = {0, 0};
    int64_t id1 = 0, id2 = 0;
    size_t fired = 99;

    (void)state;
    store_fixture_open(&sf, "alert");
    assert_int_equal(cxm_alert_rule_add(sf.st, &r, 1000, &id1), CXM_OK);
    r.kind = CXM_ALERT_ABOVE;
    r.metric = CXM_METRIC_BACKLOG;
    r.threshold = 500;
    assert_int_equal(cxm_alert_rule_add(sf.st, &r, 2000, &id2), CXM_OK);
    assert_true(id2 == id1 + 1);
    assert_int_equal(cxm_alert_rules(sf.st, count_rule, &s), CXM_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(cxm_alert_rule_remove(sf.st, id1, 3000), CXM_OK);
    assert_int_equal(cxm_alert_rule_remove(sf.st, id1, 3000),
                     CXM_ENOTFOUND);
    s.n = 0;
    assert_int_equal(cxm_alert_rules(sf.st, count_rule, &s), CXM_OK);
    assert_int_equal(s.n, 1);
    assert_true(s.last_id == id2);
    /* An empty store: nothing to fire. */
    memset(&o, 0, sizeof(o));
    o.size = sizeof(o);
    o.at_ms = o.now_ms = INT64_C(1775000000000);
    assert_int_equal(cxm_alert_check(sf.st, &o, NULL, NULL, &fired),
                     CXM_OK);
    assert_int_equal(fired, 0);
    o.has_from = true;
    o.from_ms = o.at_ms;
    assert_int_equal(cxm_alert_check(sf.st, &o, NULL, NULL, &fired),
                     CXM_EINVAL);
    store_fixture_remove(&sf);
}

static struct cxm_alert_firing a_firing(const char *group)
{
    struct cxm_alert_firing f;

    memset(&f, 0, sizeof(f));
    f.size = sizeof(f);
    f.id = 7;
    f.rule_id = 1;
    f.kind = CXM_ALERT_DROP;
    f.metric = CXM_METRIC_CSAT;
    f.has_by = true;
    f.by = CXM_BY_TEAM;
    f.window = CXM_BY_WEEK;
    f.group = group;
    f.from_ms = INT64_C(1774828800000); /* 2026-03-30, Monday */
    f.to_ms = f.from_ms + 7 * INT64_C(86400000);
    f.prev_from_ms = f.from_ms - 7 * INT64_C(86400000);
    f.value = 41.666667;
    f.n = 120;
    f.has_prev = true;
    f.prev_value = 83.428571;
    f.prev_n = 175;
    f.change = f.value - f.prev_value;
    f.method = "two-proportion z test";
    f.has_test = true;
    f.statistic = -7.462;
    f.p_value = 8.522e-14;
    f.p_adjusted = 5.113e-13;
    f.tests = 6;
    f.alpha = 0.0001;
    f.fired_at = f.to_ms;
    return f;
}

static void test_alert__mail_and_json(void **state)
{
    struct cxm_alert_firing f = a_firing("logi\r\nBcc: x@y <b>");
    char *subject = NULL, *body = NULL, *json = NULL;

    (void)state;
    assert_int_equal(cxm_alert_mail(&f, &subject, &body), CXM_OK);
    assert_null(strchr(subject, '\n'));
    assert_null(strchr(subject, '\r'));
    assert_string_equal(subject, "[cxmeter] csat for team logi  Bcc: x@y "
                                 "<b> dropped in 2026-W14: 83.4 -> 41.7");
    assert_non_null(strstr(body, "two-proportion z test"));
    assert_non_null(strstr(body, "z = -7.462, p = 8.522e-14, "
                                 "Holm-adjusted p = 5.113e-13 over 6 groups"));
    assert_non_null(strstr(body, "--from 2026-03-30T00:00:00Z --to "
                                 "2026-04-06T00:00:00Z --compare previous"));
    assert_int_equal(cxm_alert_firing_json(&f, &json), CXM_OK);
    assert_null(strchr(json, '<'));
    assert_non_null(strstr(json, "\"group\": \"logi\\u000d\\u000aBcc: x@y "
                                 "\\u003cb\\u003e\""));
    assert_non_null(strstr(json, "\"period\": \"2026-W14\""));
    assert_non_null(strstr(json, "\"p_value\": 8.522e-14"));
    assert_non_null(strstr(json, "\"threshold\": null"));
    cxm_free(subject);
    cxm_free(body);
    cxm_free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alert__check_fills_defaults_and_refuses),
        cmocka_unit_test(test_alert__describe),
        cmocka_unit_test(test_alert__rules_in_a_store),
        cmocka_unit_test(test_alert__mail_and_json),
    };
    return cmocka_run_group_tests_name("alert", tests, NULL, NULL);
}
