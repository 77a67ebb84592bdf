"""An offline run, to be uploaded later with `wandb sync`. argv: project"""
import json
import sys

import wandb

run = wandb.init(project=sys.argv[1], mode="offline", config={"batch": 32, "data": {"name": "mnist"}},
                 tags=["offline"], name="offline-run")
for step in range(100):
    wandb.log({"loss": 1.0 / (step + 1), "acc": step / 100})
run.summary["best"] = 0.99
print(json.dumps({"id": run.id, "dir": run.dir}))
wandb.finish()
