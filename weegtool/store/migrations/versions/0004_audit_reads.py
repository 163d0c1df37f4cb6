"""The audit log records reading too: reports, the meeting's ratings and notes, exports (NEN 7513)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:05:00.000000
"""
from __future__ import annotations

from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The audit actions as this revision knows them (models.ACTIONS may grow later).
OLD_ACTIONS = ('user.add', 'instrument.add', 'instrument.in_force', 'referral.register', 'referral.update',
               'ratings.save', 'ratings.submit', 'assessment.finalise', 'assessment.correct', 'house.save',
               'note.add', 'user.login', 'user.login_failed', 'user.reset', 'user.active', 'user.password',
               'house.delete')
NEW_ACTIONS = ('ratings.read', 'report.read', 'export.reports', 'export.decisions', 'export.research')


def _one_of(actions: tuple[str, ...]) -> str:
    return f"action IN ({', '.join(repr(a) for a in actions)})"


def upgrade() -> None:
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action'), _one_of(OLD_ACTIONS + NEW_ACTIONS))


def downgrade() -> None:
    op.execute(f'DELETE FROM audit_log WHERE {_one_of(NEW_ACTIONS)}')
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action'), _one_of(OLD_ACTIONS))
