"""The committee's view of an evaluation as a document: the printable page and its PDF
(`/yearend/evaluations/<id>/document/` and `.../document.pdf`), for whoever may view
evaluations in the admin (branches.scope.ROLE_ACTIONS: the town committee; superusers)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from branches.scope import VIEW, may

from .documents import evaluation_html, evaluation_pdf
from .models import DepartmentEvaluation


def _evaluation(request, evaluation_id: int) -> DepartmentEvaluation:
    # The rule first, so an outsider cannot tell which ids exist.
    if not may(request.user, VIEW, DepartmentEvaluation):
        raise PermissionDenied
    return get_object_or_404(
        DepartmentEvaluation.objects.select_related("department", "approved_by"),
        pk=evaluation_id,
    )


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def evaluation_document(request, evaluation_id: int):
    evaluation = _evaluation(request, evaluation_id)
    return _private(HttpResponse(evaluation_html(evaluation, served=True)))


@login_required
@require_safe
def evaluation_document_pdf(request, evaluation_id: int):
    evaluation = _evaluation(request, evaluation_id)
    filename = f"{evaluation.year}-{evaluation.department.name}-v{evaluation.version}.pdf"
    response = HttpResponse(evaluation_pdf(evaluation), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return _private(response)
