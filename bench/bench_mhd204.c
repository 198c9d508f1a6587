/* SPDX-License-Identifier: MIT
 *
 * bench_mhd204.c — the baseline of bench/serve_bench.sh: GNU libmicrohttpd
 * set up as `cxmeter serve` sets it up (an internal polling thread, epoll,
 * a pool of worker threads, the same connection limits) answering every
 * request with an empty 204 and doing nothing else: no routing, no store,
 * no access log. What `cxmeter serve` achieves is set beside this, in the
 * same run on the same machine.
 * A program, not a test: it serves until SIGTERM or SIGINT.
 *
 * Usage: bench_mhd204 [PORT [THREADS]]   (on 127.0.0.1; PORT 0: a free
 *        one; 32 threads)
 * Prints "listening on port N" on stderr once it accepts connections.
 */
#include <microhttpd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT_T;
#else
typedef enum MHD_Result MHD_RESULT_T;
#endif

static MHD_RESULT_T on_request(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    struct MHD_Response *r;
    MHD_RESULT_T ret;
    static int mark;

    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload;
    if (*con_cls == NULL) { /* the head: wait for the body */
        *con_cls = &mark;
        return MHD_YES;
    }
    if (*upload_size) { /* a body: read and dropped */
        *upload_size = 0;
        return MHD_YES;
    }
    r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    ret = MHD_queue_response(c, 204, r);
    MHD_destroy_response(r);
    return ret;
}

int main(int argc, char **argv)
{
    unsigned port = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 0;
    unsigned threads = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 32;
    const union MHD_DaemonInfo *di;
    struct MHD_Daemon *d;
    struct sockaddr_in sa;
    sigset_t set;
    int sig;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC,
        0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads ? threads : 32,
        MHD_OPTION_CONNECTION_TIMEOUT, 10u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_CONNECTION_LIMIT, 1024u,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, 256u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench_mhd204: cannot listen on port %u\n", port);
        return 1;
    }
    di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "bench_mhd204: listening on port %u\n",
            di ? di->port : 0);
    fflush(stderr);
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    return 0;
}
