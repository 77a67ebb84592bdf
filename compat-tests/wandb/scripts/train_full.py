"""A training run as a W&B user writes it: nested config, tags, notes, group, several metrics
(NaN and ±Inf among them), summary updates. argv: project"""
import json
import sys

import wandb

from wb_series import (FULL_CONFIG, FULL_GROUP, FULL_JOB_TYPE, FULL_NAME, FULL_NOTES, FULL_STEPS,
                       FULL_SUMMARY_UPDATES, FULL_TAGS, full_row)

run = wandb.init(project=sys.argv[1], name=FULL_NAME, config=FULL_CONFIG, tags=FULL_TAGS,
                 notes=FULL_NOTES, group=FULL_GROUP, job_type=FULL_JOB_TYPE)
for step in range(FULL_STEPS):
    wandb.log(full_row(step))
    if step == 500:
        run.summary["best_acc"] = 0.5
run.summary.update(FULL_SUMMARY_UPDATES)
print(json.dumps({"id": run.id, "entity": run.entity, "project": run.project}))
wandb.finish()
