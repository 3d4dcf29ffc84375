from django.urls import path

from ajour.accounts import views

app_name = "accounts"
urlpatterns = [
    path("employment/", views.employment, name="employment"),
    path("employment/<int:pk>/contract/", views.contract, name="contract"),
    path("confirmations/", views.confirmations, name="confirmations"),
    path("confirmations/<int:pk>/", views.decide_confirmation, name="decide_confirmation"),
    path("ledger/", views.my_ledger, name="ledger"),
    path("bank/", views.bank_account, name="bank"),
    path("doctors/<int:pk>/", views.doctor_account, name="doctor"),
]
