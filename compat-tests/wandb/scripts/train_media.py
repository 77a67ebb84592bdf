"""Media a W&B user logs: an image, a table, a confusion-matrix plot, and a dataset artifact.
argv: project payload_path"""
import json
import sys

import numpy as np
import wandb

project, payload = sys.argv[1], sys.argv[2]
run = wandb.init(project=project, config={"kind": "media"})
pixels = (np.arange(16 * 16 * 3, dtype=np.uint8).reshape(16, 16, 3) * 5) % 251
wandb.log({"loss": 0.5, "sample": wandb.Image(pixels, caption="a gradient")})
table = wandb.Table(columns=["id", "label", "score"], data=[[1, "cat", 0.9], [2, "dog", 0.75], [3, "cat", 0.2]])
wandb.log({"loss": 0.25, "predictions": table})
y_true = [0, 1, 1, 2, 2, 2]
preds = [0, 1, 2, 2, 2, 1]
wandb.log({"loss": 0.125, "conf_mat": wandb.plot.confusion_matrix(y_true=y_true, preds=preds,
                                                                 class_names=["a", "b", "c"])})
artifact = wandb.Artifact("dataset", type="dataset", description="the training data",
                          metadata={"rows": 3})
artifact.add_file(payload, name="data/payload.bin")
logged = run.log_artifact(artifact)
logged.wait()
print(json.dumps({"id": run.id, "entity": run.entity, "project": run.project, "run_dir": run.dir,
                  "artifact": logged.qualified_name if hasattr(logged, "qualified_name") else None}))
wandb.finish()
