"""The values the scenario scripts log, so that a test knows every point without reading the script's output."""
import math

FULL_STEPS = 1000
FULL_CONFIG = {
    "lr": 0.001,
    "epochs": 10,
    "model": "mlp",
    "optimizer": {"name": "adam", "betas": [0.9, 0.999], "schedule": {"kind": "cosine", "warmup": 100}},
}
# The params MLflow shows for FULL_CONFIG: nested keys joined with ".", strings as they are, other values as JSON.
FULL_PARAMS = {
    "lr": "0.001", "epochs": "10", "model": "mlp", "optimizer.name": "adam", "optimizer.betas": "[0.9,0.999]",
    "optimizer.schedule.kind": "cosine", "optimizer.schedule.warmup": "100",
}
FULL_TAGS = ["compat", "baseline"]
FULL_NOTES = "a 1,000-step run with a nested config"
FULL_GROUP = "grid-1"
FULL_JOB_TYPE = "train"
FULL_NAME = "full-run"
# run.summary updates beside the values the history leaves there.
FULL_SUMMARY_UPDATES = {"best_acc": 0.97, "verdict": "converged", "epochs_done": 10}
SPECIAL = {100: math.nan, 200: math.inf, 300: -math.inf}


def full_row(step: int) -> dict:
    """The keys logged at one step of the 1,000-step run: every step loss/acc/lr, every 10th val/loss."""
    row = {"loss": SPECIAL.get(step, 1.0 / (step + 1)), "acc": step / FULL_STEPS, "lr": 0.001 * 0.5 ** (step // 250)}
    if step % 10 == 0:
        row["val/loss"] = 2.0 / (step + 2)
    return row


def resume_value(step: int) -> float:
    return (step * 7 % 13) / 13.0


def long_row(step: int) -> dict:
    return {"loss": 1.0 / (step + 1), "step_mod": float(step % 97)}
