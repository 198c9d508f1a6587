/* SPDX-License-Identifier: MIT
 *
 * base.h — what every public header needs: the export macro, the version,
 * status codes (cxm_rc) and cxm_free(). Included by each header; include
 * cxmeter/cxmeter.h rather than this file.
 */
#ifndef CXMETER_BASE_H
#define CXMETER_BASE_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#if defined(CXM_BUILDING)
#define CXM_API __declspec(dllexport)
#else
#define CXM_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define CXM_API __attribute__((visibility("default")))
#else
#define CXM_API
#endif

#if defined(__GNUC__)
#define CXM_MUST_USE __attribute__((warn_unused_result))
#else
#define CXM_MUST_USE
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Compile-time version; compare with cxm_version() at run time. */
#define CXM_VERSION "0.1.0"
#define CXM_VERSION_NUMBER 1000 /* major*1000000 + minor*1000 + patch */

/** The library's version string, equal to CXM_VERSION of the headers it was
 *  built with. Static; never NULL. */
CXM_API const char *cxm_version(void);

/* Status codes. Append only; never renumber or remove. */
#define CXM_RC_MAP(X)                                                      \
    X(OK, 0, "success")                                                    \
    X(ENOMEM, 1, "out of memory")                                          \
    X(EINVAL, 2, "invalid argument")                                       \
    X(EINPUT, 3, "input violates the data contract")                       \
    X(ESTORE, 4, "storage engine error")                                   \
    X(EIO, 5, "I/O error")                                                 \
    X(ETOOBIG, 6, "size limit exceeded")                                   \
    X(ENOTFOUND, 7, "not found")                                           \
    X(ENOTBUILT, 8, "feature not built in")                                \
    X(EUSAGE, 9, "request not applicable")                                 \
    X(ENOZONE, 10, "time zone not in the system tz database")

typedef enum cxm_rc {
#define CXM__RC_ENUM(name, num, text) CXM_##name = num,
    CXM_RC_MAP(CXM__RC_ENUM)
#undef CXM__RC_ENUM
} cxm_rc;

/** The message for `rc`. Static; never NULL, also for unknown codes. */
CXM_API const char *cxm_strerror(cxm_rc rc);

/** Frees memory the library handed over with "the caller frees the result
 *  with cxm_free()". NULL-safe. */
CXM_API void cxm_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_BASE_H */
