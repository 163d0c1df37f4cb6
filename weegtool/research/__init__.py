"""Researchers' toolkit: reliability, weights, thresholds, selective labels, overrides, sensitivity, fairness, versions, calibration.

Everything a notebook needs is importable from here::

    from weegtool.research import synthetic_cohort, reliability_report, fit_weights, youden_cutoff

Calibration never feeds back through imports: it ends in a new criteria file
(:func:`write_calibrated`) that goes through the same validation as any other.
Submodules load on first use, so ``import weegtool.research`` does not pull in
scikit-learn or statsmodels until a method needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _lazy

_LAZY = {
    # synthetic cohorts (real data never ships)
    "Cohort": "synthetic",
    "synthetic_cohort": "synthetic",
    "age_bands": "synthetic",
    "AGE_BANDS": "synthetic",
    # the web app's researcher export, read into the same shape
    "read_export": "export",
    "export_folder": "export",
    "EXPORT_ENV": "export",
    # reliability
    "icc": "reliability",
    "GStudy": "reliability",
    "g_study": "reliability",
    "d_study": "reliability",
    "raters_needed": "reliability",
    "cronbach_alpha": "reliability",
    "domain_alphas": "reliability",
    "cohen_kappa": "reliability",
    "fleiss_kappa": "reliability",
    "light_kappa": "reliability",
    "krippendorff_alpha": "reliability",
    "percent_agreement": "reliability",
    "gwet_ac": "reliability",
    "brennan_prediger": "reliability",
    "specific_agreement": "reliability",
    "koo_li_band": "reliability",
    "landis_koch_band": "reliability",
    "reliability_report": "reliability",
    # weights
    "ahp_weights": "weights",
    "pairwise_matrix": "weights",
    "combine_judgements": "weights",
    "fit_weights": "weights",
    "instrument_weights": "weights",
    "risk_features": "weights",
    "solve_logistic": "weights",
    # thresholds
    "band_boundaries": "thresholds",
    "boundary_roc": "thresholds",
    "youden_cutoff": "thresholds",
    "cost_cutoff": "thresholds",
    "cutoff_loss": "thresholds",
    # measurement error (defined in weegtool.change, shared with the reviews of a candidate)
    "standard_error_of_measurement": ".change",
    "smallest_detectable_change": ".change",
    "reliable_change_index": ".change",
    # overrides
    "override_analysis": "overrides",
    "OverrideAnalysis": "overrides",
    "CARE_LEVELS": "overrides",
    # selective labels
    "selection_bounds": "selection",
    "SelectiveLabelsWarning": ".errors",
    # sensitivity, fairness, versions, calibration
    "weight_sensitivity": "sensitivity",
    "group_rates": "fairness",
    "compare_versions": "versions",
    "instrument_changes": "versions",
    "write_calibrated": "calibrate",
    "data_sha256": "calibrate",
    # scikit-learn estimators
    "InstrumentScorer": "estimators",
    "CalibratedInstrumentClassifier": "estimators",
    # the research errors and warnings, defined with every other error in weegtool.errors
    "ResearchError": ".errors",
    "ReliabilityError": ".errors",
    "ReliabilityWarning": ".errors",
    "ComparisonMatrixError": ".errors",
    "InconsistentJudgementsWarning": ".errors",
}

__all__ = sorted(_LAZY)

if TYPE_CHECKING:
    from ..change import (
        reliable_change_index,
        smallest_detectable_change,
        standard_error_of_measurement,
    )
    from ..errors import (
        ComparisonMatrixError,
        InconsistentJudgementsWarning,
        ReliabilityError,
        ReliabilityWarning,
        ResearchError,
        SelectiveLabelsWarning,
    )
    from .calibrate import data_sha256, write_calibrated
    from .estimators import CalibratedInstrumentClassifier, InstrumentScorer
    from .export import EXPORT_ENV, export_folder, read_export
    from .fairness import group_rates
    from .overrides import CARE_LEVELS, OverrideAnalysis, override_analysis
    from .reliability import (
        GStudy,
        brennan_prediger,
        cohen_kappa,
        cronbach_alpha,
        d_study,
        domain_alphas,
        fleiss_kappa,
        g_study,
        gwet_ac,
        icc,
        koo_li_band,
        krippendorff_alpha,
        landis_koch_band,
        light_kappa,
        percent_agreement,
        raters_needed,
        reliability_report,
        specific_agreement,
    )
    from .selection import selection_bounds
    from .sensitivity import weight_sensitivity
    from .synthetic import AGE_BANDS, Cohort, age_bands, synthetic_cohort
    from .thresholds import (
        band_boundaries,
        boundary_roc,
        cost_cutoff,
        cutoff_loss,
        youden_cutoff,
    )
    from .versions import compare_versions, instrument_changes
    from .weights import (
        ahp_weights,
        combine_judgements,
        fit_weights,
        instrument_weights,
        pairwise_matrix,
        risk_features,
        solve_logistic,
    )


__getattr__ = _lazy(__name__, _LAZY, globals())


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
