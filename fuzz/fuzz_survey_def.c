/* SPDX-License-Identifier: MIT
 *
 * fuzz_survey_def.c — libFuzzer target for the survey definition parser
 * (src/survey/survey.c). Any input is parsed; a refusal must say why (a
 * reason, and a line for a document that is not JSON). An accepted
 * survey must hold what the parser promises: every text in every
 * language, follow-ups on an earlier rating or choice inside its scale or
 * options, metrics on scales that hold them; and its canonical JSON must
 * parse back to the same canonical JSON.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_survey_def: %s\n", what);
    abort();
}

static void check_question(const cxm_survey *s, size_t i)
{
    const cxm_survey_question *q = cxm_survey_question_at(s, i);
    const cxm_survey_question *c = cxm_question_show_if(q);
    const char *metric = cxm_question_metric(q);
    int lo, hi, min, max;

    for (size_t l = 0; l < cxm_survey_n_languages(s); l++) {
        const char *lang = cxm_survey_language(s, l);
        const char *t = cxm_question_text(q, lang);
        if (!t || !*t)
            fail("a question without its text in a language");
        for (size_t o = 0; o < cxm_question_n_options(q); o++) {
            t = cxm_question_option_text(q, o, lang);
            if (!t || !*t)
                fail("an option without its text in a language");
        }
    }
    cxm_question_scale(q, &lo, &hi);
    if (cxm_question_type_of(q) == CXM_QUESTION_RATING) {
        if (lo < 0 || lo > 1 || hi <= lo || hi > 10)
            fail("a rating scale outside the rules");
        if (metric && strcmp(metric, "nps") == 0 && (lo != 0 || hi != 10))
            fail("an nps rating not on 0-10");
        if (metric && hi - lo + 1 < 3)
            fail("a metric on fewer than three points");
    } else if (metric || lo || hi) {
        fail("a scale or metric on a question that is not a rating");
    }
    if ((cxm_question_type_of(q) == CXM_QUESTION_SINGLE ||
         cxm_question_type_of(q) == CXM_QUESTION_MULTIPLE) &&
        cxm_question_n_options(q) < 2)
        fail("a choice with fewer than two options");
    if (!c)
        return;
    for (size_t j = 0; j < i; j++) {
        if (cxm_survey_question_at(s, j) == c)
            goto earlier;
    }
    fail("a follow-up on a question that is not earlier");
earlier:
    if (cxm_question_show_if_range(q, &min, &max)) {
        cxm_question_scale(c, &lo, &hi);
        if (min < lo || max > hi || min > max)
            fail("a follow-up range outside its rating's scale");
        for (int score = lo; score <= hi; score++) {
            if (cxm_question_shown_for_score(q, score) !=
                (score >= min && score <= max))
                fail("shown_for_score disagrees with the range");
        }
    } else {
        size_t n = cxm_question_show_if_n_options(q);
        if (cxm_question_type_of(c) == CXM_QUESTION_TEXT ||
            cxm_question_type_of(c) == CXM_QUESTION_RATING || n == 0)
            fail("a follow-up on a text, or on a choice without options");
        for (size_t k = 0; k < n; k++) {
            const char *id = cxm_question_show_if_option(q, k);
            bool found = false;
            for (size_t o = 0; o < cxm_question_n_options(c); o++)
                found |= strcmp(cxm_question_option_id(c, o), id) == 0;
            if (!found ||
                !cxm_question_shown_for_choices(q, &id, 1))
                fail("a follow-up on an option its choice lacks");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cxm_survey_error err;
    cxm_survey *s = NULL, *s2 = NULL;
    char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    cxm_rc rc = cxm_survey_parse((const char *)data, size, &s, &err);

    if (rc == CXM_ENOMEM)
        return 0;
    if (rc) {
        if (s || !err.reason[0])
            fail("a refusal without a reason");
        return 0;
    }
    if (!cxm_survey_n_languages(s) || !cxm_survey_n_questions(s) ||
        !cxm_survey_has_language(s, cxm_survey_default_language(s)))
        fail("a survey without languages or questions");
    for (size_t l = 0; l < cxm_survey_n_languages(s); l++) {
        const char *t = cxm_survey_title(s, cxm_survey_language(s, l));
        if (!t || !*t)
            fail("a title missing in a language");
    }
    for (size_t i = 0; i < cxm_survey_n_questions(s); i++)
        check_question(s, i);
    if (cxm_survey_to_json(s, &a, &na) == CXM_OK) {
        if (cxm_survey_parse(a, na, &s2, &err) != CXM_OK) {
            fprintf(stderr, "%s: %s\n%s", err.path, err.reason, a);
            fail("canonical JSON does not parse");
        }
        if (cxm_survey_to_json(s2, &b, &nb) == CXM_OK &&
            (na != nb || memcmp(a, b, na) != 0))
            fail("canonical JSON is not stable");
    }
    cxm_free(a);
    cxm_free(b);
    cxm_survey_free(s2);
    cxm_survey_free(s);
    return 0;
}
