"""Files of organizational life (issue 12, problems 6 and 7): served by a view that checks
the object's scope, never from `/media/`; the type decided by the bytes; stored under
random names; the lesson material's usage limited to the viewer's scope."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import make_org
from xianfeng.orglife import domain
from xianfeng.orglife.models import Attachment

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
PDF = b"%PDF-1.4\n%demo\n"
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def _office(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<doc/>")
    return buffer.getvalue()


def _meeting(tree, org=None):
    return domain.record_meeting(
        org=org or tree.branch_a,
        kind="theme_day",
        topic="主题党日",
        held_on=dt.date(2025, 6, 5),
        attendance={},
    )


def _attach(meeting, name: str, content: bytes) -> Attachment:
    return domain.add_attachment(meeting, file=SimpleUploadedFile(name, content))


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_life_01_attachment_uploaded_on_the_page_is_served_by_the_view(tree, client_for):
    meeting = _meeting(tree)
    client = client_for(tree.users["secretary"])
    upload = SimpleUploadedFile("现场照片.jpg", JPEG, content_type="image/jpeg")
    url = reverse("orglife:attachment_add", args=[meeting.pk])
    assert client.post(url, {"file": upload}).status_code == 302
    attachment = meeting.attachments.get()
    page = client.get(reverse("orglife:meeting_detail", args=[meeting.pk])).text
    link = reverse("orglife:attachment_file", args=[attachment.pk])
    assert f'href="{link}"' in page
    assert "/media/" not in page
    response = client.get(link)
    assert response.status_code == 200
    assert _body(response) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''{quote('现场照片.jpg')}"


def test_life_01_attachment_out_of_scope_is_404(tree, client_for):
    attachment = _attach(_meeting(tree), "签到表.pdf", PDF)
    link = reverse("orglife:attachment_file", args=[attachment.pk])
    for user in ["outsider", "nobody"]:
        assert client_for(tree.users[user]).get(link).status_code == 404
    missing = reverse("orglife:attachment_file", args=[attachment.pk + 1000])
    assert client_for(tree.users["secretary"]).get(missing).status_code == 404
    assert client_for(tree.users["county_viewer"]).get(link).status_code == 200


def test_life_01_office_files_are_downloaded_under_their_chinese_name(tree, client_for):
    attachment = _attach(_meeting(tree), "会议记录.docx", _office("word/"))
    response = client_for(tree.users["secretary"]).get(
        reverse("orglife:attachment_file", args=[attachment.pk])
    )
    assert (
        response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('会议记录.docx')}"
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Accept-Ranges" not in response


def test_life_01_pdf_is_shown_inline(tree, client_for):
    attachment = _attach(_meeting(tree), "minutes.pdf", PDF)
    response = client_for(tree.users["secretary"]).get(
        reverse("orglife:attachment_file", args=[attachment.pk])
    )
    assert (response["Content-Type"], response["Content-Disposition"]) == (
        "application/pdf",
        'inline; filename="minutes.pdf"',
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "照片.png",
            HTML,
            "“照片.png”的内容不是 png 文件（可能已损坏或被改了扩展名），请检查后重新上传",
        ),
        (
            "记录.docx",
            _office("payload/"),  # a zip, but no Word document inside
            "“记录.docx”的内容不是 docx 文件（可能已损坏或被改了扩展名），请检查后重新上传",
        ),
        (
            "记录.pdf",
            b"just text",
            "“记录.pdf”的内容不是 pdf 文件（可能已损坏或被改了扩展名），请检查后重新上传",
        ),
        ("page.html", HTML, "只能上传 jpg、png、pdf、docx 或 xlsx 文件"),
    ],
)
def test_life_01_type_is_decided_by_the_bytes(tree, name, content, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        _attach(_meeting(tree), name, content)
    assert refused.value.message_dict == {"file": [message]}
    assert not Attachment.objects.exists()


def test_life_01_html_renamed_png_is_refused_on_the_page(tree, client_for):
    meeting = _meeting(tree)
    client = client_for(tree.users["secretary"])
    upload = SimpleUploadedFile("photo.png", HTML, content_type="image/png")
    response = client.post(reverse("orglife:attachment_add", args=[meeting.pk]), {"file": upload})
    assert "“photo.png”的内容不是 png 文件" in response.content.decode()
    assert not meeting.attachments.exists()


def test_life_01_a_picture_with_the_wrong_name_is_served_as_what_it_is(tree, client_for):
    attachment = _attach(_meeting(tree), "scan.jpg", PNG)  # a PNG named .jpg: still a picture
    response = client_for(tree.users["secretary"]).get(
        reverse("orglife:attachment_file", args=[attachment.pk])
    )
    assert response["Content-Type"] == "image/png"


def test_life_01_files_are_stored_under_random_names(tree):
    meeting = _meeting(tree)
    first = _attach(meeting, "党员大会签到表.pdf", PDF)
    second = _attach(meeting, "党员大会签到表.pdf", PDF)
    assert re.fullmatch(r"meetings/\d{4}/[0-9a-f]{32}\.pdf", first.file.name)
    assert first.file.name != second.file.name
    assert first.name == "党员大会签到表.pdf"


def test_life_06_material_file_keeps_its_name_and_is_scoped(tree, client_for):
    material = domain.publish_material(
        org=tree.town_a,
        month="2025-06",
        title="学习党章",
        file=SimpleUploadedFile("党课课件.pdf", PDF),
    )
    assert re.fullmatch(r"lessons/\d{4}/[0-9a-f]{32}\.pdf", material.file.name)
    assert material.file_name == "党课课件.pdf"
    client = client_for(tree.users["secretary"])
    page = client.get(reverse("orglife:material_detail", args=[material.pk])).text
    link = reverse("orglife:material_file", args=[material.pk])
    assert f'href="{link}"' in page
    response = client.get(link)
    assert _body(response) == PDF
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''{quote('党课课件.pdf')}"
    assert client_for(tree.users["outsider"]).get(link).status_code == 404


def test_life_07_affairs_file_is_served_by_the_view(tree, client_for):
    record = domain.record_affairs(
        org=tree.branch_a,
        kind="affairs_disclosure",
        period="2025-05",
        done_on=dt.date(2025, 5, 30),
        summary="公开5月党务",
        file=SimpleUploadedFile("公开栏.xlsx", _office("xl/")),
    )
    assert re.fullmatch(r"affairs/\d{4}/[0-9a-f]{32}\.xlsx", record.file.name)
    client = client_for(tree.users["secretary"])
    page = client.get(reverse("orglife:affairs", args=["CA-T1-B1"]) + "?year=2025").text
    link = reverse("orglife:affairs_file", args=[record.pk])
    assert f'href="{link}"' in page
    response = client.get(link)
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('公开栏.xlsx')}"
    assert client_for(tree.users["outsider"]).get(link).status_code == 404


def test_life_06_material_usage_shows_only_the_viewers_scope(tree, client_for):
    town_2 = make_org(tree.county_a, kind="party_committee", code="CA-T2", level="town")
    other_town_branch = make_org(town_2, kind="branch", code="CA-T2-B1", name="红星村党支部")
    material = domain.publish_material(org=tree.county_a, month="2025-06", title="学习党章")
    for org in (tree.branch_a, tree.branch_a2, other_town_branch):
        domain.record_meeting(
            org=org,
            kind="party_lesson",
            topic="党课",
            held_on=dt.date(2025, 6, 5),
            attendance={},
            material=material,
        )
    url = reverse("orglife:material_detail", args=[material.pk])

    def _usage(user):
        rows = client_for(tree.users[user]).get(url).context["usage"]
        return [row["org__code"] for row in rows]

    assert _usage("secretary") == ["CA-T1-B1"]
    assert _usage("county_viewer") == ["CA-T1-B1", "CA-T1-B2", "CA-T2-B1"]
    page = client_for(tree.users["secretary"]).get(url).text
    assert "红星村党支部" not in page and "绿水村党支部" not in page
