/* SPDX-License-Identifier: MIT
 *
 * alert_format.c — a firing as JSON (pages, `alert check --format json`),
 * as one line of text (the CLI) and as an e-mail (subject and body, for
 * the mailer). Numbers are locale-free (cxm__buf_add_num).
 */
#include "internal.h"

#include <math.h>
#include <string.h>

#include "cxmeter/alert.h"
#include "cxmeter/timefmt.h"
#include "period.h"

/* A p-value or statistic with 4 significant digits: "0.0123",
 * "3.142e-07"; locale-free. */
static cxm_rc add_sig(struct cxm__buf *b, double v)
{
    double a = fabs(v), m;
    int e;
    cxm_rc rc;

    if (a == 0 || (a >= 1e-4 && a < 1e6))
        return cxm__buf_add_num(b, v, a >= 1 ? 4 : 4 - (int)floor(log10(a)));
    e = (int)floor(log10(a));
    m = v / pow(10, e);
    if (fabs(m) >= 9.9995) { /* rounds up to 10.000 */
        m /= 10;
        e++;
    }
    rc = cxm__buf_add_num(b, m, 3);
    return rc ? rc : cxm__buf_addf(b, "e%d", e);
}

static cxm_rc add_time(struct cxm__buf *b, int64_t ms, bool json)
{
    char t[40];

    cxm_time_format(ms, t, sizeof(t));
    return json ? cxm__json_safe_str(b, t) : cxm__buf_adds(b, t);
}

static const char *label(const struct cxm_alert_firing *f, char *dst,
                         size_t cap)
{
    cxm__bucket_label(f->window, f->from_ms, dst, cap);
    return dst;
}

/* "csat by team" or "csat" */
static cxm_rc add_subject_of(struct cxm__buf *b,
                             const struct cxm_alert_firing *f)
{
    cxm_rc rc = cxm__buf_adds(b, cxm_metric_name(f->metric));

    if (!rc && f->has_by)
        rc = cxm__buf_addf(b, " for %s %s", cxm_dim_name(f->by),
                           f->group);
    return rc;
}

/* One line: what happened, where, when, by how much, and the test. */
static cxm_rc add_line(struct cxm__buf *b, const struct cxm_alert_firing *f)
{
    char w[32];
    cxm_rc rc = add_subject_of(b, f);

    if (rc)
        return rc;
    if (f->has_prev) {
        rc = cxm__buf_addf(b, ": %s from ",
                           f->kind == CXM_ALERT_DROP ? "dropped" : "rose");
        if (!rc)
            rc = cxm__buf_add_num(b, f->prev_value, 1);
        if (!rc)
            rc = cxm__buf_addf(b, " (n %lld) to ", (long long)f->prev_n);
        if (!rc)
            rc = cxm__buf_add_num(b, f->value, 1);
        if (!rc)
            rc = cxm__buf_addf(b, " (n %lld) in %s; %s, %s = ",
                               (long long)f->n, label(f, w, sizeof(w)),
                               f->method,
                               strstr(f->method, "Welch") ? "z (of p)"
                                                          : "z");
        if (!rc)
            rc = add_sig(b, f->statistic);
        if (!rc)
            rc = cxm__buf_adds(b, ", p = ");
        if (!rc)
            rc = add_sig(b, f->p_value);
        if (!rc)
            rc = cxm__buf_adds(b, ", Holm-adjusted p = ");
        if (!rc)
            rc = add_sig(b, f->p_adjusted);
        if (!rc)
            rc = cxm__buf_addf(b, " over %lld group%s (alpha ",
                               (long long)f->tests, f->tests == 1 ? "" : "s");
        if (!rc)
            rc = add_sig(b, f->alpha);
        return rc ? rc : cxm__buf_addc(b, ')');
    }
    rc = cxm__buf_adds(b, ": ");
    if (!rc)
        rc = cxm__buf_add_num(b, f->value, 1);
    if (!rc)
        rc = cxm__buf_addf(b, " (n %lld) in %s, %s ", (long long)f->n,
                           label(f, w, sizeof(w)),
                           f->kind == CXM_ALERT_ABOVE ? "above" : "below");
    if (!rc)
        rc = cxm__buf_add_num(b, f->threshold, 4);
    return rc;
}

static cxm_rc take(struct cxm__buf *b, cxm_rc rc, char **out)
{
    if (rc) {
        cxm__buf_release(b);
        return rc;
    }
    *out = cxm__buf_take(b, NULL);
    return *out ? CXM_OK : CXM_ENOMEM;
}

cxm_rc cxm_alert_firing_text(const struct cxm_alert_firing *f, char **out)
{
    struct cxm__buf b = CXM__BUF_INIT(1u << 16);

    if (!f || !out)
        return CXM_EINVAL;
    *out = NULL;
    return take(&b, add_line(&b, f), out);
}

static cxm_rc json_num(struct cxm__buf *b, const char *key, bool has,
                       double v)
{
    cxm_rc rc = cxm__buf_addf(b, ", \"%s\": ", key);

    if (rc)
        return rc;
    if (!has || !isfinite(v))
        return cxm__buf_adds(b, "null");
    return add_sig(b, v);
}

cxm_rc cxm_alert_firing_json(const struct cxm_alert_firing *f, char **out)
{
    struct cxm__buf b = CXM__BUF_INIT(1u << 16), line = CXM__BUF_INIT(1u << 16);
    char w[32];
    cxm_rc rc;

    if (!f || !out)
        return CXM_EINVAL;
    *out = NULL;
    rc = cxm__buf_addf(&b, "{\"id\": %lld, \"rule\": %lld, \"kind\": \"%s\","
                           " \"metric\": \"%s\", \"by\": ",
                       (long long)f->id, (long long)f->rule_id,
                       cxm_alert_kind_name(f->kind),
                       cxm_metric_name(f->metric));
    if (!rc)
        rc = f->has_by ? cxm__buf_addf(&b, "\"%s\"", cxm_dim_name(f->by))
                       : cxm__buf_adds(&b, "null");
    if (!rc)
        rc = cxm__buf_adds(&b, ", \"group\": ");
    if (!rc)
        rc = cxm__json_safe_str(&b, f->group ? f->group : "");
    if (!rc)
        rc = cxm__buf_addf(&b, ", \"window\": \"%s\", \"period\": \"%s\","
                               " \"from\": ",
                           cxm_dim_name(f->window), label(f, w, sizeof(w)));
    if (!rc)
        rc = add_time(&b, f->from_ms, true);
    if (!rc)
        rc = cxm__buf_adds(&b, ", \"to\": ");
    if (!rc)
        rc = add_time(&b, f->to_ms, true);
    if (!rc)
        rc = cxm__buf_adds(&b, ", \"prev_from\": ");
    if (!rc)
        rc = f->has_prev ? add_time(&b, f->prev_from_ms, true)
                         : cxm__buf_adds(&b, "null");
    if (!rc)
        rc = json_num(&b, "value", true, f->value);
    if (!rc)
        rc = cxm__buf_addf(&b, ", \"n\": %lld", (long long)f->n);
    if (!rc)
        rc = json_num(&b, "prev_value", f->has_prev, f->prev_value);
    if (!rc)
        rc = f->has_prev
                 ? cxm__buf_addf(&b, ", \"prev_n\": %lld",
                                 (long long)f->prev_n)
                 : cxm__buf_adds(&b, ", \"prev_n\": null");
    if (!rc)
        rc = json_num(&b, "change", f->has_prev, f->change);
    if (!rc)
        rc = json_num(&b, "threshold", !f->has_prev, f->threshold);
    if (!rc)
        rc = cxm__buf_adds(&b, ", \"method\": ");
    if (!rc)
        rc = cxm__json_safe_str(&b, f->method ? f->method : "");
    if (!rc)
        rc = json_num(&b, "statistic", f->has_test, f->statistic);
    if (!rc)
        rc = json_num(&b, "p_value", f->has_test, f->p_value);
    if (!rc)
        rc = json_num(&b, "p_adjusted", f->has_test, f->p_adjusted);
    if (!rc)
        rc = f->has_test ? cxm__buf_addf(&b, ", \"tests\": %lld",
                                         (long long)f->tests)
                         : cxm__buf_adds(&b, ", \"tests\": null");
    if (!rc)
        rc = json_num(&b, "alpha", f->has_test, f->alpha);
    if (!rc)
        rc = cxm__buf_adds(&b, ", \"fired_at\": ");
    if (!rc)
        rc = f->fired_at ? add_time(&b, f->fired_at, true)
                         : cxm__buf_adds(&b, "null");
    if (!rc)
        rc = add_line(&line, f);
    if (!rc)
        rc = cxm__buf_adds(&b, ", \"text\": ");
    if (!rc)
        rc = cxm__json_safe_str(&b, line.data ? line.data : "");
    if (!rc)
        rc = cxm__buf_addc(&b, '}');
    cxm__buf_release(&line);
    return take(&b, rc, out);
}

cxm_rc cxm_alert_mail(const struct cxm_alert_firing *f, char **subject,
                      char **body)
{
    return cxm_alert_mail_url(f, NULL, subject, body);
}

cxm_rc cxm_alert_mail_url(const struct cxm_alert_firing *f,
                          const char *base_url, char **subject, char **body)
{
    struct cxm__buf s = CXM__BUF_INIT(4096), b = CXM__BUF_INIT(1u << 16);
    char w[32];
    cxm_rc rc;

    if (!f || !subject || !body)
        return CXM_EINVAL;
    *subject = *body = NULL;
    rc = cxm__buf_adds(&s, "[cxmeter] ");
    if (!rc)
        rc = add_subject_of(&s, f);
    if (!rc)
        rc = cxm__buf_addf(&s, " %s in %s: ",
                           f->kind == CXM_ALERT_DROP   ? "dropped"
                           : f->kind == CXM_ALERT_RISE ? "rose"
                           : f->kind == CXM_ALERT_ABOVE ? "is above"
                                                        : "is below",
                           label(f, w, sizeof(w)));
    if (!rc && f->has_prev) {
        rc = cxm__buf_add_num(&s, f->prev_value, 1);
        if (!rc)
            rc = cxm__buf_adds(&s, " -> ");
    }
    if (!rc)
        rc = cxm__buf_add_num(&s, f->value, 1);
    if (!rc && !f->has_prev) {
        rc = cxm__buf_adds(&s, " (threshold ");
        if (!rc)
            rc = cxm__buf_add_num(&s, f->threshold, 4);
        if (!rc)
            rc = cxm__buf_addc(&s, ')');
    }
    /* Header lines must not carry a line end from a group's name. */
    for (size_t i = 0; !rc && i < s.len; i++) {
        if (s.data[i] == '\r' || s.data[i] == '\n')
            s.data[i] = ' ';
    }
    if (!rc)
        rc = add_line(&b, f);
    if (!rc)
        rc = cxm__buf_addf(&b, "\n\nRule %lld (%s", (long long)f->rule_id,
                           cxm_alert_kind_name(f->kind));
    if (!rc)
        rc = cxm__buf_addf(&b, ", %s%s%s, %s windows).\nWindow: ",
                           cxm_metric_name(f->metric),
                           f->has_by ? " of each " : "",
                           f->has_by ? cxm_dim_name(f->by) : "",
                           cxm_dim_name(f->window));
    if (!rc)
        rc = add_time(&b, f->from_ms, false);
    if (!rc)
        rc = cxm__buf_adds(&b, " to ");
    if (!rc)
        rc = add_time(&b, f->to_ms, false);
    if (!rc && f->has_prev) {
        rc = cxm__buf_adds(&b, " (UTC), against ");
        if (!rc)
            rc = add_time(&b, f->prev_from_ms, false);
        if (!rc)
            rc = cxm__buf_adds(&b, " to ");
        if (!rc)
            rc = add_time(&b, f->from_ms, false);
        if (!rc)
            rc = cxm__buf_addf(
                &b, ".\nTest: %s, two-sided; the p-values of the %lld "
                    "group%s tested were adjusted by Holm's method and the "
                    "alert fires when the adjusted p is below alpha and "
                    "each side has enough answers.\n",
                f->method, (long long)f->tests, f->tests == 1 ? "" : "s");
    } else if (!rc) {
        rc = cxm__buf_adds(&b, " (UTC).\n");
    }
    if (!rc)
        rc = cxm__buf_addf(&b, "See: cxmeter report --metrics %s%s%s "
                               "--from ",
                           cxm_metric_name(f->metric),
                           f->has_by ? " --by " : "",
                           f->has_by ? cxm_dim_name(f->by) : "");
    if (!rc)
        rc = add_time(&b, f->from_ms, false);
    if (!rc)
        rc = cxm__buf_adds(&b, " --to ");
    if (!rc)
        rc = add_time(&b, f->to_ms, false);
    if (!rc)
        rc = cxm__buf_adds(&b, f->has_prev ? " --compare previous\n" : "\n");
    if (!rc && base_url && *base_url)
        rc = cxm__buf_addf(&b, "Dashboard: %s/alerts\n", base_url);
    if (rc) {
        cxm__buf_release(&s);
        cxm__buf_release(&b);
        return rc;
    }
    rc = take(&s, CXM_OK, subject);
    if (rc) {
        cxm__buf_release(&b);
        return rc;
    }
    rc = take(&b, CXM_OK, body);
    if (rc) {
        cxm__free(*subject);
        *subject = NULL;
    }
    return rc;
}
