"""Safekeeping: the audit log becomes a hash chain; erasures are recorded; the audit actions that come with them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 21:20:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from weegtool.store.audit import entry_hash

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# The audit actions as this revision knows them (models.ACTIONS may grow later).
OLD_ACTIONS = ('user.add', 'instrument.add', 'instrument.in_force', 'referral.register', 'referral.update',
               'ratings.save', 'ratings.submit', 'assessment.finalise', 'assessment.correct', 'house.save',
               'note.add', 'user.login', 'user.login_failed', 'user.reset', 'user.active', 'user.password',
               'house.delete', 'ratings.read', 'report.read', 'export.reports', 'export.decisions',
               'export.research')
NEW_ACTIONS = ('export.person', 'person.erase')


def _one_of(actions: tuple[str, ...]) -> str:
    return f"action IN ({', '.join(repr(a) for a in actions)})"


def _chain_existing_entries() -> None:
    """The entries written before this revision are chained in id order, as if written so."""
    connection = op.get_bind()
    log = sa.table('audit_log', sa.column('id', sa.Integer), sa.column('at', sa.DateTime(timezone=True)),
                   sa.column('user_id', sa.Integer), sa.column('action', sa.String),
                   sa.column('object_type', sa.String), sa.column('object_id', sa.Integer),
                   sa.column('prev_hash', sa.String), sa.column('hash', sa.String))
    rows = connection.execute(sa.select(log.c.id, log.c.at, log.c.user_id, log.c.action, log.c.object_type,
                                        log.c.object_id).order_by(log.c.id)).all()
    before = ''
    for row in rows:
        digest = entry_hash(before, row.at, row.user_id, row.action, row.object_type, row.object_id)
        connection.execute(log.update().where(log.c.id == row.id).values(prev_hash=before, hash=digest))
        before = digest


def upgrade() -> None:
    op.create_table('erasures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('grounds', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('confirmed_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("grounds IN ('request', 'retention')", name=op.f('ck_erasures_grounds')),
    sa.ForeignKeyConstraint(['confirmed_by'], ['users.id'], name=op.f('fk_erasures_confirmed_by_users')),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_erasures_requested_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasures'))
    )
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), server_default='', nullable=False))
        batch_op.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action'), _one_of(OLD_ACTIONS + NEW_ACTIONS))
    _chain_existing_entries()


def downgrade() -> None:
    op.execute(f'DELETE FROM audit_log WHERE {_one_of(NEW_ACTIONS)}')
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action'), _one_of(OLD_ACTIONS))
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
    op.drop_table('erasures')
