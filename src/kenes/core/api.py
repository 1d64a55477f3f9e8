"""Pieces every app's API shares: error bodies, the code parameter type, bounded pagination."""

from typing import Annotated

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


# The error bodies of the whole API (the meetings router uses them too), so that the OpenAPI document
# declares every answer an operation can give, not only its 200.
class ErrorOut(Schema):
    """A 4xx answer other than 422: ninja's ``Http404`` and ``HttpError`` bodies."""

    detail: str = Field(description="what was wrong, in words")


class ParameterErrorOut(Schema):
    type: str = Field(description="pydantic's error type, e.g. int_parsing")
    loc: list[str | int] = Field(description="where: the parameter source and name, e.g. query, page")
    msg: str


class ValidationErrorOut(Schema):
    """A 422 answer: parameters that do not match the types and bounds this document gives them."""

    detail: list[ParameterErrorOut]


# A code parameter (of a council, region, district, state body or topic) is printable text. A control
# character is a 422: PostgreSQL cannot compare text holding NUL, so the lookup would end in a 500.
Code = Annotated[str, Field(pattern=r"^[^\x00-\x1f\x7f]*$")]


class Pages(PageNumberPagination):
    """Numbered pages whose bounds are part of the document: a page past them is a 422.

    Without the bound, a page like 10**20 makes an OFFSET the database cannot hold, and a 500.
    """

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, description="rows per page; sizes above 100 give 100 rows")
