"""Three steps and finish. argv: project"""
import json
import sys

import wandb

run = wandb.init(project=sys.argv[1])
for step in range(3):
    wandb.log({"loss": 1.0 / (step + 1)})
print(json.dumps({"id": run.id, "entity": run.entity, "project": run.project}))
wandb.finish()
