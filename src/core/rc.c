/* SPDX-License-Identifier: MIT
 *
 * rc.c — status-code messages and the library version, both generated from
 * the lists in the public headers.
 */
#include "internal.h"

const char *cxm_strerror(cxm_rc rc)
{
    switch (rc) {
#define CXM__RC_CASE(name, num, text)                                      \
    case CXM_##name:                                                       \
        return text;
        CXM_RC_MAP(CXM__RC_CASE)
#undef CXM__RC_CASE
    }
    return "unknown error";
}

const char *cxm_version(void) { return CXM_VERSION; }
