"""Historical series: a CSV plus its sourced ``.meta.toml``; errors name the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twofront.errors import DataError
from twofront.history import Series, data_dir, iwo_jima, load_series, require_columns

SHIPPED_SERIES = {
    "kursk_area_held": ("date", "area_held_km2"),
    "ukraine_territory_monthly": ("month", "russian_net_gain_km2"),
    "iwo_jima_1945": ("day", "us_reinforcements_personnel", "us_active_personnel"),
    "shell_production_monthly": ("date", "producer", "shells_per_month"),
    "kursk_forces": ("date", "side", "personnel"),
    "russia_oil_revenue": ("month", "quantity", "value", "unit"),
}
SOURCES = '[[sources]]\nid = "s1"\nauthor = "A. Author"\ntitle = "A title"\ndate = "2024"\n'


def _write_series(folder: Path, name: str, csv: str | None, meta: str | None) -> None:
    if csv is not None:
        (folder / f"{name}.csv").write_text(csv, encoding="utf-8")
    if meta is not None:
        (folder / f"{name}.meta.toml").write_text(meta, encoding="utf-8")


@pytest.mark.parametrize("name", SHIPPED_SERIES)
def test_shipped_series_loads_with_its_columns_and_sources(name):
    series = load_series(name)
    assert series.name == name
    assert len(series.table) > 0
    require_columns(series, SHIPPED_SERIES[name])
    assert series.meta["title"]
    assert len(series.meta["sources"]) >= 1
    assert series.citation()


@pytest.mark.parametrize("name", SHIPPED_SERIES)
def test_every_row_cites_a_source_of_its_meta_file(name):
    series = load_series(name)
    known = {source["id"] for source in series.meta["sources"]}
    cited = {
        part.strip() for cell in series.table["source_id"].dropna() for part in str(cell).split(";")
    }
    assert cited
    assert cited <= known


def test_data_dir_is_the_repository_data_folder_by_default(monkeypatch):
    monkeypatch.delenv("TWOFRONT_DATA", raising=False)
    assert (data_dir() / "kursk_area_held.csv").is_file()


def test_twofront_data_points_to_another_folder(monkeypatch, tmp_path):
    _write_series(tmp_path, "tiny", "x\n1\n", SOURCES)
    monkeypatch.setenv("TWOFRONT_DATA", str(tmp_path))
    assert data_dir() == tmp_path
    assert load_series("tiny").table["x"].tolist() == [1]


def test_citation_joins_author_title_publisher_and_date_skipping_blanks():
    meta = {
        "sources": [
            {
                "id": "a",
                "author": "Engel",
                "title": "Lanchester",
                "publisher": "ORSA",
                "date": "1954",
            },
            {"id": "b", "title": "Only a title"},
        ]
    }
    series = Series("x", None, meta)  # type: ignore[arg-type]
    assert series.citation() == "Engel, Lanchester, ORSA, 1954; Only a title"


def test_folder_argument_reads_a_series_elsewhere(tmp_path):
    _write_series(tmp_path, "tiny", "a,b\n1,2\n3,4\n", 'title = "Tiny"\n' + SOURCES)
    series = load_series("tiny", tmp_path)
    assert series.table.to_dict("list") == {"a": [1, 3], "b": [2, 4]}
    assert series.citation() == "A. Author, A title, 2024"


def test_missing_csv_is_a_data_error_naming_the_file(tmp_path):
    _write_series(tmp_path, "tiny", None, SOURCES)
    with pytest.raises(DataError, match=r"tiny\.csv: missing \(historical series 'tiny'\)"):
        load_series("tiny", tmp_path)


def test_missing_meta_file_is_a_data_error_naming_the_file(tmp_path):
    _write_series(tmp_path, "tiny", "a\n1\n", None)
    with pytest.raises(DataError, match=r"tiny\.meta\.toml: missing"):
        load_series("tiny", tmp_path)


def test_invalid_meta_toml_is_a_data_error(tmp_path):
    _write_series(tmp_path, "tiny", "a\n1\n", "[sources\n")
    with pytest.raises(DataError, match=r"tiny\.meta\.toml: not valid TOML"):
        load_series("tiny", tmp_path)


@pytest.mark.parametrize("meta", ['title = "no sources"\n', "sources = []\n"])
def test_meta_file_without_sources_is_a_data_error(tmp_path, meta):
    _write_series(tmp_path, "tiny", "a\n1\n", meta)
    with pytest.raises(DataError, match=r"tiny\.meta\.toml: sources: at least one source"):
        load_series("tiny", tmp_path)


def test_csv_that_is_not_utf8_is_a_data_error(tmp_path):
    (tmp_path / "tiny.csv").write_bytes(b"name\n\xff\xfe\xfa\n")
    _write_series(tmp_path, "tiny", None, SOURCES)
    with pytest.raises(DataError, match=r"tiny\.csv: not a readable CSV"):
        load_series("tiny", tmp_path)


def test_require_columns_names_the_missing_and_the_present(tmp_path):
    _write_series(tmp_path, "tiny", "a,b\n1,2\n", SOURCES)
    series = load_series("tiny", tmp_path)
    require_columns(series, ("a",))
    with pytest.raises(DataError, match=r"tiny\.csv: columns \['c'\] missing; has \['a', 'b'\]"):
        require_columns(series, ("a", "c"))


def test_iwo_jima_landings_fall_on_day_indices_0_2_and_5():
    battle, _ = iwo_jima()
    assert battle.reinforcements.shape == (36,)
    assert battle.reinforcements[[0, 2, 5]].tolist() == [54_000, 6_000, 13_000]
    assert battle.reinforcements.sum() == 73_000


def test_iwo_jima_starts_with_21500_japanese():
    battle, _ = iwo_jima()
    assert battle.red_initial == 21_500


def test_iwo_jima_us_observed_series_is_empty_while_engels_table_is_missing():
    battle, series = iwo_jima()
    assert battle.blue_observed.shape == (37,)
    assert np.isnan(battle.blue_observed).all()
    assert "us_active_personnel" in series.meta["missing"]


def test_iwo_jima_red_is_observed_only_at_the_modelling_endpoint():
    battle, _ = iwo_jima()
    assert battle.red_observed.shape == (37,)
    assert np.flatnonzero(np.isfinite(battle.red_observed)).tolist() == [36]
    assert battle.red_observed[36] == 0


def test_iwo_jima_day_d_of_the_csv_is_strength_index_d(tmp_path):
    csv = (
        "day,us_reinforcements_personnel,us_active_personnel,japanese_personnel\n"
        "0,0,,1000\n1,500,450,\n2,0,,900\n3,100,520,\n"
    )
    _write_series(tmp_path, "iwo_jima_1945", csv, SOURCES)
    battle, _ = iwo_jima(tmp_path)
    assert battle.reinforcements.tolist() == [500, 0, 100]
    np.testing.assert_array_equal(battle.blue_observed, [np.nan, 450, np.nan, 520])
    np.testing.assert_array_equal(battle.red_observed, [np.nan, np.nan, 900, np.nan])
    assert battle.red_initial == 1000


def test_iwo_jima_without_an_initial_japanese_strength_is_a_data_error(tmp_path):
    csv = "day,us_reinforcements_personnel,us_active_personnel\n0,0,\n1,500,450\n"
    _write_series(tmp_path, "iwo_jima_1945", csv, SOURCES)
    with pytest.raises(DataError, match="initial"):
        iwo_jima(tmp_path)


def test_iwo_jima_without_the_reinforcement_column_is_a_data_error(tmp_path):
    _write_series(tmp_path, "iwo_jima_1945", "day,us_active_personnel\n0,\n", SOURCES)
    with pytest.raises(DataError, match="us_reinforcements_personnel"):
        iwo_jima(tmp_path)


def _battle_csv(tmp_path, rows: str, meta: str = '[[sources]]\ntitle = "x"\n'):
    from twofront.history import battle_from_csv

    (tmp_path / "b.csv").write_text(
        "day,blue_reinforcements,blue_personnel,red_personnel\n" + rows, encoding="utf-8"
    )
    (tmp_path / "b.meta.toml").write_text(meta, encoding="utf-8")
    return lambda: battle_from_csv(tmp_path / "b.csv")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("0,0,,100\n1,10,9,90\n1,0,8,80\n", "day 1 repeated"),
        ("0,0,,100\n1.5,10,9,90\n", r"day 1\.5 \(line 3\); expected whole numbers of days >= 0"),
        ("0,0,,100\n-1,10,9,90\n", r"day -1 \(line 3\)"),
        ("0,0,,100\n1,10,-9,90\n", r"blue_personnel = -9 \(line 3\)"),
        ("0,0,,100\n1,10,inf,90\n", r"blue_personnel = inf \(line 3\)"),
        ("0,0,,100\n1,ten,9,90\n", r"blue_reinforcements = 'ten' \(line 3\)"),
    ],
)
def test_battle_csv_problems_name_the_cell_and_what_was_expected(tmp_path, rows, message):
    read = _battle_csv(tmp_path, rows)
    with pytest.raises(DataError, match=message):
        read()


@pytest.mark.parametrize("initial", ["true", "1e300", "-5"])
def test_red_initial_strength_must_be_a_sensible_number(tmp_path, initial):
    read = _battle_csv(
        tmp_path,
        "0,0,,\n1,10,9,\n",
        f'red_initial_personnel = {initial}\n[[sources]]\ntitle = "x"\n',
    )
    with pytest.raises(DataError, match="red's initial strength"):
        read()


def test_a_well_formed_battle_csv_reads(tmp_path):
    battle, _ = _battle_csv(tmp_path, "0,0,,100\n1,10,9,90\n2,0,8,80\n")()
    assert battle.red_initial == 100.0
    assert battle.reinforcements.tolist() == [10.0, 0.0]
