import pytest

from openucs.domain.access import EVERYTHING, AgentAccess, ReadScope
from openucs.errors import InvalidInput


def test_policy_names_parse_case_insensitively_and_unknown_ones_name_the_setting() -> None:
    assert AgentAccess.parse("agent_access", " Own ") is AgentAccess.OWN
    with pytest.raises(InvalidInput, match=r"agent_access: unknown value 'mine'.*own, handled"):
        AgentAccess.parse("agent_access", "mine")


def test_a_scope_is_unlimited_without_a_user_or_under_all() -> None:
    assert EVERYTHING.unlimited
    assert ReadScope("u1", AgentAccess.ALL).unlimited
    assert not ReadScope("u1", AgentAccess.HANDLED).unlimited
    assert not ReadScope("u1", AgentAccess.OWN).unlimited
