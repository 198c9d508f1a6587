/* SPDX-License-Identifier: MIT
 *
 * survey.h — survey definitions: what cxmeter asks (docs/survey.md).
 *
 * A definition is a JSON document: an id, a kind (csat, nps, ces or
 * custom), its languages, and questions (rating on a scale, single or
 * multiple choice, open text), each with its text in every language and,
 * for a follow-up, the condition on an earlier answer that shows it.
 * cxm_survey_parse() checks a document completely; a bad one is refused
 * with the JSON path of the first fault and the reason
 * ("questions[2].scale: 0-11 is not a scale ...").
 *
 * A parsed survey is read-only. Its accessors borrow strings from it: they
 * stay valid until cxm_survey_free(). A text asked for in a language the
 * survey does not have comes in its default language.
 *
 * The store keeps every version of a survey: adding a definition whose id
 * is stored makes the next version (the older ones stay readable, so
 * answers collected under them keep their meaning); removing one hides
 * the survey from list and get without forgetting its versions.
 *
 * The templates shipped with cxmeter are embedded in the library and are
 * read by the same parser.
 */
#ifndef CXMETER_SURVEY_H
#define CXMETER_SURVEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cxmeter/base.h"
#include "cxmeter/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cxm_survey cxm_survey;
typedef struct cxm_survey_question cxm_survey_question;

typedef enum cxm_survey_kind {
    CXM_SURVEY_CSAT = 0,
    CXM_SURVEY_NPS = 1,
    CXM_SURVEY_CES = 2,
    CXM_SURVEY_CUSTOM = 3
} cxm_survey_kind;

typedef enum cxm_question_type {
    CXM_QUESTION_RATING = 0,   /* a whole number on the question's scale */
    CXM_QUESTION_SINGLE = 1,   /* one of the options */
    CXM_QUESTION_MULTIPLE = 2, /* any number of the options */
    CXM_QUESTION_TEXT = 3      /* free text */
} cxm_question_type;

/* The largest definition accepted, in bytes. */
#define CXM_SURVEY_MAX_BYTES (1024 * 1024)

/** Why a definition was refused. `path` is the JSON path of the fault
 *  ("questions[2].scale", "title.fi"; "" for the document itself);
 *  `reason` says what is wrong. For a document that is not JSON, line and
 *  column (from 1) say where; both are 0 otherwise. Long texts are cut. */
struct cxm_survey_error {
    char path[256];
    char reason[512];
    int line, column;
};

/** Parses and checks the definition json[0..len) and sets *out. Returns
 *  CXM_OK; CXM_EINPUT for a bad definition (*err, if not NULL, says
 *  where and why); CXM_ETOOBIG above CXM_SURVEY_MAX_BYTES; CXM_EINVAL;
 *  CXM_ENOMEM. A "version" member is accepted and ignored (the store
 *  numbers versions). The caller frees *out with cxm_survey_free(). */
CXM_API CXM_MUST_USE cxm_rc cxm_survey_parse(const char *json, size_t len,
                                             cxm_survey **out,
                                             struct cxm_survey_error *err);

/** Frees `s`. NULL-safe. */
CXM_API void cxm_survey_free(cxm_survey *s);

/** The canonical JSON of `s` (every default written out, members in a
 *  fixed order, two-space indent, a final newline; with "version" when
 *  the survey came from a store) in a new string *out of *len_out bytes.
 *  cxm_survey_parse() of it gives the same survey. Returns CXM_OK or
 *  CXM_ENOMEM. The caller frees *out with cxm_free(). */
CXM_API CXM_MUST_USE cxm_rc cxm_survey_to_json(const cxm_survey *s,
                                               char **out, size_t *len_out);

/* ---- The survey. */
CXM_API const char *cxm_survey_id(const cxm_survey *s);
CXM_API cxm_survey_kind cxm_survey_kind_of(const cxm_survey *s);
/** "csat", "nps", "ces" or "custom"; "" for a value out of range. */
CXM_API const char *cxm_survey_kind_name(cxm_survey_kind kind);
/** The version in the store; 0 for a survey not read from a store. */
CXM_API int cxm_survey_version(const cxm_survey *s);
/** When this version was added, ms since the epoch; 0 when not stored. */
CXM_API int64_t cxm_survey_added_at(const cxm_survey *s);

/** The languages, in the order the definition lists them; the default
 *  language is one of them. Codes are as written ("fi", "pt-BR"). */
CXM_API size_t cxm_survey_n_languages(const cxm_survey *s);
CXM_API const char *cxm_survey_language(const cxm_survey *s, size_t i);
CXM_API const char *cxm_survey_default_language(const cxm_survey *s);
/** Whether the survey has texts in `lang` (exact code). */
CXM_API bool cxm_survey_has_language(const cxm_survey *s, const char *lang);

/** The title, the introduction and the thank-you text in `lang` (NULL or
 *  a language the survey lacks: the default language). Intro and thanks
 *  are NULL when the definition has none. */
CXM_API const char *cxm_survey_title(const cxm_survey *s, const char *lang);
CXM_API const char *cxm_survey_intro(const cxm_survey *s, const char *lang);
CXM_API const char *cxm_survey_thanks(const cxm_survey *s, const char *lang);

/** The questions in the order they are asked. */
CXM_API size_t cxm_survey_n_questions(const cxm_survey *s);
CXM_API const cxm_survey_question *cxm_survey_question_at(const cxm_survey *s,
                                                          size_t i);
/** The question with id `id`, or NULL. */
CXM_API const cxm_survey_question *
cxm_survey_find_question(const cxm_survey *s, const char *id);

/* ---- A question (borrowed from its survey). */
CXM_API const char *cxm_question_id(const cxm_survey_question *q);
CXM_API cxm_question_type cxm_question_type_of(const cxm_survey_question *q);
/** "rating", "single_choice", "multiple_choice" or "text". */
CXM_API const char *cxm_question_type_name(cxm_question_type type);
/** The question's text in `lang` (as cxm_survey_title()). */
CXM_API const char *cxm_question_text(const cxm_survey_question *q,
                                      const char *lang);
/** Whether an answer is required when the question is shown. */
CXM_API bool cxm_question_required(const cxm_survey_question *q);

/** A rating question's scale, *lo to *hi inclusive (0 and 0 for other
 *  types). */
CXM_API void cxm_question_scale(const cxm_survey_question *q, int *lo,
                                int *hi);
/** The metric a rating question's answers feed: "csat", "nps", "ces", or
 *  NULL for none. */
CXM_API const char *cxm_question_metric(const cxm_survey_question *q);
/** The labels of a rating scale's two ends in `lang`; NULL when none. */
CXM_API const char *cxm_question_label_low(const cxm_survey_question *q,
                                           const char *lang);
CXM_API const char *cxm_question_label_high(const cxm_survey_question *q,
                                            const char *lang);

/** A choice question's options, in order (0 for other types). */
CXM_API size_t cxm_question_n_options(const cxm_survey_question *q);
CXM_API const char *cxm_question_option_id(const cxm_survey_question *q,
                                           size_t i);
CXM_API const char *cxm_question_option_text(const cxm_survey_question *q,
                                             size_t i, const char *lang);
/** A multiple choice question's most choices (its number of options when
 *  not limited); 1 for a single choice; 0 otherwise. */
CXM_API int cxm_question_max_choices(const cxm_survey_question *q);
/** A text question's longest answer in characters; 0 otherwise. */
CXM_API int cxm_question_max_length(const cxm_survey_question *q);

/* ---- Follow-ups: a question with a condition is shown only when the
 * earlier question it names was answered so. */

/** The earlier question `q` depends on, or NULL when `q` is always
 *  shown. */
CXM_API const cxm_survey_question *
cxm_question_show_if(const cxm_survey_question *q);
/** For a condition on a rating: the scores that show `q`, *min to *max
 *  inclusive; returns false when the condition is not on a rating. */
CXM_API bool cxm_question_show_if_range(const cxm_survey_question *q,
                                        int *min, int *max);
/** For a condition on a choice: the option ids any of which shows `q`. */
CXM_API size_t cxm_question_show_if_n_options(const cxm_survey_question *q);
CXM_API const char *cxm_question_show_if_option(const cxm_survey_question *q,
                                                size_t i);
/** Whether `q` is shown after its condition's rating question was
 *  answered `score` (true for a question without a condition; false for a
 *  condition on a choice). */
CXM_API bool cxm_question_shown_for_score(const cxm_survey_question *q,
                                          int score);
/** Whether `q` is shown after its condition's choice question was
 *  answered with the option ids chosen[0..n) (true for a question without
 *  a condition; false for a condition on a rating). */
CXM_API bool cxm_question_shown_for_choices(const cxm_survey_question *q,
                                            const char *const *chosen,
                                            size_t n);

/* ---- The store. */

/** Stores `s` as the next version of its id (version 1 for a new id, or
 *  after a remove the next number after the last one) and sets
 *  *version_out (if not NULL) to it. A definition equal to the current
 *  version stores nothing: *version_out is that version and *added_out
 *  (if not NULL) false. Returns CXM_OK, CXM_ESTORE, CXM_ENOTBUILT (an
 *  engine without surveys), CXM_ENOMEM, CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_survey_store(cxm_store *st,
                                             const cxm_survey *s,
                                             int *version_out,
                                             bool *added_out);

/** Reads version `version` of survey `id` (0: the current version of a
 *  survey not removed; a given version is read even after a remove) and
 *  sets *out. Returns CXM_OK; CXM_ENOTFOUND; CXM_ESTORE; CXM_EINPUT when
 *  the stored text no longer parses (cxm_store_errmsg() says why);
 *  CXM_ENOMEM; CXM_EINVAL. The caller frees *out with cxm_survey_free(). */
CXM_API CXM_MUST_USE cxm_rc cxm_survey_get(cxm_store *st, const char *id,
                                           int version, cxm_survey **out);

/** Hides survey `id` from list and get; its versions stay for the
 *  answers collected under them. Returns CXM_OK; CXM_ENOTFOUND when no
 *  such survey is listed; CXM_ESTORE; CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_survey_remove(cxm_store *st, const char *id);

/** Calls fn with the current version of every survey not removed, by
 *  id; a non-zero return of fn stops and is returned. `s` is borrowed for
 *  the call. Returns CXM_OK, CXM_ESTORE, CXM_EINPUT, CXM_ENOMEM or fn's
 *  code. */
typedef cxm_rc (*cxm_survey_fn)(const cxm_survey *s, void *ud);
CXM_API CXM_MUST_USE cxm_rc cxm_survey_list(cxm_store *st, cxm_survey_fn fn,
                                            void *ud);

/* ---- Templates shipped with cxmeter (embedded at build time). */

/** The number of templates, and the id of template i (by id order). */
CXM_API size_t cxm_survey_n_templates(void);
CXM_API const char *cxm_survey_template_id(size_t i);
/** The JSON text of template `id` (static, NUL-terminated), or NULL. */
CXM_API const char *cxm_survey_template_json(const char *id);
/** Parses template `id` and sets *out. Returns CXM_OK, CXM_ENOTFOUND,
 *  CXM_ENOMEM (a template that does not parse is a build bug, caught by
 *  the tests; it returns CXM_EINPUT). The caller frees *out with
 *  cxm_survey_free(). */
CXM_API CXM_MUST_USE cxm_rc cxm_survey_template(const char *id,
                                                cxm_survey **out);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_SURVEY_H */
