from django.urls import path

from ajour.claims import views

app_name = "claims"
urlpatterns = [
    path("new/", views.find, name="find"),
    path("new/<int:instance_id>/", views.new_claim, name="new"),
    path("new/<int:instance_id>/quote/", views.quote_partial, name="quote"),
    path("material/", views.new_material, name="material"),
    path("queue/", views.queue, name="queue"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:appeal_id>/decide/", views.decide_appeal, name="decide_appeal"),
    path("payouts/", views.payouts, name="payouts"),
    path("payouts/<str:on>/<str:kind>/", views.payout_file, name="payout_file"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/receipts/", views.upload_receipt, name="upload_receipt"),
    path("<uuid:public_id>/receipts/<int:receipt_id>/", views.download_receipt, name="receipt"),
    path("<uuid:public_id>/appeal/", views.appeal, name="appeal"),
    path("<uuid:public_id>/review/", views.review, name="review"),
]
