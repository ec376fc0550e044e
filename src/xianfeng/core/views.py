from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Job


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from xianfeng.orgs.queries import scope_roots

    return render(request, "core/home.html", {"roots": scope_roots(request.user)})


def get_job_for_user(user, pk: int) -> Job:  # type: ignore[no-untyped-def]
    """A job is seen by its creator only: its result may hold one-time passwords."""
    job = Job.objects.filter(pk=pk).first()
    if job is None or job.created_by_id != user.pk:
        raise Http404("没有找到该后台任务")
    return job


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request.user, pk)
    context = {"job": job, "job_poll_url": request.path}
    if request.htmx:
        response = render(request, "core/_progress.html", context)
        if not job.is_active:
            response["HX-Refresh"] = "true"  # show the result table once the job ends
        return response
    return render(request, "core/job.html", context)
