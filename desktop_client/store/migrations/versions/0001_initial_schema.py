"""Initial schema: every record type of protocol v1, lines, outbox, conflicts,
rejections, sync state and the reset bookkeeping.

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 10:51:03.371801
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_type', sa.String(length=50), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=False),
    sa.Column('mine', sa.JSON(), nullable=False),
    sa.Column('server', sa.JSON(), nullable=False),
    sa.Column('detected_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflicts'))
    )
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.create_index('ix_conflicts_record', ['record_type', 'record_id'], unique=False)

    op.create_table('daily_reports',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('site', sa.String(length=255), nullable=False),
    sa.Column('author_id', sa.String(length=36), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_reports'))
    )
    op.create_table('estimates',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('site', sa.String(length=255), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estimates'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_type', sa.String(length=50), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('op', sa.String(length=10), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=False),
    sa.Column('message_no', sa.Integer(), nullable=True),
    sa.Column('server_record', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("op IN ('upsert', 'delete')", name=op.f('ck_outbox_op')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_no'), ['message_no'], unique=False)
        batch_op.create_index('ix_outbox_one_pending_per_record', ['record_type', 'record_id'], unique=True, sqlite_where=sa.text('message_no IS NULL'))

    op.create_table('rejections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_type', sa.String(length=50), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('change', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('server_record', sa.JSON(), nullable=True),
    sa.Column('rejected_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rejections'))
    )
    with op.batch_alter_table('rejections', schema=None) as batch_op:
        batch_op.create_index('ix_rejections_record', ['record_type', 'record_id'], unique=False)

    op.create_table('reset_deliveries',
    sa.Column('record_type', sa.String(length=50), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('record_type', 'record_id', name=op.f('pk_reset_deliveries'))
    )
    op.create_table('sync_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('server_url', sa.String(length=500), nullable=True),
    sa.Column('node_id', sa.String(length=36), nullable=True),
    sa.Column('node_name', sa.String(length=200), nullable=True),
    sa.Column('token', sa.String(length=500), nullable=True),
    sa.Column('registered_at', sa.DateTime(), nullable=True),
    sa.Column('last_message_no', sa.Integer(), server_default='0', nullable=False),
    sa.Column('ack', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_sync_at', sa.DateTime(), nullable=True),
    sa.Column('revoked', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.Column('inflight_message_no', sa.Integer(), nullable=True),
    sa.Column('inflight_body', sa.Text(), nullable=True),
    sa.Column('reset_in_progress', sa.Boolean(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_sync_state_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_state'))
    )
    # The single row exists from the start, so reading the state never has to create it.
    op.execute("INSERT INTO sync_state (id, last_message_no, ack, revoked, reset_in_progress) VALUES (1, 0, 0, 0, 0)")
    op.create_table('timesheets',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('worker_id', sa.String(length=36), nullable=False),
    sa.Column('site', sa.String(length=255), nullable=False),
    sa.Column('hours', sa.String(), nullable=False),
    sa.Column('work_specification_id', sa.String(length=36), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timesheets'))
    )
    op.create_table('users',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('username', sa.String(length=150), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    op.create_table('work_specifications',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('unit_price', sa.String(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_specifications'))
    )
    with op.batch_alter_table('work_specifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_specifications_code'), ['code'], unique=False)

    op.create_table('daily_report_lines',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('daily_report_id', sa.String(length=36), nullable=False),
    sa.Column('work_specification_id', sa.String(length=36), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('quantity', sa.String(), nullable=False),
    sa.Column('workers', sa.Integer(), nullable=False),
    sa.Column('hours', sa.String(), nullable=False),
    sa.Column('sort_index', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['daily_report_id'], ['daily_reports.id'], name=op.f('fk_daily_report_lines_daily_report_id_daily_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_report_lines'))
    )
    with op.batch_alter_table('daily_report_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_daily_report_lines_daily_report_id'), ['daily_report_id'], unique=False)

    op.create_table('estimate_lines',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('estimate_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('work_specification_id', sa.String(length=36), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.String(), nullable=False),
    sa.Column('unit_price', sa.String(), nullable=False),
    sa.Column('sort_index', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['estimate_id'], ['estimates.id'], name=op.f('fk_estimate_lines_estimate_id_estimates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estimate_lines'))
    )
    with op.batch_alter_table('estimate_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_estimate_lines_estimate_id'), ['estimate_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('estimate_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_estimate_lines_estimate_id'))

    op.drop_table('estimate_lines')
    with op.batch_alter_table('daily_report_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_daily_report_lines_daily_report_id'))

    op.drop_table('daily_report_lines')
    with op.batch_alter_table('work_specifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_specifications_code'))

    op.drop_table('work_specifications')
    op.drop_table('users')
    op.drop_table('timesheets')
    op.drop_table('sync_state')
    op.drop_table('reset_deliveries')
    with op.batch_alter_table('rejections', schema=None) as batch_op:
        batch_op.drop_index('ix_rejections_record')

    op.drop_table('rejections')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_one_pending_per_record', sqlite_where=sa.text('message_no IS NULL'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_no'))

    op.drop_table('outbox')
    op.drop_table('estimates')
    op.drop_table('daily_reports')
    with op.batch_alter_table('conflicts', schema=None) as batch_op:
        batch_op.drop_index('ix_conflicts_record')

    op.drop_table('conflicts')
