"""The engine's dry runs of every case, made once per pytest session and shared by xdist workers."""

from __future__ import annotations

import json
import os
from pathlib import Path

from engine_oracle.cases import Case, all_cases
from engine_oracle.engine import locked, payload, run_of, run_reports
from engine_oracle.oracle import Context, prepare

CASES = all_cases()


class Oracle:
    """Runs the cases of a group on first demand; workers share the results through the lock."""

    def __init__(self, shared: Path) -> None:
        self.shared = shared
        self.groups: dict[str, dict[str, Context]] = {}

    def context(self, case: Case) -> Context:
        if case.group not in self.groups:
            self.groups[case.group] = self._run(case.group)
        return self.groups[case.group][case.id]

    def _run(self, group: str) -> dict[str, Context]:
        home = self.shared / group
        with locked(self.shared / f"{group}.lock"):
            prepared = [prepare(c, home) for c in CASES if c.group == group]
            store = self.shared / f"{group}.json"
            if store.is_file():
                reports = json.loads(store.read_text())
            else:
                pending = {
                    str(r.workdir): r for p in prepared for rs in p.requests.values() for r in rs
                }
                done = run_reports([payload(r) for r in pending.values()], jobs=os.cpu_count() or 2)
                reports = dict(zip(pending, done, strict=True))
                store.write_text(json.dumps(reports))
        return {
            p.case.id: Context(
                p,
                {
                    name: [run_of(r, reports[str(r.workdir)]) for r in requests]
                    for name, requests in p.requests.items()
                },
            )
            for p in prepared
        }
