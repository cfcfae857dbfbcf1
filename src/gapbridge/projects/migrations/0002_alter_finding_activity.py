"""Kept as a no-op: other apps' migrations (pledges) depend on this name; the schema is all in 0001."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations: list[migrations.operations.base.Operation] = []
