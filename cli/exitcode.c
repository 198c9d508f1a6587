/* SPDX-License-Identifier: MIT
 *
 * exitcode.c — the only place where library status codes become the exit
 * statuses of SPEC §4: 0 ok, 1 bad input, 2 usage error, 3 store error.
 * A few codes mean different things by what the command was doing (the
 * `cli_step`): "not found" is a usage error for a key typed on the command
 * line but bad input for a version or survey the store does not hold;
 * "too big" is bad input for a file but a usage error for a report
 * (narrow the period); whatever goes wrong opening the store, short of a
 * usage error, is a store error.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int cli_exit_at(cxm_rc rc, enum cli_step step)
{
    switch (rc) {
    case CXM_OK:
        return EXIT_OK_;
    case CXM_EINVAL:
    case CXM_EUSAGE:
    case CXM_ENOTBUILT:
    case CXM_ENOZONE:
        return EXIT_USAGE;
    case CXM_ESTORE:
    case CXM_ENOMEM:
        return EXIT_STORE;
    case CXM_ENOTFOUND:
        return step == CLI_OPENING ? EXIT_STORE
               : step == CLI_NAMING ? EXIT_USAGE
                                    : EXIT_INPUT;
    case CXM_ETOOBIG:
        return step == CLI_OPENING     ? EXIT_STORE
               : step == CLI_REPORTING ? EXIT_USAGE
                                       : EXIT_INPUT;
    case CXM_EINPUT:
    case CXM_EIO:
        return step == CLI_OPENING ? EXIT_STORE : EXIT_INPUT;
    }
    return EXIT_STORE;
}

int cli_exit_for(cxm_rc rc)
{
    return cli_exit_at(rc, CLI_READING);
}

int cli_stdout_status(int status)
{
    int failed = fflush(stdout) != 0 || ferror(stdout);
    int err = errno;

    if (!failed)
        return status;
    cli_error("", "cannot write to standard output: %s",
              err ? strerror(err) : "write error");
    return EXIT_STORE;
}
