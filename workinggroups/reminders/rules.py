"""When each forum's people are reminded, for each reason: its rules, or the defaults."""

from dataclasses import dataclass

from workinggroups.models import Reason, ReminderRule


@dataclass(frozen=True)
class Rule:
    days: tuple[int, ...]
    weekday: int
    active: bool = True


# Each forum's rule for each reason; forum None holds the defaults.
Rules = dict[tuple[int | None, str], Rule]


def rules_by_forum() -> Rules:
    """Each forum's rules, with the defaults under forum None (one query)."""
    rules: Rules = {
        (None, reason): Rule(
            days=tuple(
                int(d) for d in ReminderRule.DEFAULT_DAYS[reason].replace(" ", "").split(",") if d
            ),
            weekday=ReminderRule.DEFAULT_WEEKDAYS.get(reason, ReminderRule.DEFAULT_WEEKDAY),
        )
        for reason in Reason.values
    }
    for rule in ReminderRule.objects.all():
        rules[(rule.forum_id, rule.reason)] = Rule(rule.days, rule.weekday, rule.active)
    return rules


def rule_for(rules: Rules, forum_id: int | None, reason: str) -> Rule:
    return rules.get((forum_id, reason)) or rules[(None, reason)]
