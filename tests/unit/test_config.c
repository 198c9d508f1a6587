/* SPDX-License-Identifier: MIT
 *
 * test_config.c — unit tests of src/store/config.c: the known keys, their checks
 * and defaults, set/get/unset/list on a store, and the plausibility window
 * of timestamps an import derives from them (SPEC Conventions).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "civil.h"
#include "record.h"
#include "store_int.h"
#include "store_fixture.h"

#define DAY CXM__MS_PER_DAY

static int setup(void **state)
{
    struct store_fixture *sf = calloc(1, sizeof(*sf));

    if (!sf)
        return -1;
    store_fixture_open(sf, "config");
    *state = sf;
    return 0;
}

static int teardown(void **state)
{
    struct store_fixture *sf = *state;

    store_fixture_remove(sf);
    free(sf);
    return 0;
}

static int64_t day_ms(int y, int m, int d)
{
    return cxm__days_from_civil(y, m, d) * DAY;
}

static void test_config__checks_values(void **state)
{
    const char *why = NULL;

    (void)state;
    assert_true(cxm_config_known("import.earliest"));
    assert_false(cxm_config_known("import.Earliest"));
    assert_false(cxm_config_known(NULL));
    assert_int_equal(cxm_config_check("import.earliest", "1990-02-03", &why),
                     CXM_OK);
    assert_int_equal(cxm_config_check("import.earliest", "1990-02-30", &why),
                     CXM_EINPUT);
    assert_non_null(strstr(why, "YYYY-MM-DD"));
    assert_int_equal(cxm_config_check("import.earliest",
                                      "1990-02-03T00:00:00Z", &why),
                     CXM_EINPUT);
    assert_int_equal(cxm_config_check("import.horizon_years", "0", &why),
                     CXM_OK);
    assert_int_equal(cxm_config_check("import.horizon_years", "8000", &why),
                     CXM_OK);
    assert_int_equal(cxm_config_check("import.horizon_years", "8001", &why),
                     CXM_EINPUT);
    assert_int_equal(cxm_config_check("import.horizon_years", "-1", &why),
                     CXM_EINPUT);
    assert_int_equal(cxm_config_check("import.horizon_years", "", &why),
                     CXM_EINPUT);
    /* alerts.email: addresses separated by commas, or nothing */
    assert_int_equal(cxm_config_check("alerts.email", "", &why), CXM_OK);
    assert_int_equal(cxm_config_check("alerts.email",
                                      "a@b.example, c@d.example,", &why),
                     CXM_OK);
    assert_int_equal(cxm_config_check("alerts.email", "a@b.example, c d@e",
                                      &why),
                     CXM_EINPUT);
    assert_non_null(strstr(why, "commas"));
    assert_int_equal(cxm_config_check("alerts.email", "ab.example", &why),
                     CXM_EINPUT);
    assert_int_equal(cxm_config_check("alerts.email", "a@b@c", &why),
                     CXM_EINPUT);
    assert_int_equal(cxm_config_check("alerts.email", "<a@b>", &why),
                     CXM_EINPUT);
    assert_int_equal(cxm_config_check("alerts.email", "a@b\r\nBcc: x@y",
                                      &why),
                     CXM_EINPUT);
    assert_int_equal(cxm_config_check("no.such", "1", &why), CXM_ENOTFOUND);
    assert_int_equal(cxm_config_check(NULL, "1", &why), CXM_EINVAL);
}

static cxm_rc count_keys(const struct cxm_setting *s, void *ud)
{
    int *n = ud;

    assert_non_null(s->description);
    if (strcmp(s->key, "import.horizon_years") == 0) {
        assert_string_equal(s->value, "25");
        assert_false(s->is_default);
        assert_string_equal(s->default_value, "10");
    }
    (*n)++;
    return CXM_OK;
}

static cxm_rc count_defaults(const struct cxm_setting *s, void *ud)
{
    int *n = ud;

    assert_true(s->is_default);
    assert_string_equal(s->value, s->default_value);
    (*n)++;
    return CXM_OK;
}

static void test_config__set_get_unset_list(void **state)
{
    struct store_fixture *sf = *state;
    char *v = NULL;
    bool is_default = false;
    int n = 0;

    assert_int_equal(cxm_config_get(sf->st, "import.earliest", &v,
                                     &is_default),
                     CXM_OK);
    assert_string_equal(v, "1970-01-01");
    assert_true(is_default);
    cxm_free(v);
    assert_int_equal(cxm_config_set(sf->st, "import.horizon_years", "25",
                                     NULL),
                     CXM_OK);
    assert_int_equal(cxm_config_set(sf->st, "import.horizon_years", "x",
                                     NULL),
                     CXM_EINPUT);
    assert_int_equal(cxm_config_set(sf->st, "nope", "1", NULL),
                     CXM_ENOTFOUND);
    assert_int_equal(cxm_config_get(sf->st, "import.horizon_years", &v,
                                     &is_default),
                     CXM_OK);
    assert_string_equal(v, "25");
    assert_false(is_default);
    cxm_free(v);
    assert_int_equal(cxm_config_list(sf->st, count_keys, &n), CXM_OK);
    assert_int_equal(n, 18); /* alerts, fatigue, hooks, import, invites,
                              public_url, serve, sms, smtp, survey */
    assert_int_equal(cxm_config_set(sf->st, "public_url",
                                     "https://cx.example.com", NULL),
                     CXM_OK);
    assert_int_equal(cxm_config_set(sf->st, "public_url",
                                     "https://cx.example.com/", NULL),
                     CXM_EINPUT);
    assert_int_equal(cxm_config_set(sf->st, "public_url",
                                     "javascript:alert(1)", NULL),
                     CXM_EINPUT);
    assert_int_equal(cxm_config_set(sf->st, "survey.edit_days", "0", NULL),
                     CXM_OK);
    assert_int_equal(cxm_config_set(sf->st, "survey.link_days", "0", NULL),
                     CXM_EINPUT);
    assert_int_equal(cxm_config_unset(sf->st, "import.horizon_years"),
                     CXM_OK);
    assert_int_equal(cxm_config_get(sf->st, "import.horizon_years", &v,
                                     NULL),
                     CXM_OK);
    assert_string_equal(v, "10");
    cxm_free(v);
    /* No store: the defaults. */
    assert_int_equal(cxm_config_get(NULL, "import.horizon_years", &v,
                                     &is_default),
                     CXM_OK);
    assert_string_equal(v, "10");
    assert_true(is_default);
    cxm_free(v);
    n = 0;
    assert_int_equal(cxm_config_list(NULL, count_defaults, &n), CXM_OK);
    assert_int_equal(n, 18);
}

/* [import.earliest, the end of the UTC day horizon_years after now). */
static void test_config__window(void **state)
{
    struct store_fixture *sf = *state;
    struct cxm__window w;
    const char *why = NULL;
    int64_t now = day_ms(2026, 12, 6) + 22 * 3600000;

    assert_int_equal(cxm__config_window(sf->st, NULL, NULL, now, &w, &why),
                     CXM_OK);
    assert_int_equal(w.lo, 0);
    assert_int_equal(w.hi, day_ms(2036, 12, 7));
    /* A leap day ten years on is 28 February. */
    assert_int_equal(cxm__config_window(sf->st, NULL, NULL,
                                        day_ms(2028, 2, 29), &w, &why),
                     CXM_OK);
    assert_int_equal(w.hi, day_ms(2038, 3, 1));
    /* The store's settings, then the overrides over them. */
    assert_int_equal(cxm_config_set(sf->st, "import.earliest", "1900-01-01",
                                     NULL),
                     CXM_OK);
    assert_int_equal(cxm_config_set(sf->st, "import.horizon_years", "0",
                                     NULL),
                     CXM_OK);
    assert_int_equal(cxm__config_window(sf->st, NULL, NULL, now, &w, &why),
                     CXM_OK);
    assert_int_equal(w.lo, day_ms(1900, 1, 1));
    assert_int_equal(w.hi, day_ms(2026, 12, 7));
    assert_int_equal(cxm__config_window(sf->st, "2000-01-01", "8000", now,
                                        &w, &why),
                     CXM_OK);
    assert_int_equal(w.lo, day_ms(2000, 1, 1));
    assert_int_equal(w.hi, day_ms(10000, 1, 1));
    assert_int_equal(cxm__config_window(sf->st, "soon", NULL, now, &w, &why),
                     CXM_EINPUT);
    assert_non_null(strstr(why, "import.earliest"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_config__checks_values),
        T(test_config__set_get_unset_list),
        T(test_config__window),
    };

    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
