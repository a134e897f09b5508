"""One run of the pipeline as library code: its context, stages, executors and loop.

``run_once(settings)`` runs a whole run in this process without Prefect; the
Prefect flow runs the same loop with its stages as tasks.
"""

from translator_pipeline.run.context import RunContext
from translator_pipeline.run.loop import run_once

__all__ = ["RunContext", "run_once"]
