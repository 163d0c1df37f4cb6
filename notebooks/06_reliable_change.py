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
# # 06 · At the review: is a change real? Reliability in the criteria file, and reliable change
#
# Every placement is reviewed at least every six months: the young person is assessed again with
# the same instrument. The committee then asks **what changed, and is the change larger than the
# raters' noise?** weegtool answers with the measurement error of each score:
#
# * standard error of measurement `SEM = SD * sqrt(1 - r)`, from the spread `SD` of the score
#   between candidates and its reliability `r`;
# * smallest detectable change (95%) `SDC = 1.96 * sqrt(2) * SEM`;
# * reliable change index `RCI = (new - old) / (sqrt(2) * SEM)`; `|RCI| > 1.96` is a **reliable**
#   change (Jacobson & Truax 1991, with the standard error of the difference of Christensen &
#   Mendoza 1986).
#
# `SD` and `r` belong to the instrument, not to a candidate: they go into the **criteria file**,
# per domain (`domains[].measurement`) and for the total (`total_measurement`), with their source.
# This notebook
#
# 1. estimates them from a synthetic calibration cohort and writes them into a calibrated criteria
#    file with `write_calibrated` (one file per version, written once);
# 2. reassesses synthetic residents, some with a planted improvement or worsening and the rest
#    unchanged, and shows the verdicts `weegtool.change.compare` gives, and how often they are
#    right;
# 3. shows what happens without reliability in the file: the change is shown without a verdict.
#
# All data are synthetic and seeded; pseudonymous ids such as `K00012` belong to no one.

# %%
import datetime as dt
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import weegtool
from weegtool.advice import Advices
from weegtool.change import compare, smallest_detectable_change, standard_error_of_measurement
from weegtool.change_text import describe_score_change, score_title
from weegtool.research import synthetic_cohort, write_calibrated

pd.set_option("display.width", 160)
pd.set_option("display.max_colwidth", 100)
instrument = weegtool.load_instrument()  # the default Twente instrument, without measurement
print(instrument.label, "| total measurement in the file:", instrument.measurement())

# %% [markdown]
# ## 1. Reliability from a calibration cohort, written into the criteria file
#
# The calibration data: 200 candidates, each rated independently by three raters (a synthetic
# cohort whose raters are noisier than the generator's default, as in notebook 01: a rater bias of
# SD 0.3 and a per-rating noise of SD 0.5 on the latent scale). `write_calibrated` scores every rater
# on their own and, per domain and for the total, records the standard deviation of the
# raters-combined score (ddof 1, in points) and **ICC(2,1)** (two-way random effects, absolute
# agreement, a single rater). ICC(2,1) is conservative here: a review combines several raters,
# whose mean is more reliable than one of them, so the verdicts err towards "no reliable change".
#
# Version **0.1.1** is version 0.1.0 with its measurement error added; weights and cut-offs are
# unchanged. It goes to the folder `calibrated/` (or the one named in `WEEGTOOL_CALIBRATED`),
# beside notebook 02's 0.2.0.

# %%
RATERS = {
    "rater_bias_sd": 0.3,
    "rater_noise_sd": 0.5,
}  # noisier than the default, as in notebook 01
calibration = synthetic_cohort(instrument, n_candidates=200, n_raters=3, seed=606, **RATERS)
folder = Path(os.environ.get("WEEGTOOL_CALIBRATED", "calibrated"))
folder.mkdir(parents=True, exist_ok=True)
path = folder / "twente-specialistisch-wonen-0.1.1.yaml"
CALIBRATION = {
    "version": "0.1.1",
    "method": (
        "Measurement error only: per domain and for the total, the SD of the raters-combined score "
        "and ICC(2,1) from a synthetic calibration cohort (seed 606, 200 candidates, 3 raters, rater bias SD 0.3, noise SD 0.5); "
        "weights and cut-offs unchanged."
    ),
    "date": dt.date(2026, 11, 29),  # fixed, so the file and its sha256 are reproducible
}
measured = write_calibrated(
    instrument,
    path,
    reliability_data=calibration.ratings,
    reliability_candidates=calibration.candidates,
    **CALIBRATION,
)
print(measured.label)


def measurement_table(version: weegtool.Instrument) -> pd.DataFrame:
    """SD, reliability, SEM and SDC of the total and each domain, as the criteria file holds them."""
    rows = []
    for domain in (None, *version.domain_ids):
        m = version.measurement(domain)
        sem = standard_error_of_measurement(m.sd, m.reliability) if m else np.nan
        rows.append(
            {
                "score": "total" if domain is None else domain,
                "sd": m.sd if m else np.nan,
                "reliability": m.reliability if m else np.nan,
                "coefficient": m.source.coefficient if m else "",
                "SEM": sem,
                "SDC (95%)": smallest_detectable_change(sem) if m else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("score")


measurement = measurement_table(measured)
measurement.round(2)

# %% [markdown]
# In the criteria file, each score's `measurement` carries its source (which data, which
# coefficient, how many candidates and raters):

# %%
lines = path.read_text(encoding="utf-8").splitlines()
start = lines.index("total_measurement:")
print("\n".join(lines[start : start + 12]))

# %% [markdown]
# **Written once.** Running the same calibration again reads the file back (same text, same
# sha256). A *different* 0.1.1 (here: reliability estimated on another calibration cohort) is
# refused, since two files with one version number would break the audit trail the sha256 exists
# for. A new estimate needs a new version number.

# %%
again = write_calibrated(
    instrument,
    path,
    reliability_data=calibration.ratings,
    reliability_candidates=calibration.candidates,
    **CALIBRATION,
)
assert again.sha256 == measured.sha256
other = synthetic_cohort(instrument, n_candidates=200, n_raters=3, seed=607, **RATERS)
try:
    write_calibrated(
        instrument,
        path,
        reliability_data=other.ratings,
        reliability_candidates=other.candidates,
        **CALIBRATION,
    )
except FileExistsError as refusal:
    print("refused:", refusal)

# %% [markdown]
# ## 2. The review: 60 residents assessed twice
#
# Sixty synthetic residents are assessed at admission (January) and at their review (July), each
# time by two raters who rate blind: raters B1 and B2 at admission, B3 and B4 at the review. For
# 40 of them **nothing changed**: the difference between the two assessments is rater noise only.
# Into the review of the other 20 we plant a real change: for 10 every item moves **one level
# towards better** (risk items one lower, protective items one higher), for 10 one level
# **towards worse**. A good verdict finds the planted changes and leaves the unchanged alone.

# %%
residents = synthetic_cohort(measured, n_candidates=60, n_raters=4, seed=6060, **RATERS)
ids = list(residents.candidates["candidate_id"])
planted = pd.Series("unchanged", index=ids, name="planted")
planted.iloc[:10], planted.iloc[10:20] = "improved", "worsened"

risk_items = {i.id for i in measured.items if measured.domain(i.domain).kind == "risk"}


admission = residents.ratings[residents.ratings["rater_id"].isin(["B1", "B2"])]
review = residents.ratings[residents.ratings["rater_id"].isin(["B3", "B4"])].copy()
step = review["candidate_id"].map(planted).map({"improved": -1, "worsened": 1, "unchanged": 0})
for item in measured.items:  # one level, within the item's scale
    scale = measured.scale_of(item)
    moved = review[item.id] + (step if item.id in risk_items else -step)
    review[item.id] = moved.clip(scale.min, scale.max)


def advise(version: weegtool.Instrument, ratings: pd.DataFrame, day: dt.date) -> Advices:
    """The advice of one assessment, dated ``day`` (the candidates' ``date`` field)."""
    candidates = residents.candidates.assign(date=day.isoformat())
    return weegtool.advise(weegtool.score(version, ratings, candidates))


ADMISSION, REVIEW = dt.date(2026, 1, 15), dt.date(2026, 7, 15)
comparison = compare(
    advise(measured, review, REVIEW), advise(measured, admission, ADMISSION), measured
)
print(
    f"{len(comparison.changes)} residents compared; assessed now but not before: "
    f"{list(comparison.without_previous)}; before but not now: {list(comparison.not_reassessed)}"
)

# %%
rows = []
for candidate, change in comparison.changes.items():
    rows.append(
        {
            "candidate_id": candidate,
            "planted": planted[candidate],
            "total before": change.total.previous,
            "total now": change.total.current,
            "delta": change.total.delta,
            "rci": change.total.rci,
            "verdict (total)": change.total.reliable,
            "domains improved": sum(c.reliable == "improved" for c in change.domains.values()),
            "domains worsened": sum(c.reliable == "worsened" for c in change.domains.values()),
            "advice now": change.advice,
            "advice changed": change.category_changed,
        }
    )
changes = pd.DataFrame(rows).set_index("candidate_id")
changes.head(12).round(2)

# %% [markdown]
# How often is the verdict on the total right? Rows: what was planted; columns: the verdict.

# %%
hits = pd.crosstab(changes["planted"], changes["verdict (total)"], margins=True)
hits

# %%
unchanged = changes[changes["planted"] == "unchanged"]
false_alarms = (unchanged["verdict (total)"] != "no_reliable_change").mean()
found = {
    kind: (changes.loc[changes["planted"] == kind, "verdict (total)"] == kind).mean()
    for kind in ("improved", "worsened")
}
print(
    f"unchanged residents with a 'reliable' change of the total: {false_alarms:.0%} "
    f"(the criterion allows 5% for one score of an unchanged candidate); planted changes found: "
    f"improved {found['improved']:.0%}, worsened {found['worsened']:.0%}"
)
print(
    f"a one-level step of every item moves the total by {changes.loc[changes['planted'] != 'unchanged', 'delta'].abs().median():.1f} "
    f"points (median), against an SDC of the total of {measurement.loc['total', 'SDC (95%)']:.1f}"
)

# %%
fig, ax = plt.subplots(figsize=(9, 4.2))
sdc = measurement.loc["total", "SDC (95%)"]
ax.axhspan(-sdc, sdc, color="grey", alpha=0.2, label=f"within the SDC (±{sdc:.1f} points)")
ax.axhline(0, color="grey", lw=0.6)
groups = ["improved", "unchanged", "worsened"]
styles = {
    "improved": ("#1b9e77", "v"),
    "no_reliable_change": ("black", "o"),
    "worsened": ("#d95f02", "^"),
}
rng = np.random.default_rng(0)
for verdict, (colour, marker) in styles.items():
    shown = changes[changes["verdict (total)"] == verdict]
    x = shown["planted"].map(groups.index) + rng.uniform(-0.15, 0.15, len(shown))
    ax.scatter(x, shown["delta"], color=colour, marker=marker, s=28, label=f"verdict: {verdict}")
ax.set_xticks(range(3), [f"planted: {g}" for g in groups])
ax.set(
    ylabel="change of the total (review - admission, points)",
    title="Change of the total per resident, by planted change and verdict",
)
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
plt.tight_layout()
plt.show()
print(
    f"median change of the unchanged residents: {unchanged['delta'].median():+.1f} points "
    "(the review's raters B3 and B4 against the admission's B1 and B2)"
)

# %% [markdown]
# The unchanged residents do not centre on 0 exactly: the review's two raters rate a little
# differently from the admission's, a rater effect that every real review has too. ICC(2,1)
# measures absolute agreement, so such rater differences are part of the measurement error the
# SDC allows for. Per domain the measurement error is larger (a domain has fewer items than the total), so a
# one-level step is found less often there. The share of residents with each verdict, per domain
# and planted change:

# %%
per_domain = pd.DataFrame(
    [
        {"planted": planted[candidate], "domain": domain, "verdict": c.reliable}
        for candidate, change in comparison.changes.items()
        for domain, c in change.domains.items()
    ]
)
pd.crosstab(
    [per_domain["domain"], per_domain["planted"]], per_domain["verdict"], normalize="index"
).round(2)

# %% [markdown]
# In words, as the review's report says it (Dutch), for the first resident:

# %%
first = comparison.changes[ids[0]]
print(describe_score_change(score_title(measured, None, "nl"), first.total, "nl"))
for domain, c in first.domains.items():
    print(describe_score_change(score_title(measured, domain, "nl"), c, "nl"))

# %% [markdown]
# ## 3. Without reliability in the criteria file
#
# Scored with version 0.1.0, which has no measurement, the same two assessments give the change in
# points and **no verdict**: `reliable` is `unknown`, and the reason is said.

# %%
bare = compare(
    advise(instrument, review, REVIEW), advise(instrument, admission, ADMISSION), instrument
)
total = bare.changes[ids[0]].total
print(f"delta {total.delta:.1f}, rci {total.rci}, verdict {total.reliable!r}, why {total.why!r}")
print(describe_score_change(score_title(instrument, None, "nl"), total, "nl"))

# %% [markdown]
# ## Conclusion
#
# The reliability of each score, estimated once on calibration data and written with its source
# into a calibrated criteria file (version 0.1.1, written once), turns a difference between two
# assessments into a verdict. In this synthetic review the verdict on the total rarely flagged an
# unchanged resident and found most planted one-level steps (the numbers above are computed, not
# written by hand); per domain, with its larger measurement error, a one-level step is often
# within the noise. A planted step is not always a change of one level in every rating: a rating
# already at the end of its scale cannot move further, which is one reason a planted change can be
# missed. Two cautions: the reliability comes from **synthetic** raters, so the pilot
# must estimate its own from double-rated admissions before the verdicts mean anything; and a
# verdict is about measurement error, not about whether a change matters for the young person.
#
# **Samenvatting (NL):** de betrouwbaarheid per domein en van het totaal staat, met bron, in een
# gekalibreerd criteriabestand (versie 0.1.1, één keer geschreven). Daaruit volgen de
# meetfout (SEM), de kleinste aantoonbare verandering en de betrouwbare-veranderingsindex bij de
# evaluatie. Zonder betrouwbaarheid in het bestand toont weegtool de verandering zonder oordeel.
