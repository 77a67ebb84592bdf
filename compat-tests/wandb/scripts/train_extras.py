"""A run using what the README lists beside the basics: config.update mid-run, a histogram, console
output, run.save of a file, finish with an exit code; then an artifact edited with artifact.save()."""
import json
import sys
from pathlib import Path

import wandb

project = sys.argv[1]
run = wandb.init(project=project, config={"lr": 0.1})
for step in range(5):
    run.log({"loss": 1.0 / (step + 1), "hist": wandb.Histogram([1, 2, 2, 3, 3, 3])})
run.config.update({"epochs": 5})
print("hello from the console", flush=True)
Path("notes.txt").write_text("saved with run.save\n")
run.save("notes.txt", policy="now")
art = wandb.Artifact("extras-data", type="dataset")
Path("a.txt").write_text("artifact bytes\n")
art.add_file("a.txt")
run.log_artifact(art).wait()
print(json.dumps({"id": run.id, "entity": run.entity, "project": run.project}), flush=True)
run.finish(exit_code=3)
