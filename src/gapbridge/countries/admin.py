from django.contrib import admin

from gapbridge.audit.admin_mixins import AuditedAdmin
from gapbridge.countries.models import CountryGroup, Economy, GroupMembership, Indicator


class MembershipInline(admin.TabularInline[GroupMembership, CountryGroup]):
    model = GroupMembership
    extra = 0
    fields = ("economy", "start_date", "end_date", "status", "source", "note", "origin")
    autocomplete_fields = ("economy",)


@admin.register(Economy)
class EconomyAdmin(AuditedAdmin):
    list_display = ("iso3", "name_en", "region", "income_group")
    list_filter = ("region", "income_group")
    search_fields = ("iso3", "name_en", "name_fr", "name_es")


@admin.register(CountryGroup)
class CountryGroupAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "as_of")
    inlines = [MembershipInline]


@admin.register(GroupMembership)
class GroupMembershipAdmin(AuditedAdmin):
    list_display = ("group", "economy", "start_date", "end_date", "status", "origin")
    list_filter = ("group", "origin")
    search_fields = ("economy__iso3", "economy__name_en")
    autocomplete_fields = ("economy",)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # An edit by the secretariat must survive the next reload of the bundled data.
        obj.origin = GroupMembership.Origin.SECRETARIAT
        super().save_model(request, obj, form, change)


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ("code", "name", "pillar", "unit", "source")
