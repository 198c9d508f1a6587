/* SPDX-License-Identifier: MIT
 *
 * writer.c — the server's one writer, with group commit. A handler that
 * changes the store hands a job (a function to run inside a transaction)
 * to cxm__writer_run() and waits. The writer thread takes every job
 * waiting, runs them all in one transaction, each under its own
 * savepoint (a job that fails is rolled back alone and reports its
 * error), and commits once (synchronous=FULL): one fsync for the whole
 * batch. Only then does each job's handler go on to answer, so an
 * acknowledged answer is always committed. The handlers read through
 * connections of their own (readers.c), which see committed data only;
 * ctx->lock, held from BEGIN to COMMIT, matters only when there are none
 * and they share this connection.
 */
#include "internal.h"

#include <string.h>

#include "http_int.h"
#include "store_int.h"

struct job {
    cxm__tx_fn fn;
    void *ud;
    cxm_rc rc;
    bool done;
    bool quiet;  /* changes nothing a report reads (logins) */
    bool conflict; /* lost a conflict with another node: run again */
    struct job *next;
};

struct cxm__writer {
    struct cxm__http_ctx *ctx;
    pthread_mutex_t m;
    pthread_cond_t has_work, has_done;
    struct job *head, *tail;
    bool stop;
    pthread_t thread;
    uint64_t batches, jobs; /* statistics */
};

/* The rounds a job that lost a conflict with another node is run in
 * (each in a later transaction: the locks of its batch are gone). */
#define CONFLICT_ROUNDS 5

/* Runs the jobs of a batch in one transaction: all of them in round 0,
 * those that lost a conflict in the rounds after. Each job's rc is set;
 * *again: a job lost a conflict. */
static void run_round(struct cxm__writer *w, struct job *batch, int round,
                      bool *again)
{
    cxm_store *st = w->ctx->st;
    bool reports = false, counted;
    int64_t before, after;
    cxm_rc rc;

    *again = false;
    for (struct job *j = batch; j; j = j->next)
        reports |= !j->quiet && (round == 0 || j->conflict);
    pthread_mutex_lock(&w->ctx->lock);
    counted = cxm__store_changes(st, &before);
    rc = cxm__store_begin(st);
    for (struct job *j = batch; j; j = j->next) {
        if (round > 0 && !j->conflict)
            continue;
        j->conflict = false;
        if (rc) {
            j->rc = rc;
            continue;
        }
        rc = cxm__store_savepoint(st, CXM__SP_BEGIN);
        if (rc) {
            j->rc = rc;
            continue;
        }
        st->conflict = false;
        j->rc = j->fn(st, j->ud);
        if (j->rc) {
            /* A deadlock with another node: rolled back alone here, run
             * again once this batch has committed and let go. */
            j->conflict = st->conflict && round + 1 < CONFLICT_ROUNDS;
            rc = cxm__store_savepoint(st, CXM__SP_ROLLBACK);
        }
        if (!rc)
            rc = cxm__store_savepoint(st, CXM__SP_RELEASE);
        if (rc && !j->rc)
            j->rc = rc;
    }
    if (!rc)
        rc = cxm__store_commit(st);
    /* A batch that changed no row (counted over its savepoints, rolled
     * back or not: more, never fewer) leaves the cached reports valid. */
    if (!rc && reports && counted && cxm__store_changes(st, &after) &&
        after == before)
        reports = false;
    if (!rc && reports)
        w->ctx->generation++; /* the dashboard's cached reports are old */
    if (rc) {
        /* Nothing of the batch is stored: no job may report success. */
        cxm__store_rollback(st);
        for (struct job *j = batch; j; j = j->next) {
            j->conflict = false;
            if (!j->rc)
                j->rc = CXM_ESTORE;
        }
    }
    for (struct job *j = batch; j; j = j->next)
        *again |= j->conflict;
    pthread_mutex_unlock(&w->ctx->lock);
}

/* Runs one batch (run_round), again for the jobs that lost a conflict. */
static void run_batch(struct cxm__writer *w, struct job *batch)
{
    bool again = false;

    for (struct job *j = batch; j; j = j->next)
        j->conflict = false;
    for (int round = 0; round == 0 || again; round++)
        run_round(w, batch, round, &again);
}

static void *writer_main(void *arg)
{
    struct cxm__writer *w = arg;

    pthread_mutex_lock(&w->m);
    for (;;) {
        struct job *batch, *next;
        while (!w->head && !w->stop)
            pthread_cond_wait(&w->has_work, &w->m);
        if (!w->head)
            break; /* stopping, and nothing waits */
        batch = w->head;
        w->head = w->tail = NULL;
        pthread_mutex_unlock(&w->m);
        run_batch(w, batch);
        atomic_fetch_add(&w->ctx->commits, 1u);
        pthread_mutex_lock(&w->m);
        w->batches++;
        for (struct job *j = batch; j; j = next) {
            next = j->next; /* j lives on its handler's stack */
            w->jobs++;
            j->done = true;
        }
        pthread_cond_broadcast(&w->has_done);
    }
    pthread_mutex_unlock(&w->m);
    return NULL;
}

cxm_rc cxm__writer_start(struct cxm__http_ctx *ctx, struct cxm__writer **out)
{
    struct cxm__writer *w = cxm__calloc(1, sizeof(*w));

    if (!w)
        return CXM_ENOMEM;
    w->ctx = ctx;
    pthread_mutex_init(&w->m, NULL);
    pthread_cond_init(&w->has_work, NULL);
    pthread_cond_init(&w->has_done, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        pthread_mutex_destroy(&w->m);
        pthread_cond_destroy(&w->has_work);
        pthread_cond_destroy(&w->has_done);
        cxm__free(w);
        return CXM_ENOMEM;
    }
    *out = w;
    return CXM_OK;
}

void cxm__writer_stop(struct cxm__writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->m);
    w->stop = true; /* the jobs waiting still run */
    pthread_cond_signal(&w->has_work);
    pthread_mutex_unlock(&w->m);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->m);
    pthread_cond_destroy(&w->has_work);
    pthread_cond_destroy(&w->has_done);
    cxm__free(w);
}

static cxm_rc writer_run(struct cxm__writer *w, cxm__tx_fn fn, void *ud,
                         bool quiet)
{
    struct job j;

    memset(&j, 0, sizeof(j));
    j.fn = fn;
    j.ud = ud;
    j.quiet = quiet;
    pthread_mutex_lock(&w->m);
    if (w->stop) {
        pthread_mutex_unlock(&w->m);
        return CXM_ESTORE;
    }
    if (w->tail)
        w->tail->next = &j;
    else
        w->head = &j;
    w->tail = &j;
    pthread_cond_signal(&w->has_work);
    while (!j.done)
        pthread_cond_wait(&w->has_done, &w->m);
    pthread_mutex_unlock(&w->m);
    return j.rc;
}

cxm_rc cxm__writer_run(struct cxm__writer *w, cxm__tx_fn fn, void *ud)
{
    return writer_run(w, fn, ud, false);
}

cxm_rc cxm__writer_run_quiet(struct cxm__writer *w, cxm__tx_fn fn, void *ud)
{
    return writer_run(w, fn, ud, true);
}

void cxm__writer_stats(struct cxm__writer *w, uint64_t *batches,
                       uint64_t *jobs)
{
    pthread_mutex_lock(&w->m);
    *batches = w->batches;
    *jobs = w->jobs;
    pthread_mutex_unlock(&w->m);
}
