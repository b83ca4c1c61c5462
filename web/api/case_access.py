"""The API's need-to-know endpoints (docs/access.md, docs/api.md):

- ``GET /cases/<id>/access``: whether the case is sensitive and why, its mark, its members and its named
  legal contact (with the choices, for who may name it: ``POST /cases/<id>/events/assign_legal_contact``);
- ``POST /cases/<id>/access/members`` ``{"username", "reason"}``: add a person (201);
- ``DELETE /cases/<id>/access/members/<username>``: remove them (optional body ``{"reason"}``);
- ``PUT /cases/<id>/access/sensitive`` ``{"reason"}``: mark the case sensitive;
- ``DELETE /cases/<id>/access/sensitive`` ``{"reason"}``: lift the mark (managers and the legal contact).

Every change is written to the administrative log by :mod:`aktflow.case_members`; each answer is the
case's access as after the change. The shapes are the pydantic models below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, jsonify
from pydantic import BaseModel, ConfigDict, Field

from aktflow import case_members
from aktflow.case_members import REASON_MAX
from aktflow.queries.case_members import access_of

from .auth import actor, db
from .inputs import json_body, parse_body


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddMemberRequest(_Shape):
    """En person, der skal kunne se den fortrolige sag, og hvorfor."""

    model_config = ConfigDict(extra="forbid", title="AddMemberRequest")

    username: str = Field(min_length=1, max_length=80, description="Brugernavnet")
    reason: str = Field(min_length=1, max_length=REASON_MAX, description="Hvorfor personen skal se sagen")


class ReasonRequest(_Shape):
    """Begrundelsen for en ændring af adgangen."""

    model_config = ConfigDict(extra="forbid", title="ReasonRequest")

    reason: str = Field(min_length=1, max_length=REASON_MAX)


class CaseMarkOut(_Shape):
    """Sagen er markeret fortrolig i hånden: af hvem, hvornår og hvorfor."""

    reason: str
    marked_by: str
    marked_at: dt.datetime


class CaseMemberOut(_Shape):
    """En person, der er tilføjet sagen."""

    username: str
    name: str
    added_by: str
    added_at: dt.datetime
    reason: str


class LegalContactOut(_Shape):
    """En juridisk kontakt: brugernavn og navn."""

    username: str
    name: str


class CaseAccess(_Shape):
    """Hvem der kan se sagen: om den er fortrolig og hvorfor, markeringen og de tilføjede personer."""

    model_config = ConfigDict(extra="forbid", title="CaseAccess")

    case_id: int
    sensitive: bool
    reasons: list[str]
    mark: CaseMarkOut | None
    members: list[CaseMemberOut]
    may_manage: bool = Field(description="Den, der spørger, må tilføje og fjerne personer og markere sagen")
    may_unmark: bool = Field(description="Den, der spørger, må fjerne markeringen (leder, jurist)")
    legal_contact: LegalContactOut | None = Field(
        description="Sagens juridiske kontakt, hvis sagen har valgt en"
    )
    may_choose_legal_contact: bool = Field(
        description="Den, der spørger, må vælge sagens juridiske kontakt nu (handlingen assign_legal_contact)"
    )
    legal_contact_choices: list[LegalContactOut] = Field(
        description="Brugerne med rollen juridisk kontakt, efter navn (tom, hvis den, der spørger, ikke må vælge)"
    )


RESPONSE_MODELS: tuple[type[BaseModel], ...] = (CaseAccess,)
REQUEST_MODELS: tuple[type[BaseModel], ...] = (AddMemberRequest, ReasonRequest)


def _answer(case_id: int, status: int = 200) -> Response:
    body: dict[str, Any] = access_of(db(), case_id, actor().username)
    body = {
        **body,
        "mark": None
        if body["mark"] is None
        else {**body["mark"], "marked_at": body["mark"]["marked_at"].isoformat()},
        "members": [{**m, "added_at": m["added_at"].isoformat()} for m in body["members"]],
    }
    resp = jsonify(body)
    resp.status_code = status
    return resp


def get_access(case_id: int) -> Response:
    """``GET /cases/<id>/access``."""
    return _answer(case_id)


def add_member(case_id: int) -> Response:
    """``POST /cases/<id>/access/members``: 201 with the case's access."""
    body = parse_body(AddMemberRequest, json_body(required=True))
    case_members.add_member(db(), case_id, body.username, actor=actor().username, reason=body.reason)
    return _answer(case_id, 201)


def remove_member(case_id: int, username: str) -> Response:
    """``DELETE /cases/<id>/access/members/<username>``."""
    raw = json_body(required=False)
    reason = parse_body(ReasonRequest, raw).reason if raw else None
    case_members.remove_member(db(), case_id, username, actor=actor().username, reason=reason)
    return _answer(case_id)


def mark(case_id: int) -> Response:
    """``PUT /cases/<id>/access/sensitive``."""
    body = parse_body(ReasonRequest, json_body(required=True))
    case_members.mark_sensitive(db(), case_id, actor=actor().username, reason=body.reason)
    return _answer(case_id)


def unmark(case_id: int) -> Response:
    """``DELETE /cases/<id>/access/sensitive``."""
    body = parse_body(ReasonRequest, json_body(required=True))
    case_members.unmark_sensitive(db(), case_id, actor=actor().username, reason=body.reason)
    return _answer(case_id)


def paths(case_id: dict[str, Any], errors: Any, ref: Any, json: Any) -> dict[str, Any]:
    """The paths for the OpenAPI document (the skeleton's helpers passed in)."""
    ok = {"description": "Sagens adgang efter ændringen", "content": json(ref("CaseAccess"))}
    user = {"name": "username", "in": "path", "required": True, "schema": {"type": "string"}}
    reason_body = {"required": True, "content": json(ref("ReasonRequest"))}
    return {
        "/cases/{case_id}/access": {
            "get": {
                "operationId": "getCaseAccess",
                "summary": "Hvem der kan se sagen: fortrolig eller ej, hvorfor, og de tilføjede personer",
                "parameters": [case_id],
                "responses": {"200": {**ok, "description": "Sagens adgang"}, **errors("401", "403", "404")},
            },
        },
        "/cases/{case_id}/access/members": {
            "post": {
                "operationId": "addCaseMember",
                "summary": "Tilføj en person til den fortrolige sag (sagsbehandleren, juristen, en leder)",
                "parameters": [case_id],
                "requestBody": {"required": True, "content": json(ref("AddMemberRequest"))},
                "responses": {"201": ok, **errors("400", "401", "403", "404")},
            },
        },
        "/cases/{case_id}/access/members/{username}": {
            "delete": {
                "operationId": "removeCaseMember",
                "summary": "Fjern en tilføjet person fra sagen",
                "parameters": [case_id, user],
                "requestBody": {"required": False, "content": json(ref("ReasonRequest"))},
                "responses": {"200": ok, **errors("400", "401", "403", "404")},
            },
        },
        "/cases/{case_id}/access/sensitive": {
            "put": {
                "operationId": "markCaseSensitive",
                "summary": "Markér sagen fortrolig (sagsbehandleren, juristen, en leder)",
                "parameters": [case_id],
                "requestBody": reason_body,
                "responses": {"200": ok, **errors("400", "401", "403", "404")},
            },
            "delete": {
                "operationId": "unmarkCaseSensitive",
                "summary": "Fjern markeringen fortrolig (en leder eller juristen)",
                "parameters": [case_id],
                "requestBody": reason_body,
                "responses": {"200": ok, **errors("400", "401", "403", "404")},
            },
        },
    }
