/* SPDX-License-Identifier: MIT
 *
 * test_pg_service.c — the PostgreSQL engine's service hooks (src/store/pg/
 * store_pg_{survey,alerts,send,invite,users}.c) against a real server:
 * CXM_TEST_PG_DSN names its database (postgresql://…); without it every
 * test is skipped. Each run works in a workspace of its own, so runs share
 * a database without seeing each other's rows.
 *
 * Two connections stand for two cxmeter nodes on one database: they claim
 * a shared outbox from two threads (every message claimed exactly once),
 * store the same alert firings (each stored once), and one sees the
 * other's commits in its data version.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cxmeter/comments.h"
#include "cxmeter/cxmeter.h"
#include "store_int.h"

/* The record tables of 0001 this test reads through, where the schema
 * does not have them yet (the SQLite dialect's columns). */
static const char stand_in[] =
    "CREATE TABLE IF NOT EXISTS tickets (workspace_id bigint NOT NULL,"
    " ticket_id text NOT NULL, created_at bigint NOT NULL, customer_id text,"
    " agent_id text, team text, channel text, first_response_at bigint,"
    " resolved_at bigint, status text, contacts bigint, reopened integer,"
    " escalated integer, complaint integer, topic text,"
    " PRIMARY KEY (workspace_id, ticket_id));"
    "CREATE TABLE IF NOT EXISTS responses (workspace_id bigint NOT NULL,"
    " response_id text NOT NULL, survey text NOT NULL,"
    " responded_at bigint NOT NULL, question text, score integer,"
    " scale_min integer, scale_max integer, comment text, ticket_id text,"
    " customer_id text, agent_id text, team text, channel text,"
    " language text, PRIMARY KEY (workspace_id, response_id));"
    "CREATE TABLE IF NOT EXISTS customers (workspace_id bigint NOT NULL,"
    " customer_id text NOT NULL, acquired_at bigint NOT NULL,"
    " churned_at bigint, segment text, country text, email text,"
    " phone text, language text, PRIMARY KEY (workspace_id, customer_id));"
    "CREATE TABLE IF NOT EXISTS orders (workspace_id bigint NOT NULL,"
    " order_id text NOT NULL, customer_id text NOT NULL,"
    " ordered_at bigint NOT NULL, amount double precision, currency text,"
    " PRIMARY KEY (workspace_id, order_id));"
    "CREATE TABLE IF NOT EXISTS agents (workspace_id bigint NOT NULL,"
    " agent_id text NOT NULL, team text, hired_at bigint, left_at bigint,"
    " PRIMARY KEY (workspace_id, agent_id))";

static int64_t g_ws; /* this run's workspace */

static cxm_store *open_pg(void)
{
    const char *dsn = getenv("CXM_TEST_PG_DSN");
    cxm_store *st = NULL;
    char *err = NULL;

    if (!dsn || !*dsn)
        return NULL;
    if (cxm_store_open(dsn, &st, &err) != CXM_OK) {
        fprintf(stderr, "cannot open %s: %s\n", dsn, err ? err : "?");
        cxm_free(err);
        return NULL;
    }
    st->workspace_id = g_ws;
    return st;
}

static int setup(void **state)
{
    cxm_store *st;

    if (!getenv("CXM_TEST_PG_DSN") || !*getenv("CXM_TEST_PG_DSN")) {
        *state = NULL;
        return 0;
    }
    st = open_pg();
    assert_non_null(st);
    assert_int_equal(st->ops->exec_script(st, stand_in), CXM_OK);
    *state = st;
    return 0;
}

static int teardown(void **state)
{
    cxm_store_close(*state);
    return 0;
}

#define PG_OR_SKIP(st)                                                      \
    cxm_store *st = *state;                                                 \
    if (!st)                                                                \
        skip()

static cxm_rc exec(cxm_store *st, const char *sql)
{
    return st->ops->exec_script(st, sql);
}

/* ---- Survey definitions. */

static cxm_rc count_def(const char *text, size_t len, int version,
                        int64_t added_at, void *ud)
{
    int *n = ud;

    (void)added_at;
    assert_true(len > 0 && text[len] == '\0');
    *n = *n * 10 + version;
    return CXM_OK;
}

static void test_pg__survey_defs(void **state)
{
    PG_OR_SKIP(st);
    int v = 0, n = 0;
    bool added = false;

    assert_int_equal(st->ops->put_survey_def(st, "s1", "csat", "{\"a\":1}XX",
                                             7, 1000, &v, &added),
                     CXM_OK);
    assert_true(added);
    assert_int_equal(v, 1);
    /* the same text again: no new version */
    assert_int_equal(st->ops->put_survey_def(st, "s1", "csat", "{\"a\":1}",
                                             7, 2000, &v, &added),
                     CXM_OK);
    assert_false(added);
    assert_int_equal(v, 1);
    assert_int_equal(st->ops->put_survey_def(st, "s1", "csat", "{\"a\":2}",
                                             7, 3000, &v, &added),
                     CXM_OK);
    assert_true(added);
    assert_int_equal(v, 2);
    assert_int_equal(st->ops->survey_defs(st, "s1", 0, count_def, &n),
                     CXM_OK);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(st->ops->survey_defs(st, "s1", 1, count_def, &n),
                     CXM_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(st->ops->survey_defs(st, NULL, 0, count_def, &n),
                     CXM_OK);
    assert_int_equal(n, 2);
    assert_int_equal(st->ops->survey_defs(st, "nope", 0, count_def, &n),
                     CXM_ENOTFOUND);
    assert_int_equal(st->ops->remove_survey_def(st, "s1", 4000), CXM_OK);
    assert_int_equal(st->ops->remove_survey_def(st, "s1", 4000),
                     CXM_ENOTFOUND);
    assert_int_equal(st->ops->survey_defs(st, "s1", 0, count_def, &n),
                     CXM_ENOTFOUND);
}

/* ---- Alerts and comments. */

static cxm_rc count_rule(const struct cxm__rule_row *r, void *ud)
{
    int *n = ud;

    assert_string_equal(r->kind, "drop");
    assert_null(r->by);
    (*n)++;
    return CXM_OK;
}

static cxm_rc count_firing(const struct cxm__firing_row *f, void *ud)
{
    int *n = ud;

    assert_true(f->has_test);
    assert_false(f->has_prev);
    assert_true(f->p_value > 0.01 && f->p_value < 0.03);
    (*n)++;
    return CXM_OK;
}

static struct cxm__firing_row firing(int64_t rule, const char *grp,
                                     int64_t from)
{
    struct cxm__firing_row f;

    memset(&f, 0, sizeof(f));
    f.rule_id = rule;
    f.grp = grp;
    f.from_ms = from;
    f.to_ms = from + 1000;
    f.kind = "drop";
    f.metric = "csat";
    f.window = "day";
    f.method = "z";
    f.value = 0.5;
    f.n = 40;
    f.threshold = 0.7;
    f.has_test = true;
    f.p_value = 0.02;
    f.tests = 3;
    f.fired_at = from + 2000;
    return f;
}

static void test_pg__alerts(void **state)
{
    PG_OR_SKIP(st);
    struct cxm__rule_row r;
    struct cxm__firing_row f;
    int64_t id = 0, id2 = 0, fid = 0;
    bool added = false;
    int n = 0;

    memset(&r, 0, sizeof(r));
    r.kind = "drop";
    r.metric = "csat";
    r.window = "week";
    r.min_n = 30;
    r.alpha = 0.05;
    r.min_change = 0.05;
    r.created_at = 1000;
    assert_int_equal(st->ops->put_alert_rule(st, &r, &id), CXM_OK);
    assert_int_equal(st->ops->put_alert_rule(st, &r, &id2), CXM_OK);
    assert_true(id > 0 && id2 > id);
    assert_int_equal(st->ops->remove_alert_rule(st, id2, 2000), CXM_OK);
    assert_int_equal(st->ops->remove_alert_rule(st, id2, 2000),
                     CXM_ENOTFOUND);
    assert_int_equal(st->ops->alert_rules(st, count_rule, &n), CXM_OK);
    assert_int_equal(n, 1);
    f = firing(id, "", 86400000);
    assert_int_equal(st->ops->put_alert_firing(st, &f, &added, &fid),
                     CXM_OK);
    assert_true(added && fid > 0);
    assert_int_equal(st->ops->put_alert_firing(st, &f, &added, &fid),
                     CXM_OK);
    assert_false(added);
    n = 0;
    assert_int_equal(st->ops->alert_firings(st, id, count_firing, &n),
                     CXM_OK);
    assert_int_equal(n, 1);
}

static cxm_rc collect_comment(const struct cxm_comment *c, void *ud)
{
    char *out = ud;

    strcat(out, c->id);
    strcat(out, "=");
    strcat(out, c->text);
    strcat(out, c->team ? c->team : "-");
    strcat(out, ";");
    return CXM_OK;
}

static cxm_rc collect_text(const struct cxm_comment *c, int version,
                           void *ud)
{
    char *out = ud;

    assert_int_equal(version, 3);
    strcat(out, "S:");
    strcat(out, c->id);
    strcat(out, "=");
    strcat(out, c->text);
    strcat(out, ";");
    return CXM_OK;
}

static void test_pg__comments(void **state)
{
    PG_OR_SKIP(st);
    struct cxm_comment_query q;
    struct cxm__invitation_row inv;
    unsigned char h[32];
    char out[512] = "";

    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    {
        char sql[1024];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO agents VALUES (%lld, 'a1', 'blue', NULL, NULL);"
                 "INSERT INTO responses (workspace_id, response_id, survey,"
                 " responded_at, score, scale_min, scale_max, comment,"
                 " agent_id) VALUES (%lld, 'r1', 'csat', 5000, 2, 1, 5,"
                 " 'Slow reply', 'a1'), (%lld, 'r2', 'csat', 6000, 5, 1, 5,"
                 " 'great', NULL), (%lld, 'i1:q1', 'csat', 7000, 4, 1, 5,"
                 " 'kept', NULL)",
                 (long long)g_ws, (long long)g_ws, (long long)g_ws,
                 (long long)g_ws);
        assert_int_equal(exec(st, sql), CXM_OK);
    }
    q.search = "SLOW";
    assert_int_equal(st->ops->comments(st, &q, collect_comment, NULL, out),
                     CXM_OK);
    assert_string_equal(out, "r1=Slow replyblue;");
    /* a submission's text answers: those not already an answer's comment */
    memset(&inv, 0, sizeof(inv));
    memset(h, 7, sizeof(h));
    inv.id = "i1";
    inv.survey_id = "s9";
    inv.survey_version = 3;
    inv.language = "en";
    inv.created_at = 1;
    inv.expires_at = 99999999;
    assert_int_equal(st->ops->put_invitation(st, &inv, h, sizeof(h)), CXM_OK);
    inv.first_at = 7000;
    inv.updated_at = 7000;
    inv.answers = "{\"q1\":4,\"q2\":\"kept\",\"q3\":\"more words\","
                  "\"q4\":[\"x\"]}";
    assert_int_equal(st->ops->put_submission(st, &inv), CXM_OK);
    out[0] = '\0';
    q.search = NULL;
    assert_int_equal(
        st->ops->comments(st, &q, collect_comment, collect_text, out),
        CXM_OK);
    assert_string_equal(out, "i1:q1=kept-;r2=great-;r1=Slow replyblue;"
                             "S:i1:q3=more words;");
}

/* ---- Sending. */

static cxm_rc keep_rule(const struct cxm__send_rule *r, void *ud)
{
    int64_t *last = ud;

    *last = r->id;
    return CXM_OK;
}

static cxm_rc keep_moment(const struct cxm__send_moment *m, void *ud)
{
    char *out = ud;

    strcat(out, m->subject_id);
    strcat(out, m->email ? m->email : "-");
    strcat(out, ";");
    return CXM_OK;
}

struct claimed {
    int64_t id;
    bool answered;
    char status[16];
};

static cxm_rc keep_claim(const struct cxm__outbox_row *r, void *ud)
{
    struct claimed *c = ud;

    c->id = r->id;
    c->answered = r->answered;
    snprintf(c->status, sizeof(c->status), "%s", r->status);
    return CXM_OK;
}

static cxm_rc count_row(const struct cxm__outbox_row *r, void *ud)
{
    int *n = ud;

    (void)r;
    (*n)++;
    return CXM_OK;
}

static struct cxm__outbox_row message(const char *subject, int64_t due)
{
    struct cxm__outbox_row r;

    memset(&r, 0, sizeof(r));
    r.kind = "invite";
    r.moment = "resolved";
    r.subject_id = subject;
    r.status = "queued";
    r.invitation_id = subject;
    r.channel = "email";
    r.recipient = "C1@Example.com";
    r.customer_id = "c1";
    r.ticket_id = subject;
    r.created_at = due;
    r.due_at = due;
    return r;
}

static void test_pg__send(void **state)
{
    PG_OR_SKIP(st);
    struct cxm__send_rule rule;
    struct cxm__moment_query mq;
    struct cxm__send_facts facts;
    struct cxm__outbox_row r;
    struct claimed c;
    int64_t id = 0, last = 0, n64 = 0, m1 = 0;
    char sql[1024], out[256] = "";
    bool found = false;
    int n = 0;

    memset(&rule, 0, sizeof(rule));
    rule.moment = "resolved";
    rule.survey = "csat";
    rule.channel = "email";
    rule.delay_ms = 60000;
    rule.created_at = 1;
    assert_int_equal(st->ops->put_send_rule(st, &rule, &id), CXM_OK);
    assert_int_equal(id, 1);
    assert_int_equal(st->ops->put_send_rule(st, &rule, &id), CXM_OK);
    assert_int_equal(id, 2);
    assert_int_equal(st->ops->remove_send_rule(st, 1, 5), CXM_OK);
    assert_int_equal(st->ops->remove_send_rule(st, 1, 5), CXM_ENOTFOUND);
    assert_int_equal(st->ops->send_rules(st, keep_rule, &last), CXM_OK);
    assert_int_equal(last, 2);

    snprintf(sql, sizeof(sql),
             "INSERT INTO customers (workspace_id, customer_id, acquired_at,"
             " email, segment) VALUES (%lld, 'c1', 100, 'c1@example.com',"
             " 'vip');"
             "INSERT INTO tickets (workspace_id, ticket_id, created_at,"
             " customer_id, resolved_at) VALUES (%lld, 't1', 10, 'c1', 500),"
             " (%lld, 't2', 20, 'c1', 600), (%lld, 't3', 30, NULL, 9000)",
             (long long)g_ws, (long long)g_ws, (long long)g_ws,
             (long long)g_ws);
    assert_int_equal(exec(st, sql), CXM_OK);
    memset(&mq, 0, sizeof(mq));
    mq.moment = mq.key = "resolved";
    mq.from = 0;
    mq.to = 1000;
    mq.limit = 10;
    assert_int_equal(st->ops->send_moments(st, &mq, keep_moment, out),
                     CXM_OK);
    assert_string_equal(out, "t1c1@example.com;t2c1@example.com;");
    mq.moment = "segment";
    mq.key = "segment:2";
    mq.segment = "vip";
    out[0] = '\0';
    assert_int_equal(st->ops->send_moments(st, &mq, keep_moment, out),
                     CXM_OK);
    assert_string_equal(out, "c1c1@example.com;");
    mq.moment = mq.key = "quiet";
    mq.segment = NULL;
    out[0] = '\0';
    assert_int_equal(st->ops->send_moments(st, &mq, keep_moment, out),
                     CXM_OK);
    assert_string_equal(out, "c1:100c1@example.com;");

    r = message("t1", 1000);
    assert_int_equal(st->ops->outbox_put(st, &r, &m1), CXM_OK);
    r = message("t2", 2000);
    assert_int_equal(st->ops->outbox_put(st, &r, &id), CXM_OK);
    assert_true(id > m1);
    /* t1 decided: only t2 is left (t2 is queued, so decided too) */
    mq.moment = mq.key = "resolved";
    out[0] = '\0';
    assert_int_equal(st->ops->send_moments(st, &mq, keep_moment, out),
                     CXM_OK);
    assert_string_equal(out, "");
    assert_int_equal(st->ops->send_facts(st, "c1", "x@y", 1900, 0, 1500,
                                         &facts),
                     CXM_OK);
    assert_false(facts.unsubscribed);
    assert_true(facts.has_last);
    assert_int_equal(facts.last_due_at, 2000);
    assert_int_equal(facts.day_count, 1);

    /* nothing due before 1000 */
    assert_int_equal(st->ops->outbox_claim(st, 999, 0, keep_claim, &c,
                                           &found),
                     CXM_OK);
    assert_false(found);
    assert_int_equal(st->ops->outbox_claim(st, 5000, 0, keep_claim, &c,
                                           &found),
                     CXM_OK);
    assert_true(found);
    assert_int_equal(c.id, m1);
    assert_string_equal(c.status, "sending");
    assert_int_equal(st->ops->outbox_update(st, m1, "sent", NULL, 0, 5001),
                     CXM_OK);
    /* a lease over: t2 claimed, left sending, claimed again */
    assert_int_equal(st->ops->outbox_claim(st, 5000, 0, keep_claim, &c,
                                           &found),
                     CXM_OK);
    assert_int_equal(c.id, id);
    assert_int_equal(st->ops->outbox_claim(st, 5100, 0, keep_claim, &c,
                                           &found),
                     CXM_OK);
    found = false;
    assert_int_equal(st->ops->outbox_claim(st, 9000, 5200, keep_claim, &c,
                                           &found),
                     CXM_OK);
    assert_true(found);
    assert_int_equal(c.id, id);
    assert_int_equal(st->ops->outbox_scan(st, "sending", NULL, count_row, &n),
                     CXM_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(st->ops->outbox_scan(st, NULL, "t1", count_row, &n),
                     CXM_OK);
    assert_int_equal(n, 1);
    /* opened, bounced by address in any case, unsubscribed */
    assert_int_equal(st->ops->outbox_opened(st, "t1", 6000), CXM_OK);
    assert_int_equal(st->ops->outbox_bounce(st, 0, "c1@EXAMPLE.com",
                                            "mailbox full", &n64),
                     CXM_OK);
    assert_int_equal(n64, 1);
    n = 0;
    assert_int_equal(st->ops->outbox_scan(st, "bounced", NULL, count_row,
                                          &n),
                     CXM_OK);
    assert_int_equal(n, 1);
    {
        struct cxm__invitation_row inv;
        unsigned char h[32], h2[32];
        bool got = false;

        memset(&inv, 0, sizeof(inv));
        memset(h, 1, sizeof(h));
        memset(h2, 2, sizeof(h2));
        inv.id = "t1";
        inv.survey_id = "csat";
        inv.survey_version = 1;
        inv.language = "en";
        inv.customer_id = "c1";
        assert_int_equal(st->ops->put_invitation(st, &inv, h, sizeof(h)),
                         CXM_OK);
        assert_int_equal(
            st->ops->put_invitation_link(st, "t1", h2, sizeof(h2), 7000),
            CXM_OK);
        assert_int_equal(st->ops->put_unsubscribe(st, "t1", 8000, &got),
                         CXM_OK);
        assert_true(got);
        assert_int_equal(st->ops->put_unsubscribe(st, "none", 8000, &got),
                         CXM_OK);
        assert_false(got);
    }
    assert_int_equal(st->ops->send_facts(st, NULL, "C1@Example.com", 0, 0, 0,
                                         &facts),
                     CXM_OK);
    assert_true(facts.unsubscribed);
}

/* ---- The survey service. */

static cxm_rc keep_token(const char *name, int64_t created_at,
                         int64_t revoked_at, void *ud)
{
    char *out = ud;
    char b[64];

    snprintf(b, sizeof(b), "%s:%lld:%lld;", name, (long long)created_at,
             (long long)revoked_at);
    strcat(out, b);
    return CXM_OK;
}

static cxm_rc keep_invitation(const struct cxm__invitation_row *r, void *ud)
{
    char *out = ud;
    char b[256];

    snprintf(b, sizeof(b), "%s/%s/%d/%s/%d/%lld/%d/%s;", r->id, r->survey_id,
             r->survey_version, r->team ? r->team : "-", r->has_answers,
             (long long)r->submitted_at, r->edits,
             r->answers ? r->answers : "-");
    strcat(out, b);
    return CXM_OK;
}

static void test_pg__invite(void **state)
{
    PG_OR_SKIP(st);
    unsigned char h[32], h2[32], h3[32];
    struct cxm__invitation_row inv;
    char out[512] = "";
    int64_t distinct = 0;
    bool live = true;

    memset(h, 0xa1, sizeof(h));
    memset(h2, 0xb2, sizeof(h2));
    memset(h3, 0xc3, sizeof(h3));
    assert_int_equal(st->ops->put_api_token(st, "ci", h, sizeof(h), 10),
                     CXM_OK);
    /* a taken name is refused, and the transaction goes on */
    assert_int_equal(st->ops->begin(st), CXM_OK);
    assert_int_equal(st->ops->put_api_token(st, "ci", h2, sizeof(h2), 11),
                     CXM_EINPUT);
    assert_int_equal(st->ops->put_api_token(st, "cd", h2, sizeof(h2), 12),
                     CXM_OK);
    assert_int_equal(st->ops->commit(st), CXM_OK);
    assert_int_equal(st->ops->find_api_token(st, h2, sizeof(h2), &live),
                     CXM_OK);
    assert_true(live);
    assert_int_equal(st->ops->revoke_api_token(st, "cd", 20), CXM_OK);
    assert_int_equal(st->ops->revoke_api_token(st, "cd", 20), CXM_ENOTFOUND);
    assert_int_equal(st->ops->find_api_token(st, h2, sizeof(h2), &live),
                     CXM_OK);
    assert_false(live);
    assert_int_equal(st->ops->api_tokens(st, keep_token, out), CXM_OK);
    assert_string_equal(out, "cd:12:20;ci:10:0;");

    memset(&inv, 0, sizeof(inv));
    inv.id = "inv1";
    inv.survey_id = "csat";
    inv.survey_version = 2;
    inv.language = "de";
    inv.team = "blue";
    inv.created_at = 100;
    inv.expires_at = 200;
    assert_int_equal(st->ops->put_invitation(st, &inv, h3, sizeof(h3)),
                     CXM_OK);
    out[0] = '\0';
    assert_int_equal(
        st->ops->find_invitation(st, h3, sizeof(h3), keep_invitation, out),
        CXM_OK);
    assert_string_equal(out, "inv1/csat/2/blue/0/0/0/-;");
    assert_int_equal(
        st->ops->find_invitation(st, h, sizeof(h), keep_invitation, out),
        CXM_ENOTFOUND);
    assert_int_equal(st->ops->put_invitation_link(st, "inv1", h, sizeof(h),
                                                  150),
                     CXM_OK);
    inv.first_at = 160;
    inv.updated_at = 160;
    inv.answers = "{\"q\": 5}";
    assert_int_equal(st->ops->put_submission(st, &inv), CXM_OK);
    inv.updated_at = 170;
    inv.submitted_at = 170;
    inv.edits = 1;
    assert_int_equal(st->ops->put_submission(st, &inv), CXM_OK);
    out[0] = '\0';
    assert_int_equal(
        st->ops->find_invitation(st, h, sizeof(h), keep_invitation, out),
        CXM_OK);
    assert_string_equal(out, "inv1/csat/2/blue/1/170/1/{\"q\": 5};");
    out[0] = '\0';
    assert_int_equal(st->ops->submissions(st, keep_invitation, out), CXM_OK);
    /* by first answer: the comments test's i1 came later */
    assert_string_equal(out, "inv1/csat/2/blue/1/170/1/{\"q\": 5};"
                             "i1/s9/3/-/1/0/0/{\"q1\":4,\"q2\":\"kept\","
                             "\"q3\":\"more words\",\"q4\":[\"x\"]};");
    assert_int_equal(st->ops->put_click(st, "inv1", 1000, 5, 0, &distinct),
                     CXM_OK);
    assert_int_equal(st->ops->put_click(st, "inv1", 1001, 1, 0, &distinct),
                     CXM_OK);
    assert_int_equal(distinct, 2);
    assert_int_equal(st->ops->put_click(st, "inv1", 1002, 1, 1001,
                                        &distinct),
                     CXM_OK);
    assert_int_equal(distinct, 1);
    assert_int_equal(st->ops->remove_response(st, "none"), CXM_OK);
    /* savepoints: a job rolled back alone */
    assert_int_equal(st->ops->begin(st), CXM_OK);
    assert_int_equal(st->ops->savepoint(st, CXM__SP_BEGIN), CXM_OK);
    assert_int_equal(st->ops->put_api_token(st, "sp1", h3, sizeof(h3), 1),
                     CXM_OK);
    assert_int_equal(st->ops->savepoint(st, CXM__SP_ROLLBACK), CXM_OK);
    assert_int_equal(st->ops->savepoint(st, CXM__SP_RELEASE), CXM_OK);
    assert_int_equal(st->ops->savepoint(st, CXM__SP_BEGIN), CXM_OK);
    assert_int_equal(st->ops->put_api_token(st, "sp2", h3, sizeof(h3), 1),
                     CXM_OK);
    assert_int_equal(st->ops->savepoint(st, CXM__SP_RELEASE), CXM_OK);
    assert_int_equal(st->ops->commit(st), CXM_OK);
    out[0] = '\0';
    assert_int_equal(st->ops->api_tokens(st, keep_token, out), CXM_OK);
    assert_string_equal(out, "cd:12:20;ci:10:0;sp2:1:0;");
    assert_int_equal(st->ops->tune(st, CXM__TUNE_READER), CXM_OK);
}

/* ---- The dashboard. */

static cxm_rc keep_user(const struct cxm__user_row *u, void *ud)
{
    char *out = ud;

    strcat(out, u->name);
    strcat(out, ":");
    strcat(out, u->role);
    strcat(out, ";");
    return CXM_OK;
}

static cxm_rc keep_answer(const struct cxm__drill_answer *a, void *ud)
{
    char *out = ud;

    strcat(out, a->response_id);
    strcat(out, a->team ? a->team : "-");
    strcat(out, ";");
    return CXM_OK;
}

static cxm_rc keep_ticket(const struct cxm__ticket_row *t, void *ud)
{
    char *out = ud;

    strcat(out, t->ticket_id);
    strcat(out, t->reopened < 0 ? "?" : "!");
    strcat(out, ";");
    return CXM_OK;
}

static void test_pg__users(void **state)
{
    PG_OR_SKIP(st);
    unsigned char sid[32];
    struct cxm__drill q;
    char out[256] = "";
    int64_t count = 0;

    memset(sid, 9, sizeof(sid));
    assert_int_equal(st->ops->put_user(st, "zoe", "viewer", "h1", 1, false),
                     CXM_OK);
    assert_int_equal(st->ops->put_user(st, "Al", "admin", "h2", 1, false),
                     CXM_OK);
    assert_int_equal(st->ops->put_user(st, "zoe", "admin", "h3", 2, false),
                     CXM_EINPUT);
    assert_int_equal(st->ops->put_user(st, "zoe", NULL, "h3", 2, true),
                     CXM_OK);
    assert_int_equal(st->ops->put_user(st, "bob", NULL, "h3", 2, true),
                     CXM_ENOTFOUND);
    assert_int_equal(st->ops->users(st, NULL, keep_user, out), CXM_OK);
    assert_string_equal(out, "Al:admin;zoe:viewer;");
    assert_int_equal(st->ops->users(st, "bob", keep_user, out),
                     CXM_ENOTFOUND);
    assert_int_equal(
        st->ops->put_session(st, sid, sizeof(sid), "zoe", 10, 1000), CXM_OK);
    out[0] = '\0';
    assert_int_equal(
        st->ops->session_user(st, sid, sizeof(sid), 500, keep_user, out),
        CXM_OK);
    assert_string_equal(out, "zoe:viewer;");
    assert_int_equal(
        st->ops->session_user(st, sid, sizeof(sid), 1000, keep_user, out),
        CXM_ENOTFOUND);
    assert_int_equal(st->ops->remove_user(st, "zoe"), CXM_OK);
    assert_int_equal(st->ops->remove_user(st, "zoe"), CXM_ENOTFOUND);
    assert_int_equal(
        st->ops->session_user(st, sid, sizeof(sid), 500, keep_user, out),
        CXM_ENOTFOUND);
    assert_int_equal(st->ops->put_login_failure(st, "ip", "10.0.0.1", 100),
                     CXM_OK);
    assert_int_equal(st->ops->put_login_failure(st, "ip", "10.0.0.1", 200),
                     CXM_OK);
    assert_int_equal(st->ops->login_failures(st, "ip", "10.0.0.1", 150,
                                             &count),
                     CXM_OK);
    assert_int_equal(count, 1);
    assert_int_equal(st->ops->clear_login_failures(st, "ip", "10.0.0.1", 0),
                     CXM_OK);
    assert_int_equal(st->ops->login_failures(st, "ip", "10.0.0.1", 0,
                                             &count),
                     CXM_OK);
    assert_int_equal(count, 0);

    /* drill-downs over the rows the comments test stored (r1, r2, i1:q1)
     * and the send test's tickets */
    memset(&q, 0, sizeof(q));
    q.from = 0;
    q.to = 100000;
    q.team = "blue";
    out[0] = '\0';
    assert_int_equal(st->ops->drill_answers(st, &q, keep_answer, out),
                     CXM_OK);
    assert_string_equal(out, "r1blue;");
    q.team = NULL;
    q.has_score = true;
    q.score_lo = 4;
    q.score_hi = 5;
    out[0] = '\0';
    assert_int_equal(st->ops->drill_answers(st, &q, keep_answer, out),
                     CXM_OK);
    assert_string_equal(out, "i1:q1-;r2-;");
    q.has_score = false;
    q.by_resolved = true;
    q.to = 1000;
    out[0] = '\0';
    assert_int_equal(st->ops->drill_tickets(st, &q, keep_ticket, out),
                     CXM_OK);
    assert_string_equal(out, "t2?;t1?;");
}

/* ---- Two nodes. */

#define N_MESSAGES 200
#define N_NODES 2

struct node {
    cxm_store *st;
    int64_t ids[N_MESSAGES];
    int n;
    cxm_rc rc;
};

/* One sender: claims, "sends" (marks sent), commits, until nothing is
 * due; each claim in its own transaction, held a moment. */
static void *sender(void *arg)
{
    struct node *nd = arg;
    struct timespec pause = {0, 200000};

    for (;;) {
        struct claimed c;
        bool found = false;
        cxm_rc rc = nd->st->ops->begin(nd->st);

        if (!rc)
            rc = nd->st->ops->outbox_claim(nd->st, 1LL << 40, 0, keep_claim,
                                           &c, &found);
        if (!rc && found) {
            nanosleep(&pause, NULL);
            rc = nd->st->ops->outbox_update(nd->st, c.id, "sent", NULL, 0,
                                            1LL << 40);
        }
        if (!rc)
            rc = nd->st->ops->commit(nd->st);
        if (rc) {
            nd->st->ops->rollback(nd->st);
            nd->rc = rc;
            return NULL;
        }
        if (!found)
            return NULL;
        if (nd->n < N_MESSAGES)
            nd->ids[nd->n] = c.id;
        nd->n++;
    }
}

/* One node storing the same firings as the other. */
static void *firer(void *arg)
{
    struct node *nd = arg;

    for (int i = 0; i < 50 && !nd->rc; i++) {
        struct cxm__firing_row f = firing(777, "g", 1000 * (int64_t)i);
        bool added = false;
        int64_t id = 0;

        nd->rc = nd->st->ops->begin(nd->st);
        if (!nd->rc)
            nd->rc = nd->st->ops->put_alert_firing(nd->st, &f, &added, &id);
        if (!nd->rc)
            nd->rc = nd->st->ops->commit(nd->st);
        if (added)
            nd->n++;
    }
    return NULL;
}

static void test_pg__two_nodes(void **state)
{
    PG_OR_SKIP(st);
    struct node nodes[N_NODES];
    pthread_t th[N_NODES];
    static unsigned char seen[N_MESSAGES * 4];
    int64_t first = 0, v1 = 0, v2 = 0;
    int total = 0, n_sent = 0;
    char sql[256];

    /* a fresh outbox of N_MESSAGES due messages */
    snprintf(sql, sizeof(sql),
             "DELETE FROM outbox WHERE workspace_id = %lld", (long long)g_ws);
    assert_int_equal(exec(st, sql), CXM_OK);
    assert_int_equal(st->ops->begin(st), CXM_OK);
    for (int i = 0; i < N_MESSAGES; i++) {
        char subject[32];
        struct cxm__outbox_row r;
        int64_t id = 0;

        snprintf(subject, sizeof(subject), "two-%d", i);
        r = message(subject, 1000 + i);
        assert_int_equal(st->ops->outbox_put(st, &r, &id), CXM_OK);
        if (!first)
            first = id;
    }
    assert_int_equal(st->ops->commit(st), CXM_OK);
    memset(nodes, 0, sizeof(nodes));
    for (int k = 0; k < N_NODES; k++) {
        nodes[k].st = open_pg();
        assert_non_null(nodes[k].st);
    }
    for (int k = 0; k < N_NODES; k++)
        assert_int_equal(pthread_create(&th[k], NULL, sender, &nodes[k]), 0);
    for (int k = 0; k < N_NODES; k++)
        pthread_join(th[k], NULL);
    memset(seen, 0, sizeof(seen));
    for (int k = 0; k < N_NODES; k++) {
        assert_int_equal(nodes[k].rc, CXM_OK);
        assert_true(nodes[k].n > 0); /* both took part */
        for (int i = 0; i < nodes[k].n; i++) {
            int64_t off = nodes[k].ids[i] - first;
            assert_true(off >= 0 && off < N_MESSAGES);
            assert_int_equal(seen[off], 0); /* claimed once */
            seen[off] = 1;
        }
        total += nodes[k].n;
    }
    assert_int_equal(total, N_MESSAGES);
    assert_int_equal(st->ops->outbox_scan(st, "sent", NULL, count_row,
                                          &n_sent),
                     CXM_OK);
    assert_int_equal(n_sent, N_MESSAGES);

    /* the same firings from both nodes: each stored once */
    for (int k = 0; k < N_NODES; k++)
        nodes[k].n = 0;
    for (int k = 0; k < N_NODES; k++)
        assert_int_equal(pthread_create(&th[k], NULL, firer, &nodes[k]), 0);
    for (int k = 0; k < N_NODES; k++)
        pthread_join(th[k], NULL);
    assert_int_equal(nodes[0].rc, CXM_OK);
    assert_int_equal(nodes[1].rc, CXM_OK);
    assert_int_equal(nodes[0].n + nodes[1].n, 50);

    /* one node's write of what reports read changes the other's data
     * version; a login failure (the service's own tables) does not */
    assert_int_equal(st->ops->data_version(st, &v1), CXM_OK);
    assert_int_equal(nodes[0].st->ops->put_login_failure(nodes[0].st, "user",
                                                         "x", 1),
                     CXM_OK);
    assert_int_equal(st->ops->data_version(st, &v2), CXM_OK);
    assert_true(v1 == v2);
    assert_int_equal(cxm_benchmark_set(nodes[0].st, CXM_METRIC_CSAT, 80,
                                       "two nodes"),
                     CXM_OK);
    assert_int_equal(st->ops->data_version(st, &v2), CXM_OK);
    assert_true(v1 != v2);
    for (int k = 0; k < N_NODES; k++)
        cxm_store_close(nodes[k].st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pg__survey_defs),
        cmocka_unit_test(test_pg__alerts),
        cmocka_unit_test(test_pg__comments),
        cmocka_unit_test(test_pg__send),
        cmocka_unit_test(test_pg__invite),
        cmocka_unit_test(test_pg__users),
        cmocka_unit_test(test_pg__two_nodes),
    };

    /* a workspace of this run's own: the time and the process */
    g_ws = (int64_t)time(NULL) * 100000 + (getpid() % 100000);
    return cmocka_run_group_tests(tests, setup, teardown);
}
