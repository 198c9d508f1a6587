/* SPDX-License-Identifier: MIT
 *
 * test_pipe.c — unit tests of src/core/pipe.c: order, the bound (a producer
 * thread waits for the consumer), and close waking a waiting thread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>

#include <cmocka.h>

#include "internal.h"
#include "pipe.h"

#define N_ITEMS 10000

static void test_pipe__items_come_out_in_order(void **state)
{
    struct cxm__pipe p;
    int v[5];
    void *out;

    (void)state;
    assert_int_equal(cxm__pipe_init(&p, 3), CXM_OK);
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 3; i++)
            assert_int_equal(cxm__pipe_push(&p, &v[i]), CXM_OK);
        for (int i = 0; i < 3; i++) {
            assert_int_equal(cxm__pipe_pop(&p, &out), CXM_OK);
            assert_ptr_equal(out, &v[i]);
        }
    }
    cxm__pipe_release(&p);
}

struct producer {
    struct cxm__pipe *p;
    uintptr_t n_pushed;
};

static void *produce(void *arg)
{
    struct producer *pr = arg;

    for (uintptr_t i = 1; i <= N_ITEMS; i++) {
        if (cxm__pipe_push(pr->p, (void *)i))
            break;
        pr->n_pushed = i;
    }
    return NULL;
}

/* A capacity of 2 for 10,000 items: the producer must wait for the
 * consumer again and again, and nothing is lost or reordered. */
static void test_pipe__producer_waits_when_full(void **state)
{
    struct cxm__pipe p;
    struct producer pr = {&p, 0};
    pthread_t t;
    void *out;

    (void)state;
    assert_int_equal(cxm__pipe_init(&p, 2), CXM_OK);
    assert_int_equal(pthread_create(&t, NULL, produce, &pr), 0);
    for (uintptr_t i = 1; i <= N_ITEMS; i++) {
        assert_int_equal(cxm__pipe_pop(&p, &out), CXM_OK);
        assert_true((uintptr_t)out == i);
    }
    pthread_join(t, NULL);
    assert_true(pr.n_pushed == N_ITEMS);
    cxm__pipe_release(&p);
}

static void *pop_one(void *arg)
{
    struct cxm__pipe *p = arg;
    void *out = NULL;

    return cxm__pipe_pop(p, &out) == CXM_ENOTFOUND ? p : NULL;
}

/* A consumer waiting on an empty pipe wakes with CXM_ENOTFOUND on close,
 * and a push after close is refused. */
static void test_pipe__close_wakes_a_waiting_thread(void **state)
{
    struct cxm__pipe p;
    pthread_t t;
    void *res = NULL;
    int v;

    (void)state;
    assert_int_equal(cxm__pipe_init(&p, 1), CXM_OK);
    assert_int_equal(pthread_create(&t, NULL, pop_one, &p), 0);
    cxm__pipe_close(&p);
    pthread_join(t, &res);
    assert_ptr_equal(res, &p);
    assert_int_equal(cxm__pipe_push(&p, &v), CXM_ENOTFOUND);
    cxm__pipe_release(&p);
}

/* A producer waiting on a full pipe wakes on close; its item stays its. */
static void test_pipe__close_wakes_a_waiting_producer(void **state)
{
    struct cxm__pipe p;
    struct producer pr = {&p, 0};
    pthread_t t;

    (void)state;
    assert_int_equal(cxm__pipe_init(&p, 1), CXM_OK);
    assert_int_equal(pthread_create(&t, NULL, produce, &pr), 0);
    cxm__pipe_close(&p);
    pthread_join(t, NULL);
    assert_true(pr.n_pushed <= 1);
    cxm__pipe_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipe__items_come_out_in_order),
        cmocka_unit_test(test_pipe__producer_waits_when_full),
        cmocka_unit_test(test_pipe__close_wakes_a_waiting_thread),
        cmocka_unit_test(test_pipe__close_wakes_a_waiting_producer),
    };
    return cmocka_run_group_tests_name("pipe", tests, NULL, NULL);
}
