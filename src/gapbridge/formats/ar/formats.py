"""Arabic formats: Django's own (`django/conf/locale/ar/formats.py`: Western digits, decimal comma, dot
between thousands), with what it leaves out: thousands grouped (57.532.493, not 57532493) and a date-time
in the same day-month-year order as its dates (24 نوفمبر، 2026، 13:31), instead of the US order of the
global default."""

from django.conf.locale.ar.formats import *  # type: ignore[import-untyped]  # noqa: F403

NUMBER_GROUPING = 3
DATETIME_FORMAT = "j F، Y، H:i"
SHORT_DATETIME_FORMAT = "d‏/m‏/Y H:i"
