"""leads have their own table: booth_lead, one per shortlist entry whose candidate was scanned at the booth

Revision ID: de3af3f552e6
Revises: d300c5a0b726
Create Date: 2026-12-05 21:40:00.000000

The lead columns of shortlist_entry (lead_rating, lead_captured_at, lead_captured_by_id) move to
booth_lead, keyed by the entry: an entry with a capture time was a lead and becomes one row. The
downgrade copies them back.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'de3af3f552e6'
down_revision = 'd300c5a0b726'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('booth_lead',
    sa.Column('shortlist_entry_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('captured_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 4', name=op.f('ck_booth_lead_rating_range')),
    sa.ForeignKeyConstraint(['captured_by_id'], ['user_account.id'], name=op.f('fk_booth_lead_captured_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shortlist_entry_id'], ['shortlist_entry.id'], name=op.f('fk_booth_lead_shortlist_entry_id_shortlist_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('shortlist_entry_id', name=op.f('pk_booth_lead'))
    )
    op.execute("INSERT INTO booth_lead (shortlist_entry_id, rating, captured_at, captured_by_id) "
               "SELECT id, lead_rating, lead_captured_at, lead_captured_by_id FROM shortlist_entry "
               "WHERE lead_captured_at IS NOT NULL")
    with op.batch_alter_table('shortlist_entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_shortlist_entry_lead_rating_range'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_shortlist_entry_lead_captured_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('lead_captured_by_id')
        batch_op.drop_column('lead_captured_at')
        batch_op.drop_column('lead_rating')


def downgrade():
    with op.batch_alter_table('shortlist_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_rating', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('lead_captured_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lead_captured_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_shortlist_entry_lead_captured_by_id_user_account'), 'user_account', ['lead_captured_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(op.f('ck_shortlist_entry_lead_rating_range'), 'lead_rating IS NULL OR lead_rating BETWEEN 1 AND 4')
    op.execute("UPDATE shortlist_entry SET "
               "lead_rating = (SELECT rating FROM booth_lead WHERE shortlist_entry_id = shortlist_entry.id), "
               "lead_captured_at = (SELECT captured_at FROM booth_lead WHERE shortlist_entry_id = shortlist_entry.id), "
               "lead_captured_by_id = (SELECT captured_by_id FROM booth_lead "
               "WHERE shortlist_entry_id = shortlist_entry.id) "
               "WHERE id IN (SELECT shortlist_entry_id FROM booth_lead)")
    op.drop_table('booth_lead')
