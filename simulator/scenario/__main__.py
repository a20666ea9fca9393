"""``python -m simulator.scenario``: print the scenario format's JSON Schema.

The output is what ``simulator/scenario/scenario.schema.json`` must hold (a test compares
them): ``python -m simulator.scenario > simulator/scenario/scenario.schema.json``.
"""

from __future__ import annotations

import sys

from simulator.scenario.schema import json_schema_text

sys.stdout.write(json_schema_text())
