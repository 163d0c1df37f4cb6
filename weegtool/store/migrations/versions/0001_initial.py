"""The initial schema: users, instruments, candidates, ratings, assessments, houses, audit log

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 12:12:54.283950
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('houses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('staff_on_duty', sa.Integer(), nullable=True),
    sa.Column('age_min', sa.Integer(), nullable=True),
    sa.Column('age_max', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_houses')),
    sa.UniqueConstraint('code', name=op.f('uq_houses_code'))
    )
    op.create_table('instruments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.String(length=120), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('yaml_text', sa.Text(), nullable=False),
    sa.Column('in_force', sa.Boolean(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instruments')),
    sa.UniqueConstraint('sha256', name=op.f('uq_instruments_sha256'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('behavioural_scientist', sa.Boolean(), nullable=False),
    sa.Column('registration', sa.String(length=40), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'coordinator', 'chair', 'rater', 'researcher')", name=op.f('ck_users_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('name', name=op.f('uq_users_name'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("action IN ('user.add', 'instrument.add', 'instrument.in_force', 'referral.register', 'referral.update', 'ratings.save', 'ratings.submit', 'assessment.finalise', 'assessment.correct', 'house.save')", name=op.f('ck_audit_log_action')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_log_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_table('candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pseudonym', sa.String(length=40), nullable=False),
    sa.Column('age', sa.Integer(), nullable=True),
    sa.Column('referrer', sa.String(length=200), nullable=False),
    sa.Column('direction', sa.String(length=30), nullable=True),
    sa.Column('consent', sa.Boolean(), nullable=True),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('instrument_sha256', sa.String(length=64), nullable=False),
    sa.Column('registered_by', sa.Integer(), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("direction IN ('long_term', 'cannot_live_home', 'temporary_back_home', 'crisis')", name=op.f('ck_candidates_direction')),
    sa.CheckConstraint('age IS NULL OR (age >= 0 AND age <= 120)', name=op.f('ck_candidates_age')),
    sa.ForeignKeyConstraint(['instrument_sha256'], ['instruments.sha256'], name=op.f('fk_candidates_instrument_sha256_instruments')),
    sa.ForeignKeyConstraint(['registered_by'], ['users.id'], name=op.f('fk_candidates_registered_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidates')),
    sa.UniqueConstraint('pseudonym', name=op.f('uq_candidates_pseudonym'))
    )
    op.create_table('residents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=False),
    sa.Column('pseudonym', sa.String(length=40), nullable=False),
    sa.Column('age', sa.Integer(), nullable=True),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('main_problem', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['house_id'], ['houses.id'], name=op.f('fk_residents_house_id_houses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residents')),
    sa.UniqueConstraint('house_id', 'pseudonym', name='uq_residents_house_pseudonym')
    )
    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('correction_reason', sa.Text(), nullable=False),
    sa.Column('instrument_sha256', sa.String(length=64), nullable=False),
    sa.Column('advice', sa.JSON(), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('follows_advice', sa.Boolean(), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('dissent', sa.Text(), nullable=False),
    sa.Column('overridden_flags', sa.JSON(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('report_html', sa.Text(), nullable=False),
    sa.Column('report_pdf', sa.LargeBinary(), nullable=True),
    sa.Column('finalised_by', sa.Integer(), nullable=False),
    sa.Column('finalised_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_assessments_candidate_id_candidates')),
    sa.ForeignKeyConstraint(['finalised_by'], ['users.id'], name=op.f('fk_assessments_finalised_by_users')),
    sa.ForeignKeyConstraint(['instrument_sha256'], ['instruments.sha256'], name=op.f('fk_assessments_instrument_sha256_instruments')),
    sa.ForeignKeyConstraint(['previous_id'], ['assessments.id'], name=op.f('fk_assessments_previous_id_assessments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('candidate_id', 'revision', name='uq_assessments_candidate_revision')
    )
    op.create_table('rating_submissions',
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_rating_submissions_candidate_id_candidates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rater_id'], ['users.id'], name=op.f('fk_rating_submissions_rater_id_users')),
    sa.PrimaryKeyConstraint('candidate_id', 'rater_id', name=op.f('pk_rating_submissions'))
    )
    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('critical', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_ratings_candidate_id_candidates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rater_id'], ['users.id'], name=op.f('fk_ratings_rater_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('candidate_id', 'rater_id', 'item', name='uq_ratings_candidate_rater_item')
    )
    op.create_table('signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('registration', sa.String(length=40), nullable=True),
    sa.Column('behavioural_scientist', sa.Boolean(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_signatures_assessment_id_assessments')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_signatures_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures')),
    sa.UniqueConstraint('assessment_id', 'user_id', name='uq_signatures_assessment_user')
    )


def downgrade() -> None:
    op.drop_table('signatures')
    op.drop_table('ratings')
    op.drop_table('rating_submissions')
    op.drop_table('assessments')
    op.drop_table('residents')
    op.drop_table('candidates')
    op.drop_table('audit_log')
    op.drop_table('users')
    op.drop_table('instruments')
    op.drop_table('houses')
