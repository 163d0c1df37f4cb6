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
# # 01 · Do raters agree? Inter-rater reliability of the Twente instrument
#
# Before anyone calibrates weights or cut-offs, the committee needs to know whether the
# **numbers mean the same thing from one rater to the next**. If two members give the same
# young person a different rating on the same anchored item, no weighting can repair that.
#
# This notebook follows the reporting the domain brief asks for:
#
# * **ICC(2,1)**, two-way random effects, absolute agreement, single rater, with a 95% interval,
#   for every domain score and the total, labelled with Koo & Li's (2016) bands:
#   below .50 *poor*, .50-.75 *moderate*, .75-.90 *good*, above .90 *excellent*;
# * **quadratic weighted kappa** for every item (and the band), labelled with Landis & Koch's (1977)
#   bands (up to .40 *fair* or worse, .41-.60 *moderate*, .61-.80 *substantial*, above *almost perfect*);
#   Landis & Koch proposed them for kappa, so only kappa carries them;
# * beside every kappa **Gwet's AC2** (AC1 for the advice), with a 95% interval for any number of
#   raters: kappa collapses when most candidates are rated alike (the *kappa paradox*), AC does not;
# * **which items to act on**: retrain raters, or rewrite the anchors;
# * and **how many raters** the committee needs: a generalizability (G) and decision (D) study, on
#   this pilot and on a homogeneous target group where kappa and AC1 part ways.
#
# All data are synthetic and seeded; real ratings never ship with weegtool.

# %%
from itertools import combinations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

import weegtool
from weegtool.research import (
    cohen_kappa,
    d_study,
    g_study,
    gwet_ac,
    icc,
    koo_li_band,
    landis_koch_band,
    percent_agreement,
    raters_needed,
    reliability_report,
    specific_agreement,
    synthetic_cohort,
)

pd.set_option("display.width", 160)
pd.set_option("display.max_colwidth", 90)
instrument = weegtool.load_instrument()  # the default Twente instrument, status 'concept'
print(instrument.id, instrument.version, instrument.status, instrument.sha256[:12])

# %% [markdown]
# ## A synthetic pilot: 400 candidates, four raters
#
# Four committee members each rate every candidate independently, before the discussion. Each
# rater has a personal bias (some rate everything a little heavier) and per-rating noise.
#
# The synthetic generator gives **every item the same rater noise**. Real pilots are not like
# that: some anchors are vaguer than others, and an item can be read the wrong way round. To show
# how this notebook finds such items, we **plant two problems** in the synthetic ratings and check
# that the analysis recovers them without being told where they are:
#
# * `sr_social_interpretation` (*difficulty reading social situations and other people's
#   intentions*): the anchors describe an inner process that raters cannot observe, so every rater
#   guesses, give or take two levels;
# * `er_recovery` (*recovery after tension or dysregulation*): rater **B3** reads "recovery" as a
#   strength and rates it the wrong way round (4 = recovers well), although the item rates difficulty.

# %%
cohort = synthetic_cohort(
    instrument, n_candidates=400, n_raters=4, seed=2024, rater_bias_sd=0.3, rater_noise_sd=0.5
)
ratings = cohort.ratings.copy()
rng = np.random.default_rng(7)

vague = "sr_social_interpretation"
guess = rng.choice([-2, -1, 0, 1, 2], size=len(ratings), p=[0.15, 0.25, 0.20, 0.25, 0.15])
ratings[vague] = (ratings[vague] + guess).clip(0, 4)

reversed_item, reversing_rater = "er_recovery", "B3"
by_b3 = ratings["rater_id"] == reversing_rater
ratings.loc[by_b3, reversed_item] = 4 - ratings.loc[by_b3, reversed_item]

raters = sorted(ratings["rater_id"].unique())
print(f"{ratings['candidate_id'].nunique()} candidates, raters {raters}, {len(ratings)} rows")
ratings.head(4)

# %% [markdown]
# ## The reliability report
#
# `reliability_report` scores every rater on their own, with weegtool's own reader and engine, so
# each candidate gets a total, domain scores, a band and an advice **per rater**. It then reports
# ICC(2,1) for the total and the domains, how many raters a dependability of .80 needs (D study),
# kappa, AC and unanimity for the band and the advice, and kappa and AC2 for each item. With more
# than two raters a kappa is the mean of Cohen's kappa over every pair of raters (Light's kappa),
# with a bootstrap interval over the candidates; AC takes all raters at once and has its own.
# *Unanimity* is the share of candidates on whom all four raters gave the same: not the agreement
# of a pair (that is AC's `pa`).

# %%
report = reliability_report(instrument, ratings, cohort.candidates)
scores_part = report[~report["what"].str.startswith("item.")]
scores_part.round(3)

# %% [markdown]
# ## ICC forms for the total
#
# Which ICC to report is a choice with consequences (Koo & Li 2016; McGraw & Wong 1996). `icc`
# gives all six Shrout & Fleiss forms. We score each rater's totals separately and compare:
#
# * **ICC1**: one-way; raters are interchangeable and nothing is known about them;
# * **ICC2** (absolute agreement) counts a rater who rates everyone 5 points heavier as
#   disagreement; **ICC3** (consistency) does not. For an advice that depends on fixed cut-offs,
#   a systematic offset *does* change advice, so ICC2 is the right one;
# * the **k** forms are the reliability of the mean of the *k* raters. The committee combines its
#   raters (the median by default), so ICC(2,k) is close to the reliability of the score the
#   advice is based on; ICC(2,1) is the reliability of one member rating alone.

# %%
own_totals = pd.DataFrame(
    {
        rater: weegtool.score(
            instrument, ratings[ratings["rater_id"] == rater], candidates=cohort.candidates
        ).to_frame()["total"]
        for rater in raters
    }
)
complete = own_totals.dropna()  # a total that is not assessable for one rater drops the candidate
print(f"{len(complete)} of {len(own_totals)} candidates have a total from every rater")
forms = icc(complete)
forms.assign(band=forms["icc"].map(koo_li_band)).round(3)

# %% [markdown]
# The point estimates look reassuring, but Koo & Li advise to **judge by the interval, not the
# point**. The interval of ICC(2,1) is several times wider than that of ICC(3,1): absolute
# agreement must also estimate how far the raters differ systematically, and with four raters that
# rests on only four rater means, however many candidates are rated. More raters in the pilot
# narrow it; more candidates hardly do.
#
# How far apart are the raters? Each rater's mean total, relative to the committee's mean:

# %%
offsets = (complete.mean() - complete.mean().mean()).rename(
    "mean total minus committee mean (points)"
)
offsets.round(1).to_frame()

# %% [markdown]
# A rater who rates a few points heavier across the board moves candidates near a band boundary.
# That is worth one calibration session with shared case vignettes, not a rewrite of the instrument.
#
# ## ICC per domain, with intervals

# %%
icc_rows = report[report["measure"] == "ICC(2,1)"].set_index("what")
order = icc_rows.index[::-1]

fig, ax = plt.subplots(figsize=(8, 3.8))
for low, high, colour, name in [
    (0, 0.5, "#f4c7c3", "poor"),
    (0.5, 0.75, "#fce8b2", "moderate"),
    (0.75, 0.9, "#d9ead3", "good"),
    (0.9, 1.0, "#b7e1cd", "excellent"),
]:
    ax.axvspan(low, high, color=colour, zorder=0)
    ax.text(
        (max(low, 0.4) + high) / 2, len(order) - 0.45, name, ha="center", va="bottom", fontsize=8
    )
y = np.arange(len(order))
values = icc_rows.loc[order]
ax.errorbar(
    values["value"],
    y,
    xerr=[values["value"] - values["ci_low"], values["ci_high"] - values["value"]],
    fmt="o",
    color="black",
    capsize=3,
)
ax.set_yticks(y, [w.removeprefix("domain.") for w in order])
ax.set_xlim(0.4, 1)
ax.set_ylim(-0.6, len(order) - 0.1)
ax.set_xlabel("ICC(2,1) with 95% interval (Koo & Li bands)")
ax.set_title("Agreement between raters on domain scores and the total")
plt.tight_layout()
plt.show()

# %% [markdown]
# Two domains stand out: **emotion regulation** and **social resilience** sit lower than the
# others. The domain scores only tell us *where* to look; the items tell us *what* to fix.
#
# ## Kappa and AC2 per item
#
# Both carry a 95% interval: Gwet's AC2 (quadratic weights, all four raters at once) its own
# (Gwet 2014); the mean pairwise kappa (Light's kappa) a percentile bootstrap interval over the
# candidates (`light_kappa`: 1,000 resamples of the candidates, each with all four raters'
# ratings, since the six pairs share them).

# %%
item_rows = report[report["what"].str.startswith("item.")].assign(
    item=lambda d: d["what"].str.removeprefix("item.")
)
kappa_rows = item_rows[item_rows["measure"].str.contains("kappa")].set_index("item")
ac2_rows = item_rows[item_rows["measure"].str.startswith("AC2")].set_index("item")
items = pd.DataFrame(
    {
        "kappa": kappa_rows["value"],
        "kappa low": kappa_rows["ci_low"],
        "kappa high": kappa_rows["ci_high"],
        "label": kappa_rows["label"],
        "AC2": ac2_rows["value"],
        "AC2 low": ac2_rows["ci_low"],
        "AC2 high": ac2_rows["ci_high"],
        "n": kappa_rows["n"],
    }
)

fig, ax = plt.subplots(figsize=(8, 6.5))
y = np.arange(len(items))[::-1]
ax.errorbar(
    items["AC2"],
    y,
    xerr=[items["AC2"] - items["AC2 low"], items["AC2 high"] - items["AC2"]],
    fmt="o",
    color="black",
    ms=4,
    capsize=2,
    label="Gwet's AC2, quadratic weights (95% interval)",
)
ax.errorbar(
    items["kappa"],
    y - 0.3,
    xerr=[items["kappa"] - items["kappa low"], items["kappa high"] - items["kappa"]],
    fmt="D",
    color="#1f77b4",
    mfc="none",
    ms=4,
    capsize=2,
    label="mean pairwise kappa, quadratic weights (95% bootstrap interval)",
)
for edge in (0.40, 0.60, 0.80):
    ax.axvline(edge, color="grey", lw=0.8, ls="--")
ax.set_yticks(y, items.index)
ax.set_xlim(min(0, items["kappa"].min() - 0.05), 1)
ax.set_xlabel("agreement (dashed: Landis & Koch's kappa edges .40 / .60 / .80)")
ax.set_title("Agreement per item, four raters")
ax.tick_params(axis="y", labelsize=8)
ax.legend(fontsize=8, loc="lower left")
plt.tight_layout()
plt.show()
items.sort_values("kappa").head(6).round(3)


# %% [markdown]
# ## Retrain raters, or rewrite the anchors?
#
# A low kappa has two different causes, with two different remedies:
#
# * **one rater reads the item differently** (a misunderstood direction, an idiosyncratic
#   threshold). The others agree; *retrain that rater* and make the item text unmistakable;
# * **everyone disagrees**: the anchors do not tell raters apart what they should see.
#   *Rewrite the anchors* with observable behaviour and examples. Training alone will not help:
#   a Dutch study (LIRIK) found that a checklist alone did not raise agreement; making the
#   reasoning explicit did.
#
# To tell them apart, we compute Cohen's kappa for every pair of raters and the mean kappa with
# each rater left out. If leaving one rater out lifts the item to *substantial* agreement (above
# .60), the problem is that rater; otherwise it is the item.


# %%
def pairwise(item: str) -> dict[tuple[str, str], float]:
    levels = list(instrument.scale_of(instrument.item(item)).values)
    wide = ratings.pivot(index="candidate_id", columns="rater_id", values=item).astype(float)
    return {
        (a, b): cohen_kappa(wide[a], wide[b], weights="quadratic", labels=levels).value
        for a, b in combinations(raters, 2)
    }


rows = []
for item in instrument.item_ids:
    pairs = pairwise(item)
    without = {r: np.mean([k for pair, k in pairs.items() if r not in pair]) for r in raters}
    odd_one = max(without, key=without.get)
    wide = ratings.pivot(index="candidate_id", columns="rater_id", values=item)
    rows.append(
        {
            "item": item,
            "kappa": np.mean(list(pairs.values())),
            "without_rater": odd_one,
            "kappa_without": without[odd_one],
            "unanimity": percent_agreement(wide).value,
        }
    )
diagnosis = pd.DataFrame(rows).set_index("item")

# The mean of the pairwise kappas is the report's item kappa: the two computations agree.
assert np.allclose(diagnosis["kappa"], items.loc[diagnosis.index, "kappa"])
diagnosis.sort_values("kappa").head(6).round(3)

# %% [markdown]
# For `er_recovery` the picture is unmistakable: with B3 left out the other three raters agree
# well. For `sr_social_interpretation` no single rater is to blame. The rule, written out:

# %%
BELOW_MODERATE = ("poor", "slight", "fair")  # Landis & Koch labels under 'moderate'
SUBSTANTIAL = 0.60


def recommendation(row: pd.Series) -> str:
    if row["kappa_without"] > SUBSTANTIAL:
        return (
            f"Retrain rater {row['without_rater']} on this item (without them kappa = "
            f"{row['kappa_without']:.2f}); check the item text for a reading that flips its direction."
        )
    return (
        "Rewrite the anchors: every pair of raters disagrees. Describe observable behaviour per "
        "level, add case examples, and make raters write down their reasoning."
    )


diagnosis["label"] = diagnosis["kappa"].map(landis_koch_band)
action = diagnosis[diagnosis["label"].isin(BELOW_MODERATE)].sort_values("kappa").copy()
action["domain"] = [instrument.item(i).domain for i in action.index]
action["text"] = [instrument.item(i).text.en for i in action.index]
action["recommendation"] = action.apply(recommendation, axis=1)
watch = diagnosis[diagnosis["label"] == "moderate"].index.tolist()
print(
    f"{len(action)} of {len(diagnosis)} items below 'moderate'; items at 'moderate' to watch: {watch or 'none'}"
)

# %% [markdown]
# ## How many raters? A G study and a D study
#
# A generalizability study splits the variance of the totals into candidates (what the instrument
# is for), raters (some rate everyone heavier) and the rest; a decision study says what the
# dependability **Phi** (absolute agreement: the one that matters for fixed band boundaries) and
# the generalizability **E rho^2** (ranking) would be for the mean of 1 to 6 raters (Brennan 2001).
# With the G study's own four raters they equal ICC(2,4) and ICC(3,4) above.
#
# The same on the item level: a candidates x raters x items study of the long ratings table says
# whether more raters or more items would help more.

# %%
g_total = g_study(complete)
print(g_total.components.round(3).to_string(index=False))
needed = raters_needed(g_total, 0.80)
print(f"raters needed for Phi >= .80 on the total: {needed}")

item_columns = list(instrument.item_ids)
g_items = g_study(ratings, items=item_columns)  # candidates with a blank rating are left out
print(
    f"p x r x i: {g_items.n_candidates} complete candidates ({g_items.n_dropped} left out for a "
    "blank rating)"
)
g_items.components.round(4)

# %% [markdown]
# The total is reliable even for one rater; the domain scores, which trigger the ceilings, less
# so. The same D study per domain (each rater's own domain scores):

# %%
own = {
    rater: weegtool.score(
        instrument, ratings[ratings["rater_id"] == rater], candidates=cohort.candidates
    ).to_frame()
    for rater in raters
}
targets = ["total"] + [f"domain.{d}" for d in instrument.domain_ids]
d_rows, needed_by = [], {}
for target in targets:
    wide = pd.DataFrame({rater: frame[target] for rater, frame in own.items()}).dropna()
    g = g_study(wide)
    d_rows.append(d_study(g, raters=range(1, 7)).assign(what=target))
    needed_by[target] = raters_needed(g, 0.80)
d_all = pd.concat(d_rows)

fig, ax = plt.subplots(figsize=(8, 4))
for target, rows in d_all.groupby("what", sort=False):
    ax.plot(rows["raters"], rows["absolute"], marker="o", label=target.removeprefix("domain."))
ax.axhline(0.80, color="grey", ls=":", lw=0.8, label="target .80")
ax.set(
    xlabel="raters whose mean is used",
    ylabel="dependability Phi (absolute)",
    ylim=(0.5, 1.0),
    title="D study: dependability of the mean of 1 to 6 raters",
)
ax.legend(fontsize=8, loc="lower right", ncol=2)
plt.tight_layout()
plt.show()
pd.Series(needed_by, name="raters needed for Phi >= .80").to_frame()

# %% [markdown]
# ## A homogeneous target group: the kappa paradox
#
# The pilot's target group is small and alike (about 27 young people in Twente). When most
# candidates fall in one band, kappa's chance agreement is high and kappa drops, although the
# raters mostly agree. We generate such a group (severity mean -1, sd 0.35 instead of 0, 1) and
# read kappa, AC and the report's note side by side.

# %%
homogeneous = synthetic_cohort(
    instrument, n_candidates=200, n_raters=4, seed=2, severity_mean=-1.0, severity_sd=0.35
)
skewed = reliability_report(instrument, homogeneous.ratings, homogeneous.candidates)
side = skewed[skewed["what"].isin(["total", "band", "advice"])][
    ["what", "measure", "value", "ci_low", "ci_high", "label", "n"]
]
for note in skewed.attrs["notes"]:
    print(note)
side.round(3)

# %% [markdown]
# Specific agreement says the same per band: of the ratings in the common band, almost all are
# matched by another rater; the rare bands carry the disagreement.

# %%
own_bands = pd.DataFrame(
    {
        rater: weegtool.score(
            instrument,
            homogeneous.ratings[homogeneous.ratings["rater_id"] == rater],
            candidates=homogeneous.candidates,
        ).to_frame()["band"]
        for rater in sorted(homogeneous.ratings["rater_id"].unique())
    }
)
bands_ac1 = gwet_ac(own_bands.T)
print(
    f"AC1 on the band (unweighted): {bands_ac1.value:.2f} [{bands_ac1.ci[0]:.2f}, {bands_ac1.ci[1]:.2f}]"
)
specific_agreement(own_bands.T).round(3)

# %% [markdown]
# ## Conclusion: items below "moderate" and what to do
#
# * Domain scores and the total agree **well to excellently** as point estimates; judged by the
#   lower bounds of their intervals, as Koo & Li advise, emotion regulation is only *moderate*.
#   A pilot with four raters estimates systematic rater differences poorly: report the interval,
#   and add raters before adding candidates. Raters who rate heavier across the board are a topic
#   for a shared calibration session.
# * Two items agree **less than moderately**; they pull down their domains (emotion regulation,
#   social resilience). The table below is what the committee acts on.
# * The **advice** itself agrees less than the band (see the report): advice categories also
#   depend on ceilings and flags, so one disagreeing item can flip it. That is one more reason to
#   fix the two items before calibrating weights.
# * **How many raters:** the D study gives the number of raters whose mean total reaches a
#   dependability of .80 (printed above; the report's "D study" row says the same). Rater
#   variance, not candidate noise, is what more raters average away.
# * In a **homogeneous** group kappa understates agreement: read AC beside it (the report says so
#   in a note when the two part ways).

# %%
with pd.option_context("display.max_colwidth", None):  # the recommendation in full, not cut off
    display(
        action[
            [
                "domain",
                "text",
                "kappa",
                "label",
                "unanimity",
                "without_rater",
                "kappa_without",
                "recommendation",
            ]
        ].round(2)
    )

# %% [markdown]
# **Samenvatting (NL):** de beoordelaars zijn het op domeinscores en totaal goed tot uitstekend eens
# (maar met brede intervallen: meer beoordelaars in de pilot), behalve op twee items:
# beoordelaar B3 scoort *er_recovery* omgekeerd (opnieuw trainen, itemtekst verduidelijken) en bij
# *sr_social_interpretation* zijn alle beoordelaars het oneens (ankers herschrijven met
# waarneembaar gedrag).
