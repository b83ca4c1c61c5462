"""The Digital Post settings (``AKTFLOW_DIGITAL_POST_*``, docs/digital-post.md): a section of
:class:`aktflow.config.Settings`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from . import env_name

#: Values of this section that an error message may repeat (none: URLs and paths stay out).
SHOWN: frozenset[str] = frozenset()


class DigitalPostSettings(BaseModel):
    """Where Serviceplatformen is and who sends: unset ``digital_post_url`` means no Digital Post.

    With the URL set, the sender's CVR number is required, and so is the certificate unless
    ``digital_post_auth`` is ``none`` (the local fake); the check raises ValueError naming the variables.
    """

    digital_post_url: str | None = Field(
        None,
        description="Serviceplatformen's root (SF1601 and PostForespoerg are joined to it), e.g. "
        "`https://prod.serviceplatformen.dk/`; unset: no Digital Post",
    )
    digital_post_cert: Path | None = Field(
        None, description="the system certificate and its private key in one PEM file (client TLS)"
    )
    digital_post_sender_cvr: str | None = Field(
        None, description="the municipality's CVR number: the sender of every message (8 digits)"
    )
    digital_post_sender_name: str = Field(
        "Kommunen", description="the sender's name the recipient sees in the Digital Post inbox"
    )
    digital_post_auth: Literal["kombit", "kombit-test", "none"] = Field(
        "kombit",
        description="access tokens: `kombit` (KOMBIT's token service, production), `kombit-test` "
        "(its test environment) or `none` (the client certificate only; the local fake)",
    )
    digital_post_timeout: float = Field(30.0, gt=0, description="seconds per Digital Post call")

    @field_validator("digital_post_sender_cvr")
    @classmethod
    def _digital_post_sender_cvr(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{8}", value):
            raise ValueError("skal være et CVR-nummer med 8 cifre")
        return value

    @model_validator(mode="after")
    def _digital_post(self) -> DigitalPostSettings:
        if self.digital_post_url:
            missing = [f for f in ("digital_post_sender_cvr",) if not getattr(self, f)]
            if self.digital_post_auth != "none" and self.digital_post_cert is None:
                missing.append("digital_post_cert")
            if missing:
                raise ValueError(
                    "AKTFLOW_DIGITAL_POST_URL kræver " + " og ".join(env_name(f) for f in missing)
                )
        return self
