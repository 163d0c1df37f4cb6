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
# # 02 · Weights: expert judgement, outcomes, and a new calibrated version
#
# The default instrument weighs its five domains **equally** (weight 1 each). That is a
# placeholder, marked *concept*. Two kinds of evidence can replace it:
#
# 1. **Expert judgement**, structured: three committee members compare the domains in pairs
#    (Saaty's analytic hierarchy process, AHP), and we check that their judgements are consistent;
# 2. **Outcomes**: weights fitted to whether a placement broke down, with bootstrap intervals and
#    every weight constrained to be >= 0 (more risk must never lower the total).
#
# Then we check with scikit-learn whether calibrated weights predict better than the equal ones,
# and write the result as a **new criteria file** (status *calibrated*, version 0.2.0) that goes
# through the same validation as any other. The original file is never changed.
#
# All data are synthetic and seeded.

# %%
import datetime as dt
import os
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline

import weegtool
from weegtool.research import (
    CalibratedInstrumentClassifier,
    InconsistentJudgementsWarning,
    InstrumentScorer,
    ahp_weights,
    combine_judgements,
    fit_weights,
    instrument_changes,
    instrument_weights,
    risk_features,
    synthetic_cohort,
    write_calibrated,
)

pd.set_option("display.width", 160)
instrument = weegtool.load_instrument()
DOMAINS = list(instrument.domain_ids)
provisional = pd.Series({d.id: d.weight for d in instrument.domains}, name="provisional")
print(instrument.id, instrument.version, instrument.status)
provisional.to_frame()


# %% [markdown]
# ## 1. Expert judgement: AHP
#
# Each expert answers ten questions of the form *"how much more important is domain A than
# domain B for deciding whether this housing fits?"* on Saaty's 1-9 scale (1 equal, 3 moderately,
# 5 strongly more important; 1/3 means B is moderately more important than A). The weights are the
# principal eigenvector of the comparison matrix; the **consistency ratio** (CR) must be at most
# 0.10, otherwise the judgements contradict each other (A > B > C, but C > A).
#
# `ahp_weights` needs the full reciprocal matrix; a small helper fills it from the ten answers.


# %%
def comparison(judgements: dict[tuple[str, str], float]) -> pd.DataFrame:
    """A reciprocal comparison matrix from the answers above its diagonal."""
    matrix = pd.DataFrame(1.0, index=DOMAINS, columns=DOMAINS)
    for (a, b), value in judgements.items():
        matrix.loc[a, b], matrix.loc[b, a] = value, 1 / value
    return matrix


ER, CP, IC, SR, PF = DOMAINS
experts = {
    "behavioural scientist": {
        (ER, CP): 1,
        (ER, IC): 1 / 2,
        (ER, SR): 2,
        (ER, PF): 2,
        (CP, IC): 1 / 2,
        (CP, SR): 2,
        (CP, PF): 2,
        (IC, SR): 3,
        (IC, PF): 3,
        (SR, PF): 1,
    },
    "team leader": {
        (ER, CP): 1 / 2,
        (ER, IC): 1 / 3,
        (ER, SR): 1,
        (ER, PF): 2,
        (CP, IC): 1 / 2,
        (CP, SR): 2,
        (CP, PF): 3,
        (IC, SR): 3,
        (IC, PF): 4,
        (SR, PF): 2,
    },
    "care professional": {
        (ER, CP): 3,
        (ER, IC): 1 / 3,
        (ER, SR): 1,
        (ER, PF): 1,
        (CP, IC): 5,
        (CP, SR): 1 / 2,
        (CP, PF): 1 / 3,
        (IC, SR): 2,
        (IC, PF): 2,
        (SR, PF): 1,
    },
}

per_expert = {}
for name, answers in experts.items():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InconsistentJudgementsWarning)
        result = ahp_weights(comparison(answers))
    per_expert[name] = result
    print(f"{name:22s} CR = {result.cr:.3f} {'ok' if result.consistent else 'INCONSISTENT'}")
    for warning in caught:
        print("    ", warning.message)

# %% [markdown]
# The care professional's judgements are inconsistent, and the warning names the judgement that
# departs most: *coping vs impulse control = 5*. Her other answers say impulse control outweighs
# emotion regulation, which outweighs coping; asked again, she had entered it the wrong way round
# and meant **impulse control is strongly more important than coping** (1/5). We record the
# correction and recompute.

# %%
experts["care professional"][(CP, IC)] = 1 / 5
per_expert["care professional"] = ahp_weights(comparison(experts["care professional"]))

combined = combine_judgements([comparison(answers) for answers in experts.values()])
ahp_table = pd.DataFrame({name: r.weights for name, r in per_expert.items()})
ahp_table["combined (geometric mean)"] = combined.weights
cr = pd.Series(
    {**{name: r.cr for name, r in per_expert.items()}, "combined (geometric mean)": combined.cr}
)
print("consistency ratios:", cr.round(3).to_dict())
ahp_table.round(3)

# %% [markdown]
# All three experts now judge consistently, and so does the combined matrix (the element-wise
# geometric mean, the one average that keeps a matrix reciprocal). Combined, the experts put
# **impulse control** first and protective factors last.
#
# ## 2. Outcomes: a synthetic pilot with follow-up
#
# 1,500 candidates rated by three raters. The synthetic committee places most candidates whose
# advice fits (and deviates for one in ten); only the **placed** have an outcome: did the placement
# continue (1) or break down (0)? We fit weights to **breakdown**, the event a higher total should
# predict, on the placed: weights fitted to them describe the placed, not everyone referred
# (selective labels). `fit_weights` takes `placed` and says so in a warning.

# %%
cohort = synthetic_cohort(instrument, n_candidates=1500, n_raters=3, seed=11)
scores = weegtool.score(instrument, cohort.ratings, candidates=cohort.candidates)
truth = cohort.truth.set_index("candidate_id").reindex(scores.candidate_ids)
assessable = scores.assessable

# one row per candidate: the committee's aggregated ratings (median of the raters), by item
X = pd.DataFrame(
    scores.ratings.values,
    columns=list(instrument.item_ids),
    index=pd.Index(scores.candidate_ids, name="candidate_id"),
)[assessable]
placed = truth["placed"][assessable].to_numpy()
breakdown_or_nan = truth["breakdown"][assessable]  # NaN for the unplaced
# the models of section 3 take the candidates with an outcome: the placed
X = X[placed]
continued = 1 - breakdown_or_nan[placed].astype(int)  # 1: placement continued
breakdown = 1 - continued  # 1: placement broke down
total = pd.Series(scores.total, index=scores.candidate_ids)[assessable][placed]
print(
    f"{assessable.sum()} of {len(scores)} candidates assessable, {placed.sum()} placed; "
    f"breakdown rate among the placed {breakdown.mean():.1%}"
)

# %% [markdown]
# ## 3. Do calibrated weights predict better? (scikit-learn)
#
# The research estimators are ordinary scikit-learn estimators, so they fit in pipelines,
# cross-validation and grid searches:
#
# * `InstrumentScorer` turns aggregated ratings into domain scores with the engine's own arithmetic
#   (proration included): the instrument as a pipeline step;
# * `CalibratedInstrumentClassifier` fits domain (or item) weights >= 0 to the outcome and hands
#   them back rescaled for a criteria file. `adverse_class=0` says that a **0** (breakdown) is
#   what more risk predicts.
#
# We compare, on the same five folds of the placed, the provisional total as it is (nothing
# fitted), the experts' **AHP weights** (nothing fitted either), free logistic weights on the
# instrument's domain scores, and the constrained calibrations.

# %%
cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
domain_risk = risk_features(scores, level="domains")[assessable][placed]
ahp_score = domain_risk[combined.weights.index] @ combined.weights  # the experts' weighting
auc = {
    "provisional total, equal weights (nothing fitted)": [
        roc_auc_score(breakdown.iloc[test], total.iloc[test]) for _, test in cv.split(X, continued)
    ],
    "AHP domain weights of the experts (nothing fitted)": [
        roc_auc_score(breakdown.iloc[test], ahp_score.iloc[test])
        for _, test in cv.split(X, continued)
    ],
}
models = {
    "InstrumentScorer -> LogisticRegression (free domain weights)": Pipeline(
        [("instrument", InstrumentScorer(instrument)), ("logistic", LogisticRegression())]
    ),
    "CalibratedInstrumentClassifier, domain weights >= 0": CalibratedInstrumentClassifier(
        instrument, level="domains", adverse_class=0
    ),
    "CalibratedInstrumentClassifier, item weights >= 0": make_pipeline(
        SimpleImputer(strategy="median").set_output(transform="pandas"),
        CalibratedInstrumentClassifier(instrument, level="items", adverse_class=0),
    ),
}
for name, model in models.items():
    auc[name] = cross_val_score(model, X, continued, cv=cv, scoring="roc_auc")
auc = pd.DataFrame(auc).T
pd.DataFrame({"mean AUC": auc.mean(axis=1), "sd over folds": auc.std(axis=1)}).round(3)

# %% [markdown]
# All five rank candidates almost equally well, the experts' AHP weights included. That is the *flat maximum effect* (Dawes 1979):
# when predictors are correlated, as the four risk domains are, many weightings predict about
# equally well. Calibration will not make the instrument much **sharper**; what it changes is
# **where** candidates land relative to the band boundaries, and so their advice (notebooks 03
# and 04).
#
# The penalty `C` of the constrained fit, chosen by a grid search on the log-loss:

# %%
search = GridSearchCV(
    CalibratedInstrumentClassifier(instrument, level="domains", adverse_class=0),
    {"C": [0.01, 0.1, 1.0, 10.0]},
    cv=cv,
    scoring="neg_log_loss",
)
search.fit(X, continued)
best_C = search.best_params_["C"]
print("best C:", best_C)
pd.DataFrame(search.cv_results_)[
    ["param_C", "mean_test_score", "std_test_score", "rank_test_score"]
].round(4)

# %% [markdown]
# ## 4. Weights fitted to outcomes, with bootstrap intervals
#
# `fit_weights` fits the same constrained model (same solver) on the risk-oriented domain scores
# from `risk_features`, and refits it on 300 bootstrap resamples drawn within each outcome class.

# %%
features = risk_features(scores, level="domains")[assessable]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    fitted = fit_weights(
        features,
        breakdown_or_nan.to_numpy(),
        nonnegative=True,
        C=best_C,
        n_bootstrap=300,
        random_state=1,
        placed=placed,
    )
print(*{str(w.message) for w in caught}, sep="\n")
print(f"n = {fitted.n}, breakdowns = {fitted.n_events}, C = {fitted.C}")
fitted.to_frame().round(3)

# %% [markdown]
# Only ratios of weights matter (the total is a weighted *mean*), so we compare **shares**: each
# domain's weight over the sum. The bootstrap gives an interval for every share.

# %%
resampled = fitted.bootstrap[DOMAINS]
resampled_shares = resampled.div(resampled.sum(axis=1), axis=0)
shares = pd.DataFrame(
    {
        "provisional": provisional / provisional.sum(),
        "AHP (experts)": combined.weights,
        "fitted (outcomes)": fitted.coef / fitted.coef.sum(),
        "fitted low": resampled_shares.quantile(0.025),
        "fitted high": resampled_shares.quantile(0.975),
    }
)

fig, ax = plt.subplots(figsize=(8, 4.2))
y = np.arange(len(DOMAINS))
fitted_share = shares["fitted (outcomes)"]
ax.errorbar(
    fitted_share,
    y,
    xerr=[fitted_share - shares["fitted low"], shares["fitted high"] - fitted_share],
    fmt="o",
    color="black",
    capsize=3,
    label="fitted to outcomes (95% bootstrap)",
)
ax.scatter(
    shares["AHP (experts)"], y + 0.15, marker="s", color="#3d85c6", label="AHP, three experts"
)
ax.scatter(
    shares["provisional"], y - 0.15, marker="|", s=200, color="grey", label="provisional (equal)"
)
ax.set_yticks(y, DOMAINS)
ax.invert_yaxis()
ax.set_xlabel("share of the total weight")
ax.set_title("Domain weights: provisional, expert judgement and outcomes")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=8, frameon=False)
plt.tight_layout()
plt.show()
shares.round(3)

# %% [markdown]
# The outcomes and the experts **disagree about protective factors**: the experts gave them the
# smallest share, while in this pilot they are the strongest predictor of a placement that lasts.
# The experts' share for impulse control lies beyond what the outcomes support, and the
# provisional equal shares are outside the intervals for emotion regulation and protective factors.
# That is a question for the committee, not for the software; the table at the end shows both.
#
# ### Why not item weights?
#
# The same fit on the 25 items is unstable on 1,500 candidates: many item weights are pinned at 0
# in a large share of resamples, and their intervals are wide. Within a domain, the items are
# strongly correlated, so the data cannot tell them apart.

# %%
item_features = risk_features(scores, level="items")[assessable][placed]
rated = item_features.notna().all(axis=1)
item_fit = fit_weights(
    item_features[rated],
    breakdown[rated.to_numpy()].to_numpy(),
    C=best_C,
    n_bootstrap=300,
    random_state=1,
)
item_table = item_fit.to_frame().drop(index="intercept")
print(
    f"{(item_table['zero_share'] > 0.25).sum()} of {len(item_table)} item weights are 0 in more than a "
    f"quarter of the resamples; {(item_table['low'] == 0).sum()} intervals reach 0."
)
item_table.sort_values("zero_share", ascending=False).head(8).round(3)

# %% [markdown]
# So we propose **domain weights fitted to outcomes** and keep the item weights as they are.
#
# ## 5. The proposal, written as a new calibrated version
#
# `instrument_weights` rescales the fitted coefficients for a criteria file (the largest becomes
# 10, one decimal). `write_calibrated` writes the new file: status *calibrated*, version 0.2.0,
# with a provenance that names the method, the date, the data's sha256 and the sha256 of the
# version it replaces. The file is validated before it is written.
#
# **One file per version, written once.** The file goes to the folder `calibrated/` (or the one
# named in `WEEGTOOL_CALIBRATED`), where notebook 04 reads it. Running this notebook again writes
# nothing new (the same calibration gives the same text); a different 0.2.0 would be refused.

# %%
proposal = instrument_weights(fitted, instrument)
method = (
    f"L2-penalised logistic regression (C = {best_C:g}) of placement breakdown on the risk-oriented "
    f"domain scores, weights >= 0, 300 stratified bootstrap resamples; synthetic pilot cohort "
    f"(seed 11), the {fitted.n} placed candidates (outcomes exist only for them). Item weights unchanged."
)
training_data = features[placed].assign(breakdown=breakdown.to_numpy())

folder = Path(os.environ.get("WEEGTOOL_CALIBRATED", "calibrated"))
folder.mkdir(parents=True, exist_ok=True)
path = folder / "twente-specialistisch-wonen-0.2.0.yaml"
new = write_calibrated(
    instrument,
    path,
    version="0.2.0",
    domain_weights=proposal.domains,
    method=method,
    data=training_data,
    date=dt.date(2026, 11, 23),
)  # fixed, so the file and its sha256 are reproducible
# the experts' AHP weights travel with it, for notebook 04's comparisons
combined.weights.rename("weight").rename_axis("domain").to_csv(folder / "ahp_domain_weights.csv")
lines = path.read_text(encoding="utf-8").splitlines()
start = lines.index("provenance:")
print("\n".join(lines[:3] + ["..."] + lines[start : start + 12] + ["..."]))

# %% [markdown]
# Loaded back with the ordinary loader, it is a valid instrument like any other; the command line
# agrees (`weegtool validate` exits with 0 and prints the same sha256):

# %%
reloaded = weegtool.load_instrument(path)
assert reloaded.sha256 == new.sha256 and reloaded.status == "calibrated"
provenance = reloaded.spec.provenance
print(
    f"{reloaded.id} {reloaded.version} ({reloaded.status}), replaces {provenance.previous_version} "
    f"(sha256 {provenance.previous_sha256[:12]}...), data sha256 {provenance.data_sha256[:12]}..., "
    f"{provenance.data_rows} rows"
)

cli = subprocess.run(
    [sys.executable, "-m", "weegtool", "validate", str(path)],
    capture_output=True,
    text=True,
    check=True,
)
print(cli.stdout.strip())
instrument_changes(instrument, reloaded)

# %% [markdown]
# ## Conclusion: proposed domain weights for version 0.2.0
#
# * The experts' AHP judgements are consistent (after one corrected entry) and put **impulse
#   control** first.
# * Fitted to outcomes, **protective factors** weigh most and emotion regulation least; the risk
#   domains' intervals overlap.
# * Calibrated weights hardly improve how well the instrument *ranks* candidates (AUC about the
#   same as equal weights); they change *which band* some candidates land in. Notebook 04 shows
#   whose advice changes.
# * Item weights stay as they are: 1,500 candidates cannot tell correlated items apart.
#
# The committee decides which weights to adopt; the table puts the options side by side, and the
# new file is ready for notebook 04's comparison.

# %%
table = pd.DataFrame(
    {
        "provisional weight": provisional,
        "provisional share": shares["provisional"],
        "AHP share": shares["AHP (experts)"],
        "fitted share": shares["fitted (outcomes)"],
        "fitted share 95% interval": [
            f"{lo:.2f}-{hi:.2f}" for lo, hi in zip(shares["fitted low"], shares["fitted high"])
        ],
        "provisional inside": shares["provisional"].between(
            shares["fitted low"], shares["fitted high"]
        ),
        "AHP inside": shares["AHP (experts)"].between(shares["fitted low"], shares["fitted high"]),
        "proposed weight (0.2.0)": pd.Series({d: reloaded.domain(d).weight for d in DOMAINS}),
    }
)
table.index.name = "domain"
print(f"new criteria file: {path.name}\nsha256: {reloaded.sha256}")
table.round(3)

# %% [markdown]
# **Samenvatting (NL):** de deskundigen (AHP) wegen impulscontrole het zwaarst, de uitkomsten
# beschermende factoren; de voorgestelde domeingewichten (gefit op uitkomsten, alle >= 0) staan in
# de nieuwe, gevalideerde versie 0.2.0 (status *calibrated*), met de sha256 hierboven; de
# commissie besluit welke gewichten zij overneemt.
