/* SPDX-License-Identifier: MIT
 *
 * test_survey.c — unit tests of src/survey/: survey definitions parsed and
 * checked (each refusal with its exact JSON path), the follow-up
 * conditions, the canonical JSON, the versioned store, and every embedded
 * template (parses, has all five languages, id matches its file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "store_fixture.h"

/* A small valid survey; %s slots: extra root members, extra members of
 * the rating question, extra questions. */
#define HEAD                                                               \
    "{\"id\": \"s1\", \"kind\": \"csat\", \"languages\": [\"en\", \"fi\"],"  \
    " \"title\": {\"en\": \"T\", \"fi\": \"O\"},"
#define Q_RATING                                                           \
    "{\"id\": \"score\", \"type\": \"rating\", \"scale\": \"1-5\","          \
    " \"text\": {\"en\": \"How?\", \"fi\": \"Miten?\"}}"
#define Q_WHY                                                              \
    "{\"id\": \"why\", \"type\": \"text\", \"text\": {\"en\": \"Why?\","     \
    " \"fi\": \"Miksi?\"}, \"show_if\": {\"question\": \"score\","           \
    " \"min\": 1, \"max\": 3}}"
#define Q_PICK                                                             \
    "{\"id\": \"pick\", \"type\": \"multiple_choice\", \"text\":"           \
    " {\"en\": \"Pick\", \"fi\": \"Valitse\"}, \"options\": ["              \
    "{\"id\": \"a\", \"text\": {\"en\": \"A\", \"fi\": \"A\"}},"             \
    "{\"id\": \"b\", \"text\": {\"en\": \"B\", \"fi\": \"B\"}},"             \
    "{\"id\": \"c\", \"text\": {\"en\": \"C\", \"fi\": \"C\"}}]}"

static cxm_survey *parse_ok(const char *json)
{
    struct cxm_survey_error err;
    cxm_survey *s = NULL;
    cxm_rc rc = cxm_survey_parse(json, strlen(json), &s, &err);

    if (rc != CXM_OK)
        print_error("unexpected refusal: %s: %s\n", err.path, err.reason);
    assert_int_equal(rc, CXM_OK);
    assert_non_null(s);
    return s;
}

/* Refused with exactly `path` and a reason containing `reason`. */
static void refused(const char *json, const char *path, const char *reason)
{
    struct cxm_survey_error err;
    cxm_survey *s = NULL;
    cxm_rc rc = cxm_survey_parse(json, strlen(json), &s, &err);

    if (rc != CXM_EINPUT || strcmp(err.path, path) != 0 ||
        !strstr(err.reason, reason))
        print_error("for %s\n  got rc %d, %s: %s\n  want %s: ...%s...\n",
                    json, rc, err.path, err.reason, path, reason);
    assert_int_equal(rc, CXM_EINPUT);
    assert_null(s);
    assert_string_equal(err.path, path);
    assert_non_null(strstr(err.reason, reason));
}

static void test_survey__valid_with_defaults(void **state)
{
    cxm_survey *s =
        parse_ok(HEAD "\"questions\": [" Q_RATING "," Q_WHY "," Q_PICK "]}");
    const cxm_survey_question *q;
    int lo, hi;

    (void)state;
    assert_string_equal(cxm_survey_id(s), "s1");
    assert_int_equal(cxm_survey_kind_of(s), CXM_SURVEY_CSAT);
    assert_int_equal(cxm_survey_version(s), 0);
    assert_int_equal(cxm_survey_n_languages(s), 2);
    assert_string_equal(cxm_survey_default_language(s), "en");
    assert_true(cxm_survey_has_language(s, "fi"));
    assert_false(cxm_survey_has_language(s, "vi"));
    assert_string_equal(cxm_survey_title(s, "fi"), "O");
    assert_string_equal(cxm_survey_title(s, "vi"), "T"); /* default */
    assert_string_equal(cxm_survey_title(s, NULL), "T");
    assert_null(cxm_survey_intro(s, "en"));
    assert_int_equal(cxm_survey_n_questions(s), 3);

    q = cxm_survey_question_at(s, 0);
    assert_int_equal(cxm_question_type_of(q), CXM_QUESTION_RATING);
    cxm_question_scale(q, &lo, &hi);
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 5);
    /* The first rating of a csat survey feeds csat unless it says not. */
    assert_string_equal(cxm_question_metric(q), "csat");
    assert_string_equal(cxm_question_text(q, "fi"), "Miten?");
    assert_false(cxm_question_required(q));
    assert_null(cxm_question_show_if(q));
    assert_null(cxm_question_label_low(q, "en"));

    q = cxm_survey_find_question(s, "why");
    assert_non_null(q);
    assert_int_equal(cxm_question_max_length(q), 2000);
    assert_ptr_equal(cxm_question_show_if(q), cxm_survey_question_at(s, 0));

    q = cxm_survey_find_question(s, "pick");
    assert_int_equal(cxm_question_n_options(q), 3);
    assert_int_equal(cxm_question_max_choices(q), 3);
    assert_string_equal(cxm_question_option_id(q, 1), "b");
    assert_string_equal(cxm_question_option_text(q, 2, "fi"), "C");
    assert_null(cxm_question_option_id(q, 3));
    assert_null(cxm_survey_find_question(s, "nope"));
    cxm_survey_free(s);
}

static void test_survey__follow_up_conditions(void **state)
{
    cxm_survey *s = parse_ok(
        "{\"id\": \"n\", \"kind\": \"nps\", \"languages\": [\"en\"],"
        " \"default_language\": \"en\", \"title\": {\"en\": \"T\"},"
        " \"questions\": ["
        "{\"id\": \"score\", \"type\": \"rating\", \"scale\": \"0-10\","
        " \"text\": {\"en\": \"Recommend?\"}},"
        "{\"id\": \"reason\", \"type\": \"text\", \"text\": {\"en\": \"Why\"},"
        " \"show_if\": {\"question\": \"score\"}},"
        "{\"id\": \"low\", \"type\": \"single_choice\","
        " \"text\": {\"en\": \"What\"}, \"show_if\": {\"question\": \"score\","
        " \"max\": 6}, \"options\": [{\"id\": \"price\", \"text\": {\"en\":"
        " \"Price\"}}, {\"id\": \"other\", \"text\": {\"en\": \"Other\"}}]},"
        "{\"id\": \"other\", \"type\": \"text\", \"text\": {\"en\": \"Say\"},"
        " \"show_if\": {\"question\": \"low\", \"any_of\": [\"other\"]}}]}");
    const cxm_survey_question *reason = cxm_survey_find_question(s, "reason");
    const cxm_survey_question *low = cxm_survey_find_question(s, "low");
    const cxm_survey_question *other = cxm_survey_find_question(s, "other");
    const char *price[] = {"price"}, *both[] = {"price", "other"};
    int min = -1, max = -1;

    (void)state;
    /* After every NPS answer: the whole scale. */
    assert_true(cxm_question_show_if_range(reason, &min, &max));
    assert_int_equal(min, 0);
    assert_int_equal(max, 10);
    for (int score = 0; score <= 10; score++) {
        assert_true(cxm_question_shown_for_score(reason, score));
        assert_int_equal(cxm_question_shown_for_score(low, score),
                         score <= 6);
    }
    assert_false(cxm_question_shown_for_score(low, 7));
    assert_false(cxm_question_show_if_range(other, &min, &max));
    assert_int_equal(cxm_question_show_if_n_options(other), 1);
    assert_string_equal(cxm_question_show_if_option(other, 0), "other");
    assert_false(cxm_question_shown_for_choices(other, price, 1));
    assert_true(cxm_question_shown_for_choices(other, both, 2));
    assert_false(cxm_question_shown_for_score(other, 3));
    assert_string_equal(
        cxm_question_metric(cxm_survey_find_question(s, "score")), "nps");
    cxm_survey_free(s);
}

static void test_survey__refusals_name_the_path(void **state)
{
    (void)state;
    /* The example: the third question's scale. */
    refused(HEAD "\"questions\": [" Q_RATING "," Q_WHY ","
                 "{\"id\": \"r2\", \"type\": \"rating\", \"scale\": \"0-11\","
                 " \"text\": {\"en\": \"x\", \"fi\": \"y\"}}]}",
            "questions[2].scale", "0-11 is not a scale");
    refused(HEAD "\"questions\": [{\"id\": \"r\", \"type\": \"rating\","
                 " \"scale\": \"5-1\", \"text\": {\"en\": \"x\", \"fi\": "
                 "\"y\"}}]}",
            "questions[0].scale", "5-1 is not a scale");
    refused(HEAD "\"questions\": [{\"id\": \"r\", \"type\": \"rating\","
                 " \"scale\": 5, \"text\": {\"en\": \"x\", \"fi\": \"y\"}}]}",
            "questions[0].scale", "must be a string");
    /* NPS on 0-10 only; CSAT and CES on three points or more. */
    refused("{\"id\": \"n\", \"kind\": \"nps\", \"languages\": [\"en\"],"
            " \"title\": {\"en\": \"T\"}, \"questions\": [{\"id\": \"r\","
            " \"type\": \"rating\", \"scale\": \"1-10\", \"text\": {\"en\":"
            " \"x\"}}]}",
            "questions[0].scale", "an nps rating is on 0-10 only, not 1-10");
    refused(HEAD "\"questions\": [{\"id\": \"r\", \"type\": \"rating\","
                 " \"scale\": \"1-2\", \"text\": {\"en\": \"x\", \"fi\": "
                 "\"y\"}}]}",
            "questions[0].scale", "at least three points");
    refused(HEAD "\"questions\": [{\"id\": \"r\", \"type\": \"rating\","
                 " \"metric\": \"ces\", \"scale\": \"0-1\", \"text\": {\"en\": "
                 "\"x\", \"fi\": \"y\"}}]}",
            "questions[0].scale", "a ces rating needs");
    refused("{\"id\": \"n\", \"kind\": \"nps\", \"languages\": [\"en\"],"
            " \"title\": {\"en\": \"T\"}, \"questions\": [{\"id\": \"t\","
            " \"type\": \"text\", \"text\": {\"en\": \"x\"}}]}",
            "questions", "needs a rating question for nps");
    refused(HEAD "\"questions\": [{\"id\": \"r\", \"type\": \"rating\","
                 " \"metric\": \"nope\", \"scale\": \"1-5\", \"text\": {\"en\": "
                 "\"x\", \"fi\": \"y\"}}]}",
            "questions[0].metric", "is not a metric");
    /* Texts in every language, and only in those. */
    refused(HEAD "\"questions\": [" Q_RATING ", {\"id\": \"t\", \"type\":"
                 " \"text\", \"text\": {\"en\": \"x\"}}]}",
            "questions[1].text.fi", "missing");
    refused(HEAD "\"questions\": [" Q_RATING ", {\"id\": \"t\", \"type\":"
                 " \"text\", \"text\": {\"en\": \"x\", \"fi\": \"y\", \"vi\":"
                 " \"z\"}}]}",
            "questions[1].text.vi", "not one of the survey's languages");
    refused(HEAD "\"questions\": [" Q_RATING ", {\"id\": \"t\", \"type\":"
                 " \"text\", \"text\": {\"en\": \"x\", \"fi\": \"  \"}}]}",
            "questions[1].text.fi", "empty");
    refused(HEAD "\"questions\": [" Q_RATING ", {\"id\": \"t\", \"type\":"
                 " \"text\", \"text\": {\"en\": \"x\", \"fi\": \"a\\u0007\"}}]}",
            "questions[1].text.fi", "control character");
    refused(HEAD "\"questions\": [" Q_RATING ", {\"id\": \"t\", \"type\":"
                 " \"text\", \"text\": \"plain\"}]}",
            "questions[1].text", "must be an object of texts by language");
    refused("{\"id\": \"s\", \"kind\": \"csat\", \"languages\": [\"en\","
            " \"EN\"], \"title\": {\"en\": \"T\"}, \"questions\": []}",
            "languages[1]", "is not a language code");
    refused("{\"id\": \"s\", \"kind\": \"csat\", \"languages\": [\"en\","
            " \"en\"], \"title\": {\"en\": \"T\"}, \"questions\": []}",
            "languages[1]", "listed twice");
    refused("{\"id\": \"s\", \"kind\": \"csat\", \"languages\": [\"en\"],"
            " \"default_language\": \"fi\", \"title\": {\"en\": \"T\"},"
            " \"questions\": []}",
            "default_language", "is not one of");
    refused(HEAD "\"questions\": []}", "questions", "1 to 100 questions");
    /* Ids, kinds, types, members. */
    refused("{\"id\": \"Bad Id\", \"kind\": \"csat\"}", "id",
            "is not a survey id");
    refused("{\"id\": \"s\", \"kind\": \"ces2\"}", "kind", "is not a kind");
    refused("[1, 2]", "", "a survey definition is a JSON object");
    refused(HEAD "\"colour\": 1, \"questions\": [" Q_RATING "]}", "colour",
            "unknown member");
    refused(HEAD "\"questions\": [" Q_RATING "," Q_RATING "]}",
            "questions[1].id", "\"score\" is already the id of questions[0]");
    refused(HEAD "\"questions\": [{\"id\": \"t\", \"type\": \"essay\","
                 " \"text\": {\"en\": \"x\", \"fi\": \"y\"}}]}",
            "questions[0].type", "is not a question type");
    refused(HEAD "\"questions\": [{\"id\": \"t\", \"type\": \"text\","
                 " \"scale\": \"1-5\", \"text\": {\"en\": \"x\", \"fi\": "
                 "\"y\"}}]}",
            "questions[0].scale", "a text question has no scale");
    refused(HEAD "\"questions\": [{\"id\": \"t\", \"type\": \"text\","
                 " \"required\": \"yes\", \"text\": {\"en\": \"x\", \"fi\": "
                 "\"y\"}}]}",
            "questions[0].required", "true or false");
    refused(HEAD "\"questions\": [{\"id\": \"t\", \"type\": \"text\","
                 " \"max_length\": 0, \"text\": {\"en\": \"x\", \"fi\": "
                 "\"y\"}}]}",
            "questions[0].max_length", "outside 1 to 10000");
    /* Options. */
    refused(HEAD "\"questions\": [{\"id\": \"c\", \"type\":"
                 " \"single_choice\", \"text\": {\"en\": \"x\", \"fi\": \"y\"},"
                 " \"options\": [{\"id\": \"a\", \"text\": {\"en\": \"A\","
                 " \"fi\": \"A\"}}]}]}",
            "questions[0].options", "2 to 50 options");
    refused(HEAD "\"questions\": [{\"id\": \"c\", \"type\":"
                 " \"single_choice\", \"text\": {\"en\": \"x\", \"fi\": \"y\"},"
                 " \"options\": [{\"id\": \"a\", \"text\": {\"en\": \"A\","
                 " \"fi\": \"A\"}}, {\"id\": \"a\", \"text\": {\"en\": \"B\","
                 " \"fi\": \"B\"}}]}]}",
            "questions[0].options[1].id", "already the id of options[0]");
    refused(HEAD "\"questions\": [{\"id\": \"c\", \"type\":"
                 " \"single_choice\", \"text\": {\"en\": \"x\", \"fi\": \"y\"},"
                 " \"options\": [{\"id\": \"a\", \"text\": {\"en\": \"A\","
                 " \"fi\": \"A\"}}, {\"id\": \"b\", \"text\": {\"en\": \"B\"}}"
                 "]}]}",
            "questions[0].options[1].text.fi", "missing");
    refused(HEAD "\"questions\": [" Q_RATING ","
                 "{\"id\": \"pick\", \"type\": \"multiple_choice\", \"text\":"
                 " {\"en\": \"P\", \"fi\": \"V\"}, \"max_choices\": 4,"
                 " \"options\": [{\"id\": \"a\", \"text\": {\"en\": \"A\","
                 " \"fi\": \"A\"}}, {\"id\": \"b\", \"text\": {\"en\": \"B\","
                 " \"fi\": \"B\"}}]}]}",
            "questions[1].max_choices", "outside 1 to 2");
    /* Follow-ups. */
    refused(HEAD "\"questions\": [" Q_WHY "," Q_RATING "]}",
            "questions[0].show_if.question", "no earlier question");
    refused(HEAD "\"questions\": [" Q_RATING ", {\"id\": \"why\", \"type\":"
                 " \"text\", \"text\": {\"en\": \"Why?\", \"fi\": \"Miksi?\"},"
                 " \"show_if\": {\"question\": \"score\", \"min\": 1,"
                 " \"max\": 6}}]}",
            "questions[1].show_if.max", "6 is outside 1 to 5");
    refused(HEAD "\"questions\": [" Q_RATING ", {\"id\": \"why\", \"type\":"
                 " \"text\", \"text\": {\"en\": \"Why?\", \"fi\": \"Miksi?\"},"
                 " \"show_if\": {\"question\": \"score\", \"min\": 4,"
                 " \"max\": 3}}]}",
            "questions[1].show_if.min", "4 is above max 3");
    refused(HEAD "\"questions\": [" Q_RATING "," Q_PICK ", {\"id\": \"w\","
                 " \"type\": \"text\", \"text\": {\"en\": \"W\", \"fi\": "
                 "\"W\"}, \"show_if\": {\"question\": \"pick\", \"any_of\": "
                 "[\"a\", \"z\"]}}]}",
            "questions[2].show_if.any_of[1]", "\"z\" is not an option of pick");
    refused(HEAD "\"questions\": [" Q_RATING "," Q_PICK ", {\"id\": \"w\","
                 " \"type\": \"text\", \"text\": {\"en\": \"W\", \"fi\": "
                 "\"W\"}, \"show_if\": {\"question\": \"pick\", \"min\": 1}}]}",
            "questions[2].show_if.min", "is a choice");
    refused(HEAD "\"questions\": [" Q_RATING ", {\"id\": \"w\","
                 " \"type\": \"text\", \"text\": {\"en\": \"W\", \"fi\": "
                 "\"W\"}, \"show_if\": {\"question\": \"score\", \"any_of\":"
                 " [\"a\"]}}]}",
            "questions[1].show_if.any_of", "is a rating");
    refused(HEAD "\"questions\": [" Q_RATING "," Q_WHY ", {\"id\": \"w\","
                 " \"type\": \"text\", \"text\": {\"en\": \"W\", \"fi\": "
                 "\"W\"}, \"show_if\": {\"question\": \"why\"}}]}",
            "questions[2].show_if.question", "is a text question");
}

static void test_survey__not_json(void **state)
{
    const char *bad[] = {"{\"id\": \"s\",\n  \"id\": \"t\"}",
                         "{\"id\": \"s\",\n  \"kind\": [}", "", "\xff",
                         "{\"id\": \"s\"} trailing"};
    struct cxm_survey_error err;
    cxm_survey *s = NULL;

    (void)state;
    for (size_t i = 0; i < CXM_ARRAY_LEN(bad); i++) {
        assert_int_equal(cxm_survey_parse(bad[i], strlen(bad[i]), &s, &err),
                         CXM_EINPUT);
        assert_null(s);
        assert_true(err.line >= 1);
        assert_non_null(strstr(err.reason, "not valid JSON"));
    }
    assert_int_equal(cxm_survey_parse(bad[0], strlen(bad[0]), &s, &err),
                     CXM_EINPUT);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.reason, "duplicate"));
    /* A NUL inside the buffer is not JSON either. */
    assert_int_equal(cxm_survey_parse("{}\0{}", 5, &s, &err), CXM_EINPUT);
    assert_int_equal(cxm_survey_parse(NULL, 0, &s, &err), CXM_EINVAL);
}

/* to_json of parse of to_json is the same text, and parses. */
static void round_trip(const cxm_survey *s)
{
    char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    cxm_survey *s2 = NULL;

    assert_int_equal(cxm_survey_to_json(s, &a, &na), CXM_OK);
    assert_int_equal(strlen(a), na);
    assert_int_equal(a[na - 1], '\n');
    s2 = parse_ok(a);
    assert_int_equal(cxm_survey_to_json(s2, &b, &nb), CXM_OK);
    assert_string_equal(a, b);
    cxm_free(a);
    cxm_free(b);
    cxm_survey_free(s2);
}

static void test_survey__canonical_json(void **state)
{
    cxm_survey *s =
        parse_ok(HEAD "\"version\": 7, \"questions\": [" Q_RATING "," Q_WHY
                      "," Q_PICK "]}");
    char *text = NULL;

    (void)state;
    assert_int_equal(cxm_survey_version(s), 0); /* "version" is ignored */
    round_trip(s);
    assert_int_equal(cxm_survey_to_json(s, &text, NULL), CXM_OK);
    /* Defaults written out, no version for a survey not stored. */
    assert_non_null(strstr(text, "\"default_language\": \"en\""));
    assert_non_null(strstr(text, "\"metric\": \"csat\""));
    assert_non_null(strstr(text, "\"max_length\": 2000"));
    assert_non_null(strstr(text, "\"max_choices\": 3"));
    assert_non_null(strstr(text, "\"min\": 1"));
    assert_null(strstr(text, "\"version\""));
    cxm_free(text);
    cxm_survey_free(s);
}

static void test_survey__templates(void **state)
{
    static const char *const want[] = {
        "ces", "churn-prevention", "customer-communication",
        "event-feedback", "feature-adoption", "market-research", "nps",
        "onboarding", "post-purchase", "service-satisfaction",
        "support-csat"};
    static const char *const langs[] = {"en", "ms", "id", "vi", "fi"};
    size_t n = cxm_survey_n_templates();

    (void)state;
    assert_int_equal(n, CXM_ARRAY_LEN(want));
    for (size_t i = 0; i < n; i++) {
        const char *id = cxm_survey_template_id(i);
        const char *json = cxm_survey_template_json(id);
        struct cxm_survey_error err;
        cxm_survey *s = NULL;

        assert_string_equal(id, want[i]);
        assert_non_null(json);
        /* The same parser as any definition, with its message. */
        if (cxm_survey_parse(json, strlen(json), &s, &err))
            fail_msg("template %s: %s: %s (line %d)", id, err.path,
                     err.reason, err.line);
        assert_string_equal(cxm_survey_id(s), id);
        assert_int_equal(cxm_survey_n_languages(s), 5);
        assert_string_equal(cxm_survey_default_language(s), "en");
        for (size_t l = 0; l < 5; l++) {
            assert_true(cxm_survey_has_language(s, langs[l]));
            assert_true(strlen(cxm_survey_title(s, langs[l])) > 0);
            for (size_t k = 0; k < cxm_survey_n_questions(s); k++) {
                const cxm_survey_question *q = cxm_survey_question_at(s, k);
                assert_true(strlen(cxm_question_text(q, langs[l])) > 0);
                for (size_t o = 0; o < cxm_question_n_options(q); o++)
                    assert_non_null(cxm_question_option_text(q, o, langs[l]));
                /* Each text is its own in each language (no English
                 * left in a translation), names aside. */
                if (l > 0 && strlen(cxm_question_text(q, "en")) > 12)
                    assert_string_not_equal(cxm_question_text(q, "en"),
                                            cxm_question_text(q, langs[l]));
            }
        }
        /* A csat, nps or ces template feeds its metric. */
        if (cxm_survey_kind_of(s) != CXM_SURVEY_CUSTOM) {
            bool fed = false;
            for (size_t k = 0; k < cxm_survey_n_questions(s); k++) {
                const char *m =
                    cxm_question_metric(cxm_survey_question_at(s, k));
                fed |= m && strcmp(m, cxm_survey_kind_name(
                                          cxm_survey_kind_of(s))) == 0;
            }
            assert_true(fed);
        }
        round_trip(s);
        cxm_survey_free(s);
    }
    assert_null(cxm_survey_template_id(n));
    assert_null(cxm_survey_template_json("nope"));
}

static void test_survey__template_contents(void **state)
{
    cxm_survey *s = NULL;
    const cxm_survey_question *q;
    int lo, hi;

    (void)state;
    /* NPS with a reason after every answer. */
    assert_int_equal(cxm_survey_template("nps", &s), CXM_OK);
    q = cxm_survey_question_at(s, 0);
    cxm_question_scale(q, &lo, &hi);
    assert_int_equal(lo, 0);
    assert_int_equal(hi, 10);
    assert_string_equal(cxm_question_metric(q), "nps");
    q = cxm_survey_question_at(s, 1);
    assert_int_equal(cxm_question_type_of(q), CXM_QUESTION_TEXT);
    for (int score = 0; score <= 10; score++)
        assert_true(cxm_question_shown_for_score(q, score));
    cxm_survey_free(s);
    /* CSAT: "what could we have done better?" after 1-3 only. */
    assert_int_equal(cxm_survey_template("support-csat", &s), CXM_OK);
    q = cxm_survey_find_question(s, "improve");
    for (int score = 1; score <= 5; score++)
        assert_int_equal(cxm_question_shown_for_score(q, score), score <= 3);
    cxm_survey_free(s);
    /* CES on 1-7. */
    assert_int_equal(cxm_survey_template("ces", &s), CXM_OK);
    q = cxm_survey_question_at(s, 0);
    cxm_question_scale(q, &lo, &hi);
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 7);
    assert_string_equal(cxm_question_metric(q), "ces");
    cxm_survey_free(s);
    assert_int_equal(cxm_survey_template("customer-communication", &s),
                     CXM_OK);
    assert_true(cxm_survey_n_questions(s) >= 12);
    cxm_survey_free(s);
    assert_int_equal(cxm_survey_template("nope", &s), CXM_ENOTFOUND);
}

static cxm_rc collect(const cxm_survey *s, void *ud)
{
    char *out = ud;
    char line[64];

    snprintf(line, sizeof(line), "%s:%d ", cxm_survey_id(s),
             cxm_survey_version(s));
    strcat(out, line);
    return CXM_OK;
}

static void test_survey__store_versions(void **state)
{
    struct store_fixture sf;
    cxm_survey *a = NULL, *b = NULL, *got = NULL;
    char listed[256] = "", *text = NULL;
    int v = 0;
    bool added = false;

    (void)state;
    store_fixture_open(&sf, "survey");
    a = parse_ok(HEAD "\"questions\": [" Q_RATING "]}");
    b = parse_ok(HEAD "\"questions\": [" Q_RATING "," Q_WHY "]}");
    assert_int_equal(cxm_survey_get(sf.st, "s1", 0, &got), CXM_ENOTFOUND);
    assert_int_equal(cxm_survey_store(sf.st, a, &v, &added), CXM_OK);
    assert_int_equal(v, 1);
    assert_true(added);
    /* The same again stores nothing. */
    assert_int_equal(cxm_survey_store(sf.st, a, &v, &added), CXM_OK);
    assert_int_equal(v, 1);
    assert_false(added);
    assert_int_equal(cxm_survey_store(sf.st, b, &v, &added), CXM_OK);
    assert_int_equal(v, 2);
    assert_true(added);
    assert_int_equal(cxm_survey_get(sf.st, "s1", 0, &got), CXM_OK);
    assert_int_equal(cxm_survey_version(got), 2);
    assert_true(cxm_survey_added_at(got) > 0);
    assert_int_equal(cxm_survey_n_questions(got), 2);
    assert_int_equal(cxm_survey_to_json(got, &text, NULL), CXM_OK);
    assert_non_null(strstr(text, "\"version\": 2"));
    cxm_free(text);
    /* A stored survey stored again is unchanged (its version is not part
     * of what is compared). */
    assert_int_equal(cxm_survey_store(sf.st, got, &v, &added), CXM_OK);
    assert_int_equal(v, 2);
    assert_false(added);
    cxm_survey_free(got);
    got = NULL;
    assert_int_equal(cxm_survey_get(sf.st, "s1", 1, &got), CXM_OK);
    assert_int_equal(cxm_survey_n_questions(got), 1);
    cxm_survey_free(got);
    got = NULL;
    assert_int_equal(cxm_survey_list(sf.st, collect, listed), CXM_OK);
    assert_string_equal(listed, "s1:2 ");

    /* Removed: not listed, not current, but its versions stay. */
    assert_int_equal(cxm_survey_remove(sf.st, "s1"), CXM_OK);
    assert_int_equal(cxm_survey_remove(sf.st, "s1"), CXM_ENOTFOUND);
    assert_int_equal(cxm_survey_get(sf.st, "s1", 0, &got), CXM_ENOTFOUND);
    assert_int_equal(cxm_survey_get(sf.st, "s1", 2, &got), CXM_OK);
    cxm_survey_free(got);
    got = NULL;
    listed[0] = '\0';
    assert_int_equal(cxm_survey_list(sf.st, collect, listed), CXM_OK);
    assert_string_equal(listed, "");
    /* Added again: the next number, not 1. */
    assert_int_equal(cxm_survey_store(sf.st, a, &v, &added), CXM_OK);
    assert_int_equal(v, 3);
    assert_int_equal(cxm_survey_get(sf.st, "s1", 9, &got), CXM_ENOTFOUND);
    assert_int_equal(cxm_survey_remove(sf.st, "other"), CXM_ENOTFOUND);
    cxm_survey_free(a);
    cxm_survey_free(b);
    store_fixture_remove(&sf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_survey__valid_with_defaults),
        cmocka_unit_test(test_survey__follow_up_conditions),
        cmocka_unit_test(test_survey__refusals_name_the_path),
        cmocka_unit_test(test_survey__not_json),
        cmocka_unit_test(test_survey__canonical_json),
        cmocka_unit_test(test_survey__templates),
        cmocka_unit_test(test_survey__template_contents),
        cmocka_unit_test(test_survey__store_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
