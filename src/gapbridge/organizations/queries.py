"""Reading organizations: their names by IATI organisation identifier."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gapbridge.organizations.models import Organization


def provider_names(published: Mapping[str, str], keys: Iterable[str] = ()) -> dict[str, str]:
    """The name to show for each provider key (`published` and `keys`): the name of the GapBridge
    organization with that IATI identifier where there is one (as the registry and the publishers' page name
    it), else the name published with the money, else "". Money published under a bare identifier, or under
    a name in another language ("Organisation des Nations unies pour l'éducation…" on an English page), is
    then named like its publisher."""
    wanted = {k for k in [*published, *keys] if k}
    known = dict(Organization.objects.filter(iati_ref__in=sorted(wanted)).values_list("iati_ref", "name"))
    return {key: known.get(key) or published.get(key, "") for key in wanted}
