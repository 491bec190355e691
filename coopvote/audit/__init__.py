"""The audit log: ``record`` an event in the same transaction as the change it describes."""

from coopvote.audit.service import SYSTEM, member_actor, member_subject, record

__all__ = ["SYSTEM", "member_actor", "member_subject", "record"]
