"""The Equal Earth map projection (Šavrič, Patterson & Jenny, 2018), used to flatten world geometry.

Equal Earth keeps areas true, so a large country does not look more "in need" than it is merely because
it lies near a pole (the Mercator problem), and it is free of the licensing and patent questions of some
older equal-area projections. Only the forward formula is needed: geometry is projected once at build time.
"""

from __future__ import annotations

import math

# Polynomial coefficients from the paper (Table 1); M scales the parametric latitude.
_A1 = 1.340264
_A2 = -0.081106
_A3 = 0.000893
_A4 = 0.003796
_M = math.sqrt(3.0) / 2.0


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Project (longitude, latitude) in degrees to Equal Earth (x, y) on the unit sphere, y pointing north."""
    lam = math.radians(lon)
    theta = math.asin(_M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


# Half the width of the projected world (at the equator, lon = ±180°): scales x into a fixed viewBox.
EQUAL_EARTH_HALF_WIDTH = equal_earth(180.0, 0.0)[0]
