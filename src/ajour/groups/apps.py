from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "ajour.groups"
    label = "groups"
    verbose_name = "Groups and clusters"
