from pathlib import Path

from django import forms

UPLOAD_LIMIT = 200 * 1024 * 1024  # bytes; a city's member workbook is ~30 MB
UPLOAD_TYPES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt", ".json"}


class ImportForm(forms.Form):
    file = forms.FileField(
        label="导入文件", help_text="支持 .xlsx、.xls、.ods、.csv（UTF-8 或 GBK）、.json"
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in UPLOAD_TYPES:
            raise forms.ValidationError(
                "不支持的文件类型，请上传 .xlsx、.xls、.ods、.csv 或 .json 文件"
            )
        if upload.size > UPLOAD_LIMIT:
            raise forms.ValidationError(f"文件过大（上限 {UPLOAD_LIMIT // 1024 // 1024} MB）")
        return upload
