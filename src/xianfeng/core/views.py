import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .forms import ImportForm
from .hooks import hook
from .models import Job


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"roots": hook("scope_roots")(request.user)})


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
    if getattr(request, "htmx", False):
        response = render(request, "core/_progress.html", context)
        if not job.is_active:
            response["HX-Refresh"] = "true"  # show the result table once the job ends
        return response
    return render(request, "core/job.html", context)


@login_required
def data_page(request: HttpRequest) -> HttpResponse:
    """Import (upload → background job) and the template download (PLAT-03)."""
    may_import = hook("may_import")(request.user)
    form = ImportForm()
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied("只有党务工作者或管理员可以导入数据")
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            return redirect("job", _start_import(request, form.cleaned_data["file"]).pk)
    from .exports import export_kinds
    from .tasks import EXPORT_KIND, IMPORT_KIND

    mine = Job.objects.filter(created_by_id=request.user.pk, kind__in=[IMPORT_KIND, EXPORT_KIND])
    jobs = mine[:10]
    context = {
        "form": form,
        "may_import": may_import,
        "jobs": jobs,
        "export_kinds": list(export_kinds().items()),
    }
    return render(request, "core/data.html", context)


def _start_import(request: HttpRequest, upload) -> Job:  # type: ignore[no-untyped-def]
    from .jobs import start_job
    from .tasks import IMPORT_KIND, import_file_task

    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return start_job(
        kind=IMPORT_KIND,
        title=f"导入 {upload.name}",
        by=request.user,
        org=None,
        task=import_file_task,
        path=str(path),
        filename=upload.name,
    )


@login_required
def import_template(request: HttpRequest) -> FileResponse:
    from .workbooks import write_template

    handle = tempfile.TemporaryFile()  # noqa: SIM115  closed by FileResponse
    write_template(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename="先锋导入模板.xlsx")


@login_required
def job_errors(request: HttpRequest, pk: int) -> FileResponse:
    from .tasks import errors_path

    job = get_job_for_user(request.user, pk)
    path = errors_path(job.pk)
    if not path.exists():
        raise Http404("该任务没有错误清单")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"导入错误-{job.pk}.xlsx")


@login_required
@require_POST
def export_download(request: HttpRequest, kind: str) -> FileResponse:
    """Download orgs or members of the user's scope (or one org's subtree) as .xlsx."""
    from .exports import export, export_kinds

    if kind not in export_kinds():
        raise Http404("没有这种导出")
    code = request.POST.get("org", "")
    org = hook("find_org")(request.user, code) if code else None
    handle = tempfile.TemporaryFile()  # noqa: SIM115  closed by FileResponse
    try:
        export(
            kind=kind,
            target=handle,
            user=request.user,
            org=org,
            unmasked=request.POST.get("unmasked") == "1",
        )
    except ValidationError as error:
        raise Http404(str(error)) from None
    handle.seek(0)
    name = f"{export_kinds()[kind]}-{org.code if org else '全部'}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name)


@login_required
@require_POST
def export_job(request: HttpRequest, kind: str) -> HttpResponse:
    """Start a background export (large scopes): the job page shows rows written as they
    go and offers the workbook when done."""
    from .exports import export_kinds
    from .jobs import start_job
    from .tasks import EXPORT_KIND, export_file_task

    if kind not in export_kinds():
        raise Http404("没有这种导出")
    code = request.POST.get("org", "")
    org = hook("find_org")(request.user, code) if code else None
    unmasked = request.POST.get("unmasked") == "1"
    if unmasked and not hook("may_unmask")(request.user):
        raise PermissionDenied("您没有查看完整身份证号的权限，只能导出脱敏数据")
    job = start_job(
        kind=EXPORT_KIND,
        title=f"导出 {export_kinds()[kind]}（{org.code if org else '全部'}）",
        by=request.user,
        org=org,
        task=export_file_task,
        export_kind=kind,
        org_code=code,
        unmasked=unmasked,
    )
    return redirect("job", job.pk)


@login_required
def job_export(request: HttpRequest, pk: int) -> FileResponse:
    from .tasks import EXPORT_KIND, export_path

    job = get_job_for_user(request.user, pk)
    path = export_path(job.pk)
    if job.kind != EXPORT_KIND or job.status != Job.Status.DONE or not path.exists():
        raise Http404("该导出文件不存在或已过期（保留一天），请重新导出")
    name = f"{job.title.removeprefix('导出 ')}.xlsx"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)
