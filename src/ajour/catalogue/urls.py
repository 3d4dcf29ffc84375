from django.urls import path

from ajour.catalogue import views

app_name = "catalogue"
urlpatterns = [
    path("", views.search, name="search"),
    path("feed.ics", views.feed, name="feed"),
    path("activity/<int:pk>/", views.detail, name="detail"),
    path("provider/register/", views.provider_register, name="provider_register"),
    path("apply/", views.activity_new, name="activity_new"),
    path("apply/preview/", views.programme_preview, name="programme_preview"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("applications/<int:pk>/runs/new/", views.instance_new, name="instance_new"),
    path("applications/<int:pk>/submit/", views.submit, name="submit"),
    path("applications/<int:pk>/answer/", views.answer, name="answer"),
    path("applications/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("runs/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("runs/<int:pk>/bookings/", views.bookings, name="bookings"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review, name="review"),
    path("review/<int:pk>/change/", views.change, name="change"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:pk>/", views.appeal_decide, name="appeal_decide"),
]
