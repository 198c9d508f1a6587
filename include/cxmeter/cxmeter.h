/* SPDX-License-Identifier: MIT
 *
 * cxmeter.h — the public API of libcxmeter, umbrella header.
 *
 * If a function, type or constant is not declared in a header under
 * include/cxmeter/, it is not part of the published API of libcxmeter: it may
 * change or vanish without notice and must not be used by programs that link
 * the library.
 *
 * Conventions, for every header here:
 *   - fallible functions return cxm_rc; CXM_OK (0) is success, anything else
 *     an error whose text cxm_strerror() gives. Results come back through a
 *     final out-parameter, left untouched on failure unless said otherwise.
 *   - ownership is stated at each declaration; every destructor accepts NULL.
 *   - a struct the caller fills or hands in for the library to fill
 *     (struct cxm_report_query, struct cxm_figure) begins with `size`, set
 *     to its sizeof, so that fields can be added without breaking programs
 *     built with older headers.
 *   - the library never prints, exits, reads the environment or keeps
 *     mutable global state: all state lives in the handles the caller holds.
 */
#ifndef CXMETER_CXMETER_H
#define CXMETER_CXMETER_H

#include "cxmeter/alert.h"
#include "cxmeter/base.h"
#include "cxmeter/benchmark.h"
#include "cxmeter/comments.h"
#include "cxmeter/config.h"
#include "cxmeter/definitions.h"
#include "cxmeter/demo.h"
#include "cxmeter/import.h"
#include "cxmeter/metrics.h"
#include "cxmeter/report.h"
#include "cxmeter/serve.h"
#include "cxmeter/store.h"
#include "cxmeter/survey.h"
#include "cxmeter/timefmt.h"

#endif /* CXMETER_CXMETER_H */
