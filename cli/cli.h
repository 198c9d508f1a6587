/* SPDX-License-Identifier: MIT
 *
 * cli.h — shared by the files of the cxmeter program: the subcommands, the
 * small option parser they use and the exit statuses of SPEC §4. The
 * program uses the public API only (include/cxmeter/).
 */
#ifndef CXM_CLI_H
#define CXM_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "cxmeter/cxmeter.h"

/* Exit statuses (SPEC §4). */
enum cli_exit {
    EXIT_OK_ = 0,
    EXIT_INPUT = 1,  /* bad input: a file, a row, a value */
    EXIT_USAGE = 2,  /* usage error, or nothing requested applies */
    EXIT_STORE = 3   /* the store failed */
};

/* What a command was doing when a library call failed: the same status
 * code can mean different things (exitcode.c). */
enum cli_step {
    CLI_READING,   /* reading input, or a version or survey from the
                    * store: not found is bad input (exit 1) */
    CLI_OPENING,   /* opening the store: all but a usage error is exit 3 */
    CLI_NAMING,    /* a key typed on the command line: not found is a
                    * usage error (exit 2) */
    CLI_REPORTING  /* building a report: too big is a usage error */
};

/* The exit status for a library status code (exitcode.c, the one place);
 * cli_exit_for() is cli_exit_at(rc, CLI_READING). */
int cli_exit_at(cxm_rc rc, enum cli_step step);
int cli_exit_for(cxm_rc rc);

/* `status`, or EXIT_STORE after naming the reason on stderr when standard
 * output could not be written (a full disk, a closed pipe). main() calls
 * it once, after the command. */
int cli_stdout_status(int status);

/* Settings common to every command. */
struct cli_env {
    const char *db;   /* --db, else $CXMETER_DB, else ./cxmeter.db; NULL
                       * when CXMETER_DB is set but empty (an error) */
    /* --read-db, else $CXMETER_READ_DB, else NULL: where the commands
     * that only read (report, export, comments, the dashboard of serve)
     * open their store — a PostgreSQL streaming replica, say. */
    const char *read_db;
    const char *argv0;
};

/* Opens env->db for `cmd` as `mode` says (CXM_OPEN_READ for a command
 * that only reads: an existing store only, env->read_db when set; CXM_OPEN_CREATE for one that
 * writes). Returns EXIT_OK_ and sets *st, or prints the error (naming the
 * store and the reason) and returns the exit status: 2 for an empty
 * CXMETER_DB or --db, or an engine this build lacks; 3 otherwise. */
int cli_open_store(const struct cli_env *env, const char *cmd, int mode,
                   cxm_store **st);

/* True when env->db names a SQLite file that does not exist, or a
 * PostgreSQL database holding no store (a reading command then has no
 * store to open). */
bool cli_no_store(const struct cli_env *env);

/* Option parsing: each command calls cli_opt_next() until it returns 0.
 * Accepts `--name value`, `--name=value`, flags, and `--` to end options;
 * arguments that are not options are collected as positionals. */
struct cli_optspec {
    const char *name;  /* without the leading "--" */
    bool has_arg;
    int id;            /* returned by cli_opt_next() */
};

struct cli_opts {
    int argc;
    char **argv;
    int i;
    const struct cli_optspec *specs;
    const char *arg;   /* value of the option just returned */
    const char **pos;  /* positionals (borrowed from argv) */
    int n_pos;
    const char *cmd;   /* for messages */
};

/* Returns an option id; 0 at the end; -1 after printing an error. */
int cli_opt_next(struct cli_opts *o);
void cli_opts_init(struct cli_opts *o, const char *cmd, int argc,
                   char **argv, const struct cli_optspec *specs);
void cli_opts_release(struct cli_opts *o);

/* Prints "cxmeter CMD: message" on stderr. */
void cli_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses a --from/--to value: a SPEC timestamp or a plain date. */
bool cli_parse_time(const char *s, int64_t *out);

/* A finite number as strtod() reads it, nothing after it. */
bool cli_parse_double(const char *s, double *out);
/* Strict unsigned decimal: digits only, no sign, no overflow. */
bool cli_parse_u64(const char *s, uint64_t *out);

/* Formats n with thousands separators ("9,812") into dst. */
const char *cli_thousands(uint64_t n, char *dst, size_t cap);

/* Prints the help of `cmd` ("" for the program) on stdout. */
void cli_help(const char *cmd);
/* True when `cmd` has a help text. */
bool cli_has_help(const char *cmd);

int cmd_import(struct cli_env *env, int argc, char **argv);
int cmd_report(struct cli_env *env, int argc, char **argv);
int cmd_benchmark(struct cli_env *env, int argc, char **argv);
int cmd_demo_data(struct cli_env *env, int argc, char **argv);
int cmd_definitions(struct cli_env *env, int argc, char **argv);
int cmd_config(struct cli_env *env, int argc, char **argv);
int cmd_survey(struct cli_env *env, int argc, char **argv);
int cmd_serve(struct cli_env *env, int argc, char **argv);
int cmd_token(struct cli_env *env, int argc, char **argv);
int cmd_user(struct cli_env *env, int argc, char **argv);
int cmd_export(struct cli_env *env, int argc, char **argv);
int cmd_migrate(struct cli_env *env, int argc, char **argv);
int cmd_alert(struct cli_env *env, int argc, char **argv);
int cmd_comments(struct cli_env *env, int argc, char **argv);
/* Evaluates the store's alert rules at `now_ms` (the last complete
 * window) and names each new firing on stderr as "cxmeter CMD: alert:
 * ..." (cmd_alert.c); a failure is only named. */
void cli_alerts_after_import(cxm_store *st, const char *cmd,
                             int64_t now_ms);
/* Now, ms since the epoch. */
int64_t cli_now_ms(void);
int cmd_rule(struct cli_env *env, int argc, char **argv);
int cmd_outbox(struct cli_env *env, int argc, char **argv);

/* The settings of sending from the environment (CXMETER_SMTP_URL for
 * smtp.url, …: CXMETER_ and the key in capitals, '.' as '_'), as the
 * overrides of a struct cxm_send_opts (cmd_send.c). `e` holds them and
 * must outlive `o`. */
#define CLI_SEND_MAX_KEYS 16
struct cli_send_env {
    char names[CLI_SEND_MAX_KEYS][48];
    const char *kv[2 * CLI_SEND_MAX_KEYS + 1];
};
void cli_send_opts(struct cli_send_env *e, struct cxm_send_opts *o);
/* The trigger pass after an import: what it decided on stderr. */
void cli_send_after_import(cxm_store *st);

#endif /* CXM_CLI_H */
