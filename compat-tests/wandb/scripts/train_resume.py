"""Logs `steps` more rows into the run `run_id`, resumed with `resume` ("allow" or "must"); the values are
those of steps `first`… so that the test can tell where they landed. argv: project run_id resume first steps"""
import json
import sys

import wandb

from wb_series import resume_value

project, run_id, resume, first, steps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
run = wandb.init(project=project, id=run_id, resume=resume, config={"seed": 7})
for step in range(first, first + steps):
    wandb.log({"loss": resume_value(step)})
print(json.dumps({"id": run.id, "entity": run.entity, "project": run.project}))
wandb.finish()
