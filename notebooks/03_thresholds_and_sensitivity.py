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
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import weegtool
from weegtool.research import (
    SelectiveLabelsWarning,
    band_boundaries,
    boundary_roc,
    cost_cutoff,
    cutoff_loss,
    export_folder,
    read_export,
    selection_bounds,
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
# ## A synthetic pilot with outcomes for the placed only
#
# The same kind of pilot as in notebook 02: 1,500 candidates, three raters. The synthetic
# committee follows the engine's advice for most candidates and deviates for one in ten; only the
# candidates it **placed** have an outcome, as in reality. The event a higher total should predict
# is a placement that **broke down** (`breakdown == 1`: ended unplanned, by breakdown, move to
# heavier care or crisis).
#
# Two consequences. Cut-offs estimated on the placed describe the placed, and the placed are the
# lighter candidates (selective labels): every estimate below comes with a **sensitivity analysis**
# for the outcomes the unplaced would have had. And an outcome of placement says nothing about the
# **lighter/target** boundary: whether a young person would have done as well in foster care is
# not observed when they were placed here.
#
# Because the data are synthetic, we also know what selection hides: `outcomes="all"` gives every
# candidate's outcome. A real pilot never has that column; we use it only to say how selection
# moved the verdicts.

# %% [markdown]
# **Which data.** By default the synthetic pilot. To run this notebook on the pilot's own data,
# download the three CSV files of the web app's *Onderzoek* page (ratings, decisions, outcomes)
# into one folder and set the environment variable `WEEGTOOL_EXPORT` to that folder before
# starting Jupyter (`WEEGTOOL_EXPORT=~/export jupyter lab`). `read_export` reads it into the same
# shape as `synthetic_cohort`; only the synthetic pilot has the column of what selection hides.

# %%
EXPORT = export_folder()  # None: synthetic data
if EXPORT is None:
    cohort = synthetic_cohort(instrument, n_candidates=1500, n_raters=3, seed=11)
    everyone = synthetic_cohort(instrument, n_candidates=1500, n_raters=3, seed=11, outcomes="all")
else:
    cohort = read_export(EXPORT)
    everyone = None  # a real pilot never knows the outcomes of the unplaced
scores = weegtool.score(instrument, cohort.ratings, candidates=cohort.candidates)
truth = cohort.truth.set_index("candidate_id").reindex(scores.candidate_ids)
assessable = scores.assessable
total = scores.total[assessable]
breakdown = truth["breakdown"].to_numpy()[assessable]  # NaN where not placed
placed = truth["placed"].to_numpy(dtype=bool)[assessable]
breakdown_all = (
    None
    if everyone is None
    else everyone.truth.set_index("candidate_id")
    .reindex(scores.candidate_ids)["breakdown"]
    .to_numpy()[assessable]
)  # what selection hides: synthetic only
n_events = int(np.nansum(breakdown))
n_lasting = int(placed.sum()) - n_events
print(
    f"data: {'synthetic pilot' if EXPORT is None else f'the export in {EXPORT}'}; "
    f"{assessable.sum()} assessable candidates, {placed.sum()} placed, "
    f"{n_events} breakdowns and {n_lasting} placements that lasted (or go on)"
    + ("" if breakdown_all is None else f"; had everyone been placed: {breakdown_all.mean():.1%}")
)

# %% [markdown]
# ## ROC and precision-recall, per band boundary (the placed)
#
# `boundary_roc` gives the curves of the total itself and, for each boundary, the yes/no rule
# *total >= boundary*: its sensitivity (share of breakdowns flagged), specificity, PPV and NPV.
# Given `placed`, it uses the placed and says, in a `SelectiveLabelsWarning`, that the
# estimate rests on a selected group.

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", SelectiveLabelsWarning)
    roc = boundary_roc(total, breakdown, instrument, placed=placed)
print(caught[0].message)
print(
    f"AUC of the total: {roc.auc:.3f}; average precision {roc.average_precision:.3f} "
    f"(prevalence {roc.n_events / roc.n:.3f})"
)
warnings.simplefilter(
    "ignore", SelectiveLabelsWarning
)  # said once; every estimate below is on the placed
roc.to_frame()[["value", "flagged", "sensitivity", "specificity", "ppv", "npv"]].round(3)

# %%
points = roc.to_frame()
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
left.plot(roc.roc["fpr"], roc.roc["tpr"], color="black", lw=1.2, label=f"total (AUC {roc.auc:.2f})")
left.plot([0, 1], [0, 1], color="grey", lw=0.8, ls=":", label="chance")
right.plot(
    roc.pr["recall"],
    roc.pr["precision"],
    color="black",
    lw=1.2,
    label=f"total (AP {roc.average_precision:.2f})",
)
right.axhline(roc.n_events / roc.n, color="grey", lw=0.8, ls=":", label="prevalence")
for (name, row), colour, marker in zip(
    points.iterrows(), ["#1b9e77", "#d95f02", "#7570b3"], ["o", "s", "^"]
):
    label = f"{name} boundary ({row['value']:g})"
    left.scatter(
        1 - row["specificity"],
        row["sensitivity"],
        color=colour,
        marker=marker,
        zorder=3,
        label=label,
    )
    right.scatter(
        row["sensitivity"], row["ppv"], color=colour, marker=marker, zorder=3, label=label
    )
left.set(
    xlabel="1 - specificity", ylabel="sensitivity", title="ROC of the total, placed candidates"
)
right.set(
    xlabel="recall (sensitivity)",
    ylabel="precision (PPV)",
    title="Precision-recall, placed candidates",
    ylim=(0, 1.02),
)
left.legend(fontsize=7, loc="lower right")
right.legend(fontsize=7, loc="upper right")
plt.tight_layout()
plt.show()

# %% [markdown]
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
youden = youden_cutoff(total, breakdown, n_bootstrap=500, random_state=1, placed=placed)
cost = cost_cutoff(
    total, breakdown, cost_fn=1, cost_fp=3, n_bootstrap=500, random_state=1, placed=placed
)
cutoffs = pd.concat([youden.to_frame(), cost.to_frame()])
cutoffs[
    ["cutoff", "cutoff_low", "cutoff_high", "criterion", "value", "sensitivity", "specificity"]
].round(3)

# %% [markdown]
# The cost ratio is a value judgement, not a finding. How much does the cut-off move with it?

# %%
ratios = [0.5, 1, 1.5, 2, 3, 4, 5, 6, 8]
sweep = pd.Series(
    {
        r: cost_cutoff(total, breakdown, cost_fn=1, cost_fp=r, n_bootstrap=0, placed=placed).cutoff
        for r in ratios
    },
    name="cut-off",
)
fig, ax = plt.subplots(figsize=(7, 3.2))
ax.step(sweep.index, sweep.values, where="post", color="black", label="cost-optimal cut-off")
ax.scatter(sweep.index, sweep.values, color="black", s=12)
ax.axhline(
    boundaries["elevated/heavier"],
    color="#d95f02",
    ls="--",
    lw=0.8,
    label="current elevated/heavier (75)",
)
ax.axvline(3, color="grey", ls=":", lw=0.8, label="chosen ratio 1:3")
ax.set(
    xlabel="cost of a needless referral / cost of a missed breakdown",
    ylabel="cut-off (total)",
    title="Cost-optimal cut-off by cost ratio, placed candidates",
)
ax.legend(fontsize=8, loc="lower right")
plt.tight_layout()
plt.show()
sweep.to_frame().T.round(1)

# %% [markdown]
# Where the totals lie: the placed by outcome, and the unplaced (outcome unknown), with the current
# boundaries (dashed) and the data-based cut-offs with their intervals (shaded):

# %%
fig, ax = plt.subplots(figsize=(9, 4.2))
bins = np.linspace(0, 100, 41)
ax.hist(
    total[placed & (breakdown == 0)],
    bins=bins,
    histtype="step",
    lw=1.6,
    color="#1b9e77",
    label="placed, continued",
)
ax.hist(
    total[placed & (breakdown == 1)],
    bins=bins,
    histtype="step",
    lw=1.6,
    color="#d95f02",
    label="placed, broke down",
)
ax.hist(
    total[~placed],
    bins=bins,
    histtype="stepfilled",
    alpha=0.25,
    color="grey",
    label="not placed (outcome unknown)",
)
for name, value in boundaries.items():
    ax.axvline(value, color="black", ls="--", lw=0.8)
    ax.text(value, ax.get_ylim()[1] * 0.97, f" {name}", fontsize=7, va="top")
for cut, colour in [(youden, "#7570b3"), (cost, "#e7298a")]:
    ax.axvspan(*cut.cutoff_ci, color=colour, alpha=0.15)
    ax.axvline(
        cut.cutoff,
        color=colour,
        lw=1.5,
        label=f"{cut.method} cut-off {cut.cutoff:.1f} (95% interval shaded)",
    )
ax.set(xlabel="total", ylabel="candidates", title="Totals by placement and outcome")
ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
plt.tight_layout()
plt.show()


# %% [markdown]
# ### Keep or move: margins fixed in advance, and the loss of keeping
#
# "The current value lies inside the interval" is absence of evidence, not evidence that the
# current value is as good. We decide with a **margin stated before looking**, on the **paired**
# difference: `cutoff_loss` evaluates the current and the data-based cut-off on the same bootstrap
# resamples and gives the loss of keeping the current one (J lost, or expected cost added).
#
# * **Margins.** Target/elevated: keeping may cost at most **0.05 of Youden's J**. Elevated/heavier:
#   at most **0.02** in expected cost per candidate (in units of one missed breakdown).
# * **Keep** when the whole 95% interval of the loss lies below the margin (keeping is
#   non-inferior); **move** when the whole interval lies above it; otherwise **undecided**: keep
#   provisionally and re-estimate with more outcomes.
# * **Too few outcomes.** Fixed in advance too: with fewer than **20 breakdowns or 20 placements
#   that lasted**, a bootstrap of a handful of outcomes says little, so no verdict is given at all
#   (this notebook's convention, not a published rule). The pilot's first export, and the demo
#   database, are in this case: the numbers are shown, the verdict is "none".

# %%
MARGINS = {"target/elevated": 0.05, "elevated/heavier": 0.02}
MIN_OUTCOMES = 20  # of each kind: breakdowns, and placements that lasted or go on
PLANS = {
    "target/elevated": (youden, {}, "Youden's J"),
    "elevated/heavier": (
        cost,
        {"cost_fn": 1, "cost_fp": 3},
        "cost, needless referral 3x missed breakdown",
    ),
}


def decide(loss: dict, margin: float, outcome: np.ndarray) -> str:
    events = int(np.nansum(outcome))
    lasting = int(np.sum(~np.isnan(outcome))) - events
    if min(events, lasting) < MIN_OUTCOMES:
        return (
            f"none: too few outcomes ({events} breakdowns, {lasting} lasted; "
            f"{MIN_OUTCOMES} of each needed)"
        )
    if not np.isfinite([loss["loss_low"], loss["loss_high"]]).all():
        return "none: the loss's interval is undefined on these data"
    if loss["loss_high"] < margin:
        return "keep (loss below the margin)"
    if loss["loss_low"] > margin:
        return "move (loss above the margin)"
    return "undecided (loss interval spans the margin)"


def verdicts(outcome: np.ndarray, on: np.ndarray | None) -> pd.DataFrame:
    rows = []
    for name, (cut, costs, criterion) in PLANS.items():
        estimate = (
            cut
            if on is not None
            else (
                cost_cutoff(total, outcome, **costs, n_bootstrap=0)
                if costs
                else youden_cutoff(total, outcome, n_bootstrap=0)
            )
        )
        loss = cutoff_loss(
            total,
            outcome,
            boundaries[name],
            estimate.cutoff,
            **costs,
            n_bootstrap=1000,
            random_state=2,
            placed=on,
        )
        rows.append(
            {
                "boundary": name,
                "criterion": criterion,
                "current": boundaries[name],
                "estimate": estimate.cutoff,
                "at current": loss["at_current"],
                "at estimate": loss["at_proposed"],
                "loss of keeping": loss["loss"],
                "loss 95% interval": f"{loss['loss_low']:.3f} to {loss['loss_high']:.3f}",
                "margin": MARGINS[name],
                "verdict": decide(loss, MARGINS[name], outcome),
            }
        )
    return pd.DataFrame(rows).set_index("boundary")


on_placed = verdicts(breakdown, placed)
on_placed.round(3)

# %% [markdown]
# ### Sensitivity: what could the unplaced have done?
#
# `selection_bounds` fills in the unknown outcomes of the unplaced four ways (all would have broken
# down, none, and the worst and best case for each cut-off) and recomputes sensitivity,
# specificity and J. Worst and best case bound J over every possible outcome of the unplaced.

# %%
bounds = selection_bounds(total, breakdown, placed, [boundaries["target/elevated"], youden.cutoff])
bounds.round(3)

# %%
fig, ax = plt.subplots(figsize=(8, 3.8))
scenarios = list(bounds["scenario"].unique())
x = np.arange(len(scenarios))
for offset, (cut, colour, marker) in zip(
    (-0.12, 0.12),
    [(boundaries["target/elevated"], "black", "o"), (youden.cutoff, "#7570b3", "s")],
):
    j = bounds[bounds["cutoff"] == cut].set_index("scenario").loc[scenarios, "youden_j"]
    ax.scatter(x + offset, j, color=colour, marker=marker, label=f"cut-off {cut:.1f}")
ax.set_xticks(x, [s.replace("unplaced ", "unplaced:\n") for s in scenarios], fontsize=8)
ax.set(
    ylabel="Youden's J",
    title="Youden's J of two cut-offs under five fillings of the unknown outcomes",
)
ax.axhline(0, color="grey", lw=0.6)
ax.legend(fontsize=8, loc="upper left")
plt.tight_layout()
plt.show()

# %% [markdown]
# The worst and best cases are far apart: with 40% of the candidates unplaced, the data alone
# cannot say how the cut-offs would do on all referrals; only assumptions about the unplaced can.
# In the synthetic pilot we can check what selection did to the verdicts, because we know every
# outcome:

# %%
if breakdown_all is None:
    print(
        "The pilot's own data have no outcomes of the unplaced: how selection moved the verdicts "
        "cannot be shown (only the bounds above can)."
    )
    moved = None
else:
    on_everyone = verdicts(breakdown_all, None)
    moved = pd.DataFrame(
        {
            "estimate (placed)": on_placed["estimate"],
            "verdict (placed)": on_placed["verdict"],
            "estimate (everyone, synthetic)": on_everyone["estimate"],
            "verdict (everyone, synthetic)": on_everyone["verdict"],
        }
    )
moved if moved is None else moved.round(1)


# %% [markdown]
# ### The proposal

# %%
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
for name, (cut, _, criterion) in PLANS.items():
    verdict = on_placed.loc[name, "verdict"]
    rows.append(
        {
            "boundary": name,
            "current": boundaries[name],
            "criterion": criterion,
            "estimate": cut.cutoff,
            "interval": f"{cut.cutoff_ci[0]:.1f}-{cut.cutoff_ci[1]:.1f}",
            "verdict": verdict,
            "proposed": round(cut.cutoff) if verdict.startswith("move") else boundaries[name],
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
for n, value in enumerate(boundaries.values()):
    ax.axvline(value, color="grey", ls="--", lw=0.8, label="band boundary" if n == 0 else None)
ax.axhline(0.9, color="#cc0000", lw=0.8, label="fragile below 0.9")
ax.set(
    xlabel="total (current weights)",
    ylabel="share of draws keeping the advice",
    title="Share of 500 weightings that keep each candidate's advice, by total",
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
# **Proposed cut-offs.** On the placed, with margins fixed in advance, the verdicts are in the
# table below, computed, not written by hand; beside them the verdict of the old rule ("keep when
# the current value lies inside the interval"), which reads absence of evidence as evidence and
# ignores how much keeping costs. A boundary is moved only on a *move* verdict; an *undecided* one
# stays provisionally and is re-estimated when more outcomes are in.
#
# **Selection.** The placed are the lighter candidates. The worst- and best-case bounds show how
# far the unknown outcomes of the unplaced could move Youden's J (the figure above): the
# data alone cannot settle how a cut-off would do on all referrals. In the synthetic pilot, where
# every outcome is known, the table "how selection moved them" shows the estimates and verdicts on
# everyone beside those on the placed. Real data cannot show that column: treat cut-offs estimated
# on the placed as provisional. The cost ratio for referral (here 1:3) is the committee's to set,
# and moves the cut-off more than the sampling noise does.

# %%
proposed_cutoffs.assign(
    **{
        "old rule (inside the interval)": [
            "keep"
            if not row["interval"]
            or float(row["interval"].split("-")[0])
            <= row["current"]
            <= float(row["interval"].split("-")[1])
            else "move"
            for _, row in proposed_cutoffs.iterrows()
        ]
    }
)[
    [
        "current",
        "criterion",
        "estimate",
        "interval",
        "proposed",
        "verdict",
        "old rule (inside the interval)",
    ]
].round(1)

# %% [markdown]
# **Fragile advice in this round.** For these candidates the advice depends on the provisional
# weights; the committee discusses each explicitly and records its reasoning (*pas toe of leg uit*),
# whatever the advice says:

# %%
fragile[["total", "band", "advice", "advice_kept", "other_band", "why fragile"]].round(2)

# %% [markdown]
# **Samenvatting (NL):** uitkomsten bestaan alleen voor geplaatste jongeren; daarop geschatte
# afkappunten gelden voor de geplaatsten. Of een afkappunt blijft staan, beslissen we met een vooraf
# vastgelegde marge voor het verlies van laten staan (gepaarde bootstrap), niet met "valt binnen het
# interval"; de gevoeligheidsanalyse (slechtste/beste geval voor de niet-geplaatsten) laat zien hoe
# ver de selectie de uitkomst kan verschuiven. De domeingewichten bepalen de advisering veel meer dan
# de itemgewichten, en voor de kandidaten in de laatste tabel is het advies kwetsbaar: bespreek hen
# expliciet in de commissie.
