"""How responses carry the gate's types: encoded as the strings and dates they
are, and described in the OpenAPI document as such (with a note that the gate
built them)."""

from __future__ import annotations

from typing import Any

from litestar.openapi.spec import Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

from sharehub.disclosure.gated import ENCODERS, GatedDate, GatedText

TYPE_ENCODERS = ENCODERS


class GatedSchemaPlugin(OpenAPISchemaPlugin):
    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value in (GatedText, GatedDate)

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        if field_definition.annotation is GatedDate:
            return Schema(
                type=OpenAPIType.STRING,
                format=OpenAPIFormat.DATE,
                description="Shown by the disclosure gate (null where withheld)",
            )
        return Schema(
            type=OpenAPIType.STRING,
            description="Built by the disclosure gate for this reader: redacted where it must be",
        )
