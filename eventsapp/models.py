"""Every model, imported in one place so Alembic and the app see the whole schema."""
from eventsapp.accounts.models import LoginSession, Role, User
from eventsapp.analytics.models import AnalyticsSnapshot
from eventsapp.api.models import ApiToken, IdempotentResponse
from eventsapp.audit.models import AuditEntry
from eventsapp.badges.models import Badge, BadgeRole, EventCrew
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
    Ranking,
    RankingPart,
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
from eventsapp.jobs.models import BackgroundJob, BackgroundJobStatus
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
from eventsapp.messages.models import Broadcast, EventReminder, ReminderTiming, Segment, SentReminder
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
from eventsapp.scheduler.models import ScheduledJob
from eventsapp.surveys.models import (
    BoothOutcome,
    OutcomeCandidate,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from eventsapp.talentcode.models import PersonalCode
from eventsapp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiToken", "IdempotentResponse",
    "AuditEntry", "Badge", "BadgeRole", "BoothLead", "CalendarFeed", "CheckIn", "EventCrew",
    "BoothExclusion", "CancelReason", "CandidateChoice", "Interview", "MatchRun", "MatchRunBooth", "MatchRunCandidate",
    "MatchingRound", "RunStatus",
    "Award", "ConflictOfInterest", "Contest", "ContestGroup", "ContestJudge", "ContestQuestion", "Entry",
    "EntryAnswer", "EntryRound", "Panel", "PanelMember", "PitchSlot", "Ranking", "RankingPart", "ReviewAssignment",
    "Round", "RubricCriterion",
    "ScoreSheet", "ScoreSheetHistory", "TeamInvitation", "TeamMember", "Track",
    "Booth", "BoothStatus", "BoothType", "Bookmark", "Hall", "Industry", "Invitation", "MemberRole", "Opening",
    "Organization", "OrganizationMember", "OrganizationSize", "OrganizationStatus", "ProfileView",
    "ShortlistEntry", "ViewedItem",
    "AgendaItem", "CandidateProfile", "CandidateSkill", "Degree", "Event", "EventKind", "EventStatus",
    "OutboxMessage", "OutboxStatus", "QuestionKind", "Registration", "RegistrationAnswer", "RegistrationLog",
    "RegistrationQuestion", "RegistrationStatus", "Role", "Series", "TalentClass", "User", "LoginSession",
    "Broadcast", "EventReminder", "ReminderTiming", "Segment", "SentReminder", "ScheduledJob",
    "BoothOutcome", "OutcomeCandidate", "Survey", "SurveyAnswer", "SurveyInvitation", "SurveyQuestion",
    "SurveyResponse", "AnalyticsSnapshot", "BackgroundJob", "BackgroundJobStatus",
    "PersonalCode",
    "DeliveryStatus", "WebhookDelivery", "WebhookEndpoint",
]
