/* SPDX-License-Identifier: MIT
 *
 * invite.c — the survey service's records (serve.h, invite.h,
 * src/store/sqlite/sql/0012-invitations.sql): API tokens, invitations
 * and their links, and the answers given through a link. Secrets come from libsodium's
 * randombytes and are kept only as their BLAKE2b digest. Each rated
 * question of an answer is a responses row stored through the importer's
 * path (rows.c), so every report sees it the moment it is committed.
 * The engine keeps the records (the survey service's hooks of
 * struct cxm__store_ops; store_sqlite_invite.c), as survey_store.c's
 * definitions.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "civil.h"
#include "invite.h"
#include "store_int.h"
#include "survey_int.h"

#define SECRET_BYTES 32 /* 256 random bits per token */
#define HASH_BYTES 32
#define TOKEN_PREFIX "cxm_" /* API tokens only: easy to spot in a leak */
#define MAX_TOKEN_NAME 64

int64_t cxm__now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A new secret, base64url without padding, into out[0..cap). */
static cxm_rc new_secret(const char *prefix, char *out, size_t cap)
{
    unsigned char raw[SECRET_BYTES];
    size_t plen = strlen(prefix);

    if (sodium_init() < 0)
        return CXM_EIO;
    if (cap < plen + sodium_base64_ENCODED_LEN(
                         SECRET_BYTES,
                         sodium_base64_VARIANT_URLSAFE_NO_PADDING))
        return CXM_EINVAL;
    randombytes_buf(raw, sizeof(raw));
    memcpy(out, prefix, plen);
    sodium_bin2base64(out + plen, cap - plen, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    return CXM_OK;
}

static void digest(const char *token, size_t len, unsigned char *out)
{
    crypto_generichash(out, HASH_BYTES, (const unsigned char *)token, len,
                       NULL, 0);
}

/* ---- API tokens. */

static bool good_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0 || n > MAX_TOKEN_NAME)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c <= 0x20 || c >= 0x7f)
            return false;
    }
    return true;
}

cxm_rc cxm_api_token_create(cxm_store *st, const char *name,
                            char **token_out)
{
    char token[96];
    unsigned char h[HASH_BYTES];
    cxm_rc rc;

    if (!st || !token_out)
        return CXM_EINVAL;
    *token_out = NULL;
    rc = cxm__store_invitations(st);
    if (rc)
        return rc;
    if (!good_name(name)) {
        cxm__store_set_error(st, "a token name is 1 to 64 printable ASCII "
                                 "characters, no space");
        return CXM_EINPUT;
    }
    rc = new_secret(TOKEN_PREFIX, token, sizeof(token));
    if (rc)
        return rc;
    digest(token, strlen(token), h);
    rc = st->ops->put_api_token(st, name, h, sizeof(h), cxm__now_ms());
    if (!rc) {
        *token_out = cxm__strdup(token);
        rc = *token_out ? CXM_OK : CXM_ENOMEM;
    }
    sodium_memzero(token, sizeof(token));
    return rc;
}

struct token_list {
    cxm_api_token_fn fn;
    void *ud;
};

static cxm_rc on_token(const char *name, int64_t created_at,
                       int64_t revoked_at, void *ud)
{
    struct token_list *l = ud;
    struct cxm_api_token_info t;

    t.name = name;
    t.created_at = created_at;
    t.revoked = revoked_at != 0;
    t.revoked_at = revoked_at;
    return l->fn(&t, l->ud);
}

cxm_rc cxm_api_token_list(cxm_store *st, cxm_api_token_fn fn, void *ud)
{
    struct token_list l = {fn, ud};
    cxm_rc rc;

    if (!st || !fn)
        return CXM_EINVAL;
    rc = cxm__store_invitations(st);
    return rc ? rc : st->ops->api_tokens(st, on_token, &l);
}

cxm_rc cxm_api_token_revoke(cxm_store *st, const char *name)
{
    cxm_rc rc;

    if (!st || !name)
        return CXM_EINVAL;
    rc = cxm__store_invitations(st);
    return rc ? rc : st->ops->revoke_api_token(st, name, cxm__now_ms());
}

cxm_rc cxm_api_token_check(cxm_store *st, const char *token, size_t len,
                           bool *ok)
{
    unsigned char h[HASH_BYTES];
    cxm_rc rc;

    if (!st || !ok || (!token && len))
        return CXM_EINVAL;
    *ok = false;
    rc = cxm__store_invitations(st);
    if (rc)
        return rc;
    if (len == 0 || len > 128 || sodium_init() < 0)
        return CXM_OK;
    digest(token, len, h);
    return st->ops->find_api_token(st, h, sizeof(h), ok);
}

/* ---- Settings the service reads. */

cxm_rc cxm__config_int(cxm_store *st, const char *key, int64_t *out)
{
    char *v = NULL;
    cxm_rc rc = cxm_config_get(st, key, &v, NULL);

    if (!rc)
        rc = cxm__parse_i64(v, strlen(v), out) ? CXM_EINPUT : CXM_OK;
    cxm_free(v);
    return rc;
}

/* ---- Invitations. */

static cxm_rc inv_refuse(struct cxm_invitation_error *err, const char *field,
                         const char *reason)
{
    if (err) {
        snprintf(err->field, sizeof(err->field), "%s", field);
        snprintf(err->reason, sizeof(err->reason), "%s", reason);
    }
    return CXM_EINPUT;
}

/* A key value as the importer takes it: no control character, bounded. */
static bool good_key(const char *v)
{
    size_t n = strlen(v);

    if (n == 0 || n > CXM_INVITATION_MAX_FIELD || !cxm__utf8_valid(v, n))
        return false;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return false;
    }
    return true;
}

cxm_rc cxm_invitation_create(cxm_store *st,
                             const struct cxm_invitation_req *req,
                             struct cxm_invitation *out,
                             struct cxm_invitation_error *err)
{
    static const char *const names[] = {"ticket_id", "customer_id",
                                        "agent_id", "team", "channel"};
    const char *keys[5];
    unsigned char h[HASH_BYTES], raw[12];
    cxm_survey *sv = NULL;
    struct cxm__invitation_row row;
    const char *lang;
    int64_t days, now = cxm__now_ms();
    cxm_rc rc;

    if (!st || !req || !out || req->size < sizeof(*req))
        return CXM_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!req->survey || !*req->survey)
        return inv_refuse(err, "survey", "required");
    keys[0] = req->ticket_id;
    keys[1] = req->customer_id;
    keys[2] = req->agent_id;
    keys[3] = req->team;
    keys[4] = req->channel;
    for (size_t i = 0; i < 5; i++) {
        if (keys[i] && !good_key(keys[i]))
            return inv_refuse(err, names[i],
                              "must be 1 to 256 bytes of UTF-8 text without "
                              "control characters");
    }
    rc = cxm__store_invitations(st);
    if (!rc)
        rc = cxm_survey_get(st, req->survey, 0, &sv);
    if (rc == CXM_ENOTFOUND)
        return inv_refuse(err, "survey", "no such survey in the store "
                                         "(cxmeter survey add)");
    if (rc)
        return rc;
    lang = req->language && *req->language ? req->language
                                           : cxm_survey_default_language(sv);
    if (!cxm_survey_has_language(sv, lang)) {
        cxm_survey_free(sv);
        return inv_refuse(err, "language",
                          "the survey has no texts in this language");
    }
    rc = cxm__config_int(st, "survey.link_days", &days);
    if (rc)
        goto out;
    rc = new_secret("", out->token, sizeof(out->token));
    if (rc)
        goto out;
    randombytes_buf(raw, sizeof(raw));
    memcpy(out->id, "inv_", 4);
    sodium_bin2hex(out->id + 4, sizeof(out->id) - 4, raw, sizeof(raw));
    digest(out->token, strlen(out->token), h);
    out->expires_at = now + days * CXM__MS_PER_DAY;
    memset(&row, 0, sizeof(row));
    row.id = out->id;
    row.survey_id = cxm_survey_id(sv);
    row.survey_version = cxm_survey_version(sv);
    row.language = lang;
    row.ticket_id = keys[0];
    row.customer_id = keys[1];
    row.agent_id = keys[2];
    row.team = keys[3];
    row.channel = keys[4];
    row.created_at = now;
    row.expires_at = out->expires_at;
    rc = st->ops->put_invitation(st, &row, h, sizeof(h));
out:
    cxm_survey_free(sv);
    if (rc)
        memset(out, 0, sizeof(*out));
    return rc;
}

cxm_rc cxm__invite_new_link(cxm_store *st, const char *invitation_id,
                            int64_t now, char *token, size_t cap)
{
    unsigned char h[HASH_BYTES];
    cxm_rc rc = cxm__store_sends(st);

    if (!rc)
        rc = new_secret("", token, cap);
    if (rc)
        return rc;
    digest(token, strlen(token), h);
    rc = st->ops->put_invitation_link(st, invitation_id, h, sizeof(h), now);
    if (rc)
        sodium_memzero(token, cap);
    return rc;
}

/* ---- An invitation and its answers. */

static char *dup_opt(const char *t, bool *oom)
{
    char *d;

    if (!t)
        return NULL;
    d = cxm__strdup(t);
    if (!d)
        *oom = true;
    return d;
}

void cxm__invite_release(struct cxm__invite *inv)
{
    cxm__free(inv->id);
    cxm__free(inv->survey_id);
    cxm__free(inv->language);
    cxm__free(inv->ticket_id);
    cxm__free(inv->customer_id);
    cxm__free(inv->agent_id);
    cxm__free(inv->team);
    cxm__free(inv->channel);
    json_decref(inv->answers);
    memset(inv, 0, sizeof(*inv));
}

/* Copies the engine's row into the struct cxm__invite at ud. */
static cxm_rc take_invitation(const struct cxm__invitation_row *r, void *ud)
{
    struct cxm__invite *inv = ud;
    bool oom = false;

    inv->id = dup_opt(r->id, &oom);
    inv->survey_id = dup_opt(r->survey_id, &oom);
    inv->survey_version = r->survey_version;
    inv->language = dup_opt(r->language, &oom);
    inv->ticket_id = dup_opt(r->ticket_id, &oom);
    inv->customer_id = dup_opt(r->customer_id, &oom);
    inv->agent_id = dup_opt(r->agent_id, &oom);
    inv->team = dup_opt(r->team, &oom);
    inv->channel = dup_opt(r->channel, &oom);
    inv->created_at = r->created_at;
    inv->expires_at = r->expires_at;
    inv->has_answers = r->has_answers;
    inv->first_at = r->first_at;
    inv->updated_at = r->updated_at;
    inv->submitted_at = r->submitted_at;
    inv->held = r->held;
    inv->edits = r->edits;
    if (r->has_answers && r->answers)
        inv->answers = json_loads(r->answers, 0, NULL);
    if (!json_is_object(inv->answers)) {
        json_decref(inv->answers);
        inv->answers = json_object();
    }
    inv->oom = oom;
    return CXM_OK;
}

cxm_rc cxm__invite_load(cxm_store *st, const char *token, size_t len,
                        struct cxm__invite *inv)
{
    unsigned char h[HASH_BYTES];
    cxm_rc rc;

    memset(inv, 0, sizeof(*inv));
    if (len < 16 || len > 64 || sodium_init() < 0)
        return CXM_ENOTFOUND;
    for (size_t i = 0; i < len; i++) {
        char c = token[i];
        if (!(cxm__is_digit(c) || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
            return CXM_ENOTFOUND;
    }
    digest(token, len, h);
    rc = cxm__store_invitations(st);
    if (!rc)
        rc = st->ops->find_invitation(st, h, sizeof(h), take_invitation,
                                      inv);
    if (!rc && (inv->oom || !inv->answers || !inv->id))
        rc = CXM_ENOMEM;
    if (rc)
        cxm__invite_release(inv);
    return rc;
}

static cxm_rc save_submission(cxm_store *st, const struct cxm__invite *inv)
{
    struct cxm__invitation_row r;
    char *text;
    cxm_rc rc;

    text = json_dumps(inv->answers, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return CXM_ENOMEM;
    memset(&r, 0, sizeof(r));
    r.id = inv->id;
    r.first_at = inv->first_at;
    r.updated_at = inv->updated_at;
    r.submitted_at = inv->submitted_at;
    r.held = inv->held;
    r.edits = inv->edits;
    r.answers = text;
    rc = st->ops->put_submission(st, &r);
    free(text);
    return rc;
}

bool cxm__question_shown(const cxm_survey_question *q, json_t *answers)
{
    const cxm_survey_question *c = cxm_question_show_if(q);
    json_t *a;

    if (!c)
        return true;
    a = json_object_get(answers, cxm_question_id(c));
    if (json_is_integer(a))
        return cxm_question_shown_for_score(q, (int)json_integer_value(a));
    if (json_is_string(a)) {
        const char *one = json_string_value(a);
        return cxm_question_shown_for_choices(q, &one, 1);
    }
    if (json_is_array(a)) {
        const char *chosen[64];
        size_t n = 0, i;
        json_t *v;
        json_array_foreach(a, i, v) {
            if (json_is_string(v) && n < 64)
                chosen[n++] = json_string_value(v);
        }
        return cxm_question_shown_for_choices(q, chosen, n);
    }
    return false;
}

/* The text answer that explains rated question q: the first shown text
 * question whose condition is on q. */
static const char *comment_for(const cxm_survey *sv,
                               const cxm_survey_question *q, json_t *answers)
{
    for (size_t i = 0; i < cxm_survey_n_questions(sv); i++) {
        const cxm_survey_question *t = cxm_survey_question_at(sv, i);
        json_t *a;
        if (cxm_question_type_of(t) != CXM_QUESTION_TEXT ||
            cxm_question_show_if(t) != q || !cxm__question_shown(t, answers))
            continue;
        a = json_object_get(answers, cxm_question_id(t));
        if (json_is_string(a) && json_string_length(a) > 0)
            return json_string_value(a);
    }
    return NULL;
}

static cxm_rc add_opt(struct cxm__kvrow *r, const char *name, const char *v)
{
    return v ? cxm__kvrow_add(r, name, v, strlen(v)) : CXM_OK;
}

/* The responses row of rated question q answered `score`. */
static cxm_rc answer_row(const struct cxm__invite *inv, const cxm_survey *sv,
                         const cxm_survey_question *q, int score,
                         json_t *answers, struct cxm__kvrow *r)
{
    char id[160], at[40], num[16], scale[32];
    const char *metric = cxm_question_metric(q);
    int lo, hi;
    cxm_rc rc;

    cxm_question_scale(q, &lo, &hi);
    snprintf(id, sizeof(id), "%s:%s", inv->id, cxm_question_id(q));
    cxm_time_format(inv->first_at, at, sizeof(at));
    snprintf(num, sizeof(num), "%d", score);
    snprintf(scale, sizeof(scale), "%d-%d", lo, hi);
    rc = add_opt(r, "response_id", id);
    if (!rc)
        rc = add_opt(r, "survey", metric ? metric : cxm_survey_id(sv));
    if (!rc)
        rc = add_opt(r, "responded_at", at);
    if (!rc)
        rc = add_opt(r, "question", cxm_question_id(q));
    if (!rc)
        rc = add_opt(r, "score", num);
    if (!rc)
        rc = add_opt(r, "scale", scale);
    if (!rc)
        rc = add_opt(r, "comment", comment_for(sv, q, answers));
    if (!rc)
        rc = add_opt(r, "ticket_id", inv->ticket_id);
    if (!rc)
        rc = add_opt(r, "customer_id", inv->customer_id);
    if (!rc)
        rc = add_opt(r, "agent_id", inv->agent_id);
    if (!rc)
        rc = add_opt(r, "team", inv->team);
    if (!rc)
        rc = add_opt(r, "channel", inv->channel);
    if (!rc)
        rc = add_opt(r, "language", inv->language);
    return rc;
}

static cxm_rc delete_row(cxm_store *st, const struct cxm__invite *inv,
                         const cxm_survey_question *q)
{
    char id[160];

    snprintf(id, sizeof(id), "%s:%s", inv->id, cxm_question_id(q));
    return st->ops->remove_response(st, id);
}

/* Makes the responses rows agree with inv's answers (none while held), in
 * the open transaction. */
static cxm_rc sync_rows(cxm_store *st, const struct cxm__invite *inv,
                        const cxm_survey *sv)
{
    struct cxm__kvrow rows[16];
    struct cxm__window win;
    size_t n = 0;
    cxm_rc rc = cxm__store_window(st, &win);

    memset(rows, 0, sizeof(rows));
    for (size_t i = 0; !rc && i < cxm_survey_n_questions(sv); i++) {
        const cxm_survey_question *q = cxm_survey_question_at(sv, i);
        json_t *a;
        if (cxm_question_type_of(q) != CXM_QUESTION_RATING)
            continue;
        a = json_object_get(inv->answers, cxm_question_id(q));
        if (inv->held || !json_is_integer(a) ||
            !cxm__question_shown(q, inv->answers) ||
            n == CXM_ARRAY_LEN(rows)) {
            rc = delete_row(st, inv, q);
            continue;
        }
        rc = answer_row(inv, sv, q, (int)json_integer_value(a), inv->answers,
                        &rows[n++]);
    }
    if (!rc)
        rc = cxm__rows_put(st, CXM_KIND_RESPONSES, rows, n, &win, NULL);
    for (size_t i = 0; i < n; i++)
        cxm__kvrow_release(&rows[i]);
    return rc;
}

struct click {
    int score;
    int64_t now;
    int distinct; /* OUT: different scores within the scanner window */
};

/* Logs the click and counts the different scores of the last 2 s. */
static cxm_rc log_click(cxm_store *st, const struct cxm__invite *inv,
                        struct click *c)
{
    int64_t distinct = 0;
    cxm_rc rc = st->ops->put_click(st, inv->id, c->now, c->score,
                                   c->now - CXM__SCANNER_MS, &distinct);

    c->distinct = (int)distinct;
    return rc;
}

cxm_rc cxm__invite_click(cxm_store *st, struct cxm__invite *inv,
                         const cxm_survey *sv, const cxm_survey_question *q,
                         int score, int64_t now, enum cxm__click *out)
{
    struct click c = {score, now, 0};
    json_t *v = json_integer(score);
    cxm_rc rc;

    if (!v || json_object_set_new(inv->answers, cxm_question_id(q), v))
        return CXM_ENOMEM;
    if (!inv->has_answers)
        inv->first_at = now;
    else
        inv->edits++;
    inv->has_answers = true;
    inv->updated_at = now;
    /* The burst is judged in the transaction, after this click is
     * logged: a held answer stays held until a submission. */
    rc = log_click(st, inv, &c);
    if (!rc && c.distinct >= CXM__SCANNER_SCORES)
        inv->held = true;
    if (!rc)
        rc = save_submission(st, inv);
    if (!rc)
        rc = sync_rows(st, inv, sv);
    if (rc)
        return rc;
    *out = inv->held ? CXM__CLICK_HELD : CXM__CLICK_RECORDED;
    return CXM_OK;
}

cxm_rc cxm__invite_submit(cxm_store *st, struct cxm__invite *inv,
                          const cxm_survey *sv, json_t *answers, int64_t now)
{
    cxm_rc rc;

    json_decref(inv->answers);
    inv->answers = answers;
    if (!inv->has_answers)
        inv->first_at = now;
    else
        inv->edits++;
    inv->has_answers = true;
    inv->updated_at = now;
    if (!inv->submitted_at)
        inv->submitted_at = now;
    inv->held = false;
    rc = save_submission(st, inv);
    return rc ? rc : sync_rows(st, inv, sv);
}
