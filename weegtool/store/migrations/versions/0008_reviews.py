"""Reviews of placed residents: the review rounds and the ratings of earlier rounds; the audit action review.open

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 22:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# As revision 0007 left them; models.ACTIONS may grow later.
OLD_ACTIONS = ('user.add', 'instrument.add', 'instrument.in_force', 'referral.register', 'referral.update',
               'ratings.save', 'ratings.submit', 'assessment.finalise', 'assessment.correct', 'house.save',
               'note.add', 'user.login', 'user.login_failed', 'user.reset', 'user.active', 'user.password',
               'house.delete', 'ratings.read', 'report.read', 'export.reports', 'export.decisions',
               'export.research', 'export.person', 'person.erase', 'placement.start', 'placement.end',
               'waiting.add', 'waiting.remove', 'export.overview', 'referral.correction', 'committee.assign')
NEW_ACTIONS = ('review.open',)


def _one_of(column: str, choices: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(c) for c in choices)})"


def upgrade() -> None:
    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('opened_by', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'],
                            name=op.f('fk_reviews_assessment_id_assessments')),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'],
                            name=op.f('fk_reviews_candidate_id_candidates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opened_by'], ['users.id'], name=op.f('fk_reviews_opened_by_users')),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'],
                            name=op.f('fk_reviews_placement_id_placements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['previous_id'], ['assessments.id'],
                            name=op.f('fk_reviews_previous_id_assessments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews'))
    )
    op.create_table('past_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('critical', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'],
                            name=op.f('fk_past_ratings_assessment_id_assessments')),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'],
                            name=op.f('fk_past_ratings_candidate_id_candidates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rater_id'], ['users.id'], name=op.f('fk_past_ratings_rater_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_past_ratings'))
    )
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action'), _one_of('action', OLD_ACTIONS + NEW_ACTIONS))


def downgrade() -> None:
    op.execute(f"DELETE FROM audit_log WHERE {_one_of('action', NEW_ACTIONS)}")
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action'), _one_of('action', OLD_ACTIONS))
    op.drop_table('past_ratings')
    op.drop_table('reviews')
