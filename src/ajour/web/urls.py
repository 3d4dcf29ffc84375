from django.contrib.auth.views import LogoutView
from django.urls import path

from ajour.web import views

app_name = "web"
urlpatterns = [
    path("", views.front, name="front"),
    path("home/", views.home, name="home"),
    path("login/", views.AjourLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("demo-login/<slug:slug>/", views.demo_login, name="demo_login"),
]
