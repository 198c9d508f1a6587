/* SPDX-License-Identifier: MIT
 *
 * exitcode.c — the only place where library status codes become the exit
 * statuses of SPEC §4: 0 ok, 1 bad input, 2 usage error, 3 store error.
 */
#include "cli.h"

int cli_exit_for(cxm_rc rc)
{
    switch (rc) {
    case CXM_OK:
        return EXIT_OK_;
    case CXM_EINPUT:
    case CXM_EIO:
    case CXM_ETOOBIG:
    case CXM_ENOTFOUND:
        return EXIT_INPUT;
    case CXM_EINVAL:
    case CXM_EUSAGE:
    case CXM_ENOTBUILT:
        return EXIT_USAGE;
    case CXM_ESTORE:
    case CXM_ENOMEM:
        return EXIT_STORE;
    }
    return EXIT_STORE;
}
