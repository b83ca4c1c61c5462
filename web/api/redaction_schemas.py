"""The redaction endpoints' request and response shapes (pydantic), for the API and its OpenAPI document."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RedactRequest(_Shape):
    """En overstregning: enten `term` (alle forekomster) eller `page` og `box` (PDF-punkter, origo nederst
    til venstre), og altid `ground` (en kode fra undtagelsesgrundene, trykt på feltet)."""

    model_config = ConfigDict(extra="forbid", title="RedactRequest")

    term: str | None = Field(None, max_length=300, description="Ord eller tekst; alle forekomster")
    page: int | None = Field(None, ge=1, le=100_000, description="Siden (1, 2, …)")
    box: str | None = Field(None, max_length=100, description="x0,y0,x1,y1 i PDF-punkter")
    ground: str = Field(max_length=40, description="Undtagelsesgrundens kode, fx ofl-30-1")


class RedactionItem(_Shape):
    """En overstregning (eller et afvist forslag); term vises med CPR-numre maskeret."""

    id: int
    kind: Literal["text", "region", "proposed"]
    state: Literal["accepted", "rejected"]
    term: str | None
    page: int | None
    box: list[float] | None
    ground: str | None
    paragraph: str | None = Field(description="Undtagelsesgrundens paragraf, som trykkes på feltet")
    proposal: str | None = Field(description="Forslagets nøgle, når overstregningen kom fra et forslag")
    created_by: str
    created_at: str


class ProposalItem(_Shape):
    """Et forslag fra screeningen; accepteres med accept_redaction og nøglen."""

    key: str
    kind: Literal["cpr", "name", "address", "phone", "email", "category"]
    label: str
    term: str = Field(description="Teksten, med CPR-numre maskeret")
    count: int
    default: bool = Field(description="true for CPR-numre: foreslås som standard")


class DocumentRedactions(_Shape):
    """Et dokuments overstregninger og de forslag, der endnu ikke er taget stilling til."""

    document_id: int
    title: str
    has_file: bool
    content_type: str | None
    outcome: str | None
    redactions: list[RedactionItem]
    rejected: list[RedactionItem]
    proposals: list[ProposalItem]


class CaseRedactions(_Shape):
    """Sagens dokumenter med overstregninger og forslag, i dokumentlistens rækkefølge."""

    case_id: int
    documents: list[DocumentRedactions]


RESPONSE_MODELS: tuple[type[BaseModel], ...] = (CaseRedactions, DocumentRedactions)
REQUEST_MODELS: tuple[type[BaseModel], ...] = (RedactRequest,)
