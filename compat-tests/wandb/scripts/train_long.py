"""50,000 steps logged as fast as the client goes. argv: project steps"""
import json
import sys

import wandb

from wb_series import long_row

project, steps = sys.argv[1], int(sys.argv[2])
run = wandb.init(project=project)
for step in range(steps):
    wandb.log(long_row(step))
print(json.dumps({"id": run.id, "entity": run.entity, "project": run.project}))
wandb.finish()
