"""Every model, imported in one place so Alembic and the app see the whole schema."""
from eventsapp.accounts.models import LoginSession, Role, User
from eventsapp.audit.models import AuditEntry
from eventsapp.badges.models import Badge, BadgeJob, BadgeRole, EventCrew, JobStatus
from eventsapp.booths.models import Booth, BoothStatus, BoothType, Hall
from eventsapp.browse.models import ProfileView, ShortlistEntry, ViewedItem
from eventsapp.calendars.models import CalendarFeed
from eventsapp.candidates.models import CandidateProfile, CandidateSkill, Degree, TalentClass
from eventsapp.checkin.models import BoothLead, CheckIn
from eventsapp.contests.models import (
    Award,
    ConflictOfInterest,
    Contest,
    ContestGroup,
    ContestJudge,
    ContestQuestion,
    Entry,
    EntryAnswer,
    EntryRound,
    Panel,
    PanelMember,
    PitchSlot,
    ReviewAssignment,
    Round,
    RubricCriterion,
    ScoreSheet,
    ScoreSheetHistory,
    TeamInvitation,
    TeamMember,
    Track,
)
from eventsapp.events.models import AgendaItem, Event, EventKind, EventStatus, Series
from eventsapp.matchmaking.models import (
    BoothExclusion,
    CancelReason,
    CandidateChoice,
    Interview,
    MatchingRound,
    MatchRun,
    MatchRunBooth,
    MatchRunCandidate,
    RunStatus,
)
from eventsapp.notifications.models import OutboxMessage, OutboxStatus
from eventsapp.openings.models import Bookmark, Opening
from eventsapp.organizations.models import (
    Industry,
    Invitation,
    MemberRole,
    Organization,
    OrganizationMember,
    OrganizationSize,
    OrganizationStatus,
)
from eventsapp.registrations.models import (
    QuestionKind,
    Registration,
    RegistrationAnswer,
    RegistrationLog,
    RegistrationQuestion,
    RegistrationStatus,
)
from eventsapp.surveys.models import (
    BoothOutcome,
    OutcomeCandidate,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)

__all__ = [
    "AuditEntry", "Badge", "BadgeJob", "BadgeRole", "BoothLead", "CalendarFeed", "CheckIn", "EventCrew", "JobStatus",
    "BoothExclusion", "CancelReason", "CandidateChoice", "Interview", "MatchRun", "MatchRunBooth", "MatchRunCandidate",
    "MatchingRound", "RunStatus",
    "Award", "ConflictOfInterest", "Contest", "ContestGroup", "ContestJudge", "ContestQuestion", "Entry",
    "EntryAnswer", "EntryRound", "Panel", "PanelMember", "PitchSlot", "ReviewAssignment", "Round", "RubricCriterion",
    "ScoreSheet", "ScoreSheetHistory", "TeamInvitation", "TeamMember", "Track",
    "Booth", "BoothStatus", "BoothType", "Bookmark", "Hall", "Industry", "Invitation", "MemberRole", "Opening",
    "Organization", "OrganizationMember", "OrganizationSize", "OrganizationStatus", "ProfileView",
    "ShortlistEntry", "ViewedItem",
    "AgendaItem", "CandidateProfile", "CandidateSkill", "Degree", "Event", "EventKind", "EventStatus",
    "OutboxMessage", "OutboxStatus", "QuestionKind", "Registration", "RegistrationAnswer", "RegistrationLog",
    "RegistrationQuestion", "RegistrationStatus", "Role", "Series", "TalentClass", "User", "LoginSession",
    "BoothOutcome", "OutcomeCandidate", "Survey", "SurveyAnswer", "SurveyInvitation", "SurveyQuestion",
    "SurveyResponse",
]
