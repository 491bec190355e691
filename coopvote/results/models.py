"""Result declarations. A declaration is written once and never updated: a correction is a
new declaration (the next version) that names the one it corrects and says why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from coopvote.db.types import UTCDateTime


class ResultDeclaration(SQLModel, table=True):
    __tablename__ = "result_declaration"
    __table_args__ = (UniqueConstraint("ballot_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="ballot.id", index=True)
    #: 1 for the first declaration, one more for each correction.
    version: int
    #: The result as canonical JSON text (see ``results.document.canonical_json``): exactly
    #: the bytes whose SHA-256 is published, so the hash can be checked against the store.
    document: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(max_length=64)
    #: Lots fall by the tie order drawn from this seed (``tally.draw_tie_order``).
    tie_order_seed: str = Field(max_length=64)
    #: The audit chain's head just before this declaration was recorded in it.
    audit_head_seq: int
    audit_head_hash: str = Field(max_length=64)
    published_at: datetime = Field(sa_type=UTCDateTime)
    published_by: int | None = Field(default=None, foreign_key="member.id")
    #: The declaration this one corrects (unique: each declaration is corrected at most once).
    corrects_id: int | None = Field(default=None, foreign_key="result_declaration.id", unique=True)
    correction_reason: str = Field(default="", max_length=2000)
