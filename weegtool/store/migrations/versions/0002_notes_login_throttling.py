"""Discussion notes, login throttling on users, and the audit actions that come with them

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:57:35.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# The audit actions as this revision knows them: a migration keeps its own copy, models.ACTIONS may grow later.
OLD_ACTIONS = ('user.add', 'instrument.add', 'instrument.in_force', 'referral.register', 'referral.update',
               'ratings.save', 'ratings.submit', 'assessment.finalise', 'assessment.correct', 'house.save')
NEW_ACTIONS = ('note.add', 'user.login', 'user.login_failed', 'user.reset', 'user.active', 'user.password',
               'house.delete')


def _one_of(actions: tuple[str, ...]) -> str:
    return f"action IN ({', '.join(repr(a) for a in actions)})"


def upgrade() -> None:
    op.create_table('notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_notes_author_id_users')),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_notes_candidate_id_candidates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notes'))
    )
    # Adding columns is an ALTER in place on SQLite too: the users table, which every other table refers to,
    # is not copied.
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action'), _one_of(OLD_ACTIONS + NEW_ACTIONS))


def downgrade() -> None:
    # The old constraint cannot hold the new actions: their entries go, as do the notes they are about.
    op.execute(f'DELETE FROM audit_log WHERE {_one_of(NEW_ACTIONS)}')
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action'), _one_of(OLD_ACTIONS))
    # SQLite (3.35 and later) drops a column in place; copying the users table instead would trip over the
    # foreign keys that point to it.
    with op.batch_alter_table('users', recreate='never') as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
    op.drop_table('notes')
