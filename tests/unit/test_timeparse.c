/* SPDX-License-Identifier: MIT
 *
 * test_timeparse.c — unit tests of src/time/timeparse.c: every timestamp form of
 * SPEC §1 (Z, ±hh:mm, ±hhmm, space separator, no offset = UTC, fractions,
 * plain dates where allowed), each rejection with its reason, the civil
 * calendar at its edges, and cxm_time_format(). Expected instants are
 * literals computed outside cxmeter (Python's datetime), not derived from
 * the code under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "civil.h"

/* Per-test state: the last parse's result and reason. */
struct fx {
    int64_t ms;
    const char *why;
    char out[64];
};

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));

    if (!fx)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

/* Parses s, which must be accepted; returns the instant. */
static int64_t ok(struct fx *fx, const char *s, bool allow_date)
{
    fx->why = NULL;
    if (cxm_time_parse(s, strlen(s), allow_date, &fx->ms, &fx->why) !=
        CXM_OK)
        fail_msg("\"%s\" rejected: %s", s, fx->why ? fx->why : "?");
    return fx->ms;
}

/* Parses s, which must be rejected with a reason containing `reason`. */
static void bad(struct fx *fx, const char *s, bool allow_date,
                const char *reason)
{
    fx->why = NULL;
    fx->ms = 12345;
    assert_int_equal(cxm_time_parse(s, strlen(s), allow_date, &fx->ms,
                                    &fx->why),
                     CXM_EINPUT);
    assert_non_null(fx->why);
    if (!strstr(fx->why, reason))
        fail_msg("\"%s\": reason \"%s\", wanted \"%s\"", s, fx->why,
                 reason);
    assert_int_equal(fx->ms, 12345); /* untouched on failure */
}

/* 2026-03-01T09:30:00Z */
#define T0930 INT64_C(1772357400000)

static void test_timeparse__utc_z(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(ok(fx, "2026-03-01T09:30:00Z", false), T0930);
    assert_int_equal(ok(fx, "2026-03-01t09:30:00z", false), T0930);
}

static void test_timeparse__no_offset_is_utc(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(ok(fx, "2026-03-01T09:30:00", false), T0930);
}

static void test_timeparse__space_separator_is_utc(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(ok(fx, "2026-03-01 09:30:00", false), T0930);
    /* A space with an offset is the same instant as a T with it. */
    assert_int_equal(ok(fx, "2026-03-01 09:30:00+07:00", false),
                     ok(fx, "2026-03-01T09:30:00+07:00", false));
}

static void test_timeparse__offset_with_colon(void **state)
{
    struct fx *fx = *state;

    /* 09:30 at +07:00 is 02:30Z. */
    assert_int_equal(ok(fx, "2026-03-01T09:30:00+07:00", false),
                     INT64_C(1772332200000));
    /* 09:30 at -05:30 is 15:00Z. */
    assert_int_equal(ok(fx, "2026-03-01T09:30:00-05:30", false),
                     T0930 + INT64_C(5) * 3600000 + 30 * 60000);
}

static void test_timeparse__offset_without_colon(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(ok(fx, "2026-03-01T09:30:00+0700", false),
                     INT64_C(1772332200000));
    assert_int_equal(ok(fx, "2026-03-01T09:30:00-0530", false),
                     ok(fx, "2026-03-01T09:30:00-05:30", false));
}

static void test_timeparse__offsets_up_to_fourteen_hours(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(ok(fx, "2026-03-01T09:30:00+14:00", false),
                     T0930 - INT64_C(14) * 3600000);
    /* 2026-12-31T23:00-14:00 is 2027-01-01T13:00Z: a year boundary. */
    assert_int_equal(ok(fx, "2026-12-31T23:00:00-14:00", false),
                     INT64_C(1798808400000));
    assert_int_equal(ok(fx, "2026-03-01T09:30:00+00:00", false), T0930);
    assert_int_equal(ok(fx, "2026-03-01T09:30:00-00:00", false), T0930);
}

static void test_timeparse__offset_crosses_month_boundary(void **state)
{
    struct fx *fx = *state;

    /* 2026-03-01T03:00:00+07:00 is 2026-02-28T20:00:00Z. */
    assert_int_equal(ok(fx, "2026-03-01T03:00:00+07:00", false),
                     INT64_C(1772308800000));
    assert_int_equal(cxm_time_format(fx->ms, fx->out, sizeof(fx->out)), 20);
    assert_string_equal(fx->out, "2026-02-28T20:00:00Z");
}

static void test_timeparse__fractions(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(ok(fx, "2026-03-01T09:30:00.5Z", false), T0930 + 500);
    assert_int_equal(ok(fx, "2026-03-01T09:30:00.05", false), T0930 + 50);
    assert_int_equal(ok(fx, "2026-03-01T09:30:00.123+00:00", false),
                     T0930 + 123);
    /* Past milliseconds the digits are truncated, not rounded. */
    assert_int_equal(ok(fx, "2026-03-01T09:30:00.123999999Z", false),
                     T0930 + 123);
    /* ISO 8601 also allows a comma. */
    assert_int_equal(ok(fx, "2026-03-01 09:30:00,250", false), T0930 + 250);
    /* A fraction with an offset. */
    assert_int_equal(ok(fx, "2026-03-01T16:30:00.750+07:00", false),
                     T0930 + 750);
}

static void test_timeparse__plain_date_only_when_allowed(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(ok(fx, "2026-03-01", true), T0930 - INT64_C(34200000));
    bad(fx, "2026-03-01", false, "time of day missing");
    /* allow_date changes nothing else. */
    assert_int_equal(ok(fx, "2026-03-01T09:30:00Z", true), T0930);
    bad(fx, "2026-03-01T", true, "bad time of day");
}

static void test_timeparse__leap_days(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(ok(fx, "2024-02-29T00:00:00Z", false),
                     INT64_C(1709164800000));
    assert_int_equal(ok(fx, "2000-02-29T12:00:00Z", false),
                     INT64_C(951825600000));
    bad(fx, "2025-02-29T00:00:00Z", false, "day out of range");
    bad(fx, "1900-02-29T00:00:00Z", false, "day out of range");
    bad(fx, "2026-02-29", true, "day out of range");
}

static void test_timeparse__rejects_month_13(void **state)
{
    struct fx *fx = *state;

    bad(fx, "2026-13-01T00:00:00Z", false, "month out of range");
    bad(fx, "2026-00-10T00:00:00Z", false, "month out of range");
}

static void test_timeparse__rejects_feb_30_and_day_zero(void **state)
{
    struct fx *fx = *state;

    bad(fx, "2026-02-30T00:00:00Z", false, "day out of range");
    bad(fx, "2026-04-31T00:00:00Z", false, "day out of range");
    bad(fx, "2026-01-00T00:00:00Z", false, "day out of range");
    bad(fx, "2026-01-32", true, "day out of range");
}

static void test_timeparse__rejects_bad_time_of_day(void **state)
{
    struct fx *fx = *state;

    bad(fx, "2026-12-31T24:00:00Z", false, "hour out of range");
    bad(fx, "2026-03-01T09:60:00Z", false, "minute out of range");
    bad(fx, "2026-06-30T23:59:60Z", false, "second out of range");
    bad(fx, "2026-03-01T9:30:00Z", false, "bad time of day");
    bad(fx, "2026-03-01T09:30Z", false, "bad time of day");
    bad(fx, "2026-03-01X09:30:00Z", false, "expected 'T' or ' '");
}

static void test_timeparse__rejects_bad_offsets(void **state)
{
    struct fx *fx = *state;

    bad(fx, "2026-03-01T09:30:00+14:01", false, "UTC offset out of range");
    bad(fx, "2026-03-01T09:30:00-15:00", false, "UTC offset out of range");
    bad(fx, "2026-03-01T09:30:00+07:60", false, "UTC offset out of range");
    bad(fx, "2026-03-01T09:30:00+7:00", false, "bad UTC offset");
    bad(fx, "2026-03-01T09:30:00+07:0", false, "bad UTC offset");
    bad(fx, "2026-03-01T09:30:00+070", false, "bad UTC offset");
    bad(fx, "2026-03-01T09:30:00+", false, "bad UTC offset");
    /* A colon promises minutes (this one used to pass as +07:00). */
    bad(fx, "2026-03-01T09:30:00+07:", false, "bad UTC offset");
}

static void test_timeparse__rejects_trailing_junk(void **state)
{
    struct fx *fx = *state;

    bad(fx, "2026-03-01T09:30:00Zjunk", false,
        "unexpected characters after the UTC offset");
    bad(fx, "2026-03-01T09:30:00+07:00 ", false,
        "unexpected characters after the UTC offset");
    bad(fx, "2026-03-01T09:30:00 ", false,
        "unexpected characters after the time");
    bad(fx, "2026-03-01T09:30:00 UTC", false,
        "unexpected characters after the time");
    bad(fx, "2026-03-01x", true, "expected 'T' or ' '");
}

static void test_timeparse__rejects_bad_fractions(void **state)
{
    struct fx *fx = *state;

    bad(fx, "2026-03-01T09:30:00.Z", false, "bad fraction");
    bad(fx, "2026-03-01T09:30:00.", false, "bad fraction");
    bad(fx, "2026-03-01T09:30:00.1234567891Z", false, "bad fraction");
}

static void test_timeparse__rejects_non_timestamps(void **state)
{
    struct fx *fx = *state;

    bad(fx, "", true, "empty timestamp");
    bad(fx, " 2026-03-01T09:30:00Z", false, "not a timestamp");
    bad(fx, "2026-3-01T09:30:00Z", false, "not a timestamp");
    bad(fx, "26-03-01", true, "not a timestamp");
    bad(fx, "2026/03/01", true, "not a timestamp");
    bad(fx, "01.03.2026", true, "not a timestamp");
    bad(fx, "-2026-03-01", true, "not a timestamp");
}

static void test_timeparse__reads_only_len_bytes(void **state)
{
    struct fx *fx = *state;
    const char *s = "2026-03-01T09:30:00Zjunk";

    assert_int_equal(cxm_time_parse(s, 20, false, &fx->ms, NULL), CXM_OK);
    assert_int_equal(fx->ms, T0930);
    /* A date cut short is no date; why may be NULL. */
    assert_int_equal(cxm_time_parse(s, 9, true, &fx->ms, NULL), CXM_EINPUT);
}

static void test_timeparse__years_0000_to_9999(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(ok(fx, "0000-01-01T00:00:00Z", false),
                     INT64_C(-62167219200000));
    assert_int_equal(ok(fx, "0001-01-01", true), INT64_C(-62135596800000));
    assert_int_equal(ok(fx, "9999-12-31T23:59:59.999Z", false),
                     INT64_C(253402300799999));
    /* Inside the years locally, outside them in UTC. */
    bad(fx, "9999-12-31T23:00:00-01:00", false, "instant out of range");
    bad(fx, "0000-01-01T09:30:00+11:00", false, "instant out of range");
}

static void test_timeparse__before_1970(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(ok(fx, "1969-12-31T23:59:59.999Z", false), -1);
    assert_int_equal(ok(fx, "1970-01-01T07:00:00+07:00", false), 0);
}

static void test_timeparse__format(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(cxm_time_format(0, fx->out, sizeof(fx->out)), 20);
    assert_string_equal(fx->out, "1970-01-01T00:00:00Z");
    assert_int_equal(cxm_time_format(T0930 + 5, fx->out, sizeof(fx->out)),
                     24);
    assert_string_equal(fx->out, "2026-03-01T09:30:00.005Z");
    cxm_time_format(-1, fx->out, sizeof(fx->out));
    assert_string_equal(fx->out, "1969-12-31T23:59:59.999Z");
    cxm_time_format(INT64_C(-62167219200000), fx->out, sizeof(fx->out));
    assert_string_equal(fx->out, "0000-01-01T00:00:00Z");
    cxm_time_format(INT64_C(253402300799999), fx->out, sizeof(fx->out));
    assert_string_equal(fx->out, "9999-12-31T23:59:59.999Z");
}

static void test_timeparse__format_truncates_to_cap(void **state)
{
    struct fx *fx = *state;

    memset(fx->out, 'x', sizeof(fx->out));
    assert_int_equal(cxm_time_format(T0930, fx->out, 11), 10);
    assert_string_equal(fx->out, "2026-03-01");
    assert_int_equal(fx->out[11], 'x');
}

static void test_timeparse__round_trip(void **state)
{
    static const char *const in[] = {
        "2026-03-01T09:30:00+07:00", "2024-02-29 23:59:59.999",
        "1969-07-20T20:17:40Z",      "2026-12-31T23:00:00-14:00",
        "0000-03-01T00:00:00.001Z",  "9999-12-31T10:00:00+14:00",
    };
    struct fx *fx = *state;

    for (size_t i = 0; i < CXM_ARRAY_LEN(in); i++) {
        int64_t ms = ok(fx, in[i], false), again = 0;
        size_t n = cxm_time_format(ms, fx->out, sizeof(fx->out));
        assert_int_equal(cxm_time_parse(fx->out, n, false, &again, NULL),
                         CXM_OK);
        assert_int_equal(again, ms);
    }
}

static void test_timeparse__civil_days(void **state)
{
    int64_t y;
    int m, d;

    (void)state;
    assert_int_equal(cxm__days_from_civil(1970, 1, 1), 0);
    assert_int_equal(cxm__days_from_civil(2026, 3, 1), 20513);
    assert_int_equal(cxm__days_from_civil(1969, 12, 31), -1);
    assert_int_equal(cxm__days_from_civil(2000, 3, 1), 11017);
    for (int64_t day = -800000; day <= 3000000; day += 997) {
        cxm__civil_from_days(day, &y, &m, &d);
        assert_int_equal(cxm__days_from_civil(y, m, d), day);
    }
    cxm__civil_from_days(-1, &y, &m, &d);
    assert_int_equal(y, 1969);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
    assert_int_equal(cxm__day_of_ms(-1), -1);
    assert_int_equal(cxm__day_of_ms(0), 0);
    assert_int_equal(cxm__day_of_ms(CXM__MS_PER_DAY - 1), 0);
    assert_int_equal(cxm__day_of_ms(-CXM__MS_PER_DAY), -1);
    assert_int_equal(cxm__day_of_ms(-CXM__MS_PER_DAY - 1), -2);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_timeparse__utc_z),
        T(test_timeparse__no_offset_is_utc),
        T(test_timeparse__space_separator_is_utc),
        T(test_timeparse__offset_with_colon),
        T(test_timeparse__offset_without_colon),
        T(test_timeparse__offsets_up_to_fourteen_hours),
        T(test_timeparse__offset_crosses_month_boundary),
        T(test_timeparse__fractions),
        T(test_timeparse__plain_date_only_when_allowed),
        T(test_timeparse__leap_days),
        T(test_timeparse__rejects_month_13),
        T(test_timeparse__rejects_feb_30_and_day_zero),
        T(test_timeparse__rejects_bad_time_of_day),
        T(test_timeparse__rejects_bad_offsets),
        T(test_timeparse__rejects_trailing_junk),
        T(test_timeparse__rejects_bad_fractions),
        T(test_timeparse__rejects_non_timestamps),
        T(test_timeparse__reads_only_len_bytes),
        T(test_timeparse__years_0000_to_9999),
        T(test_timeparse__before_1970),
        T(test_timeparse__format),
        T(test_timeparse__format_truncates_to_cap),
        T(test_timeparse__round_trip),
        T(test_timeparse__civil_days),
    };

    return cmocka_run_group_tests_name("timeparse", tests, NULL, NULL);
}
