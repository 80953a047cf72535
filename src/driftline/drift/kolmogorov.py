"""P(D_n > d) for the two-sided one-sample Kolmogorov-Smirnov statistic D_n: the numbers of
scipy.stats.kstwo.sf, without importing scipy.stats where the sample is large.

scipy follows Simard and L'Ecuyer (2011). For n > `PELZ_GOOD_ABOVE` and 1 < n d < n - 1,
d < 0.5, its answer depends on n d^2 alone: 0 from 370 on, 2 * Smirnov's P(D_n^+ >= d) from
2.2 on, and below 2.2 one minus Pelz and Good's (1976) asymptotic series for the CDF. The
series takes a few terms (`pelz_good_cdf`, scipy's arithmetic step by step); Smirnov's sum is
added in numpy (`smirnov`) up to n = 1,000,000. Every other case is scipy's, imported only
then.
"""

from __future__ import annotations

import math

import numpy as np

#: scipy uses Pelz and Good's series above this n where n d^2 < 2.2 (its `_kolmogn`)
PELZ_GOOD_ABOVE = 100_000
#: below this n scipy takes other algorithms: the exact distribution or Miller's
SMALL_N = 140
#: above this n the numpy sum below replaces scipy's own (fast enough for smaller n)
SUMMED_FROM = 10_000
#: scipy's smirnov(n, d) adds up its Birnbaum-Tingey sum term by term up to this n (about
#: 3 s at n = 1,000,000) and takes an asymptotic formula above it
SUMMED_UP_TO = 1_000_000
#: n d^2 from which P(D_n > d) is 0 in float64 (scipy's cut), and from which it is Smirnov's
NEGLIGIBLE = 370.0
SMIRNOV_FROM = 2.2
#: log k! comes from Stirling's series from this k on (math.lgamma below)
STIRLING_FROM = 100
_CHUNK = 1 << 18
_PI_SQUARED = np.pi**2
_PI_FOUR = np.pi**4
_PI_SIX = np.pi**6
_SQRT2PI = np.sqrt(2 * np.pi)
_SQRT3 = np.sqrt(3)
_MIN_LOG = -708  # scipy's cut: q = exp(qlog) is taken as 0 below it


def two_sided_sf(d: float, n: float) -> float:
    """scipy.stats.kstwo.sf(d, n): P(D_n > d), `n` a whole number (as float)."""
    t = n * d
    if n > SMALL_N and 1.0 < t < n - 1 and d < 0.5:
        nd2 = t * d  # scipy's branch, with its own arithmetic
        if nd2 >= NEGLIGIBLE:
            return 0.0
        if nd2 >= SMIRNOV_FROM and SUMMED_FROM < n <= SUMMED_UP_TO:
            return _probability(2 * smirnov(int(n), d))
        if nd2 >= SMIRNOV_FROM and n > SUMMED_UP_TO:
            from scipy import special  # its asymptotic formula (importing it costs ~0.4 s)

            return _probability(2 * float(special.smirnov(int(n), d)))
        if n > PELZ_GOOD_ABOVE:
            return _probability(1.0 - pelz_good_cdf(n, d))
    from scipy import stats  # lazy: importing scipy.stats costs ~0.5 s

    return float(np.clip(stats.kstwo.sf(d, n), 0, 1))


def _probability(p: float) -> float:
    return min(max(p, 0.0), 1.0)


def pelz_good_cdf(n: float, x: float) -> float:
    """Pelz and Good's approximation of P(D_n <= x), 0 < x < 1: Li-Chien and Korolyuk's
    K0(z) + K1(z)/sqrt(n) + K2(z)/n + K3(z)/n^1.5 (z = x sqrt(n)) with each K written for
    small z through Jacobi theta functions; evaluated as scipy's `_kolmogn_PelzGood` does."""
    z = np.sqrt(np.float64(n)) * x
    zsquared, zthree, zfour, zsix = z**2, z**3, z**4, z**6
    qlog = -_PI_SQUARED / 8 / zsquared
    if qlog < _MIN_LOG:
        return 0.0
    q = np.exp(qlog)
    k1a = -zsquared
    k1b = _PI_SQUARED / 4
    k2a = 6 * zsix + 2 * zfour
    k2b = (2 * zfour - 5 * zsquared) * _PI_SQUARED / 4
    k2c = _PI_FOUR * (1 - 2 * zsquared) / 16
    k3d = _PI_SIX * (5 - 30 * zsquared) / 64
    k3c = _PI_FOUR * (-60 * zsquared + 212 * zfour) / 16
    k3b = _PI_SQUARED * (135 * zfour - 96 * zsix) / 4
    k3a = -30 * zsix - 90 * z**8
    terms = np.zeros(4)
    # Horner's scheme for the sums of c_m q^(m^2) over odd m = 2k - 1
    maxk = int(np.ceil(16 * z / np.pi))
    for k in range(maxk, 0, -1):
        m = 2 * k - 1
        msquared, mfour, msix = m**2, m**4, m**6
        coeffs = np.array(
            [
                1.0,
                k1a + k1b * msquared,
                k2a + k2b * msquared + k2c * mfour,
                k3a + k3b * msquared + k3c * mfour + k3d * msix,
            ]
        )
        terms *= np.power(q, 8 * k)
        terms += coeffs
    terms *= q
    terms *= _SQRT2PI
    terms /= np.array([z, 6 * zfour, 72 * z**7, 6480 * z**10])
    # the sums over all k of K2's and K3's other terms
    q = np.exp(-_PI_SQUARED / 2 / zsquared)
    ks = np.arange(maxk, 0, -1)
    ksquared = ks**2
    sqrt3z = _SQRT3 * z
    kspi = np.pi * ks
    qpowers = q**ksquared
    k2extra = np.sum(ksquared * qpowers)
    k2extra *= _PI_SQUARED * _SQRT2PI / (-36 * zthree)
    terms[2] += k2extra
    k3extra = np.sum((sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qpowers)
    k3extra *= _PI_SQUARED * _SQRT2PI / (216 * zsix)
    terms[3] += k3extra
    terms /= np.power(np.float64(n), np.arange(len(terms)) / 2.0)
    return float(sum(terms))


def smirnov(n: int, d: float) -> float:
    """P(D_n^+ >= d) by Birnbaum and Tingey's sum over j < n (1 - d) of
    C(n, j) d (d + j/n)^(j-1) (1 - d - j/n)^(n-j), its terms taken in log space: scipy's
    smirnov(n, d) to about 1e-9 relative, in 30 ms instead of up to 3 s. log C(n, j) comes
    from a table of log k! (`_log_factorials`), not scipy.special, whose import costs 0.4 s."""
    stop = math.ceil(n * (1.0 - d))
    log_factorial = _log_factorials(n)
    peak, total = -math.inf, 0.0  # sum of exp(log term - peak)
    for start in range(0, stop, _CHUNK):
        whole = np.arange(start, min(start + _CHUNK, stop))
        j = whole.astype(np.float64)
        logs = log_factorial[n] - log_factorial[whole] - log_factorial[n - whole]
        logs += (n - j) * np.log1p(-(d + j / n))
        logs += (j - 1) * np.log(d + j / n)
        top = float(logs.max())
        if top > peak:
            total *= math.exp(peak - top)
            peak = top
        total += float(np.exp(logs - peak).sum())
    return d * math.exp(peak) * total


def _log_factorials(n: int) -> np.ndarray:
    """log k! for k = 0..n: `math.lgamma` below `STIRLING_FROM`, Stirling's series above
    (its first omitted term, 1/(1680 x^7), is below 1e-17 there)."""
    x = np.arange(1, n + 2, dtype=np.float64)  # log k! = log Gamma(x), x = k + 1
    small = min(STIRLING_FROM, n + 1)
    table = np.empty(n + 1)
    table[:small] = [math.lgamma(v) for v in x[:small]]
    x = x[small:]
    inverse = 1.0 / x
    squared = inverse * inverse
    series = inverse * (1 / 12 - squared * (1 / 360 - squared / 1260))
    table[small:] = (x - 0.5) * np.log(x) - x + 0.5 * math.log(2 * math.pi) + series
    return table
