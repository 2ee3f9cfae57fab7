"""Unknown query parameters are refused, not ignored.

A report asked for ``?perod=h1`` (or a parameter another report takes) used to
answer the whole year and say nothing. Every report router depends on
``reject_unknown_query_parameters``: a parameter its route does not declare gets a
422 problem naming each one.
"""

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from baan_shared.errors import Unprocessable, field_error


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _declared(route: APIRoute) -> frozenset[str]:
    """The query parameters a route takes (a walk of a few dependencies: cheap)."""
    return frozenset(_query_names(route.dependant))


async def reject_unknown_query_parameters(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared = _declared(route)
    unknown = sorted({name for name in request.query_params if name not in declared})
    if unknown:
        raise Unprocessable(
            f"unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}; "
            f"this report takes {', '.join(sorted(declared)) or 'none'}",
            errors=[
                field_error(
                    f"query.{name}",
                    "not a parameter of this report",
                    "unknown_parameter",
                    value=request.query_params.getlist(name)[0],
                )
                for name in unknown
            ],
        )
