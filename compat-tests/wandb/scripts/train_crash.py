"""A run whose script dies of an uncaught exception after five steps. argv: project"""
import json
import sys

import wandb

run = wandb.init(project=sys.argv[1], config={"lr": 0.1})
print(json.dumps({"id": run.id, "entity": run.entity, "project": run.project}), flush=True)
for step in range(5):
    wandb.log({"loss": 1.0 / (step + 1)})
raise RuntimeError("the data loader broke")
