"""Deterministic dose safety layer: extract every dose, check it against rules and sources, fail closed."""

from assistant.doses.check import check_text
from assistant.doses.context import AnswerContext
from assistant.doses.policy import check_answer, check_report
from assistant.doses.rules import RuleBook, RuleFileError, load_rulebook

__all__ = ["AnswerContext", "RuleBook", "RuleFileError", "check_answer", "check_report", "check_text",
           "load_rulebook"]
