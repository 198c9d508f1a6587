/* SPDX-License-Identifier: MIT
 *
 * auth.c — the dashboard's accounts and logins (docs/dashboard.md,
 * "Accounts and logins"): argon2id password hashes (libsodium
 * crypto_pwhash_str), the login page and its form, sessions, CSRF tokens,
 * logout and the lockout after repeated failures.
 *
 * A session id is 32 random bytes, sent as an HttpOnly, SameSite=Strict
 * cookie (Secure when public_url is https); the store keeps only its
 * BLAKE2b digest and its end. The session's CSRF token is BLAKE2b keyed
 * with the session id, so it is never stored and dies with the session;
 * the login form, before there is a session, carries a token that must
 * equal a cookie of its own (double submit).
 *
 * Failed logins are counted per user name and per client address over
 * CXM_HTTP_LOCKOUT_WINDOW_MS; past CXM_HTTP_LOCKOUT_USER (name) or
 * CXM_HTTP_LOCKOUT_IP (address) the login is refused without looking at
 * the password until the failures age out.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "http_int.h"
#include "invite.h"
#include "store_int.h"

#define SESSION_COOKIE "cxm_session"
#define LOGIN_COOKIE "cxm_login"
#define ID_BYTES 32

/* ---- Accounts (the public API, cxmeter/serve.h). */

static bool good_user_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0 || n > CXM_HTTP_MAX_USER_NAME)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              cxm__is_digit(c) || c == '.' || c == '_' || c == '@' ||
              c == '-'))
            return false;
    }
    return true;
}

static bool good_role(const char *role)
{
    return role && (strcmp(role, "admin") == 0 || strcmp(role, "viewer") == 0);
}

/* The argon2id hash of password[0..len) into out, or an error with the
 * store's message set. */
static cxm_rc hash_password(cxm_store *st, const char *password, size_t len,
                            char out[crypto_pwhash_STRBYTES])
{
    if (!password || len < CXM_HTTP_MIN_PASSWORD ||
        len > CXM_HTTP_MAX_PASSWORD || memchr(password, '\0', len)) {
        cxm__store_set_error(st, "a password is 8 to 1024 bytes");
        return CXM_EINPUT;
    }
    if (sodium_init() < 0 ||
        crypto_pwhash_str_alg(out, password, len,
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return CXM_ENOMEM;
    return CXM_OK;
}

/* Runs one write in its own transaction. */
static cxm_rc in_tx(cxm_store *st, cxm_rc rc)
{
    if (rc) {
        cxm__store_rollback(st);
        return rc;
    }
    return cxm__store_commit(st);
}

cxm_rc cxm_user_add(cxm_store *st, const char *name, const char *role,
                    const char *password, size_t len)
{
    char h[crypto_pwhash_STRBYTES];
    cxm_rc rc;

    if (!st)
        return CXM_EINVAL;
    if (!good_user_name(name)) {
        cxm__store_set_error(st, "a user name is 1 to 64 letters, digits "
                                 "or . _ @ -");
        return CXM_EINPUT;
    }
    if (!good_role(role)) {
        cxm__store_set_error(st, "a role is admin or viewer");
        return CXM_EINPUT;
    }
    rc = hash_password(st, password, len, h);
    if (!rc)
        rc = cxm__store_begin(st);
    if (!rc)
        rc = in_tx(st, cxm__store_put_user(st, name, role, h, cxm__now_ms(),
                                           false));
    sodium_memzero(h, sizeof(h));
    return rc;
}

cxm_rc cxm_user_passwd(cxm_store *st, const char *name, const char *password,
                       size_t len)
{
    char h[crypto_pwhash_STRBYTES];
    cxm_rc rc;

    if (!st || !name)
        return CXM_EINVAL;
    rc = hash_password(st, password, len, h);
    if (!rc)
        rc = cxm__store_begin(st);
    if (!rc) {
        rc = cxm__store_put_user(st, name, NULL, h, cxm__now_ms(), true);
        if (!rc)
            rc = cxm__store_remove_sessions(st, NULL, 0, name, 0);
        rc = in_tx(st, rc);
    }
    sodium_memzero(h, sizeof(h));
    return rc;
}

cxm_rc cxm_user_remove(cxm_store *st, const char *name)
{
    cxm_rc rc;

    if (!st || !name)
        return CXM_EINVAL;
    rc = cxm__store_begin(st);
    return rc ? rc : in_tx(st, cxm__store_remove_user(st, name));
}

struct list_ctx {
    cxm_user_fn fn;
    void *ud;
};

static cxm_rc list_one(const struct cxm__user_row *u, void *ud)
{
    struct list_ctx *c = ud;
    struct cxm_user_info i = {u->name, u->role, u->created_at,
                              u->updated_at};

    return c->fn(&i, c->ud);
}

cxm_rc cxm_user_list(cxm_store *st, cxm_user_fn fn, void *ud)
{
    struct list_ctx c = {fn, ud};

    if (!st || !fn)
        return CXM_EINVAL;
    return cxm__store_users(st, NULL, list_one, &c);
}

/* ---- Cookies, session ids and CSRF tokens. */

bool cxm__cookie_get(const char *header, const char *name, char *out,
                     size_t cap)
{
    size_t nl = strlen(name);
    const char *p = header;

    while (p && *p) {
        while (*p == ' ' || *p == ';')
            p++;
        if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
            const char *v = p + nl + 1;
            size_t vl = strcspn(v, ";");
            while (vl && v[vl - 1] == ' ')
                vl--;
            if (vl == 0 || vl >= cap)
                return false;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return true;
        }
        p = strchr(p, ';');
    }
    return false;
}

static void b64url(char *out, size_t cap, const unsigned char *raw, size_t n)
{
    sodium_bin2base64(out, cap, raw, n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* The digest the store keeps of a session id, and the session's CSRF
 * token. */
static void session_keys(const unsigned char id[ID_BYTES],
                         struct cxm__session *s)
{
    static const char what[] = "cxmeter dashboard csrf";
    unsigned char tok[32];

    crypto_generichash(s->id_hash, sizeof(s->id_hash), id, ID_BYTES, NULL, 0);
    crypto_generichash(tok, sizeof(tok), (const unsigned char *)what,
                       sizeof(what) - 1, id, ID_BYTES);
    b64url(s->csrf, sizeof(s->csrf), tok, sizeof(tok));
}

static cxm_rc session_fill(const struct cxm__user_row *u, void *ud)
{
    struct cxm__session *s = ud;

    snprintf(s->user, sizeof(s->user), "%s", u->name);
    snprintf(s->role, sizeof(s->role), "%s", u->role);
    s->valid = true;
    return CXM_OK;
}

cxm_rc cxm__auth_session(struct cxm__http_ctx *ctx, const char *cookie,
                         int64_t now, struct cxm__session *s)
{
    char text[96];
    unsigned char id[ID_BYTES];
    size_t n = 0;
    cxm_rc rc;

    memset(s, 0, sizeof(*s));
    if (!cxm__cookie_get(cookie, SESSION_COOKIE, text, sizeof(text)) ||
        sodium_init() < 0 ||
        sodium_base642bin(id, sizeof(id), text, strlen(text), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n != ID_BYTES)
        return CXM_OK;
    session_keys(id, s);
    sodium_memzero(id, sizeof(id));
    pthread_mutex_lock(&ctx->lock);
    rc = cxm__store_session_user(ctx->st, s->id_hash, sizeof(s->id_hash), now,
                                 session_fill, s);
    pthread_mutex_unlock(&ctx->lock);
    if (rc == CXM_ENOTFOUND)
        rc = CXM_OK;
    if (!s->valid)
        memset(s, 0, sizeof(*s));
    return rc;
}

bool cxm__auth_csrf_ok(const struct cxm__session *s, const char *token)
{
    size_t n = strlen(s->csrf);

    return s->valid && n > 0 && token && strlen(token) == n &&
           sodium_memcmp(token, s->csrf, n) == 0;
}

cxm_rc cxm__auth_csrf_field(struct cxm__buf *b, const struct cxm__session *s)
{
    cxm_rc rc = cxm__html_raw(b, "<input type=\"hidden\" name=\"csrf\" "
                                 "value=\"");

    if (!rc)
        rc = cxm__html_str(b, s->csrf);
    return rc ? rc : cxm__html_raw(b, "\">");
}

static void set_cookie(struct cxm__http_req *req, char *out, size_t cap,
                       const char *name, const char *value, int64_t max_age)
{
    snprintf(out, cap, "%s=%s; Path=/; HttpOnly; SameSite=Strict; "
                       "Max-Age=%lld%s",
             name, value, (long long)max_age,
             req->ctx->secure_cookies ? "; Secure" : "");
}

/* ---- The login page. */

/* Where to go after the login: a path of this site, else "/". */
static const char *safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' ||
        strlen(next) > 400)
        return "/";
    for (const char *p = next; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return "/";
    }
    return next;
}

static int login_page(struct cxm__http_req *req, struct cxm__http_resp *resp,
                      int status, const char *message, const char *name,
                      const char *next)
{
    unsigned char raw[24];
    char tok[48];
    struct cxm__buf *b = &resp->body;
    cxm_rc rc;

    randombytes_buf(raw, sizeof(raw));
    b64url(tok, sizeof(tok), raw, sizeof(raw));
    set_cookie(req, resp->set_cookie[0], sizeof(resp->set_cookie[0]),
               LOGIN_COOKIE, tok, 3600);
    cxm__buf_reset(b);
    rc = cxm__page_begin(req, resp, "Log in", NULL);
    if (!rc)
        rc = cxm__html_raw(b, "<form class=\"login\" method=\"post\" "
                              "action=\"/login\">");
    if (!rc && message) {
        rc = cxm__html_raw(b, "<p class=\"error\" role=\"alert\">");
        if (!rc)
            rc = cxm__html_str(b, message);
        if (!rc)
            rc = cxm__html_raw(b, "</p>");
    }
    if (!rc)
        rc = cxm__html_raw(b, "<input type=\"hidden\" name=\"csrf\" "
                              "value=\"");
    if (!rc)
        rc = cxm__html_str(b, tok);
    if (!rc)
        rc = cxm__html_raw(b, "\"><input type=\"hidden\" name=\"next\" "
                              "value=\"");
    if (!rc)
        rc = cxm__html_str(b, safe_next(next));
    if (!rc)
        rc = cxm__html_raw(
            b, "\"><label for=\"username\">User name</label>"
               "<input id=\"username\" name=\"username\" "
               "autocomplete=\"username\" required value=\"");
    if (!rc)
        rc = cxm__html_str(b, name ? name : "");
    if (!rc)
        rc = cxm__html_raw(
            b, "\"><label for=\"password\">Password</label>"
               "<input id=\"password\" name=\"password\" type=\"password\" "
               "autocomplete=\"current-password\" required>"
               "<button type=\"submit\">Log in</button></form>");
    if (!rc)
        rc = cxm__page_end(req, resp);
    return rc ? 500 : status;
}

int cxm__http_login_get(struct cxm__http_req *req,
                        struct cxm__http_resp *resp)
{
    struct cxm__session s;

    if (cxm__auth_session(req->ctx, req->cookie, req->now, &s) == CXM_OK &&
        s.valid) {
        snprintf(resp->location, sizeof(resp->location), "%s",
                 safe_next(req->arg(req, "next")));
        return 303;
    }
    return login_page(req, resp, 200, NULL, NULL, req->arg(req, "next"));
}

/* The writer's jobs of a login. */
struct login_job {
    const char *user, *client;
    int64_t now, expires;
    const unsigned char *id_hash;
    bool ok;
};

static cxm_rc login_job_run(cxm_store *st, void *ud)
{
    struct login_job *j = ud;
    int64_t since = j->now - CXM_HTTP_LOCKOUT_WINDOW_MS;
    cxm_rc rc;

    if (!j->ok) {
        rc = cxm__store_put_login_failure(st, "user", j->user, j->now);
        if (!rc)
            rc = cxm__store_put_login_failure(st, "ip", j->client, j->now);
        return rc;
    }
    rc = cxm__store_clear_login_failures(st, "user", j->user, since);
    if (!rc)
        rc = cxm__store_remove_sessions(st, NULL, 0, NULL, j->now);
    if (!rc)
        rc = cxm__store_put_session(st, j->id_hash, 32, j->user, j->now,
                                    j->expires);
    return rc;
}

struct hash_ctx {
    char hash[crypto_pwhash_STRBYTES];
    bool found;
};

static cxm_rc copy_hash(const struct cxm__user_row *u, void *ud)
{
    struct hash_ctx *h = ud;

    snprintf(h->hash, sizeof(h->hash), "%s", u->password_hash);
    h->found = true;
    return CXM_OK;
}

int cxm__http_login_post(struct cxm__http_req *req,
                         struct cxm__http_resp *resp)
{
    struct cxm__form f;
    struct hash_ctx h;
    struct login_job j;
    struct cxm__session s;
    unsigned char id[ID_BYTES];
    char cookie_tok[64], id_text[64];
    const char *name, *password, *csrf, *next;
    int64_t user_fails = 0, ip_fails = 0;
    int status;
    cxm_rc rc;

    memset(&f, 0, sizeof(f));
    if (cxm__form_parse(req->body, req->body_len, &f)) {
        cxm__form_release(&f);
        return login_page(req, resp, 400, "The form could not be read.",
                          NULL, NULL);
    }
    name = cxm__form_get(&f, "username");
    password = cxm__form_get(&f, "password");
    csrf = cxm__form_get(&f, "csrf");
    next = cxm__form_get(&f, "next");
    if (!csrf || !cxm__cookie_get(req->cookie, LOGIN_COOKIE, cookie_tok,
                                  sizeof(cookie_tok)) ||
        strlen(csrf) != strlen(cookie_tok) ||
        sodium_memcmp(csrf, cookie_tok, strlen(csrf)) != 0) {
        status = login_page(req, resp, 403,
                            "The form expired; please log in again.", name,
                            next);
        cxm__form_release(&f);
        return status;
    }
    if (!name || !password || !good_user_name(name)) {
        status = login_page(req, resp, 401, "Wrong user name or password.",
                            name, next);
        cxm__form_release(&f);
        return status;
    }
    memset(&h, 0, sizeof(h));
    pthread_mutex_lock(&req->ctx->lock);
    rc = cxm__store_login_failures(req->ctx->st, "user", name,
                                   req->now - CXM_HTTP_LOCKOUT_WINDOW_MS,
                                   &user_fails);
    if (!rc)
        rc = cxm__store_login_failures(req->ctx->st, "ip", req->client,
                                       req->now - CXM_HTTP_LOCKOUT_WINDOW_MS,
                                       &ip_fails);
    if (!rc) {
        rc = cxm__store_users(req->ctx->st, name, copy_hash, &h);
        if (rc == CXM_ENOTFOUND)
            rc = CXM_OK;
    }
    pthread_mutex_unlock(&req->ctx->lock);
    if (rc) {
        cxm__form_release(&f);
        return cxm__page_message(req, resp, 503, "Please try again",
                                 "The store failed.");
    }
    if (user_fails >= CXM_HTTP_LOCKOUT_USER ||
        ip_fails >= CXM_HTTP_LOCKOUT_IP) {
        status = login_page(req, resp, 429,
                            "Too many failed logins. Wait 15 minutes and "
                            "try again.",
                            name, next);
        resp->retry_after = "900";
        cxm__form_release(&f);
        return status;
    }
    memset(&j, 0, sizeof(j));
    j.user = name;
    j.client = req->client;
    j.now = req->now;
    j.expires = req->now + req->ctx->session_ms;
    j.ok = h.found && crypto_pwhash_str_verify(h.hash, password,
                                               strlen(password)) == 0;
    sodium_memzero(&h, sizeof(h));
    memset(&s, 0, sizeof(s));
    if (j.ok) {
        randombytes_buf(id, sizeof(id));
        session_keys(id, &s);
        j.id_hash = s.id_hash;
    }
    rc = cxm__writer_run_quiet(req->ctx->writer, login_job_run, &j);
    if (rc) {
        sodium_memzero(id, sizeof(id));
        cxm__form_release(&f);
        return cxm__page_message(req, resp, 503, "Please try again",
                                 "The store failed.");
    }
    if (!j.ok) {
        status = login_page(req, resp, 401, "Wrong user name or password.",
                            name, next);
        cxm__form_release(&f);
        return status;
    }
    b64url(id_text, sizeof(id_text), id, sizeof(id));
    sodium_memzero(id, sizeof(id));
    set_cookie(req, resp->set_cookie[0], sizeof(resp->set_cookie[0]),
               SESSION_COOKIE, id_text, req->ctx->session_ms / 1000);
    sodium_memzero(id_text, sizeof(id_text));
    set_cookie(req, resp->set_cookie[1], sizeof(resp->set_cookie[1]),
               LOGIN_COOKIE, "", 0);
    snprintf(resp->location, sizeof(resp->location), "%s", safe_next(next));
    cxm__form_release(&f);
    return 303;
}

struct logout_job {
    const unsigned char *id_hash;
    int64_t now;
};

static cxm_rc logout_job_run(cxm_store *st, void *ud)
{
    struct logout_job *j = ud;

    return cxm__store_remove_sessions(st, j->id_hash, 32, NULL, j->now);
}

int cxm__http_logout(struct cxm__http_req *req, struct cxm__http_resp *resp)
{
    struct logout_job j = {req->session.id_hash, req->now};

    if (cxm__writer_run_quiet(req->ctx->writer, logout_job_run, &j))
        return cxm__page_message(req, resp, 503, "Please try again",
                                 "The store failed.");
    set_cookie(req, resp->set_cookie[0], sizeof(resp->set_cookie[0]),
               SESSION_COOKIE, "", 0);
    snprintf(resp->location, sizeof(resp->location), "/login");
    return 303;
}
