#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen-many-agents.py N AGENTS OUT — N survey answers (csat, nps, ces in
turn) over 2026 for AGENTS distinct agents (agent_id ag%06d, answer i
by agent i × AGENTS / N), 8 teams, 4 channels: the responses.csv of
docs/performance.md, "Many agents". Deterministic."""
import random
import sys


def main():
    n, agents, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    r = random.Random(7)
    surveys = [("csat", "1-5", 1, 5), ("nps", "0-10", 0, 10),
               ("ces", "1-7", 1, 7)]
    teams = ["t%d" % i for i in range(8)]
    chans = ["web", "chat", "phone", "email"]
    with open(out, "w") as f:
        f.write("response_id,survey,responded_at,score,scale,agent_id,team,"
                "channel,language\n")
        for i in range(n):
            s, sc, lo, hi = surveys[i % 3]
            day = i * 365 // n
            mo = min(1 + day // 31, 12)
            d = 1 + day % 28
            a = (i * agents) // n
            f.write("R%08d,%s,2026-%02d-%02dT%02d:%02d:00Z,%d,%s,ag%06d,%s,"
                    "%s,en\n" % (i, s, mo, d, i % 24, i % 60,
                                 r.randint(lo, hi), sc, a, teams[a % 8],
                                 chans[i % 4]))


if __name__ == "__main__":
    main()
