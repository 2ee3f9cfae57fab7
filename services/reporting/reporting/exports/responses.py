"""A report as a file in an HTTP answer: the ``format`` query, the 200 it documents,
and the response with its download name. Each report's module serves its own
``/export`` beside the report (same filters as the report itself)."""

from typing import Annotated, Any

from fastapi import Query, Response

from reporting.exports.formats import MEDIA_TYPES, ExportFormat, render
from reporting.exports.tables import Table

FormatQuery = Annotated[ExportFormat, Query(alias="format", description="csv or xlsx")]
FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report as a file",
        "content": {media: {} for media in MEDIA_TYPES.values()},
    }
}


def file_response(table: Table, export_format: ExportFormat) -> Response:
    """``table`` rendered as ``export_format``, downloaded as ``<table.name>.<format>``."""
    return Response(
        content=render(table, export_format),
        media_type=MEDIA_TYPES[export_format],
        headers={
            "Content-Disposition": f'attachment; filename="{table.name}.{export_format.value}"'
        },
    )
