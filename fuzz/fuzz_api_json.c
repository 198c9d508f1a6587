/* SPDX-License-Identifier: MIT
 *
 * fuzz_api_json.c — libFuzzer target for the JSON bodies of
 * POST /api/v1/responses (src/survey/rows.c): one object or an array of
 * records, each validated as a CSV row of responses. Each input is tried
 * as responses and as tickets. Checks: a body that parses gives as many
 * rows as records, at most CXM__API_MAX_ROWS; each error names a record
 * in range and a field of the kind (or "" for the whole record) and says
 * why; a record without an error validates again the same way.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_api_json: %s\n", what);
    abort();
}

static void one(cxm_kind kind, const uint8_t *data, size_t size)
{
    const struct cxm__kindspec *ks = cxm__kind_spec(kind);
    struct cxm__row_error errs[16];
    struct cxm__kvrow *rows = NULL;
    struct cxm__reject rej = {0, CXM__BUF_INIT(4096)};
    struct cxm__value vals[CXM__ROW_MAX_FIELDS];
    size_t n = 0, n_errs = 0;
    cxm_rc rc;

    rc = cxm__rows_from_json(kind, (const char *)data, size, NULL, &rows,
                             &n, errs, CXM_ARRAY_LEN(errs), &n_errs);
    if (rc == CXM_EINPUT) {
        if (n_errs != 1 || rows || n)
            fail("a body that is not JSON left rows or no reason");
        return;
    }
    if (rc == CXM_ETOOBIG || rc == CXM_ENOMEM)
        return;
    if (rc != CXM_OK)
        fail("unexpected status");
    if (n > CXM__API_MAX_ROWS || n_errs > n)
        fail("more errors than records");
    for (size_t e = 0; e < n_errs && e < CXM_ARRAY_LEN(errs); e++) {
        bool known = errs[e].field[0] == '\0';
        if (errs[e].index >= n || !errs[e].reason[0])
            fail("an error names no record or no reason");
        for (size_t j = 0; j < ks->n_cols && !known; j++)
            known = strcmp(ks->cols[j].name, errs[e].field) == 0;
        if (!known)
            fail("an error names a field the kind lacks");
    }
    for (size_t i = 0; i < n; i++) {
        bool bad = false;
        const char *field;
        for (size_t e = 0; e < n_errs && e < CXM_ARRAY_LEN(errs); e++)
            bad = bad || errs[e].index == i;
        if (!bad && n_errs <= CXM_ARRAY_LEN(errs) &&
            cxm__kvrow_validate(kind, &rows[i], NULL, vals, &field, &rej) !=
                CXM_OK)
        {
            fprintf(stderr, "%s: %s\n", field, rej.reason.data);
            fail("a record without an error does not validate");
        }
        cxm__kvrow_release(&rows[i]);
    }
    cxm__free(rows);
    cxm__buf_release(&rej.reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    one(CXM_KIND_RESPONSES, data, size);
    one(CXM_KIND_TICKETS, data, size);
    return 0;
}
