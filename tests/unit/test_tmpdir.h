/* SPDX-License-Identifier: MIT
 *
 * test_tmpdir.h — a fresh temporary directory for a unit test, under
 * $CXM_TEST_TMP (ctest sets it to the build tree's tmp/) or else /tmp.
 */
#ifndef CXM_TEST_TMPDIR_H
#define CXM_TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Makes <tmp>/<name>-XXXXXX into dir[0..cap); 0, or -1 on failure. */
static inline int test_mkdtemp(char *dir, size_t cap, const char *name)
{
    const char *tmp = getenv("CXM_TEST_TMP");

    if (!tmp || !*tmp)
        tmp = "/tmp";
    mkdir(tmp, 0700); /* may exist already */
    if ((size_t)snprintf(dir, cap, "%s/%s-XXXXXX", tmp, name) >= cap)
        return -1;
    return mkdtemp(dir) ? 0 : -1;
}

#endif /* CXM_TEST_TMPDIR_H */
