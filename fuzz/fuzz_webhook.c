/* SPDX-License-Identifier: MIT
 *
 * fuzz_webhook.c — libFuzzer target for the helpdesk webhook bodies of
 * POST /hooks/zendesk and /hooks/freshdesk (src/send/webhook.c). Each
 * input is tried as both vendors. Checks: a body taken gives a record
 * with a ticket_id and a created_at, every value NUL-free and at most
 * 256 bytes, resolved_at only with a status; a body refused says why;
 * the record then validates as a tickets row or is refused with a field
 * and a reason, never anything else.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invite.h"
#include "send_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_webhook: %s\n", what);
    abort();
}

static const char *value_of(const struct cxm__kvrow *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->names[i], name) == 0)
            return r->values[i];
    }
    return NULL;
}

static void one(enum cxm__helpdesk_hook vendor, const uint8_t *data,
                size_t size)
{
    struct cxm__kvrow row;
    struct cxm__reject rej = {0, CXM__BUF_INIT(4096)};
    struct cxm__value vals[CXM__ROW_MAX_FIELDS];
    const char *field = NULL;
    char why[128] = "";
    cxm_rc rc = cxm__webhook_ticket(vendor, (const char *)data, size,
                                    INT64_C(1800000000000), &row, why,
                                    sizeof(why));

    if (rc == CXM_EINPUT) {
        if (!why[0])
            fail("a refused body without a reason");
    } else if (rc == CXM_OK) {
        if (!value_of(&row, "ticket_id") || !value_of(&row, "created_at"))
            fail("a record without ticket_id or created_at");
        if (value_of(&row, "resolved_at") && !value_of(&row, "status"))
            fail("resolved without a status");
        for (size_t i = 0; i < row.n; i++) {
            if (strlen(row.values[i]) != row.lens[i] || row.lens[i] > 256)
                fail("a value with a NUL or longer than 256 bytes");
        }
        rc = cxm__kvrow_validate(CXM_KIND_TICKETS, &row, NULL, vals, &field,
                                 &rej);
        if (rc == CXM_EINPUT && (!field || !rej.reason.len))
            fail("a refused record without a field and a reason");
        if (rc != CXM_OK && rc != CXM_EINPUT && rc != CXM_ENOMEM)
            fail("unexpected status of the validation");
    } else if (rc != CXM_ENOMEM)
        fail("unexpected status");
    cxm__kvrow_release(&row);
    cxm__buf_release(&rej.reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(CXM__HOOK_ZENDESK, data, size);
    one(CXM__HOOK_FRESHDESK, data, size);
    return 0;
}
