"""A plain training loop, as a user would write it: one log_metrics call per step."""
import math
import sys

import mlflow

metrics, steps = int(sys.argv[1]), int(sys.argv[2])
mlflow.set_experiment("bench-training-loop")
with mlflow.start_run():
    mlflow.log_params({"lr": 0.01, "batch_size": 32})
    for step in range(steps):
        mlflow.log_metrics({f"metric_{k}": math.sin(step / 100 + k) for k in range(metrics)}, step=step)
    mlflow.flush_async_logging()
