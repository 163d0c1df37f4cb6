"""Inter-rater reliability and internal consistency, and a reliability report for an instrument.

The coefficients, each as published and as the usual reference implementations
compute it:

- :func:`icc`: the six intraclass correlations of Shrout & Fleiss (1979) with
  their F tests and confidence intervals (McGraw & Wong 1996; as R's
  ``psych::ICC`` and pingouin's ``intraclass_corr``);
- :func:`g_study`, :func:`d_study` and :func:`raters_needed`: generalizability
  theory for p x r and p x r x i (Brennan 2001), in :mod:`.gstudy`;
- :func:`cronbach_alpha` (with Feldt's confidence interval and alpha if an
  item is deleted) and :func:`domain_alphas` for the domains of an instrument;
- :func:`cohen_kappa`, unweighted or with linear or quadratic weights, with the
  large-sample standard error of Fleiss, Cohen & Everitt (1969);
- :func:`fleiss_kappa` (Fleiss 1971, through statsmodels);
- :func:`light_kappa`, the mean pairwise Cohen's kappa of many raters (Light 1971), with a
  bootstrap interval over the units;
- :func:`krippendorff_alpha` for nominal, ordinal, interval and ratio data
  (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability");
- :func:`percent_agreement`, exact agreement with a Wilson interval;
- :func:`gwet_ac` (AC1, AC2), :func:`brennan_prediger` and :func:`specific_agreement`,
  chance-robust agreement for skewed prevalence (Gwet 2014), in :mod:`.gwet`;
- :func:`koo_li_band` and :func:`landis_koch_band`, the usual verbal labels.

:func:`reliability_report` scores every rater of a ratings table separately with
weegtool's own reader and engine and reports, per domain and for the total,
ICC(2,1); per item, for the band and for the advice, kappa and exact agreement.

Orientation of the inputs, as in the literature each function follows:
``icc`` and ``percent_agreement`` take targets (candidates) in rows and raters in
columns; ``cronbach_alpha`` cases in rows and items in columns;
``fleiss_kappa`` subjects in rows and categories in columns (counts);
``krippendorff_alpha`` raters in rows and units in columns ("reliability data").

Missing ratings (NaN, None) are handled as each method allows, and said so:
``icc`` and ``cronbach_alpha`` use the complete rows only and warn
(:class:`ReliabilityWarning`) how many they dropped; ``cohen_kappa`` uses the
cases both raters rated; ``krippendorff_alpha`` and ``percent_agreement`` use
every unit with at least two ratings.

One module per family: :mod:`.icc`, :mod:`.kappa` (Cohen and Fleiss),
:mod:`.alpha` (Cronbach and Krippendorff), :mod:`.agreement` (exact agreement
and the verbal labels) and :mod:`.report`; what they share (the error, the
warning, :class:`Estimate`, listwise deletion) is in ``_common``. Import every
name from here.
"""

from __future__ import annotations

from ._common import Estimate, ReliabilityError, ReliabilityWarning
from .agreement import koo_li_band, landis_koch_band, percent_agreement
from .alpha import AlphaResult, cronbach_alpha, domain_alphas, krippendorff_alpha
from .gstudy import GStudy, d_study, g_study, raters_needed
from .gwet import AgreementCoefficient, brennan_prediger, gwet_ac, specific_agreement
from .icc import icc
from .kappa import cohen_kappa, fleiss_kappa, light_kappa
from .report import reliability_report

__all__ = [
    "ReliabilityError",
    "ReliabilityWarning",
    "Estimate",
    "AlphaResult",
    "icc",
    "GStudy",
    "g_study",
    "d_study",
    "raters_needed",
    "cronbach_alpha",
    "domain_alphas",
    "cohen_kappa",
    "fleiss_kappa",
    "light_kappa",
    "krippendorff_alpha",
    "percent_agreement",
    "AgreementCoefficient",
    "gwet_ac",
    "brennan_prediger",
    "specific_agreement",
    "koo_li_band",
    "landis_koch_band",
    "reliability_report",
]
