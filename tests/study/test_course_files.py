"""Course files (issue 12, problem 7): served through the scoped view with the type
decided by the bytes; a video answers HTTP Range with 206 so a phone can seek."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xianfeng.study import domain

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 4
SIZE = len(MP4)


def _video(tree, name="党课录像.mp4", content=MP4):
    return domain.create_course(
        org=tree.branch_a,
        title="党课录像",
        kind="video",
        hours=1,
        published_on=dt.date(2025, 3, 1),
        file=SimpleUploadedFile(name, content),
    )


def _get(client, course, **headers):
    return client.get(reverse("study:course_file", args=[course.pk]), headers=headers)


def test_study_02_video_is_stored_under_a_random_name_and_shown_inline(tree, client_for):
    course = _video(tree)
    assert re.fullmatch(r"courses/\d{4}/[0-9a-f]{32}\.mp4", course.file.name)
    assert course.file_name == "党课录像.mp4"
    client = client_for(tree.users["secretary"])
    response = _get(client, course)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MP4
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f"inline; filename*=utf-8''{quote('党课录像.mp4')}"
    page = client.get(reverse("study:course_detail", args=[course.pk])).text
    assert (
        f'<video class="w-100 mb-3" controls preload="metadata" src="{response.request["PATH_INFO"]}">'
        in page
    )


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=1000-", 1000, SIZE - 1), ("bytes=-10", SIZE - 10, SIZE - 1)],
)
def test_study_02_video_range_is_answered_with_206(tree, client_for, header, first, last):
    response = _get(client_for(tree.users["secretary"]), _video(tree), Range=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert response["Content-Length"] == str(last - first + 1)
    assert b"".join(response.streaming_content) == MP4[first : last + 1]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_study_02_range_beyond_the_end_is_416(tree, client_for):
    response = _get(client_for(tree.users["secretary"]), _video(tree), Range=f"bytes={SIZE}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


def test_study_02_course_file_out_of_scope_is_404(tree, client_for):
    course = _video(tree)
    for user in ["outsider", "nobody"]:
        assert _get(client_for(tree.users[user]), course, Range="bytes=0-9").status_code == 404


def test_study_02_html_named_mp4_is_refused(tree):
    page = b"<html><script>alert(1)</script></html>"
    with pytest.raises(ValidationError) as refused:
        _video(tree, name="录像.mp4", content=page)
    assert refused.value.message_dict == {
        "file": ["“录像.mp4”的内容不是 mp4 文件（可能已损坏或被改了扩展名），请检查后重新上传"]
    }


def test_study_02_text_file_is_downloaded_not_shown(tree, client_for):
    course = domain.create_course(
        org=tree.branch_a,
        title="学习提纲",
        kind="file",
        hours=1,
        published_on=dt.date(2025, 3, 1),
        file=SimpleUploadedFile("提纲.txt", "一、学习党章\n".encode()),
    )
    response = _get(client_for(tree.users["secretary"]), course, Range="bytes=0-1")
    assert response.status_code == 200  # no Range for downloads
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('提纲.txt')}"
