"""Results: result -> indicator -> baseline / period -> target and actual values.

This is the shape result roll-ups build on (docs/registry.md, "Results"): every row carries ``activity``
(so a roll-up can filter by activity, country or focus area without walking the chain) and ``position``
(the published order). Rows are replaced when a newer version of the activity is imported, so other
tables should refer to a result as (activity, result position, indicator position), not by row id.
Values are text, as in IATI 2.03 (``ResultValue``); ``numeric_value`` is the same value as a number
when it is one, for sums.
"""

from __future__ import annotations

from django.db import models

from gapbridge.projects.models.activity import Activity, ActivityPart


class Result(ActivityPart):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="results")
    type = models.CharField(max_length=100, blank=True, help_text="ResultType: 1 output, 2 outcome, 3 impact")
    aggregation_status = models.BooleanField(null=True, blank=True)
    title = models.JSONField(default=list)
    description = models.JSONField(default=list)


class ResultIndicator(ActivityPart):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="indicators")
    measure = models.CharField(
        max_length=100, blank=True, help_text="IndicatorMeasure: 1 unit, 2 percentage…"
    )
    ascending = models.BooleanField(null=True, blank=True)
    aggregation_status = models.BooleanField(null=True, blank=True)
    title = models.JSONField(default=list)
    description = models.JSONField(default=list)


class IndicatorBaseline(ActivityPart):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(ResultIndicator, on_delete=models.CASCADE, related_name="baselines")
    year = models.IntegerField(null=True, blank=True)
    iso_date = models.DateField(null=True, blank=True)
    #: NULL = no @value (IATI distinguishes it from an empty value)
    value = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    numeric_value = models.FloatField(null=True, blank=True)
    comment = models.JSONField(default=list)


class IndicatorPeriod(ActivityPart):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(ResultIndicator, on_delete=models.CASCADE, related_name="periods")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)


class IndicatorPeriodValue(ActivityPart):
    """A target or an actual of a period (2.03 allows several of each)."""

    class Kind(models.TextChoices):
        TARGET = "target", "target"
        ACTUAL = "actual", "actual"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(IndicatorPeriod, on_delete=models.CASCADE, related_name="values")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    value = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001 - NULL = no @value
    numeric_value = models.FloatField(null=True, blank=True)
    comment = models.JSONField(default=list)
