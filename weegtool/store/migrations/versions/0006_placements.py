"""After the decision: a referral's municipality and referrer type, placements, the waiting list

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 21:20:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# As revision 0005 left them; models.ACTIONS may grow later.
OLD_ACTIONS = ('user.add', 'instrument.add', 'instrument.in_force', 'referral.register', 'referral.update',
               'ratings.save', 'ratings.submit', 'assessment.finalise', 'assessment.correct', 'house.save',
               'note.add', 'user.login', 'user.login_failed', 'user.reset', 'user.active', 'user.password',
               'house.delete', 'ratings.read', 'report.read', 'export.reports', 'export.decisions',
               'export.research', 'export.person', 'person.erase')
NEW_ACTIONS = ('placement.start', 'placement.end', 'waiting.add', 'waiting.remove', 'export.overview')
REFERRER_TYPES = ('municipal_team', 'certified_institution', 'care_provider', 'mental_health', 'medical', 'other')
END_REASONS = ('back_home', 'foster_family', 'independent_living', 'breakdown', 'heavier_care', 'crisis', 'other')


def _one_of(column: str, choices: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(c) for c in choices)})"


def upgrade() -> None:
    # Not a batch on SQLite: copying candidates and dropping the old table would cascade to the ratings.
    referrer_type = f"referrer_type IS NULL OR {_one_of('referrer_type', REFERRER_TYPES)}"
    op.add_column('candidates', sa.Column('municipality', sa.String(length=60), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE candidates ADD COLUMN referrer_type VARCHAR(30) '
                   f'CONSTRAINT ck_candidates_referrer_type CHECK ({referrer_type})')
    else:
        op.add_column('candidates', sa.Column('referrer_type', sa.String(length=30), nullable=True))
        op.create_check_constraint(op.f('ck_candidates_referrer_type'), 'candidates', referrer_type)
    op.create_table('placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=True),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=30), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(f"end_reason IS NULL OR {_one_of('end_reason', END_REASONS)}",
                       name=op.f('ck_placements_end_reason')),
    sa.CheckConstraint('(ended_on IS NULL) = (end_reason IS NULL)', name=op.f('ck_placements_end_with_reason')),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_placements_end_after_start')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'],
                            name=op.f('fk_placements_assessment_id_assessments')),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'],
                            name=op.f('fk_placements_candidate_id_candidates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['house_id'], ['houses.id'],
                            name=op.f('fk_placements_house_id_houses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_placements_recorded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placements'))
    )
    op.create_table('waiting_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('added_by', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('until IS NULL OR until >= since', name=op.f('ck_waiting_list_until_after_since')),
    sa.ForeignKeyConstraint(['added_by'], ['users.id'], name=op.f('fk_waiting_list_added_by_users')),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'],
                            name=op.f('fk_waiting_list_candidate_id_candidates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waiting_list'))
    )
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action'), _one_of('action', OLD_ACTIONS + NEW_ACTIONS))


def downgrade() -> None:
    op.execute(f"DELETE FROM audit_log WHERE {_one_of('action', NEW_ACTIONS)}")
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action'), _one_of('action', OLD_ACTIONS))
    op.drop_table('waiting_list')
    op.drop_table('placements')
    if op.get_bind().dialect.name == 'sqlite':  # SQLite drops a column with its own CHECK, table in place
        op.execute('ALTER TABLE candidates DROP COLUMN referrer_type')
    else:
        op.drop_constraint(op.f('ck_candidates_referrer_type'), 'candidates', type_='check')
        op.drop_column('candidates', 'referrer_type')
    op.drop_column('candidates', 'municipality')
