/* SPDX-License-Identifier: MIT
 *
 * store_sqlite_alerts.c — the SQLite engine's alert rules and firings
 * (src/store/sqlite/sql/0017-alerts.sql) and the comments of survey
 * answers (responses.comment, and the string answers kept with survey
 * submissions, 0012). Bound parameters only.
 */
#include "internal.h"

#include <string.h>

#include "cxmeter/comments.h"
#include "sqlite_int.h"

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Steps `s` to its end calling `row` for each row; finalizes it. */
static cxm_rc each_row(cxm_store *st, sqlite3_stmt *s,
                       cxm_rc (*row)(sqlite3_stmt *s, void *ctx), void *ctx)
{
    cxm_rc rc = CXM_OK;
    int step = SQLITE_DONE;

    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW)
        rc = row(s, ctx);
    if (!rc && step != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    sqlite3_finalize(s);
    return rc;
}

/* ---- Rules ----------------------------------------------------------- */

struct rule_ctx {
    cxm__rule_row_fn fn;
    void *ud;
};

static cxm_rc rule_row(sqlite3_stmt *s, void *ctx)
{
    struct rule_ctx *c = ctx;
    struct cxm__rule_row r;

    memset(&r, 0, sizeof(r));
    r.id = sqlite3_column_int64(s, 0);
    r.kind = col_text(s, 1);
    r.metric = col_text(s, 2);
    r.by = col_text(s, 3);
    r.window = col_text(s, 4);
    r.threshold = sqlite3_column_double(s, 5);
    r.min_n = sqlite3_column_int64(s, 6);
    r.alpha = sqlite3_column_double(s, 7);
    r.min_change = sqlite3_column_double(s, 8);
    r.created_at = sqlite3_column_int64(s, 9);
    if (!r.kind || !r.metric || !r.window)
        return CXM_ENOMEM;
    return c->fn(&r, c->ud);
}

cxm_rc cxm__sq_alert_rules(cxm_store *st, cxm__rule_row_fn fn, void *ud)
{
    struct rule_ctx c = {fn, ud};
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(
        st,
        "SELECT rule_id, kind, metric, by_dim, win, threshold, min_n,"
        " alpha, min_change, created_at FROM alert_rules"
        " WHERE workspace_id = ?1 AND removed_at IS NULL ORDER BY rule_id",
        &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    return each_row(st, s, rule_row, &c);
}

cxm_rc cxm__sq_put_alert_rule(cxm_store *st, const struct cxm__rule_row *r,
                              int64_t *id_out)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(
        st,
        "INSERT INTO alert_rules (workspace_id, rule_id, kind, metric,"
        " by_dim, win, threshold, min_n, alpha, min_change, created_at)"
        " SELECT ?1, coalesce(max(rule_id), 0) + 1, ?2, ?3, ?4, ?5, ?6,"
        " ?7, ?8, ?9, ?10 FROM alert_rules WHERE workspace_id = ?1"
        " RETURNING rule_id",
        &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_text(s, 2, r->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, r->metric, -1, SQLITE_STATIC);
    bind_text_or_null(s, 4, r->by);
    sqlite3_bind_text(s, 5, r->window, -1, SQLITE_STATIC);
    sqlite3_bind_double(s, 6, r->threshold);
    sqlite3_bind_int64(s, 7, r->min_n);
    sqlite3_bind_double(s, 8, r->alpha);
    sqlite3_bind_double(s, 9, r->min_change);
    sqlite3_bind_int64(s, 10, r->created_at);
    if (sqlite3_step(s) != SQLITE_ROW) {
        rc = cxm__sq_fail(st);
    } else {
        *id_out = sqlite3_column_int64(s, 0);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = cxm__sq_fail(st);
    }
    sqlite3_finalize(s);
    return rc;
}

cxm_rc cxm__sq_remove_alert_rule(cxm_store *st, int64_t id, int64_t at_ms)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(
        st,
        "UPDATE alert_rules SET removed_at = ?3 WHERE workspace_id = ?1"
        " AND rule_id = ?2 AND removed_at IS NULL",
        &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int64(s, 2, id);
    sqlite3_bind_int64(s, 3, at_ms);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    else if (sqlite3_changes(cxm__sq_db(st)) == 0)
        rc = CXM_ENOTFOUND;
    sqlite3_finalize(s);
    return rc;
}

/* ---- Firings --------------------------------------------------------- */

static void bind_real_if(sqlite3_stmt *s, int i, bool has, double v)
{
    if (has)
        sqlite3_bind_double(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

cxm_rc cxm__sq_put_alert_firing(cxm_store *st,
                                const struct cxm__firing_row *f,
                                bool *added, int64_t *id_out)
{
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(
        st,
        "INSERT OR IGNORE INTO alert_firings (workspace_id, rule_id, grp,"
        " from_at, to_at, prev_from_at, kind, metric, by_dim, win, value,"
        " n, prev_value, prev_n, change, threshold, method, statistic,"
        " p_value, p_adjusted, tests, alpha, fired_at) VALUES (?1, ?2, ?3,"
        " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
        " ?18, ?19, ?20, ?21, ?22, ?23)",
        &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int64(s, 2, f->rule_id);
    sqlite3_bind_text(s, 3, f->grp, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, f->from_ms);
    sqlite3_bind_int64(s, 5, f->to_ms);
    if (f->has_prev)
        sqlite3_bind_int64(s, 6, f->prev_from_ms);
    else
        sqlite3_bind_null(s, 6);
    sqlite3_bind_text(s, 7, f->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, f->metric, -1, SQLITE_STATIC);
    bind_text_or_null(s, 9, f->by);
    sqlite3_bind_text(s, 10, f->window, -1, SQLITE_STATIC);
    sqlite3_bind_double(s, 11, f->value);
    sqlite3_bind_int64(s, 12, f->n);
    bind_real_if(s, 13, f->has_prev, f->prev_value);
    if (f->has_prev)
        sqlite3_bind_int64(s, 14, f->prev_n);
    else
        sqlite3_bind_null(s, 14);
    bind_real_if(s, 15, f->has_prev, f->change);
    bind_real_if(s, 16, !f->has_prev, f->threshold);
    sqlite3_bind_text(s, 17, f->method, -1, SQLITE_STATIC);
    bind_real_if(s, 18, f->has_test, f->statistic);
    bind_real_if(s, 19, f->has_test, f->p_value);
    bind_real_if(s, 20, f->has_test, f->p_adjusted);
    if (f->has_test)
        sqlite3_bind_int64(s, 21, f->tests);
    else
        sqlite3_bind_null(s, 21);
    bind_real_if(s, 22, f->has_test, f->alpha);
    sqlite3_bind_int64(s, 23, f->fired_at);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = cxm__sq_fail(st);
    else if ((*added = sqlite3_changes(cxm__sq_db(st)) > 0))
        *id_out = sqlite3_last_insert_rowid(cxm__sq_db(st));
    sqlite3_finalize(s);
    return rc;
}

struct firing_ctx {
    cxm__firing_row_fn fn;
    void *ud;
};

static cxm_rc firing_row(sqlite3_stmt *s, void *ctx)
{
    struct firing_ctx *c = ctx;
    struct cxm__firing_row f;

    memset(&f, 0, sizeof(f));
    f.id = sqlite3_column_int64(s, 0);
    f.rule_id = sqlite3_column_int64(s, 1);
    f.grp = col_text(s, 2);
    f.from_ms = sqlite3_column_int64(s, 3);
    f.to_ms = sqlite3_column_int64(s, 4);
    f.has_prev = sqlite3_column_type(s, 5) != SQLITE_NULL;
    f.prev_from_ms = sqlite3_column_int64(s, 5);
    f.kind = col_text(s, 6);
    f.metric = col_text(s, 7);
    f.by = col_text(s, 8);
    f.window = col_text(s, 9);
    f.value = sqlite3_column_double(s, 10);
    f.n = sqlite3_column_int64(s, 11);
    f.prev_value = sqlite3_column_double(s, 12);
    f.prev_n = sqlite3_column_int64(s, 13);
    f.change = sqlite3_column_double(s, 14);
    f.threshold = sqlite3_column_double(s, 15);
    f.method = col_text(s, 16);
    f.has_test = sqlite3_column_type(s, 17) != SQLITE_NULL;
    f.statistic = sqlite3_column_double(s, 17);
    f.p_value = sqlite3_column_double(s, 18);
    f.p_adjusted = sqlite3_column_double(s, 19);
    f.tests = sqlite3_column_int64(s, 20);
    f.alpha = sqlite3_column_double(s, 21);
    f.fired_at = sqlite3_column_int64(s, 22);
    if (!f.grp || !f.kind || !f.metric || !f.window || !f.method)
        return CXM_ENOMEM;
    return c->fn(&f, c->ud);
}

cxm_rc cxm__sq_alert_firings(cxm_store *st, int64_t rule_id,
                             cxm__firing_row_fn fn, void *ud)
{
    struct firing_ctx c = {fn, ud};
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(
        st,
        "SELECT firing_id, rule_id, grp, from_at, to_at, prev_from_at,"
        " kind, metric, by_dim, win, value, n, prev_value, prev_n, change,"
        " threshold, method, statistic, p_value, p_adjusted, tests, alpha,"
        " fired_at FROM alert_firings WHERE workspace_id = ?1"
        " AND (?2 = 0 OR rule_id = ?2) ORDER BY from_at, rule_id, grp",
        &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    sqlite3_bind_int64(s, 2, rule_id);
    return each_row(st, s, firing_row, &c);
}

/* ---- Comments -------------------------------------------------------- */

/* The filters of a comment query as bound parameters ?2 .. ?10 (?1: the
 * workspace). `agent`, `team` and `channel` are the columns of the
 * attribution. */
static void bind_filters(sqlite3_stmt *s, const struct cxm_comment_query *q)
{
    bind_text_or_null(s, 2, q->search);
    bind_text_or_null(s, 3, q->agent);
    bind_text_or_null(s, 4, q->team);
    bind_text_or_null(s, 5, q->survey);
    if (q->has_score_max)
        sqlite3_bind_int(s, 6, q->score_max);
    else
        sqlite3_bind_null(s, 6);
    if (q->has_from)
        sqlite3_bind_int64(s, 7, q->from_ms);
    else
        sqlite3_bind_null(s, 7);
    if (q->has_to)
        sqlite3_bind_int64(s, 8, q->to_ms);
    else
        sqlite3_bind_null(s, 8);
    bind_text_or_null(s, 9, q->channel);
    bind_text_or_null(s, 10, q->language);
}

/* The WHERE clause of both queries over columns named by the aliases
 * below (text, agent, team, survey, score, at, channel, language). */
#define COMMENT_FILTERS                                                     \
    " (?2 IS NULL OR instr(lower(text), lower(?2)) > 0)"                    \
    " AND (?3 IS NULL OR agent = ?3) AND (?4 IS NULL OR team = ?4)"         \
    " AND (?5 IS NULL OR lower(survey) = lower(?5))"                        \
    " AND (?6 IS NULL OR (score IS NOT NULL AND score <= ?6))"              \
    " AND (?7 IS NULL OR at >= ?7) AND (?8 IS NULL OR at < ?8)"             \
    " AND (?9 IS NULL OR channel = ?9)"                                     \
    " AND (?10 IS NULL OR lower(language) = lower(?10))"

struct comment_ctx {
    cxm_comment_fn fn;
    cxm__sub_text_fn text_fn;
    void *ud;
};

static void comment_dims(sqlite3_stmt *s, int i, struct cxm_comment *c)
{
    c->ticket_id = col_text(s, i);
    c->customer_id = col_text(s, i + 1);
    c->agent_id = col_text(s, i + 2);
    c->team = col_text(s, i + 3);
    c->channel = col_text(s, i + 4);
    c->language = col_text(s, i + 5);
}

static cxm_rc answer_comment_row(sqlite3_stmt *s, void *ctx)
{
    struct comment_ctx *x = ctx;
    struct cxm_comment c;

    memset(&c, 0, sizeof(c));
    c.size = sizeof(c);
    c.source = "responses";
    c.id = col_text(s, 0);
    c.survey = col_text(s, 1);
    c.question = col_text(s, 2);
    c.text = col_text(s, 3);
    c.has_score = sqlite3_column_type(s, 4) != SQLITE_NULL;
    c.score = sqlite3_column_int(s, 4);
    c.scale_min = sqlite3_column_int(s, 5);
    c.scale_max = sqlite3_column_int(s, 6);
    c.at_ms = sqlite3_column_int64(s, 7);
    comment_dims(s, 8, &c);
    if (!c.id || !c.survey || !c.text)
        return CXM_ENOMEM;
    return x->fn(&c, x->ud);
}

static cxm_rc submission_text_row(sqlite3_stmt *s, void *ctx)
{
    struct comment_ctx *x = ctx;
    struct cxm_comment c;

    memset(&c, 0, sizeof(c));
    c.size = sizeof(c);
    c.source = "submission";
    c.id = col_text(s, 0);
    c.survey = col_text(s, 1);
    c.question = col_text(s, 2);
    c.text = col_text(s, 3);
    c.at_ms = sqlite3_column_int64(s, 5);
    comment_dims(s, 6, &c);
    if (!c.id || !c.survey || !c.question || !c.text)
        return CXM_ENOMEM;
    return x->text_fn(&c, sqlite3_column_int(s, 4), x->ud);
}

/* The answers' comments: `at` their responded_at, `from` their rows
 * `r` and tickets `t`, after the CTEs `with` ("" or one ending in
 * ","). */
#define COMMENT_ANSWERS_SQL(with, at, from)                                 \
    "WITH" with " c AS (SELECT r.response_id, r.survey AS survey,"          \
    " r.question, r.comment AS text, r.score AS score, r.scale_min,"        \
    " r.scale_max, " at " AS at, coalesce(r.ticket_id, ''),"                \
    " " CXM__SQ_ANSWER_CUSTOMER ", " CXM__SQ_ANSWER_AGENT " AS agent,"     \
    " coalesce(r.team, t.team, (SELECT a.team FROM agents a"                \
    "  WHERE a.workspace_id = r.workspace_id"                               \
    "  AND a.agent_id = " CXM__SQ_ANSWER_AGENT ")) AS team,"                \
    " coalesce(r.channel, t.channel) AS channel, r.language AS language"    \
    from " WHERE r.workspace_id = ?1 AND r.comment IS NOT NULL"             \
    " AND r.comment <> '') SELECT * FROM c WHERE" COMMENT_FILTERS           \
    " ORDER BY at DESC, response_id LIMIT ?11"
/* The answers of agent ?3 (the period ?7 … ?8, either open), from the
 * indexes of an agent; COMMENT_FILTERS checks the agent again. */
#define COMMENT_AGENT_IDS                                                   \
    CXM__SQ_AGENT_ANSWER_IDS("?1", "?3",                                    \
                             "coalesce(?7, -9223372036854775807 - 1)",      \
                             "coalesce(?8, 9223372036854775807)") ","

cxm_rc cxm__sq_comments(cxm_store *st, const struct cxm_comment_query *q,
                        cxm_comment_fn fn, cxm__sub_text_fn text_fn,
                        void *ud)
{
    struct comment_ctx x = {fn, text_fn, ud};
    sqlite3_stmt *s = NULL;
    cxm_rc rc = cxm__sq_prepare(
        st,
        q->agent ? COMMENT_ANSWERS_SQL(COMMENT_AGENT_IDS, "x.at",
                                       CXM__SQ_AGENT_ANSWER_FROM)
                 : COMMENT_ANSWERS_SQL("", "r.responded_at",
                                       CXM__SQ_ANSWER_FROM("")),
        &s);

    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    bind_filters(s, q);
    /* Every answer's comment is kept (comments.c): the newest q->limit
     * are all it can list, read newest first through responses_responded
     * and no further. */
    sqlite3_bind_int64(s, 11, q->limit ? (sqlite3_int64)q->limit : -1);
    rc = each_row(st, s, answer_comment_row, &x);
    if (rc || !text_fn || q->has_score_max)
        return rc;
    /* Submissions' string answers (0012): the survey service's answers
     * as given; one that became an answer's comment is listed above. */
    rc = cxm__sq_prepare(
        st,
        "SELECT * FROM (SELECT s.invitation_id || ':' || j.key,"
        " i.survey_id AS survey, j.key, j.value AS text, i.survey_version,"
        " s.first_at AS at, i.ticket_id, i.customer_id, i.agent_id AS agent,"
        " i.team AS team, i.channel AS channel, i.language AS language,"
        " NULL AS score"
        " FROM submissions s JOIN invitations i"
        "  ON i.workspace_id = s.workspace_id"
        "  AND i.invitation_id = s.invitation_id,"
        " json_each(s.answers) j"
        " WHERE s.workspace_id = ?1 AND s.held = 0 AND json_valid(s.answers)"
        " AND j.type = 'text' AND j.value <> ''"
        " AND NOT EXISTS (SELECT 1 FROM responses r"
        "  WHERE r.workspace_id = s.workspace_id"
        "  AND r.response_id >= s.invitation_id || ':'"
        "  AND r.response_id < s.invitation_id || ';'"
        "  AND r.comment = j.value)) WHERE" COMMENT_FILTERS
        " ORDER BY at DESC, 1",
        &s);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, st->workspace_id);
    bind_filters(s, q);
    return each_row(st, s, submission_text_row, &x);
}
