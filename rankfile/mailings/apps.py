from django.apps import AppConfig


class MailingsConfig(AppConfig):
    name = "rankfile.mailings"
    label = "mailings"
    verbose_name = "Mailings"
