/* SPDX-License-Identifier: MIT
 *
 * answers.c — survey answers by group from the rows (store_int.h,
 * answer_groups): the answers of the period as scan_responses hands them
 * over, each that counts a group of its own. An engine that keeps nothing
 * derived answers this way (store.c calls it when the hook is NULL), and
 * the SQLite engine when neither its rollups nor its column segments
 * serve.
 */
#include "internal.h"

#include <string.h>

#include "store_int.h"

#define CXM__DIM_OF(id, dim, name) dim,
#define CXM__NAME_OF(id, dim, name) name,
static const cxm_dim grain_dims[] = {CXM__GRAIN_MAP(CXM__DIM_OF)};
static const char *const grain_names[] = {CXM__GRAIN_MAP(CXM__NAME_OF)};
static const cxm_dim adim_dims[] = {CXM__ANSWER_DIM_MAP(CXM__DIM_OF)};
static const char *const adim_names[] = {CXM__ANSWER_DIM_MAP(CXM__NAME_OF)};
#undef CXM__DIM_OF
#undef CXM__NAME_OF

cxm_dim cxm__grain_dim(enum cxm__grain g)
{
    return grain_dims[g];
}

const char *cxm__grain_name(enum cxm__grain g)
{
    return grain_names[g];
}

bool cxm__grain_of(cxm_dim d, enum cxm__grain *out)
{
    for (int g = 0; g < CXM__GRAIN_COUNT; g++) {
        if (grain_dims[g] == d) {
            *out = (enum cxm__grain)g;
            return true;
        }
    }
    return false;
}

cxm_dim cxm__adim_dim(enum cxm__answer_dim a)
{
    return adim_dims[a];
}

const char *cxm__adim_name(enum cxm__answer_dim a)
{
    return adim_names[a];
}

bool cxm__adim_of(cxm_dim d, enum cxm__answer_dim *out)
{
    for (int a = 0; a < CXM__ADIM_COUNT; a++) {
        if (adim_dims[a] == d) {
            *out = (enum cxm__answer_dim)a;
            return true;
        }
    }
    return false;
}

struct rows {
    const struct cxm__answer_query *q;
    cxm__answer_group_fn fn;
    void *ud;
};

static cxm_rc on_response(const struct cxm__response_row *row, void *ud)
{
    const struct rows *w = ud;
    const struct cxm__answer_query *q = w->q;
    struct cxm__answer_group g;
    const int64_t one = 1;

    /* Custom surveys feed no metric of a report. */
    if (!row->has_score || (strcmp(row->survey, "csat") != 0 &&
                            strcmp(row->survey, "nps") != 0 &&
                            strcmp(row->survey, "ces") != 0))
        return CXM_OK;
    /* An answer about an excluded ticket is excluded with it. */
    if (row->has_ticket && q->excluded &&
        q->excluded(q->excluded_ud, row->ticket_status, row->ticket_tags))
        return CXM_OK;
    memset(&g, 0, sizeof(g));
    g.dim[CXM__ADIM_AGENT] = row->agent_id;
    /* rating.agent: whose answer it is. */
    if (q->agent == CXM__AGENT_TICKET && row->ticket_agent_id)
        g.dim[CXM__ADIM_AGENT] = row->ticket_agent_id;
    g.dim[CXM__ADIM_TEAM] = row->team;
    g.dim[CXM__ADIM_CHANNEL] = row->channel;
    g.dim[CXM__ADIM_LANGUAGE] = row->language;
    g.dim[CXM__ADIM_TOPIC] = row->topic;
    g.dim[CXM__ADIM_SURVEY] = row->survey;
    g.dim[CXM__ADIM_SEGMENT] = row->segment;
    g.survey = row->survey;
    g.at = row->responded_at;
    g.scale_min = row->scale_min;
    g.scale_max = row->scale_max;
    g.lo = row->score;
    g.n_bins = 1;
    g.hist = &one;
    return w->fn(&g, w->ud);
}

cxm_rc cxm__answer_rows(cxm_store *st, const struct cxm__answer_query *q,
                        cxm__answer_group_fn fn, void *ud)
{
    struct rows w = {q, fn, ud};

    return cxm__store_scan_responses(st, q->from, q->to, on_response, &w);
}
