"""Who may see and change a case: applicants their own, gemachtigden their principal's, staff by role."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import CaseNotFoundError, ForbiddenError
from chalicelib.domain.identity import Role, ensure_can_change, ensure_can_view, is_valid_subject
from tests.factories import ANNA, FATIMA, JAN, MARK, a_case
from tests.unit.domain.builders import applicant, employee


@pytest.mark.parametrize(
    "value", ["pu-mark-3f9a1c", "mdw-anna-bakker", "kvk:12345678@eherkenning", "abc", "1234567", "1234567890"]
)
def test_a_pseudonymous_subject_is_valid(value):
    assert is_valid_subject(value)


@pytest.mark.parametrize("value", ["123456782", "12345678", "ab", "-pu-mark", "pu mark", "pu/mark", "", "x" * 129])
def test_a_bsn_or_a_malformed_subject_is_not_valid(value):
    assert not is_valid_subject(value)


@pytest.mark.parametrize("party", [MARK, FATIMA])
def test_an_applicant_sees_a_case_they_are_a_party_to(party):
    ensure_can_view(applicant(party), a_case(initiator=MARK, co_initiators=(FATIMA,)))


def test_an_applicant_who_is_no_party_is_told_the_case_does_not_exist():
    case = a_case(initiator=MARK, co_initiators=(FATIMA,))

    with pytest.raises(CaseNotFoundError) as raised:
        ensure_can_view(applicant(JAN), case)

    assert raised.value.params == {"case_id": case.id}


def test_a_gemachtigde_sees_the_case_of_the_party_they_represent():
    ensure_can_view(applicant("pu-adviseur-77aa01", represents=MARK), a_case(initiator=MARK))


def test_a_gemachtigde_acting_for_someone_else_does_not_see_their_own_cases():
    # GIVEN Mark, acting for a company, looks at his own case
    with pytest.raises(CaseNotFoundError):
        ensure_can_view(applicant(MARK, represents="kvk-bedrijf-1"), a_case(initiator=MARK))


def test_a_party_without_the_applicant_role_does_not_see_the_case():
    with pytest.raises(CaseNotFoundError):
        ensure_can_view(employee(MARK, Role.OPERATOR), a_case(initiator=MARK))


@pytest.mark.parametrize("role", [Role.BEHANDELAAR, Role.KCC])
def test_a_behandelaar_or_the_kcc_sees_any_case(role):
    ensure_can_view(employee("mdw-piet-jansen", role), a_case())


def test_the_case_s_own_behandelaar_may_change_it():
    ensure_can_change(employee(ANNA.id, Role.BEHANDELAAR), a_case(), "set_status")


def test_the_kcc_may_not_change_a_case():
    with pytest.raises(ForbiddenError) as raised:
        ensure_can_change(employee("mdw-kcc-1", Role.KCC), a_case(), "set_status")

    assert raised.value.params == {"action": "set_status"}


def test_another_behandelaar_may_not_change_the_case():
    with pytest.raises(ForbiddenError):
        ensure_can_change(employee("mdw-piet-jansen", Role.BEHANDELAAR), a_case(), "extend")


def test_the_case_s_behandelaar_id_without_the_behandelaar_role_may_not_change_it():
    with pytest.raises(ForbiddenError):
        ensure_can_change(employee(ANNA.id, Role.KCC), a_case(), "extend")


def test_an_applicant_may_not_change_their_own_case():
    with pytest.raises(ForbiddenError):
        ensure_can_change(applicant(MARK), a_case(initiator=MARK), "set_status")
