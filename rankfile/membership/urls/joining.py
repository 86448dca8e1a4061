from django.urls import path

from rankfile.membership.views import joining, member_import, payments, staff, statements

app_name = "membership"
urlpatterns = [
    path("join/", joining.join_choose, name="join"),
    path("join/done/<str:reference>/", joining.join_done, name="join_done"),
    path("join/confirm/<str:token>/", joining.join_confirm, name="confirm"),
    path("join/receipt/<str:reference>/", joining.receipt, name="receipt"),
    path("join/<slug:category>/", joining.join_details, name="join_details"),
    path("privacy/", joining.privacy, name="privacy"),
    path("staff/payments/", staff.staff_payments, name="staff_payments"),
    path("staff/members/import/", member_import.member_import_page,
         name="staff_member_import"),
    path("staff/members/import/run/", member_import.member_import_run,
         name="staff_member_import_run"),
    path("staff/placements/", staff.staff_placements, name="staff_placements"),
    path("staff/placements/<str:reference>/", staff.staff_place, name="staff_place"),
    path("staff/placements/<str:reference>/decline/", staff.staff_decline_placement,
         name="staff_decline_placement"),
    path("staff/payments/statements/", statements.statements, name="staff_statements"),
    path("staff/payments/statements/import/", statements.statement_import,
         name="staff_statement_import"),
    path("staff/payments/statements/<int:pk>/", statements.statement_detail,
         name="staff_statement"),
    path("staff/payments/<str:reference>/record/", staff.staff_payment_record,
         name="staff_payment_record"),
    path("staff/payments/<str:reference>/refund/", staff.staff_payment_refund,
         name="staff_payment_refund"),
    path("payments/stripe/webhook/", payments.stripe_webhook, name="stripe_webhook"),
]
