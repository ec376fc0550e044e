from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("directory/", views.directory_search, name="directory"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/new/", views.create, name="create"),
    path("<str:code>/leadership/", views.leadership, name="leadership"),
    path("<str:code>/leadership/seats/", views.seat_add, name="seat_add"),
    path("<str:code>/leadership/seats/<int:seat_id>/end/", views.seat_end, name="seat_end"),
    path("<str:code>/leadership/terms/", views.term_add, name="term_add"),
    path("<str:code>/leadership/extension/", views.term_extend, name="term_extend"),
    path("<str:code>/contacts/", views.contacts, name="contacts"),
    path("<str:code>/contacts/points/", views.contact_add, name="contact_add"),
    path("<str:code>/contacts/points/<int:point_id>/end/", views.contact_end, name="contact_end"),
    path("<str:code>/contacts/visits/", views.visit_add, name="visit_add"),
    path("<str:code>/venues/", views.venues, name="venues"),
    path("<str:code>/venues/new/", views.venue_add, name="venue_add"),
    path("<str:code>/venues/<int:venue_id>/edit/", views.venue_edit, name="venue_edit"),
    path("<str:code>/venues/<int:venue_id>/close/", views.venue_close, name="venue_close"),
    path("<str:code>/staff/", views.staff_add, name="staff_add"),
    path("<str:code>/staff/<int:post_id>/end/", views.staff_end, name="staff_end"),
    path("<str:code>/budget/", views.budget, name="budget"),
    path("<str:code>/budget/set/", views.budget_set, name="budget_set"),
    path("<str:code>/budget/spending/", views.spending_add, name="spending_add"),
]
