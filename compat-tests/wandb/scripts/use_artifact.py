"""A second run that consumes the dataset artifact. argv: project artifact_name download_root"""
import json
import sys

import wandb

project, name, root = sys.argv[1], sys.argv[2], sys.argv[3]
run = wandb.init(project=project, job_type="eval")
artifact = run.use_artifact(name)
path = artifact.download(root=root)
print(json.dumps({"id": run.id, "path": path, "version": artifact.version, "digest": artifact.digest}))
wandb.finish()
