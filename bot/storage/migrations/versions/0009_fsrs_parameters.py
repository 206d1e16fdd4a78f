"""FSRS parameters fitted per learner, what they were fitted on, and when to fit next

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 16:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import bot.storage.types


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('fsrs_parameters', sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column('fsrs_fitted_at', bot.storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('fsrs_fit_reviews', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('fsrs_log_loss_before', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('fsrs_log_loss_after', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('next_fit_at', bot.storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_users_fit_due', ['next_fit_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_index('ix_users_fit_due')
        batch_op.drop_column('next_fit_at')
        batch_op.drop_column('fsrs_log_loss_after')
        batch_op.drop_column('fsrs_log_loss_before')
        batch_op.drop_column('fsrs_fit_reviews')
        batch_op.drop_column('fsrs_fitted_at')
        batch_op.drop_column('fsrs_parameters')
