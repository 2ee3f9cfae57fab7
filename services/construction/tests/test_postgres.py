"""The queries that differ most between databases, again on PostgreSQL (production).

Row locks, date arithmetic across joins, sums, the area filters (partner access)
and the migrations themselves run here against a real server: the same test
classes as on SQLite, re-collected with ``database_url`` pointing at a fresh
PostgreSQL database per test.
Needs the ``baan`` pytest plugin (deploy/local); skipped without it (``-p no:baan``).
"""

import pytest
from fastapi import FastAPI
from test_batch_planning import TestBatchPlanning as TestBatchPlanningOnPostgres
from test_bulk_reports import TestElsewhere as TestBulkElsewhereOnPostgres
from test_bulk_reports import TestProgressReports as TestBulkProgressOnPostgres
from test_bulk_reports import TestSignOffs as TestSignOffsOnPostgres
from test_bulk_reports import TestWholeProject as TestWholeProjectOnPostgres
from test_construction_areas import TestAreas as TestAreasOnPostgres
from test_construction_bounds import TestAtTheBound as TestAtTheBoundOnPostgres
from test_construction_elsewhere import TestElsewhereIsNowhere as TestElsewhereIsNowhereOnPostgres
from test_construction_elsewhere import TestTakenElsewhere as TestTakenElsewhereOnPostgres
from test_house_works_api import TestLifecycle as TestLifecycleOnPostgres
from test_house_works_api import TestReportedDates as TestReportedDatesOnPostgres
from test_labour import TestRecording as TestLabourOnPostgres
from test_lists import TestExport as TestExportOnPostgres
from test_lists import TestFilters as TestFiltersOnPostgres
from test_lists import TestOverdue as TestOverdueOnPostgres
from test_materials import TestAllocationAndCost as TestMaterialsOnPostgres
from test_materials import TestCorrections as TestCorrectionsOnPostgres
from test_milestones import TestEditableTemplates as TestTemplatesOnPostgres
from test_milestones import TestOverdueMilestones as TestOverdueMilestonesOnPostgres
from test_milestones import TestPlannedDates as TestPlannedDatesOnPostgres
from test_photos import TestUploading as TestPhotosOnPostgres
from test_projects_api import TestAssigning as TestProjectsOnPostgres
from test_projects_api import TestBulkReports as TestBulkReportsOnPostgres
from test_projects_api import TestSummary as TestProjectSummaryOnPostgres

pytestmark = pytest.mark.postgres

__all__ = [
    "TestAreasOnPostgres",
    "TestAtTheBoundOnPostgres",
    "TestBatchPlanningOnPostgres",
    "TestBulkElsewhereOnPostgres",
    "TestBulkProgressOnPostgres",
    "TestBulkReportsOnPostgres",
    "TestCorrectionsOnPostgres",
    "TestElsewhereIsNowhereOnPostgres",
    "TestExportOnPostgres",
    "TestFiltersOnPostgres",
    "TestLabourOnPostgres",
    "TestLifecycleOnPostgres",
    "TestMaterialsOnPostgres",
    "TestOverdueMilestonesOnPostgres",
    "TestOverdueOnPostgres",
    "TestPhotosOnPostgres",
    "TestPlannedDatesOnPostgres",
    "TestProjectSummaryOnPostgres",
    "TestProjectsOnPostgres",
    "TestReportedDatesOnPostgres",
    "TestSignOffsOnPostgres",
    "TestTakenElsewhereOnPostgres",
    "TestTemplatesOnPostgres",
    "TestWholeProjectOnPostgres",
]


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> str:
    try:
        make_database = request.getfixturevalue("make_postgres_database")
    except pytest.FixtureLookupError:
        pytest.skip("needs the baan pytest plugin's PostgreSQL server")
    return str(make_database("construction"))


@pytest.fixture
def other_database_url(request: pytest.FixtureRequest) -> str:
    try:
        make_database = request.getfixturevalue("make_postgres_database")
    except pytest.FixtureLookupError:
        pytest.skip("needs the baan pytest plugin's PostgreSQL server")
    return str(make_database("construction"))


async def test_these_tests_really_run_on_postgresql(app: FastAPI) -> None:
    assert app.state.runtime.engine.dialect.name == "postgresql"
