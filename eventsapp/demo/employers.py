"""Demo employers: organizations (one still waiting for verification), their booths on the spring
fair's floor plan, and their openings. Safe to run again."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from eventsapp.accounts.models import Role, User
from eventsapp.accounts.services import find_user_by_email
from eventsapp.booths.models import Booth, BoothStatus, BoothType, Hall
from eventsapp.booths.services import place_remaining
from eventsapp.candidates.models import Degree
from eventsapp.dbtypes import utcnow
from eventsapp.events.services import find_event_by_slug
from eventsapp.extensions import db
from eventsapp.openings.models import Opening
from eventsapp.organizations.creditcode import check_character
from eventsapp.organizations.models import (
    Industry,
    MemberRole,
    Organization,
    OrganizationMember,
    OrganizationSize,
    OrganizationStatus,
)

# name_zh, name_en, industry, size, city, interviewers, double booth, openings (title, degree, majors, skills, salary)
DEMO_ORGANIZATIONS = [
    ("杭州云栖智能科技有限公司", "Hangzhou Yunqi Intelligent Technology Co., Ltd.", Industry.I, OrganizationSize.FROM_100,
     "西湖区", 4, True, [("算法工程师 Algorithm engineer", Degree.MASTER, "计算机科学, 人工智能", "Python, 机器学习", (25000, 40000)),
                         ("前端开发工程师 Front-end developer", Degree.BACHELOR, "软件工程", "JavaScript, TypeScript", (15000, 25000))]),
    ("浙江星河生物医药股份有限公司", "Zhejiang Xinghe Biopharma Co., Ltd.", Industry.C, OrganizationSize.FROM_500,
     "钱塘区", 3, False, [("药物研发科学家 Drug discovery scientist", Degree.PHD, "药学, 化学", "临床研究", (30000, 50000))]),
    ("杭州钱塘新能源汽车有限公司", "Hangzhou Qiantang New Energy Vehicles Co., Ltd.", Industry.C, OrganizationSize.FROM_1000,
     "钱塘区", 5, True, [("电池系统工程师 Battery systems engineer", Degree.MASTER, "电气工程, 材料科学", "新能源", (22000, 35000)),
                         ("嵌入式软件工程师 Embedded software engineer", Degree.BACHELOR, "电子信息", "嵌入式, C++", (18000, 30000))]),
    ("杭州西溪金融科技有限公司", "Hangzhou Xixi Fintech Co., Ltd.", Industry.J, OrganizationSize.FROM_100,
     "西湖区", 2, False, [("风控数据分析师 Risk data analyst", Degree.MASTER, "统计学, 金融", "数据分析, SQL", (20000, 32000))]),
    ("杭州之江智能制造有限公司", "Hangzhou Zhijiang Smart Manufacturing Co., Ltd.", Industry.C, OrganizationSize.FROM_500,
     "萧山区", 3, False, [("自动化工程师 Automation engineer", Degree.BACHELOR, "自动化, 机械", "自动化, CAD", (15000, 24000))]),
    ("浙江良渚文化传媒有限公司", "Zhejiang Liangzhu Culture & Media Co., Ltd.", Industry.R, OrganizationSize.FROM_20,
     "余杭区", 1, False, [("新媒体运营 New media operations", Degree.BACHELOR, "新闻传播", "新媒体运营", (9000, 15000))]),
    ("杭州滨江云计算有限公司", "Hangzhou Binjiang Cloud Computing Co., Ltd.", Industry.I, OrganizationSize.FROM_1000,
     "滨江区", 6, True, [("云平台开发工程师 Cloud platform developer", Degree.BACHELOR, "计算机科学", "Go, Linux, 云计算", (20000, 35000)),
                         ("网络安全工程师 Security engineer", Degree.MASTER, "网络空间安全", "网络安全", (22000, 38000))]),
    ("杭州湘湖教育科技有限公司", "Hangzhou Xianghu EdTech Co., Ltd.", Industry.P, OrganizationSize.FROM_100,
     "萧山区", 2, False, [("课程产品经理 Course product manager", Degree.BACHELOR, "教育学", "产品经理", (12000, 20000))]),
    ("杭州拱宸跨境电商有限公司", "Hangzhou Gongchen Cross-border E-commerce Co., Ltd.", Industry.F,
     OrganizationSize.FROM_20, "拱墅区", 2, False, [("跨境电商运营 Cross-border e-commerce operations", None, "",
                                                 "跨境电商, 英语", (8000, 14000))]),
]
PENDING_ORGANIZATION = ("杭州天目山环保科技有限公司", "Hangzhou Tianmushan Environmental Technology Co., Ltd.", Industry.N)


def demo_credit_code(number: int) -> str:
    """A well-formed unified social credit code (valid check character) for demo organization ``number``."""
    body = f"9133010{number:02d}MA2{number:07d}"[:17]
    return body + check_character(body)


def _organization(number: int, name_zh: str, name_en: str, industry: Industry, size: OrganizationSize, city: str,
                  status: OrganizationStatus, owner: User) -> Organization:
    organization = db.session.scalar(select(Organization).where(Organization.name_zh == name_zh))
    if organization is None:
        organization = Organization(name_zh=name_zh, name_en=name_en, credit_code=demo_credit_code(number),
                                    industry=industry, size=size, city=city, status=status,
                                    verified_at=utcnow() if status == OrganizationStatus.VERIFIED else None,
                                    description=f"{name_zh}，扎根杭州，欢迎优秀人才加入。")
        organization.members = [OrganizationMember(user_id=owner.id, role=MemberRole.OWNER)]
        db.session.add(organization)
        db.session.flush()
    return organization


def _owner(number: int, email: str | None, password_hash: str) -> User:
    email = email or f"hr{number:02d}@demo-employer.example.com"
    user = find_user_by_email(email)
    if user is None:
        user = User(email=email, display_name=f"HR {number:02d}", role=Role.EMPLOYER, password_hash=password_hash,
                    email_verified_at=utcnow())
        db.session.add(user)
        db.session.flush()
    return user


def seed_employers(today: date, password_hash: str) -> int:
    """Organizations with approved, placed booths and openings at the spring fair; returns booths added."""
    fair = find_event_by_slug(f"spring-talent-fair-{today.year + 1}")
    if fair is None:
        return 0
    if not db.session.scalar(select(Hall.id).where(Hall.event_id == fair.id)):
        db.session.add_all([Hall(event_id=fair.id, name="A", rows=6, cols=11, aisle_cols="6", position=1),
                            Hall(event_id=fair.id, name="B", rows=5, cols=9, aisle_rows="3", blocked_cells="1:1,1:2",
                                 position=2)])
    added = 0
    for number, (name_zh, name_en, industry, size, city, interviewers, double, openings) in enumerate(
            DEMO_ORGANIZATIONS, start=1):
        owner = _owner(number, "employer@example.com" if number == 1 else None, password_hash)
        organization = _organization(number, name_zh, name_en, industry, size, city, OrganizationStatus.VERIFIED,
                                     owner)
        if db.session.scalar(select(Booth.id).where(Booth.event_id == fair.id,
                                                    Booth.organization_id == organization.id)):
            continue
        db.session.add(Booth(event_id=fair.id, organization_id=organization.id, interviewers=interviewers,
                             booth_type=BoothType.DOUBLE if double else BoothType.STANDARD,
                             status=BoothStatus.APPROVED, decided_at=utcnow()))
        for title, degree, majors, skills, (salary_min, salary_max) in openings:
            db.session.add(Opening(organization_id=organization.id, event_id=fair.id, title=title, degree=degree,
                                   majors=majors, skills=skills, headcount=3, salary_min=salary_min,
                                   salary_max=salary_max, work_city="杭州",
                                   description="工作地点杭州，五险一金，人才补贴可叠加申请。"))
        added += 1
    name_zh, name_en, industry = PENDING_ORGANIZATION
    _organization(len(DEMO_ORGANIZATIONS) + 1, name_zh, name_en, industry, OrganizationSize.FROM_20, "临安区",
                  OrganizationStatus.PENDING, _owner(len(DEMO_ORGANIZATIONS) + 1, None, password_hash))
    db.session.flush()
    if added:
        place_remaining(fair.id)
    return added
