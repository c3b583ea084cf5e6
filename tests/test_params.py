"""The one parameter schema: defaults, units, ranges, and the errors bad values get."""

import pytest

from model.params import NAMES, ParameterError, field_info, make_params, reference_markdown


def test_defaults_validate_and_every_field_is_documented():
    p = make_params()
    assert p.households == 250 and p.villages == 1 and p.start_year == 1951
    for name in NAMES:
        info = field_info(name)
        assert info["meaning"], name
        if info["type"] in ("int", "float"):
            assert info["min"] is not None and info["max"] is not None, name


def test_unknown_name_names_the_closest():
    with pytest.raises(ParameterError, match="unknown parameter 'fund_levyrate'; did you mean 'fund_levy_rate'"):
        make_params(fund_levyrate=0.1)


def test_out_of_range_names_parameter_value_and_range():
    with pytest.raises(ParameterError) as e:
        make_params(fund_levy_rate=0.9)
    assert "fund_levy_rate = 0.9" in str(e.value) and "from 0 to 0.5" in str(e.value)


def test_wrong_type_is_not_coerced():
    with pytest.raises(ParameterError, match="households = '250'.*whole number"):
        make_params(households="250")
    with pytest.raises(ParameterError, match="fund_portable = 1.*true or false"):
        make_params(fund_portable=1)
    with pytest.raises(ParameterError, match="land_sale_policy = 'open'.*one of 'free', 'taxed', 'capped', 'banned'"):
        make_params(land_sale_policy="open")


def test_no_silent_clamping_and_ints_accepted_for_floats():
    assert make_params(land_per_head=4).land_per_head == 4.0
    with pytest.raises(ParameterError):
        make_params(households=1)


def test_policy_parameters_carry_their_source_passage():
    info = field_info("fund_portable")
    assert info["source"] and info["passage"]
    assert "Not portable" in field_info("fund_ownership")["passage"] or field_info("fund_ownership")["passage"]
    ref = reference_markdown()
    for name in NAMES:
        assert f"`{name}`" in ref
