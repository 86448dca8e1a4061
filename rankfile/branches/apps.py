from django.apps import AppConfig


class BranchesConfig(AppConfig):
    name = "rankfile.branches"
    label = "branches"
