"""What a candidate chooses from: degrees, talent classes, and suggestions for skills and places."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsapp.candidates.models import Degree, TalentClass

# Same wording as the registration rules, so both pages name a degree alike.
DEGREE_LABELS = {
    Degree.VOCATIONAL: _l("Vocational / high-skill certificate"),
    Degree.ASSOCIATE: _l("Associate degree"),
    Degree.BACHELOR: _l("Bachelor's degree"),
    Degree.MASTER: _l("Master's degree"),
    Degree.PHD: _l("PhD"),
    Degree.POSTDOC: _l("Postdoc"),
    Degree.OTHER: _l("Other"),
}

# The city's default descriptions (see shared REFERENCE.md, "Talent classes").
TALENT_CLASS_DESCRIPTIONS = {
    TalentClass.A: _l("Top talent worldwide (e.g. Nobel, Turing or Fields laureates, academicians)"),
    TalentClass.B: _l("National leading talent"),
    TalentClass.C: _l("Provincial leading talent"),
    TalentClass.D: _l("City-level leading talent"),
    TalentClass.E: _l("Senior talent (e.g. PhD holders, senior professional titles)"),
    TalentClass.F: _l("Talent in short supply, recognised by employers' own evaluation"),
}


def degree_words(degree: Degree | None) -> str:
    """The degree as people read it (exports and pages print words, never the stored code)."""
    return str(DEGREE_LABELS[degree]) if degree else ""


def talent_class_words(talent_class: TalentClass | None) -> str:
    return _("Talent class %(code)s", code=talent_class.value) if talent_class else ""

HANGZHOU_DISTRICTS = ("上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区", "富阳区",
                      "临安区", "桐庐县", "淳安县", "建德市")

# Offered while typing; anything else may be typed too.
SKILL_SUGGESTIONS = (
    "Python", "Java", "JavaScript", "TypeScript", "C++", "Go", "SQL", "Linux", "数据分析", "机器学习", "深度学习",
    "人工智能", "大数据", "云计算", "网络安全", "前端开发", "后端开发", "嵌入式", "芯片设计", "电子商务", "直播运营",
    "新媒体运营", "产品经理", "项目管理", "UI设计", "平面设计", "财务", "会计", "审计", "人力资源", "市场营销", "销售",
    "跨境电商", "供应链管理", "物流", "机械设计", "自动化", "新能源", "生物医药", "临床研究", "教育培训", "法律",
    "英语", "日语", "韩语", "德语", "法语", "CAD", "Excel", "PPT",
)
