"""Agreement statistics as pure functions: coders x units matrices in, frozen dataclasses out.
(Full API notes are added with `summarize`.)"""

from studyapp.stats.alpha import krippendorff_alpha, masi_alpha, masi_distance
from studyapp.stats.bands import band_for, krippendorff_band, landis_koch_band
from studyapp.stats.bootstrap import BootstrapCI, bootstrap_ci, kalpha_bootstrap_ci
from studyapp.stats.chance_corrected import (brennan_prediger, category_proportions, fleiss_kappa, gwet_ac1,
                                             gwet_ac2, per_unit_agreement, percent_agreement)
from studyapp.stats.kappa import (ConfusionMatrix, PairwiseKappa, cohen_kappa, confusion_matrix, pairwise_kappa,
                                  per_category_kappa, scott_pi)
from studyapp.stats.matrix import UnitCounts
from studyapp.stats.result import Stat
