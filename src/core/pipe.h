/* SPDX-License-Identifier: MIT
 *
 * pipe.h — private: a bounded queue of pointers between two threads
 * (pipe.c), with a mutex and two condition variables. The import uses two
 * of them to hand batches from the parser thread to the writer and back.
 *
 * Invariants: at most `cap` items are queued; items come out in the order
 * they went in; once closed, a pipe stays closed.
 */
#ifndef CXM_PIPE_H
#define CXM_PIPE_H

#include "internal.h"

#include <pthread.h>

struct cxm__pipe {
    pthread_mutex_t mu;
    pthread_cond_t not_empty; /* signalled on push and on close */
    pthread_cond_t not_full;  /* signalled on pop and on close */
    void **items;             /* owned ring of `cap` slots */
    size_t cap;               /* most items queued at once */
    size_t head;              /* next slot to pop */
    size_t n;                 /* items queued */
    bool is_closed;
};

/* Initialises the caller-allocated `p` for at most `cap` (> 0) items.
 * Returns CXM_OK or CXM_ENOMEM (p then needs no release). */
CXM_MUST_USE cxm_rc cxm__pipe_init(struct cxm__pipe *p, size_t cap);

/* Frees what cxm__pipe_init() allocated. The items still queued are not
 * freed: the pipe only borrows them. No thread may be waiting on `p`. */
void cxm__pipe_release(struct cxm__pipe *p);

/* Queues `item`, waiting while the pipe is full. Returns CXM_OK, or
 * CXM_ENOTFOUND when the pipe is (or gets) closed: the item is then not
 * queued and stays the caller's. */
CXM_MUST_USE cxm_rc cxm__pipe_push(struct cxm__pipe *p, void *item);

/* Takes the oldest item into *out, waiting while the pipe is empty.
 * Returns CXM_OK, or CXM_ENOTFOUND when the pipe is closed (items still
 * queued then are not handed out; *out is untouched). */
CXM_MUST_USE cxm_rc cxm__pipe_pop(struct cxm__pipe *p, void **out);

/* Closes the pipe and wakes every waiter: a cancel, not an end of data
 * (the import sends its end as a last batch). */
void cxm__pipe_close(struct cxm__pipe *p);

#endif /* CXM_PIPE_H */
