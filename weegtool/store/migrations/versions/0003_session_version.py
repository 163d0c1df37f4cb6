"""A session version on users: logging out ends the user's sessions everywhere

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:45:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # In place on SQLite too (see 0002): the users table is not copied.
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users', recreate='never') as batch_op:
        batch_op.drop_column('session_version')
