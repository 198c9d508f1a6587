/* SPDX-License-Identifier: MIT
 *
 * webhook.c — a helpdesk's ticket event as a tickets record (SPEC §1),
 * for POST /hooks/zendesk and /hooks/freshdesk (docs/sending.md,
 * "Webhooks"). Only the translation is here: the record is validated
 * and stored as a CSV row would be (rows.c), and the trigger pass decides
 * the invitation. Fuzzed (fuzz/fuzz_webhook.c).
 *
 * Zendesk: an event webhook ({"type": "zen:event-type:ticket…",
 * "detail": {…}, "time": …}) or a trigger's JSON ({"ticket": {…}}); the
 * ticket's id, status, requester_id (else requester_email), assignee_id,
 * group_id (else group_name), via, created_at, solved_at / updated_at.
 * Freshdesk: an automation's JSON ({"freshdesk_webhook": {…}}, or the
 * object itself): ticket_id, ticket_status, ticket_contact_id (else
 * ticket_contact_email), ticket_agent_id (else ticket_agent_email),
 * ticket_group_name, ticket_source, ticket_created_at,
 * ticket_resolved_at / ticket_updated_at.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "invite.h"
#include "send_int.h"

#define MAX_VALUE 256

/* The first of `names` present in obj as a string or an integer, into
 * buf; NULL when none. */
static const char *field(json_t *obj, const char *const *names, char *buf,
                         size_t cap)
{
    for (; *names; names++) {
        json_t *v = json_object_get(obj, *names);
        if (json_is_string(v) && json_string_length(v) > 0 &&
            json_string_length(v) <= MAX_VALUE &&
            !memchr(json_string_value(v), '\0', json_string_length(v))) {
            snprintf(buf, cap, "%s", json_string_value(v));
            return buf;
        }
        if (json_is_integer(v)) {
            snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
            return buf;
        }
    }
    return NULL;
}

static bool solved(const char *status)
{
    static const char *const done[] = {"solved", "closed", "resolved", "4",
                                       "5"};

    for (size_t i = 0; status && i < CXM_ARRAY_LEN(done); i++) {
        if (cxm__eq_nocase(status, strlen(status), done[i]))
            return true;
    }
    return false;
}

struct names {
    const char *const *id, *const *status, *const *customer, *const *agent,
        *const *team, *const *channel, *const *created, *const *resolved;
};

static const char *const zd_id[] = {"id", "ticket_id", NULL};
static const char *const zd_status[] = {"status", NULL};
static const char *const zd_customer[] = {"requester_id", "requester_email",
                                          NULL};
static const char *const zd_agent[] = {"assignee_id", "assignee_email",
                                       NULL};
static const char *const zd_team[] = {"group_id", "group_name", NULL};
static const char *const zd_channel[] = {"via", "channel", NULL};
static const char *const zd_created[] = {"created_at", NULL};
static const char *const zd_resolved[] = {"solved_at", "updated_at", NULL};
static const char *const fd_id[] = {"ticket_id", "id", NULL};
static const char *const fd_status[] = {"ticket_status", "status", NULL};
static const char *const fd_customer[] = {"ticket_contact_id",
                                          "ticket_contact_email",
                                          "ticket_requester_email", NULL};
static const char *const fd_agent[] = {"ticket_agent_id",
                                       "ticket_agent_email", NULL};
static const char *const fd_team[] = {"ticket_group_name", NULL};
static const char *const fd_channel[] = {"ticket_source", NULL};
static const char *const fd_created[] = {"ticket_created_at", NULL};
static const char *const fd_resolved[] = {"ticket_resolved_at",
                                          "ticket_closed_at",
                                          "ticket_updated_at", NULL};

static const struct names vendor_names[] = {
    {zd_id, zd_status, zd_customer, zd_agent, zd_team, zd_channel,
     zd_created, zd_resolved},
    {fd_id, fd_status, fd_customer, fd_agent, fd_team, fd_channel,
     fd_created, fd_resolved},
};

static cxm_rc add(struct cxm__kvrow *row, const char *name, const char *v)
{
    return v ? cxm__kvrow_add(row, name, v, strlen(v)) : CXM_OK;
}

/* The ticket object of the event. */
static json_t *ticket_of(enum cxm__helpdesk_hook vendor, json_t *doc)
{
    json_t *t;

    if (!json_is_object(doc))
        return NULL;
    t = json_object_get(doc, vendor == CXM__HOOK_ZENDESK
                                 ? "detail"
                                 : "freshdesk_webhook");
    if (!json_is_object(t) && vendor == CXM__HOOK_ZENDESK)
        t = json_object_get(doc, "ticket");
    return json_is_object(t) ? t : doc;
}

cxm_rc cxm__webhook_ticket(enum cxm__helpdesk_hook vendor, const char *body,
                           size_t len, int64_t now, struct cxm__kvrow *row,
                           char *why, size_t cap)
{
    const struct names *n = &vendor_names[vendor];
    char id[MAX_VALUE + 1], status[MAX_VALUE + 1], cust[MAX_VALUE + 1];
    char agent[MAX_VALUE + 1], team[MAX_VALUE + 1], chan[MAX_VALUE + 1];
    char created[MAX_VALUE + 1], res[MAX_VALUE + 1], at[40];
    const char *v_id, *v_status, *v_created, *v_res;
    static const char *const time_names[] = {"time", NULL};
    json_error_t jerr;
    json_t *doc, *t;
    cxm_rc rc;

    memset(row, 0, sizeof(*row));
    doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    t = ticket_of(vendor, doc);
    if (!t) {
        snprintf(why, cap, "not a JSON object");
        json_decref(doc);
        return CXM_EINPUT;
    }
    v_id = field(t, n->id, id, sizeof(id));
    v_status = field(t, n->status, status, sizeof(status));
    if (!v_id) {
        snprintf(why, cap, "no ticket id");
        json_decref(doc);
        return CXM_EINPUT;
    }
    cxm_time_format(now - now % 1000, at, sizeof(at));
    v_res = field(t, n->resolved, res, sizeof(res));
    if (!v_res)
        v_res = field(doc, time_names, res, sizeof(res));
    if (!v_res)
        v_res = at;
    v_created = field(t, n->created, created, sizeof(created));
    rc = add(row, "ticket_id", v_id);
    if (!rc)
        rc = add(row, "created_at", v_created ? v_created : v_res);
    if (!rc)
        rc = add(row, "status", v_status);
    if (!rc)
        rc = add(row, "customer_id", field(t, n->customer, cust,
                                           sizeof(cust)));
    if (!rc)
        rc = add(row, "agent_id", field(t, n->agent, agent, sizeof(agent)));
    if (!rc)
        rc = add(row, "team", field(t, n->team, team, sizeof(team)));
    if (!rc)
        rc = add(row, "channel", field(t, n->channel, chan, sizeof(chan)));
    if (!rc && solved(v_status))
        rc = add(row, "resolved_at", v_res);
    json_decref(doc);
    if (rc == CXM_ETOOBIG) {
        snprintf(why, cap, "too many fields");
        return CXM_EINPUT;
    }
    return rc;
}
