"""Decisions that hold: pseudonyms unique regardless of case, a correction opened on the referral, the
committee per referral, the meeting date, and on assessments what they rest on, what a correction changed and
the decision form's token

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 21:00:00.000000
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# The audit actions as this revision knows them (models.ACTIONS may grow later).
OLD_ACTIONS = ('user.add', 'instrument.add', 'instrument.in_force', 'referral.register', 'referral.update',
               'ratings.save', 'ratings.submit', 'assessment.finalise', 'assessment.correct', 'house.save',
               'note.add', 'user.login', 'user.login_failed', 'user.reset', 'user.active', 'user.password',
               'house.delete', 'ratings.read', 'report.read', 'export.reports', 'export.decisions',
               'export.research', 'export.person', 'person.erase', 'placement.start', 'placement.end',
               'waiting.add', 'waiting.remove', 'export.overview')
NEW_ACTIONS = ('referral.correction', 'committee.assign')


class CollidingPseudonyms(RuntimeError):
    """Existing pseudonyms that differ only in case: the migration cannot make them unique by itself."""


def _one_of(actions: tuple[str, ...]) -> str:
    return f"action IN ({', '.join(repr(a) for a in actions)})"


def colliding(pseudonyms: list[str]) -> list[list[str]]:
    """The groups of ``pseudonyms`` that are one pseudonym regardless of case, each sorted, in order."""
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for pseudonym in pseudonyms:
        groups[pseudonym.lower()].append(pseudonym)
    return sorted(sorted(group) for group in groups.values() if len(group) > 1)


def upgrade() -> None:
    connection = op.get_bind()
    existing = [row[0] for row in connection.execute(sa.text('SELECT pseudonym FROM candidates'))]
    clashes = colliding(existing)
    if clashes:
        named = '; '.join(' and '.join(repr(p) for p in group) for group in clashes)
        raise CollidingPseudonyms(
            f'candidates: pseudonyms must be unique regardless of case; these differ only in case: {named}. '
            'Rename all but one of each (weegtool keeps no names, so only the coordinator knows which is '
            'which), then run the upgrade again.'
        )
    # Columns are added in place and uniqueness is an index: on SQLite a copied candidates table would take
    # the ratings with it (ON DELETE CASCADE), and the assessments are referred to by their signatures.
    with op.batch_alter_table('candidates', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('pseudonym_key', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('correction_open', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('meeting_on', sa.Date(), nullable=True))
    op.execute('UPDATE candidates SET pseudonym_key = lower(pseudonym)')
    op.create_index(op.f('ix_candidates_pseudonym_key'), 'candidates', ['pseudonym_key'], unique=True)
    with op.batch_alter_table('assessments', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('basis', sa.JSON(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('changes', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('form_token', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_assessments_form_token'), 'assessments', ['form_token'], unique=True)
    op.create_table('committee_seats',
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['users.id'], name=op.f('fk_committee_seats_added_by_users')),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_committee_seats_candidate_id_candidates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_committee_seats_user_id_users')),
    sa.PrimaryKeyConstraint('candidate_id', 'user_id', name=op.f('pk_committee_seats'))
    )
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action'), _one_of(OLD_ACTIONS + NEW_ACTIONS))


def downgrade() -> None:
    op.execute(f'DELETE FROM audit_log WHERE {_one_of(NEW_ACTIONS)}')
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_audit_log_action'), _one_of(OLD_ACTIONS))
    op.drop_table('committee_seats')
    op.drop_index(op.f('ix_assessments_form_token'), table_name='assessments')
    with op.batch_alter_table('assessments', recreate='never') as batch_op:
        batch_op.drop_column('form_token')
        batch_op.drop_column('changes')
        batch_op.drop_column('basis')
    op.drop_index(op.f('ix_candidates_pseudonym_key'), table_name='candidates')
    with op.batch_alter_table('candidates', recreate='never') as batch_op:
        batch_op.drop_column('meeting_on')
        batch_op.drop_column('correction_open')
        batch_op.drop_column('pseudonym_key')
