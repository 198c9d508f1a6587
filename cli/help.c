/* SPDX-License-Identifier: MIT
 *
 * help.c — the help text of every command. docs/cxmeter.1.md says the same
 * at more length; keep the two in step.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

struct help {
    const char *cmd;
    const char *text;
};

static const struct help helps[] = {
    {"",
     "usage: cxmeter COMMAND [OPTIONS]\n"
     "\n"
     "Measures whether customer service works: CSAT, NPS, CES and ticket\n"
     "KPIs from CSV exports, by any period and breakdown.\n"
     "\n"
     "commands:\n"
     "  import     import CSV files of one record kind into the store\n"
     "  report     compute metrics by period and breakdown\n"
     "  demo-data  write a realistic demo data set as CSV files\n"
     "  benchmark  store a reference figure reports compare with\n"
     "  definitions  show, set or list the versions of the metric\n"
     "             definitions reports compute with\n"
     "  help CMD   show the help of CMD\n"
     "\n"
     "The store is ./cxmeter.db, or $CXMETER_DB, or --db PATH.\n"
     "Exit status: 0 ok, 1 bad input, 2 usage error, 3 store error.\n"
     "Run 'cxmeter CMD --help' for a command's options; 'man cxmeter'.\n"},
    {"import",
     "usage: cxmeter import [--db PATH] [--strict] [--quiet] KIND FILE...\n"
     "\n"
     "Imports CSV files of one record kind (SPEC section 1) in one\n"
     "transaction. KIND is one of: tickets, responses, customers, orders,\n"
     "selfservice, agents, agent_hours, reviews, qa_scores; or zendesk /\n"
     "freshdesk for those helpdesks' ticket exports (docs/import.md).\n"
     "\n"
     "Each rejected row is named on stderr as FILE:LINE:COL: COLUMN: reason;\n"
     "the other rows are stored. A row whose id is already stored replaces\n"
     "it, so importing a file twice changes nothing.\n"
     "\n"
     "options:\n"
     "  --db PATH   the store (default $CXMETER_DB or ./cxmeter.db)\n"
     "  --strict    store nothing if any row is rejected\n"
     "  --quiet     no progress line on stderr\n"
     "\n"
     "Exit status: 0 every row imported; 1 a row was rejected, a file\n"
     "could not be read or lacks a required column; 2 usage error;\n"
     "3 store error.\n"},
    {"report",
     "usage: cxmeter report [--db PATH] [--metrics M1,M2] [--by D1,D2]\n"
     "                      [--from T] [--to T] [--tz ZONE]\n"
     "                      [--compare previous] [--format table|json|csv]\n"
     "                      [--read auto|columns|rows] [--explain]\n"
     "                      [--timing]\n"
     "                      [--definitions N]\n"
     "\n"
     "Computes metrics over the period [--from, --to) (default: all the\n"
     "data), one row per value of the breakdown.\n"
     "\n"
     "metrics: csat csat_mean nps ces ces_agree created resolved\n"
     "         resolution_rate fcr backlog art frt escalation_rate\n"
     "         complaints_per_1000 selfservice_rate deflection_rate churn\n"
     "         retention repurchase_rate post_service_repurchase\n"
     "         conversion_rate revenue revenue_at_risk agent_productivity\n"
     "         agent_turnover review_rating qa_score\n"
     "         (default: every metric that has data)\n"
     "by:      day week month quarter year agent team channel language\n"
     "         topic survey segment source, alone or crossed\n"
     "         (month,channel)\n"
     "\n"
     "options:\n"
     "  --db PATH       the store (default $CXMETER_DB or ./cxmeter.db)\n"
     "  --metrics LIST  comma-separated metrics\n"
     "  --by LIST       comma-separated breakdown dimensions\n"
     "  --from T        period start, inclusive (2026-01-01 or ISO 8601)\n"
     "  --to T          period end, exclusive\n"
     "  --tz ZONE       time zone of the time buckets (UTC)\n"
     "  --format F      table (default), json or csv\n"
     "  --compare previous  each figure beside the previous period's,\n"
     "                  with the change and its p-value\n"
     "  --read HOW      how survey answers are read: auto (rollups, else\n"
     "                  column segments, else rows), columns, or rows;\n"
     "                  the figures are the same (cross-checks, benchmarks);\n"
     "                  columns says on stderr why when the rows serve\n"
     "  --explain       say on stderr how answers were read: rollups,\n"
     "                  columns or rows\n"
     "  --timing        say on stderr how long the report took inside the\n"
     "                  process: store opened, computed, written (ms)\n"
     "  --definitions N compute with definitions version N (default: the\n"
     "                  current; see cxmeter definitions)\n"
     "\n"
     "Proportions carry a 95 % Wilson interval, NPS a normal interval,\n"
     "means a Student t interval; fewer than 30 answers are flagged low_n.\n"
     "Exit status: 0 ok; 2 usage error or no requested metric applies to\n"
     "the breakdown; 3 store error.\n"},
    {"benchmark",
     "usage: cxmeter benchmark set METRIC VALUE --label LABEL [--db PATH]\n"
     "\n"
     "Stores VALUE as the benchmark of METRIC (an industry CSAT, a\n"
     "competitor's NPS). Reports show each figure's gap to the latest\n"
     "benchmark of its metric.\n"},
    {"definitions",
     "usage: cxmeter definitions show [--version N] [--format json|table]\n"
     "       cxmeter definitions set KEY VALUE [KEY VALUE...] [--by NAME]\n"
     "                               [--note TEXT]\n"
     "       cxmeter definitions history [--format json|table]\n"
     "\n"
     "The metric definitions every report computes with and names, kept as\n"
     "versions: 'set' stores a new version from the current one with the\n"
     "given keys changed, who set it (--by, else $USER) and why (--note).\n"
     "Version 1 is SPEC section 2 as written. Nothing is ever overwritten.\n"
     "\n"
     "keys:\n"
     "  csat.satisfied   top2 (default) | topN | scores, e.g. 5 or 4,5\n"
     "  ces.agree        above_mid (default) | topN | scores, e.g. 6,7\n"
     "  fcr.rule         contacts (default: contacts = 1, not reopened) |\n"
     "                   one_touch (fewer than 2 agent replies) |\n"
     "                   repeat_contact (no other ticket of the customer\n"
     "                   within fcr.repeat_days of resolution)\n"
     "  fcr.repeat_days  1..365 (default 7)\n"
     "  exclude.status   statuses left out, e.g. spam,merged (default none)\n"
     "  exclude.tags     tags left out, e.g. auto_resolved (default none)\n"
     "  rating.agent     response (default) | ticket_assignee\n"
     "  calendar.TEAM    business hours of TEAM (* = any other team), e.g.\n"
     "                   'tz=Asia/Jakarta; hours=mon-fri 09:00-17:00;\n"
     "                   holidays=2026-03-19,2026-03-20'; none removes it.\n"
     "                   art and frt then also report business time.\n"
     "\n"
     "options:\n"
     "  --db PATH     the store (default $CXMETER_DB or ./cxmeter.db)\n"
     "  --version N   show version N (default: the current)\n"
     "  --format F    table (default) or json\n"
     "  --by NAME     who sets them (default $USER)\n"
     "  --note TEXT   why\n"
     "\n"
     "Exit status: 0 ok; 1 a bad value or unknown version; 2 usage error;\n"
     "3 store error.\n"},
    {"demo-data",
     "usage: cxmeter demo-data [--seed S] [--tickets N] [--days D] --out DIR\n"
     "\n"
     "Writes a realistic, deterministic data set of all nine record kinds\n"
     "as CSV files into DIR (created if missing): two years of tickets,\n"
     "about one survey answer per ticket, customers, orders, self-service\n"
     "sessions, agents and their hours, reviews and QA scores.\n"
     "\n"
     "options:\n"
     "  --seed S      random seed (default 1); same seed, same files\n"
     "  --tickets N   number of tickets (default 5000)\n"
     "  --days D      length of the data in days (default 730)\n"
     "  --out DIR     where to write the files\n"},
    {NULL, NULL},
};

bool cli_has_help(const char *cmd)
{
    for (const struct help *h = helps; h->cmd; h++) {
        if (strcmp(h->cmd, cmd) == 0)
            return true;
    }
    return false;
}

void cli_help(const char *cmd)
{
    for (const struct help *h = helps; h->cmd; h++) {
        if (strcmp(h->cmd, cmd) == 0) {
            fputs(h->text, stdout);
            return;
        }
    }
}
