/* SPDX-License-Identifier: MIT
 *
 * store_pg_alerts.c — the PostgreSQL engine's alert rules and firings
 * (sql/0002-service.sql: alert_rules, alert_firings) and the comments of
 * survey answers (responses.comment, and the string answers kept with
 * survey submissions). As store_sqlite_alerts.c; a firing is inserted ON
 * CONFLICT DO NOTHING on its rule, group and window, so two nodes
 * evaluating one rule store it once.
 */
#include "internal.h"

#include <string.h>

#include "cxmeter/comments.h"
#include "pg_rows.h"
#include "pg_service.h"

/* ---- Rules ----------------------------------------------------------- */

struct rule_ctx {
    cxm__rule_row_fn fn;
    void *ud;
};

static cxm_rc rule_row(const PGresult *res, int i, void *ctx)
{
    struct rule_ctx *c = ctx;
    struct cxm__rule_row r;

    memset(&r, 0, sizeof(r));
    r.id = cxm__pg_int(res, i, 0);
    r.kind = cxm__pg_text(res, i, 1);
    r.metric = cxm__pg_text(res, i, 2);
    r.by = cxm__pg_text(res, i, 3);
    r.window = cxm__pg_text(res, i, 4);
    r.threshold = cxm__pg_dbl(res, i, 5);
    r.min_n = cxm__pg_int(res, i, 6);
    r.alpha = cxm__pg_dbl(res, i, 7);
    r.min_change = cxm__pg_dbl(res, i, 8);
    r.created_at = cxm__pg_int(res, i, 9);
    return c->fn(&r, c->ud);
}

cxm_rc cxm__pg_alert_rules(cxm_store *st, cxm__rule_row_fn fn, void *ud)
{
    struct rule_ctx c = {fn, ud};
    struct cxm__pg_arg a[1] = {CXM__PG_WS(st)};

    return cxm__pg_rows(
        st,
        "SELECT rule_id, kind, metric, by_dim, win, threshold, min_n,"
        " alpha, min_change, created_at FROM alert_rules"
        " WHERE workspace_id = $1 AND removed_at IS NULL ORDER BY rule_id",
        a, 1, rule_row, &c, NULL);
}

cxm_rc cxm__pg_put_alert_rule(cxm_store *st, const struct cxm__rule_row *r,
                              int64_t *id_out)
{
    struct cxm__pg_arg a[10] = {
        CXM__PG_WS(st),         CXM__PG_T(r->kind),
        CXM__PG_T(r->metric),   CXM__PG_T(r->by),
        CXM__PG_T(r->window),   CXM__PG_R(r->threshold),
        CXM__PG_I(r->min_n),    CXM__PG_R(r->alpha),
        CXM__PG_R(r->min_change), CXM__PG_I(r->created_at)};

    return cxm__pg_run(st,
                       "INSERT INTO alert_rules (workspace_id, kind, metric,"
                       " by_dim, win, threshold, min_n, alpha, min_change,"
                       " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
                       " $9, $10) RETURNING rule_id",
                       a, 10, id_out);
}

cxm_rc cxm__pg_remove_alert_rule(cxm_store *st, int64_t id, int64_t at_ms)
{
    struct cxm__pg_arg a[3] = {CXM__PG_WS(st), CXM__PG_I(id),
                               CXM__PG_I(at_ms)};
    int64_t n = 0;
    cxm_rc rc = cxm__pg_changes(
        st,
        "UPDATE alert_rules SET removed_at = $3 WHERE workspace_id = $1"
        " AND rule_id = $2 AND removed_at IS NULL",
        a, 3, &n);

    return !rc && n == 0 ? CXM_ENOTFOUND : rc;
}

/* ---- Firings --------------------------------------------------------- */

/* A real, or SQL NULL when !has. */
static struct cxm__pg_arg real_if(bool has, double v)
{
    return has ? CXM__PG_R(v) : CXM__PG_T(NULL);
}
static struct cxm__pg_arg int_if(bool has, int64_t v)
{
    return has ? CXM__PG_I(v) : CXM__PG_T(NULL);
}

cxm_rc cxm__pg_put_alert_firing(cxm_store *st,
                                const struct cxm__firing_row *f,
                                bool *added, int64_t *id_out)
{
    struct cxm__pg_arg a[23] = {
        CXM__PG_WS(st),
        CXM__PG_I(f->rule_id),
        CXM__PG_T(f->grp),
        CXM__PG_I(f->from_ms),
        CXM__PG_I(f->to_ms),
        int_if(f->has_prev, f->prev_from_ms),
        CXM__PG_T(f->kind),
        CXM__PG_T(f->metric),
        CXM__PG_T(f->by),
        CXM__PG_T(f->window),
        CXM__PG_R(f->value),
        CXM__PG_I(f->n),
        real_if(f->has_prev, f->prev_value),
        int_if(f->has_prev, f->prev_n),
        real_if(f->has_prev, f->change),
        real_if(!f->has_prev, f->threshold),
        CXM__PG_T(f->method),
        real_if(f->has_test, f->statistic),
        real_if(f->has_test, f->p_value),
        real_if(f->has_test, f->p_adjusted),
        int_if(f->has_test, f->tests),
        real_if(f->has_test, f->alpha),
        CXM__PG_I(f->fired_at)};
    PGresult *res;
    cxm_rc rc = cxm__pg_query(
        st,
        "INSERT INTO alert_firings (workspace_id, rule_id, grp,"
        " from_at, to_at, prev_from_at, kind, metric, by_dim, win, value,"
        " n, prev_value, prev_n, change, threshold, method, statistic,"
        " p_value, p_adjusted, tests, alpha, fired_at) VALUES ($1, $2, $3,"
        " $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
        " $18, $19, $20, $21, $22, $23)"
        " ON CONFLICT (workspace_id, rule_id, grp, from_at) DO NOTHING"
        " RETURNING firing_id",
        a, 23, &res);

    if (rc)
        return rc;
    *added = PQntuples(res) > 0;
    if (*added)
        *id_out = cxm__pg_int(res, 0, 0);
    PQclear(res);
    return CXM_OK;
}

struct firing_ctx {
    cxm__firing_row_fn fn;
    void *ud;
};

static cxm_rc firing_row(const PGresult *res, int i, void *ctx)
{
    struct firing_ctx *c = ctx;
    struct cxm__firing_row f;

    memset(&f, 0, sizeof(f));
    f.id = cxm__pg_int(res, i, 0);
    f.rule_id = cxm__pg_int(res, i, 1);
    f.grp = cxm__pg_text(res, i, 2);
    f.from_ms = cxm__pg_int(res, i, 3);
    f.to_ms = cxm__pg_int(res, i, 4);
    f.has_prev = !cxm__pg_null(res, i, 5);
    f.prev_from_ms = cxm__pg_int(res, i, 5);
    f.kind = cxm__pg_text(res, i, 6);
    f.metric = cxm__pg_text(res, i, 7);
    f.by = cxm__pg_text(res, i, 8);
    f.window = cxm__pg_text(res, i, 9);
    f.value = cxm__pg_dbl(res, i, 10);
    f.n = cxm__pg_int(res, i, 11);
    f.prev_value = cxm__pg_dbl(res, i, 12);
    f.prev_n = cxm__pg_int(res, i, 13);
    f.change = cxm__pg_dbl(res, i, 14);
    f.threshold = cxm__pg_dbl(res, i, 15);
    f.method = cxm__pg_text(res, i, 16);
    f.has_test = !cxm__pg_null(res, i, 17);
    f.statistic = cxm__pg_dbl(res, i, 17);
    f.p_value = cxm__pg_dbl(res, i, 18);
    f.p_adjusted = cxm__pg_dbl(res, i, 19);
    f.tests = cxm__pg_int(res, i, 20);
    f.alpha = cxm__pg_dbl(res, i, 21);
    f.fired_at = cxm__pg_int(res, i, 22);
    return c->fn(&f, c->ud);
}

cxm_rc cxm__pg_alert_firings(cxm_store *st, int64_t rule_id,
                             cxm__firing_row_fn fn, void *ud)
{
    struct firing_ctx c = {fn, ud};
    struct cxm__pg_arg a[2] = {CXM__PG_WS(st), CXM__PG_I(rule_id)};

    return cxm__pg_rows(
        st,
        "SELECT firing_id, rule_id, grp, from_at, to_at, prev_from_at,"
        " kind, metric, by_dim, win, value, n, prev_value, prev_n, change,"
        " threshold, method, statistic, p_value, p_adjusted, tests, alpha,"
        " fired_at FROM alert_firings WHERE workspace_id = $1"
        " AND ($2::bigint = 0 OR rule_id = $2)"
        " ORDER BY from_at, rule_id, grp COLLATE \"C\"",
        a, 2, firing_row, &c, NULL);
}

/* ---- Comments -------------------------------------------------------- */

/* The parameters of a comment query: $1 the workspace, $2 … $8 the
 * filters. */
static void filter_args(cxm_store *st, const struct cxm_comment_query *q,
                        struct cxm__pg_arg a[10])
{
    a[0] = CXM__PG_WS(st);
    a[1] = CXM__PG_T(q->search);
    a[2] = CXM__PG_T(q->agent);
    a[3] = CXM__PG_T(q->team);
    a[4] = CXM__PG_T(q->survey);
    a[5] = int_if(q->has_score_max, q->score_max);
    a[6] = int_if(q->has_from, q->from_ms);
    a[7] = int_if(q->has_to, q->to_ms);
    a[8] = CXM__PG_T(q->channel);
    a[9] = CXM__PG_T(q->language);
}

/* The WHERE clause of both queries over columns named by the aliases
 * below (text, agent, team, survey, score, at, channel, language). */
#define COMMENT_FILTERS                                                     \
    " ($2::text IS NULL OR strpos(lower(text), lower($2)) > 0)"             \
    " AND ($3::text IS NULL OR agent = $3)"                                 \
    " AND ($4::text IS NULL OR team = $4)"                                  \
    " AND ($5::text IS NULL OR lower(survey) = lower($5))"                  \
    " AND ($6::bigint IS NULL OR (score IS NOT NULL AND score <= $6))"      \
    " AND ($7::bigint IS NULL OR at >= $7)"                                 \
    " AND ($8::bigint IS NULL OR at < $8)"                                  \
    " AND ($9::text IS NULL OR channel = $9)"                               \
    " AND ($10::text IS NULL OR lower(language) = lower($10))"

struct comment_ctx {
    cxm_comment_fn fn;
    cxm__sub_text_fn text_fn;
    void *ud;
};

static void comment_dims(const PGresult *res, int i, int col,
                         struct cxm_comment *c)
{
    c->ticket_id = cxm__pg_text(res, i, col);
    c->customer_id = cxm__pg_text(res, i, col + 1);
    c->agent_id = cxm__pg_text(res, i, col + 2);
    c->team = cxm__pg_text(res, i, col + 3);
    c->channel = cxm__pg_text(res, i, col + 4);
    c->language = cxm__pg_text(res, i, col + 5);
}

static cxm_rc answer_comment_row(const PGresult *res, int i, void *ctx)
{
    struct comment_ctx *x = ctx;
    struct cxm_comment c;

    memset(&c, 0, sizeof(c));
    c.size = sizeof(c);
    c.source = "responses";
    c.id = cxm__pg_text(res, i, 0);
    c.survey = cxm__pg_text(res, i, 1);
    c.question = cxm__pg_text(res, i, 2);
    c.text = cxm__pg_text(res, i, 3);
    c.has_score = !cxm__pg_null(res, i, 4);
    c.score = (int)cxm__pg_int(res, i, 4);
    c.scale_min = (int)cxm__pg_int(res, i, 5);
    c.scale_max = (int)cxm__pg_int(res, i, 6);
    c.at_ms = cxm__pg_int(res, i, 7);
    comment_dims(res, i, 8, &c);
    if (!c.id || !c.survey || !c.text)
        return CXM_ESTORE;
    return x->fn(&c, x->ud);
}

static cxm_rc submission_text_row(const PGresult *res, int i, void *ctx)
{
    struct comment_ctx *x = ctx;
    struct cxm_comment c;

    memset(&c, 0, sizeof(c));
    c.size = sizeof(c);
    c.source = "submission";
    c.id = cxm__pg_text(res, i, 0);
    c.survey = cxm__pg_text(res, i, 1);
    c.question = cxm__pg_text(res, i, 2);
    c.text = cxm__pg_text(res, i, 3);
    c.at_ms = cxm__pg_int(res, i, 5);
    comment_dims(res, i, 6, &c);
    if (!c.id || !c.survey || !c.question || !c.text)
        return CXM_ESTORE;
    return x->text_fn(&c, (int)cxm__pg_int(res, i, 4), x->ud);
}

cxm_rc cxm__pg_comments(cxm_store *st, const struct cxm_comment_query *q,
                        cxm_comment_fn fn, cxm__sub_text_fn text_fn,
                        void *ud)
{
    struct comment_ctx x = {fn, text_fn, ud};
    struct cxm__pg_arg a[11];
    cxm_rc rc;

    filter_args(st, q, a);
    /* Every answer's comment is kept (comments.c): the newest q->limit
     * are all it can list. */
    a[10] = int_if(q->limit > 0, (int64_t)q->limit);
    rc = cxm__pg_rows(
        st,
        "SELECT * FROM (SELECT r.response_id AS id, r.survey AS survey,"
        " r.question, r.comment AS text, r.score AS score, r.scale_min,"
        " r.scale_max, r.responded_at AS at, coalesce(r.ticket_id, ''),"
        " " CXM__PG_ANSWER_CUSTOMER ", " CXM__PG_ANSWER_AGENT " AS agent,"
        " " CXM__PG_ANSWER_TEAM " AS team, " CXM__PG_ANSWER_CHANNEL
        " AS channel, " CXM__PG_ANSWER_LANGUAGE " AS language"
        CXM__PG_ANSWER_FROM
        " WHERE r.workspace_id = $1 AND r.comment IS NOT NULL"
        " AND r.comment <> '') AS c WHERE" COMMENT_FILTERS
        " ORDER BY at DESC, id COLLATE \"C\" LIMIT $11::bigint",
        a, 11, answer_comment_row, &x, NULL);
    if (rc || !text_fn || q->has_score_max)
        return rc;
    /* Submissions' string answers: the survey service's answers as given;
     * one that became an answer's comment is listed above. */
    return cxm__pg_rows(
        st,
        "SELECT * FROM (SELECT s.invitation_id || ':' || j.key AS id,"
        " i.survey_id AS survey, j.key, j.value #>> '{}' AS text,"
        " i.survey_version, s.first_at AS at, i.ticket_id, i.customer_id,"
        " i.agent_id AS agent, i.team AS team, i.channel, i.language,"
        " NULL::integer AS score"
        " FROM submissions s JOIN invitations i"
        "  ON i.workspace_id = s.workspace_id"
        "  AND i.invitation_id = s.invitation_id,"
        " jsonb_each(s.answers::jsonb) j"
        " WHERE s.workspace_id = $1 AND s.held = 0"
        " AND jsonb_typeof(j.value) = 'string' AND j.value #>> '{}' <> ''"
        " AND NOT EXISTS (SELECT 1 FROM responses r"
        "  WHERE r.workspace_id = s.workspace_id"
        "  AND r.response_id COLLATE \"C\" >= s.invitation_id || ':'"
        "  AND r.response_id COLLATE \"C\" < s.invitation_id || ';'"
        "  AND r.comment = j.value #>> '{}')) AS c WHERE" COMMENT_FILTERS
        " ORDER BY at DESC, id COLLATE \"C\"",
        a, 10, submission_text_row, &x, NULL);
}
