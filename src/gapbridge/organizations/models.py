"""Organizations that provide or request support: ministries, agencies, donors, banks, NGOs, companies."""

from __future__ import annotations

from django.db import models


class OrganizationType(models.TextChoices):
    """IATI OrganisationType codes (codelist OrganisationType), the subset GapBridge users pick from."""

    GOVERNMENT = "10", "Government"
    LOCAL_GOVERNMENT = "11", "Local Government"
    OTHER_PUBLIC = "15", "Other Public Sector"
    INTERNATIONAL_NGO = "21", "International NGO"
    NATIONAL_NGO = "22", "National NGO"
    REGIONAL_NGO = "23", "Regional NGO"
    PARTNER_COUNTRY_NGO = "24", "Partner Country based NGO"
    PUBLIC_PRIVATE = "30", "Public Private Partnership"
    MULTILATERAL = "40", "Multilateral"
    FOUNDATION = "60", "Foundation"
    PRIVATE_SECTOR = "70", "Private Sector"
    ACADEMIC = "80", "Academic, Training and Research"
    OTHER = "90", "Other"


class Organization(models.Model):
    name = models.CharField(max_length=300)
    iati_ref = models.CharField(
        "IATI organisation identifier", max_length=120, unique=True, null=True, blank=True
    )
    org_type = models.CharField(
        max_length=4, choices=OrganizationType.choices, default=OrganizationType.OTHER
    )
    country = models.ForeignKey(
        "countries.Economy", null=True, blank=True, on_delete=models.SET_NULL, related_name="organizations"
    )
    website = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # The ownership protocol used by gapbridge.accounts.permissions.
    def owning_organization_id(self) -> int | None:
        return self.pk

    def owning_country_id(self) -> int | None:
        return None
