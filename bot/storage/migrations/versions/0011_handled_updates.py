"""handled updates: webhook update_ids taken by a process, so a redelivery is handled once

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 16:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import bot.storage.types


# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('handled_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('taken_at', bot.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('update_id')
    )
    with op.batch_alter_table('handled_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handled_updates_taken_at'), ['taken_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('handled_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handled_updates_taken_at'))
    op.drop_table('handled_updates')
