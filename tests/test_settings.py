
import dagster as dg
import pytest

from foundation.settings import DEMO_PSEUDONYM_KEY, REPO_ROOT, SettingsError, load_settings
from foundation.warehouse import warehouse_from_settings


def test_defaults():
    s = load_settings({})
    assert s.data_dir == REPO_ROOT / "data"
    assert (REPO_ROOT / "workspace.yaml").is_file() and (REPO_ROOT / "foundation").is_dir()
    assert s.env == "dev"
    assert s.min_cell_size == 10
    assert s.pseudonym_key == DEMO_PSEUDONYM_KEY and s.using_demo_key


def test_production_without_key_stops_before_reading():
    with pytest.raises(SettingsError, match="JEUGDZORG_PSEUDONYM_KEY"):
        load_settings({"JEUGDZORG_ENV": "production"})


def test_values_from_environment(tmp_path):
    s = load_settings({"JEUGDZORG_DATA_DIR": str(tmp_path), "JEUGDZORG_PSEUDONYM_KEY": "k",
                       "JEUGDZORG_MIN_CELL_SIZE": "5", "JEUGDZORG_ENV": "production"})
    assert (s.data_dir, s.pseudonym_key, s.min_cell_size, s.using_demo_key) == (tmp_path, "k", 5, False)


def test_bad_cell_size():
    with pytest.raises(SettingsError, match="whole number"):
        load_settings({"JEUGDZORG_MIN_CELL_SIZE": "ten"})


def test_youth_care_index_reaches_the_warehouse(monkeypatch, tmp_path):
    assert load_settings({}).youth_care_index_pct == 5.0
    assert load_settings({"JEUGDZORG_YOUTH_CARE_INDEX_PCT": "4,25"}).youth_care_index_pct == 4.25
    monkeypatch.setenv("JEUGDZORG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JEUGDZORG_YOUTH_CARE_INDEX_PCT", "6.1")
    assert warehouse_from_settings().youth_care_index_pct == 6.1
    for bad in ("vijf", "250"):
        with pytest.raises(SettingsError, match="JEUGDZORG_YOUTH_CARE_INDEX_PCT"):
            load_settings({"JEUGDZORG_YOUTH_CARE_INDEX_PCT": bad})


def test_pseudonym_key_reaches_the_resource_as_an_env_var_never_as_its_value(monkeypatch, tmp_path):
    monkeypatch.setenv("JEUGDZORG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JEUGDZORG_PSEUDONYM_KEY", "municipality-secret")
    key = warehouse_from_settings().pseudonym_key
    assert isinstance(key, dg.EnvVar) and key.env_var_name == "JEUGDZORG_PSEUDONYM_KEY"
    assert "municipality-secret" not in repr(warehouse_from_settings())
    monkeypatch.delenv("JEUGDZORG_PSEUDONYM_KEY")
    assert warehouse_from_settings().pseudonym_key is None  # the demo key, with a warning
