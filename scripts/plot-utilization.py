"""Plots for docs/utilization-aware.md from the JSON `npm run bench:utilization` writes.

Needs matplotlib (Debian: apt-get install python3-matplotlib). Usage:
  python3 scripts/plot-utilization.py [.run/utilization-aware.json] [docs/img]
"""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

src = Path(sys.argv[1] if len(sys.argv) > 1 else ".run/utilization-aware.json")
out = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/img")
out.mkdir(parents=True, exist_ok=True)
data = json.loads(src.read_text())
outcomes = data["outcomes"]
base = outcomes[0]

fig, ax = plt.subplots(figsize=(7.5, 4.8))
for o in outcomes[1:]:
    ax.scatter(o["gpusUsed"], o["interferenceGpuMinutes"], s=28, label=None)
    ax.annotate(o["sizing"], (o["gpusUsed"], o["interferenceGpuMinutes"]), fontsize=7, xytext=(3, 3),
                textcoords="offset points")
ax.scatter(base["gpusUsed"], base["interferenceGpuMinutes"], s=90, marker="*", color="black",
           label="request-based FGD")
ax.axhline(base["interferenceGpuMinutes"], color="black", lw=0.8, ls="--")
ax.set_yscale("symlog", linthresh=1)
ax.set_ylim(bottom=0)
ax.set_xlabel("GPUs needed (mean over seeds)")
ax.set_ylabel("interference: GPU-minutes with summed usage > 100%")
ax.set_title("gentd26: packing by usage (trailing pct x headroom) vs by request")
ax.legend(loc="upper right")
fig.tight_layout()
fig.savefig(out / "utilization-tradeoff.png", dpi=110)

fig, ax = plt.subplots(figsize=(7.5, 4.2))
names = [o["sizing"] for o in outcomes]
ax.bar(names, [o["effectiveUtilizationPct"] for o in outcomes], color=["black"] + ["tab:blue"] * (len(names) - 1))
ax.set_ylabel("effective utilization of the GPUs used, %")
ax.tick_params(axis="x", rotation=70, labelsize=7)
ax.set_title("Effective utilization by sizing (request-based first)")
fig.tight_layout()
fig.savefig(out / "utilization-effective.png", dpi=110)

ex = data["example"]
step_h = ex["stepS"] / 3600
fig, ax = plt.subplots(figsize=(7.5, 3.8))
ax.plot([i * step_h for i in range(len(ex["usagePct"]))], ex["usagePct"], lw=0.6, color="tab:gray", label="usage %")
hours = range(len(ex["predictedP95"]))
ax.step(list(hours), [v if v is not None else float("nan") for v in ex["predictedP95"]], where="post",
        color="tab:blue", label="trailing p95 (prediction for the next hour)")
ax.step(list(hours), [v if v is not None else float("nan") for v in ex["predictedMax"]], where="post",
        color="tab:red", label="trailing max")
ax.set_xlabel("hours")
ax.set_ylabel("GPU duty cycle %")
ax.set_title("The busiest gentd26 pod and its own-history predictions")
ax.legend(fontsize=7, loc="upper left")
fig.tight_layout()
fig.savefig(out / "utilization-prediction.png", dpi=110)
print(f"wrote {out}/utilization-tradeoff.png, utilization-effective.png, utilization-prediction.png")
