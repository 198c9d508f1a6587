/* SPDX-License-Identifier: MIT
 *
 * comments.c — the open-ended answers (cxmeter/comments.h,
 * docs/comments.md): the comments of stored answers (responses.comment:
 * imported, or a survey link's text answer explaining a rating) and the
 * text answers of survey submissions that became no answer's comment,
 * read through the engine's comments hook, kept when their question is a
 * text question of the survey version they were given under, newest
 * first; and their table, JSON and CSV.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxmeter/comments.h"
#include "cxmeter/survey.h"
#include "cxmeter/timefmt.h"
#include "report_int.h"
#include "store_int.h"

#define N_TEXTS 11 /* string fields of struct cxm_comment, below */

/* One comment, its strings owned. */
struct owned {
    struct cxm_comment c;
    char *s[N_TEXTS];
};

struct list {
    cxm_store *st;
    struct owned *v;
    size_t n, cap;
    /* Survey versions read for submissions' answers. */
    struct {
        char *id;
        int version;
        cxm_survey *sv; /* NULL: not readable */
    } *surveys;
    size_t n_surveys, surveys_cap;
};

static const char **field(struct cxm_comment *c, int i)
{
    const char **f[N_TEXTS] = {
        &c->source,    &c->id,      &c->survey,      &c->question,
        &c->text,      &c->ticket_id, &c->customer_id, &c->agent_id,
        &c->team,      &c->channel, &c->language};
    return f[i];
}

static void owned_release(struct owned *o)
{
    for (int i = 0; i < N_TEXTS; i++)
        cxm__free(o->s[i]);
}

static cxm_rc keep(const struct cxm_comment *c, void *ud)
{
    struct list *l = ud;
    struct owned *o;
    cxm_rc rc = cxm__grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));

    if (rc)
        return rc;
    o = &l->v[l->n];
    memset(o, 0, sizeof(*o));
    o->c = *c;
    o->c.size = sizeof(o->c);
    for (int i = 0; i < N_TEXTS; i++) {
        const char **f = field(&o->c, i);
        if (!*f)
            continue;
        o->s[i] = cxm__strdup(*f);
        if (!o->s[i]) {
            owned_release(o);
            return CXM_ENOMEM;
        }
        *f = o->s[i];
    }
    l->n++;
    return CXM_OK;
}

/* The survey `id` at `version`, read once (NULL when it cannot be). */
static cxm_rc survey_of(struct list *l, const char *id, int version,
                        cxm_survey **out)
{
    cxm_survey *sv = NULL;
    cxm_rc rc;

    for (size_t i = 0; i < l->n_surveys; i++) {
        if (l->surveys[i].version == version &&
            strcmp(l->surveys[i].id, id) == 0) {
            *out = l->surveys[i].sv;
            return CXM_OK;
        }
    }
    rc = cxm__grow((void **)&l->surveys, &l->surveys_cap, l->n_surveys + 1,
                   sizeof(*l->surveys));
    if (rc)
        return rc;
    rc = cxm_survey_get(l->st, id, version, &sv);
    if (rc == CXM_ENOMEM || rc == CXM_ESTORE)
        return rc;
    l->surveys[l->n_surveys].id = cxm__strdup(id);
    if (!l->surveys[l->n_surveys].id) {
        cxm_survey_free(sv);
        return CXM_ENOMEM;
    }
    l->surveys[l->n_surveys].version = version;
    l->surveys[l->n_surveys].sv = sv;
    l->n_surveys++;
    *out = sv;
    return CXM_OK;
}

/* A submission's string answer: kept when its question is a text
 * question (a single choice is a string too). */
static cxm_rc keep_text(const struct cxm_comment *c, int version, void *ud)
{
    struct list *l = ud;
    cxm_survey *sv = NULL;
    cxm_rc rc = survey_of(l, c->survey, version, &sv);

    if (rc || !sv)
        return rc;
    for (size_t i = 0; i < cxm_survey_n_questions(sv); i++) {
        const cxm_survey_question *q = cxm_survey_question_at(sv, i);
        if (strcmp(cxm_question_id(q), c->question) == 0)
            return cxm_question_type_of(q) == CXM_QUESTION_TEXT
                       ? keep(c, ud)
                       : CXM_OK;
    }
    return CXM_OK;
}

static int newest_first(const void *a, const void *b)
{
    const struct cxm_comment *x = &((const struct owned *)a)->c;
    const struct cxm_comment *y = &((const struct owned *)b)->c;

    if (x->at_ms != y->at_ms)
        return x->at_ms > y->at_ms ? -1 : 1;
    return strcmp(x->id, y->id);
}

static void list_release(struct list *l)
{
    for (size_t i = 0; i < l->n; i++)
        owned_release(&l->v[i]);
    cxm__free(l->v);
    for (size_t i = 0; i < l->n_surveys; i++) {
        cxm__free(l->surveys[i].id);
        cxm_survey_free(l->surveys[i].sv);
    }
    cxm__free(l->surveys);
}

/* Reads the comments q selects into l, newest first, at most q->limit. */
static cxm_rc load(cxm_store *st, const struct cxm_comment_query *q,
                   struct list *l)
{
    cxm_rc rc;

    memset(l, 0, sizeof(*l));
    l->st = st;
    if (!st || !q || q->size < sizeof(*q) ||
        (q->has_from && q->has_to && q->from_ms >= q->to_ms))
        return CXM_EINVAL;
    rc = cxm__store_comments(st, q, keep, keep_text, l);
    if (rc)
        return rc;
    if (l->n)
        qsort(l->v, l->n, sizeof(*l->v), newest_first);
    if (q->limit && l->n > q->limit) {
        for (size_t i = q->limit; i < l->n; i++)
            owned_release(&l->v[i]);
        l->n = q->limit;
    }
    return CXM_OK;
}

cxm_rc cxm_comments(cxm_store *st, const struct cxm_comment_query *q,
                    cxm_comment_fn fn, void *ud)
{
    struct list l;
    cxm_rc rc = fn ? load(st, q, &l) : CXM_EINVAL;

    for (size_t i = 0; !rc && i < l.n; i++)
        rc = fn(&l.v[i].c, ud);
    if (fn)
        list_release(&l);
    return rc;
}

/* ---- Formats ---------------------------------------------------------- */

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static cxm_rc json_one(struct cxm__buf *b, const struct cxm_comment *c)
{
    char t[40];
    const char *keys[] = {"source", "id", "survey", "question"};
    const char *vals[] = {c->source, c->id, c->survey, c->question};
    const char *dk[] = {"ticket_id", "customer_id", "agent_id", "team",
                        "channel", "language"};
    const char *dv[] = {c->ticket_id, c->customer_id, c->agent_id, c->team,
                        c->channel, c->language};
    cxm_rc rc;

    cxm_time_format(c->at_ms, t, sizeof(t));
    rc = cxm__buf_addf(b, "{\"responded_at\": \"%s\"", t);
    for (size_t i = 0; !rc && i < CXM_ARRAY_LEN(keys); i++) {
        rc = cxm__buf_addf(b, ", \"%s\": ", keys[i]);
        if (!rc)
            rc = vals[i] ? cxm__json_safe_str(b, vals[i])
                         : cxm__buf_adds(b, "null");
    }
    if (!rc && c->has_score)
        rc = cxm__buf_addf(b, ", \"score\": %d, \"scale\": \"%d-%d\"",
                           c->score, c->scale_min, c->scale_max);
    else if (!rc)
        rc = cxm__buf_adds(b, ", \"score\": null, \"scale\": null");
    for (size_t i = 0; !rc && i < CXM_ARRAY_LEN(dk); i++) {
        rc = cxm__buf_addf(b, ", \"%s\": ", dk[i]);
        if (!rc)
            rc = dv[i] && *dv[i] ? cxm__json_safe_str(b, dv[i])
                                 : cxm__buf_adds(b, "null");
    }
    if (!rc)
        rc = cxm__buf_adds(b, ", \"comment\": ");
    if (!rc)
        rc = cxm__json_safe_str(b, c->text);
    return rc ? rc : cxm__buf_addc(b, '}');
}

static const char *const csv_cols =
    "responded_at,source,id,survey,question,score,scale,ticket_id,"
    "customer_id,agent_id,team,channel,language,comment\n";

static cxm_rc csv_one(struct cxm__buf *b, const struct cxm_comment *c)
{
    char t[40];
    const char *cells[] = {c->source,      c->id,       c->survey,
                           c->question,    NULL,        NULL,
                           c->ticket_id,   c->customer_id, c->agent_id,
                           c->team,        c->channel,  c->language,
                           c->text};
    cxm_rc rc;

    cxm_time_format(c->at_ms, t, sizeof(t));
    rc = cxm__buf_adds(b, t);
    for (size_t i = 0; !rc && i < CXM_ARRAY_LEN(cells); i++) {
        rc = cxm__buf_addc(b, ',');
        if (rc)
            break;
        if (i == 4 && c->has_score)
            rc = cxm__buf_addf(b, "%d", c->score);
        else if (i == 5 && c->has_score)
            rc = cxm__buf_addf(b, "%d-%d", c->scale_min, c->scale_max);
        else if (cells[i])
            rc = cxm__csv_text(b, cells[i]);
    }
    return rc ? rc : cxm__buf_addc(b, '\n');
}

/* The table: one line a comment, its line ends shown as " / ". */
static cxm_rc table_one(struct cxm__buf *b, const struct cxm_comment *c)
{
    char t[40], score[16] = "-";
    cxm_rc rc;

    cxm_time_format(c->at_ms, t, sizeof(t));
    if (c->has_score)
        snprintf(score, sizeof(score), "%d/%d", c->score, c->scale_max);
    rc = cxm__buf_addf(b, "%-20s  %-8s  %5s  %-18s  %-10s  %-10s  ", t,
                       or_empty(c->survey), score, or_empty(c->agent_id),
                       or_empty(c->team), or_empty(c->ticket_id));
    for (const char *s = c->text; !rc && *s; s++) {
        if (*s == '\r' && s[1] == '\n')
            continue;
        rc = *s == '\n' || *s == '\r' ? cxm__buf_adds(b, " / ")
             : (unsigned char)*s < 0x20 ? cxm__buf_addc(b, ' ')
                                       : cxm__buf_addc(b, *s);
    }
    return rc ? rc : cxm__buf_addc(b, '\n');
}

cxm_rc cxm_comments_format(cxm_store *st, const struct cxm_comment_query *q,
                           cxm_format fmt, char **out, size_t *out_len)
{
    struct cxm__buf b = CXM__BUF_INIT((size_t)1 << 34);
    struct list l;
    cxm_rc rc;

    if (!out)
        return CXM_EINVAL;
    *out = NULL;
    if (out_len)
        *out_len = 0;
    rc = load(st, q, &l);
    if (!rc && fmt == CXM_FORMAT_JSON)
        rc = cxm__buf_adds(&b, "{\"comments\": [");
    else if (!rc && fmt == CXM_FORMAT_CSV)
        rc = cxm__buf_adds(&b, csv_cols);
    else if (!rc)
        rc = cxm__buf_addf(&b, "%-20s  %-8s  %5s  %-18s  %-10s  %-10s  %s\n",
                           "responded_at", "survey", "score", "agent",
                           "team", "ticket", "comment");
    for (size_t i = 0; !rc && i < l.n; i++) {
        const struct cxm_comment *c = &l.v[i].c;
        if (fmt == CXM_FORMAT_JSON) {
            rc = cxm__buf_adds(&b, i ? ",\n  " : "\n  ");
            if (!rc)
                rc = json_one(&b, c);
        } else {
            rc = fmt == CXM_FORMAT_CSV ? csv_one(&b, c) : table_one(&b, c);
        }
    }
    if (!rc && fmt == CXM_FORMAT_JSON)
        rc = cxm__buf_adds(&b, l.n ? "\n]}\n" : "]}\n");
    list_release(&l);
    if (rc) {
        cxm__buf_release(&b);
        return rc;
    }
    if (!b.data && (rc = cxm__buf_adds(&b, "")))
        return rc;
    *out = cxm__buf_take(&b, out_len);
    return *out ? CXM_OK : CXM_ENOMEM;
}
