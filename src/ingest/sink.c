/* SPDX-License-Identifier: MIT
 *
 * sink.c — the end of an import, shared by every import pipeline
 * (sink.h).
 */
#include "internal.h"

#include "sink.h"

cxm_rc cxm__sink_finish(const struct cxm__sink *sink, cxm_rc rc,
                        unsigned kinds, struct cxm_import_result *res)
{
    if (rc)
        sink->rollback(sink->ctx);
    else
        rc = sink->end(sink->ctx, kinds, res->n_imported > 0);
    if (rc)
        res->n_imported = 0;
    return rc;
}
