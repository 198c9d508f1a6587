/* SPDX-License-Identifier: MIT
 *
 * alert_store.c — the store's alert and comment hooks (struct
 * cxm__store_ops): each call goes to the engine, or fails with
 * CXM_ENOTBUILT and a message when the engine keeps none.
 */
#include "internal.h"

#include "store_int.h"

static cxm_rc not_built(cxm_store *st, const char *what)
{
    cxm__buf_reset(&st->errmsg);
    if (cxm__buf_addf(&st->errmsg, "the %s engine keeps no %s",
                      st->ops->name, what))
        cxm__buf_reset(&st->errmsg); /* benign, as set_error */
    return CXM_ENOTBUILT;
}

cxm_rc cxm__store_alert_rules(cxm_store *st, cxm__rule_row_fn fn, void *ud)
{
    if (!st->ops->alert_rules)
        return not_built(st, "alerts");
    return st->ops->alert_rules(st, fn, ud);
}

cxm_rc cxm__store_put_alert_rule(cxm_store *st, const struct cxm__rule_row *r,
                                 int64_t *id_out)
{
    if (!st->ops->put_alert_rule)
        return not_built(st, "alerts");
    return st->ops->put_alert_rule(st, r, id_out);
}

cxm_rc cxm__store_remove_alert_rule(cxm_store *st, int64_t id, int64_t at_ms)
{
    if (!st->ops->remove_alert_rule)
        return not_built(st, "alerts");
    return st->ops->remove_alert_rule(st, id, at_ms);
}

cxm_rc cxm__store_put_alert_firing(cxm_store *st,
                                   const struct cxm__firing_row *f,
                                   bool *added, int64_t *id_out)
{
    if (!st->ops->put_alert_firing)
        return not_built(st, "alerts");
    return st->ops->put_alert_firing(st, f, added, id_out);
}

cxm_rc cxm__store_alert_firings(cxm_store *st, int64_t rule_id,
                                cxm__firing_row_fn fn, void *ud)
{
    if (!st->ops->alert_firings)
        return not_built(st, "alerts");
    return st->ops->alert_firings(st, rule_id, fn, ud);
}

cxm_rc cxm__store_comments(cxm_store *st, const struct cxm_comment_query *q,
                           cxm_comment_fn fn, cxm__sub_text_fn text_fn,
                           void *ud)
{
    if (!st->ops->comments)
        return not_built(st, "comments");
    return st->ops->comments(st, q, fn, text_fn, ud);
}
