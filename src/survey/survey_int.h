/* SPDX-License-Identifier: MIT
 *
 * survey_int.h — private to the survey room (src/survey/): what the
 * parser (survey.c), the store of definitions (survey_store.c) and the
 * embedded templates (survey_templates.c) share.
 */
#ifndef CXM_SURVEY_INT_H
#define CXM_SURVEY_INT_H

#include "internal.h"

/* Marks `s` as version `version` of the store, added at `added_at` (ms). */
void cxm__survey_set_stored(cxm_survey *s, int version, int64_t added_at);

/* The canonical JSON of `s` (cxm_survey_to_json()), with its version or
 * without it (as the store keeps it). */
CXM_MUST_USE cxm_rc cxm__survey_json(const cxm_survey *s, bool with_version,
                                     char **out, size_t *len_out);

/* The templates embedded at build time (cmake/embed.cmake), in name
 * order: "support-csat.json" and its text. */
extern const struct cxm__embedded cxm__embedded_templates[];
extern const size_t cxm__n_embedded_templates;
/* Their ids: each file's name without ".json", in the same order. */
extern const char *const cxm__embedded_templates_ids[];

#endif /* CXM_SURVEY_INT_H */
