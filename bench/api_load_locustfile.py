"""The locust users of ``python -m bench api-load`` (run by locust in its own process,
never imported by the benchmark itself: locust patches the standard library with gevent).

Each user asks ``GET /companies/{id}/risk`` for a random company, back to back (no think
time: the server is kept saturated). The ids and the viewer key come from the environment
that ``bench/api_load.py`` sets.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from locust import constant
from locust.contrib.fasthttp import FastHttpUser
from locust.user.task import task

IDS: list[str] = json.loads(Path(os.environ["RISKGRAPH_LOAD_IDS"]).read_text(encoding="utf-8"))
KEY = os.environ["RISKGRAPH_LOAD_KEY"]


class Investigator(FastHttpUser):
    """One client asking for company risk files, one after another."""

    wait_time = constant(0)

    @task
    def risk(self) -> None:
        company = random.choice(IDS)
        self.client.get(
            f"/companies/{company}/risk",
            headers={"X-API-Key": KEY},
            name="/companies/{id}/risk",
        )
