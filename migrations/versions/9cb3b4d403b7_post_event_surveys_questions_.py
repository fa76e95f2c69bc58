"""post-event surveys: questions, invitations, answers (kept apart for anonymity), booth outcomes

Revision ID: 9cb3b4d403b7
Revises: b7a3c91e5d20
Create Date: 2026-12-06 01:15:01.355065

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9cb3b4d403b7'
down_revision = 'b7a3c91e5d20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.Enum('candidates', 'employers', 'both', name='survey_audience', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('anonymous', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('state', sa.Enum('draft', 'ready', 'sent', 'closed', name='survey_state', native_enum=False, create_constraint=True, length=20), server_default='draft', nullable=False),
    sa.Column('intro_zh', sa.Text(), nullable=False),
    sa.Column('intro_en', sa.Text(), nullable=False),
    sa.Column('reminder_days', sa.Integer(), server_default='3', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(state IN ('draft', 'ready')) = (sent_at IS NULL)", name=op.f('ck_survey_sent_at_iff_sent')),
    sa.CheckConstraint('reminder_days BETWEEN 1 AND 30', name=op.f('ck_survey_reminder_days_range')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_survey_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey')),
    sa.UniqueConstraint('event_id', name=op.f('uq_survey_event_id'))
    )
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.create_index('ix_survey_state', ['state'], unique=False)

    op.create_table('survey_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('short_text', 'single_choice', 'multiple_choice', 'yes_no', 'rating', 'recommend', name='survey_question_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('audience', sa.Enum('everyone', 'candidates', 'employers', name='survey_question_audience', native_enum=False, create_constraint=True, length=20), server_default='everyone', nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label_zh', sa.String(length=300), nullable=False),
    sa.Column('label_en', sa.String(length=300), nullable=False),
    sa.Column('options_text', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_question_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question'))
    )
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_question_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('respondent', sa.Enum('candidate', 'employer', name='survey_respondent', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_response_survey_id_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_survey_response_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    sa.UniqueConstraint('survey_id', 'user_id', name='uq_survey_response_survey_user')
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index('ix_survey_response_survey_respondent', ['survey_id', 'respondent'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_user_id'), ['user_id'], unique=False)

    op.create_table('booth_outcome',
    sa.Column('booth_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('interviewed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('offers', sa.Integer(), server_default='0', nullable=False),
    sa.Column('hires', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('hires <= offers', name=op.f('ck_booth_outcome_hires_within_offers')),
    sa.CheckConstraint('interviewed >= 0 AND offers >= 0 AND hires >= 0', name=op.f('ck_booth_outcome_not_negative')),
    sa.ForeignKeyConstraint(['booth_id'], ['booth.id'], name=op.f('fk_booth_outcome_booth_id_booth'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_booth_outcome_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user_account.id'], name=op.f('fk_booth_outcome_reported_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('booth_id', name=op.f('pk_booth_outcome'))
    )
    with op.batch_alter_table('booth_outcome', schema=None) as batch_op:
        batch_op.create_index('ix_booth_outcome_event', ['event_id'], unique=False)

    op.create_table('survey_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.CheckConstraint('number IS NULL OR number BETWEEN 0 AND 10', name=op.f('ck_survey_answer_number_range')),
    sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_answer_question_id_survey_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['survey_response.id'], name=op.f('fk_survey_answer_response_id_survey_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answer')),
    sa.UniqueConstraint('response_id', 'question_id', name='uq_survey_answer_response_question')
    )
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answer_question_id'), ['question_id'], unique=False)

    op.create_table('survey_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('respondent', sa.Enum('candidate', 'employer', name='survey_respondent', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('booth_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(respondent = 'employer') = (booth_id IS NOT NULL)", name=op.f('ck_survey_invitation_employer_has_booth')),
    sa.CheckConstraint('answered OR answered_at IS NULL', name=op.f('ck_survey_invitation_answered_at_only_answered')),
    sa.ForeignKeyConstraint(['booth_id'], ['booth.id'], name=op.f('fk_survey_invitation_booth_id_booth'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_invitation_survey_id_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_survey_invitation_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitation')),
    sa.UniqueConstraint('survey_id', 'user_id', name='uq_survey_invitation_survey_user')
    )
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invitation_booth_id'), ['booth_id'], unique=False)
        batch_op.create_index('ix_survey_invitation_survey_answered_reminded', ['survey_id', 'answered', 'reminded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_invitation_user_id'), ['user_id'], unique=False)

    op.create_table('outcome_candidate',
    sa.Column('booth_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=True),
    sa.Column('interviewed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('offered', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('hired', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.CheckConstraint('NOT hired OR offered', name=op.f('ck_outcome_candidate_hired_was_offered')),
    sa.CheckConstraint('interviewed OR offered OR hired', name=op.f('ck_outcome_candidate_some_outcome')),
    sa.ForeignKeyConstraint(['booth_id'], ['booth.id'], name=op.f('fk_outcome_candidate_booth_id_booth'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['candidate_id'], ['user_account.id'], name=op.f('fk_outcome_candidate_candidate_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_outcome_candidate_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], name=op.f('fk_outcome_candidate_interview_id_interview'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('booth_id', 'candidate_id', name=op.f('pk_outcome_candidate'))
    )
    with op.batch_alter_table('outcome_candidate', schema=None) as batch_op:
        batch_op.create_index('ix_outcome_candidate_candidate', ['candidate_id'], unique=False)
        batch_op.create_index('ix_outcome_candidate_event', ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcome_candidate_interview_id'), ['interview_id'], unique=False)



def downgrade():
    with op.batch_alter_table('outcome_candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_candidate_interview_id'))
        batch_op.drop_index('ix_outcome_candidate_event')
        batch_op.drop_index('ix_outcome_candidate_candidate')

    op.drop_table('outcome_candidate')
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_invitation_user_id'))
        batch_op.drop_index('ix_survey_invitation_survey_answered_reminded')
        batch_op.drop_index(batch_op.f('ix_survey_invitation_booth_id'))

    op.drop_table('survey_invitation')
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answer_question_id'))

    op.drop_table('survey_answer')
    with op.batch_alter_table('booth_outcome', schema=None) as batch_op:
        batch_op.drop_index('ix_booth_outcome_event')

    op.drop_table('booth_outcome')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_response_user_id'))
        batch_op.drop_index('ix_survey_response_survey_respondent')

    op.drop_table('survey_response')
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_question_survey_id'))

    op.drop_table('survey_question')
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_state')

    op.drop_table('survey')
