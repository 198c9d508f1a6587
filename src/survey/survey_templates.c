/* SPDX-License-Identifier: MIT
 *
 * survey_templates.c — the survey templates shipped with cxmeter: the
 * JSON files of src/survey/templates/, embedded at build time
 * (cmake/embed.cmake) and read by the same parser as any definition. A
 * template's id is its file name without ".json" (a test checks that the
 * file's "id" says the same).
 */
#include "internal.h"

#include <string.h>

#include "survey_int.h"

size_t cxm_survey_n_templates(void) { return cxm__n_embedded_templates; }

const char *cxm_survey_template_id(size_t i)
{
    return i < cxm__n_embedded_templates ? cxm__embedded_templates_ids[i]
                                         : NULL;
}

const char *cxm_survey_template_json(const char *id)
{
    for (size_t i = 0; id && i < cxm__n_embedded_templates; i++) {
        if (strcmp(cxm__embedded_templates_ids[i], id) == 0)
            return cxm__embedded_templates[i].text;
    }
    return NULL;
}

cxm_rc cxm_survey_template(const char *id, cxm_survey **out)
{
    const char *text = cxm_survey_template_json(id);

    if (!out)
        return CXM_EINVAL;
    if (!text)
        return CXM_ENOTFOUND;
    return cxm_survey_parse(text, strlen(text), out, NULL);
}
