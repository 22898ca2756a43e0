from django.urls import path

from apps.sync.api.views import ExchangeView, HealthView, RegisterView

urlpatterns = [
    path("sync/register", RegisterView.as_view(), name="sync-register"),
    path("sync/exchange", ExchangeView.as_view(), name="sync-exchange"),
    path("health", HealthView.as_view(), name="health"),
]
