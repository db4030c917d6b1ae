"""Initial schema: reference data, vocabularies, reports, stories, activities and figures.

Full-text search columns need an IMMUTABLE unaccent, which `unaccent()` itself is not (it reads
a dictionary that could change), so the migration wraps it with a fixed dictionary.

Revision ID: 0001
Revises:
Create Date: 2026-11-29 19:44:27.753683
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


UNACCENT_FUNCTION = """
CREATE FUNCTION crsv_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
    op.execute(UNACCENT_FUNCTION)
    op.create_table('activity_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.CheckConstraint("code ~ '^[a-z][a-z0-9_]*$'", name=op.f('ck_activity_type_code_format')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_type')),
    sa.UniqueConstraint('code', name=op.f('uq_activity_type_code'))
    )
    op.create_table('country',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('iso3', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.CheckConstraint("iso3 ~ '^[A-Z]{3}$'", name=op.f('ck_country_iso3_format')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_country')),
    sa.UniqueConstraint('iso3', name=op.f('uq_country_iso3'))
    )
    op.create_table('metric',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.CheckConstraint("code ~ '^[a-z][a-z0-9_]*$'", name=op.f('ck_metric_code_format')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_metric')),
    sa.UniqueConstraint('code', name=op.f('uq_metric_code'))
    )
    op.create_table('objective',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.SmallInteger(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.CheckConstraint('number BETWEEN 1 AND 5', name=op.f('ck_objective_number_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objective')),
    sa.UniqueConstraint('number', name=op.f('uq_objective_number'))
    )
    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('edition_year', sa.SmallInteger(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('publisher', sa.String(length=300), nullable=False),
    sa.Column('published_date', sa.Date(), nullable=False),
    sa.Column('published_precision', sa.Enum('day', 'month', 'year', name='published_precision', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('source_url', sa.Text(), nullable=False),
    sa.Column('licence_note', sa.Text(), nullable=False),
    sa.CheckConstraint("key ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f('ck_report_key_format')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    sa.UniqueConstraint('edition_year', name=op.f('uq_report_edition_year')),
    sa.UniqueConstraint('key', name=op.f('uq_report_key'))
    )
    op.create_table('location',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.Enum('city', 'town', 'camp', 'site', 'territory', 'province', 'prefecture', 'state', 'administrative_area', 'region', name='location_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('country_id', sa.Integer(), nullable=False),
    sa.Column('admin1', sa.String(length=300), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.CheckConstraint("key ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f('ck_location_key_format')),
    sa.CheckConstraint('(latitude IS NULL) = (longitude IS NULL)', name=op.f('ck_location_coordinates_paired')),
    sa.CheckConstraint('latitude BETWEEN -90 AND 90', name=op.f('ck_location_latitude_range')),
    sa.CheckConstraint('longitude BETWEEN -180 AND 180', name=op.f('ck_location_longitude_range')),
    sa.ForeignKeyConstraint(['country_id'], ['country.id'], name=op.f('fk_location_country_id_country')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location')),
    sa.UniqueConstraint('key', name=op.f('uq_location_key'))
    )
    op.create_index(op.f('ix_location_country_id'), 'location', ['country_id'], unique=False)
    op.create_table('mission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('country_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'closed', name='mission_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('mandate_start', sa.Date(), nullable=False),
    sa.Column('mandate_end', sa.Date(), nullable=True),
    sa.Column('mandate_note', sa.Text(), nullable=True),
    sa.CheckConstraint("code ~ '^[A-Z][A-Z0-9-]+$'", name=op.f('ck_mission_code_format')),
    sa.CheckConstraint("status <> 'closed' OR mandate_end IS NOT NULL", name=op.f('ck_mission_closed_has_end')),
    sa.CheckConstraint('mandate_end IS NULL OR mandate_end >= mandate_start', name=op.f('ck_mission_mandate_ordered')),
    sa.ForeignKeyConstraint(['country_id'], ['country.id'], name=op.f('fk_mission_country_id_country')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mission')),
    sa.UniqueConstraint('code', name=op.f('uq_mission_code'))
    )
    op.create_index(op.f('ix_mission_country_id'), 'mission', ['country_id'], unique=False)
    op.create_table('partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('acronym', sa.String(length=300), nullable=True),
    sa.Column('kind', sa.Enum('un_entity', 'ngo', 'government_body', 'judicial_body', 'security_forces', 'survivors_network', 'civil_society', 'foundation_or_fund', 'media', 'other', name='partner_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('country_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("key ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f('ck_partner_key_format')),
    sa.ForeignKeyConstraint(['country_id'], ['country.id'], name=op.f('fk_partner_country_id_country')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner')),
    sa.UniqueConstraint('key', name=op.f('uq_partner_key'))
    )
    op.create_index(op.f('ix_partner_country_id'), 'partner', ['country_id'], unique=False)
    op.create_table('story',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.SmallInteger(), nullable=True),
    sa.Column('kind', sa.Enum('numbered_story', 'highlight_box', 'overview_section', name='story_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('section', sa.Text(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('editorial_note', sa.Text(), nullable=True),
    sa.Column('search_vector', postgresql.TSVECTOR(), sa.Computed("setweight(to_tsvector('english'::regconfig, crsv_unaccent(coalesce(title, ''))), 'A') || setweight(to_tsvector('english'::regconfig, crsv_unaccent(coalesce(summary, ''))), 'B')", persisted=True), nullable=False),
    sa.CheckConstraint("(kind = 'numbered_story') = (number IS NOT NULL)", name=op.f('ck_story_numbered_iff_story')),
    sa.CheckConstraint("key ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f('ck_story_key_format')),
    sa.ForeignKeyConstraint(['objective_id'], ['objective.id'], name=op.f('fk_story_objective_id_objective')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_story_report_id_report'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story')),
    sa.UniqueConstraint('key', name=op.f('uq_story_key')),
    sa.UniqueConstraint('report_id', 'number', name=op.f('uq_story_report_id_number'), deferrable=True, initially='DEFERRED'),
    sa.UniqueConstraint('report_id', 'position', name=op.f('uq_story_report_id_position'), deferrable=True, initially='DEFERRED')
    )
    op.create_index(op.f('ix_story_objective_id'), 'story', ['objective_id'], unique=False)
    op.create_index('ix_story_search_vector', 'story', ['search_vector'], unique=False, postgresql_using='gin')
    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=True),
    sa.Column('activity_type_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('date_start', sa.Date(), nullable=True),
    sa.Column('date_end', sa.Date(), nullable=True),
    sa.Column('date_precision', sa.Enum('day', 'month', 'year', name='date_precision', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('search_vector', postgresql.TSVECTOR(), sa.Computed("setweight(to_tsvector('english'::regconfig, crsv_unaccent(coalesce(title, ''))), 'A') || setweight(to_tsvector('english'::regconfig, crsv_unaccent(coalesce(description, ''))), 'B')", persisted=True), nullable=False),
    sa.CheckConstraint("key ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f('ck_activity_key_format')),
    sa.CheckConstraint('(date_start IS NULL) = (date_end IS NULL) AND (date_start IS NULL) = (date_precision IS NULL)', name=op.f('ck_activity_period_complete')),
    sa.CheckConstraint('date_end >= date_start', name=op.f('ck_activity_period_ordered')),
    sa.ForeignKeyConstraint(['activity_type_id'], ['activity_type.id'], name=op.f('fk_activity_activity_type_id_activity_type')),
    sa.ForeignKeyConstraint(['mission_id'], ['mission.id'], name=op.f('fk_activity_mission_id_mission')),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], name=op.f('fk_activity_story_id_story'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity')),
    sa.UniqueConstraint('id', 'story_id', name=op.f('uq_activity_id_story_id')),
    sa.UniqueConstraint('key', name=op.f('uq_activity_key')),
    sa.UniqueConstraint('story_id', 'position', name=op.f('uq_activity_story_id_position'), deferrable=True, initially='DEFERRED')
    )
    op.create_index(op.f('ix_activity_activity_type_id'), 'activity', ['activity_type_id'], unique=False)
    op.create_index(op.f('ix_activity_date_start'), 'activity', ['date_start'], unique=False)
    op.create_index(op.f('ix_activity_mission_id'), 'activity', ['mission_id'], unique=False)
    op.create_index('ix_activity_search_vector', 'activity', ['search_vector'], unique=False, postgresql_using='gin')
    op.create_table('story_country',
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('country_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['country_id'], ['country.id'], name=op.f('fk_story_country_country_id_country'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], name=op.f('fk_story_country_story_id_story'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('story_id', 'country_id', name=op.f('pk_story_country'))
    )
    op.create_index(op.f('ix_story_country_country_id'), 'story_country', ['country_id'], unique=False)
    op.create_table('story_mission',
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['mission_id'], ['mission.id'], name=op.f('fk_story_mission_mission_id_mission'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], name=op.f('fk_story_mission_story_id_story'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('story_id', 'mission_id', name=op.f('pk_story_mission'))
    )
    op.create_index(op.f('ix_story_mission_mission_id'), 'story_mission', ['mission_id'], unique=False)
    op.create_table('activity_location',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_location_activity_id_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_activity_location_location_id_location'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('activity_id', 'location_id', name=op.f('pk_activity_location'))
    )
    op.create_index(op.f('ix_activity_location_location_id'), 'activity_location', ['location_id'], unique=False)
    op.create_table('activity_partner',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_partner_activity_id_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], name=op.f('fk_activity_partner_partner_id_partner'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('activity_id', 'partner_id', name=op.f('pk_activity_partner'))
    )
    op.create_index(op.f('ix_activity_partner_partner_id'), 'activity_partner', ['partner_id'], unique=False)
    op.create_table('figure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('metric_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('qualifier', sa.Enum('exact', 'at_least', 'more_than', 'approximately', 'nearly', 'up_to', name='qualifier', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('women', sa.Integer(), nullable=True),
    sa.Column('men', sa.Integer(), nullable=True),
    sa.Column('children', sa.Integer(), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('date_start', sa.Date(), nullable=True),
    sa.Column('date_end', sa.Date(), nullable=True),
    sa.Column('date_precision', sa.Enum('day', 'month', 'year', name='date_precision', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('section', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('search_vector', postgresql.TSVECTOR(), sa.Computed("setweight(to_tsvector('english'::regconfig, crsv_unaccent(coalesce(subject, ''))), 'A') || setweight(to_tsvector('english'::regconfig, crsv_unaccent(coalesce(evidence, ''))), 'B')", persisted=True), nullable=False),
    sa.CheckConstraint("key ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f('ck_figure_key_format')),
    sa.CheckConstraint('(date_start IS NULL) = (date_end IS NULL) AND (date_start IS NULL) = (date_precision IS NULL)', name=op.f('ck_figure_period_complete')),
    sa.CheckConstraint('coalesce(women, 0) + coalesce(men, 0) + coalesce(children, 0) <= value', name=op.f('ck_figure_breakdown_within_value')),
    sa.CheckConstraint('date_end >= date_start', name=op.f('ck_figure_period_ordered')),
    sa.CheckConstraint('length(evidence) > 0', name=op.f('ck_figure_evidence_present')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_figure_value_non_negative')),
    sa.CheckConstraint('women >= 0 AND men >= 0 AND children >= 0', name=op.f('ck_figure_breakdown_non_negative')),
    sa.ForeignKeyConstraint(['activity_id', 'story_id'], ['activity.id', 'activity.story_id'], name='fk_figure_activity_story', ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_figure_location_id_location')),
    sa.ForeignKeyConstraint(['metric_id'], ['metric.id'], name=op.f('fk_figure_metric_id_metric')),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], name=op.f('fk_figure_story_id_story'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_figure')),
    sa.UniqueConstraint('key', name=op.f('uq_figure_key'))
    )
    op.create_index('ix_figure_activity_id', 'figure', ['activity_id'], unique=False)
    op.create_index(op.f('ix_figure_date_start'), 'figure', ['date_start'], unique=False)
    op.create_index(op.f('ix_figure_location_id'), 'figure', ['location_id'], unique=False)
    op.create_index(op.f('ix_figure_metric_id'), 'figure', ['metric_id'], unique=False)
    op.create_index(op.f('ix_figure_qualifier'), 'figure', ['qualifier'], unique=False)
    op.create_index('ix_figure_search_vector', 'figure', ['search_vector'], unique=False, postgresql_using='gin')
    op.create_index('ix_figure_story_id', 'figure', ['story_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_figure_story_id', table_name='figure')
    op.drop_index('ix_figure_search_vector', table_name='figure', postgresql_using='gin')
    op.drop_index(op.f('ix_figure_qualifier'), table_name='figure')
    op.drop_index(op.f('ix_figure_metric_id'), table_name='figure')
    op.drop_index(op.f('ix_figure_location_id'), table_name='figure')
    op.drop_index(op.f('ix_figure_date_start'), table_name='figure')
    op.drop_index('ix_figure_activity_id', table_name='figure')
    op.drop_table('figure')
    op.drop_index(op.f('ix_activity_partner_partner_id'), table_name='activity_partner')
    op.drop_table('activity_partner')
    op.drop_index(op.f('ix_activity_location_location_id'), table_name='activity_location')
    op.drop_table('activity_location')
    op.drop_index(op.f('ix_story_mission_mission_id'), table_name='story_mission')
    op.drop_table('story_mission')
    op.drop_index(op.f('ix_story_country_country_id'), table_name='story_country')
    op.drop_table('story_country')
    op.drop_index('ix_activity_search_vector', table_name='activity', postgresql_using='gin')
    op.drop_index(op.f('ix_activity_mission_id'), table_name='activity')
    op.drop_index(op.f('ix_activity_date_start'), table_name='activity')
    op.drop_index(op.f('ix_activity_activity_type_id'), table_name='activity')
    op.drop_table('activity')
    op.drop_index('ix_story_search_vector', table_name='story', postgresql_using='gin')
    op.drop_index(op.f('ix_story_objective_id'), table_name='story')
    op.drop_table('story')
    op.drop_index(op.f('ix_partner_country_id'), table_name='partner')
    op.drop_table('partner')
    op.drop_index(op.f('ix_mission_country_id'), table_name='mission')
    op.drop_table('mission')
    op.drop_index(op.f('ix_location_country_id'), table_name='location')
    op.drop_table('location')
    op.drop_table('report')
    op.drop_table('objective')
    op.drop_table('metric')
    op.drop_table('country')
    op.drop_table('activity_type')
    op.execute("DROP FUNCTION crsv_unaccent(text)")
