/* SPDX-License-Identifier: MIT
 *
 * pipe.c — bounded queue of pointers between two threads (see pipe.h). A
 * ring buffer under one mutex; the waits are on condition variables, so a
 * thread with nothing to do sleeps instead of spinning.
 */
#include "internal.h"

#include "pipe.h"

cxm_rc cxm__pipe_init(struct cxm__pipe *p, size_t cap)
{
    CXM_ASSERT(cap > 0);
    p->items = cxm__calloc(cap, sizeof(*p->items));
    if (!p->items)
        return CXM_ENOMEM;
    if (pthread_mutex_init(&p->mu, NULL) != 0)
        goto fail_mutex;
    if (pthread_cond_init(&p->not_empty, NULL) != 0)
        goto fail_not_empty;
    if (pthread_cond_init(&p->not_full, NULL) != 0)
        goto fail_not_full;
    p->cap = cap;
    p->head = 0;
    p->n = 0;
    p->is_closed = false;
    return CXM_OK;

fail_not_full:
    pthread_cond_destroy(&p->not_empty);
fail_not_empty:
    pthread_mutex_destroy(&p->mu);
fail_mutex:
    cxm__free(p->items);
    p->items = NULL;
    return CXM_ENOMEM;
}

void cxm__pipe_release(struct cxm__pipe *p)
{
    if (!p || !p->items)
        return;
    pthread_cond_destroy(&p->not_full);
    pthread_cond_destroy(&p->not_empty);
    pthread_mutex_destroy(&p->mu);
    cxm__free(p->items);
    p->items = NULL;
}

cxm_rc cxm__pipe_push(struct cxm__pipe *p, void *item)
{
    cxm_rc rc = CXM_OK;

    pthread_mutex_lock(&p->mu);
    while (p->n == p->cap && !p->is_closed)
        pthread_cond_wait(&p->not_full, &p->mu);
    if (p->is_closed) {
        rc = CXM_ENOTFOUND;
    } else {
        p->items[(p->head + p->n) % p->cap] = item;
        p->n++;
        pthread_cond_signal(&p->not_empty);
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

cxm_rc cxm__pipe_pop(struct cxm__pipe *p, void **out)
{
    cxm_rc rc = CXM_OK;

    pthread_mutex_lock(&p->mu);
    while (p->n == 0 && !p->is_closed)
        pthread_cond_wait(&p->not_empty, &p->mu);
    if (p->is_closed) {
        rc = CXM_ENOTFOUND;
    } else {
        *out = p->items[p->head];
        p->head = (p->head + 1) % p->cap;
        p->n--;
        pthread_cond_signal(&p->not_full);
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void cxm__pipe_close(struct cxm__pipe *p)
{
    pthread_mutex_lock(&p->mu);
    p->is_closed = true;
    pthread_cond_broadcast(&p->not_empty);
    pthread_cond_broadcast(&p->not_full);
    pthread_mutex_unlock(&p->mu);
}
