"""The name-keyed registry of drift methods."""

from __future__ import annotations

from driftline.drift.auto import AUTO, POLICIES
from driftline.drift.methods import (
    anderson,
    chi2,
    chi2_contingency,
    cramer_von_mises,
    energy_distance,
    epps_singleton,
    fisher_exact,
    g_test,
    hellinger,
    jensenshannon,
    kl_div,
    ks,
    l_infinity,
    mann_whitney,
    mmd,
    psi,
    t_test,
    tvd,
    tvd_permutation,
    wasserstein,
    z,
)
from driftline.drift.methods.base import DriftMethod
from driftline.errors import UnknownNameError

_METHODS: dict[str, DriftMethod] = {
    module.METHOD.name: module.METHOD
    for module in (
        ks,
        chi2,
        z,
        chi2_contingency,
        psi,
        jensenshannon,
        wasserstein,
        hellinger,
        kl_div,
        l_infinity,
        cramer_von_mises,
        anderson,
        tvd,
        fisher_exact,
        g_test,
        mann_whitney,
        t_test,
        energy_distance,
        epps_singleton,
        mmd,
        tvd_permutation,
    )
}

__all__ = ["AUTO", "all_methods", "get_method"]


def get_method(name: str) -> DriftMethod:
    """The method called `name`; an unknown name raises an error listing the valid ones
    (the methods and the policies that choose one per column, such as `auto`)."""
    try:
        return _METHODS[name]
    except KeyError:
        raise UnknownNameError("drift method", name, [*_METHODS, *POLICIES]) from None


def all_methods() -> tuple[DriftMethod, ...]:
    """Every registered method, in registration order."""
    return tuple(_METHODS.values())
