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

#include "http_int.h"
#include "invite.h"
#include "send_int.h"

#define SEND_POLL_MS 1000     /* the outbox is looked at every second */
#define TRIGGER_EVERY_MS 15000 /* new moments decided every 15 s */

/* ---- Unsubscribe. */

static int plain_page(struct cxm__http_resp *resp, int status,
                      const char *title, const char *text, const char *form)
{
    struct cxm__buf *b = &resp->body;
    cxm_rc rc;

    cxm__buf_reset(b);
    resp->html = true;
    resp->content_type = "text/html; charset=utf-8";
    rc = cxm__html_raw(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
                          "charset=\"utf-8\"><meta name=\"viewport\" "
                          "content=\"width=device-width\"><title>");
    if (!rc)
        rc = cxm__html_str(b, title);
    if (!rc)
        rc = cxm__html_raw(b, "</title></head><body><main><h1>");
    if (!rc)
        rc = cxm__html_str(b, title);
    if (!rc)
        rc = cxm__html_raw(b, "</h1><p>");
    if (!rc)
        rc = cxm__html_str(b, text);
    if (!rc)
        rc = cxm__html_raw(b, "</p>");
    if (!rc && form)
        rc = cxm__html_raw(b, form);
    if (!rc)
        rc = cxm__html_raw(b, "</main></body></html>\n");
    return rc ? 500 : status;
}

int cxm__http_unsubscribe_get(struct cxm__http_req *req,
                              struct cxm__http_resp *resp)
{
    struct cxm__invite inv;
    cxm_rc rc;

    pthread_mutex_lock(&req->ctx->lock);
    rc = cxm__invite_load(req->ctx->st, req->tail, strlen(req->tail), &inv);
    pthread_mutex_unlock(&req->ctx->lock);
    if (rc == CXM_ENOTFOUND)
        return plain_page(resp, 404, "This link does not work",
                          "Please check that the whole link was copied.",
                          NULL);
    if (rc)
        return plain_page(resp, 503, "Please try again",
                          "The page cannot be shown just now.", NULL);
    cxm__invite_release(&inv);
    /* A mail scanner follows links: only the button unsubscribes. */
    return plain_page(resp, 200, "Unsubscribe",
                      "Stop all survey invitations to you?",
                      "<form method=\"post\"><button type=\"submit\" "
                      "name=\"List-Unsubscribe\" value=\"One-Click\">"
                      "Unsubscribe</button></form>");
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
    cxm_rc rc = cxm__writer_run(req->ctx->writer, unsub_run, &j);

    if (rc == CXM_ENOTFOUND)
        return plain_page(resp, 404, "This link does not work",
                          "Please check that the whole link was copied.",
                          NULL);
    if (rc)
        return plain_page(resp, 503, "Please try again",
                          "Your request could not be saved just now.",
                          NULL);
    return plain_page(resp, 200, "Unsubscribed",
                      "You will not receive survey invitations from us "
                      "again.",
                      NULL);
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

struct trigger_job {
    const struct cxm__send_cfg *cfg;
    int64_t now;
    struct cxm_send_counts *counts;
};

static cxm_rc trigger_run(cxm_store *st, void *ud)
{
    struct trigger_job *t = ud;

    return cxm__send_trigger_tx(st, t->cfg, t->now, t->counts);
}

/* One round: the settings (as they are now), new moments when due, and
 * every message due. */
static void round_once(struct cxm__sender *s, int64_t *last_trigger)
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
        struct trigger_job t = {&cfg, now, &c};
        *last_trigger = now;
        rc = cxm__writer_run(ctx->writer, trigger_run, &t);
    }
    if (!rc)
        rc = cxm__outbox_pump(ctx->st, &cfg, now, writer_runner, ctx->writer,
                              &s->stop, &c);
    if (rc && cfg.log)
        cfg.log("outbox: the sender will try again", cfg.ud);
    cxm__send_cfg_release(&cfg);
}

static void *sender_main(void *arg)
{
    struct cxm__sender *s = arg;
    int64_t last_trigger = 0;

    while (!s->stop) {
        struct timespec until;
        round_once(s, &last_trigger);
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
