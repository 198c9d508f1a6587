/* SPDX-License-Identifier: MIT
 *
 * hooks.c — what `cxmeter serve` does for sending surveys (src/send/,
 * docs/sending.md): the unsubscribe link of every mail (GET /u/TOKEN asks,
 * POST /u/TOKEN unsubscribes, as RFC 8058's one-click POST does), and the
 * sender thread, which decides new moments and sends the outbox
 * continuously, every transaction through the server's one writer.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "alert_int.h"
#include "http_int.h"
#include "invite.h"
#include "send_int.h"

#define SEND_POLL_MS 1000     /* the outbox is looked at every second */
#define TRIGGER_EVERY_MS 15000 /* new moments decided every 15 s */
#define ALERT_EVERY_MS 600000  /* alert rules checked every 10 minutes */

/* ---- Unsubscribe. */

/* The page's words in the invitation's language (en, ms, id, vi, fi;
 * others: en). */
enum {
    U_ASK_TITLE,
    U_ASK_TEXT,
    U_BUTTON,
    U_DONE_TITLE,
    U_DONE_TEXT,
    U_BAD_TITLE,
    U_BAD_TEXT,
    U_RETRY_TITLE,
    U_RETRY_TEXT,
    U_COUNT
};

static const struct {
    const char *code;
    const char *text[U_COUNT];
} unsub_langs[] = {
    {"en",
     {"Unsubscribe", "Stop all survey invitations to you?", "Unsubscribe",
      "Unsubscribed",
      "You will not receive survey invitations from us again.",
      "This link does not work",
      "Please check that the whole link was copied.", "Please try again",
      "Your request cannot be answered just now."}},
    {"ms",
     {"Berhenti melanggan",
      "Berhenti menerima semua jemputan tinjauan daripada kami?",
      "Berhenti melanggan", "Langganan dihentikan",
      "Anda tidak akan menerima jemputan tinjauan daripada kami lagi.",
      "Pautan ini tidak berfungsi",
      "Sila pastikan keseluruhan pautan telah disalin.", "Sila cuba lagi",
      "Permintaan anda tidak dapat diproses buat masa ini."}},
    {"id",
     {"Berhenti berlangganan",
      "Berhenti menerima semua undangan survei dari kami?",
      "Berhenti berlangganan", "Langganan dihentikan",
      "Anda tidak akan menerima undangan survei dari kami lagi.",
      "Tautan ini tidak berfungsi",
      "Pastikan seluruh tautan sudah tersalin.", "Silakan coba lagi",
      "Permintaan Anda belum dapat diproses saat ini."}},
    {"vi",
     {"Hủy đăng ký", "Ngừng nhận mọi lời mời khảo sát từ chúng tôi?",
      "Hủy đăng ký", "Đã hủy đăng ký",
      "Bạn sẽ không nhận được lời mời khảo sát nào từ chúng tôi nữa.",
      "Liên kết này không hoạt động",
      "Vui lòng kiểm tra bạn đã sao chép đầy đủ liên kết.",
      "Vui lòng thử lại",
      "Hiện chưa thể xử lý yêu cầu của bạn."}},
    {"fi",
     {"Peru tilaus", "Lopetetaanko kaikki kyselykutsut sinulle?",
      "Peru tilaus", "Tilaus peruttu",
      "Emme lähetä sinulle enää kyselykutsuja.", "Linkki ei toimi",
      "Tarkista, että kopioit koko linkin.", "Yritä uudelleen",
      "Pyyntöäsi ei voida käsitellä juuri nyt."}},
};

/* The language of unsub_langs for `lang` ("fi", "fi-FI"; NULL: en). */
static size_t unsub_lang(const char *lang)
{
    for (size_t i = 0; lang && i < CXM_ARRAY_LEN(unsub_langs); i++) {
        size_t n = strlen(unsub_langs[i].code);
        if (strncmp(lang, unsub_langs[i].code, n) == 0 &&
            (lang[n] == '\0' || lang[n] == '-' || lang[n] == '_'))
            return i;
    }
    return 0;
}

static int plain_page(struct cxm__http_resp *resp, int status, size_t lang,
                      int title, int text, const char *button)
{
    const char *const *w = unsub_langs[lang].text;
    struct cxm__buf *b = &resp->body;
    cxm_rc rc;

    cxm__buf_reset(b);
    resp->html = true;
    resp->content_type = "text/html; charset=utf-8";
    rc = cxm__html_raw(b, "<!DOCTYPE html>\n<html lang=\"");
    if (!rc)
        rc = cxm__html_str(b, unsub_langs[lang].code);
    if (!rc)
        rc = cxm__html_raw(b, "\"><head><meta "
                              "charset=\"utf-8\"><meta name=\"viewport\" "
                              "content=\"width=device-width\"><title>");
    if (!rc)
        rc = cxm__html_str(b, w[title]);
    if (!rc)
        rc = cxm__html_raw(b, "</title></head><body><main><h1>");
    if (!rc)
        rc = cxm__html_str(b, w[title]);
    if (!rc)
        rc = cxm__html_raw(b, "</h1><p>");
    if (!rc)
        rc = cxm__html_str(b, w[text]);
    if (!rc)
        rc = cxm__html_raw(b, "</p>");
    if (!rc && button)
        rc = cxm__html_raw(b, "<form method=\"post\"><button type=\"submit\" "
                              "name=\"List-Unsubscribe\" "
                              "value=\"One-Click\">");
    if (!rc && button)
        rc = cxm__html_str(b, button);
    if (!rc && button)
        rc = cxm__html_raw(b, "</button></form>");
    if (!rc)
        rc = cxm__html_raw(b, "</main></body></html>\n");
    return rc ? 500 : status;
}

/* A link that does not work (404), or a store that failed (503). */
static int link_fault(struct cxm__http_resp *resp, size_t lang, cxm_rc rc)
{
    if (rc == CXM_ENOTFOUND)
        return plain_page(resp, 404, lang, U_BAD_TITLE, U_BAD_TEXT, NULL);
    return plain_page(resp, 503, lang, U_RETRY_TITLE, U_RETRY_TEXT, NULL);
}

/* Reads the invitation of the link: CXM_OK and *lang its language's
 * words (a link that is not one: ?lang=, else en). */
static cxm_rc link_lang(struct cxm__http_req *req, size_t *lang)
{
    struct cxm__invite inv;
    cxm_rc rc;

    pthread_mutex_lock(&req->ctx->lock);
    rc = cxm__invite_load(req->ctx->st, req->tail, strlen(req->tail), &inv);
    pthread_mutex_unlock(&req->ctx->lock);
    *lang = unsub_lang(rc ? req->arg(req, "lang") : inv.language);
    if (!rc)
        cxm__invite_release(&inv);
    return rc;
}

int cxm__http_unsubscribe_get(struct cxm__http_req *req,
                              struct cxm__http_resp *resp)
{
    size_t lang;
    cxm_rc rc = link_lang(req, &lang);

    if (rc)
        return link_fault(resp, lang, rc);
    /* A mail scanner follows links: only the button unsubscribes. */
    return plain_page(resp, 200, lang, U_ASK_TITLE, U_ASK_TEXT,
                      unsub_langs[lang].text[U_BUTTON]);
}

struct unsub_job {
    const char *token;
    int64_t now;
};

static cxm_rc unsub_run(cxm_store *st, void *ud)
{
    struct unsub_job *j = ud;

    return cxm__send_unsubscribe(st, j->token, strlen(j->token), j->now);
}

int cxm__http_unsubscribe_post(struct cxm__http_req *req,
                               struct cxm__http_resp *resp)
{
    struct unsub_job j = {req->tail, req->now};
    size_t lang;
    cxm_rc rc = link_lang(req, &lang);

    if (!rc)
        rc = cxm__writer_run(req->ctx->writer, unsub_run, &j);
    if (rc)
        return link_fault(resp, lang, rc);
    return plain_page(resp, 200, lang, U_DONE_TITLE, U_DONE_TEXT, NULL);
}

/* ---- The sender thread. */

struct cxm__sender {
    struct cxm__http_ctx *ctx;
    struct cxm_send_opts opts; /* borrowed overrides: the caller's */
    pthread_t thread;
    pthread_mutex_t m;
    pthread_cond_t wake;
    volatile int stop;
    void (*log)(const char *line, void *ud);
    void *log_ud;
};

static cxm_rc writer_runner(void *ud, cxm__tx_job fn, void *fn_ud)
{
    return cxm__writer_run(ud, fn, fn_ud);
}

static cxm_rc say_firing(const struct cxm_alert_firing *f, void *ud)
{
    const struct cxm__sender *s = ud;
    char *text = NULL, line[1024];
    cxm_rc rc = cxm_alert_firing_text(f, &text);

    if (!rc && s->opts.log) {
        snprintf(line, sizeof(line), "alert: %s", text);
        s->opts.log(line, s->opts.ud);
    }
    cxm_free(text);
    return rc;
}

/* The schedule of alert rules (docs/alerts.md): the last complete window
 * before now, evaluated on a read connection, the firings and their
 * mail's outbox rows recorded by the writer (the round's pump then sends
 * them). Only with read connections (a file store): without, the one
 * connection is the writer's. */
static void check_alerts(struct cxm__sender *s, int64_t now)
{
    struct cxm__http_ctx *ctx = s->ctx;
    struct cxm_alert_check_opts o;
    cxm_store *rst;
    cxm_rc rc;

    if (ctx->n_readers == 0)
        return;
    memset(&o, 0, sizeof(o));
    o.size = sizeof(o);
    o.at_ms = o.now_ms = now;
    o.email = cxm__send_override(&s->opts, "alerts.email");
    rst = cxm__read_begin(ctx);
    rc = cxm__alert_check_via(rst, &o, writer_runner, ctx->writer,
                              say_firing, s, NULL);
    cxm__read_end(ctx, rst);
    if (rc && rc != CXM_ENOTBUILT && s->opts.log)
        s->opts.log(rc == CXM_EINPUT
                        ? "alert: alerts.email from the environment is not "
                          "a list of addresses; the rules were not checked"
                        : "alert: checking the rules failed; the next round "
                          "tries again",
                    s->opts.ud);
}

/* One round: the settings (as they are now), new moments when due, the
 * alert rules when due, and every message due. */
static void round_once(struct cxm__sender *s, int64_t *last_trigger,
                       int64_t *last_alert)
{
    struct cxm__http_ctx *ctx = s->ctx;
    struct cxm__send_cfg cfg;
    struct cxm_send_counts c;
    int64_t now = cxm__now_ms();
    cxm_rc rc;

    memset(&c, 0, sizeof(c));
    pthread_mutex_lock(&ctx->lock);
    rc = cxm__send_cfg_load(ctx->st, &s->opts, ctx->public_url, &cfg);
    pthread_mutex_unlock(&ctx->lock);
    if (rc)
        return;
    if (now - *last_trigger >= TRIGGER_EVERY_MS) {
        struct cxm__trigger_job t = {&cfg, now, &c};
        *last_trigger = now;
        rc = cxm__writer_run(ctx->writer, cxm__trigger_job_run, &t);
    }
    if (!rc && now - *last_alert >= ALERT_EVERY_MS) {
        *last_alert = now;
        check_alerts(s, now);
    }
    if (!rc)
        rc = cxm__outbox_pump(ctx->st, &cfg, 0, writer_runner, ctx->writer,
                              &s->stop, &c);
    if (rc && cfg.log)
        cfg.log("outbox: the sender will try again", cfg.ud);
    cxm__send_cfg_release(&cfg);
}

static void *sender_main(void *arg)
{
    struct cxm__sender *s = arg;
    int64_t last_trigger = 0, last_alert = 0;

    while (!s->stop) {
        struct timespec until;
        round_once(s, &last_trigger, &last_alert);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)SEND_POLL_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_mutex_lock(&s->m);
        if (!s->stop)
            pthread_cond_timedwait(&s->wake, &s->m, &until);
        pthread_mutex_unlock(&s->m);
    }
    return NULL;
}

cxm_rc cxm__sender_start(struct cxm__http_ctx *ctx,
                         const struct cxm_send_opts *o,
                         struct cxm__sender **out)
{
    struct cxm__sender *s;

    *out = NULL;
    if (!o || o->size < sizeof(*o))
        return CXM_EINVAL;
    s = cxm__calloc(1, sizeof(*s));
    if (!s)
        return CXM_ENOMEM;
    s->ctx = ctx;
    s->opts = *o;
    s->opts.now = 0; /* the clock, always */
    pthread_mutex_init(&s->m, NULL);
    pthread_cond_init(&s->wake, NULL);
    if (pthread_create(&s->thread, NULL, sender_main, s) != 0) {
        pthread_mutex_destroy(&s->m);
        pthread_cond_destroy(&s->wake);
        cxm__free(s);
        return CXM_ENOMEM;
    }
    *out = s;
    return CXM_OK;
}

void cxm__sender_stop(struct cxm__sender *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->m);
    s->stop = 1; /* the message in hand is finished first */
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->m);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->m);
    pthread_cond_destroy(&s->wake);
    cxm__free(s);
}

/* ---- Tickets as triggers: POST /api/v1/tickets, the helpdesk webhooks.
 */

/* What a request that stores tickets hears of the trigger pass: the
 * decisions on its own tickets. */
struct decisions {
    const struct cxm__send_cfg *cfg;
    int64_t now;
    struct cxm__kvrow *rows;
    size_t n;
    json_t *list; /* owned */
};

static bool posted(const struct decisions *d, const char *ticket_id)
{
    for (size_t i = 0; i < d->n; i++) {
        for (size_t k = 0; k < d->rows[i].n; k++) {
            const char *name = d->rows[i].names[k];
            if (cxm__eq_nocase(name, strlen(name), "ticket_id") &&
                strcmp(d->rows[i].values[k], ticket_id) == 0)
                return true;
        }
    }
    return false;
}

static cxm_rc on_decision(const char *ticket_id, const char *status,
                          const char *reason, const char *invitation_id,
                          const char *token, void *ud)
{
    struct decisions *d = ud;
    json_t *o;

    if (!posted(d, ticket_id))
        return CXM_OK;
    o = json_pack("{ssss}", "ticket_id", ticket_id, "status", status);
    if (!o)
        return CXM_ENOMEM;
    if (reason)
        json_object_set_new(o, "reason", json_string(reason));
    if (invitation_id)
        json_object_set_new(o, "invitation_id", json_string(invitation_id));
    if (token) {
        char link[512];
        snprintf(link, sizeof(link), "%s/s/%s", d->cfg->public_url, token);
        json_object_set_new(o, "link", json_string(link));
    }
    return json_array_append_new(d->list, o) ? CXM_ENOMEM : CXM_OK;
}

static cxm_rc decide_after(cxm_store *st, struct cxm__kvrow *rows, size_t n,
                           void *ud)
{
    struct decisions *d = ud;
    struct cxm_send_counts c;

    memset(&c, 0, sizeof(c));
    d->rows = rows;
    d->n = n;
    return cxm__send_trigger_tx(st, d->cfg, d->now, true, on_decision, d,
                                &c);
}

static int decisions_reply(json_t *obj, void *ud)
{
    struct decisions *d = ud;

    return json_object_set(obj, "invitations", d->list);
}

/* The settings of sending as the server has them now. */
static cxm_rc load_cfg(struct cxm__http_req *req, struct cxm__send_cfg *cfg)
{
    cxm_rc rc;

    pthread_mutex_lock(&req->ctx->lock);
    rc = cxm__send_cfg_load(req->ctx->st, req->ctx->send,
                            req->ctx->public_url, cfg);
    pthread_mutex_unlock(&req->ctx->lock);
    return rc;
}

int cxm__http_api_tickets(struct cxm__http_req *req,
                          struct cxm__http_resp *resp)
{
    struct cxm__send_cfg cfg;
    struct decisions d;
    struct cxm__rows_hook hook = {decide_after, decisions_reply, &d};
    int status;

    if (load_cfg(req, &cfg))
        return cxm__http_json_error(resp, 503, "the store failed");
    memset(&d, 0, sizeof(d));
    d.cfg = &cfg;
    d.now = req->now;
    d.list = json_array();
    status = d.list ? cxm__http_post_rows(req, resp, CXM_KIND_TICKETS, &hook)
                    : cxm__http_json_error(resp, 500, "out of memory");
    json_decref(d.list);
    cxm__send_cfg_release(&cfg);
    return status;
}

/* Whether the request carries the shared secret: Zendesk's signature
 * (X-Zendesk-Webhook-Signature: base64 of HMAC-SHA256(secret, timestamp
 * + body)), or the secret itself in X-Cxmeter-Secret. Both compared in
 * constant time. */
static bool signed_by(const struct cxm__http_req *req, const char *secret)
{
    const char *sig = req->header(req, "X-Zendesk-Webhook-Signature");
    const char *ts = req->header(req, "X-Zendesk-Webhook-Signature-Timestamp");
    const char *given = req->header(req, "X-Cxmeter-Secret");
    unsigned char a[crypto_generichash_BYTES], b[crypto_generichash_BYTES];

    if (sodium_init() < 0)
        return false;
    if (*sig && *ts) {
        crypto_auth_hmacsha256_state h;
        unsigned char mac[crypto_auth_hmacsha256_BYTES];
        char want[sodium_base64_ENCODED_LEN(
            crypto_auth_hmacsha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
        crypto_auth_hmacsha256_init(&h, (const unsigned char *)secret,
                                    strlen(secret));
        crypto_auth_hmacsha256_update(&h, (const unsigned char *)ts,
                                      strlen(ts));
        crypto_auth_hmacsha256_update(&h, (const unsigned char *)req->body,
                                      req->body_len);
        crypto_auth_hmacsha256_final(&h, mac);
        sodium_bin2base64(want, sizeof(want), mac, sizeof(mac),
                          sodium_base64_VARIANT_ORIGINAL);
        given = sig;
        crypto_generichash(a, sizeof(a), (const unsigned char *)want,
                           strlen(want), NULL, 0);
    } else
        crypto_generichash(a, sizeof(a), (const unsigned char *)secret,
                           strlen(secret), NULL, 0);
    if (!*given)
        return false;
    /* digests of equal length: the comparison takes the same time
     * whatever the lengths and contents */
    crypto_generichash(b, sizeof(b), (const unsigned char *)given,
                       strlen(given), NULL, 0);
    return sodium_memcmp(a, b, sizeof(a)) == 0;
}

/* The shared secret of a hook: 0, or the status of the reply made (403:
 * webhooks off, 401: not signed with it). */
static int hook_gate(struct cxm__http_req *req, struct cxm__http_resp *resp,
                     const struct cxm__send_cfg *cfg)
{
    if (!*cfg->hooks_secret)
        return cxm__http_json_error(resp, 403, "webhooks are off (set "
                                               "hooks.secret)");
    if (!signed_by(req, cfg->hooks_secret))
        return cxm__http_json_error(resp, 401, "the shared secret does "
                                               "not match");
    return 0;
}

struct hook_job {
    struct cxm__kvrow *row;
    struct cxm__window win;
    struct cxm__row_error err;
    struct decisions *d;
};

static cxm_rc hook_job_run(cxm_store *st, void *ud)
{
    struct hook_job *j = ud;
    cxm_rc rc = cxm__rows_put(st, CXM_KIND_TICKETS, j->row, 1, &j->win,
                              &j->err);

    return rc ? rc : decide_after(st, j->row, 1, j->d);
}

static int helpdesk_hook(struct cxm__http_req *req,
                         struct cxm__http_resp *resp,
                         enum cxm__helpdesk_hook vendor)
{
    struct cxm__send_cfg cfg;
    struct cxm__kvrow row;
    struct decisions d;
    struct hook_job j;
    char why[400];
    int status;
    cxm_rc rc;

    if (load_cfg(req, &cfg))
        return cxm__http_json_error(resp, 503, "the store failed");
    memset(&d, 0, sizeof(d));
    memset(&j, 0, sizeof(j));
    memset(&row, 0, sizeof(row));
    status = hook_gate(req, resp, &cfg);
    if (status)
        goto out;
    rc = cxm__webhook_ticket(vendor, req->body, req->body_len, req->now,
                             &row, why, sizeof(why));
    if (rc) {
        status = rc == CXM_EINPUT ? cxm__http_json_error(resp, 400, why)
                                  : cxm__http_json_error(resp, 500,
                                                         "out of memory");
        goto out;
    }
    d.cfg = &cfg;
    d.now = req->now;
    d.list = json_array();
    j.row = &row;
    j.d = &d;
    pthread_mutex_lock(&req->ctx->lock);
    rc = cxm__store_window(req->ctx->st, &j.win);
    pthread_mutex_unlock(&req->ctx->lock);
    if (!rc)
        rc = d.list ? cxm__writer_run(req->ctx->writer, hook_job_run, &j)
                    : CXM_ENOMEM;
    if (rc == CXM_EINPUT) {
        snprintf(why, sizeof(why), "%s: %s", j.err.field, j.err.reason);
        status = cxm__http_json_error(resp, 400, why);
    } else if (rc)
        status = cxm__http_json_error(resp, 503, "the store failed");
    else
        status = cxm__http_json_reply(
            resp, 200,
            json_pack("{sisO}", "stored", 1, "invitations", d.list));
out:
    json_decref(d.list);
    cxm__kvrow_release(&row);
    cxm__send_cfg_release(&cfg);
    return status;
}

int cxm__http_hook_zendesk(struct cxm__http_req *req,
                           struct cxm__http_resp *resp)
{
    return helpdesk_hook(req, resp, CXM__HOOK_ZENDESK);
}

int cxm__http_hook_freshdesk(struct cxm__http_req *req,
                             struct cxm__http_resp *resp)
{
    return helpdesk_hook(req, resp, CXM__HOOK_FRESHDESK);
}

/* ---- Bounces reported after the hand-over. */

struct bounce_job {
    const char *message_id, *recipient, *reason;
};

static cxm_rc bounce_run(cxm_store *st, void *ud)
{
    struct bounce_job *j = ud;

    return cxm__send_bounce(st, j->message_id, j->recipient, j->reason);
}

/* A JSON string member of o, NULL when missing or empty; *bad when it is
 * there and not a string. */
static const char *member(json_t *o, const char *key, bool *bad)
{
    json_t *v = json_object_get(o, key);

    if (v && !json_is_string(v) && !json_is_null(v))
        *bad = true;
    return json_is_string(v) && *json_string_value(v) ? json_string_value(v)
                                                      : NULL;
}

int cxm__http_hook_bounce(struct cxm__http_req *req,
                          struct cxm__http_resp *resp)
{
    struct cxm__send_cfg cfg;
    struct bounce_job j = {NULL, NULL, NULL};
    json_t *doc = NULL;
    bool bad = false;
    int status;
    cxm_rc rc;

    if (load_cfg(req, &cfg))
        return cxm__http_json_error(resp, 503, "the store failed");
    status = hook_gate(req, resp, &cfg);
    if (status)
        goto out;
    doc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(doc)) {
        j.message_id = member(doc, "message_id", &bad);
        j.recipient = member(doc, "recipient", &bad);
        j.reason = member(doc, "reason", &bad);
        if (json_is_integer(json_object_get(doc, "message_id")))
            bad = true; /* the Message-ID header's text, or the id's */
    }
    if (!json_is_object(doc) || bad || (!j.message_id && !j.recipient)) {
        status = cxm__http_json_error(
            resp, 400,
            "expected a JSON object with \"message_id\" (the Message-ID "
            "of the mail) or \"recipient\" (its address), and \"reason\"");
        goto out;
    }
    if (!j.reason)
        j.reason = "bounced (no reason given)";
    rc = cxm__writer_run(req->ctx->writer, bounce_run, &j);
    if (rc == CXM_ENOTFOUND)
        status = cxm__http_json_error(resp, 404, "no sent message matches");
    else if (rc)
        status = cxm__http_json_error(resp, 503, "the store failed");
    else
        status = cxm__http_json_reply(resp, 200,
                                      json_pack("{si}", "bounced", 1));
out:
    json_decref(doc);
    cxm__send_cfg_release(&cfg);
    return status;
}
