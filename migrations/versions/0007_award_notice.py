"""award notice: a vendor's company size (eForms BT-165, received-submissions statistics)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_size', sa.Enum('micro', 'small', 'medium', 'large', name='company_size', native_enum=False, length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('company_size')
