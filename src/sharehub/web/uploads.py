"""Files sent with a form (multipart/form-data), for the API and the pages alike.

The request body's size is bounded by the route (``attachment_body_limit``);
the file's own limit is checked by the service, so a person hears "the file
must be smaller than 20 MB" rather than a bare 413 in all but extreme cases.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.datastructures import UploadFile

from sharehub.errors import Unprocessable
from sharehub.referrals.asb.attachments import Upload
from sharehub.web.forms import invalid_fields

T = TypeVar("T")


def attachment_body_limit(max_file_bytes: int) -> int:
    """Room for a file up to twice the limit, so one a little over it gets a
    clear message, and for the form's other fields."""
    return 2 * max_file_bytes + 1_048_576


async def read_upload(
    request: Request, file_field: str = "file"
) -> tuple[Upload | None, dict[str, Any]]:
    """(the file, the other fields as text; one sent twice keeps its last value)."""
    form = await request.form()
    upload: Upload | None = None
    fields: dict[str, Any] = {}
    for key in form:
        for value in form.getall(key):
            if isinstance(value, UploadFile):
                if key == file_field and value.filename:
                    upload = Upload(
                        filename=value.filename,
                        content_type=value.content_type,
                        data=await value.read(),
                    )
                elif key != file_field:
                    fields[key] = value.filename  # a file where text was expected: refused below
            elif str(value).strip():
                # A field left empty is a field not given.
                fields[key] = str(value).strip()
    return upload, fields


def convert_fields(struct: type[T], payload: dict[str, Any]) -> T:
    """The form's fields as the API's struct, or 422 naming every bad field."""
    known = {f.encode_name for f in msgspec.structs.fields(struct)}  # type: ignore[arg-type]
    unknown = [(name, "not a field this takes") for name in payload if name not in known]
    if unknown:
        raise Unprocessable(unknown)
    try:
        return msgspec.convert(payload, struct, strict=False)
    except msgspec.ValidationError as invalid:
        raise Unprocessable(invalid_fields(payload, struct, invalid)) from None
