# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Cut-offs and sensitivity: where do the bands start, and whose advice is fragile?
#
# The total (0-100, higher means heavier need) falls into four bands, each with its advice:
#
# | band | total | advice |
# |---|---|---|
# | lighter | 0-20 | consider lighter care |
# | target | 20-55 | fits: placement advised |
# | elevated | 55-75 | fits, with conditions |
# | heavier | 75-100 | not suitable: refer |
#
# These boundaries are **provisional**. This notebook asks two questions:
#
# 1. **Cut-offs.** Do the boundaries separate placements that last from placements that break
#    down? We look at ROC and precision-recall curves at each boundary, and estimate data-based
#    cut-offs (Youden's J and a cost-weighted one) with bootstrap intervals.
# 2. **Sensitivity.** The weights are provisional too. If they were somewhat different, whose
#    advice would change? Those candidates deserve an explicit discussion in committee.
#
# All data are synthetic and seeded; pseudonymous ids such as `K00036` belong to no one.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import weegtool
from weegtool.research import (
    band_boundaries,
    boundary_roc,
    cost_cutoff,
    synthetic_cohort,
    weight_sensitivity,
    youden_cutoff,
)

pd.set_option("display.width", 160)
pd.set_option("display.max_colwidth", 120)
instrument = weegtool.load_instrument()
boundaries = band_boundaries(instrument)
boundaries

# %% [markdown]
# ## A synthetic pilot with outcomes
#
# The same kind of pilot as in notebook 02: 1,500 candidates, three raters, each with a known
# outcome. The event a higher total should predict is a placement that **broke down**
# (`breakdown == 1` in the synthetic truth; `outcome` is its complement, 1 when the placement continued).
#
# Two cautions for real data. Outcomes exist only for candidates who were placed (selective
# labels). And an outcome of placement says nothing about the **lighter/target** boundary: whether
# a young person would have done just as well in foster care is not observed when they were placed
# here. That boundary needs another kind of evidence.

# %%
cohort = synthetic_cohort(instrument, n_candidates=1500, n_raters=3, seed=11)
scores = weegtool.score(instrument, cohort.ratings, candidates=cohort.candidates)
truth = cohort.truth.set_index("candidate_id").reindex(scores.candidate_ids)
assessable = scores.assessable
total = scores.total[assessable]
breakdown = truth["breakdown"].to_numpy()[assessable]
print(
    f"{assessable.sum()} assessable candidates, {breakdown.sum()} breakdowns ({breakdown.mean():.1%})"
)

# %% [markdown]
# ## ROC and precision-recall, per band boundary
#
# `boundary_roc` gives the curves of the total itself and, for each boundary, the yes/no rule
# *total >= boundary*: its sensitivity (share of breakdowns flagged), specificity, PPV and NPV.

# %%
roc = boundary_roc(total, breakdown, instrument)
print(
    f"AUC of the total: {roc.auc:.3f}; average precision {roc.average_precision:.3f} "
    f"(prevalence {roc.n_events / roc.n:.3f})"
)
roc.to_frame()[["value", "flagged", "sensitivity", "specificity", "ppv", "npv"]].round(3)

# %%
points = roc.to_frame()
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
left.plot(roc.roc["fpr"], roc.roc["tpr"], color="black", lw=1.2, label=f"total (AUC {roc.auc:.2f})")
left.plot([0, 1], [0, 1], color="grey", lw=0.8, ls=":")
right.plot(
    roc.pr["recall"],
    roc.pr["precision"],
    color="black",
    lw=1.2,
    label=f"total (AP {roc.average_precision:.2f})",
)
right.axhline(roc.n_events / roc.n, color="grey", lw=0.8, ls=":", label="prevalence")
for (name, row), colour in zip(points.iterrows(), ["#6aa84f", "#e69138", "#cc0000"]):
    left.scatter(
        1 - row["specificity"],
        row["sensitivity"],
        color=colour,
        zorder=3,
        label=f"{name} ({row['value']:g})",
    )
    right.scatter(
        row["sensitivity"], row["ppv"], color=colour, zorder=3, label=f"{name} ({row['value']:g})"
    )
left.set(xlabel="1 - specificity", ylabel="sensitivity", title="ROC: predicting breakdown")
right.set(
    xlabel="recall (sensitivity)",
    ylabel="precision (PPV)",
    title="Precision-recall",
    ylim=(0, 1.02),
)
left.legend(fontsize=8, loc="lower right")
right.legend(fontsize=8, loc="lower left")
plt.tight_layout()
plt.show()

# %% [markdown]
# The total ranks candidates well (AUC about .8). The **target/elevated** boundary sits near the
# corner of the ROC curve; **elevated/heavier** flags few candidates, but most of those it flags
# do break down (high PPV); **lighter/target** flags almost everyone, as expected, since it is not
# about breakdown at all.
#
# ## Data-based cut-offs, with bootstrap intervals
#
# Each boundary has its own consequence, so each gets its own criterion:
#
# * **target/elevated** (*fits* becomes *fits, with conditions*: extra support). A needless
#   condition costs little, a missed breakdown a lot; we weigh sensitivity and specificity
#   equally: **Youden's J**.
# * **elevated/heavier** (*refer* to heavier or other care). Referring a young person whose
#   placement would have lasted is a serious harm: the committee judges a needless referral
#   **three times** as bad as a placement that breaks down: `cost_cutoff(cost_fn=1, cost_fp=3)`.
#
# Both come with 95% percentile intervals from 500 bootstrap resamples within each outcome class.

# %%
youden = youden_cutoff(total, breakdown, n_bootstrap=500, random_state=1)
cost = cost_cutoff(total, breakdown, cost_fn=1, cost_fp=3, n_bootstrap=500, random_state=1)
cutoffs = pd.concat([youden.to_frame(), cost.to_frame()])
cutoffs[
    ["cutoff", "cutoff_low", "cutoff_high", "criterion", "value", "sensitivity", "specificity"]
].round(3)

# %% [markdown]
# The cost ratio is a value judgement, not a finding. How much does the cut-off move with it?

# %%
ratios = [0.5, 1, 1.5, 2, 3, 4, 5, 6, 8]
sweep = pd.Series(
    {r: cost_cutoff(total, breakdown, cost_fn=1, cost_fp=r, n_bootstrap=0).cutoff for r in ratios},
    name="cut-off",
)
fig, ax = plt.subplots(figsize=(7, 3.2))
ax.step(sweep.index, sweep.values, where="post", color="black")
ax.scatter(sweep.index, sweep.values, color="black", s=12)
ax.axhline(
    boundaries["elevated/heavier"],
    color="#cc0000",
    ls="--",
    lw=0.8,
    label="current elevated/heavier (75)",
)
ax.axvline(3, color="grey", ls=":", lw=0.8, label="chosen ratio 1:3")
ax.set(
    xlabel="cost of a needless referral / cost of a missed breakdown",
    ylabel="cost-optimal cut-off",
    title="The cut-off follows the committee's cost ratio",
)
ax.legend(fontsize=8)
plt.tight_layout()
plt.show()
sweep.to_frame().T.round(1)

# %% [markdown]
# Where the totals of the two outcomes lie, with the current boundaries (dashed) and the
# data-based cut-offs with their intervals (shaded):

# %%
fig, ax = plt.subplots(figsize=(9, 3.8))
bins = np.linspace(0, 100, 41)
ax.hist(total[breakdown == 0], bins=bins, alpha=0.6, color="#6aa84f", label="placement continued")
ax.hist(total[breakdown == 1], bins=bins, alpha=0.6, color="#cc0000", label="placement broke down")
for name, value in boundaries.items():
    ax.axvline(value, color="black", ls="--", lw=0.8)
    ax.text(value, ax.get_ylim()[1] * 0.97, f" {name}", fontsize=7, va="top")
for cut, colour in [(youden, "#e69138"), (cost, "#cc0000")]:
    ax.axvspan(*cut.cutoff_ci, color=colour, alpha=0.15)
    ax.axvline(cut.cutoff, color=colour, lw=1.5, label=f"{cut.method}: {cut.cutoff:.1f}")
ax.set(
    xlabel="total",
    ylabel="candidates",
    title="Totals by outcome, boundaries and data-based cut-offs",
)
ax.legend(fontsize=8, loc="upper left")
plt.tight_layout()
plt.show()


# %% [markdown]
# ### The proposal
#
# A boundary moves only when the data say the current value is wrong: when it lies **outside**
# the interval of the data-based cut-off. Inside the interval, moving it would change candidates'
# advice on the strength of noise.


# %%
def verdict(current: float, cut) -> tuple[str, float]:
    low, high = cut.cutoff_ci
    if low <= current <= high:
        return "keep: the current value lies inside the interval", current
    return f"move: the current value lies outside [{low:.1f}, {high:.1f}]", round(cut.cutoff)


rows = [
    {
        "boundary": "lighter/target",
        "current": boundaries["lighter/target"],
        "criterion": "none (not estimable)",
        "estimate": np.nan,
        "interval": "",
        "verdict": "keep: placement outcomes cannot inform it",
        "proposed": boundaries["lighter/target"],
    }
]
for name, cut, criterion in [
    ("target/elevated", youden, "Youden's J"),
    ("elevated/heavier", cost, "cost, needless referral 3x missed breakdown"),
]:
    text, proposed = verdict(boundaries[name], cut)
    rows.append(
        {
            "boundary": name,
            "current": boundaries[name],
            "criterion": criterion,
            "estimate": cut.cutoff,
            "interval": f"{cut.cutoff_ci[0]:.1f}-{cut.cutoff_ci[1]:.1f}",
            "verdict": text,
            "proposed": proposed,
        }
    )
proposed_cutoffs = pd.DataFrame(rows).set_index("boundary")
proposed_cutoffs.round(1)

# %% [markdown]
# ## Sensitivity to the weights
#
# `weight_sensitivity` draws 500 plausible alternative weightings around the current ones
# (Dirichlet, concentration 100: a domain's share of 0.20 varies by about ±0.04, an item's share
# within its domain likewise), re-scores every candidate under each, and re-applies the advice
# rules (bands, domain ceilings, flags and preconditions). It also varies one weight at a time by
# ±20% to see which weights matter most.

# %%
pilot = weight_sensitivity(
    instrument,
    cohort.ratings,
    n_draws=500,
    concentration=100,
    random_state=1,
    perturb="both",
    candidates=cohort.candidates,
)
pilot.summary().to_frame()

# %%
matters = pilot.weights[
    [
        "kind",
        "weight",
        "share",
        "elasticity",
        "band_change",
        "advice_change_up",
        "advice_change_down",
    ]
]
print(
    "mean elasticity (points of the total per unit change of log weight):",
    matters.groupby("kind")["elasticity"].mean().round(2).to_dict(),
)
matters.head(8).round(3)

# %% [markdown]
# **Which weights matter most:** the five **domain weights**, each about equally (a 20% change
# of one moves the band of about 2% of candidates); item weights matter far less (below 0.5%
# each). So the domain weights are the ones worth calibrating carefully (notebook 02), and the
# item weights can stay at their expert values for now.
#
# Whose advice changes? Candidates close to a band boundary, of course, but also candidates with a
# **domain score near a ceiling** (a domain at 90 or more triggers *refer* or *conditions* whatever
# the total): a candidate can be fragile with a comfortable margin to the nearest band.

# %%
fig, ax = plt.subplots(figsize=(9, 3.6))
kept = pilot.candidates
ax.scatter(kept["total"], kept["advice_kept"], s=8, alpha=0.5, color="black")
for value in boundaries.values():
    ax.axvline(value, color="grey", ls="--", lw=0.8)
ax.axhline(0.9, color="#cc0000", lw=0.8, label="fragile below 0.9")
ax.set(
    xlabel="total (current weights)",
    ylabel="share of draws keeping the advice",
    title="Fragile advice sits at the band boundaries, and at domain ceilings",
)
ax.legend(fontsize=8, loc="lower right")
plt.tight_layout()
plt.show()
print(f"{(kept['advice_kept'] < 0.9).mean():.1%} of the pilot's candidates have a fragile advice")

# %% [markdown]
# ## This month's referrals: whose advice is fragile?
#
# The committee meets on a new round of 40 referrals (a separate synthetic cohort; its
# pseudonymous ids restart at K00001). We call an advice **fragile** when more than one in ten
# plausible weightings changes it, and say why: the margin to the nearest band boundary, or the
# domain score closest to a ceiling.

# %%
referrals = synthetic_cohort(instrument, n_candidates=40, n_raters=3, seed=404)
round_scores = weegtool.score(instrument, referrals.ratings, candidates=referrals.candidates)
advices = weegtool.advise(round_scores)
sensitivity = weight_sensitivity(
    instrument,
    referrals.ratings,
    n_draws=500,
    concentration=100,
    random_state=1,
    perturb="both",
    candidates=referrals.candidates,
)

domain_scores = round_scores.to_frame()
NEAR = 5.0  # points


def why_fragile(candidate: str) -> str:
    """A total near a band boundary, and any domain score near one of its ceilings."""
    advice, reasons = advices.get(candidate), []
    if advice.margin is not None and advice.margin < NEAR:
        reasons.append(f"total {advice.margin:.1f} from band {advice.nearest_band}")
    for ceiling in instrument.spec.advice.ceilings:
        value = domain_scores.loc[candidate, f"domain.{ceiling.domain}"]
        if abs(value - ceiling.at) < NEAR:
            side = "at/above" if value >= ceiling.at else "just below"
            reasons.append(
                f"{ceiling.domain} {value:.1f} {side} its ceiling {ceiling.at:g} ({ceiling.advice})"
            )
    return "; ".join(reasons) or "several weights together"


fragile = (
    sensitivity.candidates[sensitivity.candidates["advice_kept"] < 0.9]
    .sort_values("advice_kept")
    .copy()
)
fragile["why fragile"] = [why_fragile(c) for c in fragile.index]
print(f"{len(fragile)} of {len(sensitivity.candidates)} referrals have a fragile advice")

# %% [markdown]
# ## Conclusion
#
# **Proposed cut-offs.** The data-based cut-offs lie close to the provisional boundaries, and the
# provisional values sit inside their intervals: the pilot gives **no reason to move them**. The
# intervals are wide (ten to fifteen points), so the cut-offs should be re-estimated when real outcomes
# accumulate; the cost ratio for referral (here 1:3) is the committee's to set, and moves the
# cut-off more than the sampling noise does.

# %%
proposed_cutoffs[["current", "criterion", "estimate", "interval", "proposed", "verdict"]].round(1)

# %% [markdown]
# **Fragile advice in this round.** For these candidates the advice depends on the provisional
# weights; the committee discusses each explicitly and records its reasoning (*pas toe of leg uit*),
# whatever the advice says:

# %%
fragile[["total", "band", "advice", "advice_kept", "other_band", "why fragile"]].round(2)

# %% [markdown]
# **Samenvatting (NL):** de voorlopige afkappunten (20, 55, 75) vallen binnen de betrouwbaarheids-
# intervallen van de op uitkomsten geschatte afkappunten en blijven dus staan; de domeingewichten
# bepalen de advisering veel meer dan de itemgewichten, en voor de kandidaten in de laatste tabel is
# het advies kwetsbaar: bespreek hen expliciet in de commissie.
