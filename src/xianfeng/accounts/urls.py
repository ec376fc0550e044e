from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LoginForm

app_name = "accounts"
# Fixed paths first: these words are reserved usernames (domain.RESERVED_USERNAMES).
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("bulk/", views.bulk_create, name="bulk_create"),
    path("", views.account_list, name="list"),
    path("<str:username>/", views.account_detail, name="detail"),
    path("<str:username>/posts/", views.post_add, name="post_add"),
    path("<str:username>/posts/<int:pk>/end/", views.post_end, name="post_end"),
    path("<str:username>/member/", views.link_member, name="link_member"),
    path("<str:username>/reset-password/", views.reset_password, name="reset_password"),
    path("<str:username>/active/", views.set_active, name="set_active"),
    path("<str:username>/identifiers/", views.set_identifiers, name="set_identifiers"),
]
