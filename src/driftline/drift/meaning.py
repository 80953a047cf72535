"""One sentence per drift method on what its score means, for the report page."""

from __future__ import annotations

MEANINGS: dict[str, str] = {
    "ks": (
        "Kolmogorov-Smirnov test: the p-value of the largest gap between the two cumulative "
        "distributions; a small p-value means the two samples are unlikely to share one "
        "distribution."
    ),
    "chi2": (
        "Chi-square test: the p-value of the current category counts if the category shares "
        "had not changed; a small p-value means the category mix changed."
    ),
    "z": (
        "Two-proportion z-test: the p-value of the change in the share of one value of a "
        "two-valued column; a small p-value means that share moved."
    ),
    "psi": (
        "Population stability index: the sum over bins of (current share - reference share) x "
        "ln(current share / reference share); 0 is identical, 0.1 to 0.25 a moderate shift, "
        "above 0.25 a major one."
    ),
    "jensenshannon": (
        "Jensen-Shannon distance between the binned distributions: 0 when they are identical, "
        "about 0.83 (the square root of ln 2) when they do not overlap at all."
    ),
    "wasserstein": (
        "Wasserstein (earth mover's) distance divided by the reference standard deviation: "
        "how far, in reference standard deviations, the values had to move on average."
    ),
    "hellinger": (
        "Hellinger distance between the two distributions: 0 when they are identical, 1 when "
        "they do not overlap at all."
    ),
    "kl_div": (
        "Kullback-Leibler divergence between the binned distributions: 0 when they are "
        "identical, growing without bound as they separate."
    ),
    "l_infinity": (
        "L-infinity distance: the largest change in the share of any one value or bin, from 0 to 1."
    ),
    "cramer_von_mises": (
        "Cramer-von Mises test: the p-value of the summed squared gaps between the two "
        "cumulative distributions; a small p-value means the distributions differ."
    ),
    "anderson": (
        "Anderson-Darling k-sample test: like Kolmogorov-Smirnov but weighting the tails more; "
        "a small p-value means the distributions differ (scipy caps it to 0.001 .. 0.25)."
    ),
    "tvd": (
        "Total variation distance: half the summed change in shares, the share of rows that "
        "would have to move to another value or bin to turn one side into the other (0 to 1)."
    ),
}

_BY_DIRECTION = {
    "p_value": "a p-value: drift when it is below the threshold (a smaller value is stronger "
    "evidence that the distribution changed).",
    "distance": "a distance between the distributions: drift when it reaches the threshold "
    "(0 means identical).",
}


def meaning(method: str, direction: str) -> str:
    """What a score of `method` means; methods without their own sentence get their
    direction's."""
    return MEANINGS.get(method) or f"{method}: {_BY_DIRECTION.get(direction, direction)}"
