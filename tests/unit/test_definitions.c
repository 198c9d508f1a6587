/* SPDX-License-Identifier: MIT
 *
 * test_definitions.c — definition sets: parsing and checking each key,
 * the canonical form, storing versions append-only with who and when,
 * history, survey histograms under other point rules, and business time
 * on a calendar across a weekend and a holiday in Asia/Jakarta.
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
#include "definitions_int.h"
#include "store_fixture.h"

struct fixture {
    struct store_fixture s;
    cxm_definitions *d;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    store_fixture_open(&f->s, "defs");
    assert_int_equal(cxm_definitions_new(&f->d), CXM_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    cxm_definitions_free(f->d);
    store_fixture_remove(&f->s);
    free(f);
    return 0;
}

/* The JSON of d, for string checks. The caller frees it. */
static char *json_of(const cxm_definitions *d)
{
    char *text = NULL;
    size_t len;

    assert_int_equal(cxm_definitions_format(d, CXM_FORMAT_JSON, &text, &len),
                     CXM_OK);
    return text;
}

static void expect_set(cxm_definitions *d, const char *k, const char *v,
                       cxm_rc want)
{
    char *err = NULL;
    cxm_rc rc = cxm_definitions_set(d, k, v, &err);

    if (rc != want)
        fail_msg("set %s=%s: rc %d, want %d (%s)", k, v, rc, want,
                 err ? err : "");
    if (rc != CXM_OK)
        assert_non_null(err); /* every refusal says why */
    cxm_free(err);
}

static void test_definitions__defaults_are_spec(void **state)
{
    struct fixture *f = *state;
    char *j = json_of(f->d);

    assert_int_equal(cxm_definitions_version(f->d), 1);
    assert_non_null(strstr(j, "\"version\": 1"));
    assert_non_null(strstr(j, "\"csat.satisfied\": \"top2\""));
    assert_non_null(strstr(j, "\"ces.agree\": \"above_mid\""));
    assert_non_null(strstr(j, "\"fcr.rule\": \"contacts\""));
    assert_non_null(strstr(j, "\"fcr.repeat_days\": 7"));
    assert_non_null(strstr(j, "\"rating.agent\": \"response\""));
    assert_null(strstr(j, "calendar."));
    cxm_free(j);
}

static void test_definitions__parse_and_canonical_form(void **state)
{
    struct fixture *f = *state;
    char *j;

    expect_set(f->d, "csat.satisfied", " 5,4 ", CXM_OK);
    expect_set(f->d, "ces.agree", "top2", CXM_OK);
    expect_set(f->d, "fcr.rule", "REPEAT_CONTACT", CXM_OK);
    expect_set(f->d, "fcr.repeat_days", "14", CXM_OK);
    expect_set(f->d, "exclude.status", "Spam, merged,spam", CXM_OK);
    expect_set(f->d, "exclude.tags", "auto_resolved", CXM_OK);
    expect_set(f->d, "rating.agent", "ticket_assignee", CXM_OK);
    expect_set(f->d, "calendar.support",
               "hours=sat 09:00-12:00, mon-fri 09:00-17:00; "
               "tz=Asia/Jakarta; holidays=2026-03-20,2026-03-19",
               CXM_OK);
    j = json_of(f->d);
    /* Sorted, lower-cased, deduplicated, days grouped. */
    assert_non_null(strstr(j, "\"csat.satisfied\": \"4,5\""));
    assert_non_null(strstr(j, "\"ces.agree\": \"top2\""));
    assert_non_null(strstr(j, "\"fcr.rule\": \"repeat_contact\""));
    assert_non_null(strstr(j, "\"fcr.repeat_days\": 14"));
    assert_non_null(strstr(j, "\"exclude.status\": \"merged,spam\""));
    assert_non_null(strstr(j, "\"rating.agent\": \"ticket_assignee\""));
    assert_non_null(strstr(j, "\"calendar.support\": \"tz=Asia/Jakarta; "
                              "hours=mon-fri 09:00-17:00, sat 09:00-12:00; "
                              "holidays=2026-03-19,2026-03-20\""));
    cxm_free(j);
    expect_set(f->d, "calendar.support", "none", CXM_OK);
    j = json_of(f->d);
    assert_null(strstr(j, "calendar."));
    cxm_free(j);
}

static void test_definitions__bad_values_are_refused(void **state)
{
    struct fixture *f = *state;
    char *before = json_of(f->d), *after;

    expect_set(f->d, "nope", "1", CXM_ENOTFOUND);
    expect_set(f->d, "csat.satisfied", "top0", CXM_EINPUT);
    expect_set(f->d, "csat.satisfied", "top12", CXM_EINPUT);
    expect_set(f->d, "csat.satisfied", "4,4", CXM_EINPUT);
    expect_set(f->d, "csat.satisfied", "4,", CXM_EINPUT);
    expect_set(f->d, "csat.satisfied", "", CXM_EINPUT);
    expect_set(f->d, "ces.agree", "high", CXM_EINPUT);
    expect_set(f->d, "fcr.rule", "first", CXM_EINPUT);
    expect_set(f->d, "fcr.repeat_days", "0", CXM_EINPUT);
    expect_set(f->d, "fcr.repeat_days", "366", CXM_EINPUT);
    expect_set(f->d, "fcr.repeat_days", "7d", CXM_EINPUT);
    expect_set(f->d, "rating.agent", "assignee", CXM_EINPUT);
    expect_set(f->d, "exclude.tags", "a,,b", CXM_EINPUT);
    expect_set(f->d, "calendar.x", "tz=Asia/Jakarta", CXM_EINPUT);
    expect_set(f->d, "calendar.x", "hours=mon-fri 09:00-17:00", CXM_EINPUT);
    expect_set(f->d, "calendar.x", "tz=No/Where; hours=mon 09:00-17:00",
               CXM_EINPUT);
    expect_set(f->d, "calendar.x", "tz=UTC; hours=mon 17:00-09:00",
               CXM_EINPUT);
    expect_set(f->d, "calendar.x", "tz=UTC; hours=mon 09:00-25:00",
               CXM_EINPUT);
    expect_set(f->d, "calendar.x",
               "tz=UTC; hours=mon 09:00-12:00, mon 11:00-13:00", CXM_EINPUT);
    expect_set(f->d, "calendar.x", "tz=UTC; hours=fri-mon 09:00-12:00",
               CXM_EINPUT);
    expect_set(f->d, "calendar.x",
               "tz=UTC; hours=mon 09:00-12:00; holidays=2026-02-30",
               CXM_EINPUT);
    after = json_of(f->d);
    assert_string_equal(before, after); /* unchanged by every refusal */
    cxm_free(before);
    cxm_free(after);
}

static cxm_rc count_versions(const cxm_definitions *d, void *ud)
{
    int *n = ud;

    assert_int_equal(cxm_definitions_version(d), *n + 1);
    (*n)++;
    return CXM_OK;
}

static void test_definitions__store_versions_and_history(void **state)
{
    struct fixture *f = *state;
    cxm_definitions *now = NULL, *v2 = NULL;
    int version = 0, n = 0;
    char *diff = NULL;

    /* Nothing stored: version 1, the defaults. */
    assert_int_equal(cxm_definitions_load(f->s.st, 0, &now), CXM_OK);
    assert_int_equal(cxm_definitions_version(now), 1);
    cxm_definitions_free(now);
    assert_int_equal(cxm_definitions_load(f->s.st, 2, &now), CXM_ENOTFOUND);

    expect_set(f->d, "csat.satisfied", "5", CXM_OK);
    assert_int_equal(cxm_definitions_store(f->s.st, f->d, "ana", "parity",
                                           &version),
                     CXM_OK);
    assert_int_equal(version, 2);
    expect_set(f->d, "fcr.rule", "one_touch", CXM_OK);
    assert_int_equal(cxm_definitions_store(f->s.st, f->d, "bo", NULL,
                                           &version),
                     CXM_OK);
    assert_int_equal(version, 3);
    assert_int_equal(cxm_definitions_store(f->s.st, f->d, "", NULL, &version),
                     CXM_EINVAL);

    assert_int_equal(cxm_definitions_load(f->s.st, 0, &now), CXM_OK);
    assert_int_equal(cxm_definitions_version(now), 3);
    assert_string_equal(cxm_definitions_set_by(now), "bo");
    assert_string_equal(cxm_definitions_note(now), "");
    assert_true(cxm_definitions_set_at(now) > 0);
    assert_int_equal(cxm_definitions_load(f->s.st, 2, &v2), CXM_OK);
    assert_string_equal(cxm_definitions_set_by(v2), "ana");
    assert_string_equal(cxm_definitions_note(v2), "parity");
    assert_int_equal(cxm_definitions_diff(v2, now, &diff), CXM_OK);
    assert_string_equal(diff, "fcr.rule: contacts -> one_touch\n");
    cxm_free(diff);

    assert_int_equal(cxm_definitions_history(f->s.st, count_versions, &n),
                     CXM_OK);
    assert_int_equal(n, 3);
    cxm_definitions_free(now);
    cxm_definitions_free(v2);
}

/* The stored rows cannot be changed or removed (append-only triggers). */
static void test_definitions__store_is_append_only(void **state)
{
    struct fixture *f = *state;
    int version = 0;
    char cmd[600];

    assert_int_equal(cxm_definitions_store(f->s.st, f->d, "ana", NULL,
                                           &version),
                     CXM_OK);
    cxm_store_close(f->s.st);
    f->s.st = NULL;
    snprintf(cmd, sizeof(cmd),
             "sqlite3 %s \"UPDATE definitions SET set_by='eve'\" "
             "2>/dev/null",
             f->s.db);
    if (system("command -v sqlite3 >/dev/null 2>&1") != 0)
        skip();
    assert_int_not_equal(system(cmd), 0);
    snprintf(cmd, sizeof(cmd),
             "sqlite3 %s \"DELETE FROM definitions\" 2>/dev/null", f->s.db);
    assert_int_not_equal(system(cmd), 0);
    assert_int_equal(cxm_store_open(f->s.db, &f->s.st, NULL), CXM_OK);
}

static void test_definitions__histogram_applies_points_late(void **state)
{
    struct cxm_survey_stat s, a, b;
    struct cxm_points five = {CXM_POINTS_LIST, 0, false, 1, {5}};
    struct cxm_points top2 = {CXM_POINTS_TOP, 2, false, 0, {0}};
    struct cxm_points six_seven = {CXM_POINTS_LIST, 0, false, 2, {6, 7}};

    (void)state;
    memset(&s, 0, sizeof(s));
    /* SPEC §3 CSAT seed 002: 43 × 4, 29 × 5, 28 × 1–3. */
    cxm_survey_stat_add_n(&s, "csat", 4, 1, 5, 43);
    cxm_survey_stat_add_n(&s, "csat", 5, 1, 5, 29);
    cxm_survey_stat_add_n(&s, "csat", 2, 1, 5, 28);
    cxm_survey_stat_add_n(&s, "csat", 3, 1, 5, 0); /* adds nothing */
    assert_int_equal(s.n, 100);
    assert_int_equal(cxm_survey_stat_count(&s, &cxm__csat_default,
                                           &cxm__csat_default),
                     72);
    assert_int_equal(cxm_survey_stat_count(&s, &five, &cxm__csat_default),
                     29);
    /* CES on 1–7 and 1–5 merged into one group: above_mid is 5–7 and
     * 4–5; the list 6,7 counts the 6 and the two 7s, nothing on 1–5. */
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    cxm_survey_stat_add_n(&a, "ces", 7, 1, 7, 2);
    cxm_survey_stat_add_n(&a, "ces", 5, 1, 7, 3);
    cxm_survey_stat_add_n(&b, "ces", 4, 1, 5, 4);
    cxm_survey_stat_add_n(&b, "ces", 6, 1, 7, 1);
    cxm_survey_stat_merge(&a, &b);
    assert_int_equal(a.n, 10);
    assert_int_equal(a.n_scales, 2);
    assert_int_equal(cxm_survey_stat_count(&a, &cxm__ces_default,
                                           &cxm__ces_default),
                     10);
    assert_int_equal(cxm_survey_stat_count(&a, &six_seven,
                                           &cxm__ces_default),
                     3);
    assert_int_equal(cxm_survey_stat_count(&a, &top2, &cxm__ces_default),
                     3 + 4); /* 6–7 of 1–7, 4–5 of 1–5 */
    assert_true(a.sum == 7 * 2 + 5 * 3 + 4 * 4 + 6);
}

static void test_definitions__business_time_weekend_and_holiday(void **st)
{
    struct fixture *f = *st;
    const struct cxm__calendar *c;
    int64_t t0, t1;

    expect_set(f->d, "calendar.support",
               "tz=Asia/Jakarta; hours=mon-fri 09:00-17:00; "
               "holidays=2026-03-19",
               CXM_OK);
    assert_int_equal(cxm__definitions_zones(f->d), CXM_OK);
    c = cxm__definitions_calendar(f->d, "support");
    assert_non_null(c);
    assert_null(cxm__definitions_calendar(f->d, "sales"));
    /* Fri 2026-03-13 16:00 WIB to Mon 03-23 10:00 WIB: Fri 1 h, the
     * weekend 0, Mon–Wed 3 × 8 h, Thu 19 a holiday, Fri 8 h, the weekend
     * 0, Mon 1 h = 34 h. */
    assert_int_equal(cxm_time_parse("2026-03-13T16:00:00+07:00", 25, false, &t0, NULL),
                     CXM_OK);
    assert_int_equal(cxm_time_parse("2026-03-23T10:00:00+07:00", 25, false, &t1, NULL),
                     CXM_OK);
    assert_true(cxm__calendar_business_ms(c, t0, t1) ==
                INT64_C(34) * 3600000);
    /* Outside hours on both ends of a weekend: nothing. */
    assert_int_equal(cxm_time_parse("2026-03-14T10:00:00+07:00", 25, false, &t0, NULL),
                     CXM_OK);
    assert_int_equal(cxm_time_parse("2026-03-16T08:59:00+07:00", 25, false, &t1, NULL),
                     CXM_OK);
    assert_true(cxm__calendar_business_ms(c, t0, t1) == 0);
    /* The "*" calendar serves teams without their own. */
    expect_set(f->d, "calendar.*", "tz=UTC; hours=mon-sun 00:00-24:00",
               CXM_OK);
    assert_int_equal(cxm__definitions_zones(f->d), CXM_OK);
    c = cxm__definitions_calendar(f->d, "sales");
    assert_non_null(c);
    assert_true(cxm__calendar_business_ms(c, t0, t1) == t1 - t0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_definitions__defaults_are_spec,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_definitions__parse_and_canonical_form, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_definitions__bad_values_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_definitions__store_versions_and_history, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_definitions__store_is_append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_definitions__histogram_applies_points_late, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_definitions__business_time_weekend_and_holiday, setup,
            teardown),
    };

    return cmocka_run_group_tests_name("definitions", tests, NULL, NULL);
}
