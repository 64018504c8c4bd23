import pytest

from meshwright.model.units import (
    format_cpu,
    format_duration,
    format_memory,
    format_rate,
    parse_cpu,
    parse_duration,
    parse_memory,
    parse_percentage,
    parse_rate,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("250ms", 0.25), ("1.5s", 1.5), ("2m", 120), ("1h", 3600), ("7d", 604800), ("1h30m", 5400),
     ("500us", 0.0005), (3, 3.0), (0.2, 0.2), ("3min", 180)],
)
def test_durations_parse(text: object, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["10 parsecs", "ms", "-1s", "", True, -2, "1.2.3s"])
def test_bad_durations_say_what_to_write(bad: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_duration_texts_are_remembered_only_when_they_parse() -> None:
    from meshwright.model.units import _parse_duration_text

    _parse_duration_text.cache_clear()
    for _ in range(2):
        with pytest.raises(ValueError, match="invalid duration '10 parsecs'"):
            parse_duration("10 parsecs")
        with pytest.raises(ValueError, match="duration is too large: at most 3650d"):
            parse_duration("3651d")
    assert _parse_duration_text.cache_info().currsize == 0
    assert parse_duration("250ms") == parse_duration("250ms") == 0.25
    info = _parse_duration_text.cache_info()
    assert (info.currsize, info.hits) == (1, 1)


@pytest.mark.parametrize("seconds", [0.25, 1.5, 120, 5400, 604800, 0.0005, 0.0125, 90])
def test_durations_round_trip(seconds: float) -> None:
    assert parse_duration(format_duration(seconds)) == pytest.approx(seconds)


def test_rates() -> None:
    assert parse_rate("50/s") == 50
    assert parse_rate("3000/min") == pytest.approx(50)
    assert parse_rate("36/h") == pytest.approx(0.01)
    assert parse_rate(format_rate(12.5)) == 12.5
    with pytest.raises(ValueError, match="50/s"):
        parse_rate("fast")


def test_percentages() -> None:
    assert parse_percentage("99.95%") == 99.95
    assert parse_percentage(99.9) == 99.9
    with pytest.raises(ValueError, match=r"outside 0\.\.100"):
        parse_percentage(120)


def test_quantities() -> None:
    assert parse_cpu("500m") == 0.5
    assert parse_cpu(2) == 2.0
    assert format_cpu(0.25) == "250m"
    assert parse_memory("512Mi") == 512 * 1024**2
    assert parse_memory("1Gi") == 1024**3
    assert parse_memory("300M") == 300_000_000
    assert format_memory(512 * 1024**2) == "512Mi"
    assert parse_memory(format_memory(300_000_000)) == 300_000_000
    with pytest.raises(ValueError, match="256Mi"):
        parse_memory("lots")
