/* SPDX-License-Identifier: MIT
 *
 * test_record.c — unit tests of src/ingest/record.c, the data contract of SPEC §1
 * for one row: every rejection reason (missing required value, integers,
 * booleans, timestamps, numbers, scales, scores outside their scale, times
 * out of order, hours beyond a day, ratings beyond scale_max, the field
 * count, invalid UTF-8), the column each is charged to, and what accepted
 * rows turn into. A missing required column is import.c's business
 * (tests/cli) and is not tested here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "record.h"

#define MAX_FIELDS 32

/* Per-test state: a kind with its header mapping, one row and the
 * validation results. */
struct fx {
    cxm_kind kind;
    const struct cxm__kindspec *ks;
    int colmap[MAX_FIELDS];
    size_t n_header;
    char line[1024]; /* the row, split in place */
    const char *fields[MAX_FIELDS];
    size_t lens[MAX_FIELDS];
    struct cxm__csv_rec rec;
    struct cxm__value vals[MAX_FIELDS];
    struct cxm__reject rej;
    const struct cxm__window *win; /* NULL: no plausibility window */
};

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));

    if (!fx)
        return -1;
    fx->rej.reason = (struct cxm__buf)CXM__BUF_INIT(4096);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;

    cxm__buf_release(&fx->rej.reason);
    free(fx);
    return 0;
}

/* Index of spec column `name` of the fixture's kind. */
static int col(const struct fx *fx, const char *name)
{
    for (size_t j = 0; j < fx->ks->n_cols; j++) {
        if (strcmp(fx->ks->cols[j].name, name) == 0)
            return (int)j;
    }
    fail_msg("no column %s", name);
    return -1;
}

/* Splits fx->line (n bytes) at commas into the record. */
static void split(struct fx *fx, size_t n)
{
    size_t start = 0;

    fx->rec.n_fields = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || fx->line[i] == ',') {
            assert_true(fx->rec.n_fields < MAX_FIELDS);
            fx->line[i] = '\0';
            fx->fields[fx->rec.n_fields] = fx->line + start;
            fx->lens[fx->rec.n_fields] = i - start;
            fx->rec.n_fields++;
            start = i + 1;
        }
    }
    fx->rec.fields = fx->fields;
    fx->rec.lens = fx->lens;
    fx->rec.line = 2;
    fx->rec.end_line = 2;
}

/* Sets the kind and maps the comma-separated header to its columns. */
static void header(struct fx *fx, cxm_kind kind, const char *hdr)
{
    size_t n = strlen(hdr);

    fx->kind = kind;
    fx->ks = cxm__kind_spec(kind);
    assert_true(n < sizeof(fx->line));
    memcpy(fx->line, hdr, n + 1);
    split(fx, n);
    fx->n_header = fx->rec.n_fields;
    for (size_t j = 0; j < fx->ks->n_cols; j++) {
        fx->colmap[j] = -1;
        for (size_t f = 0; f < fx->rec.n_fields; f++) {
            if (strcmp(fx->fields[f], fx->ks->cols[j].name) == 0)
                fx->colmap[j] = (int)f;
        }
    }
}

/* Validates the row (n bytes at s, split at commas). */
static cxm_rc row_n(struct fx *fx, const char *s, size_t n)
{
    assert_true(n < sizeof(fx->line));
    memcpy(fx->line, s, n);
    fx->line[n] = '\0';
    split(fx, n);
    cxm__buf_reset(&fx->rej.reason);
    fx->rej.col = -2;
    return cxm__record_validate(fx->kind, &fx->rec, fx->colmap,
                                fx->n_header, fx->win, fx->vals, &fx->rej);
}

static cxm_rc row(struct fx *fx, const char *s)
{
    return row_n(fx, s, strlen(s));
}

static void accept(struct fx *fx, const char *s)
{
    if (row(fx, s) != CXM_OK)
        fail_msg("row \"%s\" rejected: %s", s,
                 fx->rej.reason.data ? fx->rej.reason.data : "?");
}

/* The row must be rejected, charged to column `column` (NULL: the whole
 * row), with a reason containing `reason`. */
static void reject(struct fx *fx, const char *s, const char *column,
                   const char *reason)
{
    assert_int_equal(row(fx, s), CXM_EINPUT);
    assert_non_null(fx->rej.reason.data);
    if (!strstr(fx->rej.reason.data, reason))
        fail_msg("row \"%s\": reason \"%s\", wanted \"%s\"", s,
                 fx->rej.reason.data, reason);
    assert_int_equal(fx->rej.col, column ? col(fx, column) : -1);
}

static const struct cxm__value *val(struct fx *fx, const char *name)
{
    return &fx->vals[col(fx, name)];
}

#define TICKETS_HDR                                                        \
    "ticket_id,created_at,first_response_at,resolved_at,contacts,"         \
    "reopened,channel"

/* 2026-03-01T09:30:00Z */
#define T0930 INT64_C(1772357400000)

static void test_record__accepts_a_full_ticket(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_TICKETS, TICKETS_HDR);
    accept(fx, "T1,2026-03-01T09:30:00Z,2026-03-01T10:00:00Z,"
               "2026-03-01 17:30:00+07:00,2,yes,email");
    assert_int_equal(val(fx, "ticket_id")->type, CXM__V_TEXT);
    assert_string_equal(val(fx, "ticket_id")->s, "T1");
    assert_int_equal(val(fx, "ticket_id")->len, 2);
    assert_int_equal(val(fx, "created_at")->type, CXM__V_INT);
    assert_int_equal(val(fx, "created_at")->i, T0930);
    assert_int_equal(val(fx, "first_response_at")->i, T0930 + 1800000);
    /* 17:30 at +07:00 is 10:30Z. */
    assert_int_equal(val(fx, "resolved_at")->i, T0930 + 3600000);
    assert_int_equal(val(fx, "contacts")->i, 2);
    assert_int_equal(val(fx, "reopened")->i, 1);
    assert_string_equal(val(fx, "channel")->s, "email");
    /* Columns the header lacks are NULL. */
    assert_int_equal(val(fx, "team")->type, CXM__V_NULL);
    assert_int_equal(val(fx, "escalated")->type, CXM__V_NULL);
}

static void test_record__empty_optional_values_are_null(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_TICKETS, TICKETS_HDR);
    accept(fx, "T1,2026-03-01T09:30:00Z,,,,,");
    assert_int_equal(val(fx, "first_response_at")->type, CXM__V_NULL);
    assert_int_equal(val(fx, "resolved_at")->type, CXM__V_NULL);
    assert_int_equal(val(fx, "contacts")->type, CXM__V_NULL);
    assert_int_equal(val(fx, "reopened")->type, CXM__V_NULL);
    assert_int_equal(val(fx, "channel")->type, CXM__V_NULL);
}

static void test_record__rejects_missing_required_value(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_TICKETS, TICKETS_HDR);
    reject(fx, ",2026-03-01T09:30:00Z,,,,,", "ticket_id",
           "required value missing");
    reject(fx, "T1,,,,,,", "created_at", "required value missing");
    header(fx, CXM_KIND_AGENT_HOURS, "agent_id,date,hours");
    reject(fx, "A1,2026-03-01,", "hours", "required value missing");
}

static void test_record__rejects_non_integers(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_TICKETS, TICKETS_HDR);
    reject(fx, "T1,2026-03-01T09:30:00Z,,,two,,", "contacts",
           "not an integer: \"two\"");
    reject(fx, "T1,2026-03-01T09:30:00Z,,,1.5,,", "contacts",
           "not an integer");
    reject(fx, "T1,2026-03-01T09:30:00Z,,, 1,,", "contacts",
           "not an integer");
    reject(fx, "T1,2026-03-01T09:30:00Z,,,99999999999999999999,,",
           "contacts", "not an integer");
    reject(fx, "T1,2026-03-01T09:30:00Z,,,-1,,", "contacts",
           "contacts -1 outside the range");
    accept(fx, "T1,2026-03-01T09:30:00Z,,,+3,,");
    assert_int_equal(val(fx, "contacts")->i, 3);
}

static void test_record__booleans(void **state)
{
    static const char *const yes[] = {"1", "true", "TRUE", "Yes", "y", "t"};
    static const char *const no[] = {"0", "false", "No", "NO", "n", "F"};
    struct fx *fx = *state;
    char line[128];

    header(fx, CXM_KIND_TICKETS, TICKETS_HDR);
    for (size_t i = 0; i < CXM_ARRAY_LEN(yes); i++) {
        snprintf(line, sizeof(line), "T1,2026-03-01T09:30:00Z,,,,%s,",
                 yes[i]);
        accept(fx, line);
        assert_int_equal(val(fx, "reopened")->i, 1);
        snprintf(line, sizeof(line), "T1,2026-03-01T09:30:00Z,,,,%s,",
                 no[i]);
        accept(fx, line);
        assert_int_equal(val(fx, "reopened")->i, 0);
    }
}

static void test_record__rejects_bad_booleans(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_TICKETS, TICKETS_HDR);
    reject(fx, "T1,2026-03-01T09:30:00Z,,,,maybe,", "reopened",
           "not a boolean (1/0, true/false, yes/no): \"maybe\"");
    reject(fx, "T1,2026-03-01T09:30:00Z,,,,2,", "reopened", "not a boolean");
    reject(fx, "T1,2026-03-01T09:30:00Z,,,,yes ,", "reopened",
           "not a boolean");
}

static void test_record__rejects_bad_timestamps(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_TICKETS, TICKETS_HDR);
    reject(fx, "T1,2026-02-30T09:30:00Z,,,,,", "created_at",
           "day out of range: \"2026-02-30T09:30:00Z\"");
    reject(fx, "T1,2026-03-01T09:30:00Z,,01/03/2026 10:00,,,",
           "resolved_at", "not a timestamp");
    reject(fx, "T1,2026-03-01T09:30:00+15:00,,,,,", "created_at",
           "UTC offset out of range");
    /* Tickets need a time of day; agents may give plain dates. */
    reject(fx, "T1,2026-03-01,,,,,", "created_at", "time of day missing");
}

static void test_record__quotes_long_values_cut_short(void **state)
{
    struct fx *fx = *state;
    char line[256];

    header(fx, CXM_KIND_TICKETS, TICKETS_HDR);
    snprintf(line, sizeof(line), "T1,2026-03-01T09:30:00Z,,,%0100dx,,", 7);
    reject(fx, line, "contacts", "not an integer: \"0000");
    /* At most 44 bytes of the value, then "...". */
    assert_non_null(strstr(fx->rej.reason.data, "...\""));
    assert_true(fx->rej.reason.len < 80);
}

static void test_record__quoted_values_keep_reasons_on_one_line(void **state)
{
    struct fx *fx = *state;

    /* A quoted CSV value may hold line ends; the reason must not. */
    header(fx, CXM_KIND_TICKETS, TICKETS_HDR);
    reject(fx, "T1,2026-03-01T09:30:00Z,,,1\r\n2,,", "contacts",
           "not an integer: \"1  2\"");
    assert_null(strpbrk(fx->rej.reason.data, "\r\n"));
}

static void test_record__plain_dates_where_allowed(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_AGENTS, "agent_id,team,hired_at,left_at");
    accept(fx, "A1,blue,2024-01-15,2026-02-28T17:00:00Z");
    /* 2024-01-15 is day 19737. */
    assert_int_equal(val(fx, "hired_at")->i, INT64_C(19737) * 86400000);
    reject(fx, "A1,blue,2023-02-29,", "hired_at", "day out of range");
}

static void test_record__rejects_times_out_of_order(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_TICKETS, TICKETS_HDR);
    reject(fx, "T1,2026-03-01T09:30:00Z,,2026-03-01T09:29:59Z,,,",
           "resolved_at", "resolved_at is before created_at");
    /* The same instant written in another zone is not before. */
    accept(fx, "T1,2026-03-01T09:30:00Z,,2026-03-01T16:30:00+07:00,,,");
    reject(fx, "T1,2026-03-01T09:30:00+07:00,2026-03-01T02:00:00Z,,,,",
           "first_response_at", "first_response_at is before created_at");
    header(fx, CXM_KIND_CUSTOMERS, "customer_id,acquired_at,churned_at");
    reject(fx, "C1,2026-01-01T00:00:00Z,2025-12-31T23:59:59Z", "churned_at",
           "churned_at is before acquired_at");
    accept(fx, "C1,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z");
    header(fx, CXM_KIND_AGENTS, "agent_id,hired_at,left_at");
    reject(fx, "A1,2026-02-28,2024-01-15", "left_at",
           "left_at is before hired_at");
}

static void test_record__rejects_scores_outside_default_scales(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_RESPONSES, "response_id,survey,responded_at,score");
    reject(fx, "R1,csat,2026-03-01T09:30:00Z,6", "score",
           "score 6 outside the csat scale 1-5");
    reject(fx, "R1,csat,2026-03-01T09:30:00Z,0", "score",
           "outside the csat scale 1-5");
    reject(fx, "R1,nps,2026-03-01T09:30:00Z,11", "score",
           "score 11 outside the nps scale 0-10");
    reject(fx, "R1,nps,2026-03-01T09:30:00Z,-1", "score",
           "outside the nps scale 0-10");
    reject(fx, "R1,ces,2026-03-01T09:30:00Z,0", "score",
           "score 0 outside the ces scale 1-7");
    reject(fx, "R1,ces,2026-03-01T09:30:00Z,8", "score",
           "outside the ces scale 1-7");
    reject(fx, "R1,csat,2026-03-01T09:30:00Z,4.5", "score",
           "not an integer");
    accept(fx, "R1,nps,2026-03-01T09:30:00Z,0");
    accept(fx, "R1,nps,2026-03-01T09:30:00Z,10");
    accept(fx, "R1,ces,2026-03-01T09:30:00Z,7");
    /* A response without a score is kept (a comment-only answer). */
    accept(fx, "R1,csat,2026-03-01T09:30:00Z,");
    assert_int_equal(val(fx, "score")->type, CXM__V_NULL);
}

static void test_record__default_scale_is_filled_in(void **state)
{
    struct fx *fx = *state;
    int lo = -1, hi = -1;

    header(fx, CXM_KIND_RESPONSES, "response_id,survey,responded_at,score");
    accept(fx, "R1,nps,2026-03-01T09:30:00Z,9");
    assert_int_equal(val(fx, "scale")->type, CXM__V_INT);
    assert_int_equal(val(fx, "scale")->i, 0);
    assert_int_equal(val(fx, "scale")->i2, 10);
    cxm__survey_default_scale("ces", &lo, &hi);
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 7);
    cxm__survey_default_scale("effort", &lo, &hi);
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 5);
}

static void test_record__custom_scale(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_RESPONSES,
           "response_id,survey,responded_at,score,scale");
    reject(fx, "R1,effort,2026-03-01T09:30:00Z,0,1-10", "score",
           "score 0 outside the effort scale 1-10");
    reject(fx, "R1,effort,2026-03-01T09:30:00Z,11,1-10", "score",
           "outside the effort scale 1-10");
    accept(fx, "R1,effort,2026-03-01T09:30:00Z,10,1-10");
    assert_int_equal(val(fx, "scale")->i, 1);
    assert_int_equal(val(fx, "scale")->i2, 10);
    /* The row's scale overrides a built-in one: CES on 1-5 (seed 001). */
    accept(fx, "R1,ces,2026-03-01T09:30:00Z,5,1-5");
    reject(fx, "R1,ces,2026-03-01T09:30:00Z,6,1-5", "score",
           "outside the ces scale 1-5");
    /* A custom survey without a scale gets 1-5. */
    reject(fx, "R1,effort,2026-03-01T09:30:00Z,6,", "score",
           "outside the effort scale 1-5");
    /* Negative bounds. */
    accept(fx, "R1,mood,2026-03-01T09:30:00Z,-2,-3-3");
}

static void test_record__rejects_bad_scales(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_RESPONSES,
           "response_id,survey,responded_at,score,scale");
    reject(fx, "R1,csat,2026-03-01T09:30:00Z,3,5-1", "scale",
           "not a scale (MIN-MAX, e.g. 1-5): \"5-1\"");
    reject(fx, "R1,csat,2026-03-01T09:30:00Z,3,3-3", "scale", "not a scale");
    reject(fx, "R1,csat,2026-03-01T09:30:00Z,3,1to5", "scale",
           "not a scale");
    reject(fx, "R1,csat,2026-03-01T09:30:00Z,3,1-", "scale", "not a scale");
    reject(fx, "R1,csat,2026-03-01T09:30:00Z,3,1-5000", "scale",
           "not a scale");
}

static void test_record__survey_kinds_fold_to_lower_case(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_RESPONSES, "response_id,survey,responded_at,score");
    accept(fx, "R1,CSAT,2026-03-01T09:30:00Z,5");
    assert_string_equal(val(fx, "survey")->s, "csat");
    reject(fx, "R1,Nps,2026-03-01T09:30:00Z,11", "score",
           "outside the nps scale 0-10");
    /* Custom survey ids keep their case. */
    accept(fx, "R1,Effort,2026-03-01T09:30:00Z,5");
    assert_string_equal(val(fx, "survey")->s, "Effort");
}

static void test_record__rejects_hours_beyond_a_day(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_AGENT_HOURS, "agent_id,date,hours");
    reject(fx, "A1,2026-03-01,24.5", "hours",
           "hours 24.5 outside a day's [0, 24]");
    reject(fx, "A1,2026-03-01,-1", "hours", "outside a day's [0, 24]");
    reject(fx, "A1,2026-03-01,7,5", NULL, "expected 3 fields");
    reject(fx, "A1,2026-03-01,7h", "hours", "not a number: \"7h\"");
    accept(fx, "A1,2026-03-01,24");
    accept(fx, "A1,2026-03-01,0");
    accept(fx, "A1,2026-03-01,7.5");
    assert_int_equal(val(fx, "hours")->type, CXM__V_REAL);
    assert_true(val(fx, "hours")->d == 7.5);
}

static void test_record__numbers_are_locale_free(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_ORDERS, "order_id,customer_id,ordered_at,amount");
    accept(fx, "O1,C1,2026-03-01T09:30:00Z,19.90");
    assert_true(val(fx, "amount")->d > 19.899 &&
                val(fx, "amount")->d < 19.901);
    accept(fx, "O1,C1,2026-03-01T09:30:00Z,-0.5");
    reject(fx, "O1,C1,2026-03-01T09:30:00Z,1e3", "amount", "not a number");
    reject(fx, "O1,C1,2026-03-01T09:30:00Z,19\xc2\xa0" "90", "amount",
           "not a number");
    reject(fx, "O1,C1,2026-03-01T09:30:00Z,nan", "amount", "not a number");
    reject(fx, "O1,,2026-03-01T09:30:00Z,5", "customer_id",
           "required value missing");
}

static void test_record__rejects_review_rating_above_scale_max(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_REVIEWS, "review_id,posted_at,rating,scale_max");
    reject(fx, "V1,2026-03-01T09:30:00Z,6,", "rating",
           "rating 6 outside the scale [1, 5]");
    reject(fx, "V1,2026-03-01T09:30:00Z,0.5,", "rating",
           "outside the scale [1, 5]");
    reject(fx, "V1,2026-03-01T09:30:00Z,11,10", "rating",
           "outside the scale [1, 10]");
    reject(fx, "V1,2026-03-01T09:30:00Z,1,1", "scale_max",
           "scale_max must be above 1 and at most 100");
    reject(fx, "V1,2026-03-01T09:30:00Z,1,101", "scale_max",
           "scale_max must be above 1");
    accept(fx, "V1,2026-03-01T09:30:00Z,9,10");
    accept(fx, "V1,2026-03-01T09:30:00Z,4.5,");
    assert_true(val(fx, "scale_max")->d == 5); /* the default */
}

static void test_record__qa_score_within_max_score(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_QA_SCORES, "ticket_id,reviewer,score,max_score");
    accept(fx, "T1,Q1,85,");
    assert_true(val(fx, "max_score")->d == 100); /* the default */
    accept(fx, "T1,Q1,7.5,10");
    reject(fx, "T1,Q1,12,10", "score", "score 12 outside the range [0, 10]");
    reject(fx, "T1,Q1,-1,", "score", "outside the range [0, 100]");
    reject(fx, "T1,Q1,5,0", "max_score", "max_score must be above 0");
    reject(fx, "T1,,5,", "reviewer", "required value missing");
}

static void test_record__rejects_wrong_field_count(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_TICKETS, TICKETS_HDR);
    reject(fx, "T1,2026-03-01T09:30:00Z", NULL,
           "expected 7 fields as in the header, found 2");
    reject(fx, "T1,2026-03-01T09:30:00Z,,,,,,extra", NULL,
           "expected 7 fields as in the header, found 8");
}

static void test_record__unknown_columns_are_ignored(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_CUSTOMERS, "note,customer_id,acquired_at,x");
    accept(fx, "anything \xff,C1,2026-01-01T00:00:00Z,");
    assert_string_equal(val(fx, "customer_id")->s, "C1");
}

static void test_record__rejects_invalid_utf8(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_REVIEWS, "review_id,posted_at,rating,text");
    /* A lead byte without its continuation. */
    reject(fx, "V1,2026-03-01T09:30:00Z,5,\xc3\x28", "text",
           "not valid UTF-8");
    /* A surrogate, an overlong '/', and a byte never valid. */
    reject(fx, "V1,2026-03-01T09:30:00Z,5,\xed\xa0\x80", "text",
           "not valid UTF-8");
    reject(fx, "V1,2026-03-01T09:30:00Z,5,\xc0\xaf", "text",
           "not valid UTF-8");
    reject(fx, "V1,2026-03-01T09:30:00Z,5,ok\xff", "text",
           "not valid UTF-8");
    /* A truncated sequence at the end of the field. */
    reject(fx, "V1,2026-03-01T09:30:00Z,5,\xe2\x82", "text",
           "not valid UTF-8");
    /* In an id too. */
    reject(fx, "V\xfe,2026-03-01T09:30:00Z,5,", "review_id",
           "not valid UTF-8");
    /* Vietnamese, Finnish and an emoji are fine. */
    accept(fx, "V1,2026-03-01T09:30:00Z,5,"
               "R\xe1\xba\xa5t t\xe1\xbb\x91t; "
               "erinomainen \xf0\x9f\x98\x80");
}

static void test_record__accepts_every_kind(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_SELFSERVICE,
           "session_id,started_at,customer_id,kind,resolved,topic");
    accept(fx, "S1,2026-03-01T09:30:00Z,C1,faq,true,billing");
    assert_int_equal(val(fx, "resolved")->i, 1);
    reject(fx, "S1,2026-03-01T09:30:00Z,C1,faq,solved,billing", "resolved",
           "not a boolean");
    header(fx, CXM_KIND_ORDERS,
           "order_id,customer_id,ordered_at,amount,currency");
    accept(fx, "O1,C1,2026-03-01T09:30:00Z,10,EUR");
    header(fx, CXM_KIND_CUSTOMERS,
           "customer_id,acquired_at,churned_at,segment,country,email,phone,"
           "language");
    accept(fx, "C1,2025-01-01T00:00:00Z,,smb,ID,a@b.id,+62,id");
    header(fx, CXM_KIND_QA_SCORES,
           "ticket_id,reviewer,score,max_score,reviewed_at");
    accept(fx, "T1,Q1,3,4,2026-03-01T09:30:00Z");
    reject(fx, "T1,Q1,3,4,yesterday", "reviewed_at", "not a timestamp");
}

/* Keys and dimension values are trimmed like header names (the value
 * stays NUL-terminated); free text is kept as written. */
static void test_record__keys_are_trimmed(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_TICKETS, "ticket_id,created_at,team,channel");
    accept(fx, " T1 ,2026-03-01T09:30:00Z,\t Tier 1 ,email ");
    assert_string_equal(val(fx, "ticket_id")->s, "T1");
    assert_int_equal(val(fx, "ticket_id")->len, 2);
    assert_string_equal(val(fx, "team")->s, "Tier 1");
    assert_int_equal(val(fx, "team")->len, 6);
    assert_string_equal(val(fx, "channel")->s, "email");
    accept(fx, "T1,2026-03-01T09:30:00Z,   ,");
    assert_int_equal(val(fx, "team")->type, CXM__V_NULL);
    reject(fx, "  ,2026-03-01T09:30:00Z,,", "ticket_id",
           "required value missing");
    header(fx, CXM_KIND_RESPONSES, "response_id,survey,responded_at,comment");
    accept(fx, "R1,csat,2026-03-01T09:30:00Z, so so ");
    assert_int_equal(val(fx, "comment")->len, 7);
}

/* A control character in a key or dimension value rejects the row,
 * NUL included (it would cut the value short on the way out). */
static void test_record__control_characters_in_keys(void **state)
{
    static const char nul_topic[] = "T1,2026-03-01T09:30:00Z,a\0b";
    static const char nul_id[] = "T\0001,2026-03-01T09:30:00Z,a";
    struct fx *fx = *state;

    header(fx, CXM_KIND_TICKETS, "ticket_id,created_at,topic");
    assert_int_equal(row_n(fx, nul_topic, sizeof(nul_topic) - 1),
                     CXM_EINPUT);
    assert_int_equal(fx->rej.col, col(fx, "topic"));
    assert_non_null(strstr(fx->rej.reason.data, "U+0000"));
    assert_int_equal(row_n(fx, nul_id, sizeof(nul_id) - 1), CXM_EINPUT);
    assert_int_equal(fx->rej.col, col(fx, "ticket_id"));
    reject(fx, "T1,2026-03-01T09:30:00Z,a\x1b[31mred", "topic", "U+001B");
    reject(fx, "T1,2026-03-01T09:30:00Z,a\x7f", "topic", "U+007F");
    reject(fx, "T1,2026-03-01T09:30:00Z,a\tb", "topic", "U+0009");
    reject(fx, "T1,2026-03-01T09:30:00Z,a\xc2\x85z", "topic", "U+0085");
    /* The reason itself holds no control character. */
    reject(fx, "T1,2026-03-01T09:30:00Z,x\x1b[2Jy", "topic", "x?[2Jy");
    accept(fx, "T1,2026-03-01T09:30:00Z,caf\xc3\xa9 \xc2\xa0ok");
}

static void test_record__control_characters_in_free_text(void **state)
{
    static const char nul_comment[] =
        "R1,csat,2026-03-01T09:30:00Z,bad\0cut";
    struct fx *fx = *state;

    header(fx, CXM_KIND_RESPONSES, "response_id,survey,responded_at,comment");
    accept(fx, "R1,csat,2026-03-01T09:30:00Z,tab\there\r\nand more");
    assert_int_equal(row_n(fx, nul_comment, sizeof(nul_comment) - 1),
                     CXM_EINPUT);
    assert_int_equal(fx->rej.col, col(fx, "comment"));
    reject(fx, "R1,csat,2026-03-01T09:30:00Z,ring\x07", "comment",
           "U+0007");
    header(fx, CXM_KIND_REVIEWS, "review_id,posted_at,rating,text");
    reject(fx, "V1,2026-03-01T09:30:00Z,5,\x1b]0;title", "text", "U+001B");
}

/* agent_hours' date is the calendar day as written, so one day is one
 * key whatever time follows it. */
static void test_record__agent_hours_date_is_the_day(void **state)
{
    struct fx *fx = *state;
    const int64_t day = INT64_C(1767744000000); /* 2026-01-07T00:00:00Z */

    header(fx, CXM_KIND_AGENT_HOURS, "agent_id,date,hours");
    accept(fx, "A1,2026-01-07,8");
    assert_int_equal(val(fx, "date")->i, day);
    accept(fx, "A1,2026-01-07T10:00:00Z,8");
    assert_int_equal(val(fx, "date")->i, day);
    accept(fx, "A1,2026-01-07 23:30:00-05:00,8");
    assert_int_equal(val(fx, "date")->i, day);
    accept(fx, "A1,2026-01-07T00:30:00+07:00,8");
    assert_int_equal(val(fx, "date")->i, day);
    reject(fx, "A1,2026-01-07T25:00:00Z,8", "date", "hour out of range");
}

/* Outside the window a timestamp is a rejected row naming the window. */
static void test_record__timestamp_window(void **state)
{
    struct fx *fx = *state;
    /* [1970-01-01, 2036-12-07): the whole of 2036-12-06. */
    const struct cxm__window win = {0, INT64_C(2112220800000)};

    fx->win = &win;
    header(fx, CXM_KIND_TICKETS, "ticket_id,created_at,resolved_at");
    accept(fx, "T1,1970-01-01T00:00:00Z,2036-12-06T23:59:59Z");
    reject(fx, "T1,1969-12-31T23:59:59Z,", "created_at",
           "window 1970-01-01 .. 2036-12-06");
    reject(fx, "T1,2026-01-01T00:00:00Z,2036-12-07T00:00:00Z",
           "resolved_at", "plausible window");
    reject(fx, "T1,1026-01-01T00:00:00Z,", "created_at", "\"1026-01-01");
    header(fx, CXM_KIND_AGENTS, "agent_id,hired_at,left_at");
    reject(fx, "A1,2020-01-01,9999-12-31", "left_at", "window");
    header(fx, CXM_KIND_AGENT_HOURS, "agent_id,date,hours");
    reject(fx, "A1,1026-01-07,8", "date", "window");
    /* Without a window, every instant cxm_time_parse() takes. */
    fx->win = NULL;
    header(fx, CXM_KIND_TICKETS, "ticket_id,created_at,resolved_at");
    accept(fx, "T1,1026-01-01T00:00:00Z,9999-12-31T23:59:59Z");
}

/* NPS is 0-10 only; CSAT and CES need three points; custom surveys keep
 * any scale. */
static void test_record__scales_that_hold_the_metric(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_RESPONSES,
           "response_id,survey,responded_at,score,scale");
    accept(fx, "R1,nps,2026-03-01T09:30:00Z,10,0-10");
    reject(fx, "R1,nps,2026-03-01T09:30:00Z,5,1-5", "scale", "0-10");
    reject(fx, "R1,NPS,2026-03-01T09:30:00Z,,1-10", "scale", "0-10");
    reject(fx, "R1, nps ,2026-03-01T09:30:00Z,3,0-5", "scale", "0-10");
    accept(fx, "R1,csat,2026-03-01T09:30:00Z,3,1-3");
    reject(fx, "R1,csat,2026-03-01T09:30:00Z,2,1-2", "scale",
           "at least three points");
    reject(fx, "R1,Ces,2026-03-01T09:30:00Z,,0-1", "scale",
           "at least three points");
    accept(fx, "R1,onboarding,2026-03-01T09:30:00Z,1,0-1");
    accept(fx, "R1,  csat ,2026-03-01T09:30:00Z,5,");
    assert_string_equal(val(fx, "survey")->s, "csat");
    assert_int_equal(val(fx, "scale")->i2, 5);
}

/* ISO 4217 form: three letters, stored upper case. */
static void test_record__currency_codes(void **state)
{
    struct fx *fx = *state;

    header(fx, CXM_KIND_ORDERS,
           "order_id,customer_id,ordered_at,amount,currency");
    accept(fx, "O1,C1,2026-03-01T09:30:00Z,10, usd ");
    assert_string_equal(val(fx, "currency")->s, "USD");
    assert_int_equal(val(fx, "currency")->len, 3);
    accept(fx, "O1,C1,2026-03-01T09:30:00Z,10,");
    assert_int_equal(val(fx, "currency")->type, CXM__V_NULL);
    reject(fx, "O1,C1,2026-03-01T09:30:00Z,10,NOTACURRENCY", "currency",
           "ISO 4217");
    reject(fx, "O1,C1,2026-03-01T09:30:00Z,10,US", "currency", "ISO 4217");
    reject(fx, "O1,C1,2026-03-01T09:30:00Z,10,U$D", "currency", "ISO 4217");
    reject(fx, "O1,C1,2026-03-01T09:30:00Z,10,840", "currency", "ISO 4217");
    reject(fx, "O1,C1,2026-03-01T09:30:00Z,10,\xe2\x82\xac", "currency",
           "ISO 4217");
}

static void test_record__kind_names(void **state)
{
    cxm_kind k;

    (void)state;
    assert_int_equal(cxm_kind_parse("tickets", &k), CXM_OK);
    assert_int_equal(k, CXM_KIND_TICKETS);
    assert_int_equal(cxm_kind_parse("Agent_Hours", &k), CXM_OK);
    assert_int_equal(k, CXM_KIND_AGENT_HOURS);
    assert_int_equal(cxm_kind_parse("ticket", &k), CXM_ENOTFOUND);
    assert_int_equal(cxm_kind_parse("", &k), CXM_ENOTFOUND);
    assert_string_equal(cxm_kind_name(CXM_KIND_QA_SCORES), "qa_scores");
    assert_string_equal(cxm_kind_name(CXM_KIND_COUNT), "");
    /* Every kind's first column is its required key. */
    for (int i = 0; i < CXM_KIND_COUNT; i++) {
        const struct cxm__kindspec *ks = cxm__kind_spec((cxm_kind)i);
        assert_string_equal(ks->name, cxm_kind_name((cxm_kind)i));
        assert_true(ks->n_cols > 0 && ks->n_cols <= MAX_FIELDS);
        assert_true(ks->cols[0].required);
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_record__accepts_a_full_ticket),
        T(test_record__empty_optional_values_are_null),
        T(test_record__rejects_missing_required_value),
        T(test_record__rejects_non_integers),
        T(test_record__booleans),
        T(test_record__rejects_bad_booleans),
        T(test_record__rejects_bad_timestamps),
        T(test_record__quotes_long_values_cut_short),
        T(test_record__quoted_values_keep_reasons_on_one_line),
        T(test_record__plain_dates_where_allowed),
        T(test_record__rejects_times_out_of_order),
        T(test_record__rejects_scores_outside_default_scales),
        T(test_record__default_scale_is_filled_in),
        T(test_record__custom_scale),
        T(test_record__rejects_bad_scales),
        T(test_record__survey_kinds_fold_to_lower_case),
        T(test_record__rejects_hours_beyond_a_day),
        T(test_record__numbers_are_locale_free),
        T(test_record__rejects_review_rating_above_scale_max),
        T(test_record__qa_score_within_max_score),
        T(test_record__rejects_wrong_field_count),
        T(test_record__unknown_columns_are_ignored),
        T(test_record__rejects_invalid_utf8),
        T(test_record__accepts_every_kind),
        T(test_record__keys_are_trimmed),
        T(test_record__control_characters_in_keys),
        T(test_record__control_characters_in_free_text),
        T(test_record__agent_hours_date_is_the_day),
        T(test_record__timestamp_window),
        T(test_record__scales_that_hold_the_metric),
        T(test_record__currency_codes),
        T(test_record__kind_names),
    };

    return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
