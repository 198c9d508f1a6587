/* SPDX-License-Identifier: MIT
 *
 * readers.c — the read connections of `cxmeter serve` (http_int.h). The
 * writer (writer.c) holds its connection from BEGIN to COMMIT, fsync
 * included; a handler that read through that same connection (to check
 * a bearer token, open a survey page, compute a report) waited for every
 * commit, and the answers that would have joined the next commit arrived
 * late: group commit took a few answers at a time. Each handler reads
 * through one of CXM_HTTP_READERS connections of its own instead; the
 * store is in WAL mode, so a reader sees the last committed transaction
 * and neither waits for the writer nor holds it up.
 *
 * SQLite checkpoints the WAL inside the commit that crosses 1000 pages:
 * that commit (and every answer waiting on it) also waits for the pages
 * copied into the database and its fsync, 50 ms and more on a busy disk.
 * The writer's connection turns that off; a checkpointer thread with a
 * connection of its own runs PASSIVE checkpoints (which never block the
 * writer) every CXM_HTTP_CHECKPOINT_MS after a commit.
 */
#include "internal.h"

#include <string.h>

#include "http_int.h"
#include "store_int.h"

#include <time.h>

static void *ckpt_main(void *arg)
{
    struct cxm__http_ctx *ctx = arg;
    unsigned seen = 0;

    pthread_mutex_lock(&ctx->ckpt_m);
    while (!ctx->ckpt_stop) {
        struct timespec ts;
        unsigned now = atomic_load(&ctx->commits);

        if (now != seen) {
            seen = now;
            pthread_mutex_unlock(&ctx->ckpt_m);
            /* Busy (a reader holds old frames) is no error: later. */
            (void)cxm__store_tune(ctx->ckpt, CXM__TUNE_CHECKPOINT_NOW);
            pthread_mutex_lock(&ctx->ckpt_m);
        }
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += CXM_HTTP_CHECKPOINT_MS * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&ctx->ckpt_wake, &ctx->ckpt_m, &ts);
    }
    pthread_mutex_unlock(&ctx->ckpt_m);
    return NULL;
}

/* Opens the checkpointer's connection and starts it. */
static void ckpt_start(struct cxm__http_ctx *ctx, const char *dsn)
{
    if (cxm_store_open_ex(dsn, CXM_OPEN_CREATE, &ctx->ckpt, NULL) != CXM_OK) {
        ctx->ckpt = NULL;
        return;
    }
    (void)cxm__store_tune(ctx->ckpt, CXM__TUNE_READER);
    pthread_mutex_init(&ctx->ckpt_m, NULL);
    pthread_cond_init(&ctx->ckpt_wake, NULL);
    ctx->ckpt_stop = false;
    if (cxm__store_tune(ctx->st, CXM__TUNE_WRITER_NO_CHECKPOINT) != CXM_OK ||
        pthread_create(&ctx->ckpt_thread, NULL, ckpt_main, ctx) != 0) {
        (void)cxm__store_tune(ctx->st, CXM__TUNE_WRITER_CHECKPOINT);
        pthread_mutex_destroy(&ctx->ckpt_m);
        pthread_cond_destroy(&ctx->ckpt_wake);
        cxm_store_close(ctx->ckpt);
        ctx->ckpt = NULL;
    }
}

static void ckpt_stop(struct cxm__http_ctx *ctx)
{
    if (!ctx->ckpt)
        return;
    pthread_mutex_lock(&ctx->ckpt_m);
    ctx->ckpt_stop = true;
    pthread_cond_signal(&ctx->ckpt_wake);
    pthread_mutex_unlock(&ctx->ckpt_m);
    pthread_join(ctx->ckpt_thread, NULL);
    (void)cxm__store_tune(ctx->ckpt, CXM__TUNE_CHECKPOINT_NOW);
    (void)cxm__store_tune(ctx->st, CXM__TUNE_WRITER_CHECKPOINT);
    pthread_mutex_destroy(&ctx->ckpt_m);
    pthread_cond_destroy(&ctx->ckpt_wake);
    cxm_store_close(ctx->ckpt);
    ctx->ckpt = NULL;
}

void cxm__readers_open(struct cxm__http_ctx *ctx, const char *dsn)
{
    ctx->n_readers = 0;
    if (!dsn || !*dsn || strstr(dsn, ":memory:"))
        return;
    for (unsigned i = 0; i < CXM_HTTP_READERS; i++) {
        struct cxm__http_reader *r = &ctx->readers[i];
        if (cxm_store_open_ex(dsn, CXM_OPEN_READ, &r->st, NULL) != CXM_OK)
            break;
        /* No memory map: a mapped connection drops and remaps the whole
         * file in the first read after another connection's commit
         * (munmap, a TLB shootdown on every core), and the handlers read
         * a few pages after nearly every commit. */
        (void)cxm__store_tune(r->st, CXM__TUNE_READER);
        pthread_mutex_init(&r->m, NULL);
        ctx->n_readers++;
    }
    if (ctx->n_readers < CXM_HTTP_READERS)
        cxm__readers_close(ctx); /* all or none: one way to read */
    else
        ckpt_start(ctx, dsn);
}

void cxm__readers_close(struct cxm__http_ctx *ctx)
{
    ckpt_stop(ctx);
    for (unsigned i = 0; i < ctx->n_readers; i++) {
        cxm_store_close(ctx->readers[i].st);
        pthread_mutex_destroy(&ctx->readers[i].m);
        ctx->readers[i].st = NULL;
    }
    ctx->n_readers = 0;
}

cxm_store *cxm__read_begin(struct cxm__http_ctx *ctx)
{
    unsigned n = ctx->n_readers, first;

    if (n == 0) {
        pthread_mutex_lock(&ctx->lock);
        return ctx->st;
    }
    /* A free connection, looking from the next in turn; else wait for
     * that one. */
    first = atomic_fetch_add_explicit(&ctx->next_reader, 1u,
                                      memory_order_relaxed) % n;
    for (unsigned k = 0; k < n; k++) {
        struct cxm__http_reader *r = &ctx->readers[(first + k) % n];
        if (pthread_mutex_trylock(&r->m) == 0)
            return r->st;
    }
    pthread_mutex_lock(&ctx->readers[first].m);
    return ctx->readers[first].st;
}

void cxm__read_end(struct cxm__http_ctx *ctx, cxm_store *st)
{
    if (st == ctx->st) {
        pthread_mutex_unlock(&ctx->lock);
        return;
    }
    for (unsigned i = 0; i < ctx->n_readers; i++) {
        if (ctx->readers[i].st == st) {
            pthread_mutex_unlock(&ctx->readers[i].m);
            return;
        }
    }
}
