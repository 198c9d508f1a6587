/* SPDX-License-Identifier: MIT
 *
 * config.h — settings kept in the store (`cxmeter config`): a small set of
 * known keys, each with a default, a check of its values and one line of
 * description. A key that was never set (or was unset) has its default.
 *
 * Keys of this version:
 *   import.earliest       the earliest plausible timestamp of an import,
 *                         a date YYYY-MM-DD (default 1970-01-01)
 *   import.horizon_years  how many years after the day of an import a
 *                         timestamp may lie, 0..8000 (default 10)
 *   public_url            the base of survey links, http(s)://… without a
 *                         trailing slash ("" default: http://LISTEN)
 *   serve.rate_per_minute requests per client address per minute to the
 *                         survey pages, 0..1000000 (default 120; 0: none)
 *   survey.edit_days      days the first answer of a link may be edited,
 *                         0..3650 (default 7)
 *   survey.link_days      days an invitation link is valid, 1..3650
 *                         (default 30)
 */
#ifndef CXMETER_CONFIG_H
#define CXMETER_CONFIG_H

#include <stdbool.h>

#include "cxmeter/base.h"
#include "cxmeter/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Whether `key` is a known setting. */
CXM_API bool cxm_config_known(const char *key);

/** Checks `value` for `key` without storing it. Returns CXM_OK;
 *  CXM_ENOTFOUND for an unknown key; CXM_EINPUT for a bad value (*why, if
 *  not NULL, is set to a static sentence saying what the key takes);
 *  CXM_EINVAL for a NULL argument. */
CXM_API CXM_MUST_USE cxm_rc cxm_config_check(const char *key,
                                             const char *value,
                                             const char **why);

/** Stores `value` for `key` (checked as cxm_config_check() does).
 *  Returns what cxm_config_check() returns, or CXM_ESTORE. */
CXM_API CXM_MUST_USE cxm_rc cxm_config_set(cxm_store *st, const char *key,
                                           const char *value,
                                           const char **why);

/** Forgets the stored value of `key`: it has its default again.
 *  Returns CXM_OK (also when it was not set), CXM_ENOTFOUND for an
 *  unknown key, CXM_ESTORE, CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_config_unset(cxm_store *st, const char *key);

/** Sets *value_out to the value of `key` in `st` (its default when not
 *  set, or when `st` is NULL: no store; *is_default, if not NULL, says
 *  which). The caller frees *value_out
 *  with cxm_free(). Returns CXM_OK, CXM_ENOTFOUND for an unknown key,
 *  CXM_ESTORE, CXM_ENOMEM, CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_config_get(cxm_store *st, const char *key,
                                           char **value_out,
                                           bool *is_default);

/** One setting, for cxm_config_list(). Strings are borrowed for the
 *  duration of the callback. */
struct cxm_setting {
    const char *key;
    const char *value;       /* the stored value, else the default */
    bool is_default;
    const char *default_value;
    const char *description; /* one line, English */
};

typedef cxm_rc (*cxm_setting_fn)(const struct cxm_setting *s, void *ud);

/** Calls `fn` for every known key, in name order, with its value in
 *  `st` (the defaults when `st` is NULL: no store). A non-zero return of `fn` stops the list and is returned.
 *  Returns CXM_OK, CXM_ESTORE, CXM_ENOMEM, CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_config_list(cxm_store *st, cxm_setting_fn fn,
                                            void *ud);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_CONFIG_H */
