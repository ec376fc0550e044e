"""Code tables of the national data standards used by the member registry (MEM-01)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    """GB/T 2261.1."""

    UNKNOWN = "0", _("未知")
    MALE = "1", _("男")
    FEMALE = "2", _("女")
    UNSTATED = "9", _("未说明")


class Education(models.TextChoices):
    """GB/T 4658-2006, top-level codes."""

    POSTGRADUATE = "10", _("研究生")
    BACHELOR = "20", _("大学本科")
    COLLEGE = "30", _("大学专科")
    VOCATIONAL = "40", _("中等职业教育")
    HIGH_SCHOOL = "60", _("普通高中")
    JUNIOR = "70", _("初中")
    PRIMARY = "80", _("小学")
    OTHER = "90", _("其他")


ETHNIC_GROUPS = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]
# GB/T 3304: 01 汉族 … 56 基诺族, 97 其他未识别民族, 98 外国血统中国籍人士.
ETHNICITY_CHOICES = [(f"{i:02d}", name) for i, name in enumerate(ETHNIC_GROUPS, start=1)] + [
    ("97", "其他未识别民族"),
    ("98", "外国血统中国籍人士"),
]
