/* SPDX-License-Identifier: MIT
 *
 * config.c — the settings kept in the store (config.h): the table of known
 * keys with their defaults and checks, and what the importer derives from
 * them (the plausibility window of timestamps, SPEC Conventions). A new
 * key is one row of `keys` below; the store keeps any key as text
 * (src/store/sqlite/sql/0008-settings.sql).
 */
#include "internal.h"

#include <string.h>
#include <time.h>

#include "civil.h"
#include "record.h"
#include "store_int.h"

#define MAX_HORIZON_YEARS 8000

/* Checks a value of one key; *why says what the key takes. */
typedef bool (*check_fn)(const char *value, int64_t *parsed);

struct key {
    const char *name;
    const char *default_value;
    check_fn check;
    const char *takes; /* what a bad value is told */
    const char *description;
};

/* A plain date YYYY-MM-DD, as midnight UTC in ms. */
static bool check_date(const char *v, int64_t *ms)
{
    size_t n = strlen(v);

    return n == 10 && cxm_time_parse(v, n, true, ms, NULL) == CXM_OK;
}

static bool check_horizon(const char *v, int64_t *years)
{
    return cxm__is_digit((unsigned char)v[0]) &&
           cxm__parse_i64(v, strlen(v), years) == CXM_OK && *years >= 0 &&
           *years <= MAX_HORIZON_YEARS;
}

/* A base URL of the survey links: http:// or https://, printable ASCII,
 * no trailing slash; "" = http://LISTEN of the server. */
static bool check_url(const char *v, int64_t *unused)
{
    size_t n = strlen(v);

    (void)unused;
    if (n == 0)
        return true;
    if (n > 200 || v[n - 1] == '/' ||
        (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] <= ' ' || v[i] >= 0x7f || v[i] == '"' || v[i] == '<' ||
            v[i] == '>' || v[i] == '\\')
            return false;
    }
    return true;
}

static bool check_count(const char *v, int64_t lo, int64_t hi, int64_t *n)
{
    return cxm__is_digit((unsigned char)v[0]) &&
           cxm__parse_i64(v, strlen(v), n) == CXM_OK && *n >= lo && *n <= hi;
}

static bool check_rate(const char *v, int64_t *n)
{
    return check_count(v, 0, 1000000, n);
}

static bool check_edit_days(const char *v, int64_t *n)
{
    return check_count(v, 0, 3650, n);
}

static bool check_link_days(const char *v, int64_t *n)
{
    return check_count(v, 1, 3650, n);
}

static bool check_fatigue_days(const char *v, int64_t *n)
{
    return check_count(v, 0, 3650, n);
}

static bool check_cap(const char *v, int64_t *n)
{
    return check_count(v, 0, 100000000, n);
}

/* Printable ASCII, at most `max` bytes, none of `bad`; "" allowed. */
static bool check_printable(const char *v, size_t max, const char *bad)
{
    size_t n = strlen(v);

    if (n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < ' ' || v[i] >= 0x7f || strchr(bad, v[i]))
            return false;
    }
    return true;
}

/* smtp://host[:port] or smtps://host[:port]; "" = no mail. */
static bool check_smtp_url(const char *v, int64_t *unused)
{
    (void)unused;
    if (!*v)
        return true;
    if (strncmp(v, "smtp://", 7) != 0 && strncmp(v, "smtps://", 8) != 0)
        return false;
    return check_printable(v, 200, " \"<>\\") &&
           v[strlen(v) - 1] != '/' && strlen(v) > (v[4] == 's' ? 8u : 7u);
}

/* An address, bare (a@b.example) or with a name (Name <a@b.example>). */
static bool check_from(const char *v, int64_t *unused)
{
    (void)unused;
    return !*v || (check_printable(v, 200, "\\") && strchr(v, '@'));
}

/* A user name or password: printable ASCII without a line break. */
static bool check_secret(const char *v, int64_t *unused)
{
    (void)unused;
    return check_printable(v, 200, "");
}

/* The webhooks' shared secret: "" (off) or 16 to 200 characters. */
static bool check_hook_secret(const char *v, int64_t *unused)
{
    (void)unused;
    return !*v || (strlen(v) >= 16 && check_printable(v, 200, " "));
}

/* The SMS gateway: an http(s) URL template holding {to} and {text}. */
static bool check_sms_url(const char *v, int64_t *unused)
{
    (void)unused;
    if (!*v)
        return true;
    return (strncmp(v, "http://", 7) == 0 || strncmp(v, "https://", 8) == 0)
           && check_printable(v, 400, " \"<>\\") && strstr(v, "{to}") &&
           strstr(v, "{text}");
}

/* Where alert mail goes: "" (nowhere) or addresses separated by commas,
 * each one a mail can go to, at most 1000 bytes in all. */
static bool check_alert_emails(const char *v, int64_t *count)
{
    const char *p = v, *a;
    size_t n;

    *count = 0;
    if (strlen(v) > 1000 || !check_printable(v, 1000, ""))
        return false;
    while (cxm__list_next(&p, &a, &n)) {
        if (!cxm__email_ok(a, n))
            return false;
        (*count)++;
    }
    return true;
}

static bool check_session_minutes(const char *v, int64_t *n)
{
    return check_count(v, 1, 525600, n);
}

/* In name order (cxm_config_list() promises it). */
static const struct key keys[] = {
    {"alerts.email", "", check_alert_emails,
     "alerts.email takes addresses separated by commas (a@b.example, "
     "c@d.example), at most 1000 characters (or \"\")",
     "where a new alert firing is mailed (\"\": nowhere)"},
    {"fatigue.days", "30", check_fatigue_days,
     "fatigue.days takes a whole number of days, 0 to 3650",
     "a customer is invited at most once in this many days"},
    {"hooks.secret", "", check_hook_secret,
     "hooks.secret takes 16 to 200 printable ASCII characters (or \"\")",
     "shared secret of the helpdesk webhooks (\"\": webhooks off)"},
    {"import.earliest", "1970-01-01", check_date,
     "import.earliest takes a date YYYY-MM-DD",
     "timestamps before this date are rejected rows"},
    {"import.horizon_years", "10", check_horizon,
     "import.horizon_years takes a whole number of years, 0 to 8000",
     "timestamps more than this many years after the import are rejected "
     "rows"},
    {"invites.daily_cap", "0", check_cap,
     "invites.daily_cap takes a whole number, 0 to 100000000 (0: no cap)",
     "invitations due on one UTC day at most (0: no cap)"},
    {"invites.max_age_days", "7", check_edit_days,
     "invites.max_age_days takes a whole number of days, 0 to 3650",
     "tickets resolved longer ago than this are never invited"},
    {"invites.reminder_days", "3", check_edit_days,
     "invites.reminder_days takes a whole number of days, 0 to 3650",
     "days after an unanswered invitation one reminder goes (0: none)"},
    {"public_url", "", check_url,
     "public_url takes an http:// or https:// URL without a trailing slash "
     "(or \"\" for http://LISTEN)",
     "base URL of survey links (default: http:// and the --listen address)"},
    {"serve.rate_per_minute", "120", check_rate,
     "serve.rate_per_minute takes a whole number 0 to 1000000 (0: no limit)",
     "requests one client address may make to survey pages per minute"},
    {"sms.url", "", check_sms_url,
     "sms.url takes an http:// or https:// URL with {to} and {text}",
     "SMS gateway URL template ({to}, {text}; \"\": no SMS)"},
    {"smtp.from", "", check_from,
     "smtp.from takes an address (a@b.example or Name <a@b.example>)",
     "sender of survey mail"},
    {"smtp.password", "", check_secret,
     "smtp.password takes printable ASCII",
     "SMTP password (CXMETER_SMTP_PASSWORD keeps it out of the store)"},
    {"smtp.url", "", check_smtp_url,
     "smtp.url takes smtp://HOST[:PORT] or smtps://HOST[:PORT]",
     "mail server (smtp:// with STARTTLS where offered, or smtps://)"},
    {"smtp.user", "", check_secret, "smtp.user takes printable ASCII",
     "SMTP user name (\"\": no login)"},
    {"serve.session_minutes", "720", check_session_minutes,
     "serve.session_minutes takes a whole number of minutes, 1 to 525600",
     "minutes a dashboard login lasts"},
    {"survey.edit_days", "7", check_edit_days,
     "survey.edit_days takes a whole number of days, 0 to 3650",
     "days after the first answer during which a survey link edits it"},
    {"survey.link_days", "30", check_link_days,
     "survey.link_days takes a whole number of days, 1 to 3650",
     "days an invitation link stays valid"},
};

static const struct key *find_key(const char *name)
{
    for (size_t i = 0; i < CXM_ARRAY_LEN(keys); i++) {
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    }
    return NULL;
}

bool cxm_config_known(const char *key)
{
    return key && find_key(key) != NULL;
}

cxm_rc cxm_config_check(const char *key, const char *value, const char **why)
{
    const struct key *k;
    int64_t parsed;

    if (!key || !value)
        return CXM_EINVAL;
    k = find_key(key);
    if (!k)
        return CXM_ENOTFOUND;
    if (!k->check(value, &parsed)) {
        if (why)
            *why = k->takes;
        return CXM_EINPUT;
    }
    return CXM_OK;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

cxm_rc cxm_config_set(cxm_store *st, const char *key, const char *value,
                      const char **why)
{
    cxm_rc rc;

    if (!st)
        return CXM_EINVAL;
    rc = cxm_config_check(key, value, why);
    if (rc)
        return rc;
    return st->ops->put_setting(st, key, value, now_ms());
}

cxm_rc cxm_config_unset(cxm_store *st, const char *key)
{
    if (!st || !key)
        return CXM_EINVAL;
    if (!find_key(key))
        return CXM_ENOTFOUND;
    return st->ops->put_setting(st, key, NULL, 0);
}

/* The stored values, looked up by key. */
struct stored {
    char *value[CXM_ARRAY_LEN(keys)]; /* owned; NULL when not stored */
};

static cxm_rc on_setting(const struct cxm__row *row, void *ud)
{
    struct stored *sv = ud;

    for (size_t i = 0; i < CXM_ARRAY_LEN(keys); i++) {
        if (row->text[0] && row->text[1] &&
            strcmp(row->text[0], keys[i].name) == 0 && !sv->value[i]) {
            sv->value[i] = cxm__strdup(row->text[1]);
            if (!sv->value[i])
                return CXM_ENOMEM;
        }
    }
    return CXM_OK; /* keys of a later version are kept, not shown */
}

static void stored_release(struct stored *sv)
{
    for (size_t i = 0; i < CXM_ARRAY_LEN(keys); i++)
        cxm__free(sv->value[i]);
}

/* Reads every stored setting. A value that no longer passes its key's
 * check (set by hand in the store) is ignored: the default holds. */
static cxm_rc load(cxm_store *st, struct stored *sv)
{
    cxm_rc rc;

    memset(sv, 0, sizeof(*sv));
    if (!st)
        return CXM_OK; /* no store: every key has its default */
    rc = cxm__store_query(st, CXM__Q_SETTINGS, on_setting, sv);
    if (rc) {
        stored_release(sv);
        return rc;
    }
    for (size_t i = 0; i < CXM_ARRAY_LEN(keys); i++) {
        int64_t parsed;
        if (sv->value[i] && !keys[i].check(sv->value[i], &parsed)) {
            cxm__free(sv->value[i]);
            sv->value[i] = NULL;
        }
    }
    return CXM_OK;
}

cxm_rc cxm_config_list(cxm_store *st, cxm_setting_fn fn, void *ud)
{
    struct stored sv;
    cxm_rc rc;

    if (!fn)
        return CXM_EINVAL;
    rc = load(st, &sv);
    if (rc)
        return rc;
    for (size_t i = 0; i < CXM_ARRAY_LEN(keys) && !rc; i++) {
        struct cxm_setting s;
        s.key = keys[i].name;
        s.is_default = sv.value[i] == NULL;
        s.value = s.is_default ? keys[i].default_value : sv.value[i];
        s.default_value = keys[i].default_value;
        s.description = keys[i].description;
        rc = fn(&s, ud);
    }
    stored_release(&sv);
    return rc;
}

cxm_rc cxm_config_get(cxm_store *st, const char *key, char **value_out,
                      bool *is_default)
{
    const struct key *k;
    struct stored sv;
    size_t i;
    cxm_rc rc;

    if (!key || !value_out)
        return CXM_EINVAL;
    k = find_key(key);
    if (!k)
        return CXM_ENOTFOUND;
    i = (size_t)(k - keys);
    rc = load(st, &sv);
    if (rc)
        return rc;
    if (is_default)
        *is_default = sv.value[i] == NULL;
    *value_out = cxm__strdup(sv.value[i] ? sv.value[i] : k->default_value);
    stored_release(&sv);
    return *value_out ? CXM_OK : CXM_ENOMEM;
}

/* The value of key `i`: the override if given, else the stored one, else
 * the default; checked, parsed into *parsed. */
static cxm_rc value_of(const struct stored *sv, size_t i,
                       const char *override, int64_t *parsed,
                       const char **why)
{
    const char *v = override ? override
                    : sv->value[i] ? sv->value[i]
                                   : keys[i].default_value;

    if (!keys[i].check(v, parsed)) {
        *why = keys[i].takes;
        return CXM_EINPUT;
    }
    return CXM_OK;
}

cxm_rc cxm__config_window(cxm_store *st, const char *earliest,
                          const char *horizon_years, int64_t now,
                          struct cxm__window *out, const char **why)
{
    static const int64_t end_ms = INT64_C(253402300800000); /* 10000-01-01 */
    struct stored sv;
    int64_t lo, years, y, day;
    int m, d;
    cxm_rc rc;

    rc = load(st, &sv);
    if (rc)
        return rc;
    rc = value_of(&sv, (size_t)(find_key("import.earliest") - keys),
                  earliest, &lo, why);
    if (!rc)
        rc = value_of(&sv, (size_t)(find_key("import.horizon_years") - keys),
                      horizon_years, &years, why);
    stored_release(&sv);
    if (rc)
        return rc;
    /* The same day `years` years on (28 February for a 29th out of a
     * leap year), then the whole of that day. */
    cxm__civil_from_days(cxm__day_of_ms(now), &y, &m, &d);
    y += years;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        d = 28;
    day = y < 10000 ? cxm__days_from_civil(y, m, d) + 1
                    : end_ms / CXM__MS_PER_DAY;
    out->lo = lo;
    out->hi = day * CXM__MS_PER_DAY < end_ms ? day * CXM__MS_PER_DAY : end_ms;
    return CXM_OK;
}
