from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gapbridge.audit"
    verbose_name = "Audit log"
